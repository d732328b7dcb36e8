import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  controlForLeftCurvature,
  controlForRightCurvature,
  minimumShapePreservingControl,
  rationalCubic,
} from './rationalCubic.js';

/** R at x ∈ [xl, xl + h]. */
function at(
  x: number,
  xl: number,
  h: number,
  yl: number,
  yr: number,
  dl: number,
  dr: number,
  r: number,
): number {
  const t = (x - xl) / h;
  return rationalCubic(t, 1 - t, h, yl, yr, dl, dr, r);
}

describe('Delbourgo–Gregory rational cubic', () => {
  it('meets the end values for any control parameter and the end slopes for moderate ones', () => {
    const [xl, h, yl, yr, dl, dr] = [1, 2, 0.5, 3, 0.2, 4];
    for (const r of [-0.5, 3, 10, 1e6]) {
      expect(at(xl, xl, h, yl, yr, dl, dr, r), `R(x_l), r=${r}`).toBeCloseTo(yl, 14);
      expect(at(xl + h, xl, h, yl, yr, dl, dr, r), `R(x_r), r=${r}`).toBeCloseTo(yr, 14);
    }
    // A large r bends R within ~h/r of the ends, too close for a finite difference to see the slope.
    for (const r of [-0.5, 3, 10]) {
      const e = 1e-7;
      const slopeLeft = (at(xl + e, xl, h, yl, yr, dl, dr, r) - yl) / e;
      const slopeRight = (yr - at(xl + h - e, xl, h, yl, yr, dl, dr, r)) / e;
      expect(slopeLeft, `R'(x_l), r=${r}`).toBeCloseTo(dl, 4);
      expect(slopeRight, `R'(x_r), r=${r}`).toBeCloseTo(dr, 4);
    }
  });

  it('is the cubic Hermite interpolant at r = 3 and a straight line as r → ∞', () => {
    const [h, yl, yr, dl, dr] = [1, 0, 1, 0, 3];
    // Hermite with these data is t³.
    expect(rationalCubic(0.5, 0.5, h, yl, yr, dl, dr, 3), 'Hermite at t = ½').toBeCloseTo(0.125, 15);
    expect(rationalCubic(0.5, 0.5, h, yl, yr, dl, dr, 1e12), 'linear at t = ½').toBeCloseTo(0.5, 10);
  });

  it('matches the requested second derivative at the right or left end when that keeps its shape', () => {
    const [h, yl, yr, dl, dr] = [1, 0, 1, 0.5, 2];
    const curvature = 3;
    const right = controlForRightCurvature(h, yl, yr, dl, dr, curvature);
    const left = controlForLeftCurvature(h, yl, yr, dl, dr, 1);
    const e = 1e-4;
    const secondRight =
      (at(1 - 2 * e, 0, h, yl, yr, dl, dr, right) - 2 * at(1 - e, 0, h, yl, yr, dl, dr, right) + 1) / (e * e);
    const secondLeft =
      (at(2 * e, 0, h, yl, yr, dl, dr, left) - 2 * at(e, 0, h, yl, yr, dl, dr, left)) / (e * e);
    expect(secondRight, 'y″ at the right end').toBeCloseTo(curvature, 2);
    expect(secondLeft, 'y″ at the left end').toBeCloseTo(1, 2);
  });

  it('stays monotone and convex on monotone convex data whatever curvature is asked for (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.double({ min: 1.01, max: 50, noNaN: true }),
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        (slopeLeft, steepness, curvature) => {
          // Data on [0, 1] from 0 to 1 with d_l < 1 < d_r: increasing and convex.
          const slopeRight = steepness;
          const r = controlForRightCurvature(1, 0, 1, slopeLeft, slopeRight, curvature);
          expect(r, 'at least the shape-preserving minimum').toBeGreaterThanOrEqual(
            minimumShapePreservingControl(slopeLeft, slopeRight, 1),
          );
          let previous = 0;
          let previousSlope = -1;
          for (let i = 1; i <= 64; i++) {
            const value = at(i / 64, 0, 1, 0, 1, slopeLeft, slopeRight, r);
            const slope = (value - previous) * 64;
            expect(value, 'monotone').toBeGreaterThanOrEqual(previous - 1e-12);
            expect(slope, 'convex').toBeGreaterThanOrEqual(previousSlope - 1e-9);
            previous = value;
            previousSlope = slope;
          }
        },
      ),
    );
  });
});
