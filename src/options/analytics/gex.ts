import type { Chain, ChainQuote } from './types.js';

/**
 * Who is assumed to hold the other side of the OI. +1 counts a side's gamma as dealer-long (stabilising),
 * −1 as dealer-short. The sign is an assumption, not data: in India option OI is dominated by prop and FPI
 * sellers against retail buyers, so the classic convention is labelled naive.
 */
export interface GexConvention {
  readonly label: string;
  readonly callSign: 1 | -1;
  readonly putSign: 1 | -1;
}

/** SpotGamma-style: dealers long calls, short puts; net GEX = Σ call GEX − Σ put GEX (reference §4). */
export const NAIVE_DEALER_GEX: GexConvention = {
  label: 'naive: dealers long calls, short puts',
  callSign: 1,
  putSign: -1,
};

/** The Indian-flow reading: dealers (option writers) short both calls and puts. */
export const WRITERS_SHORT_GEX: GexConvention = {
  label: 'assumed: option writers short calls and puts',
  callSign: -1,
  putSign: -1,
};

export interface StrikeGex {
  /** paise */
  readonly strike: number;
  /** signed ₹ per 1% move of the underlying, by the convention's sign */
  readonly call: number;
  readonly put: number;
  readonly net: number;
}

export interface GammaExposure {
  /** one entry per strike, in chain order */
  readonly strikes: readonly StrikeGex[];
  /** signed totals, ₹ per 1% move */
  readonly call: number;
  readonly put: number;
  readonly net: number;
  readonly convention: string;
  /** sides that carry OI but no gamma, left out of the sums so a gap is visible rather than silent */
  readonly missingGamma: number;
}

/**
 * Gamma exposure per strike and in total, in ₹ per 1% move of the underlying (reference §4):
 * GEX_K = Γ(K) × OI(K) × lotSize × multiplier × S² × 0.01, with Γ per unit per ₹ (the row's `gamma`),
 * OI in contracts, `multiplier` in ₹ per index point (1 for index options) and S = `spot` paise / 100.
 * The result is an exposure in rupees as a float, not a stored amount of money.
 */
export function gammaExposure(
  chain: Chain,
  spot: number,
  lotSize: number,
  multiplier = 1,
  convention: GexConvention = NAIVE_DEALER_GEX,
): GammaExposure {
  const s = spot / 100;
  const perGammaContract = lotSize * multiplier * s * s * 0.01;
  let missingGamma = 0;
  const side = (q: ChainQuote | undefined, sign: 1 | -1): number => {
    if (q === undefined || !(q.oi > 0)) return 0;
    if (q.gamma === undefined || !Number.isFinite(q.gamma)) {
      missingGamma++;
      return 0;
    }
    return sign * q.gamma * q.oi * perGammaContract;
  };
  let call = 0;
  let put = 0;
  const strikes = chain.map((row) => {
    const c = side(row.call, convention.callSign);
    const p = side(row.put, convention.putSign);
    call += c;
    put += p;
    return { strike: row.strike, call: c, put: p, net: c + p };
  });
  return { strikes, call, put, net: call + put, convention: convention.label, missingGamma };
}
