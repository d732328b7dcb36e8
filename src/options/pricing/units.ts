/**
 * Greek result shapes and the display conventions of Indian option chains (reference §2.3): theta per
 * day (365 calendar or 252 trading days a year), vega per 1 vol point, rho per 1% of rate, and per-lot
 * figures as per-unit × lot size (index options are ₹1 per index point).
 */

import { IfError } from '../../core/index.js';

/** Which days a per-day figure counts: 365 calendar days or 252 trading days per year. */
export type DayBasis = 'calendar' | 'trading';

/** Days per year of each {@link DayBasis}. */
export const DAYS_PER_YEAR: Readonly<Record<DayBasis, number>> = { calendar: 365, trading: 252 };

/** Display options for Greeks. Match `dayBasis` to how `timeYears` was measured. */
export interface GreekUnits {
  readonly dayBasis: DayBasis;
}

export const DEFAULT_GREEK_UNITS: GreekUnits = { dayBasis: 'calendar' };

/** Greeks in the units Indian option chains show, per unit of the underlying unless scaled by {@link perLot}. */
export interface DisplayGreeks {
  /** Discounted premium, ₹ per unit. */
  readonly price: number;
  /** ∂V/∂F for Black-76 (the futures delta D·N(d1)) or ∂V/∂S for BSM; ₹ per ₹ of underlying. */
  readonly delta: number;
  /** ∂²V/∂F² (Black-76) or ∂²V/∂S² (BSM): change in delta per ₹1 move of the underlying. */
  readonly gamma: number;
  /** Change in premium over one day of time passing, ₹ per day (basis from {@link GreekUnits}). */
  readonly thetaPerDay: number;
  /** Change in premium for +1 vol point (σ 12% → 13%), ₹ per vol point. */
  readonly vegaPerPoint: number;
  /** Change in premium for +1 percentage point of the rate, ₹ per 1%. */
  readonly rhoPerPercent: number;
  /** Change in delta for +1 vol point. */
  readonly vannaPerPoint: number;
  /** Change in vegaPerPoint for +1 vol point, ₹ per vol point². */
  readonly vommaPerPoint: number;
  /** Change in delta over one day of time passing, per day. */
  readonly charmPerDay: number;
}

/** Per-unit Greeks in raw annual units, with the display figures alongside. */
export interface Greeks extends DisplayGreeks {
  /** ∂V/∂t with t calendar time passing (= −∂V/∂T), ₹ per year. */
  readonly theta: number;
  /** ∂V/∂σ, ₹ per 1.00 of volatility (per 100 vol points). */
  readonly vega: number;
  /** ∂V/∂r, ₹ per 1.00 of rate (per 100%). Black-76: discounting only, F held fixed. */
  readonly rho: number;
  /** ∂²V/∂F∂σ (BSM: ∂²V/∂S∂σ): change in delta per 1.00 of volatility. */
  readonly vanna: number;
  /** ∂²V/∂σ², ₹ per (1.00 of volatility)². */
  readonly vomma: number;
  /** ∂delta/∂t with time passing, per year. */
  readonly charm: number;
}

/** Raw Greeks plus their display conversions; `daysPerYear` from the caller's {@link DayBasis}. */
export function withDisplay(
  price: number,
  delta: number,
  gamma: number,
  theta: number,
  vega: number,
  rho: number,
  vanna: number,
  vomma: number,
  charm: number,
  daysPerYear: number,
): Greeks {
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
    thetaPerDay: theta / daysPerYear,
    vegaPerPoint: vega / 100,
    rhoPerPercent: rho / 100,
    vannaPerPoint: vanna / 100,
    vommaPerPoint: vomma / 10_000,
    charmPerDay: charm / daysPerYear,
  };
}

/**
 * Display Greeks for one lot: every figure × `lotSize` (units per lot, e.g. 65 for NIFTY from the
 * instrument master). Greeks are linear in quantity, so this is exact. Throws IF_ERR_OPTION_INPUT for a
 * lot size that is not finite and positive.
 */
export function perLot(greeks: DisplayGreeks, lotSize: number): DisplayGreeks {
  if (!(lotSize > 0 && lotSize < Number.POSITIVE_INFINITY)) {
    throw new IfError('IF_ERR_OPTION_INPUT', { detail: `lotSize ${lotSize} must be finite and > 0` });
  }
  return {
    price: greeks.price * lotSize,
    delta: greeks.delta * lotSize,
    gamma: greeks.gamma * lotSize,
    thetaPerDay: greeks.thetaPerDay * lotSize,
    vegaPerPoint: greeks.vegaPerPoint * lotSize,
    rhoPerPercent: greeks.rhoPerPercent * lotSize,
    vannaPerPoint: greeks.vannaPerPoint * lotSize,
    vommaPerPoint: greeks.vommaPerPoint * lotSize,
    charmPerDay: greeks.charmPerDay * lotSize,
  };
}
