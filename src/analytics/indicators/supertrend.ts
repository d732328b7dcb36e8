import { BaseIndicator, checkPeriod, checkPositive } from './base.js';
import { trueRange } from './atr.js';
import type { IndicatorCandle } from './types.js';
import { WilderAverage } from './stats.js';

/** SuperTrend line in paise and the trend it marks. */
export interface SuperTrendValue {
  /** the trailing stop: the lower band in an uptrend, the upper band in a downtrend */
  readonly value: number;
  readonly direction: 'bullish' | 'bearish';
  /** the direction differs from the previous closed candle's */
  readonly flipped: boolean;
}

/**
 * SuperTrend on Wilder's ATR: bands at (high + low) / 2 ± multiplier × ATR that only ratchet towards price
 * while price stays on their side; the trend flips when a close crosses the active band. The rules are
 * TradingView's `ta.supertrend` and agree with trading-signals' SuperTrend value for value. Our own
 * because that one runs on its O(period) ATR (bench/indicators.ts).
 */
export class SuperTrend extends BaseIndicator<SuperTrendValue> {
  readonly requiredInputs: number;
  private readonly atr: WilderAverage;
  private previousClose = Number.NaN;
  /** committed bands and trend; `started` is false until the ATR has warmed up */
  private started = false;
  private upper = 0;
  private lower = 0;
  private up = false;
  /** filled by `step`, read right after it: saves allocating a tuple per candle */
  private nextUpper = 0;
  private nextLower = 0;
  private nextUp = false;

  /** ATR `period` in closed candles and band `multiplier` (10 and 3 are common) */
  constructor(
    readonly period: number,
    readonly multiplier: number,
  ) {
    super();
    this.requiredInputs = checkPeriod('SuperTrend', 'period', period);
    checkPositive('SuperTrend', 'multiplier', multiplier);
    this.atr = new WilderAverage(period);
  }

  update(candle: IndicatorCandle): SuperTrendValue | undefined {
    this.committed++;
    this.isForming = false;
    this.current = this.commit(candle);
    return this.current;
  }

  replace(candle: IndicatorCandle): SuperTrendValue | undefined {
    this.isForming = true;
    this.current = this.preview(candle);
    return this.current;
  }

  /** Folds a closed candle into the committed state and returns the value it gives. */
  private commit(candle: IndicatorCandle): SuperTrendValue | undefined {
    const previousClose = this.previousClose;
    this.previousClose = candle.close;
    this.atr.push(trueRange(candle.high, candle.low, previousClose));
    if (!this.atr.ready) return undefined;
    this.step(candle, this.atr.value, previousClose);
    const flipped = this.started && this.nextUp !== this.up;
    this.started = true;
    this.upper = this.nextUpper;
    this.lower = this.nextLower;
    this.up = this.nextUp;
    return this.result(flipped);
  }

  /** The value with `candle` on top of the committed state, which it leaves unchanged. */
  private preview(candle: IndicatorCandle): SuperTrendValue | undefined {
    const atr = this.atr.with(trueRange(candle.high, candle.low, this.previousClose));
    if (atr === undefined) return undefined;
    this.step(candle, atr, this.previousClose);
    return this.result(this.started && this.nextUp !== this.up);
  }

  private step(candle: IndicatorCandle, atr: number, previousClose: number): void {
    const mid = (candle.high + candle.low) / 2;
    const basicUpper = mid + this.multiplier * atr;
    const basicLower = mid - this.multiplier * atr;
    if (!this.started) {
      this.nextUpper = basicUpper;
      this.nextLower = basicLower;
      this.nextUp = candle.close > basicUpper;
      return;
    }
    // A band follows price only while the previous close stayed inside it; once crossed it resets.
    this.nextUpper = basicUpper < this.upper || previousClose > this.upper ? basicUpper : this.upper;
    this.nextLower = basicLower > this.lower || previousClose < this.lower ? basicLower : this.lower;
    this.nextUp = this.up ? candle.close >= this.nextLower : candle.close > this.nextUpper;
  }

  private result(flipped: boolean): SuperTrendValue {
    return {
      value: this.nextUp ? this.nextLower : this.nextUpper,
      direction: this.nextUp ? 'bullish' : 'bearish',
      flipped,
    };
  }
}
