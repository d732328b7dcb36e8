/**
 * Black-76 implied volatility of a discounted option premium on a forward, to the precision the price
 * itself carries. The premium is undiscounted, any in-the-money option becomes its out-of-the-money twin
 * by put–call parity (in price units, where F − K is exact), a put becomes a call by the reciprocal-strike
 * symmetry, and Let's Be Rational inverts the normalised Black function.
 */

import { type ErrorCode, IfError } from '../../core/index.js';
import { totalVolatilityOtmCall } from './letsBeRational.js';
import { logMoneyness } from './normalisedBlack.js';

/** Inputs of a Black-76 implied-volatility solve. */
export interface ImpliedVolatilityInput {
  /** Discounted option premium, currency per unit of the underlying (₹ per unit). */
  readonly price: number;
  /** Forward (futures or parity-implied) price for the option's expiry, currency per unit. */
  readonly forward: number;
  /** Strike, currency per unit. */
  readonly strike: number;
  /** Time to expiry in years (calendar or trading basis, as the caller measures it). */
  readonly timeYears: number;
  /** Continuously compounded annual rate used to discount the premium (0.065 = 6.5%). */
  readonly rate: number;
  readonly isCall: boolean;
}

/** Outcome of {@link tryImpliedVolatility}: an annualised volatility (0.15 = 15%), or a catalogue code and reason. */
export type ImpliedVolatilityResult =
  | { readonly ok: true; readonly vol: number }
  | { readonly ok: false; readonly code: ErrorCode; readonly detail: string };

/**
 * A time value within this many ulps of the undiscounted premium, either side of zero, is rounding noise
 * and counts as a premium at intrinsic (σ = 0): a premium quoted as D·(F − K) does not come back to
 * exactly F − K after multiplying by e^{rT}, and no σ can be read from what a double cannot hold.
 */
const INTRINSIC_TOLERANCE = 4 * Number.EPSILON;

/** Smallest positive normal double, 2^−1022. */
const MIN_NORMAL = 2.2250738585072014e-308;

// Fault codes of the allocation-free core, decoded into catalogue codes only on the reject path.
const FAULT_INPUT = -1;
const FAULT_EXPIRED = -2;
const FAULT_BELOW_INTRINSIC = -3;
const FAULT_ABOVE_MAX = -4;
const FAULT_UNSOLVED = -5;

/** σ ≥ 0, or a negative FAULT_* code. */
function solve(
  price: number,
  forward: number,
  strike: number,
  timeYears: number,
  rate: number,
  isCall: boolean,
): number {
  if (
    !(price >= 0 && price < Number.POSITIVE_INFINITY) ||
    !(forward > 0 && forward < Number.POSITIVE_INFINITY) ||
    !(strike > 0 && strike < Number.POSITIVE_INFINITY) ||
    !Number.isFinite(rate) ||
    !Number.isFinite(timeYears)
  ) {
    return FAULT_INPUT;
  }
  if (timeYears <= 0) return FAULT_EXPIRED;
  // P·e^{rT} as P + P·(e^{rT} − 1): the carry is small, so subtracting intrinsic from P first keeps the
  // time value of a deep in-the-money option to full precision (P − (F − K) is exact when P is close to
  // F − K, and F − K is exact when F is close to K).
  const carry = price * Math.expm1(rate * timeYears);
  if (price + carry >= (isCall ? forward : strike)) return FAULT_ABOVE_MAX;
  const intrinsic = isCall ? forward - strike : strike - forward;
  let timeValue = price + carry;
  if (intrinsic > 0) {
    timeValue = price - intrinsic + carry;
    if (Math.abs(timeValue) <= INTRINSIC_TOLERANCE * (price + carry)) return 0;
    if (timeValue < 0) return FAULT_BELOW_INTRINSIC;
  }
  if (timeValue === 0) return 0;
  const x = -Math.abs(logMoneyness(forward, strike));
  const root = geometricMean(forward, strike);
  const beta = timeValue / root;
  // e^{x/2} = e^{−|ln(F/K)|/2} = min(F, K)/√(F·K): one division instead of an exponential.
  const bMax = Math.min(forward, strike) / root;
  // Rounding can put β on the bound even though the premium was below it; no finite σ reaches it.
  if (!(beta < bMax)) return FAULT_ABOVE_MAX;
  // Subnormal normalised prices have lost their digits (F/K beyond e^±1400, or a premium below 1e-308
  // of √(F·K)); refuse them rather than return a σ that only looks precise.
  if (!(beta >= MIN_NORMAL)) return FAULT_UNSOLVED;
  const vol = totalVolatilityOtmCall(beta, x, bMax) / Math.sqrt(timeYears);
  return vol >= 0 && vol < Number.POSITIVE_INFINITY ? vol : FAULT_UNSOLVED;
}

/** √(F·K), per unit of price, without overflow or underflow of the product for extreme F and K. */
export function geometricMean(forward: number, strike: number): number {
  const product = forward * strike;
  return product < Number.POSITIVE_INFINITY && product >= MIN_NORMAL
    ? Math.sqrt(product)
    : Math.sqrt(forward) * Math.sqrt(strike);
}

function faultCode(fault: number): ErrorCode {
  switch (fault) {
    case FAULT_INPUT:
      return 'IF_ERR_OPTION_INPUT';
    case FAULT_EXPIRED:
      return 'IF_ERR_OPTION_EXPIRED';
    case FAULT_BELOW_INTRINSIC:
      return 'IF_ERR_IV_BELOW_INTRINSIC';
    case FAULT_ABOVE_MAX:
      return 'IF_ERR_IV_ABOVE_MAX';
    default:
      return 'IF_ERR_IV_UNSOLVED';
  }
}

function faultDetail(fault: number, input: ImpliedVolatilityInput): string {
  const { price, forward, strike, timeYears, rate, isCall } = input;
  const kind = isCall ? 'call' : 'put';
  const contract = `${kind} F=${forward} K=${strike} T=${timeYears} r=${rate}`;
  const discount = Math.exp(-rate * timeYears);
  switch (fault) {
    case FAULT_INPUT:
      return `${invalidField(input)} (${contract}, price=${price})`;
    case FAULT_EXPIRED:
      return `timeYears ${timeYears} must be > 0 (${contract})`;
    case FAULT_BELOW_INTRINSIC: {
      const intrinsic = discount * Math.max(isCall ? forward - strike : strike - forward, 0);
      return `${kind} price ${price} < discounted intrinsic ${intrinsic} (${contract})`;
    }
    case FAULT_ABOVE_MAX: {
      const bound = discount * (isCall ? forward : strike);
      const what = isCall ? 'discounted forward' : 'discounted strike';
      return `${kind} price ${price} >= ${what} ${bound} (${contract})`;
    }
    default:
      return `normalised premium outside double precision or no convergence (${contract}, price=${price})`;
  }
}

function invalidField(input: ImpliedVolatilityInput): string {
  const { price, forward, strike, timeYears, rate } = input;
  if (!(price >= 0 && price < Number.POSITIVE_INFINITY)) return `price ${price} must be finite and >= 0`;
  if (!(forward > 0 && forward < Number.POSITIVE_INFINITY))
    return `forward ${forward} must be finite and > 0`;
  if (!(strike > 0 && strike < Number.POSITIVE_INFINITY)) return `strike ${strike} must be finite and > 0`;
  if (!Number.isFinite(rate)) return `rate ${rate} must be finite`;
  return `timeYears ${timeYears} must be finite`;
}

/**
 * Black-76 implied volatility, annualised (0.15 = 15% per √year), of a discounted premium. Returns 0 for
 * a premium at intrinsic (within rounding). Never throws and allocates no Error on reject:
 * IF_ERR_OPTION_INPUT, IF_ERR_OPTION_EXPIRED (T ≤ 0), IF_ERR_IV_BELOW_INTRINSIC, IF_ERR_IV_ABOVE_MAX
 * (undiscounted premium ≥ F for a call, ≥ K for a put), and IF_ERR_IV_UNSOLVED only for premiums below
 * ~1e-308 of √(F·K), which double precision cannot resolve.
 */
export function tryImpliedVolatility(input: ImpliedVolatilityInput): ImpliedVolatilityResult {
  const vol = solve(input.price, input.forward, input.strike, input.timeYears, input.rate, input.isCall);
  if (vol >= 0) return { ok: true, vol };
  return { ok: false, code: faultCode(vol), detail: faultDetail(vol, input) };
}

/**
 * Black-76 implied volatility, annualised (0.15 = 15% per √year), of a discounted premium; 0 at intrinsic.
 * Throws IfError with the codes {@link tryImpliedVolatility} returns.
 */
export function impliedVolatility(input: ImpliedVolatilityInput): number {
  const vol = solve(input.price, input.forward, input.strike, input.timeYears, input.rate, input.isCall);
  if (vol >= 0) return vol;
  throw new IfError(faultCode(vol), { detail: faultDetail(vol, input) });
}
