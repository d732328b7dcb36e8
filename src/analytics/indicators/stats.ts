/**
 * Pushes between full recomputations of a window's sums. Integer (paise) inputs never drift, but a caller
 * may feed fractional values; recomputing every so often bounds the rounding error a long session of
 * running sums would build up, at an amortised cost of length / RESYNC_EVERY additions per push.
 */
const RESYNC_EVERY = 1024;

/**
 * The last `length` committed values with O(1) mean and population variance. Sums are kept of the
 * values minus an integer anchor near their mean, so on paise the deviations and their squares stay small
 * exact integers whatever the period and price level, and E[x²] − E[x]² does not lose digits to
 * cancellation as it would on raw prices (NIFTY at 2.5e6 paise squares to 6e12, where a double's last
 * digit is worth ~1e-3, against a quiet window's variance of ~1e2).
 */
export class RollingWindow {
  private readonly values: Float64Array;
  /** slot the next push writes; once full, also the slot of the oldest value */
  private head = 0;
  private filled = 0;
  private anchor = 0;
  /** Σ(x − anchor) over the window */
  private sum = 0;
  /** Σ(x − anchor)² over the window (kept only when squares are tracked) */
  private sumSq = 0;
  private sinceResync = 0;

  constructor(
    readonly length: number,
    private readonly trackSquares: boolean,
  ) {
    this.values = new Float64Array(length);
  }

  /** values held, at most `length` */
  get size(): number {
    return this.filled;
  }

  get full(): boolean {
    return this.filled === this.length;
  }

  push(x: number): void {
    if (this.filled === 0) this.anchor = Math.round(x);
    const d = x - this.anchor;
    if (this.filled === this.length) {
      const old = (this.values[this.head] ?? 0) - this.anchor;
      this.sum += d - old;
      if (this.trackSquares) this.sumSq += d * d - old * old;
    } else {
      this.filled++;
      this.sum += d;
      if (this.trackSquares) this.sumSq += d * d;
    }
    this.values[this.head] = x;
    this.head = this.head + 1 === this.length ? 0 : this.head + 1;
    if (++this.sinceResync === RESYNC_EVERY) this.resync();
  }

  /** Mean of the window; NaN when empty. */
  mean(): number {
    return this.anchor + this.sum / this.filled;
  }

  /** Population variance of the window; NaN when empty. */
  variance(): number {
    const m = this.sum / this.filled;
    return Math.max(0, this.sumSq / this.filled - m * m);
  }

  /** Mean the window would have after pushing `x`. */
  meanWith(x: number): number {
    const d = x - this.anchor;
    if (this.filled === this.length) {
      return this.anchor + (this.sum + d - ((this.values[this.head] ?? 0) - this.anchor)) / this.length;
    }
    return this.anchor + (this.sum + d) / (this.filled + 1);
  }

  /** Population variance the window would have after pushing `x`. */
  varianceWith(x: number): number {
    const d = x - this.anchor;
    let n = this.filled + 1;
    let s = this.sum + d;
    let q = this.sumSq + d * d;
    if (this.filled === this.length) {
      const old = (this.values[this.head] ?? 0) - this.anchor;
      n = this.length;
      s -= old;
      q -= old * old;
    }
    const m = s / n;
    return Math.max(0, q / n - m * m);
  }

  /** Re-anchors at the current mean and recomputes the sums from the stored values. */
  private resync(): void {
    this.sinceResync = 0;
    this.anchor = Math.round(this.mean());
    let s = 0;
    let q = 0;
    for (let i = 0; i < this.filled; i++) {
      const d = (this.values[i] ?? 0) - this.anchor;
      s += d;
      q += d * d;
    }
    this.sum = s;
    this.sumSq = this.trackSquares ? q : 0;
  }
}

/**
 * Wilder's smoothing (RMA): the first value is the simple mean of the first `period` inputs, then
 * avg += (x − avg) / period. Written as trading-signals' WSMA writes it so the two agree bit for bit.
 */
export class WilderAverage {
  private n = 0;
  private seedSum = 0;
  private avg = 0;
  private readonly factor: number;

  constructor(readonly period: number) {
    this.factor = 1 / period;
  }

  get ready(): boolean {
    return this.n >= this.period;
  }

  /** The average; meaningful only when `ready`. */
  get value(): number {
    return this.avg;
  }

  push(x: number): void {
    if (this.n >= this.period) {
      this.avg = (x - this.avg) * this.factor + this.avg;
      return;
    }
    this.seedSum += x;
    this.n++;
    if (this.n === this.period) this.avg = this.seedSum / this.period;
  }

  /** The average after pushing `x`, or undefined if that would still not be enough inputs. */
  with(x: number): number | undefined {
    if (this.n >= this.period) return (x - this.avg) * this.factor + this.avg;
    if (this.n + 1 === this.period) return (this.seedSum + x) / this.period;
    return undefined;
  }
}

/**
 * Exponential smoothing with α = 2 / (period + 1), seeded with the first input as TradingView's `ta.ema`
 * and trading-signals do (TA-Lib seeds with an SMA instead). Written in trading-signals' arithmetic, so
 * the two agree bit for bit.
 */
export class ExponentialAverage {
  private n = 0;
  private ema = 0;
  private readonly alpha: number;
  private readonly beta: number;

  constructor(readonly period: number) {
    this.alpha = 2 / (period + 1);
    this.beta = 1 - this.alpha;
  }

  /** inputs pushed */
  get count(): number {
    return this.n;
  }

  /** The average; meaningful once anything was pushed. */
  get value(): number {
    return this.ema;
  }

  push(x: number): void {
    this.ema = x * this.alpha + (this.n === 0 ? x : this.ema) * this.beta;
    this.n++;
  }

  /** The average after pushing `x`, without pushing it. */
  with(x: number): number {
    return x * this.alpha + (this.n === 0 ? x : this.ema) * this.beta;
  }
}
