import { RollingWindow } from './stats.js';

/** Trading days a year and minutes a session (NSE 09:15–15:30), for annualising bar returns. */
export const TRADING_DAYS_PER_YEAR = 252;
export const SESSION_MINUTES = 375;

/**
 * Close-to-close realised volatility over the last `period` bar returns, annualised:
 * σ = stdev(ln(Cᵢ/Cᵢ₋₁)) × √(bars a year). Streaming, O(1) per close. The overnight return between
 * sessions is skipped (its gap is not intraday variance), so warm-up history from earlier days mixes in
 * cleanly. Population stdev: the window is the whole sample of interest, not an estimate of a larger one.
 */
export class RealizedVolatility {
  private readonly returns: RollingWindow;
  private readonly annualise: number;
  private lastClose: number | undefined;
  private lastDay: number | undefined;

  constructor(
    readonly period: number,
    barMinutes: number,
  ) {
    if (!Number.isInteger(period) || period < 2) throw new RangeError('period must be an integer ≥ 2');
    if (!(barMinutes > 0)) throw new RangeError('barMinutes must be positive');
    this.returns = new RollingWindow(period, true);
    this.annualise = Math.sqrt((TRADING_DAYS_PER_YEAR * SESSION_MINUTES) / barMinutes);
  }

  /** A closed bar's close (paise) and its session day (any number that changes between sessions). */
  update(close: number, day: number): void {
    if (!(close > 0)) return;
    if (this.lastClose !== undefined && this.lastDay === day)
      this.returns.push(Math.log(close / this.lastClose));
    this.lastClose = close;
    this.lastDay = day;
  }

  /** annualised σ, or undefined until `period` returns are in */
  get value(): number | undefined {
    if (!this.returns.full) return undefined;
    return Math.sqrt(Math.max(0, this.returns.variance())) * this.annualise;
  }
}
