import { describe, expect, it } from 'vitest';
import { Atr, trueRange } from './atr.js';
import { ohlc } from './fixtures/series.js';

describe('trueRange', () => {
  it('is the widest of high − low and the gaps from the previous close', () => {
    expect(trueRange(12, 8, Number.NaN), 'first candle: high − low').toBe(4);
    expect(trueRange(13, 9, 10), 'inside: high − low').toBe(4);
    expect(trueRange(20, 19, 14), 'gap up: high − previous close').toBe(6);
    expect(trueRange(10, 9, 14), 'gap down: previous close − low').toBe(5);
  });
});

describe('Atr', () => {
  it('seeds with the mean of the first `period` true ranges, then smooths by 1/period, hand-worked', () => {
    const atr = new Atr(2);
    expect(atr.update(ohlc(0, 10, 12, 8, 10)), 'TR 4, warming').toBeUndefined();
    expect(atr.update(ohlc(1, 10, 13, 9, 12)), 'TR 4: mean(4, 4)').toBe(4);
    expect(atr.update(ohlc(2, 12, 15, 13, 14)), 'TR max(2, 3, 1) = 3: 4 + (3 − 4) / 2').toBe(3.5);
    expect(atr.update(ohlc(3, 19, 20, 19, 19)), 'gap: TR 6: 3.5 + (6 − 3.5) / 2').toBe(4.75);
  });

  it('takes a forming candle against the last closed close', () => {
    const atr = new Atr(2);
    atr.update(ohlc(0, 10, 12, 8, 10));
    atr.update(ohlc(1, 10, 13, 9, 12));
    expect(atr.replace(ohlc(2, 12, 30, 12, 20)), 'TR 18: 4 + (18 − 4) / 2').toBe(11);
    expect(atr.replace(ohlc(2, 12, 13, 11, 12)), 'revised TR 2: 4 + (2 − 4) / 2').toBe(3);
  });
});
