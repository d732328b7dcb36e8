import { SlidingWindowLimiter, type WindowLimit } from '../../core/rateLimit.js';
import { HOUR_MS, MINUTE_MS } from '../../core/time.js';

const SECOND_MS = 1000;

function windows(perSecond: number, perMinute?: number, perHour?: number): WindowLimit[] {
  const out: WindowLimit[] = [{ limit: perSecond, windowMs: SECOND_MS }];
  if (perMinute !== undefined) out.push({ limit: perMinute, windowMs: MINUTE_MS });
  if (perHour !== undefined) out.push({ limit: perHour, windowMs: HOUR_MS });
  return out;
}

/**
 * Angel's per-client-code limits (reference §3.4, newer docs). Routes that name the same bucket share
 * one budget: place/modify/cancel share the 9/s order bucket, getOIData shares the history budget.
 */
export const RATE_LIMIT_BUCKETS = {
  login: windows(1),
  generateTokens: windows(1, undefined, 1000),
  getProfile: windows(3, undefined, 1000),
  logout: windows(1),
  getRMS: windows(2),
  orderWrite: windows(9, 500, 1000),
  getOrderBook: windows(1),
  getLtpData: windows(10, 500, 5000),
  getPosition: windows(1),
  getTradeBook: windows(1),
  convertPosition: windows(10, 500, 5000),
  searchScrip: windows(1),
  orderDetails: windows(10, 500, 5000),
  getHolding: windows(1),
  getAllHolding: windows(1),
  quote: windows(10, 500, 5000),
  marginBatch: windows(10, 500, 5000),
  gttWrite: windows(9, 500, 5000),
  gttRead: windows(10, 500, 5000),
  history: windows(3, 180, 5000),
  optionGreek: windows(1),
} as const satisfies Record<string, WindowLimit[]>;

export type RateLimitBucket = keyof typeof RATE_LIMIT_BUCKETS;

/** One limiter per (client code, bucket), created on first use. Time is passed in (the injected Clock). */
export class ClientRateLimits {
  private readonly limiters = new Map<string, SlidingWindowLimiter>();

  /** Counts one call and says whether it was within the limits; rejected calls are not counted. */
  tryAcquire(clientCode: string, bucket: RateLimitBucket, nowMs: number): boolean {
    const key = `${clientCode}\u0000${bucket}`;
    let limiter = this.limiters.get(key);
    if (limiter === undefined) {
      limiter = new SlidingWindowLimiter(RATE_LIMIT_BUCKETS[bucket]);
      this.limiters.set(key, limiter);
    }
    return limiter.tryAcquire(nowMs);
  }

  reset(): void {
    this.limiters.clear();
  }
}
