import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erf, erfc, erfcx, normCdf, normPdf, normQuantile } from './normal.js';

/** |a/b − 1|, with b = 0 meaning |a|. */
function relativeError(actual: number, expected: number): number {
  return expected === 0 ? Math.abs(actual) : Math.abs(actual / expected - 1);
}

// 60-digit mpmath values (erfc, exp(y²)·erfc, ncdf, sqrt(2)·erfinv) of the double arguments, rounded to
// the nearest double.
const ERFC: readonly [number, number, number][] = [
  [0.1, 0.8875370839817152, 0.8964569799691267],
  [0.46875, 0.507386526782062, 0.6320696892495561],
  [0.5, 0.4795001221869535, 0.6156903441929259],
  [2, 0.004677734981047266, 0.25539567631050575],
  [4, 1.541725790028002e-8, 0.13699945762506138],
  [4.5, 1.9661604415428876e-10, 0.12248480427384142],
  [10, 2.088487583762545e-45, 0.05614099274382259],
];
const NORM_CDF: readonly [number, number][] = [
  [-37, 5.725571222524577e-300],
  [-20, 2.7536241186062337e-89],
  [-10, 7.619853024160525e-24], // reference §1.8.3
  [-8, 6.220960574271784e-16], // the reference's 6.2209605742718204e-16 is 5.8e-15 off; see below
  [-1, 0.15865525393145705],
  [0.5, 0.6914624612740131],
  [3, 0.9986501019683699],
];
const NORM_QUANTILE: readonly [number, number][] = [
  [1e-300, -37.0470962993612],
  [1e-20, -9.262340089798407],
  [0.001, -3.0902323061678136],
  [0.3, -0.5244005127080408],
  [0.975, 1.9599639845400543],
  [0.999999, 4.753424308817087], // of the double nearest 0.999999, not of the decimal
];

describe('erfc and erfcx (Cody)', () => {
  it.each(ERFC)('erfc(%d) and erfcx(%d) match 60-digit values to 1e-15 relative', (y, erfcRef, erfcxRef) => {
    expect(relativeError(erfc(y), erfcRef), `erfc(${y})`).toBeLessThan(1e-15);
    expect(relativeError(erfcx(y), erfcxRef), `erfcx(${y})`).toBeLessThan(1e-15);
  });

  it('erfcx of negative arguments follows 2·exp(y²) − erfcx(−y)', () => {
    expect(relativeError(erfcx(-0.3), 1.4537492328427655), 'erfcx(−0.3)').toBeLessThan(1e-15);
    expect(relativeError(erfcx(-2), 108.94090438997797), 'erfcx(−2)').toBeLessThan(1e-15);
    expect(relativeError(erfcx(-5), 144009798674.66104), 'erfcx(−5)').toBeLessThan(1e-15);
  });

  it('is continuous across the rational-form boundaries at 0.46875 and 4', () => {
    for (const edge of [0.46875, 4]) {
      // Two ulps either side: erfcx moves by ~1e-16 relative there, so any jump is the forms disagreeing.
      const below = erfcx(edge * (1 - 2 * Number.EPSILON));
      const above = erfcx(edge * (1 + 2 * Number.EPSILON));
      expect(relativeError(below, above), `erfcx jump at ${edge}`).toBeLessThan(1e-15);
    }
  });

  it('keeps erfc(−y) = 2 − erfc(y) and erf = 1 − erfc (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -6, max: 6, noNaN: true }), (y) => {
        expect(Math.abs(erfc(-y) - (2 - erfc(y))), 'reflection').toBeLessThan(4e-16);
        expect(Math.abs(erf(y) - (1 - erfc(y))), 'erf + erfc = 1').toBeLessThan(4e-16);
      }),
    );
  });
});

describe('normal distribution', () => {
  it.each(NORM_CDF)('Φ(%d) matches the 60-digit value to 1e-15 relative, tails included', (z, expected) => {
    expect(relativeError(normCdf(z), expected), `Φ(${z})`).toBeLessThan(1e-15);
  });

  it.each(NORM_QUANTILE)('Φ⁻¹(%d) matches the 60-digit value to 1e-15 relative', (p, expected) => {
    expect(relativeError(normQuantile(p), expected), `Φ⁻¹(${p})`).toBeLessThan(1e-15);
  });

  it('Φ(−8) agrees with the reference §1.8.3 value only to 6e-15, because that printed value is off', () => {
    // mpmath at 50 digits gives 6.2209605742717841e-16; the reference prints 6.2209605742718204e-16.
    expect(relativeError(normCdf(-8), 6.22096057427182e-16), 'Φ(−8) vs reference').toBeLessThan(1e-14);
  });

  it('Φ⁻¹ inverts Φ to its conditioning, from the deep lower tail to the upper body (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -37, max: 8, noNaN: true }), (z) => {
        fc.pre(Math.abs(z) > 1e-3);
        const p = normCdf(z);
        // An error of ε·p in p (relative in the tail, absolute near 1) moves z by ε·p/(φ·|z|) relative.
        const attainable = (8 * Number.EPSILON * p) / (normPdf(z) * Math.abs(z));
        expect(relativeError(normQuantile(p), z), `Φ⁻¹(Φ(${z}))`).toBeLessThan(attainable + 1e-15);
      }),
    );
  });

  it('Φ is monotone and Φ(z) + Φ(−z) = 1 (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -30, max: 30, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (z, dz) => {
          expect(normCdf(z + dz), 'monotone').toBeGreaterThanOrEqual(normCdf(z));
          expect(Math.abs(normCdf(z) + normCdf(-z) - 1), 'symmetry').toBeLessThan(4e-16);
        },
      ),
    );
  });

  it('Φ⁻¹ maps 0 and 1 to ∓∞ and the median to 0', () => {
    expect(normQuantile(0), 'Φ⁻¹(0)').toBe(Number.NEGATIVE_INFINITY);
    expect(normQuantile(1), 'Φ⁻¹(1)').toBe(Number.POSITIVE_INFINITY);
    expect(normQuantile(0.5), 'Φ⁻¹(½)').toBe(0);
  });
});
