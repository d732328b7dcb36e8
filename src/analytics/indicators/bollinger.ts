import { BaseIndicator, checkPeriod, checkPositive } from './base.js';
import type { IndicatorCandle } from './types.js';
import { RollingWindow } from './stats.js';

/** Bollinger Bands, all in paise. */
export interface BollingerValue {
  readonly upper: number;
  /** the SMA of closes */
  readonly middle: number;
  readonly lower: number;
}

/**
 * Bollinger Bands on closes: SMA ± multiplier × population standard deviation (as Bollinger, TradingView
 * and trading-signals define it). Our own: trading-signals' recomputes mean and deviation over the whole
 * window per input (O(period)); this keeps running sums (O(1)), see bench/indicators.ts.
 */
export class Bollinger extends BaseIndicator<BollingerValue> {
  readonly requiredInputs: number;
  private readonly window: RollingWindow;

  /** `period` closed candles, bands `multiplier` standard deviations from the mean (20 and 2 classically) */
  constructor(
    readonly period: number,
    readonly multiplier: number,
  ) {
    super();
    this.requiredInputs = checkPeriod('Bollinger', 'period', period);
    checkPositive('Bollinger', 'multiplier', multiplier);
    this.window = new RollingWindow(period, true);
  }

  update(candle: IndicatorCandle): BollingerValue | undefined {
    this.committed++;
    this.isForming = false;
    this.current = this.commit(candle);
    return this.current;
  }

  replace(candle: IndicatorCandle): BollingerValue | undefined {
    this.isForming = true;
    this.current = this.preview(candle);
    return this.current;
  }

  /** Folds a closed candle into the committed state and returns the value it gives. */
  private commit(candle: IndicatorCandle): BollingerValue | undefined {
    this.window.push(candle.close);
    return this.window.full ? this.bands(this.window.mean(), this.window.variance()) : undefined;
  }

  /** The value with `candle` on top of the committed state, which it leaves unchanged. */
  private preview(candle: IndicatorCandle): BollingerValue | undefined {
    if (this.window.size + 1 < this.period) return undefined;
    return this.bands(this.window.meanWith(candle.close), this.window.varianceWith(candle.close));
  }

  private bands(middle: number, variance: number): BollingerValue {
    const width = this.multiplier * Math.sqrt(variance);
    return { upper: middle + width, middle, lower: middle - width };
  }
}
