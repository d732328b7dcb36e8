import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../core/random.js';
import { RollingWindow, WilderAverage } from './stats.js';

function naive(values: readonly number[]): { mean: number; variance: number } {
  const mean = values.reduce((s, x) => s + x, 0) / values.length;
  return { mean, variance: values.reduce((s, x) => s + (x - mean) ** 2, 0) / values.length };
}

describe('RollingWindow', () => {
  it('matches a two-pass mean and variance over the last `length` values, fractional inputs included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.double({ min: 1, max: 1e7, noNaN: true }), { minLength: 1, maxLength: 60 }),
        (length, values) => {
          const w = new RollingWindow(length, true);
          values.forEach((x, i) => {
            w.push(x);
            const ref = naive(values.slice(Math.max(0, i + 1 - length), i + 1));
            expect(Math.abs(w.mean() - ref.mean), 'mean').toBeLessThanOrEqual(1e-9 * ref.mean);
            // variance of values up to 1e7 carries absolute rounding of ~1e-16 × 1e14
            expect(Math.abs(w.variance() - ref.variance), 'variance').toBeLessThanOrEqual(
              1e-9 * ref.variance + 0.05,
            );
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('does not drift over 100k fractional pushes (the periodic resync bounds the error)', () => {
    const random = new SeededRandom(3);
    const w = new RollingWindow(50, true);
    const last: number[] = [];
    let price = 25_000;
    for (let i = 0; i < 100_000; i++) {
      price += random.normal() * 3.37; // rupees with fractions: not exact in binary
      w.push(price);
      last.push(price);
      if (last.length > 50) last.shift();
    }
    const ref = naive(last);
    expect(Math.abs(w.mean() - ref.mean), 'mean after 100k pushes').toBeLessThan(1e-9);
    expect(Math.abs(w.variance() - ref.variance) / ref.variance, 'variance after 100k pushes').toBeLessThan(
      1e-9,
    );
  });

  it('previews a push without changing the window', () => {
    const w = new RollingWindow(3, true);
    for (const x of [1, 2, 3]) w.push(x);
    expect(w.meanWith(9), 'mean of 2, 3, 9').toBeCloseTo(14 / 3, 12);
    expect(w.varianceWith(9), 'variance of 2, 3, 9').toBeCloseTo(naive([2, 3, 9]).variance, 12);
    expect([w.mean(), w.size], 'mean and size untouched').toEqual([2, 3]);
    expect(w.variance(), 'variance untouched').toBeCloseTo(2 / 3, 12);
  });
});

describe('WilderAverage', () => {
  it('seeds with the simple mean, then moves 1/period of the way to each input', () => {
    const avg = new WilderAverage(4);
    for (const x of [1, 2, 3]) avg.push(x);
    expect([avg.ready, avg.with(6)], 'three of four inputs; a fourth would give (1+2+3+6)/4').toEqual([
      false,
      3,
    ]);
    avg.push(6);
    expect([avg.ready, avg.value], 'seeded').toEqual([true, 3]);
    avg.push(7);
    expect(avg.value, '3 + (7 − 3) / 4').toBe(4);
  });
});
