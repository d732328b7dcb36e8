import type { Clock, TimerHandle } from '../../core/clock.js';
import { IfError } from '../../core/errors.js';
import type { Component, ComponentHealth } from '../../engine/lifecycle.js';
import type { Logger } from '../../ops/logger.js';
import type { Registry } from '../../ops/metrics.js';
import { encodeUpdate, encodeValue, updatesChannel } from './codec.js';
import {
  type ConnectionOptions,
  type ReconnectPolicy,
  type RedisClient,
  type RedisEndpoint,
  createRedisConnection,
  describeRedisError,
  parseRedisUrl,
  resolveReconnectPolicy,
} from './connection.js';
import { registerRedisMirrorMetrics } from './metrics.js';

export interface RedisStateMirrorOptions {
  /** `redis://[user:password@]host[:port][/db]`; the password never reaches logs or health */
  url: string;
  /** keys are written as `<keyPrefix><key>`; notifications go to `<keyPrefix>updates` */
  keyPrefix?: string;
  /** how often dirty keys are written, in Clock ms */
  flushIntervalMs?: number;
  /** drives the flush timer (the engine's clock) */
  clock: Clock;
  logger?: Logger;
  metrics?: Registry;
  /** component name on /health/ready */
  name?: string;
  reconnect?: Partial<ReconnectPolicy>;
  /** TCP connect + handshake budget per attempt, wall ms */
  connectTimeoutMs?: number;
  /**
   * A flush without a reply for this long (wall ms) counts as failed and the connection is re-opened,
   * so a half-open socket or a hung server cannot hold the single flush slot forever.
   */
  flushTimeoutMs?: number;
  /** keys per MSET inside one flush; bounds the size of a single command during a full resync */
  batchSize?: number;
  /** how the client is made; for custom setups (TLS options) and for fault-injection tests */
  createClient?: (endpoint: RedisEndpoint, options: ConnectionOptions) => RedisClient;
}

/** Cumulative counts and current sizes, read by metrics, health facts and tests. */
export interface RedisMirrorStats {
  /** distinct keys held (the latest value of each) */
  keys: number;
  /** keys waiting to be written: every key while a full resync is pending, else those changed since */
  dirty: number;
  /** the next flush rewrites every key (after a (re)connect) */
  resyncPending: boolean;
  /** a flush is in flight */
  flushing: boolean;
  /** deletions not yet written */
  pendingDeletes: number;
  connected: boolean;
  flushes: number;
  flushFailures: number;
  keysWritten: number;
  keysDeleted: number;
  /** full rewrites of every key after a (re)connect */
  resyncs: number;
  /** values that could not be serialized (BigInt, cycles, …); their keys were dropped */
  rejectedValues: number;
  /** flush ticks that found the previous flush still in flight and left the work to a later tick */
  busyTicks: number;
}

type Phase = 'created' | 'started' | 'stopping' | 'stopped';

class FlushTimeoutError extends Error {
  constructor(ms: number) {
    super(`no reply within ${ms} ms`);
    this.name = 'FlushTimeoutError';
  }
}

/** Log the first rejected value, then one in this many, so a broken producer cannot flood the log. */
const REJECT_LOG_EVERY = 1000;

/**
 * Mirrors hot state (latest market state per instrument, …) into Redis for other processes.
 *
 * The engine calls `set` on the fast path; it only records the latest value per key and marks it dirty
 * (two Map/Set operations, no I/O, no allocation per call). A Clock timer writes the dirty keys every
 * `flushIntervalMs` in one MULTI (MSET batches, DEL, PUBLISH of the changed keys), so a burst of updates
 * to one key costs one write of its last value. At most one flush is in flight; a tick that finds one
 * running leaves its keys for a later tick.
 *
 * Redis is optional to the engine (`critical: false`): while it is down `start` has already resolved,
 * health is `degraded` with the reason, writes are skipped (the latest values stay in memory, one per
 * key) and node-redis reconnects with capped backoff. Every (re)connect rewrites every key, because a
 * restarted Redis may have lost them all and a reader must not see values from before the outage.
 *
 * Values are serialized at flush time, so the latest contents are written; call `set` after every change.
 * JSON rules apply (see `encodeValue`): BigInt and cyclic values are refused at flush, counted and the
 * key is deleted in Redis rather than left stale.
 */
export class RedisStateMirror implements Component {
  readonly name: string;
  readonly critical = false;

  private readonly endpoint: RedisEndpoint;
  private readonly keyPrefix: string;
  private readonly channel: string;
  private readonly flushIntervalMs: number;
  private readonly flushTimeoutMs: number;
  private readonly batchSize: number;
  private readonly connectionOptions: ConnectionOptions;
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  private readonly makeClient: (endpoint: RedisEndpoint, options: ConnectionOptions) => RedisClient;

  private readonly values = new Map<string, object>();
  private readonly dirty = new Set<string>();
  private readonly deleted = new Set<string>();
  private resyncPending = true;
  private inFlight: Promise<void> | undefined;

  private phase: Phase = 'created';
  private client: RedisClient | undefined;
  private timer: TimerHandle | undefined;
  private connectionProblem: string | undefined;
  private flushProblem: string | undefined;
  private readonly counts = {
    flushes: 0,
    flushFailures: 0,
    keysWritten: 0,
    keysDeleted: 0,
    resyncs: 0,
    rejectedValues: 0,
    busyTicks: 0,
  };

  constructor(options: RedisStateMirrorOptions) {
    this.endpoint = parseRedisUrl(options.url);
    this.name = options.name ?? 'redis-mirror';
    this.keyPrefix = options.keyPrefix ?? 'indexflow:';
    this.channel = updatesChannel(this.keyPrefix);
    this.flushIntervalMs = positive(options.flushIntervalMs ?? 100, 'flushIntervalMs');
    this.flushTimeoutMs = positive(options.flushTimeoutMs ?? 5_000, 'flushTimeoutMs');
    this.batchSize = positive(options.batchSize ?? 1_000, 'batchSize');
    this.connectionOptions = {
      reconnect: resolveReconnectPolicy(options.reconnect),
      connectTimeoutMs: positive(options.connectTimeoutMs ?? 2_000, 'connectTimeoutMs'),
    };
    this.clock = options.clock;
    this.logger = options.logger;
    this.makeClient = options.createClient ?? createRedisConnection;
    if (options.metrics) registerRedisMirrorMetrics(options.metrics, () => this.stats());
  }

  /** Records the latest value of `key`. O(1); never awaits, throws or touches the network. */
  set(key: string, value: object): void {
    this.values.set(key, value);
    this.dirty.add(key);
    if (this.deleted.size !== 0) this.deleted.delete(key);
  }

  /** Forgets `key` and deletes it from Redis at the next flush. O(1), like `set`. */
  delete(key: string): void {
    this.values.delete(key);
    this.dirty.delete(key);
    this.deleted.add(key);
  }

  /** The value `set` last recorded (what Redis will hold once flushed). */
  latest(key: string): object | undefined {
    return this.values.get(key);
  }

  /** Resolves at once: connecting happens in the background so a missing Redis never holds up start-up. */
  async start(): Promise<void> {
    if (this.phase === 'started') return;
    this.phase = 'started';
    this.resyncPending = true;
    const client = this.makeClient(this.endpoint, this.connectionOptions);
    this.client = client;
    client.on('error', (error: unknown) => this.onClientError(client, error));
    client.on('ready', () => this.onClientReady(client));
    this.openClient(client);
    this.timer = this.clock.setInterval(() => this.tick(), this.flushIntervalMs);
  }

  /** Writes what is still dirty (bounded by `flushTimeoutMs`), then closes the connection. */
  async stop(): Promise<void> {
    if (this.phase !== 'started') return;
    this.phase = 'stopping';
    if (this.timer !== undefined) {
      this.clock.clearTimer(this.timer);
      this.timer = undefined;
    }
    if (this.inFlight) await this.inFlight;
    if (this.client?.isReady) await this.flush();
    const client = this.client;
    this.client = undefined;
    client?.destroy();
    this.phase = 'stopped';
  }

  health(): ComponentHealth {
    const stats = this.stats();
    const facts = {
      address: this.endpoint.address,
      keys: stats.keys,
      dirty: stats.dirty,
      flushes: stats.flushes,
      flushFailures: stats.flushFailures,
      resyncs: stats.resyncs,
    };
    if (this.phase === 'created') return { state: 'created', facts };
    if (this.phase === 'stopping') return { state: 'stopping', facts };
    if (this.phase === 'stopped') return { state: 'stopped', facts };
    if (!stats.connected) {
      if (this.connectionProblem !== undefined)
        return { state: 'degraded', detail: this.connectionProblem, facts };
      return { state: 'starting', detail: `connecting to redis at ${this.endpoint.address}`, facts };
    }
    if (this.flushProblem !== undefined) return { state: 'degraded', detail: this.flushProblem, facts };
    return { state: 'running', facts };
  }

  stats(): RedisMirrorStats {
    return {
      keys: this.values.size,
      dirty: this.resyncPending ? this.values.size : this.dirty.size,
      resyncPending: this.resyncPending,
      flushing: this.inFlight !== undefined,
      pendingDeletes: this.deleted.size,
      connected: this.client?.isReady ?? false,
      ...this.counts,
    };
  }

  private tick(): void {
    if (this.inFlight) {
      this.counts.busyTicks++;
      return;
    }
    // flush() catches everything it can; this guards the timer against the rest
    this.flush().catch((error: unknown) => this.logger?.error({ err: error }, 'redis mirror flush crashed'));
  }

  /** One flush at a time; the returned promise settles when it is done and never rejects. */
  private flush(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const client = this.client;
    if (client === undefined) return Promise.resolve();
    if (!client.isOpen) {
      // only an outside destroy() or a terminated strategy closes it; ours never gives up
      if (this.phase === 'started') this.openClient(client);
      return Promise.resolve();
    }
    if (!client.isReady) return Promise.resolve();
    if (this.dirty.size === 0 && this.deleted.size === 0) {
      // a resync of nothing has nothing to tell readers
      if (!this.resyncPending || this.values.size === 0) {
        this.resyncPending = false;
        return Promise.resolve();
      }
    }
    const run = this.write(client).finally(() => {
      this.inFlight = undefined;
    });
    this.inFlight = run;
    return run;
  }

  private async write(client: RedisClient): Promise<void> {
    const resync = this.resyncPending;
    const keys = resync ? Array.from(this.values.keys()) : Array.from(this.dirty);
    const deletes = Array.from(this.deleted);
    this.resyncPending = false;
    this.dirty.clear();
    this.deleted.clear();

    const written: string[] = [];
    let pairs: string[] = [];
    try {
      const multi = client.multi();
      for (const key of keys) {
        const value = this.values.get(key);
        if (value === undefined) continue;
        const text = encodeValue(value);
        if (text instanceof Error) {
          this.rejectValue(key, text);
          deletes.push(key);
          continue;
        }
        pairs.push(this.keyPrefix + key, text);
        written.push(key);
        if (pairs.length >= 2 * this.batchSize) {
          multi.mSet(pairs);
          pairs = [];
        }
      }
      if (pairs.length > 0) multi.mSet(pairs);
      if (deletes.length > 0) multi.del(deletes.map((key) => this.keyPrefix + key));
      const changed = deletes.length > 0 ? written.concat(deletes) : written;
      if (changed.length > 0 || resync) multi.publish(this.channel, encodeUpdate({ keys: changed, resync }));
      await this.withDeadline(multi.exec());
    } catch (error) {
      this.counts.flushFailures++;
      // give the work back: the latest values are still in `values`, later sets are already dirty
      if (!resync) for (const key of keys) if (this.values.has(key)) this.dirty.add(key);
      for (const key of deletes) if (!this.values.has(key)) this.deleted.add(key);
      if (resync) this.resyncPending = true;
      const timedOut = error instanceof FlushTimeoutError;
      const detail = describeRedisError(this.endpoint, error, timedOut ? 'flush timed out' : 'write failed');
      if (detail !== this.flushProblem) this.logger?.warn({ detail }, 'redis mirror flush failed');
      this.flushProblem = detail;
      if (timedOut && this.phase === 'started') this.recycle(client);
      return;
    }
    this.counts.flushes++;
    this.counts.keysWritten += written.length;
    this.counts.keysDeleted += deletes.length;
    if (resync) this.counts.resyncs++;
    if (this.flushProblem !== undefined) {
      this.logger?.info({ address: this.endpoint.address }, 'redis mirror writing again');
      this.flushProblem = undefined;
    }
  }

  private withDeadline(promise: Promise<unknown>): Promise<unknown> {
    // Wall time, not the engine Clock: this bounds network I/O, and a simulated clock racing ahead in a
    // replay must not declare a healthy server hung.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new FlushTimeoutError(this.flushTimeoutMs)), this.flushTimeoutMs);
      timer.unref();
    });
    return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
  }

  /** Drops the (possibly half-open) connection and dials again; the next ready triggers a full resync. */
  private recycle(client: RedisClient): void {
    this.logger?.warn({ address: this.endpoint.address }, 'redis mirror re-opening a hung connection');
    // the new connection may hang in its handshake too; stay degraded with the reason until it is ready
    this.connectionProblem = this.flushProblem;
    client.destroy();
    this.openClient(client);
  }

  private openClient(client: RedisClient): void {
    client.connect().catch(() => {
      // connect() rejects only when destroy() ends it (stop, recycle); every failed attempt before that
      // arrives as an 'error' event
    });
  }

  private onClientReady(client: RedisClient): void {
    if (this.client !== client) return;
    if (this.connectionProblem !== undefined) {
      this.logger?.info(
        { address: this.endpoint.address, keys: this.values.size },
        'redis reachable again; rewriting every key',
      );
    }
    this.connectionProblem = undefined;
    this.flushProblem = undefined;
    this.resyncPending = true;
    // don't wait for the next tick: readers have been without fresh data for the whole outage
    if (this.phase === 'started') this.tick();
  }

  private onClientError(client: RedisClient, error: unknown): void {
    if (this.client !== client || this.phase !== 'started') return;
    const detail = describeRedisError(this.endpoint, error);
    if (client.isReady) {
      // a command-level error on a live connection; the flush path reports its own failures
      this.logger?.warn({ detail }, 'redis client error');
      return;
    }
    if (detail !== this.connectionProblem) this.logger?.warn({ detail }, 'redis mirror cannot reach redis');
    this.connectionProblem = detail;
  }

  private rejectValue(key: string, error: Error): void {
    this.values.delete(key);
    const count = ++this.counts.rejectedValues;
    if (count === 1 || count % REJECT_LOG_EVERY === 0) {
      this.logger?.warn(
        { key, reason: error.message, rejectedValues: count },
        'redis mirror dropped a value that cannot be serialized to JSON',
      );
    }
  }
}

function positive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new IfError('IF_ERR_VALIDATION', { detail: `redis mirror: ${name} must be > 0 (got ${value})` });
  }
  return value;
}
