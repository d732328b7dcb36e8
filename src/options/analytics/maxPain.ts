import type { Chain } from './types.js';

export interface PainPoint {
  /** candidate settlement price, paise (a strike of the chain) */
  readonly strike: number;
  /** total payout to option holders if the underlying settles there, paise */
  readonly payout: number;
}

export interface MaxPain extends PainPoint {
  /** the payout at every strike, ascending by strike */
  readonly curve: readonly PainPoint[];
}

/**
 * Max pain (reference §4): the strike S* minimising the option writers' total payout
 * Σ OI_c(K)·max(S* − K, 0) + Σ OI_p(K)·max(K − S*, 0), candidates on the strike grid. Payout in paise =
 * OI contracts × `lotSize` units × intrinsic paise (the index multiplier is ₹1 per point, so the lot
 * size is the whole conversion); the argmin does not depend on `lotSize`. Ties go to the lower strike.
 * O(N log N): one sort, then running sums, exact in integers while payouts stay below 2^53 paise.
 * Undefined for an empty chain.
 */
export function maxPain(chain: Chain, lotSize = 1): MaxPain | undefined {
  const rows = chain
    .map((r) => ({ strike: r.strike, callOi: r.call?.oi ?? 0, putOi: r.put?.oi ?? 0 }))
    .sort((x, y) => x.strike - y.strike);
  const first = rows[0];
  if (first === undefined) return undefined;

  // Walking up the grid, every call below the candidate gains the step, every put at or above loses it.
  let putPain = 0;
  let putOiAtOrAbove = 0;
  for (const r of rows) {
    putPain += r.putOi * (r.strike - first.strike);
    putOiAtOrAbove += r.putOi;
  }
  let callPain = 0;
  let callOiBelow = 0;
  let previous = first.strike;
  const curve: PainPoint[] = [];
  let best: PainPoint | undefined;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r === undefined) continue;
    const step = r.strike - previous;
    callPain += callOiBelow * step;
    putPain -= putOiAtOrAbove * step;
    const point = { strike: r.strike, payout: (callPain + putPain) * lotSize };
    curve.push(point);
    if (best === undefined || point.payout < best.payout) best = point;
    callOiBelow += r.callOi;
    putOiAtOrAbove -= r.putOi;
    previous = r.strike;
  }
  return best === undefined ? undefined : { ...best, curve };
}
