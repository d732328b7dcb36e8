import { IfError } from '../../core/errors.js';

/**
 * Rolling sums over time for a few parallel series, in fixed buckets. The window at time t holds the
 * `windowMs / bucketMs` buckets ending with t's bucket, so it spans between windowMs − bucketMs and
 * windowMs of history. Time comes from the events (exchange ms), never from a clock, so replays agree.
 *
 * Buckets live in one Float64Array ring; running totals make reads O(1) and adds amortised O(1) (each
 * bucket is cleared once when the window moves past it). Values that are integers (quantities) sum
 * exactly up to 2^53, so totals never drift from adding and subtracting.
 */
export class BucketWindow {
  readonly windowMs: number;
  readonly bucketMs: number;
  private readonly buckets: number;
  private readonly width: number;
  private readonly values: Float64Array;
  private readonly totals: Float64Array;
  /** index (time / bucketMs) of the newest bucket; −∞ before the first add */
  private head = Number.NEGATIVE_INFINITY;

  /** `windowMs` and `bucketMs` positive integers (ms), `windowMs` a multiple of `bucketMs`; `series` ≥ 1. */
  constructor(windowMs: number, bucketMs: number, series: number) {
    if (!(Number.isSafeInteger(windowMs) && windowMs > 0)) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `windowMs must be a positive integer, got ${windowMs}`,
      });
    }
    if (!(Number.isSafeInteger(bucketMs) && bucketMs > 0 && windowMs % bucketMs === 0)) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `bucketMs must be a positive integer dividing windowMs ${windowMs}, got ${bucketMs}`,
      });
    }
    if (!(Number.isSafeInteger(series) && series > 0)) {
      throw new IfError('IF_ERR_VALIDATION', { detail: `series must be a positive integer, got ${series}` });
    }
    this.windowMs = windowMs;
    this.bucketMs = bucketMs;
    this.buckets = windowMs / bucketMs;
    this.width = series;
    this.values = new Float64Array(this.buckets * series);
    this.totals = new Float64Array(series);
  }

  /** Moves the window forward to end at `timeMs` (epoch ms); earlier times leave it where it is. */
  advanceTo(timeMs: number): void {
    const index = Math.floor(timeMs / this.bucketMs);
    if (index <= this.head) return;
    if (index - this.head >= this.buckets) {
      this.values.fill(0);
      this.totals.fill(0);
    } else {
      for (let b = this.head + 1; b <= index; b++) this.clearBucket(b);
    }
    this.head = index;
  }

  /**
   * Adds `value` to `series` at `timeMs` (epoch ms), moving the window forward if needed. Returns false,
   * adding nothing, when `timeMs` is older than the window: it cannot be counted without double-counting
   * a bucket that already rolled off.
   */
  add(timeMs: number, series: number, value: number): boolean {
    this.advanceTo(timeMs);
    const index = Math.floor(timeMs / this.bucketMs);
    if (index <= this.head - this.buckets) return false;
    const at = this.slotOf(index) * this.width + series;
    this.values[at] = (this.values[at] ?? 0) + value;
    this.totals[series] = (this.totals[series] ?? 0) + value;
    return true;
  }

  /** Sum of `series` over the window ending at the newest event. */
  total(series: number): number {
    return this.totals[series] ?? 0;
  }

  /**
   * Sum of `series` over the window ending at `timeMs` (epoch ms) without moving it, so a reader can ask
   * how much of a quiet instrument's flow is still recent. O(buckets) when `timeMs` is past the newest
   * bucket, O(1) otherwise (earlier times read as the newest window: history is not kept).
   */
  totalAt(series: number, timeMs: number): number {
    const index = Math.floor(timeMs / this.bucketMs);
    if (index <= this.head) return this.total(series);
    const oldest = index - this.buckets + 1;
    let sum = 0;
    for (let b = Math.max(oldest, this.head - this.buckets + 1); b <= this.head; b++) {
      sum += this.values[this.slotOf(b) * this.width + series] ?? 0;
    }
    return sum;
  }

  /** Empties every bucket. */
  clear(): void {
    this.values.fill(0);
    this.totals.fill(0);
    this.head = Number.NEGATIVE_INFINITY;
  }

  /** Ring slot of a bucket index; non-negative even for times before 1970 (test fixtures). */
  private slotOf(index: number): number {
    const slot = index % this.buckets;
    return slot < 0 ? slot + this.buckets : slot;
  }

  private clearBucket(index: number): void {
    const base = this.slotOf(index) * this.width;
    for (let s = 0; s < this.width; s++) {
      const value = this.values[base + s] ?? 0;
      if (value !== 0) {
        this.totals[s] = (this.totals[s] ?? 0) - value;
        this.values[base + s] = 0;
      }
    }
  }
}
