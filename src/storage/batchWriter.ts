import type { Clock, TimerHandle } from '../core/clock.js';
import type { ComponentHealth } from '../engine/lifecycle.js';
import type { Logger } from '../ops/logger.js';
import type { RowCheck } from './checks.js';

/** A FIFO over a power-of-two circular array: O(1) push and shift, no array shifting. */
class Ring<T> {
  private slots: Array<T | undefined> = new Array<T | undefined>(64);
  private mask = 63;
  private head = 0;
  size = 0;

  push(item: T): void {
    if (this.size === this.slots.length) this.grow();
    this.slots[(this.head + this.size) & this.mask] = item;
    this.size++;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.size--;
    return item;
  }

  private grow(): void {
    const next = new Array<T | undefined>(this.slots.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = this.slots[(this.head + i) & this.mask];
    this.slots = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}

export interface BatchWriterOptions<T> {
  /** names the writer in logs and health facts */
  name: string;
  /**
   * Writes one batch atomically (in a transaction: all rows or none). When it rejects, the same items
   * are written again on the next attempt, so a partial write would duplicate rows.
   */
  write: (batch: readonly T[]) => Promise<unknown>;
  /** timers (flush interval, retry backoff) run on this clock */
  clock: Clock;
  /** items per write; a full batch is written without waiting for the interval */
  batchSize: number;
  /** a partial batch waits at most this long, ms */
  flushIntervalMs: number;
  /**
   * Most items held while the database is failing (default max(100,000, 2 × batchSize)). Over it the
   * oldest held item is dropped and counted — except items of a write already in progress, which may
   * still succeed; then the oldest item queued behind them goes.
   */
  maxBuffered?: number;
  /** first retry delay after a failed write, ms, doubling per consecutive failure (default 250) */
  retryInitialMs?: number;
  /** retry delay cap, ms (default 30,000) */
  retryMaxMs?: number;
  /** health turns degraded when one write has been in progress this long, ms (default 30,000) */
  stallAfterMs?: number;
  /** rejects items the database would refuse, at enqueue, before they can poison a batch */
  check?: RowCheck<T>;
  logger?: Logger;
}

export interface BatchWriterStats {
  /** items held now: queued, in a write in progress, or waiting to be retried */
  queued: number;
  /** items written (committed) since construction */
  written: number;
  /** successful writes */
  flushes: number;
  /** writes that failed (each is retried) */
  failedFlushes: number;
  /** failures since the last successful write; > 0 means degraded */
  consecutiveFailures: number;
  /** oldest items discarded because more than `maxBuffered` were held */
  dropped: number;
  /** items refused at enqueue: failed the check, or arrived after close */
  rejected: number;
  /** items left unwritten by `close()` because the final write failed */
  abandoned: number;
  lastError: string | undefined;
  lastRejection: string | undefined;
  /** clock time of the last successful write */
  lastFlushAtMs: number | undefined;
}

type DrainMode = 'full' | 'all' | 'final';

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Moves items from the hot path to the database in batches. `enqueue` is O(1), synchronous and never
 * throws; writing happens later, one write at a time: as soon as a full batch is waiting, and every
 * `flushIntervalMs` for whatever is left. A failed write keeps its batch and is retried with
 * exponential backoff while new items keep queueing behind it (bounded by `maxBuffered`, oldest
 * dropped first), so the fast path keeps running through a database outage and catches up after it.
 */
export class BatchWriter<T> {
  readonly name: string;
  private readonly options: BatchWriterOptions<T>;
  private readonly maxBuffered: number;
  private readonly queue = new Ring<T>();
  /** the batch of the last failed write: the oldest items held, written first on the next attempt */
  private retry: readonly T[] = [];
  private retryStart = 0;
  private inFlight = 0;
  private writeStartedAtMs: number | undefined;
  private draining: Promise<void> | undefined;
  private kickScheduled = false;
  private retryTimer: TimerHandle | undefined;
  private readonly intervalTimer: TimerHandle;
  private closing = false;
  private closed = false;
  private closePromise: Promise<void> | undefined;
  private droppingReported = false;
  private readonly counters = {
    written: 0,
    flushes: 0,
    failedFlushes: 0,
    consecutiveFailures: 0,
    dropped: 0,
    rejected: 0,
    abandoned: 0,
  };
  private lastError: string | undefined;
  private lastRejection: string | undefined;
  private lastFlushAtMs: number | undefined;

  constructor(options: BatchWriterOptions<T>) {
    const { batchSize, flushIntervalMs } = options;
    if (!(Number.isSafeInteger(batchSize) && batchSize > 0)) {
      throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    }
    if (!(flushIntervalMs > 0)) throw new RangeError(`flushIntervalMs must be > 0, got ${flushIntervalMs}`);
    this.maxBuffered = options.maxBuffered ?? Math.max(100_000, 2 * batchSize);
    // Below two batches, a full queue behind a write in progress would have nothing it may drop.
    if (!(Number.isSafeInteger(this.maxBuffered) && this.maxBuffered >= 2 * batchSize)) {
      throw new RangeError(`maxBuffered must be an integer >= 2 x batchSize, got ${this.maxBuffered}`);
    }
    this.name = options.name;
    this.options = options;
    this.intervalTimer = options.clock.setInterval(() => this.startDrain('all'), flushIntervalMs);
  }

  /**
   * Hands an item to the writer. O(1); never awaits, never throws. The writer keeps the reference until
   * the item is written, so the caller must not mutate or reuse the object afterwards.
   */
  enqueue(item: T): void {
    if (this.closing) {
      this.counters.rejected++;
      this.lastRejection = 'writer closed';
      return;
    }
    const check = this.options.check;
    if (check !== undefined) {
      let problem: string | undefined;
      try {
        problem = check(item);
      } catch (error) {
        problem = `check threw: ${message(error)}`;
      }
      if (problem !== undefined) {
        this.counters.rejected++;
        this.lastRejection = problem;
        return;
      }
    }
    if (this.held() >= this.maxBuffered) this.dropOldest();
    this.queue.push(item);
    if (
      !this.kickScheduled &&
      this.queue.size >= this.options.batchSize &&
      this.draining === undefined &&
      this.retryTimer === undefined
    ) {
      // Never write from inside enqueue: the caller is the hot path and may be mid-way through a frame.
      this.kickScheduled = true;
      queueMicrotask(this.kick);
    }
  }

  /** Writes everything held now, ignoring batch thresholds and any retry backoff. */
  async flush(): Promise<void> {
    await this.idle();
    if (this.closing) return;
    if (this.retryTimer !== undefined) {
      this.options.clock.clearTimer(this.retryTimer);
      this.retryTimer = undefined;
    }
    this.startDrain('all');
    await this.idle();
  }

  /** Resolves when no write is in progress or about to start (retry timers are not waited for). */
  async idle(): Promise<void> {
    while (this.kickScheduled || this.draining !== undefined) {
      await (this.draining ?? Promise.resolve());
    }
  }

  /**
   * Stops the timers and writes what is left. If the database fails that final write, the items are
   * counted as `abandoned` (and logged) rather than retried: shutdown must not hang on a dead database.
   */
  close(): Promise<void> {
    if (this.closePromise === undefined) {
      this.closing = true;
      this.options.clock.clearTimer(this.intervalTimer);
      if (this.retryTimer !== undefined) {
        this.options.clock.clearTimer(this.retryTimer);
        this.retryTimer = undefined;
      }
      this.closePromise = (async () => {
        try {
          await this.idle();
          await this.writeBatches('final');
        } finally {
          this.closed = true;
        }
      })();
    }
    return this.closePromise;
  }

  stats(): BatchWriterStats {
    return {
      queued: this.held() + this.inFlight,
      ...this.counters,
      lastError: this.lastError,
      lastRejection: this.lastRejection,
      lastFlushAtMs: this.lastFlushAtMs,
    };
  }

  health(): ComponentHealth {
    const s = this.stats();
    const facts = {
      queued: s.queued,
      written: s.written,
      failedFlushes: s.failedFlushes,
      dropped: s.dropped,
      rejected: s.rejected,
    };
    if (this.closed) return { state: 'stopped', facts };
    if (s.consecutiveFailures > 0) {
      return {
        state: 'degraded',
        detail: `${this.name}: ${s.consecutiveFailures} failed writes in a row, retrying (${s.lastError ?? ''})`,
        facts,
      };
    }
    const started = this.writeStartedAtMs;
    const stallAfterMs = this.options.stallAfterMs ?? 30_000;
    if (started !== undefined && this.options.clock.now() - started > stallAfterMs) {
      return {
        state: 'degraded',
        detail: `${this.name}: a write has been in progress for ${this.options.clock.now() - started} ms`,
        facts,
      };
    }
    return { state: 'running', facts };
  }

  private readonly kick = (): void => {
    this.kickScheduled = false;
    this.startDrain('full');
  };

  private held(): number {
    return this.queue.size + (this.retry.length - this.retryStart);
  }

  private dropOldest(): void {
    if (this.retryStart < this.retry.length) this.retryStart++;
    else this.queue.shift();
    this.counters.dropped++;
    if (!this.droppingReported) {
      this.droppingReported = true;
      this.options.logger?.warn(
        { writer: this.name, maxBuffered: this.maxBuffered },
        'storage buffer full: dropping the oldest items until the database catches up',
      );
    }
  }

  private startDrain(mode: 'full' | 'all'): void {
    if (this.closing || this.draining !== undefined || this.retryTimer !== undefined) return;
    const held = this.held();
    if (held === 0 || (mode === 'full' && held < this.options.batchSize)) return;
    this.draining = this.writeBatches(mode)
      .catch((error: unknown) => {
        // Only a bug (a throwing logger) gets here; an unhandled rejection would end the process.
        this.lastError = message(error);
      })
      .finally(() => {
        this.draining = undefined;
      });
  }

  /** The oldest `batchSize` items held: the failed batch's survivors first, then the queue. */
  private takeBatch(): T[] {
    const batch: T[] = [];
    for (let i = this.retryStart; i < this.retry.length; i++) {
      const item = this.retry[i];
      if (item !== undefined) batch.push(item);
    }
    this.retry = [];
    this.retryStart = 0;
    while (batch.length < this.options.batchSize) {
      const item = this.queue.shift();
      if (item === undefined) break;
      batch.push(item);
    }
    return batch;
  }

  /**
   * Writes batch after batch. `full` stops when less than a batch is left (the interval takes the
   * rest), `all` and `final` write everything. Yields to the event loop between batches: after an
   * outage the backlog is large, and better-sqlite3 runs on the main thread.
   */
  private async writeBatches(mode: DrainMode): Promise<void> {
    let first = true;
    while (this.held() > 0 && (mode !== 'full' || this.held() >= this.options.batchSize)) {
      if (!first) await yieldToEventLoop();
      first = false;
      const batch = this.takeBatch();
      this.inFlight = batch.length;
      this.writeStartedAtMs = this.options.clock.now();
      let failure: { error: unknown } | undefined;
      try {
        await this.options.write(batch);
      } catch (error) {
        failure = { error };
      }
      this.inFlight = 0;
      this.writeStartedAtMs = undefined;
      if (failure !== undefined) {
        this.failed(batch, failure.error, mode === 'final');
        return;
      }
      this.succeeded(batch.length);
    }
  }

  private succeeded(count: number): void {
    const c = this.counters;
    if (c.consecutiveFailures > 0) {
      this.options.logger?.info(
        { writer: this.name, failures: c.consecutiveFailures, queued: this.held() },
        'storage writes recovered',
      );
    }
    c.written += count;
    c.flushes++;
    c.consecutiveFailures = 0;
    this.droppingReported = false;
    this.lastFlushAtMs = this.options.clock.now();
  }

  private failed(batch: readonly T[], error: unknown, final: boolean): void {
    const c = this.counters;
    c.failedFlushes++;
    c.consecutiveFailures++;
    this.lastError = message(error);
    if (final) {
      const lost = batch.length + this.held();
      c.abandoned += lost;
      this.retry = [];
      this.retryStart = 0;
      while (this.queue.shift() !== undefined) {}
      this.options.logger?.error(
        { err: error, writer: this.name, abandoned: lost },
        'storage write failed at shutdown; unwritten items abandoned',
      );
      return;
    }
    this.retry = batch;
    this.retryStart = 0;
    // The failed batch rejoined the held items, which may now exceed the bound.
    while (this.held() > this.maxBuffered) this.dropOldest();
    const retryInitialMs = this.options.retryInitialMs ?? 250;
    const retryMaxMs = this.options.retryMaxMs ?? 30_000;
    const delay = Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(30, c.consecutiveFailures - 1));
    // Log the first failure and then sparsely: a long outage would otherwise log every retry.
    if (c.consecutiveFailures === 1 || c.consecutiveFailures % 20 === 0) {
      this.options.logger?.warn(
        {
          err: error,
          writer: this.name,
          failures: c.consecutiveFailures,
          retryInMs: delay,
          queued: this.held(),
        },
        'storage write failed; keeping the batch and retrying',
      );
    }
    if (this.closing) return;
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.startDrain('all');
    }, delay);
  }
}
