import { IfError } from '../../core/errors.js';
import { BaseIndicator, checkPeriod } from './base.js';
import { ExponentialAverage } from './stats.js';
import type { IndicatorCandle } from './types.js';

/** MACD line, signal line and histogram, all in paise. */
export interface MacdValue {
  /** EMA(fast) − EMA(slow) of closes */
  readonly macd: number;
  /** EMA(signal) of the MACD line */
  readonly signal: number;
  /** macd − signal */
  readonly histogram: number;
}

/**
 * MACD on closes, with EMAs seeded as in `Ema`. The MACD line starts on the `slow`-th candle, as in
 * trading-signals, and its values agree with trading-signals' MACD bit for bit; but trading-signals
 * reports from there, when the signal EMA has seen a single point, while we wait until it has `signal`
 * points (candle slow + signal − 1), so a stable MACD has a warmed-up signal line. Our own: trading-signals'
 * MACD, wrapped behind this interface, cost several times this one (bench/indicators.ts, "wrapped" rows).
 */
export class Macd extends BaseIndicator<MacdValue> {
  readonly requiredInputs: number;
  private readonly fastAverage: ExponentialAverage;
  private readonly slowAverage: ExponentialAverage;
  private readonly signalAverage: ExponentialAverage;

  /** periods in closed candles (12, 26, 9 classically); `fast` must be below `slow` */
  constructor(
    readonly fast: number,
    readonly slow: number,
    readonly signal: number,
  ) {
    super();
    checkPeriod('MACD', 'fast period', fast);
    checkPeriod('MACD', 'slow period', slow, 2);
    checkPeriod('MACD', 'signal period', signal);
    if (fast >= slow) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `MACD fast period ${fast} must be below the slow period ${slow}`,
      });
    }
    this.requiredInputs = slow + signal - 1;
    this.fastAverage = new ExponentialAverage(fast);
    this.slowAverage = new ExponentialAverage(slow);
    this.signalAverage = new ExponentialAverage(signal);
  }

  update(candle: IndicatorCandle): MacdValue | undefined {
    this.committed++;
    this.isForming = false;
    this.current = this.commit(candle);
    return this.current;
  }

  replace(candle: IndicatorCandle): MacdValue | undefined {
    this.isForming = true;
    this.current = this.preview(candle);
    return this.current;
  }

  /** Folds a closed candle into the committed state and returns the value it gives. */
  private commit(candle: IndicatorCandle): MacdValue | undefined {
    this.fastAverage.push(candle.close);
    this.slowAverage.push(candle.close);
    if (this.slowAverage.count < this.slow) return undefined;
    const macd = this.fastAverage.value - this.slowAverage.value;
    this.signalAverage.push(macd);
    if (this.signalAverage.count < this.signal) return undefined;
    const signal = this.signalAverage.value;
    return { macd, signal, histogram: macd - signal };
  }

  /** The value with `candle` on top of the committed state, which it leaves unchanged. */
  private preview(candle: IndicatorCandle): MacdValue | undefined {
    if (this.slowAverage.count + 1 < this.slow) return undefined;
    const macd = this.fastAverage.with(candle.close) - this.slowAverage.with(candle.close);
    if (this.signalAverage.count + 1 < this.signal) return undefined;
    const signal = this.signalAverage.with(macd);
    return { macd, signal, histogram: macd - signal };
  }
}
