import { BaseIndicator, checkPeriod } from './base.js';
import { ExponentialAverage } from './stats.js';
import type { IndicatorCandle } from './types.js';

/**
 * Exponential moving average of closes, in paise, α = 2 / (period + 1), seeded with the first close (as
 * TradingView's `ta.ema` and trading-signals; TA-Lib seeds with an SMA) and reported from the `period`-th
 * candle, when the seed's weight has decayed to (1 − α)^(period−1) ≈ e^−2. Our own, although
 * trading-signals' EMA is O(1) and agrees with it bit for bit: wrapped behind this interface, its forming
 * path (add, then replace per revision) cost over twice this one (bench/indicators.ts, "wrapped" rows).
 */
export class Ema extends BaseIndicator<number> {
  readonly requiredInputs: number;
  private readonly average: ExponentialAverage;

  /** `period` in closed candles */
  constructor(readonly period: number) {
    super();
    this.requiredInputs = checkPeriod('EMA', 'period', period);
    this.average = new ExponentialAverage(period);
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
    this.average.push(candle.close);
    return this.average.count >= this.period ? this.average.value : undefined;
  }

  /** The value with `candle` on top of the committed state, which it leaves unchanged. */
  private preview(candle: IndicatorCandle): number | undefined {
    const ema = this.average.with(candle.close);
    return this.average.count + 1 >= this.period ? ema : undefined;
  }
}
