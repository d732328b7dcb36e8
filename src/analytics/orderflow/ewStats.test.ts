import { describe, expect, it } from 'vitest';
import { isIfError } from '../../core/errors.js';
import { EwStats } from './ewStats.js';

/** The catalogue code a call throws, so the test asserts on codes, never on message text. */
function codeOf(call: () => unknown): string | undefined {
  try {
    call();
  } catch (error) {
    return isIfError(error) ? error.code : 'not an IfError';
  }
  return undefined;
}

describe('EwStats', () => {
  it('gives z = 0 for a constant stream: no dispersion, no surprise', () => {
    const stats = new EwStats(20);
    for (let i = 0; i < 200; i++) {
      stats.update(10);
      expect(stats.zScore(10), `constant sample ${i}`).toBe(0);
    }
    expect(stats.mean, 'mean of a constant').toBe(10);
    expect(stats.variance, 'variance of a constant').toBe(0);
  });

  it('gives a positive z of sqrt((1 − α)/α) to a jump after a constant run', () => {
    const span = 20;
    const alpha = 2 / (span + 1);
    const stats = new EwStats(span);
    for (let i = 0; i < 100; i++) stats.update(10);
    stats.update(30);
    const z = stats.zScore(30);
    expect(z, 'a wider spread is a positive z').toBeGreaterThan(0);
    expect(z, 'closed form for one jump out of a constant run').toBeCloseTo(
      Math.sqrt((1 - alpha) / alpha),
      12,
    );
    expect(stats.zScore(5), 'below the mean is negative').toBeLessThan(0);
  });

  it('tracks the mean of a stationary alternating stream and forgets on reset', () => {
    const stats = new EwStats(50);
    for (let i = 0; i < 2_000; i++) stats.update(i % 2 === 0 ? 8 : 12);
    expect(stats.mean, 'mean of 8/12 alternation').toBeCloseTo(10, 0);
    expect(Math.sqrt(stats.variance), 'sd of 8/12 alternation').toBeCloseTo(2, 0);
    stats.reset();
    expect(stats.count, 'nothing after reset').toBe(0);
  });

  it('rejects a span below 1 with IF_ERR_VALIDATION', () => {
    for (const span of [0, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(
        codeOf(() => new EwStats(span)),
        `span ${span}`,
      ).toBe('IF_ERR_VALIDATION');
    }
  });
});
