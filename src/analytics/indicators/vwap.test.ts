import { describe, expect, it } from 'vitest';
import { ohlc, SERIES_OPEN_MS } from './fixtures/series.js';
import type { IndicatorCandle } from './types.js';
import { Vwap } from './vwap.js';

const DAY_MS = 86_400_000;
const nextDay = (c: IndicatorCandle): IndicatorCandle => ({ ...c, startMs: c.startMs + DAY_MS });

describe('Vwap', () => {
  it('weights the typical price (H + L + C) / 3 by volume, hand-worked', () => {
    const vwap = new Vwap();
    expect(vwap.update(ohlc(0, 100, 103, 97, 100, 10)), 'typical 100').toBe(100);
    expect(vwap.update(ohlc(1, 100, 106, 100, 103, 30)), '(100 × 10 + 103 × 30) / 40').toBe(102.25);
    expect(vwap.update(ohlc(2, 103, 110, 90, 95, 0)), 'a candle without volume changes nothing').toBe(102.25);
  });

  it("restarts at each session's first candle", () => {
    const vwap = new Vwap();
    vwap.update(ohlc(0, 100, 103, 97, 100, 10));
    vwap.update(ohlc(1, 100, 106, 100, 103, 30));
    expect(vwap.replace(nextDay(ohlc(0, 200, 200, 200, 200, 5))), 'forming first candle of day 2').toBe(200);
    expect(vwap.update(nextDay(ohlc(0, 200, 200, 200, 200, 5))), 'day 2 knows nothing of day 1').toBe(200);
    expect(vwap.update(nextDay(ohlc(1, 200, 206, 200, 203, 5))), '(200 + 203) / 2').toBe(201.5);
  });

  it('is undefined until the session trades, so always on an index', () => {
    const vwap = new Vwap();
    for (let i = 0; i < 5; i++)
      expect(vwap.update(ohlc(i, 100, 101, 99, 100, 0)), `no volume at ${i}`).toBeUndefined();
    expect(vwap.isStable, 'never stable without volume').toBe(false);
    expect(vwap.replace(ohlc(5, 100, 103, 97, 100, 0)), 'forming, no volume').toBeUndefined();
  });

  it('takes another session boundary when given one (a week here)', () => {
    const weekly = new Vwap({ sessionOf: (ms) => Math.floor((ms - SERIES_OPEN_MS) / (7 * DAY_MS)) });
    weekly.update(ohlc(0, 100, 100, 100, 100, 10));
    expect(
      weekly.update(nextDay(ohlc(0, 200, 200, 200, 200, 10))),
      'next day, same week: anchored on Monday',
    ).toBe(150);
  });
});
