/**
 * Black-76 on a forward or futures price F, discount D = e^{−rT} (reference §2.2): premium and closed-form
 * Greeks with F held fixed as time passes. The premium's time value comes from the normalised Black
 * function, so deep out-of-the-money premiums keep full relative precision and deep in-the-money ones
 * never lose their time value to F·N(d1) − K·N(d2) cancelling.
 */

import {
  geometricMean,
  logMoneyness,
  normalisedBlackOtmCall,
  normalisedBlackOtmCallAndVega,
  normCdf,
  vegaOfLastCall,
} from '../iv/index.js';
import { DAYS_PER_YEAR, DEFAULT_GREEK_UNITS, type GreekUnits, type Greeks } from './units.js';
import { checkOptionInput } from './validate.js';

/** Inputs of a Black-76 price or Greeks. */
export interface Black76Input {
  /** Forward (futures or parity-implied) price for the option's expiry, ₹ per unit. */
  readonly forward: number;
  /** Strike, ₹ per unit. */
  readonly strike: number;
  /** Time to expiry in years (calendar or trading basis; match GreekUnits.dayBasis to it). */
  readonly timeYears: number;
  /** Continuously compounded annual rate for discounting the premium (0.065 = 6.5%). */
  readonly rate: number;
  /** Annualised volatility (0.15 = 15%). */
  readonly vol: number;
  readonly isCall: boolean;
}

/**
 * Undiscounted Black price, ₹ per unit, for total volatility s = σ√T ≥ 0 and x = ln(F/K): intrinsic in
 * price units (exact F − K) plus √(F·K)·b(−|x|, s), the out-of-the-money value by put–call parity.
 */
export function undiscountedBlack(
  forward: number,
  strike: number,
  s: number,
  x: number,
  isCall: boolean,
): number {
  const intrinsic = isCall ? forward - strike : strike - forward;
  const timeValue = geometricMean(forward, strike) * normalisedBlackOtmCall(-Math.abs(x), s);
  return intrinsic > 0 ? intrinsic + timeValue : timeValue;
}

/**
 * Black-76 premium, discounted: e^{−rT}·θ·[F·N(θd1) − K·N(θd2)], ₹ per unit. At T = 0 or σ = 0 it is the
 * discounted intrinsic value. Throws IF_ERR_OPTION_INPUT / IF_ERR_OPTION_EXPIRED (T < 0) on bad input.
 */
export function black76(input: Black76Input): number {
  const { forward, strike, timeYears, rate, vol, isCall } = input;
  checkOptionInput('forward', forward, strike, timeYears, rate, vol, 0, false);
  const s = vol * Math.sqrt(timeYears);
  return (
    Math.exp(-rate * timeYears) * undiscountedBlack(forward, strike, s, logMoneyness(forward, strike), isCall)
  );
}

/**
 * Black-76 premium and Greeks per unit, in raw annual units and in display units (theta per day on the
 * chosen basis, vega per vol point, rho per 1%); see {@link Greeks} for each unit. Delta is the futures
 * delta D·N(d1); rho is the discounting-only rho −T·V with F fixed. Requires T > 0 and σ > 0: throws
 * IF_ERR_OPTION_INPUT / IF_ERR_OPTION_EXPIRED otherwise.
 */
export function greeks(input: Black76Input, units: GreekUnits = DEFAULT_GREEK_UNITS): Greeks {
  const { forward, strike, timeYears, rate, vol, isCall } = input;
  checkOptionInput('forward', forward, strike, timeYears, rate, vol, 0, true);
  const sqrtT = Math.sqrt(timeYears);
  const s = vol * sqrtT;
  const x = logMoneyness(forward, strike);
  const discount = Math.exp(-rate * timeYears);
  const d1 = x / s + 0.5 * s;
  const d2 = d1 - s;
  const sign = isCall ? 1 : -1;
  const root = geometricMean(forward, strike);
  const intrinsic = sign * (forward - strike);
  const timeValue = root * normalisedBlackOtmCallAndVega(-Math.abs(x), s);
  const price = discount * (intrinsic > 0 ? intrinsic + timeValue : timeValue);
  // F·n(d1) = √(F·K)·b'(x, s): the normalised vega the price evaluation already computed.
  const forwardDensity = discount * root * vegaOfLastCall(); // D·F·n(d1)
  const delta = sign * discount * normCdf(sign * d1);
  const gamma = forwardDensity / (forward * forward * s);
  const theta = -(forwardDensity * vol) / (2 * sqrtT) + rate * price;
  const vega = forwardDensity * sqrtT;
  const rho = -timeYears * price;
  const vanna = (-forwardDensity * d2) / (forward * vol);
  const vomma = (vega * d1 * d2) / vol;
  const charm = rate * delta + (forwardDensity * d2) / (2 * timeYears * forward);
  const days = DAYS_PER_YEAR[units.dayBasis];
  // Built here rather than in a shared helper: a non-inlined helper would box all ten doubles it is
  // passed, which once doubled the cost of this function in a warm chain.
  return {
    price,
    delta,
    gamma,
    theta,
    vega,
    rho,
    vanna,
    vomma,
    charm,
    thetaPerDay: theta / days,
    vegaPerPoint: vega / 100,
    rhoPerPercent: rho / 100,
    vannaPerPoint: vanna / 100,
    vommaPerPoint: vomma / 10_000,
    charmPerDay: charm / days,
  };
}
