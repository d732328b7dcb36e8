/**
 * Inverse of the normalised Black function after Jäckel, "Let's Be Rational" (2013/2016): an initial guess
 * from one of four rational-interpolation branches, then at most two order-4 Householder steps, each on
 * an objective chosen so that it is close to linear in s on that branch.
 *
 * Anchor points for an out-of-the-money call (x < 0), all closed forms or one b evaluation:
 *   s_c = √(2|x|) (inflection of b in s), v_c = b'(s_c) = φ(0)·e^{x/2},
 *   s_l = s_c − b_c/v_c, s_h = s_c + (b_max − b_c)/v_c, b_max = e^{x/2}.
 * Branches by where β falls: [0, b_l) lower map, [b_l, b_c) and [b_c, b_h] rational cubic in s(β),
 * (b_h, b_max) upper map.
 */

import {
  normalisedBlackAtInflection,
  normalisedBlackComplement,
  normalisedBlackOtmCallAndVega,
  normalisedVega,
  vegaOfLastCall,
} from './normalisedBlack.js';
import {
  erfcx,
  normCdf,
  normPdf,
  normQuantile,
  normQuantileCentral,
  ONE_OVER_SQRT_TWO_PI,
} from './normal.js';
import { controlForLeftCurvature, controlForRightCurvature, rationalCubic } from './rationalCubic.js';

/** Jäckel's constant: two order-4 steps reach maximum attainable precision from these initial guesses. */
const MAXIMUM_ITERATIONS = 2;
/**
 * A step smaller than this (relative to s) leaves an error of order K·(ds/s)⁴ with K < 1 (K ≈ 0.4 at worst
 * over 200k random (x, s) with |x| ≤ 20, s ∈ [1e-3, 3]), i.e. below 1e-17: the second step would only add
 * round-off. About one NIFTY solve in ten stops after one step.
 */
const CONVERGED = 2 ** -14;
const SQRT_THREE = Math.sqrt(3);
/** f_l(s) = (2π/√27)·|x|·Φ(−|x|/(√3·s))³ has df_l/dβ = 1 at β = 0 with this scale. */
const LOWER_MAP_SCALE = (2 * Math.PI) / Math.sqrt(27);
const TWO_PI_OVER_THREE = (2 * Math.PI) / 3;

/** Objective of the Householder steps. */
const DIRECT = 0; // g = b(s) − β
const LOWER = 1; // g = 1/ln b(s) − 1/ln β: close to linear where b is astronomically small
const UPPER = 2; // g = ln((b_max − β)/(b_max − b(s))): close to linear where b is within ulps of b_max

/**
 * Refines `s` by at most two Householder steps of order 4 on the chosen objective g, with ν = −g/g' the
 * Newton step, h₂ = g''/g' and h₃ = g'''/g':  s ← s + ν·(1 + ½h₂ν)/(1 + ν(h₂ + h₃ν/6)).
 * Every evaluation tightens the bracket [sLeft, sRight]; a step that would leave it bisects instead, so
 * no input can drive s negative, infinite or NaN.
 */
function refine(
  beta: number,
  x: number,
  s0: number,
  left: number,
  right: number,
  objective: number,
  bMax: number,
): number {
  let s = s0;
  let sLeft = left;
  let sRight = right;
  let ds = Number.POSITIVE_INFINITY;
  const lnBeta = objective === LOWER ? Math.log(beta) : 0;
  const gap = objective === UPPER ? bMax - beta : 0;
  for (let i = 0; i < MAXIMUM_ITERATIONS && Math.abs(ds) > CONVERGED * s; i++) {
    // b''/b' = x²/s³ − s/4 and b'''/b' = (b''/b')² − 3x²/s⁴ − 1/4 (§1.1), built from h = x/s and x/s² so
    // that neither overflows for a tiny s at the money.
    const inverse = 1 / s;
    const h = x * inverse;
    const q = h * inverse;
    const b2 = q * h - 0.25 * s;
    const b3 = b2 * b2 - 3 * q * q - 0.25;
    let nu: number;
    let h2: number;
    let h3: number;
    let tooLow: boolean;
    if (objective === UPPER) {
      const complement = normalisedBlackComplement(x, s);
      const gPrime = normalisedVega(x, s) / complement;
      tooLow = complement > gap;
      nu = Math.log(complement / gap) / gPrime;
      h2 = b2 + gPrime;
      h3 = b3 + gPrime * (2 * gPrime + 3 * b2);
    } else {
      const b = normalisedBlackOtmCallAndVega(x, s);
      const vega = vegaOfLastCall();
      tooLow = b < beta;
      if (objective === LOWER && b > 0) {
        const lnB = Math.log(b);
        const inverseLnB = 1 / lnB;
        const ratio = vega / b; // b'/b
        const bend = 1 + 2 * inverseLnB;
        nu = ((lnBeta - lnB) * lnB * b) / (lnBeta * vega);
        h2 = b2 - ratio * bend;
        h3 = b3 + 2 * ratio * ratio * (1 + 3 * inverseLnB * (1 + inverseLnB)) - 3 * b2 * ratio * bend;
      } else {
        nu = (beta - b) / vega;
        h2 = b2;
        h3 = b3;
      }
    }
    if (tooLow) {
      if (s > sLeft) sLeft = s;
    } else if (s < sRight) {
      sRight = s;
    }
    ds = (nu * (1 + 0.5 * h2 * nu)) / (1 + nu * (h2 + (h3 * nu) / 6));
    if (ds < -0.5 * s) ds = -0.5 * s;
    const next = s + ds;
    if (!(next >= sLeft && next <= sRight)) {
      // Out of the bracket, or no usable step (ν not finite after a vega underflow): bisect, doubling
      // an open right end.
      const target = sRight === Number.POSITIVE_INFINITY ? 2 * Math.max(s, sLeft) : 0.5 * (sLeft + sRight);
      ds = target - s;
    }
    s += ds;
  }
  return s;
}

/**
 * At the money (x = 0) b(0, s) = 1 − 2Φ(−s/2), inverted with Wichura's quantile from the exact offset
 * −β/2 so a tiny β keeps its digits, then polished by the same Householder steps.
 */
function totalVolatilityAtTheMoney(beta: number): number {
  const guess = beta <= 0.85 ? -2 * normQuantileCentral(-0.5 * beta) : -2 * normQuantile(0.5 * (1 - beta));
  return refine(beta, 0, guess, 0, Number.POSITIVE_INFINITY, beta > 0.5 ? UPPER : DIRECT, 1);
}

/**
 * Total volatility s = σ√T (dimensionless) solving b(x, s) = β for an out-of-the-money call:
 * x ≤ 0 and 0 < β < e^{x/2}. Callers reduce every other case to this one.
 */
export function totalVolatilityOtmCall(beta: number, x: number, bMax = Math.exp(0.5 * x)): number {
  if (x === 0) return totalVolatilityAtTheMoney(beta);
  const sC = Math.sqrt(-2 * x);
  const bC = normalisedBlackAtInflection(x, bMax);
  const vC = ONE_OVER_SQRT_TWO_PI * bMax;
  if (beta < bC) {
    const sL = sC - bC / vC;
    const bL = normalisedBlackOtmCallAndVega(x, sL);
    const vL = vegaOfLastCall();
    if (!(bL > 0)) {
      // Only when |x| is so small that s_l drowns in the rounding of s_c: interpolate from the origin.
      return refine(beta, x, (sC * beta) / bC, 0, sC, DIRECT, bMax);
    }
    if (beta < bL) return lowerBranch(beta, x, sL, bL, vL, bMax);
    const h = bC - bL;
    const slopeLeft = 1 / vL;
    const slopeRight = 1 / vC;
    // s(β) has zero curvature at the inflection point b_c.
    const control = controlForRightCurvature(h, sL, sC, slopeLeft, slopeRight, 0);
    const guess = rationalCubic((beta - bL) / h, (bC - beta) / h, h, sL, sC, slopeLeft, slopeRight, control);
    return refine(beta, x, guess, sL, sC, DIRECT, bMax);
  }
  const sH = sC + (bMax - bC) / vC;
  const bH = normalisedBlackOtmCallAndVega(x, sH);
  const vH = vegaOfLastCall();
  if (beta <= bH) {
    const h = bH - bC;
    const slopeLeft = 1 / vC;
    const slopeRight = 1 / vH;
    const control = controlForLeftCurvature(h, sC, sH, slopeLeft, slopeRight, 0);
    const guess = rationalCubic((beta - bC) / h, (bH - beta) / h, h, sC, sH, slopeLeft, slopeRight, control);
    return refine(beta, x, guess, sC, sH, DIRECT, bMax);
  }
  return upperBranch(beta, x, sH, bH, vH, bMax);
}

/**
 * β < b_l: interpolate the lower map f_l as a function of β on [0, b_l] (f(0) = 0, f'(0) = 1, curvature
 * matched at b_l), then invert f_l in closed form: s = |x| / (√3·|Φ⁻¹((f/((2π/√27)|x|))^{1/3})|).
 */
function lowerBranch(beta: number, x: number, sL: number, bL: number, vL: number, bMax: number): number {
  const ax = -x;
  const z = -ax / (SQRT_THREE * sL);
  // Φ(z) and φ(z) share one exponential; an interpolation node needs no more than ~1e-15 here.
  const gauss = Math.exp(-0.5 * z * z);
  const pdf = ONE_OVER_SQRT_TWO_PI * gauss;
  const cdf = 0.5 * erfcx(-z * Math.SQRT1_2) * gauss;
  const fL = LOWER_MAP_SCALE * ax * cdf * cdf * cdf;
  // df_l/ds and d²f_l/ds², then by the chain rule in β with b''/b' = x²/s³ − s/4.
  const fS = (TWO_PI_OVER_THREE * x * x * cdf * cdf * pdf) / (sL * sL);
  const fSS = ((TWO_PI_OVER_THREE * x * x * cdf * pdf) / (sL * sL * sL)) * ((z * z - 2) * cdf - 2 * z * pdf);
  const bend = (x * x) / (sL * sL * sL) - 0.25 * sL;
  const slopeRight = fS / vL;
  const curvatureRight = (fSS - fS * bend) / (vL * vL);
  const control = controlForRightCurvature(bL, 0, fL, 1, slopeRight, curvatureRight);
  let f = rationalCubic(beta / bL, (bL - beta) / bL, bL, 0, fL, 1, slopeRight, control);
  if (!(f > 0)) {
    // Round-off only: the quadratic through the origin with slope 1 that meets f_l at b_l stays positive.
    f = beta * (1 + ((fL / bL - 1) * beta) / bL);
  }
  const u = Math.cbrt(f / (LOWER_MAP_SCALE * ax));
  let guess = ax / (SQRT_THREE * Math.abs(normQuantile(u)));
  if (!(guess > 0 && guess < sL)) guess = 0.5 * sL;
  return refine(beta, x, guess, 0, sL, LOWER, bMax);
}

/**
 * β > b_h: interpolate the upper map f_u = Φ(−s/2) as a function of β on [b_h, b_max] (f(b_max) = 0 with
 * slope −½, curvature matched at b_h), then s = −2·Φ⁻¹(f).
 */
function upperBranch(beta: number, x: number, sH: number, bH: number, vH: number, bMax: number): number {
  const half = 0.5 * sH;
  const fH = normCdf(-half);
  const pdf = normPdf(half);
  const fS = -0.5 * pdf;
  const fSS = 0.125 * sH * pdf;
  const bend = (x * x) / (sH * sH * sH) - 0.25 * sH;
  const slopeLeft = fS / vH;
  const curvatureLeft = (fSS - fS * bend) / (vH * vH);
  const h = bMax - bH;
  const control = controlForLeftCurvature(h, fH, 0, slopeLeft, -0.5, curvatureLeft);
  const gap = bMax - beta;
  let f = rationalCubic((beta - bH) / h, gap / h, h, fH, 0, slopeLeft, -0.5, control);
  if (!(f > 0 && f < 0.5)) {
    // Round-off only: the quadratic in (b_max − β) with slope −½ at b_max that meets f_u at b_h.
    f = gap * (0.5 + ((fH - 0.5 * h) * gap) / (h * h));
  }
  let guess = -2 * normQuantile(f);
  if (!(guess > sH && guess < Number.POSITIVE_INFINITY)) guess = 2 * sH;
  return refine(beta, x, guess, sH, Number.POSITIVE_INFINITY, beta > 0.5 * bMax ? UPPER : DIRECT, bMax);
}
