import { describe, expect, it } from 'vitest';
import { isIfError } from '../../core/errors.js';
import { butterflyArbitrage, calendarArbitrage } from './arbitrage.js';
import { type SviParams, sviImpliedVol, sviTotalVariance } from './svi.js';

// Axel Vogt's slice (Gatheral & Jacquier 2014, example 3.1): valid raw SVI, yet g(k) < 0 in the call wing.
const VOGT: SviParams = { a: -0.041, b: 0.1331, rho: 0.306, m: 0.3586, sigma: 0.4153 };
// Reference §3.2 weekly slice: g > 0 at every tabulated k.
const GOOD: SviParams = { a: 0.0001, b: 0.004, rho: -0.7, m: 0.005, sigma: 0.01 };

/** SSVI power-law slice written as raw SVI (Gatheral–Jacquier), as in reference §3.2. */
function ssvi(theta: number, rho: number, eta: number, gamma: number): SviParams {
  const phi = eta / (theta ** gamma * (1 + theta) ** (1 - gamma));
  return {
    a: (theta / 2) * (1 - rho * rho),
    b: (theta * phi) / 2,
    rho,
    m: -rho / phi,
    sigma: Math.sqrt(1 - rho * rho) / phi,
  };
}

describe('butterflyArbitrage', () => {
  it("flags Vogt's slice with one violating region in the call wing", () => {
    const check = butterflyArbitrage(VOGT);
    expect(check.arbitrageFree, 'known-bad slice').toBe(false);
    expect(check.worst, 'g goes negative').toBeLessThan(-0.03);
    expect(check.violations.length, 'one contiguous region').toBe(1);
    const region = check.violations[0];
    expect(region?.from, 'region starts past the money').toBeGreaterThan(0.6);
    expect(region?.to, 'region ends before k = 1.3').toBeLessThan(1.3);
    expect(check.kAtWorst, 'worst point inside the region').toBeGreaterThan(region?.from ?? 0);
  });

  it('passes the reference weekly slice and an SSVI slice that meets the butterfly-free conditions', () => {
    expect(butterflyArbitrage(GOOD).arbitrageFree, 'reference slice').toBe(true);
    // η(1+|ρ|) = 1.92 ≤ 2 with γ = ½: butterfly-free by Gatheral–Jacquier's theorem.
    const slice = ssvi(0.13 ** 2 * (35 / 365), -0.6, 1.2, 0.5);
    const check = butterflyArbitrage(slice);
    expect(check.arbitrageFree, 'SSVI slice').toBe(true);
    expect(check.worst, 'g stays positive').toBeGreaterThan(0);
  });

  it('rejects a malformed grid with a coded error', () => {
    let caught: unknown;
    try {
      butterflyArbitrage(GOOD, { kMin: 1, kMax: -1, steps: 10 });
    } catch (err) {
      caught = err;
    }
    expect(isIfError(caught, 'IF_ERR_VALIDATION'), 'kMin > kMax').toBe(true);
  });
});

describe('calendarArbitrage', () => {
  const T1 = 7 / 365;
  const T2 = 35 / 365;
  const near = ssvi(0.12 ** 2 * T1, -0.6, 1.2, 0.5);
  const far = ssvi(0.13 ** 2 * T2, -0.6, 1.2, 0.5);

  it('reproduces the reference SSVI values for the two expiries', () => {
    expect(sviTotalVariance(near, -0.05), 'T1 w(-0.05)').toBeCloseTo(0.00102889719435, 14);
    expect(sviTotalVariance(near, 0.05), 'T1 w(0.05)').toBeCloseTo(0.000269053030551, 14);
    expect(sviTotalVariance(far, -0.05), 'T2 w(-0.05)').toBeCloseTo(0.00334702604637, 14);
    expect(sviTotalVariance(far, 0.05), 'T2 w(0.05)').toBeCloseTo(0.0010554601734, 13);
    expect(sviImpliedVol(near, -0.05, T1), 'T1 IV(-0.05)').toBeCloseTo(0.231624, 6);
    expect(sviImpliedVol(far, 0.05, T2), 'T2 IV(0.05)').toBeCloseTo(0.104914, 6);
  });

  it('passes 7-day then 35-day SSVI slices and flags them when swapped', () => {
    expect(calendarArbitrage(near, far).arbitrageFree, 'later expiry has more variance everywhere').toBe(
      true,
    );
    const swapped = calendarArbitrage(far, near);
    expect(swapped.arbitrageFree, 'earlier expiry above the later one').toBe(false);
    expect(swapped.violations, 'the whole grid fails').toEqual([{ from: -1.5, to: 1.5 }]);
  });

  it('locates the crossing region of two slices that intersect', () => {
    // near: flat w = 0.01; far: 0.004 + 0.05·√(k² + 0.01), below near for |k| < √(0.0144 − 0.01) ≈ 0.0663.
    const flat: SviParams = { a: 0.01, b: 0, rho: 0, m: 0, sigma: 0.1 };
    const smile: SviParams = { a: 0.004, b: 0.05, rho: 0, m: 0, sigma: 0.1 };
    const check = calendarArbitrage(flat, smile, { kMin: -0.2, kMax: 0.2, steps: 4000 });
    const edge = Math.sqrt(0.0044);
    expect(check.violations.length, 'one region').toBe(1);
    expect(Math.abs((check.violations[0]?.from ?? 0) + edge), 'left edge within a grid step').toBeLessThan(
      1e-4,
    );
    expect(Math.abs((check.violations[0]?.to ?? 0) - edge), 'right edge within a grid step').toBeLessThan(
      1e-4,
    );
    expect(check.kAtWorst, 'deepest at the money').toBeCloseTo(0, 10);
    expect(check.worst, 'w_far − w_near at k = 0').toBeCloseTo(-0.001, 12);
  });
});
