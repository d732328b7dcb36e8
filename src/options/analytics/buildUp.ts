import type { Chain } from './types.js';

/** OI build-up label of one contract from the signs of its price change and OI change (reference §4). */
export type BuildUp = 'long-build-up' | 'short-build-up' | 'short-covering' | 'long-unwinding' | 'neutral';

/** Moves at or below these sizes count as no move, so tick noise is not labelled. */
export interface BuildUpDeadBand {
  /** price change, paise; default 0 (only an unchanged price is neutral) */
  readonly price?: number;
  /** OI change, contracts; default 0 */
  readonly oi?: number;
}

/**
 * Classifies a contract: ΔP > 0 with ΔOI > 0 is long build-up, ΔP < 0 with ΔOI > 0 short build-up,
 * ΔP > 0 with ΔOI < 0 short covering, ΔP < 0 with ΔOI < 0 long unwinding; a change within the dead band
 * on either axis is neutral. ΔP in paise (LTP − previous close), ΔOI in contracts.
 */
export function oiBuildUp(priceChange: number, oiChange: number, deadBand: BuildUpDeadBand = {}): BuildUp {
  const priceBand = deadBand.price ?? 0;
  const oiBand = deadBand.oi ?? 0;
  if (!(Math.abs(priceChange) > priceBand) || !(Math.abs(oiChange) > oiBand)) return 'neutral';
  if (oiChange > 0) return priceChange > 0 ? 'long-build-up' : 'short-build-up';
  return priceChange > 0 ? 'short-covering' : 'long-unwinding';
}

/**
 * What a build-up says about the underlying's direction: the reference's call column for calls and
 * futures, reversed for puts (long build-up in puts is bearish, short build-up in puts is put writing).
 */
export function buildUpBias(label: BuildUp, side: 'call' | 'put'): 'bullish' | 'bearish' | 'neutral' {
  if (label === 'neutral') return 'neutral';
  const callBullish = label === 'long-build-up' || label === 'short-covering';
  return callBullish === (side === 'call') ? 'bullish' : 'bearish';
}

export interface StrikeBuildUp {
  /** paise */
  readonly strike: number;
  /** undefined when the side is missing, untraded today (LTP 0) or has no previous close */
  readonly call: BuildUp | undefined;
  readonly put: BuildUp | undefined;
}

/** Build-up label of each side of each strike, in chain order, from LTP − previous close and OI change. */
export function chainBuildUp(chain: Chain, deadBand: BuildUpDeadBand = {}): readonly StrikeBuildUp[] {
  const label = (q: Chain[number]['call']): BuildUp | undefined => {
    if (q === undefined || q.prevClose === undefined || !(q.prevClose > 0) || !(q.ltp > 0)) return undefined;
    return oiBuildUp(q.ltp - q.prevClose, q.oiChange, deadBand);
  };
  return chain.map((row) => ({ strike: row.strike, call: label(row.call), put: label(row.put) }));
}
