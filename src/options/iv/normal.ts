/**
 * Standard normal distribution and error functions to (near) full relative precision in double.
 *
 * erf, erfc and erfcx use W. J. Cody's rational Chebyshev approximations (Math. Comp. 1969, as revised in
 * his 1990 CALERF), whose coefficients are published constants. The normal quantile is Wichura's AS241
 * (PPND16, Appl. Statist. 1988). A 1e-7 Abramowitz–Stegun erf would cap implied-volatility accuracy
 * near 1e-6, which is why none of that appears here.
 */

/** 1/√π */
const ONE_OVER_SQRT_PI = 0.5641895835477563;
/** √π */
const SQRT_PI = 1.772453850905516;
/** 1/√(2π), the standard normal density at 0. */
export const ONE_OVER_SQRT_TWO_PI = 0.3989422804014327;

// Cody: erf(y) = y·P(y²)/Q(y²) for |y| ≤ 0.46875.
const A0 = 3.1611237438705655;
const A1 = 113.86415415105016;
const A2 = 377.485237685302;
const A3 = 3209.3775891384694;
const A4 = 0.18577770618460315;
const B0 = 23.601290952344122;
const B1 = 244.02463793444417;
const B2 = 1282.6165260773723;
const B3 = 2844.2368334391704;

// Cody: erfcx(y) = P(y)/Q(y) for 0.46875 < y ≤ 4.
const C0 = 0.5641884969886701;
const C1 = 8.883149794388377;
const C2 = 66.11919063714163;
const C3 = 298.6351381974001;
const C4 = 881.952221241769;
const C5 = 1712.0476126340707;
const C6 = 2051.0783778260716;
const C7 = 1230.3393547979972;
const C8 = 2.1531153547440383e-8;
const D0 = 15.744926110709835;
const D1 = 117.6939508913125;
const D2 = 537.1811018620099;
const D3 = 1621.3895745666903;
const D4 = 3290.7992357334597;
const D5 = 4362.619090143247;
const D6 = 3439.3676741437216;
const D7 = 1230.3393548037495;

// Cody: erfcx(y) = (1/√π − R(1/y²))/y for y > 4, R(u) = u·P(u)/Q(u).
const P0 = 0.30532663496123236;
const P1 = 0.36034489994980445;
const P2 = 0.12578172611122926;
const P3 = 0.016083785148742275;
const P4 = 0.0006587491615298378;
const P5 = 0.016315387137302097;
const Q0 = 2.568520192289822;
const Q1 = 1.8729528499234604;
const Q2 = 0.5279051029514285;
const Q3 = 0.06051834131244132;
const Q4 = 0.0023352049762686918;

const SMALL = 0.46875;

/** erf(y) for |y| ≤ 0.46875 (Cody's first rational form). */
function erfSmall(y: number): number {
  const z = y * y;
  let num = A4 * z;
  let den = z;
  num = (num + A0) * z;
  den = (den + B0) * z;
  num = (num + A1) * z;
  den = (den + B1) * z;
  num = (num + A2) * z;
  den = (den + B2) * z;
  return (y * (num + A3)) / (den + B3);
}

/** erfcx(y) for 0.46875 < y ≤ 4. */
function erfcxMiddle(y: number): number {
  let num = C8 * y;
  let den = y;
  num = (num + C0) * y;
  den = (den + D0) * y;
  num = (num + C1) * y;
  den = (den + D1) * y;
  num = (num + C2) * y;
  den = (den + D2) * y;
  num = (num + C3) * y;
  den = (den + D3) * y;
  num = (num + C4) * y;
  den = (den + D4) * y;
  num = (num + C5) * y;
  den = (den + D5) * y;
  num = (num + C6) * y;
  den = (den + D6) * y;
  return (num + C7) / (den + D7);
}

/**
 * R(y) for y > 4, where erfcx(y) = (1/√π − R)/y. Exposed because 1 − √π·y·erfcx(y) = √π·R exactly,
 * which gives the Mills-ratio derivative 1 + h·Φ(h)/φ(h) without cancellation for h < −4√2.
 */
export function erfcxTailRemainder(y: number): number {
  const u = 1 / (y * y);
  let num = P5 * u;
  let den = u;
  num = (num + P0) * u;
  den = (den + Q0) * u;
  num = (num + P1) * u;
  den = (den + Q1) * u;
  num = (num + P2) * u;
  den = (den + Q2) * u;
  num = (num + P3) * u;
  den = (den + Q3) * u;
  return (u * (num + P4)) / (den + Q4);
}

// 1 − √π·y·erfcx(y) = N(y)/Q(y) on 0.46875 < y ≤ 4, with Q Cody's denominator above and
// N(y) = Q(y) − √π·y·P(y) expanded once at 50 digits: the cancellation happens in the coefficients, not at
// run time, so the result keeps ~1e-15 where 1 − √π·y·erfcx(y) in double loses up to 30×.
const N0 = 1230.3393548037495;
const N1 = 1258.6479468114035;
const N2 = 727.1773208563878;
const N3 = 256.2738517866059;
const N4 = 58.169963712043064;
const N5 = 7.864101148327068;
const N6 = 0.5007368277548784;
const N7 = -4.6950524385900875e-5;
const N8 = 1.925875836496077e-6;
const N9 = -3.816297601959867e-8;

/**
 * 1 − √π·y·erfcx(y) for y > 0.46875, dimensionless and positive, to ~1e-15 relative. With y = −h/√2 it is
 * 1 + h·Φ(h)/φ(h), the derivative of the Mills ratio that the small-t expansion of Black's formula needs.
 * On 0.46875 < y ≤ 4 it also leaves erfcx(y) in `erfcxOut[0]`: both share Cody's denominator.
 */
export function erfcxDeficit(y: number, erfcxOut: Float64Array): number {
  if (y > 4) {
    const remainder = erfcxTailRemainder(y);
    erfcxOut[0] = (ONE_OVER_SQRT_PI - remainder) / y;
    return SQRT_PI * remainder;
  }
  const deficit =
    ((((((((N9 * y + N8) * y + N7) * y + N6) * y + N5) * y + N4) * y + N3) * y + N2) * y + N1) * y + N0;
  const num = (((((((C8 * y + C0) * y + C1) * y + C2) * y + C3) * y + C4) * y + C5) * y + C6) * y + C7;
  const den = (((((((y + D0) * y + D1) * y + D2) * y + D3) * y + D4) * y + D5) * y + D6) * y + D7;
  const inverse = 1 / den;
  erfcxOut[0] = num * inverse;
  return deficit * inverse;
}

/** Scaled complementary error function erfcx(y) = exp(y²)·erfc(y), dimensionless; overflows to +∞ below y ≈ −26.6. */
export function erfcx(y: number): number {
  if (y >= 0) {
    if (y <= SMALL) return Math.exp(y * y) * (1 - erfSmall(y));
    if (y <= 4) return erfcxMiddle(y);
    return (ONE_OVER_SQRT_PI - erfcxTailRemainder(y)) / y;
  }
  if (y < -SMALL) return 2 * expOfSquare(-y) - erfcx(-y);
  return Math.exp(y * y) * (1 - erfSmall(y)); // also NaN in, NaN out
}

/** exp(y²) with the square split so the exponent carries no rounding error (Cody's device). */
function expOfSquare(y: number): number {
  const high = Math.trunc(y * 16) / 16;
  return Math.exp(high * high) * Math.exp((y - high) * (y + high));
}

/** exp(−z²/2) with z split into a 4-bit-fraction head and a tail, so the rounding of z² never reaches the exponent. */
export function expMinusHalfSquare(z: number): number {
  const high = Math.trunc(z * 16) / 16;
  return Math.exp(-0.5 * high * high) * Math.exp(-0.5 * (z - high) * (z + high));
}

/** Complementary error function erfc(y), dimensionless, relative precision ~1e-16 across the range. */
export function erfc(y: number): number {
  const a = Math.abs(y);
  if (a <= SMALL) return 1 - erfSmall(y);
  const high = Math.trunc(a * 16) / 16;
  const tail = Math.exp(-high * high) * Math.exp(-(a - high) * (a + high));
  const positive = (a <= 4 ? erfcxMiddle(a) : (ONE_OVER_SQRT_PI - erfcxTailRemainder(a)) / a) * tail;
  return y > 0 ? positive : 2 - positive;
}

/** Error function erf(y), dimensionless. */
export function erf(y: number): number {
  if (Math.abs(y) <= SMALL) return erfSmall(y);
  return y > 0 ? 1 - erfc(y) : erfc(-y) - 1;
}

/** Standard normal density φ(z), per unit of z. */
export function normPdf(z: number): number {
  return ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * z * z);
}

/**
 * Standard normal distribution function Φ(z), a probability. Full relative precision in the lower tail
 * down to underflow (Φ(−37.5) ≈ 5e-308): there it is ½·erfcx(−z/√2)·exp(−z²/2) with the exponent taken
 * from z itself, so the rounding of z/√2 enters only the slowly varying erfcx factor.
 */
export function normCdf(z: number): number {
  if (z > 0) return 1 - normCdf(-z);
  const y = -z * Math.SQRT1_2;
  if (y <= SMALL) return 0.5 - 0.5 * erfSmall(y);
  const scaled = y <= 4 ? erfcxMiddle(y) : (ONE_OVER_SQRT_PI - erfcxTailRemainder(y)) / y;
  return 0.5 * scaled * expMinusHalfSquare(z);
}

// Wichura AS241 (PPND16) coefficients.
const QA0 = 3.3871328727963665;
const QA1 = 133.14166789178438;
const QA2 = 1971.5909503065513;
const QA3 = 13731.69376550946;
const QA4 = 45921.95393154987;
const QA5 = 67265.7709270087;
const QA6 = 33430.57558358813;
const QA7 = 2509.0809287301227;
const QB1 = 42.31333070160091;
const QB2 = 687.1870074920579;
const QB3 = 5394.196021424751;
const QB4 = 21213.794301586597;
const QB5 = 39307.89580009271;
const QB6 = 28729.085735721943;
const QB7 = 5226.495278852854;
const QC0 = 1.4234371107496835;
const QC1 = 4.630337846156546;
const QC2 = 5.769497221460691;
const QC3 = 3.6478483247632045;
const QC4 = 1.2704582524523684;
const QC5 = 0.2417807251774506;
const QC6 = 0.022723844989269184;
const QC7 = 0.0007745450142783414;
const QD1 = 2.053191626637759;
const QD2 = 1.6763848301838038;
const QD3 = 0.6897673349851;
const QD4 = 0.14810397642748008;
const QD5 = 0.015198666563616457;
const QD6 = 0.0005475938084995345;
const QD7 = 1.0507500716444169e-9;
const QE0 = 6.657904643501103;
const QE1 = 5.463784911164114;
const QE2 = 1.7848265399172913;
const QE3 = 0.29656057182850487;
const QE4 = 0.026532189526576124;
const QE5 = 0.0012426609473880784;
const QE6 = 2.7115555687434876e-5;
const QE7 = 2.0103343992922881e-7;
const QF1 = 0.599832206555888;
const QF2 = 0.1369298809227358;
const QF3 = 0.014875361290850615;
const QF4 = 0.0007868691311456133;
const QF5 = 1.8463183175100548e-5;
const QF6 = 1.421511758316446e-7;
const QF7 = 2.0442631033899397e-15;

/**
 * Φ⁻¹(½ + q) for |q| ≤ 0.425, taking the offset from ½ directly so that a caller holding q exactly
 * (e.g. q = −β/2 for a tiny β) does not lose it to the rounding of ½ + q.
 */
export function normQuantileCentral(q: number): number {
  const r = 0.180625 - q * q;
  return (
    (q * (((((((QA7 * r + QA6) * r + QA5) * r + QA4) * r + QA3) * r + QA2) * r + QA1) * r + QA0)) /
    (((((((QB7 * r + QB6) * r + QB5) * r + QB4) * r + QB3) * r + QB2) * r + QB1) * r + 1)
  );
}

/** Standard normal quantile Φ⁻¹(p) for a probability p in (0, 1); −∞ at 0, +∞ at 1, relative precision ~1e-16. */
export function normQuantile(p: number): number {
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) return normQuantileCentral(q);
  if (p <= 0) return p === 0 ? Number.NEGATIVE_INFINITY : Number.NaN;
  if (p >= 1) return p === 1 ? Number.POSITIVE_INFINITY : Number.NaN;
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value =
      (((((((QC7 * r + QC6) * r + QC5) * r + QC4) * r + QC3) * r + QC2) * r + QC1) * r + QC0) /
      (((((((QD7 * r + QD6) * r + QD5) * r + QD4) * r + QD3) * r + QD2) * r + QD1) * r + 1);
  } else {
    r -= 5;
    value =
      (((((((QE7 * r + QE6) * r + QE5) * r + QE4) * r + QE3) * r + QE2) * r + QE1) * r + QE0) /
      (((((((QF7 * r + QF6) * r + QF5) * r + QF4) * r + QF3) * r + QF2) * r + QF1) * r + 1);
  }
  return q < 0 ? -value : value;
}
