import { describe, expect, it } from 'vitest';
import { RealizedVolatility } from './realizedVolatility.js';

/** Population stdev, annualised for 1-minute bars, worked out directly. */
function annualisedStdev(returns: readonly number[], barMinutes = 1): number {
  const mean = returns.reduce((a, x) => a + x, 0) / returns.length;
  const variance = returns.reduce((a, x) => a + (x - mean) ** 2, 0) / returns.length;
  return Math.sqrt(variance) * Math.sqrt((252 * 375) / barMinutes);
}

describe('RealizedVolatility', () => {
  it('annualises the population stdev of log returns, by hand on a small series', () => {
    const rv = new RealizedVolatility(3, 1);
    for (const c of [100, 101, 100, 102]) rv.update(c, 1);
    const expected = annualisedStdev([Math.log(101 / 100), Math.log(100 / 101), Math.log(102 / 100)]);
    expect(rv.value).toBeCloseTo(expected, 10);
  });

  it('has no value before the window is full and skips the overnight return', () => {
    const rv = new RealizedVolatility(2, 1);
    rv.update(100, 1);
    rv.update(101, 1);
    expect(rv.value).toBeUndefined();
    rv.update(150, 2); // a new session: the 101 → 150 gap is not a return
    expect(rv.value).toBeUndefined();
    rv.update(151, 2);
    expect(rv.value).toBeCloseTo(annualisedStdev([Math.log(101 / 100), Math.log(151 / 150)]), 10);
  });

  it('is zero on a constant series and scales with the bar length', () => {
    const flat = new RealizedVolatility(5, 1);
    for (let i = 0; i < 10; i++) flat.update(2_500_000, 1);
    expect(flat.value).toBe(0);
    const oneMinute = new RealizedVolatility(4, 1);
    const fiveMinute = new RealizedVolatility(4, 5);
    for (const c of [100, 102, 101, 103, 100]) {
      oneMinute.update(c, 1);
      fiveMinute.update(c, 1);
    }
    expect((oneMinute.value ?? 0) / (fiveMinute.value ?? 1)).toBeCloseTo(Math.sqrt(5), 10);
  });
});
