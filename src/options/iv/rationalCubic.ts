/**
 * Delbourgo–Gregory (1985) rational cubic interpolation on one interval, as Let's Be Rational uses it for
 * its initial guesses. With h = x_r − x_l, t = (x − x_l)/h, end values y_l, y_r, end slopes d_l, d_r and
 * control parameter r:
 *
 *   R(t) = [y_r t³ + (r·y_r − h·d_r) t²(1−t) + (r·y_l + h·d_l) t(1−t)² + y_l (1−t)³] / [1 + (r−3) t(1−t)]
 *
 * r = 3 is the cubic Hermite interpolant, r → ∞ the straight line. The control parameter is chosen to match
 * a second derivative at one end, then raised to the smallest value that keeps the interpolant monotone
 * and convex/concave like its data (shape preservation), so the initial guess never leaves the bracket.
 */

/** Just above −1: the denominator 1 + (r−3)t(1−t) stays positive for every t in [0, 1]. */
const MINIMUM_CONTROL = -(1 - Math.sqrt(Number.EPSILON));
/** Large enough to be a straight line in double, small enough that r·y cannot overflow. */
const MAXIMUM_CONTROL = 2 / (Number.EPSILON * Number.EPSILON);

/**
 * R at t = (x − x_l)/h, with 1 − t passed separately so a caller who knows x_r − x exactly keeps its
 * digits near the right end. Dimension of y.
 */
export function rationalCubic(
  t: number,
  oneMinusT: number,
  h: number,
  yLeft: number,
  yRight: number,
  slopeLeft: number,
  slopeRight: number,
  control: number,
): number {
  const t2 = t * t;
  const u2 = oneMinusT * oneMinusT;
  const numerator =
    yRight * t2 * t +
    (control * yRight - h * slopeRight) * t2 * oneMinusT +
    (control * yLeft + h * slopeLeft) * t * u2 +
    yLeft * u2 * oneMinusT;
  return numerator / (1 + (control - 3) * t * oneMinusT);
}

/**
 * Smallest control parameter that keeps R monotone where the data are monotone and convex (concave)
 * where they are convex (concave): the Delbourgo–Gregory sufficient conditions.
 */
export function minimumShapePreservingControl(slopeLeft: number, slopeRight: number, secant: number): number {
  const monotone = slopeLeft * secant >= 0 && slopeRight * secant >= 0;
  const convex = slopeLeft <= secant && secant <= slopeRight;
  const concave = slopeLeft >= secant && secant >= slopeRight;
  let minimum = MINIMUM_CONTROL;
  if (monotone && secant !== 0) minimum = Math.max(minimum, (slopeLeft + slopeRight) / secant);
  if (convex || concave) {
    const spread = slopeRight - slopeLeft;
    minimum = Math.max(
      minimum,
      boundedRatio(spread, slopeRight - secant),
      boundedRatio(spread, secant - slopeLeft),
    );
  }
  return Math.min(minimum, MAXIMUM_CONTROL);
}

/** |a/b|, capped; 0/0 counts as no constraint. */
function boundedRatio(a: number, b: number): number {
  if (b === 0) return a === 0 ? MINIMUM_CONTROL : MAXIMUM_CONTROL;
  return Math.min(Math.abs(a / b), MAXIMUM_CONTROL);
}

function clampControl(value: number, minimum: number): number {
  if (Number.isNaN(value) || value < minimum) return minimum;
  return Math.min(value, MAXIMUM_CONTROL);
}

/**
 * Control parameter matching the second derivative `curvatureRight` at x_r, floored for shape
 * preservation: r = (½·h·y''_r + d_r − d_l)/(d_r − Δ), Δ = (y_r − y_l)/h.
 */
export function controlForRightCurvature(
  h: number,
  yLeft: number,
  yRight: number,
  slopeLeft: number,
  slopeRight: number,
  curvatureRight: number,
): number {
  const secant = (yRight - yLeft) / h;
  const matched = (0.5 * h * curvatureRight + slopeRight - slopeLeft) / (slopeRight - secant);
  return clampControl(matched, minimumShapePreservingControl(slopeLeft, slopeRight, secant));
}

/**
 * Control parameter matching the second derivative `curvatureLeft` at x_l, floored for shape
 * preservation: r = (½·h·y''_l + d_r − d_l)/(Δ − d_l).
 */
export function controlForLeftCurvature(
  h: number,
  yLeft: number,
  yRight: number,
  slopeLeft: number,
  slopeRight: number,
  curvatureLeft: number,
): number {
  const secant = (yRight - yLeft) / h;
  const matched = (0.5 * h * curvatureLeft + slopeRight - slopeLeft) / (secant - slopeLeft);
  return clampControl(matched, minimumShapePreservingControl(slopeLeft, slopeRight, secant));
}
