import type { Clock } from '../../../core/clock.js';
import { IfError } from '../../../core/errors.js';
import { SlidingWindowLimiter, type WindowLimit } from '../../../core/rateLimit.js';

/** Angel counts limits per endpoint (per client code); order writes share one bucket. */
export type RateBucket =
  | 'login'
  | 'generateTokens'
  | 'profile'
  | 'logout'
  | 'rms'
  | 'orderWrite'
  | 'orderBook'
  | 'orderDetails'
  | 'tradeBook'
  | 'positions'
  | 'ltp'
  | 'quote'
  | 'candles';

const SECOND = 1000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const per = (limit: number, windowMs: number): WindowLimit => ({ limit, windowMs });

/** Reference §3.4 (the newer doc table; place+modify+cancel cumulatively 9/s). */
export const ANGEL_RATE_LIMITS: Readonly<Record<RateBucket, readonly WindowLimit[]>> = {
  login: [per(1, SECOND)],
  generateTokens: [per(1, SECOND), per(1000, HOUR)],
  profile: [per(3, SECOND), per(1000, HOUR)],
  logout: [per(1, SECOND)],
  rms: [per(2, SECOND)],
  orderWrite: [per(9, SECOND), per(500, MINUTE), per(1000, HOUR)],
  orderBook: [per(1, SECOND)],
  orderDetails: [per(10, SECOND), per(500, MINUTE), per(5000, HOUR)],
  tradeBook: [per(1, SECOND)],
  positions: [per(1, SECOND)],
  ltp: [per(10, SECOND), per(500, MINUTE), per(5000, HOUR)],
  quote: [per(10, SECOND), per(500, MINUTE), per(5000, HOUR)],
  candles: [per(3, SECOND), per(180, MINUTE), per(5000, HOUR)],
};

export interface RateLimitOptions {
  /** give up (IF_ERR_BROKER_RATE_LIMITED) when a call would wait longer than this in total; default 10 s */
  maxWaitMs?: number;
  /**
   * Added to every window. The broker's windows are measured on arrival, so requests spaced exactly at
   * the limit still trip it now and then (network jitter); default 50 ms.
   */
  paddingMs?: number;
  /** replaces the documented limits of some buckets (e.g. a simulator with other limits) */
  overrides?: Partial<Record<RateBucket, readonly WindowLimit[]>>;
}

export function sleepOnClock(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimeout(resolve, ms);
  });
}

/**
 * Client-side pacing: each call takes its turn in its bucket's queue (FIFO) and waits on the Clock
 * until the sliding windows allow it. A call whose total wait would exceed `maxWaitMs` is refused
 * instead of queued, so a burst that locks a minute window fails fast rather than hanging.
 */
export class RateGate {
  private readonly limiters = new Map<RateBucket, SlidingWindowLimiter>();
  private readonly tails = new Map<RateBucket, Promise<void>>();
  private readonly maxWaitMs: number;

  constructor(
    private readonly clock: Clock,
    options: RateLimitOptions = {},
  ) {
    this.maxWaitMs = options.maxWaitMs ?? 10_000;
    const padding = options.paddingMs ?? 50;
    for (const bucket of Object.keys(ANGEL_RATE_LIMITS) as RateBucket[]) {
      const limits = options.overrides?.[bucket] ?? ANGEL_RATE_LIMITS[bucket];
      this.limiters.set(
        bucket,
        new SlidingWindowLimiter(limits.map((l) => ({ limit: l.limit, windowMs: l.windowMs + padding }))),
      );
    }
  }

  /**
   * Resolves with the slot time when the call may be sent (the slot is then recorded); rejects when it would
   * wait too long. Pass the slot to `settle` when the response arrives.
   */
  acquire(bucket: RateBucket, endpoint: string): Promise<number> {
    const startedAt = this.clock.now();
    const previous = this.tails.get(bucket) ?? Promise.resolve();
    const mine = previous.then(() => this.take(bucket, endpoint, startedAt));
    this.tails.set(
      bucket,
      mine.then(
        () => undefined,
        () => undefined,
      ),
    );
    return mine;
  }

  /** Moves a call's slot from its send time to its response time (see SlidingWindowLimiter.reschedule). */
  settle(bucket: RateBucket, slotMs: number): void {
    this.limiters.get(bucket)?.reschedule(slotMs, this.clock.now());
  }

  private async take(bucket: RateBucket, endpoint: string, startedAt: number): Promise<number> {
    const limiter = this.limiters.get(bucket);
    if (limiter === undefined) return this.clock.now();
    for (;;) {
      const now = this.clock.now();
      const wait = limiter.delayUntilAllowed(now);
      if (wait <= 0) {
        limiter.record(now);
        return now;
      }
      if (now - startedAt + wait > this.maxWaitMs) {
        throw new IfError('IF_ERR_BROKER_RATE_LIMITED', { endpoint, source: 'client', waitMs: wait });
      }
      await sleepOnClock(this.clock, wait);
    }
  }
}
