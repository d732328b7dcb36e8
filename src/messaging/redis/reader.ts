import { TimeoutError } from 'redis';
import { IfError } from '../../core/errors.js';
import type { Component, ComponentHealth } from '../../engine/lifecycle.js';
import type { Logger } from '../../ops/logger.js';
import { type JsonObject, type StateUpdate, decodeUpdate, decodeValue, updatesChannel } from './codec.js';
import {
  type ConnectionOptions,
  type ReconnectPolicy,
  type RedisClient,
  type RedisEndpoint,
  createRedisConnection,
  describeRedisError,
  parseRedisUrl,
  redisErrorReason,
  resolveReconnectPolicy,
} from './connection.js';

export interface RedisStateReaderOptions {
  url: string;
  /** must match the mirror's `keyPrefix` */
  keyPrefix?: string;
  logger?: Logger;
  name?: string;
  reconnect?: Partial<ReconnectPolicy>;
  connectTimeoutMs?: number;
  /** a get/getMany without a reply for this long (wall ms) fails, so a hung server cannot hang callers */
  callTimeoutMs?: number;
  createClient?: (endpoint: RedisEndpoint, options: ConnectionOptions) => RedisClient;
}

export type StateUpdateListener = (update: StateUpdate) => void;

/**
 * Reads the state a `RedisStateMirror` writes, from another process (gateway, worker).
 *
 * `get`/`getMany` fail fast with `IF_ERR_REDIS_UNAVAILABLE` while Redis is unreachable instead of
 * queueing. `subscribe` follows the mirror's notifications; each listener's first call is a
 * `{ resync: true }` once the subscription is live (subscribed, and able to read), and another comes each
 * time that is restored after either connection dropped, because notifications published meanwhile are
 * lost: on `resync`, re-read every key you hold.
 */
export class RedisStateReader implements Component {
  readonly name: string;
  readonly critical = false;

  private readonly endpoint: RedisEndpoint;
  private readonly keyPrefix: string;
  private readonly channel: string;
  private readonly connectionOptions: ConnectionOptions;
  private readonly callTimeoutMs: number;
  private readonly logger: Logger | undefined;
  private readonly makeClient: (endpoint: RedisEndpoint, options: ConnectionOptions) => RedisClient;

  private readonly listeners = new Set<StateUpdateListener>();
  private client: RedisClient | undefined;
  private subscriber: RedisClient | undefined;
  /** the channel subscription is registered (node-redis renews it on every reconnect) */
  private subscribed = false;
  /** both connections ready and subscribed: notifications arrive and can be followed by reads */
  private live = false;
  private readonly handleMessage = (message: string) => this.onMessage(message);
  private phase: 'created' | 'started' | 'stopped' = 'created';
  /** why the last connection attempt failed (reason only, e.g. ECONNREFUSED) */
  private problem: string | undefined;
  private malformed = 0;

  constructor(options: RedisStateReaderOptions) {
    this.endpoint = parseRedisUrl(options.url);
    this.name = options.name ?? 'redis-reader';
    this.keyPrefix = options.keyPrefix ?? 'indexflow:';
    this.channel = updatesChannel(this.keyPrefix);
    this.connectionOptions = {
      reconnect: resolveReconnectPolicy(options.reconnect),
      connectTimeoutMs: options.connectTimeoutMs ?? 2_000,
    };
    this.callTimeoutMs = options.callTimeoutMs ?? 2_000;
    this.logger = options.logger;
    this.makeClient = options.createClient ?? createRedisConnection;
  }

  /** Resolves at once; the connection (and the subscription, once asked for) comes up in the background. */
  async start(): Promise<void> {
    if (this.phase === 'started') return;
    this.phase = 'started';
    this.client = this.open();
    if (this.listeners.size > 0) this.openSubscriber();
  }

  async stop(): Promise<void> {
    if (this.phase !== 'started') return;
    this.phase = 'stopped';
    this.subscribed = false;
    this.live = false;
    const clients = [this.client, this.subscriber];
    this.client = undefined;
    this.subscriber = undefined;
    for (const client of clients) client?.destroy();
  }

  health(): ComponentHealth {
    if (this.phase !== 'started') return { state: this.phase };
    const facts = { address: this.endpoint.address, listeners: this.listeners.size };
    const ready = this.subscriber === undefined ? (this.client?.isReady ?? false) : this.live;
    if (ready) return { state: 'running', facts };
    const detail =
      this.problem === undefined
        ? `connecting to redis at ${this.endpoint.address}`
        : `redis unreachable at ${this.endpoint.address}: ${this.problem}`;
    return { state: 'degraded', detail, facts };
  }

  /** The value at `key`, or undefined when there is none. */
  async get(key: string): Promise<JsonObject | undefined> {
    const client = this.readyClient();
    let text: string | null;
    try {
      text = await client.withCommandOptions({ timeout: this.callTimeoutMs }).get(this.keyPrefix + key);
    } catch (error) {
      throw this.unavailable(error);
    }
    return text === null ? undefined : this.decode(key, text);
  }

  /** The values at `keys` (one round trip); keys without a value are absent from the result. */
  async getMany(keys: readonly string[]): Promise<Map<string, JsonObject>> {
    const result = new Map<string, JsonObject>();
    if (keys.length === 0) return result;
    const client = this.readyClient();
    let texts: (string | null)[];
    try {
      texts = await client
        .withCommandOptions({ timeout: this.callTimeoutMs })
        .mGet(keys.map((key) => this.keyPrefix + key));
    } catch (error) {
      throw this.unavailable(error);
    }
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const text = texts[i];
      if (key === undefined || text === undefined || text === null) continue;
      result.set(key, this.decode(key, text));
    }
    return result;
  }

  /**
   * Calls `listener` with every notification the mirror publishes (keys only; read the values with
   * `getMany`). Returns the function that removes it. Listeners run on the subscriber connection's
   * events; one that throws is logged and does not affect the others.
   */
  subscribe(listener: StateUpdateListener): () => void {
    this.listeners.add(listener);
    if (this.phase === 'started') {
      if (this.subscriber === undefined) this.openSubscriber();
      else if (this.live) queueMicrotask(() => this.deliver(listener, { keys: [], resync: true }));
    }
    return () => {
      this.listeners.delete(listener);
    };
  }

  private open(): RedisClient {
    const client = this.makeClient(this.endpoint, this.connectionOptions);
    client.on('error', (error: unknown) => {
      if (client.isReady) return;
      this.updateLiveness();
      const reason = redisErrorReason(this.endpoint, error);
      if (reason !== this.problem) {
        this.logger?.warn(
          { detail: describeRedisError(this.endpoint, error) },
          'redis reader cannot reach redis',
        );
      }
      this.problem = reason;
    });
    client.on('ready', () => {
      this.problem = undefined;
      this.updateLiveness();
    });
    client.connect().catch(() => {
      // settles only on destroy(); connection failures were reported as 'error' events
    });
    return client;
  }

  private openSubscriber(): void {
    const subscriber = this.open();
    this.subscriber = subscriber;
    subscriber.on('ready', () => {
      // node-redis re-issues a known subscription before 'ready'; only the first needs asking for
      if (this.subscriber !== subscriber || this.subscribed) return;
      subscriber
        .subscribe(this.channel, this.handleMessage)
        .then(() => {
          if (this.subscriber !== subscriber) return;
          this.subscribed = true;
          this.updateLiveness();
        })
        .catch((error: unknown) => {
          // the next 'ready' tries again
          this.logger?.warn({ detail: describeRedisError(this.endpoint, error) }, 'redis subscribe failed');
        });
    });
  }

  /**
   * Followers can act on a notification only if they can also read, so "live" needs both connections.
   * Each time it becomes live, listeners get a resync: notifications published while either connection
   * was down were lost or could not be followed by a read.
   */
  private updateLiveness(): void {
    const live =
      this.phase === 'started' &&
      this.subscribed &&
      (this.subscriber?.isReady ?? false) &&
      (this.client?.isReady ?? false);
    if (live && !this.live) this.broadcast({ keys: [], resync: true });
    this.live = live;
  }

  private onMessage(message: string): void {
    const update = decodeUpdate(message);
    if (update === undefined) {
      if (++this.malformed === 1) this.logger?.warn({ channel: this.channel }, 'ignoring a foreign message');
      return;
    }
    this.broadcast(update);
  }

  private broadcast(update: StateUpdate): void {
    for (const listener of this.listeners) this.deliver(listener, update);
  }

  private deliver(listener: StateUpdateListener, update: StateUpdate): void {
    try {
      listener(update);
    } catch (error) {
      this.logger?.error({ err: error }, 'redis state listener threw');
    }
  }

  private readyClient(): RedisClient {
    const client = this.client;
    if (client === undefined || !client.isReady) {
      throw new IfError('IF_ERR_REDIS_UNAVAILABLE', {
        address: this.endpoint.address,
        detail: client === undefined ? 'reader not started' : (this.problem ?? 'not connected'),
      });
    }
    return client;
  }

  private unavailable(error: unknown): IfError {
    const detail =
      error instanceof TimeoutError
        ? `no reply within ${this.callTimeoutMs} ms`
        : redisErrorReason(this.endpoint, error);
    return new IfError(
      'IF_ERR_REDIS_UNAVAILABLE',
      { address: this.endpoint.address, detail },
      { cause: error },
    );
  }

  private decode(key: string, text: string): JsonObject {
    const value = decodeValue(text);
    if (value instanceof Error) throw new IfError('IF_ERR_REDIS_VALUE', { key, detail: value.message });
    return value;
  }
}
