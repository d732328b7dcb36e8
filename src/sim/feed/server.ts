import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import {
  type ExchangeType,
  encodePacket,
  type SubscriptionMode,
} from '../../brokers/angelone/codec/index.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { IfError } from '../../core/errors.js';
import { SeededRandom } from '../../core/random.js';
import { type Logger, silentLogger } from '../../ops/logger.js';
import type { SimSessionStore } from '../auth/sessions.js';
import type { InstrumentMarketState, MarketModel } from '../market/types.js';
import {
  addFaultCounters,
  emptyFaultCounters,
  type FaultCounters,
  type FeedFaults,
  malformedFrame,
  truncatedFrame,
  validateFaults,
} from './faults.js';
import { type FrameHeader, readFrameHeader, withToken } from './frames.js';
import { buildPacket } from './packets.js';
import { errorFrame, type FeedRequest, parseFeedRequest } from './requests.js';

export const SMART_STREAM_PATH = '/smart-stream';

/** The four documented handshake refusals (angelone-smartapi.md §1.1), sent in `x-error-message`. */
export const HANDSHAKE_ERRORS = {
  authToken: 'Invalid Header - Invalid Auth token',
  clientCode: 'Invalid Header - Invalid Client Code',
  apiKey: 'Invalid Header - Invalid API Key',
  feedToken: 'Invalid Header - Invalid Feed Token',
} as const;

export interface SmartStreamServerOptions {
  /** Angel's documented limit; the 4th concurrent socket of a client code gets HTTP 429. Default 3. */
  maxConnectionsPerClient?: number;
  /** (token, mode) pairs per socket; default 1000 */
  maxSubscriptionsPerConnection?: number;
  /** Depth-20 tokens per socket; the SDKs enforce 50 client-side, the server limit is undocumented. Default 50. */
  maxDepthTokens?: number;
  /** close a socket that sent nothing (no message, no ping) for this long; 0 disables. Default 90 s. */
  idleTimeoutMs?: number;
  /**
   * Require Authorization and x-api-key as the docs say (the browser query variant: apiKey; it has no
   * JWT). Off by default because the Java SDK sends only client code and feed token; when off, they are
   * validated only if present.
   */
  requireAllHeaders?: boolean;
  /** a socket with more than this waiting to be written gets no further data frames (dropped, counted). Default 4 MiB. */
  maxBufferedBytes?: number;
  /** accept tokens the market model does not know (replaying a recording of another day's instruments) */
  acceptUnknownTokens?: boolean;
  /** seed for fault randomness; default 1 */
  faultSeed?: number;
  /** default `/smart-stream` */
  path?: string;
}

export interface SmartStreamServerDeps {
  /**
   * Drives network timers (idle timeout). Pass a wall clock (LiveClock) even when the market runs on a
   * ScaledClock: clients heartbeat in wall time.
   */
  clock: Clock;
  sessions: Pick<SimSessionStore, 'findByFeedToken' | 'findByJwt'>;
  market: Pick<MarketModel, 'resolveToken' | 'state' | 'instrument'>;
  /** checks `x-api-key` / `apiKey`; when absent, any non-empty key passes */
  isValidApiKey?: (apiKey: string, clientCode: string) => boolean;
  options?: SmartStreamServerOptions;
  logger?: Logger;
}

/** The bytes a new subscriber of (exchangeType, token, mode) should receive first, if known. */
export type SnapshotProvider = (exchangeType: number, token: string, mode: number) => Uint8Array | undefined;

export type ModeCounts = Record<SubscriptionMode, number>;

export interface FeedSubscription {
  exchangeType: ExchangeType;
  /** the token as the client subscribed it */
  token: string;
  mode: SubscriptionMode;
}

export interface ConnectionInfo {
  id: number;
  clientCode: string;
  openedAtMs: number;
  subscriptionCount: number;
  subscriptionsByMode: ModeCounts;
  framesSent: ModeCounts;
  framesDroppedBackpressure: number;
  bufferedAmount: number;
  faults: FeedFaults;
  faultsApplied: FaultCounters;
}

export interface SmartStreamStats {
  connectionsOpen: number;
  connectionsAccepted: number;
  /** handshakes refused for bad credentials (not counting injected faults) */
  refused401: number;
  /** handshakes refused over the per-client connection limit (not counting injected faults) */
  refused429: number;
  idleClosed: number;
  framesSent: ModeCounts;
  framesDroppedBackpressure: number;
  errorsSent: { E1001: number; E1002: number };
  /** packets the model's state could not be encoded into (logged, skipped) */
  encodeErrors: number;
  faultsApplied: FaultCounters;
}

export interface SmartStreamServer {
  /** Takes the upgrade if `req` is for our path (returns true), else leaves the socket alone (false). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /**
   * Sends one frame per subscribed (token, mode) for each model token that ticked (what
   * `market.advanceTo` returns). Each packet is encoded once and the same bytes go to every subscriber.
   */
  publish(tokens: readonly string[]): void;
  /**
   * Sends a ready-made frame (a recording) to the subscribers of its (exchangeType, token, mode); returns
   * how many sockets it was offered to.
   */
  publishFrame(frame: Uint8Array, header?: FrameHeader): number;
  /** true if any socket subscribes (exchangeType, token, mode) */
  isSubscribed(exchangeType: number, token: string, mode: number): boolean;
  /** fallback snapshots for tokens the model has no state for (replay) */
  setSnapshotProvider(provider: SnapshotProvider | undefined): void;
  /** Replaces the faults of one connection, of new connections (`'default'`), or of both (`'all'`). */
  setFaults(target: number | 'default' | 'all', faults: FeedFaults): void;
  connections(): ConnectionInfo[];
  subscriptions(connectionId: number): FeedSubscription[];
  stats(): SmartStreamStats;
  /** Terminates every socket and stops accepting; resolves once all are closed. */
  close(): Promise<void>;
}

/** A (exchangeType, token-as-subscribed, mode) pair shared by every socket that subscribes it. */
interface Pair {
  key: string;
  exchangeType: ExchangeType;
  wireToken: string;
  /** the model's token */
  canonical: string;
  mode: SubscriptionMode;
  subscribers: Set<Connection>;
}

function modeCounts(): ModeCounts {
  return { 1: 0, 2: 0, 3: 0, 4: 0 };
}

function pairKey(exchangeType: number, token: string, mode: number): string {
  return `${exchangeType}|${token}|${mode}`;
}

class Connection {
  readonly pairs = new Map<string, Pair>();
  depthPairs = 0;
  faults: FeedFaults = {};
  framesSinceFaults = 0;
  held: { frame: Uint8Array; mode: SubscriptionMode } | undefined;
  lastActivityMs: number;
  idleTimer: TimerHandle | undefined;
  closed = false;
  readonly framesSent = modeCounts();
  droppedBackpressure = 0;
  readonly faultCounts = emptyFaultCounters();
  readonly closedPromise: Promise<void>;
  markClosed: () => void = () => {};

  constructor(
    readonly id: number,
    readonly clientCode: string,
    readonly socket: WebSocket,
    /** the upgraded TCP socket, corked around a publish so many frames leave in one write */
    readonly raw: Duplex,
    readonly openedAtMs: number,
    readonly random: SeededRandom,
  ) {
    this.lastActivityMs = openedAtMs;
    this.closedPromise = new Promise((resolve) => {
      this.markClosed = resolve;
    });
  }
}

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** Writes a bare HTTP refusal on the upgrade socket, the way Angel refuses a handshake. */
function refuse(socket: Duplex, status: number, errorMessage?: string): void {
  const reason = STATUS_CODES[status] ?? 'Error';
  const body = errorMessage ?? reason;
  const lines = [
    `HTTP/1.1 ${status} ${reason}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  if (errorMessage !== undefined) lines.push(`x-error-message: ${errorMessage}`);
  socket.on('error', () => {
    // the client may reset before reading the refusal; nothing to do
  });
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

class SmartStreamServerImpl implements SmartStreamServer {
  private readonly wss: WebSocketServer;
  private readonly conns = new Map<number, Connection>();
  private readonly openByClient = new Map<string, number>();
  private readonly pairs = new Map<string, Pair>();
  private readonly byCanonical = new Map<string, Set<Pair>>();
  private readonly resolveCache = new Map<string, string>();
  /** sockets corked during the current publish; reused to avoid an allocation per publish */
  private readonly corked = new Set<Connection>();
  private defaultFaults: FeedFaults = {};
  private snapshotProvider: SnapshotProvider | undefined;
  private nextId = 1;
  private closing = false;
  private readonly random: SeededRandom;
  private readonly logger: Logger;
  private readonly path: string;
  private readonly maxConnections: number;
  private readonly maxSubscriptions: number;
  private readonly maxDepthTokens: number;
  private readonly idleTimeoutMs: number;
  private readonly requireAllHeaders: boolean;
  private readonly maxBufferedBytes: number;
  private readonly acceptUnknownTokens: boolean;
  private readonly totals = {
    accepted: 0,
    refused401: 0,
    refused429: 0,
    idleClosed: 0,
    framesSent: modeCounts(),
    droppedBackpressure: 0,
    errorsSent: { E1001: 0, E1002: 0 },
    encodeErrors: 0,
    /** fault counts of closed connections and of refused handshakes */
    faults: emptyFaultCounters(),
  };

  constructor(private readonly deps: SmartStreamServerDeps) {
    const options = deps.options ?? {};
    this.path = options.path ?? SMART_STREAM_PATH;
    this.maxConnections = options.maxConnectionsPerClient ?? 3;
    this.maxSubscriptions = options.maxSubscriptionsPerConnection ?? 1000;
    this.maxDepthTokens = options.maxDepthTokens ?? 50;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 90_000;
    this.requireAllHeaders = options.requireAllHeaders ?? false;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.acceptUnknownTokens = options.acceptUnknownTokens ?? false;
    this.random = new SeededRandom(options.faultSeed ?? 1);
    this.logger = deps.logger ?? silentLogger();
    // autoPong off: a stalled connection must be able to ignore protocol PINGs too.
    this.wss = new WebSocketServer({
      noServer: true,
      autoPong: false,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: 1024 * 1024,
    });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return false;
    }
    if (url.pathname !== this.path && url.pathname !== `${this.path}/`) return false;
    if (this.closing) {
      refuse(socket, 503);
      return true;
    }
    const injected = this.defaultFaults.handshake;
    if (injected !== undefined && injected.count > 0) {
      injected.count--;
      this.totals.faults.handshakeRefused++;
      refuse(socket, injected.status, injected.status === 401 ? HANDSHAKE_ERRORS.authToken : undefined);
      return true;
    }
    const auth = this.authenticate(req, url);
    if (!auth.ok) {
      this.totals.refused401++;
      this.logger.debug({ reason: auth.message }, 'smart-stream handshake refused');
      refuse(socket, 401, auth.message);
      return true;
    }
    if ((this.openByClient.get(auth.clientCode) ?? 0) >= this.maxConnections) {
      this.totals.refused429++;
      refuse(socket, 429);
      return true;
    }
    // ws completes an upgrade synchronously (no verifyClient), so the slot is taken before the next
    // upgrade can be examined and the per-client limit cannot be raced.
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, socket, auth.clientCode));
    return true;
  }

  publish(tokens: readonly string[]): void {
    const corked = this.corked;
    try {
      for (const token of tokens) {
        const pairs = this.byCanonical.get(token);
        if (pairs === undefined) continue;
        const state = this.deps.market.state(token);
        if (state === undefined) continue;
        for (const pair of pairs) {
          const frame = this.encode(state, pair);
          if (frame === undefined) continue;
          for (const conn of pair.subscribers) {
            if (!corked.has(conn)) {
              conn.raw.cork();
              corked.add(conn);
            }
            this.sendData(conn, frame, pair.mode);
          }
        }
      }
    } finally {
      for (const conn of corked) conn.raw.uncork();
      corked.clear();
    }
  }

  publishFrame(frame: Uint8Array, header: FrameHeader | undefined = readFrameHeader(frame)): number {
    if (header === undefined) return 0;
    const pairs = this.byCanonical.get(this.canonicalOf(header.token));
    if (pairs === undefined) return 0;
    let offered = 0;
    for (const pair of pairs) {
      if (pair.mode !== header.mode || pair.exchangeType !== header.exchangeType) continue;
      const bytes = pair.wireToken === header.token ? frame : withToken(frame, pair.wireToken);
      for (const conn of pair.subscribers) {
        this.sendData(conn, bytes, pair.mode);
        offered++;
      }
    }
    return offered;
  }

  isSubscribed(exchangeType: number, token: string, mode: number): boolean {
    const pairs = this.byCanonical.get(this.canonicalOf(token));
    if (pairs === undefined) return false;
    for (const pair of pairs) {
      if (pair.mode === mode && pair.exchangeType === exchangeType && pair.subscribers.size > 0) return true;
    }
    return false;
  }

  setSnapshotProvider(provider: SnapshotProvider | undefined): void {
    this.snapshotProvider = provider;
  }

  setFaults(target: number | 'default' | 'all', faults: FeedFaults): void {
    const clean = validateFaults(faults);
    if (target === 'default' || target === 'all') this.defaultFaults = clean;
    if (target === 'default') return;
    if (target === 'all') {
      for (const conn of [...this.conns.values()]) this.applyFaults(conn, clean);
      return;
    }
    const conn = this.conns.get(target);
    if (conn === undefined) throw new IfError('IF_ERR_NOT_FOUND', { what: `feed connection ${target}` });
    this.applyFaults(conn, clean);
  }

  connections(): ConnectionInfo[] {
    return [...this.conns.values()].map((conn) => {
      const byMode = modeCounts();
      for (const pair of conn.pairs.values()) byMode[pair.mode]++;
      return {
        id: conn.id,
        clientCode: conn.clientCode,
        openedAtMs: conn.openedAtMs,
        subscriptionCount: conn.pairs.size,
        subscriptionsByMode: byMode,
        framesSent: { ...conn.framesSent },
        framesDroppedBackpressure: conn.droppedBackpressure,
        bufferedAmount: conn.socket.bufferedAmount,
        faults: { ...conn.faults },
        faultsApplied: { ...conn.faultCounts },
      };
    });
  }

  subscriptions(connectionId: number): FeedSubscription[] {
    const conn = this.conns.get(connectionId);
    if (conn === undefined) return [];
    return [...conn.pairs.values()].map((pair) => ({
      exchangeType: pair.exchangeType,
      token: pair.wireToken,
      mode: pair.mode,
    }));
  }

  stats(): SmartStreamStats {
    const faults = { ...this.totals.faults };
    for (const conn of this.conns.values()) addFaultCounters(faults, conn.faultCounts);
    return {
      connectionsOpen: this.conns.size,
      connectionsAccepted: this.totals.accepted,
      refused401: this.totals.refused401,
      refused429: this.totals.refused429,
      idleClosed: this.totals.idleClosed,
      framesSent: { ...this.totals.framesSent },
      framesDroppedBackpressure: this.totals.droppedBackpressure,
      errorsSent: { ...this.totals.errorsSent },
      encodeErrors: this.totals.encodeErrors,
      faultsApplied: faults,
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    const waits: Promise<void>[] = [];
    for (const conn of this.conns.values()) {
      waits.push(conn.closedPromise);
      conn.socket.terminate();
    }
    await Promise.all(waits);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  // --- handshake ---------------------------------------------------------------------------------

  private authenticate(
    req: IncomingMessage,
    url: URL,
  ): { ok: true; clientCode: string } | { ok: false; message: string } {
    // Node lower-cases incoming header names, so these lookups are case-insensitive.
    const header = (name: string): string | undefined => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const query = (name: string): string | undefined => {
      const wanted = name.toLowerCase();
      for (const [key, value] of url.searchParams) if (key.toLowerCase() === wanted) return value;
      return undefined;
    };
    const authorization = header('authorization');
    const clientCode = header('x-client-code') ?? query('clientCode');
    const feedToken = header('x-feed-token') ?? query('feedToken');
    const apiKey = header('x-api-key') ?? query('apiKey');
    // The browser variant carries credentials in the query and, per the docs, no JWT at all.
    const browserStyle = authorization === undefined && header('x-client-code') === undefined;

    if (!clientCode) return { ok: false, message: HANDSHAKE_ERRORS.clientCode };
    if (authorization !== undefined || (this.requireAllHeaders && !browserStyle)) {
      const session = this.deps.sessions.findByJwt(authorization);
      if (session === undefined) return { ok: false, message: HANDSHAKE_ERRORS.authToken };
      if (session.clientCode !== clientCode) return { ok: false, message: HANDSHAKE_ERRORS.clientCode };
    }
    if (apiKey !== undefined || this.requireAllHeaders) {
      const valid = apiKey ? (this.deps.isValidApiKey?.(apiKey, clientCode) ?? true) : false;
      if (!valid) return { ok: false, message: HANDSHAKE_ERRORS.apiKey };
    }
    if (!feedToken || this.deps.sessions.findByFeedToken(clientCode, feedToken) === undefined) {
      return { ok: false, message: HANDSHAKE_ERRORS.feedToken };
    }
    return { ok: true, clientCode };
  }

  private accept(socket: WebSocket, raw: Duplex, clientCode: string): void {
    const id = this.nextId++;
    const conn = new Connection(id, clientCode, socket, raw, this.deps.clock.now(), this.random.fork(id));
    this.conns.set(id, conn);
    this.openByClient.set(clientCode, (this.openByClient.get(clientCode) ?? 0) + 1);
    this.totals.accepted++;
    socket.on('message', (data, isBinary) => this.onMessage(conn, data, isBinary));
    socket.on('ping', (data) => {
      this.touch(conn);
      if (conn.faults.stallHeartbeat) conn.faultCounts.stalledPings++;
      else socket.pong(data);
    });
    socket.on('pong', () => this.touch(conn));
    socket.on('error', (error) =>
      this.logger.debug({ err: error, connection: id }, 'smart-stream socket error'),
    );
    socket.on('close', () => this.onClose(conn));
    this.armIdle(conn);
    this.logger.debug({ connection: id, clientCode }, 'smart-stream connection open');
    const { handshake: _handshake, ...faults } = this.defaultFaults;
    this.applyFaults(conn, faults);
  }

  // --- per-connection traffic ----------------------------------------------------------------------

  private touch(conn: Connection): void {
    conn.lastActivityMs = this.deps.clock.now();
  }

  private armIdle(conn: Connection): void {
    if (!(this.idleTimeoutMs > 0)) return;
    // One timer per connection, re-armed lazily when it fires: activity only updates a timestamp.
    const delay = Math.max(0, conn.lastActivityMs + this.idleTimeoutMs - this.deps.clock.now());
    conn.idleTimer = this.deps.clock.setTimeout(() => {
      conn.idleTimer = undefined;
      if (conn.closed) return;
      if (this.deps.clock.now() - conn.lastActivityMs >= this.idleTimeoutMs) {
        this.totals.idleClosed++;
        this.logger.debug({ connection: conn.id }, 'smart-stream idle timeout');
        conn.socket.close(1001, 'idle timeout');
      } else {
        this.armIdle(conn);
      }
    }, delay);
  }

  private onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    this.touch(conn);
    const text = isBinary ? undefined : rawToString(data);
    if (conn.faults.stallHeartbeat) {
      if (text === 'ping') conn.faultCounts.stalledPings++;
      else conn.faultCounts.stalledRequests++;
      return;
    }
    if (text === undefined) {
      // Requests are JSON text; a binary frame cannot be one [INFER: Angel's answer is undocumented].
      this.sendError(conn, '', 'E1001');
      return;
    }
    if (text === 'ping') {
      conn.socket.send('pong');
      return;
    }
    const request = parseFeedRequest(text);
    if (!request.ok) {
      this.sendError(conn, request.correlationID, 'E1001');
      return;
    }
    if (request.action === 1) this.subscribe(conn, request);
    else this.unsubscribe(conn, request);
  }

  private sendError(conn: Connection, correlationID: string, code: 'E1001' | 'E1002'): void {
    this.totals.errorsSent[code]++;
    conn.socket.send(errorFrame(correlationID, code));
  }

  private canonicalOf(token: string): string {
    const cached = this.resolveCache.get(token);
    if (cached !== undefined) return cached;
    const canonical = this.deps.market.resolveToken(token) ?? token;
    this.resolveCache.set(token, canonical);
    return canonical;
  }

  /** The model token for a subscription, or undefined if it is to be ignored (unknown token). */
  private resolve(exchangeType: number, token: string): string | undefined {
    const canonical = this.deps.market.resolveToken(token);
    if (canonical !== undefined) {
      const instrument = this.deps.market.instrument(canonical);
      // Tokens are per exchange: a known token under another exchange type names nothing.
      if (instrument === undefined || instrument.exchangeType === exchangeType) return canonical;
    }
    return this.acceptUnknownTokens ? token : undefined;
  }

  private subscribe(conn: Connection, request: Extract<FeedRequest, { ok: true }>): void {
    const mode = request.mode;
    const additions: Omit<Pair, 'subscribers'>[] = [];
    const seen = new Set<string>();
    for (const group of request.groups) {
      for (const token of group.tokens) {
        const key = pairKey(group.exchangeType, token, mode);
        // Duplicates (in this request or already subscribed) are ignored and not counted.
        if (seen.has(key) || conn.pairs.has(key)) continue;
        seen.add(key);
        const canonical = this.resolve(group.exchangeType, token);
        if (canonical === undefined) continue;
        additions.push({ key, exchangeType: group.exchangeType, wireToken: token, canonical, mode });
      }
    }
    // Checked before any change so a refused request leaves existing subscriptions as they were.
    if (
      conn.pairs.size + additions.length > this.maxSubscriptions ||
      (mode === 4 && conn.depthPairs + additions.length > this.maxDepthTokens)
    ) {
      this.sendError(conn, request.correlationID, 'E1002');
      return;
    }
    const added: Pair[] = [];
    for (const addition of additions) {
      const key = addition.key;
      let pair = this.pairs.get(key);
      if (pair === undefined) {
        pair = { ...addition, subscribers: new Set() };
        this.pairs.set(key, pair);
        let set = this.byCanonical.get(pair.canonical);
        if (set === undefined) {
          set = new Set();
          this.byCanonical.set(pair.canonical, set);
        }
        set.add(pair);
      }
      pair.subscribers.add(conn);
      conn.pairs.set(key, pair);
      if (mode === 4) conn.depthPairs++;
      added.push(pair);
    }
    for (const pair of added) this.sendSnapshot(conn, pair);
  }

  private unsubscribe(conn: Connection, request: Extract<FeedRequest, { ok: true }>): void {
    for (const group of request.groups) {
      for (const token of group.tokens) {
        const key = pairKey(group.exchangeType, token, request.mode);
        const pair = conn.pairs.get(key);
        if (pair === undefined) continue;
        this.detach(conn, pair);
      }
    }
  }

  private detach(conn: Connection, pair: Pair): void {
    conn.pairs.delete(pair.key);
    if (pair.mode === 4) conn.depthPairs--;
    pair.subscribers.delete(conn);
    if (pair.subscribers.size > 0) return;
    this.pairs.delete(pair.key);
    const set = this.byCanonical.get(pair.canonical);
    set?.delete(pair);
    if (set !== undefined && set.size === 0) this.byCanonical.delete(pair.canonical);
  }

  private sendSnapshot(conn: Connection, pair: Pair): void {
    const state = this.deps.market.state(pair.canonical);
    if (state !== undefined) {
      const frame = this.encode(state, pair);
      if (frame !== undefined) this.sendData(conn, frame, pair.mode);
      return;
    }
    const provider = this.snapshotProvider;
    if (provider === undefined) return;
    const frame =
      provider(pair.exchangeType, pair.wireToken, pair.mode) ??
      (pair.canonical === pair.wireToken
        ? undefined
        : provider(pair.exchangeType, pair.canonical, pair.mode));
    if (frame === undefined) return;
    const header = readFrameHeader(frame);
    this.sendData(
      conn,
      header?.token === pair.wireToken ? frame : withToken(frame, pair.wireToken),
      pair.mode,
    );
  }

  private encode(state: InstrumentMarketState, pair: Pair): Uint8Array | undefined {
    try {
      return encodePacket(buildPacket(state, pair.mode, pair.wireToken, pair.exchangeType));
    } catch (error) {
      this.totals.encodeErrors++;
      this.logger.warn({ err: error, token: pair.canonical, mode: pair.mode }, 'cannot encode market state');
      return undefined;
    }
  }

  /** Every data frame goes through here: stall, backpressure, then the per-connection faults. */
  private sendData(conn: Connection, frame: Uint8Array, mode: SubscriptionMode): void {
    if (conn.closed) return;
    const faults = conn.faults;
    if (faults.stallHeartbeat) {
      conn.faultCounts.stalledFrames++;
      return;
    }
    if (conn.socket.bufferedAmount > this.maxBufferedBytes) {
      conn.droppedBackpressure++;
      this.totals.droppedBackpressure++;
      return;
    }
    const n = ++conn.framesSinceFaults;
    let out = frame;
    if (faults.malformedEvery !== undefined && n % faults.malformedEvery === 0) {
      out = malformedFrame(frame, conn.random);
      conn.faultCounts.malformed++;
    } else if (faults.truncateEvery !== undefined && n % faults.truncateEvery === 0) {
      out = truncatedFrame(frame, conn.random);
      conn.faultCounts.truncated++;
    }
    if (faults.reorderEvery !== undefined && n % faults.reorderEvery === 0 && conn.held === undefined) {
      conn.held = { frame: out, mode };
      conn.faultCounts.reordered++;
    } else {
      this.write(conn, out, mode);
      if (faults.duplicateEvery !== undefined && n % faults.duplicateEvery === 0) {
        this.write(conn, out, mode);
        conn.faultCounts.duplicated++;
      }
      this.releaseHeld(conn);
    }
    if (faults.dropAfterFrames !== undefined && n >= faults.dropAfterFrames) this.drop(conn);
  }

  private releaseHeld(conn: Connection): void {
    const held = conn.held;
    if (held === undefined) return;
    conn.held = undefined;
    this.write(conn, held.frame, held.mode);
  }

  private write(conn: Connection, frame: Uint8Array, mode: SubscriptionMode): void {
    conn.socket.send(frame, { binary: true });
    conn.framesSent[mode]++;
    this.totals.framesSent[mode]++;
  }

  private applyFaults(conn: Connection, faults: FeedFaults): void {
    const { handshake: _handshake, ...perConnection } = faults;
    conn.faults = perConnection;
    conn.framesSinceFaults = 0;
    if (perConnection.reorderEvery === undefined && !perConnection.stallHeartbeat) this.releaseHeld(conn);
    if (perConnection.errorJson) {
      conn.faultCounts.errorJson++;
      this.sendError(conn, '', 'E1001');
    }
    if (perConnection.drop) this.drop(conn);
  }

  /** Destroys the TCP socket without a close frame: the client sees an abnormal closure (1006). */
  private drop(conn: Connection): void {
    if (conn.closed) return;
    conn.faultCounts.dropped++;
    conn.closed = true;
    // Frames sent before the drop must leave first; a corked socket would discard them on destroy.
    conn.raw.uncork();
    conn.socket.terminate();
  }

  private onClose(conn: Connection): void {
    conn.closed = true;
    if (conn.idleTimer !== undefined) this.deps.clock.clearTimer(conn.idleTimer);
    conn.idleTimer = undefined;
    conn.held = undefined;
    for (const pair of [...conn.pairs.values()]) this.detach(conn, pair);
    if (this.conns.delete(conn.id)) {
      addFaultCounters(this.totals.faults, conn.faultCounts);
      const open = (this.openByClient.get(conn.clientCode) ?? 1) - 1;
      if (open > 0) this.openByClient.set(conn.clientCode, open);
      else this.openByClient.delete(conn.clientCode);
    }
    this.logger.debug({ connection: conn.id }, 'smart-stream connection closed');
    conn.markClosed();
  }
}

/**
 * Angel One's WebSocket 2.0 market-data endpoint (`/smart-stream`), byte for byte, with fault
 * injection. Runs in ws `noServer` mode: route an http.Server's `upgrade` events through `handleUpgrade`
 * so it can share a port with the REST API and the order-status socket.
 */
export function createSmartStreamServer(deps: SmartStreamServerDeps): SmartStreamServer {
  return new SmartStreamServerImpl(deps);
}
