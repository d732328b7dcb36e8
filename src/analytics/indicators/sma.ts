import { BaseIndicator, checkPeriod } from './base.js';
import type { IndicatorCandle } from './types.js';
import { RollingWindow } from './stats.js';

/**
 * Simple moving average of closes, in paise. Our own: trading-signals' SMA re-adds the whole window on
 * every input (O(period)); this keeps a running sum (O(1)), see bench/indicators.ts.
 */
export class Sma extends BaseIndicator<number> {
  readonly requiredInputs: number;
  private readonly window: RollingWindow;

  /** `period` closed candles per average */
  constructor(readonly period: number) {
    super();
    this.requiredInputs = checkPeriod('SMA', 'period', period);
    this.window = new RollingWindow(period, false);
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
    this.window.push(candle.close);
    return this.window.full ? this.window.mean() : undefined;
  }

  /** The value with `candle` on top of the committed state, which it leaves unchanged. */
  private preview(candle: IndicatorCandle): number | undefined {
    return this.window.size + 1 >= this.period ? this.window.meanWith(candle.close) : undefined;
  }
}
