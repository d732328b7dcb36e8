import { describe, expect, it } from 'vitest';
import { isIfError } from '../../core/errors.js';
import { flat } from './fixtures/series.js';
import { Macd } from './macd.js';

describe('Macd', () => {
  it('reports macd − signal as the histogram once the signal line has warmed up', () => {
    const macd = new Macd(3, 6, 4);
    expect(macd.requiredInputs, 'slow + signal − 1').toBe(9);
    for (let i = 0; i < 8; i++) expect(macd.update(flat(i, 100 + i * i)), `warming at ${i}`).toBeUndefined();
    const value = macd.update(flat(8, 164));
    expect(value, 'ninth candle gives a value').toBeDefined();
    expect(value?.histogram, 'histogram').toBeCloseTo((value?.macd ?? 0) - (value?.signal ?? 0), 9);
    expect(value?.macd, 'accelerating rise: fast EMA above slow').toBeGreaterThan(0);
  });

  it('rejects a fast period not below the slow one with IF_ERR_VALIDATION', () => {
    for (const [fast, slow] of [
      [26, 12],
      [12, 12],
    ] as const) {
      let error: unknown;
      try {
        new Macd(fast, slow, 9);
      } catch (e) {
        error = e;
      }
      expect(isIfError(error, 'IF_ERR_VALIDATION'), `fast ${fast}, slow ${slow}`).toBe(true);
    }
  });
});
