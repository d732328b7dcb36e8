import type { Candle } from '../../feed/candles/index.js';

/**
 * What an indicator reads from a candle. Structurally a subset of the feed's `Candle`, so closed and
 * forming candles from the builder pass straight in, and backtests or tests can pass plain objects.
 * Prices are paise; every price-valued output is in paise too (RSI is 0..100).
 */
export type IndicatorCandle = Pick<Candle, 'startMs' | 'open' | 'high' | 'low' | 'close' | 'volume'>;

/**
 * A streaming indicator over one candle series. Closed candles go to `update`, which commits them; the
 * still-forming candle goes to `replace`, whose effect lasts only until the next `update` or `replace`.
 * So a forming candle can be revised any number of times and a closed one is counted once, however the
 * two are interleaved. Every method is O(1) (amortised for the windowed SMA and Bollinger: see
 * RollingWindow).
 */
export interface StreamingIndicator<Value> {
  /** Commits a closed candle (dropping any forming one); returns the new value, undefined while warming. */
  update(candle: IndicatorCandle): Value | undefined;
  /** Evaluates the still-forming candle on top of the committed ones; undefined while warming. */
  replace(candle: IndicatorCandle): Value | undefined;
  /** The value after the last `update` or `replace`; undefined while warming up. */
  readonly value: Value | undefined;
  /** true when `value` is defined */
  readonly isStable: boolean;
  /** true when `value` includes a forming candle (the last call was `replace`) */
  readonly forming: boolean;
  /** closed candles committed so far */
  readonly count: number;
  /** candles needed before the first value (a forming candle counts towards it) */
  readonly requiredInputs: number;
}
