import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { black76, expectedAverageVariance, normCdf, ssviSlice, sviTotalVariance } from './pricing.js';

describe('normCdf', () => {
  it('matches reference values to 1e-14 absolute', () => {
    // Values of Φ from mpmath at 30 digits.
    const cases: [number, number][] = [
      [0, 0.5],
      [-1, 0.158655253931457],
      [-2, 0.0227501319481792],
      [-3, 0.00134989803163009],
      [0.5, 0.691462461274013],
      [-8, 6.22096057427178e-16],
      [2.5, 0.993790334674224],
    ];
    for (const [x, expected] of cases) {
      expect(Math.abs(normCdf(x) - expected), `Φ(${x})`).toBeLessThan(1e-14);
    }
  });
});

describe('black76', () => {
  it('reproduces the reference Black-76 call for F=K=100, σ=20%, T=1, D=1', () => {
    // ATM Black price 100·(2Φ(0.1) − 1) = 7.965567455405804
    expect(black76(100, 100, 0.04, 1, true)).toBeCloseTo(7.965567455405804, 12);
  });

  it('property: put-call parity C − P = D(F − K) holds to 1e-9 relative', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1000, max: 100_000, noNaN: true }),
        fc.double({ min: 0.8, max: 1.25, noNaN: true }),
        fc.double({ min: 1e-6, max: 0.2, noNaN: true }),
        fc.double({ min: 0.9, max: 1, noNaN: true }),
        (forward, ratio, w, discount) => {
          const strike = forward * ratio;
          const call = black76(forward, strike, w, discount, true);
          const put = black76(forward, strike, w, discount, false);
          expect(Math.abs(call - put - discount * (forward - strike)), 'parity').toBeLessThan(1e-9 * forward);
          expect(call, 'call is not negative').toBeGreaterThanOrEqual(0);
          expect(put, 'put is not negative').toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});

describe('SSVI slice as raw SVI', () => {
  it('reproduces the reference §3.2 SSVI values (η=1.2, γ=0.5, ρ=−0.6, 7-day ATM 12%)', () => {
    const svi = ssviSlice(0.0002761643836, -0.6, 1.2, 0.5);
    expect(sviTotalVariance(svi, -0.05)).toBeCloseTo(0.00102889719435, 12);
    expect(sviTotalVariance(svi, 0.05)).toBeCloseTo(0.000269053030551, 12);
    expect(sviTotalVariance(svi, 0), 'ATM total variance is θ').toBeCloseTo(0.0002761643836, 15);
  });

  it('has a put skew: lower strikes carry more variance than higher ones', () => {
    const svi = ssviSlice(0.0005, -0.65, 1, 0.5);
    expect(sviTotalVariance(svi, -0.03)).toBeGreaterThan(sviTotalVariance(svi, 0.03));
  });
});

describe('expectedAverageVariance', () => {
  it('starts at the current variance and tends to the long-run level', () => {
    expect(expectedAverageVariance(0.04, 0.01, 5, 0)).toBe(0.04);
    expect(expectedAverageVariance(0.04, 0.01, 5, 100)).toBeCloseTo(0.01, 3);
  });
});
