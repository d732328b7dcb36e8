/**
 * Candles and EMA built in the browser from the index's ticks (pure; no DOM). Prices in paise, times
 * epoch ms. The hub conflates ticks per token, so a candle's high/low are those of the ticks the client
 * saw: close enough for a phone chart, not for a backtest.
 */

export interface Candle {
  /** bucket start, epoch ms */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

/** Start of the `intervalMs` bucket holding `timeMs` (buckets aligned to the epoch; IST is UTC+5:30, so
 * minute buckets line up with IST minutes). */
export function bucketStart(timeMs: number, intervalMs: number): number {
  return timeMs - (((timeMs % intervalMs) + intervalMs) % intervalMs);
}

/** Time-bucketed OHLC of a stream of trades, oldest first, at most `maxCandles` kept. */
export class CandleSeries {
  readonly candles: Candle[] = [];

  constructor(
    readonly intervalMs: number,
    private readonly maxCandles = 2_000,
  ) {}

  /**
   * Folds a trade in; returns the candle it changed, or undefined when the price is not one (0 means
   * "not traded") or the trade is older than the forming candle (a chart cannot rewrite history).
   */
  add(timeMs: number, price: number): Candle | undefined {
    if (!Number.isFinite(price) || price <= 0 || !Number.isFinite(timeMs)) return undefined;
    const time = bucketStart(timeMs, this.intervalMs);
    const last = this.candles[this.candles.length - 1];
    if (last !== undefined && time < last.time) return undefined;
    if (last !== undefined && time === last.time) {
      last.high = Math.max(last.high, price);
      last.low = Math.min(last.low, price);
      last.close = price;
      return last;
    }
    const candle = { time, open: price, high: price, low: price, close: price };
    this.candles.push(candle);
    if (this.candles.length > this.maxCandles) this.candles.splice(0, this.candles.length - this.maxCandles);
    return candle;
  }
}

/**
 * Exponential moving average of candle closes, seeded with the simple average of the first `period`
 * closes. `commit` takes a closed candle; `peek` gives the value the forming candle would have.
 */
export class Ema {
  private readonly alpha: number;
  private value: number | undefined;
  private readonly seed: number[] = [];

  constructor(readonly period: number) {
    if (!Number.isInteger(period) || period < 1)
      throw new RangeError(`EMA period ${period} is not a positive integer`);
    this.alpha = 2 / (period + 1);
  }

  commit(close: number): number | undefined {
    this.value = this.peek(close);
    if (this.value === undefined) this.seed.push(close);
    return this.value;
  }

  peek(close: number): number | undefined {
    if (this.value !== undefined) return this.alpha * close + (1 - this.alpha) * this.value;
    if (this.seed.length + 1 < this.period) return undefined;
    return (this.seed.reduce((sum, x) => sum + x, 0) + close) / this.period;
  }
}

/** EMA of every candle's close, the last one treated as forming; `time` of each point is its candle's. */
export function emaPoints(
  candles: readonly Candle[],
  period: number,
): Array<{ time: number; value: number }> {
  const ema = new Ema(period);
  const points: Array<{ time: number; value: number }> = [];
  candles.forEach((candle, index) => {
    const value = index === candles.length - 1 ? ema.peek(candle.close) : ema.commit(candle.close);
    if (value !== undefined) points.push({ time: candle.time, value });
  });
  return points;
}
