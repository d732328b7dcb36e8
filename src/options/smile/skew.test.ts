import { describe, expect, it } from 'vitest';
import { isIfError } from '../../core/errors.js';
import { normCdf } from './normal.js';
import { atmImpliedVol, butterfly25d, deltaSkew, deltaStrike, riskReversal25d } from './skew.js';
import { type SviParams, sviTotalVariance } from './svi.js';

const T = 7 / 365;
const PUT_SKEW: SviParams = { a: 0.0001, b: 0.004, rho: -0.7, m: 0.005, sigma: 0.01 };
const CALL_SKEW: SviParams = { ...PUT_SKEW, rho: 0.7, m: -0.005 };
// b = 0 makes the smile flat: w = a everywhere, σ = √(a/T).
const FLAT: SviParams = { a: 0.12 ** 2 * T, b: 0, rho: 0, m: 0, sigma: 0.01 };
const PHI_INV_25 = -0.6744897501960817; // Φ⁻¹(0.25)

function forwardCallDelta(params: SviParams, k: number): number {
  const s = Math.sqrt(sviTotalVariance(params, k));
  return normCdf(-k / s + s / 2);
}

describe('delta strikes on the smile', () => {
  it('solves the undiscounted forward delta exactly on a skewed smile', () => {
    const callK = deltaStrike(PUT_SKEW, T, 0.25, 'call');
    const putK = deltaStrike(PUT_SKEW, T, 0.25, 'put');
    expect(forwardCallDelta(PUT_SKEW, callK), 'call delta N(d1) = 0.25').toBeCloseTo(0.25, 12);
    expect(1 - forwardCallDelta(PUT_SKEW, putK), 'put delta |N(-d1)| = 0.25').toBeCloseTo(0.25, 12);
    expect(callK, '25-delta call is OTM (K > F)').toBeGreaterThan(0);
    expect(putK, '25-delta put is OTM (K < F)').toBeLessThan(0);
    expect(deltaStrike(PUT_SKEW, T, 0.1, 'put'), '10-delta put lies further out').toBeLessThan(putK);
  });

  it('matches the closed form k = ∓Φ⁻¹(0.25)·σ√T + σ²T/2 on a flat smile', () => {
    const s = 0.12 * Math.sqrt(T);
    expect(deltaStrike(FLAT, T, 0.25, 'call'), 'call').toBeCloseTo(-PHI_INV_25 * s + (s * s) / 2, 12);
    expect(deltaStrike(FLAT, T, 0.25, 'put'), 'put').toBeCloseTo(PHI_INV_25 * s + (s * s) / 2, 12);
  });

  it('rejects a delta outside (0, 1) and a non-positive time', () => {
    for (const [delta, t] of [
      [0, T],
      [1, T],
      [0.25, 0],
    ] as const) {
      let caught: unknown;
      try {
        deltaStrike(PUT_SKEW, t, delta, 'call');
      } catch (err) {
        caught = err;
      }
      expect(isIfError(caught, 'IF_ERR_VALIDATION'), `delta=${delta} T=${t}`).toBe(true);
    }
  });
});

describe('ATM IV, 25-delta risk reversal and butterfly', () => {
  it('reads ATM IV at k = 0 (reference table: 0.0909735410795)', () => {
    expect(atmImpliedVol(PUT_SKEW, T), 'ATM-forward IV').toBeCloseTo(0.0909735410795, 11);
  });

  it('gives a negative risk reversal for a put-skewed smile and positive for a call-skewed one', () => {
    expect(riskReversal25d(PUT_SKEW, T), 'put skew: puts richer than calls').toBeLessThan(-0.01);
    expect(riskReversal25d(CALL_SKEW, T), 'call skew: calls richer than puts').toBeGreaterThan(0.01);
  });

  it('gives a positive butterfly for a convex smile and zero RR and BF for a flat one', () => {
    expect(butterfly25d(PUT_SKEW, T), 'wings above ATM').toBeGreaterThan(0);
    expect(Math.abs(riskReversal25d(FLAT, T)), 'flat RR').toBeLessThan(1e-14);
    expect(Math.abs(butterfly25d(FLAT, T)), 'flat BF').toBeLessThan(1e-14);
  });

  it('assembles RR and BF from the same strikes and vols it reports', () => {
    const skew = deltaSkew(PUT_SKEW, T);
    expect(skew.riskReversal, 'RR = σc − σp').toBe(skew.callIv - skew.putIv);
    expect(skew.butterfly, 'BF = ½(σc + σp) − σATM').toBe((skew.callIv + skew.putIv) / 2 - skew.atmIv);
    expect(skew.putIv, 'put wing richer than ATM on a put skew').toBeGreaterThan(skew.atmIv);
  });
});
