import { IfError } from '../../core/errors.js';

/**
 * Exponentially weighted mean and variance of a stream (Finch 2009, "Incremental calculation of weighted
 * mean and variance", §9), O(1) time and memory per sample. Chosen over a windowed Welford because it
 * needs no ring of past samples per instrument and forgets smoothly rather than with a cliff.
 */
export class EwStats {
  private readonly alpha: number;
  private n = 0;
  private m = 0;
  private v = 0;

  /** `span` in samples: alpha = 2 / (span + 1), the usual EMA convention (centre of mass (span − 1) / 2). */
  constructor(span: number) {
    if (!(Number.isFinite(span) && span >= 1)) {
      throw new IfError('IF_ERR_VALIDATION', { detail: `EW span must be a finite number ≥ 1, got ${span}` });
    }
    this.alpha = 2 / (span + 1);
  }

  /** Samples seen. */
  get count(): number {
    return this.n;
  }

  /** Weighted mean, in the samples' unit; 0 before the first sample. */
  get mean(): number {
    return this.m;
  }

  /** Weighted variance, in the samples' unit squared; 0 before the second distinct sample. */
  get variance(): number {
    return this.v;
  }

  /** Adds one sample. */
  update(x: number): void {
    if (this.n === 0) {
      // Seeding with the first sample instead of 0 avoids the start-up bias of a zero-initialised EMA.
      this.m = x;
      this.v = 0;
    } else {
      const diff = x - this.m;
      const incr = this.alpha * diff;
      this.m += incr;
      this.v = (1 - this.alpha) * (this.v + diff * incr);
    }
    this.n++;
  }

  /**
   * z-score of `x` against the current mean and variance (dimensionless); 0 when the variance is nil.
   * Called after `update(x)`, a jump from a long constant run gives sqrt((1 − α)/α) rather than infinity.
   */
  zScore(x: number): number {
    const sd = Math.sqrt(this.v);
    // Below this the variance is rounding residue of a constant stream, not dispersion.
    if (!(sd > 1e-12 * Math.max(1, Math.abs(this.m)))) return 0;
    return (x - this.m) / sd;
  }

  /** Forgets every sample. */
  reset(): void {
    this.n = 0;
    this.m = 0;
    this.v = 0;
  }
}
