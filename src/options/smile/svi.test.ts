import { describe, expect, it } from 'vitest';
import { isIfError } from '../../core/errors.js';
import { sviDurrlemanG, sviImpliedVol, sviMinimum, sviTotalVariance, sviViolations } from './svi.js';

// Reference §3.2: raw SVI a=0.0001, b=0.004, ρ=−0.7, m=0.005, σ=0.01 at T = 7/365, values from mpmath.
const REF = { a: 0.0001, b: 0.004, rho: -0.7, m: 0.005, sigma: 0.01 };
const T7 = 7 / 365;
const TABLE: readonly [k: number, w: number, iv: number, g: number][] = [
  [-0.06, 0.000545058928759, 0.168585081952, 0.3745],
  [-0.03, 0.000343602197786, 0.133852158418, 0.4759],
  [-0.01, 0.000214111025509, 0.105661538016, 0.7245],
  [0, 0.00015872135955, 0.0909735410795, 1.1099],
  [0.01, 0.00013072135955, 0.0825601912336, 1.22],
  [0.03, 0.000137703296143, 0.0847363162928, 0.8195],
];

describe('raw SVI evaluation', () => {
  it('matches the reference table for w, IV and Durrleman g', () => {
    for (const [k, w, iv, g] of TABLE) {
      expect(sviTotalVariance(REF, k), `w at k=${k}`).toBeCloseTo(w, 14);
      expect(sviImpliedVol(REF, k, T7), `IV at k=${k}`).toBeCloseTo(iv, 11);
      // The table prints g to four decimals.
      expect(Math.abs(sviDurrlemanG(REF, k) - g), `g at k=${k}`).toBeLessThan(6e-5);
    }
  });

  it('finds the minimum variance and its location given by the reference', () => {
    const min = sviMinimum(REF);
    expect(min.w, 'minimum w').toBeCloseTo(0.0001285657137, 13);
    expect(min.k, 'k*').toBeCloseTo(0.01480196059, 10);
    expect(sviTotalVariance(REF, min.k), 'w(k*) equals the minimum').toBeCloseTo(min.w, 16);
  });

  it('rejects a non-positive time to expiry with a coded error', () => {
    let caught: unknown;
    try {
      sviImpliedVol(REF, 0, 0);
    } catch (err) {
      caught = err;
    }
    expect(isIfError(caught, 'IF_ERR_VALIDATION'), 'T = 0 is a validation error').toBe(true);
  });

  it('lists each broken validity condition and none for a valid slice', () => {
    expect(sviViolations(REF), 'the reference slice is valid').toEqual([]);
    expect(sviViolations({ ...REF, b: -1 }).length, 'negative b').toBe(1);
    expect(sviViolations({ ...REF, rho: 1 }).length, '|rho| = 1').toBe(1);
    expect(sviViolations({ ...REF, sigma: 0 }).length, 'sigma = 0').toBe(1);
    expect(sviViolations({ ...REF, a: -0.001 }).length, 'negative minimum variance').toBe(1);
    expect(sviViolations({ ...REF, b: 1.5 }).length, 'Lee bound b(1+|rho|) <= 2').toBe(1);
    expect(sviViolations({ ...REF, m: Number.NaN }), 'non-finite').toEqual(['parameters must be finite']);
  });
});
