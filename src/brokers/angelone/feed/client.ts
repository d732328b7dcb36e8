import type { Registry } from 'prom-client';
import type { Clock } from '../../../core/clock.js';
import { IfError } from '../../../core/errors.js';
import { type Logger, silentLogger } from '../../../ops/logger.js';
import { type FeedPacket, SubscriptionMode } from '../codec/index.js';
import {
  type FeedConnectionEvent,
  type FeedCredentials,
  SmartStreamConnection,
  type SmartStreamConnectionOptions,
} from './connection.js';
import { EventHub } from './events.js';
import { registerFeedMetrics } from './metrics.js';
import type { ReconnectPolicyOptions, SocketState } from './socket.js';
import {
  buildRequests,
  DEFAULT_LIMITS,
  FeedAction,
  type FeedRequest,
  pairKey,
  SubscriptionBook,
  type SubscriptionPair,
} from './subscriptions.js';

/**
 * `idle`: nothing subscribed. `healthy`: every connection that carries subscriptions is open (not
 * stale, not reconnecting) and none of its subscriptions was refused. `down`: none of them is open.
 * `degraded`: anything in between.
 */
export type FeedHealth = 'idle' | 'healthy' | 'degraded' | 'down';

export type ModeName = 'ltp' | 'quote' | 'snap_quote' | 'depth_20';

export const MODE_NAMES: Readonly<Record<SubscriptionMode, ModeName>> = {
  1: 'ltp',
  2: 'quote',
  3: 'snap_quote',
  4: 'depth_20',
};

export type FeedClientEvent =
  | (FeedConnectionEvent & { connection: number })
  | {
      type: 'subscription-failed';
      connection: number;
      /** the pairs the refused request carried that are still subscribed; empty if it cannot be told */
      pairs: SubscriptionPair[];
      error: IfError;
      atMs: number;
    }
  | { type: 'health'; health: FeedHealth; previous: FeedHealth; atMs: number };

/** `onAuthFailure` is called once at a time, shared by all connections, when a handshake is refused with 401. */
export interface SmartStreamClientOptions extends ReconnectPolicyOptions {
  url: string;
  credentials: () => Promise<FeedCredentials> | FeedCredentials;
  badFrameLimit?: { count: number; windowMs: number };
  /** default 3 (Angel's limit per client code) */
  maxConnections?: number;
  /** default 1000 (Angel's quota per socket) */
  maxPairsPerConnection?: number;
  /** default 50 (the SDKs' depth-20 limit) */
  maxDepthTokens?: number;
  /** tokens per subscribe/unsubscribe message, default 500 */
  maxTokensPerMessage?: number;
  /** registers the indexflow_feed_* metrics here when given */
  registry?: Registry;
  onPacket?: (packet: FeedPacket, receivedAtMs: number, connection: number) => void;
  onRawFrame?: RawFrameRecorder;
}

export type RawFrameRecorder = (
  kind: 'binary' | 'text',
  payload: Uint8Array | string,
  receivedAtMs: number,
  connection: number,
) => void;

export interface FeedConnectionSummary {
  index: number;
  state: SocketState;
  /** (token, mode) pairs this connection carries */
  pairs: number;
  failedPairs: number;
  opens: number;
  reconnects: number;
  staleEvents: number;
  consecutiveFailures: number;
  lastFrameAtMs: number;
}

export interface FeedClientStats {
  health: FeedHealth;
  subscriptions: number;
  failedSubscriptions: number;
  packetsTotal: Record<ModeName, number>;
  /** packets in the last complete clock second, per mode */
  packetsPerSecond: Record<ModeName, number>;
  reconnects: number;
  staleEvents: number;
  /** rejected binary frames by reason code, all connections */
  rejectedFrames: Record<string, number>;
  unknownText: number;
  connections: FeedConnectionSummary[];
}

export interface SubscriptionChange {
  /** pairs newly added or removed by this call (duplicates and unknown pairs do not count) */
  changed: number;
  /** pairs subscribed after the call */
  total: number;
}

interface Shard {
  index: number;
  connection: SmartStreamConnection;
  /** recent requests by correlationID, to attribute E1001/E1002; bounded, never replayed */
  requests: Map<string, FeedRequest>;
  failed: Map<string, SubscriptionPair>;
}

interface ModeCounter {
  total: number;
  second: number;
  inSecond: number;
  previousSecond: number;
  inPreviousSecond: number;
}

const MAX_TRACKED_REQUESTS = 256;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The Angel One WebSocket 2.0 feed as a whole: a canonical subscription set sharded over up to three
 * connections of at most 1000 (token, mode) pairs each. Each connection opens only when it has
 * subscriptions, and on every open it is sent exactly its current set (never a replay of past requests,
 * so unsubscribed pairs stay unsubscribed after a reconnect).
 */
export class SmartStreamClient {
  /** Every good packet from every connection (plain callback, the hot path). */
  onPacket: ((packet: FeedPacket, receivedAtMs: number, connection: number) => void) | undefined;
  /** Every frame before decoding, for recording. */
  onRawFrame: RawFrameRecorder | undefined;

  private readonly book: SubscriptionBook;
  private readonly shards: Shard[];
  private readonly hub: EventHub<FeedClientEvent>;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly maxTokensPerMessage: number;
  private readonly modes: Record<SubscriptionMode, ModeCounter>;
  private correlationCounter = 0;
  private health: FeedHealth = 'idle';
  private authRefresh: Promise<void> | undefined;
  private closed = false;

  constructor(options: SmartStreamClientOptions) {
    this.logger = options.logger ?? silentLogger();
    this.clock = options.clock;
    this.onPacket = options.onPacket;
    this.onRawFrame = options.onRawFrame;
    this.maxTokensPerMessage = options.maxTokensPerMessage ?? 500;
    if (!(this.maxTokensPerMessage >= 1)) {
      throw new IfError('IF_ERR_VALIDATION', { detail: 'maxTokensPerMessage must be ≥ 1' });
    }
    this.book = new SubscriptionBook({
      maxConnections: options.maxConnections ?? DEFAULT_LIMITS.maxConnections,
      perConnection: options.maxPairsPerConnection ?? DEFAULT_LIMITS.perConnection,
      maxDepthTokens: options.maxDepthTokens ?? DEFAULT_LIMITS.maxDepthTokens,
    });
    const counter = (): ModeCounter => ({
      total: 0,
      second: -1,
      inSecond: 0,
      previousSecond: -1,
      inPreviousSecond: 0,
    });
    this.modes = { 1: counter(), 2: counter(), 3: counter(), 4: counter() };
    this.hub = new EventHub((type, error) =>
      this.logger.error({ event: type, err: errorText(error) }, 'feed client listener threw'),
    );

    const onAuthFailure = options.onAuthFailure;
    // three sockets refused at once must cause one session refresh, not three
    const sharedAuthRefresh =
      onAuthFailure === undefined
        ? undefined
        : () => {
            if (this.authRefresh === undefined) {
              const refresh = onAuthFailure().finally(() => {
                if (this.authRefresh === refresh) this.authRefresh = undefined;
              });
              this.authRefresh = refresh;
            }
            return this.authRefresh;
          };

    this.shards = [];
    for (let index = 0; index < this.book.limits.maxConnections; index++) {
      const connectionOptions: SmartStreamConnectionOptions = {
        url: options.url,
        credentials: options.credentials,
        clock: options.clock,
        logger: this.logger,
        name: `smart-stream#${index}`,
        onPacket: (packet, receivedAtMs) => {
          this.countPacket(packet.subscriptionMode, receivedAtMs);
          const handler = this.onPacket;
          if (handler !== undefined) handler(packet, receivedAtMs, index);
        },
        onRawFrame: (kind, payload, receivedAtMs) => {
          const recorder = this.onRawFrame;
          if (recorder !== undefined) recorder(kind, payload, receivedAtMs, index);
        },
      };
      if (options.pingIntervalMs !== undefined) connectionOptions.pingIntervalMs = options.pingIntervalMs;
      if (options.staleAfterMs !== undefined) connectionOptions.staleAfterMs = options.staleAfterMs;
      if (options.isMarketOpen !== undefined) connectionOptions.isMarketOpen = options.isMarketOpen;
      if (options.backoff !== undefined) connectionOptions.backoff = options.backoff;
      if (options.random !== undefined) connectionOptions.random = options.random;
      if (sharedAuthRefresh !== undefined) connectionOptions.onAuthFailure = sharedAuthRefresh;
      if (options.authRetryMs !== undefined) connectionOptions.authRetryMs = options.authRetryMs;
      if (options.connectTimeoutMs !== undefined)
        connectionOptions.connectTimeoutMs = options.connectTimeoutMs;
      if (options.alertAfterFailures !== undefined)
        connectionOptions.alertAfterFailures = options.alertAfterFailures;
      if (options.badFrameLimit !== undefined) connectionOptions.badFrameLimit = options.badFrameLimit;
      const shard: Shard = {
        index,
        connection: new SmartStreamConnection(connectionOptions),
        requests: new Map(),
        failed: new Map(),
      };
      shard.connection.onAny((event) => this.onConnectionEvent(shard, event));
      this.shards.push(shard);
    }

    if (options.registry !== undefined) {
      registerFeedMetrics(options.registry, {
        packetsByMode: () => this.packetTotals(),
        rejectedByReason: () => this.rejectedTotals(),
        reconnects: () => this.sumOver((shard) => shard.connection.stats().reconnects),
        staleEvents: () => this.sumOver((shard) => shard.connection.stats().staleEvents),
        connectionStates: () => this.shards.map((shard) => shard.connection.state),
        subscriptions: () => this.book.size,
      });
    }
  }

  /** Canonical state: `exchangeType:token` → modes (read-only view). */
  get instruments(): ReadonlyMap<string, ReadonlySet<SubscriptionMode>> {
    return this.book.instruments;
  }

  /** Overall health; see {@link FeedHealth}. */
  get currentHealth(): FeedHealth {
    return this.health;
  }

  /**
   * Adds (token, mode) pairs; already-subscribed pairs are ignored. Throws IF_ERR_VALIDATION for a bad
   * pair and IF_ERR_FEED_CAPACITY when the total would exceed connections × per-connection quota,
   * in both cases without changing anything.
   */
  subscribe(pairs: readonly SubscriptionPair[]): SubscriptionChange {
    this.assertOpen();
    const placed = this.book.add(pairs);
    let changed = 0;
    for (const [index, list] of placed) {
      changed += list.length;
      const shard = this.shards[index];
      if (shard === undefined) continue;
      if (shard.connection.isOpen()) {
        this.sendRequests(
          shard,
          buildRequests(FeedAction.SUBSCRIBE, list, this.maxTokensPerMessage, this.nextId),
        );
      } else if (shard.connection.state === 'closed') {
        // the open event sends the connection's whole current set, including these pairs
        shard.connection.start();
      }
    }
    this.updateHealth();
    return { changed, total: this.book.size };
  }

  /** Removes pairs; unknown pairs are ignored. A connection left with nothing is closed. */
  unsubscribe(pairs: readonly SubscriptionPair[]): SubscriptionChange {
    this.assertOpen();
    const removed = this.book.remove(pairs);
    let changed = 0;
    for (const [index, list] of removed) {
      changed += list.length;
      const shard = this.shards[index];
      if (shard === undefined) continue;
      for (const pair of list) shard.failed.delete(pairKey(pair));
      if (this.book.sizeOf(index) === 0) {
        shard.requests.clear();
        void shard.connection.close();
      } else if (shard.connection.isOpen()) {
        this.sendRequests(
          shard,
          buildRequests(FeedAction.UNSUBSCRIBE, list, this.maxTokensPerMessage, this.nextId),
        );
      }
    }
    this.updateHealth();
    return { changed, total: this.book.size };
  }

  /** Every subscribed pair, connection 0 first. */
  subscriptions(): SubscriptionPair[] {
    return this.book.all();
  }

  /** Pairs whose subscribe request the server refused (E1001/E1002) since their connection last opened. */
  failedSubscriptions(): { connection: number; pair: SubscriptionPair }[] {
    return this.shards.flatMap((shard) =>
      [...shard.failed.values()].map((pair) => ({ connection: shard.index, pair })),
    );
  }

  /** The connection objects (index = shard), for inspection. */
  connections(): readonly SmartStreamConnection[] {
    return this.shards.map((shard) => shard.connection);
  }

  on<T extends FeedClientEvent['type']>(
    type: T,
    listener: (event: Extract<FeedClientEvent, { type: T }>) => void,
  ): () => void {
    return this.hub.on(type, listener);
  }

  onAny(listener: (event: FeedClientEvent) => void): () => void {
    return this.hub.onAny(listener);
  }

  stats(): FeedClientStats {
    const now = this.clock.now();
    const packetsTotal = this.packetTotals();
    const packetsPerSecond = { ltp: 0, quote: 0, snap_quote: 0, depth_20: 0 };
    for (const mode of [1, 2, 3, 4] as const) packetsPerSecond[MODE_NAMES[mode]] = this.rate(mode, now);
    let unknownText = 0;
    const connections = this.shards.map((shard): FeedConnectionSummary => {
      const stats = shard.connection.stats();
      unknownText += stats.unknownText;
      return {
        index: shard.index,
        state: stats.state,
        pairs: this.book.sizeOf(shard.index),
        failedPairs: shard.failed.size,
        opens: stats.opens,
        reconnects: stats.reconnects,
        staleEvents: stats.staleEvents,
        consecutiveFailures: stats.consecutiveFailures,
        lastFrameAtMs: stats.lastFrameAtMs,
      };
    });
    return {
      health: this.computeHealth(),
      subscriptions: this.book.size,
      failedSubscriptions: this.shards.reduce((sum, shard) => sum + shard.failed.size, 0),
      packetsTotal,
      packetsPerSecond,
      reconnects: connections.reduce((sum, c) => sum + c.reconnects, 0),
      staleEvents: connections.reduce((sum, c) => sum + c.staleEvents, 0),
      rejectedFrames: this.rejectedTotals(),
      unknownText,
      connections,
    };
  }

  /** Closes every connection and clears every timer; the client cannot be used afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.shards.map((shard) => shard.connection.close()));
    this.updateHealth();
  }

  private readonly nextId = (): string => {
    // Angel documents a 10-character alphanumeric id; it comes back only in error responses
    this.correlationCounter = (this.correlationCounter + 1) % 36 ** 8;
    return `if${this.correlationCounter.toString(36).padStart(8, '0')}`;
  };

  private assertOpen(): void {
    if (this.closed) throw new IfError('IF_ERR_FEED_NOT_CONNECTED');
  }

  private onConnectionEvent(shard: Shard, event: FeedConnectionEvent): void {
    if (event.type === 'open') this.resubscribe(shard);
    this.hub.emit({ ...event, connection: shard.index });
    if (event.type === 'error') this.attributeServerError(shard, event);
    if (event.type === 'state') this.updateHealth();
  }

  private resubscribe(shard: Shard): void {
    // a fresh socket gets a fresh chance: pairs refused before are asked for again
    shard.failed.clear();
    shard.requests.clear();
    const pairs = this.book.pairsOf(shard.index);
    if (pairs.length === 0) return;
    this.logger.info({ connection: shard.index, pairs: pairs.length }, 'resubscribing');
    this.sendRequests(
      shard,
      buildRequests(FeedAction.SUBSCRIBE, pairs, this.maxTokensPerMessage, this.nextId),
    );
  }

  private sendRequests(shard: Shard, requests: readonly FeedRequest[]): void {
    for (const request of requests) {
      // a socket that went down mid-way will be sent its whole set on the next open
      if (!shard.connection.send(request.text)) return;
      shard.requests.set(request.correlationID, request);
      if (shard.requests.size > MAX_TRACKED_REQUESTS) {
        const oldest = shard.requests.keys().next();
        if (oldest.done !== true) shard.requests.delete(oldest.value);
      }
    }
  }

  private attributeServerError(shard: Shard, event: Extract<FeedConnectionEvent, { type: 'error' }>): void {
    const code = event.error.code;
    if (code !== 'IF_ERR_FEED_SUBSCRIPTION_LIMIT' && code !== 'IF_ERR_FEED_INVALID_REQUEST') return;
    const request = event.correlationId === undefined ? undefined : shard.requests.get(event.correlationId);
    if (request === undefined || request.action !== FeedAction.SUBSCRIBE) {
      if (code === 'IF_ERR_FEED_SUBSCRIPTION_LIMIT') {
        this.hub.emit({
          type: 'subscription-failed',
          connection: shard.index,
          pairs: [],
          error: event.error,
          atMs: event.atMs,
        });
      }
      return;
    }
    const pairs = request.pairs.filter((pair) => this.book.shardOf(pair) === shard.index);
    for (const pair of pairs) shard.failed.set(pairKey(pair), pair);
    this.logger.warn(
      { connection: shard.index, pairs: pairs.length, code, brokerCode: event.error.params['brokerCode'] },
      'subscriptions refused by the feed',
    );
    this.hub.emit({
      type: 'subscription-failed',
      connection: shard.index,
      pairs,
      error: event.error,
      atMs: event.atMs,
    });
    this.updateHealth();
  }

  private computeHealth(): FeedHealth {
    let needed = 0;
    let open = 0;
    let failed = 0;
    for (const shard of this.shards) {
      if (this.book.sizeOf(shard.index) === 0) continue;
      needed++;
      if (shard.connection.state === 'open') open++;
      failed += shard.failed.size;
    }
    if (needed === 0 || this.closed) return 'idle';
    if (open === needed) return failed === 0 ? 'healthy' : 'degraded';
    return open === 0 ? 'down' : 'degraded';
  }

  private updateHealth(): void {
    const next = this.computeHealth();
    if (next === this.health) return;
    const previous = this.health;
    this.health = next;
    this.hub.emit({ type: 'health', health: next, previous, atMs: this.clock.now() });
  }

  private countPacket(mode: SubscriptionMode, atMs: number): void {
    const counter = this.modes[mode];
    counter.total++;
    const second = Math.floor(atMs / 1000);
    if (second !== counter.second) {
      counter.previousSecond = counter.second;
      counter.inPreviousSecond = counter.inSecond;
      counter.second = second;
      counter.inSecond = 0;
    }
    counter.inSecond++;
  }

  private rate(mode: SubscriptionMode, nowMs: number): number {
    const counter = this.modes[mode];
    const lastComplete = Math.floor(nowMs / 1000) - 1;
    if (counter.second === lastComplete) return counter.inSecond;
    if (counter.previousSecond === lastComplete) return counter.inPreviousSecond;
    return 0;
  }

  private packetTotals(): Record<ModeName, number> {
    return {
      ltp: this.modes[SubscriptionMode.LTP].total,
      quote: this.modes[SubscriptionMode.QUOTE].total,
      snap_quote: this.modes[SubscriptionMode.SNAP_QUOTE].total,
      depth_20: this.modes[SubscriptionMode.DEPTH_20].total,
    };
  }

  private rejectedTotals(): Record<string, number> {
    const totals: Record<string, number> = {};
    for (const shard of this.shards) {
      for (const [code, count] of Object.entries(shard.connection.stats().rejectedFrames)) {
        totals[code] = (totals[code] ?? 0) + count;
      }
    }
    return totals;
  }

  private sumOver(read: (shard: Shard) => number): number {
    return this.shards.reduce((sum, shard) => sum + read(shard), 0);
  }
}
