import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketStart, CandleSeries, Ema, emaPoints } from '../web/src/chart/candles.js';

// The dashboard's candle builder and EMA (web/src/chart/candles.ts) are pure, so they are tested here in
// Node; the browser test covers their drawing.
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 25, 4, 30); // 10:00 IST

describe('dashboard candles from ticks', () => {
  it('buckets ticks into OHLC per interval and ignores non-prices and ticks older than the forming candle', () => {
    const series = new CandleSeries(MINUTE);
    series.add(T0 + 1_000, 2_587_000);
    series.add(T0 + 20_000, 2_590_000);
    series.add(T0 + 40_000, 2_585_000);
    series.add(T0 + 59_999, 2_588_000);
    expect(series.add(T0 + 50_000, 0), '0 means not traded, not a price').toBeUndefined();
    series.add(T0 + MINUTE, 2_589_000);
    expect(series.add(T0 + 59_000, 2_500_000), 'a late tick cannot rewrite a closed candle').toBeUndefined();
    expect(series.candles).toEqual([
      { time: T0, open: 2_587_000, high: 2_590_000, low: 2_585_000, close: 2_588_000 },
      { time: T0 + MINUTE, open: 2_589_000, high: 2_589_000, low: 2_589_000, close: 2_589_000 },
    ]);
  });

  it('keeps at most maxCandles, dropping the oldest', () => {
    const series = new CandleSeries(1_000, 3);
    for (let i = 0; i < 5; i++) series.add(T0 + i * 1_000, 100 + i);
    expect(series.candles.map((c) => c.close)).toEqual([102, 103, 104]);
  });

  it('every candle brackets its open and close, and starts on its interval (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(15_000, MINUTE, 5 * MINUTE),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3_600_000 }), fc.integer({ min: 1, max: 10_000_000 })), {
          minLength: 1,
          maxLength: 200,
        }),
        (interval, ticks) => {
          const series = new CandleSeries(interval);
          for (const [offset, price] of ticks) series.add(T0 + offset, price);
          for (const c of series.candles) {
            expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
            expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
            expect(bucketStart(c.time, interval)).toBe(c.time);
          }
          const times = series.candles.map((c) => c.time);
          expect(times, 'strictly ascending, as lightweight-charts requires').toEqual(
            [...new Set(times)].sort((a, b) => a - b),
          );
        },
      ),
    );
  });
});

describe('dashboard EMA', () => {
  it('is undefined while warming up, then seeded with the simple average of the first period closes', () => {
    const ema = new Ema(3);
    expect(ema.commit(10)).toBeUndefined();
    expect(ema.commit(20)).toBeUndefined();
    expect(ema.commit(30), 'SMA of 10, 20, 30').toBe(20);
    expect(ema.commit(40), '0.5 × 40 + 0.5 × 20').toBe(30);
    expect(ema.peek(50), 'peek does not commit').toBe(40);
    expect(ema.peek(50)).toBe(40);
  });

  it('the incremental EMA the chart draws equals the batch EMA over the same candles (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.integer({ min: 1, max: 5_000_000 }), { minLength: 1, maxLength: 120 }),
        (period, closes) => {
          const candles = closes.map((close, i) => ({
            time: T0 + i * MINUTE,
            open: close,
            high: close,
            low: close,
            close,
          }));
          const ema = new Ema(period);
          const incremental: Array<{ time: number; value: number }> = [];
          candles.forEach((candle, i) => {
            const value = i === candles.length - 1 ? ema.peek(candle.close) : ema.commit(candle.close);
            if (value !== undefined) incremental.push({ time: candle.time, value });
          });
          expect(incremental).toEqual(emaPoints(candles, period));
          expect(incremental.length, 'one point per candle after warm-up').toBe(
            Math.max(0, closes.length - period + 1),
          );
        },
      ),
    );
  });

  it('refuses a period that is not a positive integer', () => {
    expect(() => new Ema(0)).toThrow(RangeError);
    expect(() => new Ema(2.5)).toThrow(RangeError);
  });
});
