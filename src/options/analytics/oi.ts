import type { Chain } from './types.js';

/** What a put-call ratio is taken over: open interest, day volume, or the day's change in OI. */
export type PcrBasis = 'oi' | 'volume' | 'oiChange';

/**
 * Put-call ratio Σ puts / Σ calls over the chain's strikes (dimensionless): by OI, by volume, or by OI
 * change (reference §4). Undefined when the call total is ≤ 0, where the ratio means nothing; that
 * happens routinely for OI change on a day calls are unwound.
 */
export function putCallRatio(chain: Chain, basis: PcrBasis = 'oi'): number | undefined {
  let calls = 0;
  let puts = 0;
  for (const row of chain) {
    if (row.call !== undefined) calls += row.call[basis];
    if (row.put !== undefined) puts += row.put[basis];
  }
  return calls > 0 ? puts / calls : undefined;
}

/** Strikes (paise) traders read as walls; undefined where no row carries a positive value. */
export interface OiWalls {
  /** strike with the largest call OI ("resistance") */
  readonly resistance: number | undefined;
  /** strike with the largest put OI ("support") */
  readonly support: number | undefined;
  /** strikes with the largest positive OI change on each side (fresh writing) */
  readonly callOiAddition: number | undefined;
  readonly putOiAddition: number | undefined;
}

/** Support and resistance walls from OI and OI change; ties go to the lower strike. */
export function oiWalls(chain: Chain): OiWalls {
  const top = (value: (row: Chain[number]) => number | undefined): number | undefined => {
    let best: number | undefined;
    let bestStrike: number | undefined;
    for (const row of chain) {
      const v = value(row);
      if (v === undefined || !(v > 0)) continue;
      if (best === undefined || v > best || (v === best && row.strike < (bestStrike ?? row.strike))) {
        best = v;
        bestStrike = row.strike;
      }
    }
    return bestStrike;
  };
  return {
    resistance: top((r) => r.call?.oi),
    support: top((r) => r.put?.oi),
    callOiAddition: top((r) => r.call?.oiChange),
    putOiAddition: top((r) => r.put?.oiChange),
  };
}
