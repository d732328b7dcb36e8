/**
 * The chain's per-contract maths: Black-76 implied volatility warm-started near the contract's new IV,
 * and the display Greeks at that IV, written into a reused slot.
 *
 * Why not call `tryImpliedVolatility` and `greeks` for every contract: when the forward moves every IV of
 * the chain moves, so a refresh re-solves all of them. Let's Be Rational from scratch costs ~350–500 ns
 * and `greeks()` ~270 ns (it validates and allocates a 15-field object): ~0.27 ms for a 400-contract
 * chain in bench/chain.ts. The chain predicts each new IV to first order from the contract's last Greeks
 * (within ~1e-8 for a one-tick forward move), so one Halley step on Jäckel's normalised Black function
 * b(x, s) usually reaches rounding (two from a start 1% off), and the five Greeks a chain shows need one
 * pdf and one cdf. What the warm start cannot settle in a few steps (no previous IV, a large jump, the
 * far wings) goes to `tryImpliedVolatility`, so the answer agrees with the library solver to ~1e-12;
 * `kernel.test.ts` checks both against each other and the Greeks against `greeks()`.
 */

import type { ErrorCode } from '../../core/index.js';
import {
  logMoneyness,
  normalisedBlackOtmCall,
  normalisedVega,
  normCdf,
  normPdf,
  tryImpliedVolatility,
} from '../iv/index.js';

/** Why a contract has no IV: chain-level reasons first, then the solver's (reference §7 item 1). */
export type IvUnavailable =
  /** no price on that basis: untraded today (LTP 0) or no book */
  | 'no-price'
  /** only one side of the book is quoted, so there is no mid */
  | 'one-sided'
  /** bid above ask: a broken book has no mid */
  | 'crossed'
  /** neither a future, nor put–call parity, nor the index gives a forward yet */
  | 'no-forward'
  /** no time left to the expiry close */
  | 'expired'
  /** premium below discounted intrinsic value */
  | 'below-intrinsic'
  /** premium at or above the discounted forward (call) or strike (put) */
  | 'above-max'
  /** invalid numbers reached the solver, or it did not converge */
  | 'unsolved';

// Negative results of solveVol; decoded to IvUnavailable only off the hot path.
export const FAULT_BELOW_INTRINSIC = -3;
export const FAULT_ABOVE_MAX = -4;
export const FAULT_UNSOLVED = -5;
export const FAULT_EXPIRED = -2;

/** The IvUnavailable of a negative solveVol result. */
export function faultReason(fault: number): IvUnavailable {
  if (fault === FAULT_BELOW_INTRINSIC) return 'below-intrinsic';
  if (fault === FAULT_ABOVE_MAX) return 'above-max';
  if (fault === FAULT_EXPIRED) return 'expired';
  return 'unsolved';
}

function codeFault(code: ErrorCode): number {
  if (code === 'IF_ERR_IV_BELOW_INTRINSIC') return FAULT_BELOW_INTRINSIC;
  if (code === 'IF_ERR_IV_ABOVE_MAX') return FAULT_ABOVE_MAX;
  if (code === 'IF_ERR_OPTION_EXPIRED') return FAULT_EXPIRED;
  return FAULT_UNSOLVED;
}

/** Same tolerance as the library solver: ulps below intrinsic still mean σ = 0. */
const INTRINSIC_TOLERANCE = 4 * Number.EPSILON;
/** Accept after a Halley step this small (relative): the cubic error after it is below 1e-15. */
const ACCEPT_STEP = 1e-5;
const MAX_HALLEY_STEPS = 4;
/**
 * Warm starts are used only while h = x/s ≥ this: further out the normalised price falls like e^{−h²/2}
 * and Halley on b itself (not ln b, as LBR uses there) needs more steps than a cold solve.
 */
const MIN_WARM_H = -8;

/** Counts of how solves finished, for tests, the bench and health: warm (Halley) or cold (library). */
export interface SolveStats {
  warm: number;
  /** Halley steps over all warm solves */
  warmSteps: number;
  cold: number;
}

/**
 * What every contract of a chain shares at one valuation: the forward, T and the rate, and the
 * transcendental functions of them, computed once per forward or T move instead of once per contract.
 */
export class Valuation {
  forward = 0;
  timeYears = 0;
  rate = 0;
  sqrtT = 0;
  /** e^{−rT} */
  discount = 1;
  /** e^{rT} − 1, to undiscount a premium as P + P·(e^{rT} − 1) */
  carry = 0;

  /** Sets the forward (₹) and T (years) for `rate`; T ≤ 0 leaves the valuation expired. */
  set(forward: number, timeYears: number, rate: number): this {
    this.forward = forward;
    this.timeYears = timeYears;
    this.rate = rate;
    this.sqrtT = timeYears > 0 ? Math.sqrt(timeYears) : 0;
    this.discount = Math.exp(-rate * timeYears);
    this.carry = Math.expm1(rate * timeYears);
    return this;
  }
}

/**
 * Black-76 implied volatility, annualised, of a discounted premium `price` (₹ per unit) at `strike` (₹)
 * under valuation `v`; `x` = ln(F/K) from `logMoneyness(v.forward, strike)` (the caller shares it with
 * the Greeks). `guess` is a starting IV (annualised; ≤ 0 for none): the previous IV, or better a
 * first-order prediction of the new one. Returns σ ≥ 0, or a negative FAULT_* code. Allocates nothing
 * unless it falls back to the library solver. `stats`, when given, counts how the solve finished.
 */
export function solveVolAt(
  v: Valuation,
  price: number,
  strike: number,
  x: number,
  isCall: boolean,
  guess: number,
  stats?: SolveStats,
): number {
  const forward = v.forward;
  if (!(v.timeYears > 0)) return FAULT_EXPIRED;
  if (guess > 0 && guess < 10 && price >= 0 && forward > 0 && strike > 0) {
    // Undiscount as the library does, so intrinsic cancels exactly when deep in the money.
    const carry = price * v.carry;
    if (price + carry >= (isCall ? forward : strike)) return FAULT_ABOVE_MAX;
    const intrinsic = isCall ? forward - strike : strike - forward;
    let timeValue = price + carry;
    if (intrinsic > 0) {
      timeValue = price - intrinsic + carry;
      if (timeValue < 0) return timeValue >= -INTRINSIC_TOLERANCE * intrinsic ? 0 : FAULT_BELOW_INTRINSIC;
    }
    if (timeValue === 0) return 0;
    const xo = -Math.abs(x);
    const beta = timeValue / Math.sqrt(forward * strike);
    let s = guess * v.sqrtT;
    if (xo / s >= MIN_WARM_H) {
      for (let step = 1; step <= MAX_HALLEY_STEPS; step++) {
        const f = normalisedBlackOtmCall(xo, s) - beta;
        const vega = normalisedVega(xo, s);
        if (!(vega > 0)) break;
        // b'' = b'·(x²/s³ − s/4): Halley's step costs no extra transcendental over Newton's.
        const curvature = (xo * xo) / (s * s * s) - 0.25 * s;
        const ds = (2 * f) / (2 * vega - f * curvature);
        const next = s - ds;
        if (!(next > 0) || !Number.isFinite(next)) break;
        s = next;
        if (Math.abs(ds) <= ACCEPT_STEP * s) {
          if (stats !== undefined) {
            stats.warm++;
            stats.warmSteps += step;
          }
          return s / v.sqrtT;
        }
      }
    }
  }
  if (stats !== undefined) stats.cold++;
  const result = tryImpliedVolatility({
    price,
    forward,
    strike,
    timeYears: v.timeYears,
    rate: v.rate,
    isCall,
  });
  return result.ok ? result.vol : codeFault(result.code);
}

/** {@link solveVolAt} with its own valuation: for one-off solves and tests, not for a chain's loop. */
export function solveVol(
  price: number,
  forward: number,
  strike: number,
  timeYears: number,
  rate: number,
  isCall: boolean,
  guess: number,
  stats?: SolveStats,
): number {
  const v = new Valuation().set(forward, timeYears, rate);
  return solveVolAt(v, price, strike, logMoneyness(forward, strike), isCall, guess, stats);
}

/** Display Greeks of one contract, per unit; reused, so copy what you keep. */
export interface GreeksSlot {
  /** futures delta D·N(θd1), ₹ per ₹ of the forward (same convention as `greeks()`) */
  delta: number;
  /** ∂²V/∂F², per ₹ */
  gamma: number;
  /** ₹ per day of time passing (365 calendar or 252 trading days a year, per `daysPerYear`) */
  theta: number;
  /** ₹ per vol point */
  vega: number;
  /** ₹ per 1% of rate (discounting only, F held fixed) */
  rho: number;
}

/**
 * Black-76 display Greeks (reference §2.2–2.3) at `vol` under valuation `v`, written into `out`: the same
 * numbers as `greeks(...)`'s delta, gamma, thetaPerDay, vegaPerPoint and rhoPerPercent. `x` = ln(F/K).
 * `price` is the discounted premium the IV was solved from, which is the model price at `vol`, so it
 * stands in for V in theta and rho without re-pricing. Requires T and vol > 0.
 */
export function black76GreeksAt(
  out: GreeksSlot,
  v: Valuation,
  x: number,
  vol: number,
  isCall: boolean,
  price: number,
  daysPerYear: number,
): void {
  const forward = v.forward;
  const sqrtT = v.sqrtT;
  const s = vol * sqrtT;
  const d1 = x / s + 0.5 * s;
  const density = v.discount * normPdf(d1);
  out.delta = isCall ? v.discount * normCdf(d1) : -v.discount * normCdf(-d1);
  out.gamma = density / (forward * s);
  out.theta = (-(density * forward * vol) / (2 * sqrtT) + v.rate * price) / daysPerYear;
  out.vega = (density * forward * sqrtT) / 100;
  out.rho = (-v.timeYears * price) / 100;
}

/** {@link black76GreeksAt} with its own valuation, for one-off use and tests. */
export function black76GreeksInto(
  out: GreeksSlot,
  forward: number,
  strike: number,
  timeYears: number,
  rate: number,
  vol: number,
  isCall: boolean,
  price: number,
  daysPerYear: number,
): void {
  const v = new Valuation().set(forward, timeYears, rate);
  black76GreeksAt(out, v, logMoneyness(forward, strike), vol, isCall, price, daysPerYear);
}
