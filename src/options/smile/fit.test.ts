import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIfError } from '../../core/errors.js';
import { SeededRandom } from '../../core/random.js';
import { fitSvi, type SviPoint } from './fit.js';
import { type SviParams, sviImpliedVol, sviTotalVariance, sviViolations } from './svi.js';

const WEEKLY: SviParams = { a: 0.0001, b: 0.004, rho: -0.7, m: 0.005, sigma: 0.01 };
const MONTHLY: SviParams = { a: 0.02, b: 0.12, rho: -0.4, m: 0.03, sigma: 0.15 };

function sample(params: SviParams, kMin: number, kMax: number, n: number): SviPoint[] {
  const out: SviPoint[] = [];
  for (let i = 0; i < n; i++) {
    const k = kMin + ((kMax - kMin) * i) / (n - 1);
    out.push({ k, w: sviTotalVariance(params, k) });
  }
  return out;
}

function expectParamsClose(got: SviParams, want: SviParams, tol: number, why: string): void {
  for (const key of ['a', 'b', 'rho', 'm', 'sigma'] as const) {
    expect(Math.abs(got[key] - want[key]), `${why}: ${key}`).toBeLessThan(
      tol * Math.max(1, Math.abs(want[key])),
    );
  }
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isIfError(err) ? err.code : 'not an IfError';
  }
  return undefined;
}

describe('fitSvi', () => {
  it('recovers a weekly NIFTY-like slice exactly from noiseless points', () => {
    const fit = fitSvi(sample(WEEKLY, -0.08, 0.04, 21));
    expectParamsClose(fit.params, WEEKLY, 1e-7, 'weekly');
    expect(fit.rmse, 'noiseless points fit to rounding').toBeLessThan(1e-14);
    expect(fit.points, 'all points used').toBe(21);
  });

  it('recovers a monthly slice with a wide strike range exactly from noiseless points', () => {
    const fit = fitSvi(sample(MONTHLY, -0.4, 0.4, 21));
    expectParamsClose(fit.params, MONTHLY, 1e-7, 'monthly');
    expect(fit.rmse, 'noiseless points fit to rounding').toBeLessThan(1e-13);
  });

  it('stays within half a vol point of the true smile when IVs carry 1% seeded noise', () => {
    const rng = new SeededRandom(20261125);
    const t = 7 / 365;
    const noisy = sample(WEEKLY, -0.08, 0.04, 25).map((p) => {
      const iv = Math.sqrt(p.w / t) * (1 + 0.01 * rng.normal());
      return { k: p.k, w: iv * iv * t };
    });
    const fit = fitSvi(noisy);
    for (let k = -0.08; k <= 0.04; k += 0.005) {
      const err = Math.abs(sviImpliedVol(fit.params, k, t) - sviImpliedVol(WEEKLY, k, t));
      expect(err, `IV error at k=${k.toFixed(3)}`).toBeLessThan(0.005);
    }
    expect(sviViolations(fit.params), 'a noisy fit is still valid raw SVI').toEqual([]);
  });

  it('ignores a zero-weight outlier and is pulled by it when it carries weight', () => {
    const clean = sample(WEEKLY, -0.08, 0.04, 21);
    const outlier: SviPoint = { k: 0.002, w: 3 * sviTotalVariance(WEEKLY, 0.002), weight: 0 };
    const fit = fitSvi([...clean, outlier]);
    expectParamsClose(fit.params, WEEKLY, 1e-7, 'zero weight drops the point');
    expect(fit.points, 'the zero-weight point is not counted').toBe(21);
    const pulled = fitSvi([...clean, { ...outlier, weight: 1 }]);
    expect(pulled.rmse, 'a weighted outlier leaves a residual').toBeGreaterThan(1e-6);
  });

  it('is deterministic: the same points give the identical fit, with or without a previous seed', () => {
    const points = sample(MONTHLY, -0.3, 0.3, 15);
    const first = fitSvi(points);
    expect(fitSvi(points), 'same input, same output').toEqual(first);
    const seeded = fitSvi(points, { initial: first.params });
    expect(seeded.rmse, 'seeding with the previous fit cannot make it worse').toBeLessThanOrEqual(
      first.rmse + 1e-15,
    );
  });

  it('returns valid raw SVI (b >= 0, |rho| < 1, sigma > 0, min w >= 0, Lee bound) for arbitrary points', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-5, max: 0.05, noNaN: true }), { minLength: 5, maxLength: 12 }),
        fc.double({ min: 0.02, max: 0.5, noNaN: true }),
        (ws, halfSpan) => {
          const points = ws.map((w, i) => ({ k: -halfSpan + (2 * halfSpan * i) / (ws.length - 1), w }));
          const fit = fitSvi(points, { maxIterations: 150 });
          expect(sviViolations(fit.params), `fit of ${JSON.stringify(points)}`).toEqual([]);
          expect(Math.abs(fit.params.rho), 'rho stays inside maxRho').toBeLessThanOrEqual(0.999 + 1e-12);
          expect(Number.isFinite(fit.rmse), 'finite RMSE').toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('fits random valid slices to rounding (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          a: fc.double({ min: 0, max: 0.01, noNaN: true }),
          b: fc.double({ min: 0.001, max: 0.5, noNaN: true }),
          rho: fc.double({ min: -0.9, max: 0.9, noNaN: true }),
          m: fc.double({ min: -0.05, max: 0.05, noNaN: true }),
          sigma: fc.double({ min: 0.005, max: 0.2, noNaN: true }),
        }),
        (truth) => {
          const points = sample(truth, -0.25, 0.25, 21);
          const fit = fitSvi(points);
          const scale = Math.max(...points.map((p) => p.w));
          expect(fit.rmse / scale, `relative RMSE for ${JSON.stringify(truth)}`).toBeLessThan(1e-8);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('refuses too few strikes with IF_ERR_SMILE_FIT and corrupt points with IF_ERR_VALIDATION', () => {
    const four = sample(WEEKLY, -0.05, 0.05, 4);
    expect(
      codeOf(() => fitSvi(four)),
      'four strikes cannot pin five parameters',
    ).toBe('IF_ERR_SMILE_FIT');
    const repeated = [...four, { k: four[0]?.k ?? 0, w: 0.0002 }];
    expect(
      codeOf(() => fitSvi(repeated)),
      'a repeated strike is not a fifth strike',
    ).toBe('IF_ERR_SMILE_FIT');
    const bad = [...sample(WEEKLY, -0.05, 0.05, 6), { k: 0, w: Number.NaN }];
    expect(
      codeOf(() => fitSvi(bad)),
      'NaN variance',
    ).toBe('IF_ERR_VALIDATION');
    const negative = [...sample(WEEKLY, -0.05, 0.05, 6), { k: 0, w: -1e-4 }];
    expect(
      codeOf(() => fitSvi(negative)),
      'negative variance',
    ).toBe('IF_ERR_VALIDATION');
    const flat = sample({ ...WEEKLY, a: 0, b: 0 }, -0.05, 0.05, 6);
    expect(
      codeOf(() => fitSvi(flat)),
      'all-zero variance',
    ).toBe('IF_ERR_SMILE_FIT');
  });
});
