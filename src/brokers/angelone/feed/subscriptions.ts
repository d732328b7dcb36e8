import { IfError } from '../../../core/errors.js';
import { ExchangeType, SubscriptionMode } from '../codec/index.js';

/** One (instrument, mode) pair: the unit Angel counts against the 1000-per-socket quota. */
export interface SubscriptionPair {
  exchangeType: ExchangeType;
  /** instrument token from the scrip master, as a string */
  token: string;
  mode: SubscriptionMode;
}

export const FeedAction = { UNSUBSCRIBE: 0, SUBSCRIBE: 1 } as const;
export type FeedAction = (typeof FeedAction)[keyof typeof FeedAction];

/** A request ready to send, with the pairs it carries (to attribute an E1001/E1002 by correlationID). */
export interface FeedRequest {
  correlationID: string;
  action: FeedAction;
  mode: SubscriptionMode;
  pairs: SubscriptionPair[];
  text: string;
}

export interface SubscriptionLimits {
  /** Angel allows 3 sockets per client code */
  maxConnections: number;
  /** Angel's quota: 1000 (token, mode) pairs per socket */
  perConnection: number;
  /** the SDKs allow depth-20 for at most 50 tokens */
  maxDepthTokens: number;
}

export const DEFAULT_LIMITS: Readonly<SubscriptionLimits> = {
  maxConnections: 3,
  perConnection: 1000,
  maxDepthTokens: 50,
};

const EXCHANGE_TYPES = new Set<number>(Object.values(ExchangeType));
const MODES = new Set<number>(Object.values(SubscriptionMode));
/** the wire field is 25 NUL-padded bytes, the last always NUL */
const TOKEN_PATTERN = /^[0-9A-Za-z_-]{1,24}$/;

/** `exchangeType:token`, the key of the canonical map. */
export function instrumentKey(exchangeType: number, token: string): string {
  return `${exchangeType}:${token}`;
}

/** `mode|exchangeType|token`, one key per quota unit. */
export function pairKey(pair: SubscriptionPair): string {
  return `${pair.mode}|${pair.exchangeType}|${pair.token}`;
}

/** Checks one caller-supplied pair at the boundary; throws IF_ERR_VALIDATION naming the bad field. */
export function validatePair(pair: SubscriptionPair): SubscriptionPair {
  if (!EXCHANGE_TYPES.has(pair.exchangeType)) {
    throw new IfError('IF_ERR_VALIDATION', { detail: `unknown exchangeType ${String(pair.exchangeType)}` });
  }
  if (!MODES.has(pair.mode)) {
    throw new IfError('IF_ERR_VALIDATION', { detail: `unknown subscription mode ${String(pair.mode)}` });
  }
  if (typeof pair.token !== 'string' || !TOKEN_PATTERN.test(pair.token)) {
    throw new IfError('IF_ERR_VALIDATION', {
      detail: `token ${JSON.stringify(pair.token)} is not 1–24 letters/digits`,
    });
  }
  if (pair.mode === SubscriptionMode.DEPTH_20 && pair.exchangeType !== ExchangeType.NSE_CM) {
    throw new IfError('IF_ERR_VALIDATION', {
      detail: `depth-20 is only offered for exchangeType 1 (nse_cm), not ${pair.exchangeType}`,
    });
  }
  return { exchangeType: pair.exchangeType, token: pair.token, mode: pair.mode };
}

/**
 * The canonical subscription state and its sharding over connections. Pure: no I/O.
 * Pairs fill connection 0 up to `perConnection`, then 1, then 2; freed slots are refilled lowest
 * connection first. A request that does not fit is refused whole, leaving the state untouched.
 */
export class SubscriptionBook {
  /** canonical state: `exchangeType:token` → modes subscribed */
  readonly instruments = new Map<string, Set<SubscriptionMode>>();
  private readonly shardOfPair = new Map<string, number>();
  private readonly shards: Map<string, SubscriptionPair>[];
  private depthTokens = 0;

  constructor(readonly limits: SubscriptionLimits = DEFAULT_LIMITS) {
    if (!(limits.maxConnections >= 1 && limits.perConnection >= 1)) {
      throw new IfError('IF_ERR_VALIDATION', { detail: 'subscription limits must be ≥ 1' });
    }
    this.shards = Array.from({ length: limits.maxConnections }, () => new Map());
  }

  get capacity(): number {
    return this.limits.maxConnections * this.limits.perConnection;
  }

  /** total (token, mode) pairs */
  get size(): number {
    return this.shardOfPair.size;
  }

  sizeOf(shard: number): number {
    return this.shards[shard]?.size ?? 0;
  }

  has(pair: SubscriptionPair): boolean {
    return this.shardOfPair.has(pairKey(pair));
  }

  shardOf(pair: SubscriptionPair): number | undefined {
    return this.shardOfPair.get(pairKey(pair));
  }

  /** The pairs a connection carries, in subscription order. */
  pairsOf(shard: number): SubscriptionPair[] {
    return [...(this.shards[shard]?.values() ?? [])];
  }

  all(): SubscriptionPair[] {
    return this.shards.flatMap((shard) => [...shard.values()]);
  }

  /**
   * Adds pairs not yet present; returns them grouped by the connection they were placed on.
   * Throws IF_ERR_VALIDATION / IF_ERR_FEED_CAPACITY without changing anything.
   */
  add(pairs: readonly SubscriptionPair[]): Map<number, SubscriptionPair[]> {
    const fresh = new Map<string, SubscriptionPair>();
    for (const pair of pairs) {
      const valid = validatePair(pair);
      const key = pairKey(valid);
      if (!this.shardOfPair.has(key)) fresh.set(key, valid);
    }
    const total = this.size + fresh.size;
    if (total > this.capacity) {
      throw new IfError('IF_ERR_FEED_CAPACITY', {
        requested: total,
        capacity: this.capacity,
        connections: this.limits.maxConnections,
        perConnection: this.limits.perConnection,
      });
    }
    let depth = this.depthTokens;
    for (const pair of fresh.values()) if (pair.mode === SubscriptionMode.DEPTH_20) depth++;
    if (depth > this.limits.maxDepthTokens) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `depth-20 allows at most ${this.limits.maxDepthTokens} tokens; this would make ${depth}`,
      });
    }

    const placed = new Map<number, SubscriptionPair[]>();
    let shard = 0;
    for (const [key, pair] of fresh) {
      while (this.sizeOf(shard) >= this.limits.perConnection) shard++;
      const target = this.shards[shard];
      // unreachable: the capacity check above guarantees a shard with room
      if (target === undefined) throw new IfError('IF_ERR_INTERNAL', { detail: 'no shard with room' });
      target.set(key, pair);
      this.shardOfPair.set(key, shard);
      const instrument = instrumentKey(pair.exchangeType, pair.token);
      let modes = this.instruments.get(instrument);
      if (modes === undefined) {
        modes = new Set();
        this.instruments.set(instrument, modes);
      }
      modes.add(pair.mode);
      const list = placed.get(shard);
      if (list === undefined) placed.set(shard, [pair]);
      else list.push(pair);
    }
    this.depthTokens = depth;
    return placed;
  }

  /** Removes the pairs present; returns them grouped by the connection that carried them. */
  remove(pairs: readonly SubscriptionPair[]): Map<number, SubscriptionPair[]> {
    const valid = pairs.map(validatePair);
    const removed = new Map<number, SubscriptionPair[]>();
    for (const pair of valid) {
      const key = pairKey(pair);
      const shard = this.shardOfPair.get(key);
      if (shard === undefined) continue;
      this.shardOfPair.delete(key);
      this.shards[shard]?.delete(key);
      if (pair.mode === SubscriptionMode.DEPTH_20) this.depthTokens--;
      const instrument = instrumentKey(pair.exchangeType, pair.token);
      const modes = this.instruments.get(instrument);
      modes?.delete(pair.mode);
      if (modes !== undefined && modes.size === 0) this.instruments.delete(instrument);
      const list = removed.get(shard);
      if (list === undefined) removed.set(shard, [pair]);
      else list.push(pair);
    }
    return removed;
  }
}

/**
 * Turns pairs into request messages: one message per mode, its `tokenList` grouped by exchange type,
 * at most `maxTokensPerMessage` tokens each (a long list is split across messages). Modes and exchange
 * types go in ascending order, tokens in the order given.
 */
export function buildRequests(
  action: FeedAction,
  pairs: readonly SubscriptionPair[],
  maxTokensPerMessage: number,
  nextCorrelationId: () => string,
): FeedRequest[] {
  if (!(maxTokensPerMessage >= 1)) throw new RangeError(`maxTokensPerMessage must be ≥ 1`);
  const byMode = new Map<SubscriptionMode, Map<ExchangeType, SubscriptionPair[]>>();
  for (const pair of pairs) {
    let byExchange = byMode.get(pair.mode);
    if (byExchange === undefined) {
      byExchange = new Map();
      byMode.set(pair.mode, byExchange);
    }
    const list = byExchange.get(pair.exchangeType);
    if (list === undefined) byExchange.set(pair.exchangeType, [pair]);
    else list.push(pair);
  }

  const requests: FeedRequest[] = [];
  for (const mode of [...byMode.keys()].sort((a, b) => a - b)) {
    const byExchange = byMode.get(mode) ?? new Map<ExchangeType, SubscriptionPair[]>();
    let tokenList: { exchangeType: ExchangeType; tokens: string[] }[] = [];
    let carried: SubscriptionPair[] = [];
    const flush = () => {
      if (carried.length === 0) return;
      const correlationID = nextCorrelationId();
      const text = JSON.stringify({ correlationID, action, params: { mode, tokenList } });
      requests.push({ correlationID, action, mode, pairs: carried, text });
      tokenList = [];
      carried = [];
    };
    for (const exchangeType of [...byExchange.keys()].sort((a, b) => a - b)) {
      const list = byExchange.get(exchangeType) ?? [];
      let offset = 0;
      while (offset < list.length) {
        const room = maxTokensPerMessage - carried.length;
        const chunk = list.slice(offset, offset + room);
        tokenList.push({ exchangeType, tokens: chunk.map((pair) => pair.token) });
        carried.push(...chunk);
        offset += chunk.length;
        if (carried.length >= maxTokensPerMessage) flush();
      }
    }
    flush();
  }
  return requests;
}
