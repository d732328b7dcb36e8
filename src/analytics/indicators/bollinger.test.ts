import { describe, expect, it } from 'vitest';
import { isIfError } from '../../core/errors.js';
import { Bollinger } from './bollinger.js';
import { flat } from './fixtures/series.js';

describe('Bollinger', () => {
  it('puts the bands `multiplier` population σ from the SMA, hand-worked', () => {
    const bands = new Bollinger(8, 2);
    let value: ReturnType<Bollinger['update']>;
    for (const [i, c] of [2, 4, 4, 4, 5, 5, 7, 9].entries()) value = bands.update(flat(i, c));
    expect(value, 'mean 5, population σ 2').toEqual({ upper: 9, middle: 5, lower: 1 });
  });

  it('collapses to the price on a constant series (variance never negative from rounding)', () => {
    const bands = new Bollinger(20, 2);
    for (let i = 0; i < 2_000; i++) bands.update(flat(i, 2_512_345));
    expect(bands.value, 'zero width').toEqual({ upper: 2_512_345, middle: 2_512_345, lower: 2_512_345 });
  });

  it('measures a σ of a few paise exactly at NIFTY price levels, where raw sums of squares lose it', () => {
    const bands = new Bollinger(4, 1);
    const closes = [2_512_340, 2_512_350, 2_512_340, 2_512_350];
    for (const [i, c] of closes.entries()) bands.update(flat(i, c));
    expect(bands.value, 'mean 2,512,345, σ 5').toEqual({
      upper: 2_512_350,
      middle: 2_512_345,
      lower: 2_512_340,
    });
  });

  it('rejects a non-positive multiplier with IF_ERR_VALIDATION', () => {
    let error: unknown;
    try {
      new Bollinger(20, 0);
    } catch (e) {
      error = e;
    }
    expect(isIfError(error, 'IF_ERR_VALIDATION'), 'multiplier 0').toBe(true);
  });
});
