import type { Chain, ChainQuote } from './types.js';

/** The chain's strike (paise) nearest the forward (paise); ties go to the lower strike. Undefined if empty. */
export function atmStrike(chain: Chain, forward: number): number | undefined {
  let best: number | undefined;
  for (const row of chain) {
    if (best === undefined) {
      best = row.strike;
      continue;
    }
    const d = Math.abs(row.strike - forward);
    const bestD = Math.abs(best - forward);
    if (d < bestD || (d === bestD && row.strike < best)) best = row.strike;
  }
  return best;
}

/** Which price a straddle is taken at: last trade (what Indian UIs show) or the mid of a two-sided book. */
export type StraddleBasis = 'ltp' | 'mid';

function priceOf(q: ChainQuote | undefined, basis: StraddleBasis): number | undefined {
  if (q === undefined) return undefined;
  if (basis === 'ltp') return q.ltp > 0 ? q.ltp : undefined;
  return q.bid > 0 && q.ask >= q.bid ? (q.bid + q.ask) / 2 : undefined;
}

/**
 * ATM straddle price C(K) + P(K) in paise at `strike` (normally `atmStrike(chain, forward)`). With 'mid'
 * the result can end in half a paisa. Undefined when the strike is not in the chain or either side has no
 * price on that basis (untraded, or no two-sided book) rather than a half-made number.
 */
export function straddlePrice(
  chain: Chain,
  strike: number,
  basis: StraddleBasis = 'ltp',
): number | undefined {
  const row = chain.find((r) => r.strike === strike);
  const call = priceOf(row?.call, basis);
  const put = priceOf(row?.put, basis);
  return call === undefined || put === undefined ? undefined : call + put;
}

export interface ExpectedMoveInput {
  /** forward (futures or put-call-parity forward), paise */
  readonly forward: number;
  /** ATM implied vol, annualised */
  readonly atmIv?: number;
  /** time to expiry, years, on the basis the IV was computed with (calendar or trading) */
  readonly timeYears?: number;
  /** ATM straddle price, paise */
  readonly straddle?: number;
}

/** Expected moves to expiry in paise of the underlying; each undefined when its inputs are missing. */
export interface ExpectedMove {
  /** 1σ move F·σ_ATM·√T (reference §4) */
  readonly oneSigma: number | undefined;
  /** the straddle price itself: the market's expected absolute move E|S_T − F| ≈ 0.798 × 1σ */
  readonly absolute: number | undefined;
  /** the 1σ move the straddle implies, straddle·√(π/2) ≈ 1.2533 × straddle (from E|X| = σ√(2/π)) */
  readonly straddleOneSigma: number | undefined;
}

/**
 * Expected move to expiry, both ways the reference defines it: from ATM IV (F·σ√T) and from the ATM
 * straddle (an expected absolute move, plus the 1σ it implies). The "85% of the straddle" rule of thumb
 * is not used: it is a convention, not a quantity, and the two measures above already bracket it.
 */
export function expectedMove(input: ExpectedMoveInput): ExpectedMove {
  const { forward, atmIv, timeYears, straddle } = input;
  const oneSigma =
    atmIv !== undefined && timeYears !== undefined && atmIv >= 0 && timeYears >= 0
      ? forward * atmIv * Math.sqrt(timeYears)
      : undefined;
  const absolute = straddle !== undefined && straddle >= 0 ? straddle : undefined;
  return {
    oneSigma,
    absolute,
    straddleOneSigma: absolute === undefined ? undefined : absolute * Math.sqrt(Math.PI / 2),
  };
}
