/**
 * Jäckel's normalised Black function b(x, s) and its s-derivatives, to ~1e-15 relative (worst measured
 * 7e-15 against 60-digit mpmath) even where b is 1e-300 (deep out of the money, close to expiry).
 * Notation: x = ln(F/K), s = σ√T, h = x/s, t = s/2, so that x/2 = h·t and, for a call with x ≤ 0,
 *
 *   b = e^{x/2}·Φ(h+t) − e^{−x/2}·Φ(h−t) = φ(0)·e^{−(h²+t²)/2}·[Y(h+t) − Y(h−t)],   Y(z) = Φ(z)/φ(z).
 *
 * The second form is what makes tiny prices accurate: the Gaussian factor is one exponential, and the
 * bracket is evaluated in whichever of four forms avoids cancellation (asymptotic series in 1/h² for
 * h ≪ 0, Taylor series in t for small t, direct Φ form when h+t is clearly positive, erfcx difference
 * otherwise).
 */

import { erfcx, erfcxDeficit, erfcxTailRemainder, normCdf, ONE_OVER_SQRT_TWO_PI } from './normal.js';

const ONE_OVER_SQRT_PI = 0.5641895835477563;
const SQRT_PI = 1.772453850905516;

/** Below this h (with t not too large) the asymptotic expansion of Y is used (Jäckel's 2024 choice). */
const ETA = -13;
/** Below this t the Taylor series in t is used: 2·ε^{1/16} ≈ 0.211, where 8 odd terms reach ε. */
const TAU = 2 * Number.EPSILON ** (1 / 16);
/** Above this h + t the direct Φ form has little cancellation left. */
const DIRECT_FORM_THRESHOLD = 0.85;

// ---------------------------------------------------------------------------------------------------
// Asymptotic region. With c_k = (−1)^{k+1}(2k−1)!!, Y(z) ~ Σ c_k z^{−(2k+1)}, and
//   (h+t)^{−n} − (h−t)^{−n} = −2t·h^{n−1}·Σ_m C(n, 2m+1)·e^m / (h²−t²)^n,  n = 2k+1, e = (t/h)²,
// so Y(h+t) − Y(h−t) = t/(h²−t²) · Σ_k q^k · A_k(e), q = h²/(h²−t²)², A_k(e) = −2c_k·Σ_m C(2k+1, 2m+1)e^m.
// 18 terms: in the region |h±t| ≥ 12.79, where the first omitted term is below 1e-17 of the sum.

const ASYMPTOTIC_TERMS = 18;
/** Row k holds the coefficients of A_k(e), lowest power first; rows are padded to ASYMPTOTIC_TERMS. */
const ASYMPTOTIC_COEFFICIENTS = buildAsymptoticCoefficients();

function buildAsymptoticCoefficients(): Float64Array {
  const table = new Float64Array(ASYMPTOTIC_TERMS * ASYMPTOTIC_TERMS);
  let doubleFactorial = 1; // (2k−1)!!, with (−1)!! = 1
  for (let k = 0; k < ASYMPTOTIC_TERMS; k++) {
    if (k > 0) doubleFactorial *= 2 * k - 1;
    const n = 2 * k + 1;
    const sign = k % 2 === 0 ? 2 : -2;
    for (let m = 0; m <= k; m++) {
      table[k * ASYMPTOTIC_TERMS + m] = sign * doubleFactorial * binomial(n, 2 * m + 1);
    }
  }
  return table;
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
}

function asymptoticForm(h: number, t: number, gauss: number): number {
  const e = (t / h) * (t / h);
  const r = (h + t) * (h - t);
  const q = (h / r) * (h / r);
  let sum = 0;
  for (let k = ASYMPTOTIC_TERMS - 1; k >= 0; k--) {
    const row = k * ASYMPTOTIC_TERMS;
    let poly = 0;
    for (let m = k; m >= 0; m--) poly = poly * e + (ASYMPTOTIC_COEFFICIENTS[row + m] ?? 0);
    sum = sum * q + poly;
  }
  return ONE_OVER_SQRT_TWO_PI * gauss * (t / r) * sum;
}

// ---------------------------------------------------------------------------------------------------
// Small-t region. Y' = 1 + zY, so Y^{(n+1)} = z·Y^{(n)} + n·Y^{(n−1)}, and
//   Y(h+t) − Y(h−t) = 2·Σ_k Y^{(2k+1)}(h)·t^{2k+1}/(2k+1)!.
// Forward recurrence loses digits for large |h|, but each lost digit is paid back by a factor
// (|h|t)^{2k}/(2k+1)! = (|x|/2)^{2k}/(2k+1)! that stays below 3 in this region (|h| ≤ 13, t < 0.211).

const F3 = 1 / 6;
const F5 = 1 / 120;
const F7 = 1 / 5040;
const F9 = 1 / 362880;
const F11 = 1 / 39916800;
const F13 = 1 / 6227020800;
const F15 = 1 / 1307674368000;

const erfcxScratch = new Float64Array(1);

function smallTForm(h: number, t: number, gauss: number): number {
  // a = Y'(h) = 1 + h·Y(h) = 1 − √π·y·erfcx(y): taken as one rational function where 1 + h·Y cancels.
  const y = -h * Math.SQRT1_2;
  let mills: number;
  let a: number;
  if (y > 0.46875) {
    a = erfcxDeficit(y, erfcxScratch);
    mills = SQRT_PI * Math.SQRT1_2 * (erfcxScratch[0] ?? 0);
  } else {
    mills = SQRT_PI * Math.SQRT1_2 * erfcx(y);
    a = 1 + h * mills;
  }
  // d<n> = Y^{(n)}(h). Terms stop where the next one is below ε/4 of the sum; the bound is the worst
  // case h = 0, where Y^{(2k+1)}/Y' = 2^k·k! is largest.
  const u = t * t;
  const d2 = h * a + mills;
  const d3 = h * d2 + 2 * a;
  const d4 = h * d3 + 3 * d2;
  const d5 = h * d4 + 4 * d3;
  const d6 = h * d5 + 5 * d4;
  const d7 = h * d6 + 6 * d5;
  const d8 = h * d7 + 7 * d6;
  const d9 = h * d8 + 8 * d7;
  let tail = F9 * d9;
  if (t >= 0.059) {
    const d10 = h * d9 + 9 * d8;
    const d11 = h * d10 + 10 * d9;
    let high = F11 * d11;
    if (t >= 0.117) {
      const d12 = h * d11 + 11 * d10;
      const d13 = h * d12 + 12 * d11;
      const d14 = h * d13 + 13 * d12;
      const d15 = h * d14 + 14 * d13;
      high += u * (F13 * d13 + u * F15 * d15);
    }
    tail += u * high;
  }
  const sum = a + u * (F3 * d3 + u * (F5 * d5 + u * (F7 * d7 + u * tail)));
  return 2 * ONE_OVER_SQRT_TWO_PI * gauss * t * sum;
}

// ---------------------------------------------------------------------------------------------------

function erfcxForm(h: number, t: number, gauss: number): number {
  const near = -(h + t) * Math.SQRT1_2;
  const far = -(h - t) * Math.SQRT1_2;
  if (near > 4) {
    // Both in Cody's tail form (1/√π − R(y))/y: the leading parts differ by (1/√π)·√2·t/(near·far)
    // exactly, so only the small R parts are subtracted and the difference keeps its digits.
    const leading = (ONE_OVER_SQRT_PI * Math.SQRT2 * t) / (near * far);
    return 0.5 * gauss * (leading - erfcxTailRemainder(near) / near + erfcxTailRemainder(far) / far);
  }
  return 0.5 * gauss * (erfcx(near) - erfcx(far));
}

function directForm(x: number, h: number, t: number): number {
  const half = Math.exp(0.5 * x);
  return normCdf(h + t) * half - normCdf(h - t) / half;
}

/**
 * Normalised vega at the point of the last {@link normalisedBlackOtmCallAndVega} call (JS is single-threaded).
 * A typed-array slot, because storing a double in a module-level `let` boxes it on every call.
 */
const lastVega = new Float64Array(1);

/**
 * b(x, s) for an out-of-the-money call, as {@link normalisedBlackOtmCall}, also leaving the normalised vega
 * b'(x, s) for {@link vegaOfLastCall}: both share the factor e^{−(h²+t²)/2}, and the solver needs both at
 * every point it visits.
 */
export function normalisedBlackOtmCallAndVega(x: number, s: number): number {
  if (!(s > 0 && s < Number.POSITIVE_INFINITY)) {
    lastVega[0] = 0;
    return s > 0 ? Math.exp(0.5 * x) : 0;
  }
  const h = x / s;
  const t = 0.5 * s;
  const gauss = gaussianFactor(x, s, h, t);
  lastVega[0] = ONE_OVER_SQRT_TWO_PI * gauss;
  return regionalForm(x, h, t, gauss);
}

/** Veltkamp's splitting constant 2^27 + 1: a·SPLIT splits a double into two 26-bit halves. */
const SPLIT = 134217729;
/** Above this exponent its rounding (≈ E·ε relative in the result) is worth compensating. */
const COMPENSATE_ABOVE = 8;

/**
 * e^{−(h²+t²)/2} with h = x/s, t = s/2. Its relative error is the absolute error of the exponent E, which
 * rounding makes ≈ E·ε: 1e-13 by the time b is 1e-220. For large E the exponent is rebuilt from
 * error-free products (Dekker), including the rounding of x/s itself, so b stays within a few ulps.
 */
function gaussianFactor(x: number, s: number, h: number, t: number): number {
  const hh = h * h;
  const tt = t * t;
  const sum = hh + tt;
  if (0.5 * sum <= COMPENSATE_ABOVE) return Math.exp(-0.5 * sum);
  const sc = SPLIT * s;
  const sHigh = sc - (sc - s);
  const sLow = s - sHigh;
  const hc = SPLIT * h;
  const hHigh = hc - (hc - h);
  const hLow = h - hHigh;
  // h·s = p + pError exactly, so x − h·s, the division's residual, is exact up to a tiny correction.
  const p = h * s;
  const pError = hHigh * sHigh - p + hHigh * sLow + hLow * sHigh + hLow * sLow;
  const hCorrection = (x - p - pError) / s;
  const hhError = hHigh * hHigh - hh + 2 * hHigh * hLow + hLow * hLow;
  const tHigh = 0.5 * sHigh;
  const tLow = 0.5 * sLow;
  const ttError = tHigh * tHigh - tt + 2 * tHigh * tLow + tLow * tLow;
  const virtual = sum - hh;
  const sumError = hh - (sum - virtual) + (tt - virtual);
  const low = sumError + hhError + ttError + 2 * h * hCorrection;
  return Math.exp(-0.5 * sum) * (1 - 0.5 * low);
}

/** b in whichever form keeps its digits at (h, t); `gauss` = e^{−(h²+t²)/2}. */
function regionalForm(x: number, h: number, t: number, gauss: number): number {
  if (h < ETA && t < TAU - h + ETA) return asymptoticForm(h, t, gauss);
  if (t < TAU) return smallTForm(h, t, gauss);
  if (h + t > DIRECT_FORM_THRESHOLD) return directForm(x, h, t);
  return erfcxForm(h, t, gauss);
}

/**
 * b(x, s_c) at the inflection point s_c = √(2|x|) of an out-of-the-money call (x < 0), given
 * bMax = e^{x/2}: there h = −t and e^{−(h²+t²)/2} = e^{x/2}, so the Gaussian factor costs nothing.
 */
export function normalisedBlackAtInflection(x: number, bMax: number): number {
  const t = Math.sqrt(-0.5 * x);
  return regionalForm(x, -t, t, bMax);
}

/** Normalised vega b'(x, s) at the point of the last {@link normalisedBlackOtmCallAndVega} call, dimensionless. */
export function vegaOfLastCall(): number {
  return lastVega[0] ?? 0;
}

/**
 * Normalised Black price of an out-of-the-money call, b(x, s) for x ≤ 0 and s ≥ 0 (dimensionless: the
 * undiscounted premium over √(F·K)). Relative error ~1e-15, below 1e-14 everywhere, down to underflow.
 */
export function normalisedBlackOtmCall(x: number, s: number): number {
  return normalisedBlackOtmCallAndVega(x, s);
}

/**
 * e^{x/2} − b(x, s) for an out-of-the-money call (x ≤ 0), dimensionless: the distance to the price bound,
 * as a sum of two positive terms so it keeps its relative precision when b is within ulps of the bound.
 */
export function normalisedBlackComplement(x: number, s: number): number {
  if (!(s > 0)) return Math.exp(0.5 * x);
  const h = x / s;
  const t = 0.5 * s;
  const half = Math.exp(0.5 * x);
  return half * normCdf(-(h + t)) + normCdf(h - t) / half;
}

/**
 * Normalised Black price b(x, s, θ) for a call (isCall) or put, dimensionless: the undiscounted premium
 * over √(F·K), with x = ln(F/K) and s = σ√T ≥ 0. In-the-money values are normalised intrinsic
 * 2·|sinh(x/2)| plus the out-of-the-money value at −|x| (put–call parity), so no digits cancel.
 */
export function normalisedBlack(x: number, s: number, isCall: boolean): number {
  const otm = normalisedBlackOtmCall(-Math.abs(x), s);
  const inTheMoney = isCall ? x > 0 : x < 0;
  return inTheMoney ? otm + 2 * Math.abs(Math.sinh(0.5 * x)) : otm;
}

/** Normalised vega ∂b/∂s = φ(0)·exp(−(x²/s² + s²/4)/2), dimensionless, the same for calls and puts. */
export function normalisedVega(x: number, s: number): number {
  const h = x / s;
  const t = 0.5 * s;
  return ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * (h * h + t * t));
}

/**
 * ln(F/K), dimensionless. Near the money it is log1p((F − K)/K): F − K is exact there (Sterbenz), so x
 * keeps its relative precision instead of inheriting the absolute rounding of F/K.
 */
export function logMoneyness(forward: number, strike: number): number {
  const ratio = forward / strike;
  if (ratio > 0.5 && ratio < 2) return Math.log1p((forward - strike) / strike);
  // F/K can overflow or go subnormal when F and K are each representable; their logs cannot.
  if (!(ratio > MIN_NORMAL && ratio < Number.POSITIVE_INFINITY)) return Math.log(forward) - Math.log(strike);
  return Math.log(ratio);
}

/** Smallest positive normal double, 2^−1022. */
const MIN_NORMAL = 2.2250738585072014e-308;
