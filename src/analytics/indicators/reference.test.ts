import { ATR, BollingerBands, EMA, MACD, RSI, SMA, SuperTrend as TsSuperTrend, VWAP } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { Atr } from './atr.js';
import { Bollinger } from './bollinger.js';
import { Ema } from './ema.js';
import { CANDLES_PER_SESSION, randomCandles } from './fixtures/series.js';
import { expectNear } from './fixtures/near.js';
import { Macd } from './macd.js';
import { Rsi } from './rsi.js';
import { Sma } from './sma.js';
import { SuperTrend } from './supertrend.js';
import { Vwap } from './vwap.js';

// Four sessions of 1m candles: long enough for every warm-up, a resync of the rolling sums, and VWAP resets.
const SERIES = randomCandles(1_500, 42);

/**
 * Every indicator is our own code and trading-signals is its reference: on the same closed candles both
 * must give the same numbers (to 1e-9 relative where our sums run in another order; EMA and MACD bit for
 * bit) and start on the same candle, unless a test says why they differ.
 */
describe('indicators agree with trading-signals 8 on the same candles', () => {
  it('SMA(20) and SMA(200) equal trading-signals SMA from the period-th candle on', () => {
    for (const period of [20, 200]) {
      const ours = new Sma(period);
      const ref = new SMA(period);
      SERIES.forEach((c, i) => {
        const expected = ref.add(c.close);
        const actual = ours.update(c);
        if (expected === null) expect(actual, `SMA(${period}) warming at ${i}`).toBeUndefined();
        else expectNear(actual, expected, `SMA(${period}) at ${i}`);
      });
    }
  });

  it('EMA(20) is trading-signals EMA, withheld until 20 candles are in', () => {
    const ours = new Ema(20);
    const ref = new EMA(20);
    SERIES.forEach((c, i) => {
      const expected = ref.add(c.close);
      const actual = ours.update(c);
      expect(actual, `EMA at ${i}`).toBe(i < 19 ? undefined : expected);
      expect(ours.isStable, `isStable at ${i} matches trading-signals`).toBe(ref.isStable);
    });
  });

  it('RSI(14) equals trading-signals RSI (Wilder) from the 15th candle on', () => {
    const ours = new Rsi(14);
    const ref = new RSI(14);
    SERIES.forEach((c, i) => {
      const expected = ref.add(c.close);
      const actual = ours.update(c);
      if (expected === null) expect(actual, `RSI warming at ${i}`).toBeUndefined();
      else expectNear(actual, expected, `RSI at ${i}`);
    });
    expect(ours.requiredInputs, 'period + 1 closes make the first change-average').toBe(15);
  });

  it('MACD(12,26,9) is trading-signals MACD, withheld until the signal EMA has 9 points', () => {
    const ours = new Macd(12, 26, 9);
    const ref = new MACD(new EMA(12), new EMA(26), new EMA(9));
    SERIES.forEach((c, i) => {
      const expected = ref.add(c.close);
      const actual = ours.update(c);
      if (i < 26 + 9 - 2) expect(actual, `MACD warming at ${i}`).toBeUndefined();
      else expect(actual, `MACD at ${i}`).toEqual(expected);
    });
  });

  it('Bollinger(20, 2) equals trading-signals BollingerBands (population σ)', () => {
    const ours = new Bollinger(20, 2);
    const ref = new BollingerBands(20, 2);
    SERIES.forEach((c, i) => {
      const expected = ref.add(c.close);
      const actual = ours.update(c);
      if (expected === null) {
        expect(actual, `bands warming at ${i}`).toBeUndefined();
        return;
      }
      expectNear(actual?.middle, expected.middle, `middle at ${i}`);
      expectNear(actual?.upper, expected.upper, `upper at ${i}`);
      expectNear(actual?.lower, expected.lower, `lower at ${i}`);
    });
  });

  it('ATR(14) equals trading-signals ATR (Wilder, SMA-seeded) from the 14th candle on', () => {
    const ours = new Atr(14);
    const ref = new ATR(14);
    SERIES.forEach((c, i) => {
      const expected = ref.add(c);
      const actual = ours.update(c);
      if (expected === null) expect(actual, `ATR warming at ${i}`).toBeUndefined();
      else expectNear(actual, expected, `ATR at ${i}`);
    });
  });

  it('SuperTrend(10, 3) gives trading-signals SuperTrend line and trend on every candle', () => {
    const ours = new SuperTrend(10, 3);
    const ref = new TsSuperTrend({ interval: 10, multiplier: 3 });
    let flips = 0;
    let previous: string | undefined;
    SERIES.forEach((c, i) => {
      const expected = ref.add(c);
      const actual = ours.update(c);
      if (expected === null) {
        expect(actual, `SuperTrend warming at ${i}`).toBeUndefined();
        return;
      }
      expectNear(actual?.value, expected.supertrend, `line at ${i}`);
      expect(actual?.direction, `trend at ${i}`).toBe(expected.trend === 'BULLISH' ? 'bullish' : 'bearish');
      expect(actual?.flipped, `flip flag at ${i}`).toBe(
        previous !== undefined && previous !== actual?.direction,
      );
      if (actual?.flipped === true) flips++;
      previous = actual?.direction;
    });
    expect(flips, 'the series is choppy enough to exercise both band rules').toBeGreaterThan(10);
  });

  it('VWAP equals a fresh trading-signals VWAP per session, which skips zero-volume candles as we do', () => {
    const ours = new Vwap();
    let ref = new VWAP();
    SERIES.forEach((c, i) => {
      if (i % CANDLES_PER_SESSION === 0) ref = new VWAP(); // ours restarts by itself; theirs never does
      if (c.volume > 0) ref.add(c);
      const actual = ours.update(c);
      const expected = ref.getResult();
      if (expected === null) expect(actual, `no volume yet in the session at ${i}`).toBeUndefined();
      else expectNear(actual, expected, `VWAP at ${i}`);
    });
  });

  it('differs from trading-signals VWAP where that one is wrong: replace after a zero-volume candle', () => {
    const c1 = { startMs: 0, open: 100, high: 100, low: 100, close: 100, volume: 10 };
    const quiet = { ...c1, startMs: 60_000, high: 200, low: 200, close: 200, volume: 0 };
    const forming = { ...c1, startMs: 120_000, high: 200, low: 200, close: 200, volume: 10 };
    const ref = new VWAP();
    ref.add(c1);
    ref.add(quiet);
    expect(ref.replace(forming), 'theirs: c1 is taken back, as if it were the forming candle').toBe(200);
    const ours = new Vwap({ sessionOf: () => 0 });
    ours.update(c1);
    ours.update(quiet);
    expect(ours.replace(forming), 'ours: (100 × 10 + 200 × 10) / 20').toBe(150);
  });
});
