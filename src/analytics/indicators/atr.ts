import { BaseIndicator, checkPeriod } from './base.js';
import type { IndicatorCandle } from './types.js';
import { WilderAverage } from './stats.js';

/** True range in paise; the first candle of a series has no previous close, so it is high − low. */
export function trueRange(high: number, low: number, previousClose: number): number {
  const range = high - low;
  if (Number.isNaN(previousClose)) return range;
  return Math.max(range, Math.abs(high - previousClose), Math.abs(low - previousClose));
}

/**
 * Wilder's average true range, in paise, first value after `period` candles (the SMA of the first
 * `period` true ranges, then RMA). Our own for the same reason as RSI: trading-signals' ATR smooths
 * through an O(period) WSMA; the values agree with it.
 */
export class Atr extends BaseIndicator<number> {
  readonly requiredInputs: number;
  private readonly average: WilderAverage;
  private previousClose = Number.NaN;

  /** `period` in closed candles (14 is Wilder's) */
  constructor(readonly period: number) {
    super();
    this.requiredInputs = checkPeriod('ATR', 'period', period);
    this.average = new WilderAverage(period);
  }

  update(candle: IndicatorCandle): number | undefined {
    this.committed++;
    this.isForming = false;
    this.current = this.commit(candle);
    return this.current;
  }

  replace(candle: IndicatorCandle): number | undefined {
    this.isForming = true;
    this.current = this.preview(candle);
    return this.current;
  }

  /** Folds a closed candle into the committed state and returns the value it gives. */
  private commit(candle: IndicatorCandle): number | undefined {
    this.average.push(trueRange(candle.high, candle.low, this.previousClose));
    this.previousClose = candle.close;
    return this.average.ready ? this.average.value : undefined;
  }

  /** The value with `candle` on top of the committed state, which it leaves unchanged. */
  private preview(candle: IndicatorCandle): number | undefined {
    return this.average.with(trueRange(candle.high, candle.low, this.previousClose));
  }
}
