import { BaseIndicator, checkPeriod } from './base.js';
import type { IndicatorCandle } from './types.js';
import { WilderAverage } from './stats.js';

/** RSI from Wilder averages of gains and losses; 100 when there was no loss (as trading-signals and Pine). */
function rsiOf(avgGain: number, avgLoss: number): number {
  if (avgLoss === 0) return 100;
  return 100 - 100 / (1 + avgGain / avgLoss);
}

/**
 * Wilder's RSI of closes, 0..100, first value after `period + 1` candles. Our own: trading-signals' RSI
 * smooths through a WSMA that re-averages an SMA window on every input (O(period)), see
 * bench/indicators.ts; the values agree with it.
 */
export class Rsi extends BaseIndicator<number> {
  readonly requiredInputs: number;
  private readonly gains: WilderAverage;
  private readonly losses: WilderAverage;
  private previousClose = Number.NaN;

  /** `period` in closed candles (14 is Wilder's) */
  constructor(readonly period: number) {
    super();
    this.requiredInputs = checkPeriod('RSI', 'period', period) + 1;
    this.gains = new WilderAverage(period);
    this.losses = new WilderAverage(period);
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
    const close = candle.close;
    const previous = this.previousClose;
    this.previousClose = close;
    if (Number.isNaN(previous)) return undefined;
    const change = close - previous;
    this.gains.push(Math.max(change, 0));
    this.losses.push(Math.max(-change, 0));
    return this.gains.ready ? rsiOf(this.gains.value, this.losses.value) : undefined;
  }

  /** The value with `candle` on top of the committed state, which it leaves unchanged. */
  private preview(candle: IndicatorCandle): number | undefined {
    if (Number.isNaN(this.previousClose)) return undefined;
    const change = candle.close - this.previousClose;
    const gain = this.gains.with(Math.max(change, 0));
    const loss = this.losses.with(Math.max(-change, 0));
    return gain === undefined || loss === undefined ? undefined : rsiOf(gain, loss);
  }
}
