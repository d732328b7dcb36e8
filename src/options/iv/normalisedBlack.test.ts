import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  logMoneyness,
  normalisedBlack,
  normalisedBlackComplement,
  normalisedBlackOtmCall,
  normalisedBlackOtmCallAndVega,
  normalisedVega,
  vegaOfLastCall,
} from './normalisedBlack.js';

function relativeError(actual: number, expected: number): number {
  return expected === 0 ? Math.abs(actual) : Math.abs(actual / expected - 1);
}

/** Reference §1.8.3: Jäckel's C++ values, re-checked with mpmath (as the doubles their 17 digits denote). */
const JAECKEL_VECTORS: readonly [number, number, number][] = [
  [-4, 0.5, 3.662218511710212e-17],
  [-1, 0.25, 1.7736606889378073e-6],
  [-0.25, 0.05, 2.672300703998946e-9],
  [-0.01, 0.001, 7.474559337762837e-28],
  [0, 0.2, 0.07965567455405795],
  [-0.5, 4, 0.7335650404160632],
  [-64, 8, 2.6081356343879336e-19],
];

/** 60-digit mpmath values of e^{x/2}Φ(h+t) − e^{−x/2}Φ(h−t), rounded to double, per evaluation region. */
const MPMATH_POINTS: readonly [string, number, number, number][] = [
  ['asymptotic, h = −33', -0.1, 0.003, 5.706794719343437e-248],
  ['asymptotic, h = −20', -2, 0.1, 1.3683094548416367e-91],
  ['small t, h = −3', -0.3, 0.1, 3.8174101940825157e-5],
  ['small t, x ≈ 0', -1e-10, 1e-3, 0.0003989422137788403],
  ['erfcx difference', -0.02, 0.35, 0.1291515894879804],
  ['erfcx difference, both tails', -700, 30, 3.0425957358769497e-169],
  ['erfcx difference, b ≈ 1e-159', -8, 0.3, 6.361838192424413e-159],
  ['erfcx difference, b ≈ 1e-199', -30, 1, 1.4405938487063513e-199],
  ['direct Φ form', -0.5, 2, 0.4666462289193513],
];

describe('normalised Black function b(x, s)', () => {
  it.each(JAECKEL_VECTORS)('b(%d, %d) matches the §1.8.3 vector to 3e-15 relative', (x, s, expected) => {
    // The vectors themselves agree with mpmath to ≤ 1.4e-15 (reference), and b to ≤ 1e-15 here.
    expect(relativeError(normalisedBlackOtmCall(x, s), expected), `b(${x}, ${s})`).toBeLessThan(3e-15);
  });

  it.each(MPMATH_POINTS)('%s: b(%d, %d) matches 60-digit mpmath to 2e-15 relative', (_, x, s, expected) => {
    expect(relativeError(normalisedBlackOtmCall(x, s), expected), `b(${x}, ${s})`).toBeLessThan(2e-15);
  });

  it('normalised vega b′(−1, 0.25) matches the §1.8.3 vector', () => {
    expect(relativeError(normalisedVega(-1, 0.25), 0.00013278875068533744), "b'(−1, 0.25)").toBeLessThan(
      1e-15,
    );
  });

  it('leaves the vega of the point it evaluated for the solver', () => {
    normalisedBlackOtmCallAndVega(-1, 0.25);
    expect(vegaOfLastCall(), 'same as normalisedVega').toBeCloseTo(normalisedVega(-1, 0.25), 20);
  });

  it('the distance to the bound e^{x/2} − b keeps its digits when b is within 1e-15 of the bound', () => {
    expect(
      relativeError(normalisedBlackComplement(-0.5, 12), 1.971547245046687e-9),
      'x=−0.5, s=12',
    ).toBeLessThan(2e-15);
    expect(
      relativeError(normalisedBlackComplement(-0.1, 16), 1.2441685205082186e-15),
      'x=−0.1, s=16',
    ).toBeLessThan(2e-15);
  });

  it('agrees across the region boundaries (h = −13, t = 2ε^{1/16}, h + t = 0.85) to 1e-14', () => {
    const tau = 2 * Number.EPSILON ** (1 / 16);
    const edges: [number, number][] = [
      [-13 * 0.2, 0.2], // h = −13 with t = 0.1 (asymptotic | small t)
      [-13 * 1.2, 1.2], // h = −13 with t = 0.6 (asymptotic | erfcx)
      [-0.3 * 2 * tau, 2 * tau], // t = τ with h = −0.3 (small t | erfcx)
      [(0.85 - 1) * 2, 2], // h + t = 0.85 with t = 1 (erfcx | direct)
    ];
    for (const [x, s] of edges) {
      const sBelow = s * (1 - 4 * Number.EPSILON);
      const sAbove = s * (1 + 4 * Number.EPSILON);
      const below = normalisedBlackOtmCall(x, sBelow);
      const above = normalisedBlackOtmCall(x, sAbove);
      // Remove the true change b′·Δs; what is left is the two forms disagreeing.
      const jump = Math.abs(above - below - normalisedVega(x, s) * (sAbove - sBelow)) / below;
      expect(jump, `jump at x=${x}, s=${s}`).toBeLessThan(1e-14);
    }
  });

  it('satisfies normalised put–call parity b(x,s,call) − b(x,s,put) = 2·sinh(x/2) (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: 1e-3, max: 3, noNaN: true }),
        (x, s) => {
          const parity = normalisedBlack(x, s, true) - normalisedBlack(x, s, false);
          expect(Math.abs(parity - 2 * Math.sinh(0.5 * x)), 'parity').toBeLessThan(
            4 * Number.EPSILON * Math.max(1, Math.exp(0.5 * Math.abs(x))),
          );
        },
      ),
    );
  });

  it('is increasing in s and stays inside (0, e^{x/2}) for out-of-the-money calls (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -5, max: 0, noNaN: true }),
        fc.double({ min: 1e-2, max: 10, noNaN: true }),
        fc.double({ min: 1.001, max: 2, noNaN: true }),
        (x, s, factor) => {
          const b = normalisedBlackOtmCall(x, s);
          expect(b, 'non-negative').toBeGreaterThanOrEqual(0);
          expect(b, 'below the bound').toBeLessThan(Math.exp(0.5 * x));
          expect(normalisedBlackOtmCall(x, s * factor), 'increasing in s').toBeGreaterThanOrEqual(b);
        },
      ),
    );
  });

  it('is 0 at s = 0 and the bound at s = ∞', () => {
    expect(normalisedBlackOtmCall(-0.2, 0), 'b(x, 0)').toBe(0);
    expect(normalisedBlackOtmCall(-0.2, Number.POSITIVE_INFINITY), 'b(x, ∞)').toBe(Math.exp(-0.1));
  });
});

describe('logMoneyness', () => {
  it('keeps relative precision near the money, where F − K is exact', () => {
    // ln(25062.35/25050) to 60 digits: 4.929257… e-4; log(F/K) would carry F/K's absolute rounding.
    const x = logMoneyness(25062.35, 25050);
    expect(relativeError(x, Math.log1p((25062.35 - 25050) / 25050)), 'log1p form').toBe(0);
    expect(logMoneyness(100, 200), 'far from the money').toBeCloseTo(-Math.LN2, 15);
  });
});
