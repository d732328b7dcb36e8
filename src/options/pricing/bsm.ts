/**
 * Black–Scholes–Merton on spot S with a continuous dividend yield q (reference §2.1): the same
 * normalised Black price on the forward F = S·e^{(r−q)T} with D = e^{−rT}, and the spot Greeks with S
 * held fixed as time passes (so theta and rho include the carry of F, unlike Black-76).
 */

import { logMoneyness, normCdf, normPdf } from '../iv/index.js';
import { undiscountedBlack } from './black76.js';
import { DAYS_PER_YEAR, DEFAULT_GREEK_UNITS, type GreekUnits, type Greeks, withDisplay } from './units.js';
import { checkOptionInput } from './validate.js';

/** Inputs of a BSM price or Greeks. */
export interface BsmInput {
  /** Spot price of the underlying, ₹ per unit. */
  readonly spot: number;
  /** Strike, ₹ per unit. */
  readonly strike: number;
  /** Time to expiry in years. */
  readonly timeYears: number;
  /** Continuously compounded annual risk-free rate (0.065 = 6.5%). */
  readonly rate: number;
  /** Continuously compounded annual dividend yield (0.012 = 1.2%). */
  readonly dividendYield: number;
  /** Annualised volatility (0.15 = 15%). */
  readonly vol: number;
  readonly isCall: boolean;
}

/**
 * BSM premium θ·[S·e^{−qT}·N(θd1) − K·e^{−rT}·N(θd2)], ₹ per unit; the discounted intrinsic value on the
 * forward at T = 0 or σ = 0. Throws IF_ERR_OPTION_INPUT / IF_ERR_OPTION_EXPIRED (T < 0) on bad input.
 */
export function bsm(input: BsmInput): number {
  const { spot, strike, timeYears, rate, dividendYield, vol, isCall } = input;
  checkOptionInput('spot', spot, strike, timeYears, rate, vol, dividendYield, false);
  const carry = (rate - dividendYield) * timeYears;
  const x = logMoneyness(spot, strike) + carry;
  const forward = spot * Math.exp(carry);
  return (
    Math.exp(-rate * timeYears) * undiscountedBlack(forward, strike, vol * Math.sqrt(timeYears), x, isCall)
  );
}

/**
 * BSM premium and spot Greeks per unit, raw and display units (see {@link Greeks}); delta = θ·e^{−qT}·N(θd1),
 * rho includes the rate's effect on the forward. Requires T > 0 and σ > 0: throws IF_ERR_OPTION_INPUT /
 * IF_ERR_OPTION_EXPIRED otherwise.
 */
export function bsmGreeks(input: BsmInput, units: GreekUnits = DEFAULT_GREEK_UNITS): Greeks {
  const { spot, strike, timeYears, rate, dividendYield, vol, isCall } = input;
  checkOptionInput('spot', spot, strike, timeYears, rate, vol, dividendYield, true);
  const sqrtT = Math.sqrt(timeYears);
  const s = vol * sqrtT;
  const carry = (rate - dividendYield) * timeYears;
  const x = logMoneyness(spot, strike) + carry;
  const discount = Math.exp(-rate * timeYears);
  const yieldDiscount = Math.exp(-dividendYield * timeYears);
  const d1 = x / s + 0.5 * s;
  const d2 = d1 - s;
  const sign = isCall ? 1 : -1;
  const price = discount * undiscountedBlack(spot * Math.exp(carry), strike, s, x, isCall);
  const cdf1 = normCdf(sign * d1);
  const cdf2 = normCdf(sign * d2);
  const density = yieldDiscount * normPdf(d1); // e^{−qT}·n(d1)
  const vega = spot * density * sqrtT;
  const delta = sign * yieldDiscount * cdf1;
  return withDisplay(
    price,
    delta,
    density / (spot * s),
    -(spot * density * vol) / (2 * sqrtT) -
      sign * rate * strike * discount * cdf2 +
      sign * dividendYield * spot * yieldDiscount * cdf1,
    vega,
    sign * strike * timeYears * discount * cdf2,
    (-density * d2) / vol,
    (vega * d1 * d2) / vol,
    sign * dividendYield * yieldDiscount * cdf1 -
      (density * (2 * (rate - dividendYield) * timeYears - d2 * s)) / (2 * timeYears * s),
    DAYS_PER_YEAR[units.dayBasis],
  );
}
