import { describe, expect, it } from 'vitest';
import { isIfError } from '../../core/errors.js';
import { flat } from './fixtures/series.js';
import { Sma } from './sma.js';

describe('Sma', () => {
  it('averages the last `period` closes, hand-worked', () => {
    const sma = new Sma(3);
    expect(sma.update(flat(0, 10)), 'one close of three').toBeUndefined();
    expect(sma.update(flat(1, 20)), 'two closes of three').toBeUndefined();
    expect(sma.isStable, 'still warming').toBe(false);
    expect(sma.update(flat(2, 30)), '(10 + 20 + 30) / 3').toBe(20);
    expect(sma.update(flat(3, 40)), '10 drops out: (20 + 30 + 40) / 3').toBe(30);
    expect(sma.isStable && sma.count === 4, 'stable after four closed candles').toBe(true);
  });

  it('shows a forming candle on top of the committed window and forgets it on the close', () => {
    const sma = new Sma(3);
    for (const [i, c] of [10, 20, 30].entries()) sma.update(flat(i, c));
    expect(sma.replace(flat(3, 70)), '(20 + 30 + 70) / 3').toBeCloseTo(40, 12);
    expect(sma.replace(flat(3, 40)), 'revised: (20 + 30 + 40) / 3').toBe(30);
    expect(sma.forming, 'the value includes the forming candle').toBe(true);
    expect(sma.update(flat(3, 100)), 'the close replaces the forming candle: (20 + 30 + 100) / 3').toBe(50);
    expect(sma.forming, 'committed').toBe(false);
  });

  it('gives a value from a forming candle that completes the warm-up', () => {
    const sma = new Sma(2);
    sma.update(flat(0, 10));
    expect(sma.replace(flat(1, 30)), '(10 + 30) / 2 with the second candle still forming').toBe(20);
    expect(sma.count, 'the forming candle is not counted').toBe(1);
  });

  it('rejects a period that is not a positive integer with IF_ERR_VALIDATION', () => {
    for (const period of [0, -3, 2.5, Number.NaN]) {
      let error: unknown;
      try {
        new Sma(period);
      } catch (e) {
        error = e;
      }
      expect(isIfError(error, 'IF_ERR_VALIDATION'), `period ${period}`).toBe(true);
    }
  });
});
