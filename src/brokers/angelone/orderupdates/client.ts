import type { Clock } from '../../../core/clock.js';
import { IfError } from '../../../core/errors.js';
import { type Logger, silentLogger } from '../../../ops/logger.js';
import {
  EventHub,
  ReconnectingSocket,
  type ReconnectPolicyOptions,
  resolveBackoff,
  type SocketCounters,
  type SocketEvent,
  type SocketState,
} from '../feed/index.js';
import { type OrderStatusCode, type OrderUpdate, parseOrderUpdate } from './messages.js';

export const ORDER_UPDATES_URL = 'wss://tns.angelone.in/smart-order-update';

/** The order-status socket needs only the JWT; the other fields are sent when given, as the JS SDK does. */
export interface OrderUpdatesCredentials {
  jwtToken: string;
  apiKey?: string;
  clientCode?: string;
  feedToken?: string;
}

export type OrderUpdatesEvent =
  | SocketEvent
  | { type: 'rejected-message'; error: IfError; atMs: number }
  | { type: 'overflow'; dropped: number; atMs: number };

/**
 * `onAuthFailure` fires on a handshake 401 (invalid) or 403 (expired token); `isMarketOpen` defaults to
 * "always", since order updates (and pongs) are expected at any hour.
 */
export interface AngelOrderUpdatesClientOptions extends ReconnectPolicyOptions {
  /** default wss://tns.angelone.in/smart-order-update */
  url?: string;
  credentials: () => Promise<OrderUpdatesCredentials> | OrderUpdatesCredentials;
  /** default buffer of each `updates()` iterator */
  bufferSize?: number;
}

export interface OrderUpdatesStats extends SocketCounters {
  state: SocketState;
  updates: number;
  byStatus: Partial<Record<OrderStatusCode, number>>;
  rejectedMessages: number;
  /** updates dropped from full iterator buffers */
  droppedUpdates: number;
  pongs: number;
}

/** Builds the handshake headers. Values are secrets: never log them. */
export function orderUpdatesHeaders(credentials: OrderUpdatesCredentials): Record<string, string> {
  if (typeof credentials.jwtToken !== 'string' || credentials.jwtToken.trim() === '') {
    throw new Error('missing credential field: jwtToken');
  }
  const headers: Record<string, string> = {
    Authorization: `Bearer ${credentials.jwtToken.replace(/^Bearer\s+/i, '')}`,
  };
  if (credentials.apiKey) headers['x-api-key'] = credentials.apiKey;
  if (credentials.clientCode) headers['x-client-code'] = credentials.clientCode;
  if (credentials.feedToken) headers['x-feed-token'] = credentials.feedToken;
  return headers;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const ENDPOINT = 'smart-order-update';

/**
 * A bounded queue behind one `for await` consumer. When the consumer falls more than `capacity`
 * updates behind, the oldest are dropped and counted (the owner should then reconcile with the REST
 * order book) rather than letting memory grow without bound.
 */
class UpdateQueue implements AsyncIterableIterator<OrderUpdate> {
  private readonly items: OrderUpdate[] = [];
  private readonly waiters: ((result: IteratorResult<OrderUpdate>) => void)[] = [];
  private finished = false;

  constructor(
    private readonly capacity: number,
    private readonly detach: (queue: UpdateQueue) => void,
    private readonly onDrop: () => void,
  ) {}

  push(update: OrderUpdate): void {
    if (this.finished) return;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      waiter({ value: update, done: false });
      return;
    }
    if (this.items.length >= this.capacity) {
      this.items.shift();
      this.onDrop();
    }
    this.items.push(update);
  }

  next(): Promise<IteratorResult<OrderUpdate>> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The consumer left (`break` in `for await`): stop buffering for it. */
  return(): Promise<IteratorResult<OrderUpdate>> {
    this.items.length = 0;
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** No more updates will come; what is buffered is still delivered. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.detach(this);
    for (const waiter of this.waiters.splice(0)) waiter({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<OrderUpdate> {
    return this;
  }
}

/**
 * Client for Angel One's order-status WebSocket: Bearer handshake, ping every 10 s, the feed's
 * reconnect policy (capped jittered backoff, auth pacing on 401/403, cap-length pause on 429), and
 * every message parsed into a typed {@link OrderUpdate}. No subscription is needed: after each
 * (re)connect the server sends AB00 and then every order change of the account.
 */
export class AngelOrderUpdatesClient {
  private readonly socket: ReconnectingSocket;
  private readonly hub: EventHub<OrderUpdatesEvent>;
  private readonly listeners = new Set<(update: OrderUpdate) => void>();
  private readonly queues = new Set<UpdateQueue>();
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly bufferSize: number;
  private readonly byStatus: Partial<Record<OrderStatusCode, number>> = {};
  private updatesSeen = 0;
  private rejectedMessages = 0;
  private droppedUpdates = 0;
  private pongs = 0;
  private closed = false;

  constructor(options: AngelOrderUpdatesClientOptions) {
    this.logger = options.logger ?? silentLogger();
    this.clock = options.clock;
    this.bufferSize = options.bufferSize ?? 1024;
    if (!(this.bufferSize >= 1)) throw new IfError('IF_ERR_VALIDATION', { detail: 'bufferSize must be ≥ 1' });
    this.hub = new EventHub((type, error) =>
      this.logger.error(
        { socket: ENDPOINT, event: type, err: errorText(error) },
        'order-updates listener threw',
      ),
    );
    const pingIntervalMs = options.pingIntervalMs ?? 10_000;
    const credentials = options.credentials;
    this.socket = new ReconnectingSocket({
      name: ENDPOINT,
      url: options.url ?? ORDER_UPDATES_URL,
      headers: async () => orderUpdatesHeaders(await credentials()),
      clock: options.clock,
      logger: this.logger,
      pingIntervalMs,
      // the docs say "ping and expect a pong" without naming the frame type; the SDKs disagree (text in
      // JS, protocol PING in Python/Java), so send both and take either answer as liveness
      heartbeat: 'both',
      staleAfterMs: options.staleAfterMs ?? 2 * pingIntervalMs,
      isMarketOpen: options.isMarketOpen ?? (() => true),
      backoff: resolveBackoff(options.backoff),
      random: options.random ?? Math.random,
      onAuthFailure: options.onAuthFailure,
      authStatuses: [401, 403],
      authRetryMs: options.authRetryMs ?? 30_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
      alertAfterFailures: options.alertAfterFailures ?? 5,
      maxPayloadBytes: 1024 * 1024,
      badFrameLimit: { count: 100, windowMs: 60_000 },
      errors: {
        auth: (status, detail) =>
          new IfError('IF_ERR_BROKER_SESSION', {
            brokerCode: status === 403 ? 'HTTP 403 (expired)' : `HTTP ${status}`,
            detail,
          }),
        rateLimited: () => new IfError('IF_ERR_BROKER_RATE_LIMITED', { endpoint: ENDPOINT }),
        unavailable: (detail) => new IfError('IF_ERR_BROKER_UNAVAILABLE', { endpoint: ENDPOINT, detail }),
      },
      onMessage: (data, isBinary, receivedAtMs) => this.handleFrame(data, isBinary, receivedAtMs),
      emit: (event) => this.hub.emit(event),
    });
  }

  get state(): SocketState {
    return this.socket.state;
  }

  /** Connects and keeps reconnecting until `close`. */
  start(): void {
    if (this.closed) {
      this.logger.warn({ socket: ENDPOINT }, 'start() after close() ignored');
      return;
    }
    this.socket.start();
  }

  /** Final: clears every timer, closes the socket and ends every `updates()` iterator. */
  async close(): Promise<void> {
    this.closed = true;
    for (const queue of [...this.queues]) queue.finish();
    await this.socket.close();
  }

  /** Calls `listener` for every update (AB00 included); returns the function that removes it. */
  onUpdate(listener: (update: OrderUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * A stream of updates from now on, for `for await`. Each call is an independent consumer with a
   * buffer of `bufferSize` (oldest dropped and counted when it overflows). Ends on `close`.
   */
  updates(options: { bufferSize?: number } = {}): AsyncIterableIterator<OrderUpdate> {
    const capacity = options.bufferSize ?? this.bufferSize;
    if (!(capacity >= 1)) throw new IfError('IF_ERR_VALIDATION', { detail: 'bufferSize must be ≥ 1' });
    const queue = new UpdateQueue(
      capacity,
      (q) => this.queues.delete(q),
      () => {
        this.droppedUpdates++;
        this.hub.emit({ type: 'overflow', dropped: this.droppedUpdates, atMs: this.clock.now() });
      },
    );
    if (this.closed) queue.finish();
    else this.queues.add(queue);
    return queue;
  }

  on<T extends OrderUpdatesEvent['type']>(
    type: T,
    listener: (event: Extract<OrderUpdatesEvent, { type: T }>) => void,
  ): () => void {
    return this.hub.on(type, listener);
  }

  onAny(listener: (event: OrderUpdatesEvent) => void): () => void {
    return this.hub.onAny(listener);
  }

  stats(): OrderUpdatesStats {
    return {
      ...this.socket.counters(),
      state: this.socket.state,
      updates: this.updatesSeen,
      byStatus: { ...this.byStatus },
      rejectedMessages: this.rejectedMessages,
      droppedUpdates: this.droppedUpdates,
      pongs: this.pongs,
    };
  }

  private handleFrame(data: Buffer, isBinary: boolean, receivedAtMs: number): void {
    if (isBinary) {
      this.reject(`unexpected binary frame of ${data.byteLength} bytes`, receivedAtMs);
      return;
    }
    const message = data.toString('utf8');
    if (message === 'pong') {
      this.pongs++;
      return;
    }
    const parsed = parseOrderUpdate(message, receivedAtMs);
    if (!parsed.ok) {
      this.reject(parsed.detail, receivedAtMs);
      return;
    }
    const update = parsed.update;
    this.updatesSeen++;
    this.byStatus[update.statusCode] = (this.byStatus[update.statusCode] ?? 0) + 1;
    for (const listener of this.listeners) {
      try {
        listener(update);
      } catch (error) {
        this.logger.error({ socket: ENDPOINT, err: errorText(error) }, 'order-update listener threw');
      }
    }
    for (const queue of this.queues) queue.push(update);
  }

  private reject(detail: string, atMs: number): void {
    this.rejectedMessages++;
    const error = new IfError('IF_ERR_BROKER_RESPONSE', { endpoint: ENDPOINT, detail });
    this.logger.warn({ socket: ENDPOINT, detail }, 'order-status message rejected');
    this.hub.emit({ type: 'rejected-message', error, atMs });
  }
}
