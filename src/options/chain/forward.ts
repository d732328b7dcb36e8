/** Where a chain's forward came from, in order of preference by default. */
export type ForwardSource =
  /** the same-expiry future's mid (its LTP without a two-sided book); monthly expiries only */
  | 'future'
  /** put–call parity on the option mids around the money */
  | 'parity'
  /** the index carried at the rate less a dividend yield, when neither of the above is available */
  | 'spot-carry';

/** A put–call-parity forward and the strikes it was read from. */
export interface ParityForward {
  /** forward, in the unit of the inputs (paise in the chain) */
  readonly forward: number;
  /** indices (into the inputs) of the lowest and highest strike used */
  readonly first: number;
  readonly last: number;
  /** strikes used */
  readonly used: number;
}

/**
 * Forward by put–call parity (reference §2.4): each strike K with both prices gives F = K + (C − P)/D,
 * D = e^{−rT}; the answer is the median over the `count` strikes nearest the one where |C − P| is least
 * (the strike nearest the forward). The median, not the regression of C − P on K the reference also
 * describes, because a chain's near-ATM mids carry a stale or fat-fingered quote now and then, and one
 * bad strike must not move every IV of the chain; D comes from the configured rate, which the forward
 * barely depends on (a 50 bp error moves a weekly forward by ~0.01 point per ₹100 of C − P).
 *
 * `strikes` ascending; `calls[i]`/`puts[i]` the prices at `strikes[i]`, ≤ 0 (or not finite) for none.
 * Undefined when no strike has both prices.
 */
export function parityForward(
  strikes: ArrayLike<number>,
  calls: ArrayLike<number>,
  puts: ArrayLike<number>,
  discount: number,
  count = 5,
): ParityForward | undefined {
  const n = strikes.length;
  const valid = (i: number): boolean => (calls[i] ?? 0) > 0 && (puts[i] ?? 0) > 0;
  let centre = -1;
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    if (!valid(i)) continue;
    const gap = Math.abs((calls[i] ?? 0) - (puts[i] ?? 0));
    if (gap < least) {
      least = gap;
      centre = i;
    }
  }
  if (centre < 0) return undefined;
  const centreStrike = strikes[centre] ?? 0;
  const implied: number[] = [];
  const at = (i: number): number => (strikes[i] ?? 0) + ((calls[i] ?? 0) - (puts[i] ?? 0)) / discount;
  implied.push(at(centre));
  let first = centre;
  let last = centre;
  let lo = centre - 1;
  let hi = centre + 1;
  while (implied.length < count) {
    while (lo >= 0 && !valid(lo)) lo--;
    while (hi < n && !valid(hi)) hi++;
    if (lo < 0 && hi >= n) break;
    const below = lo >= 0 ? centreStrike - (strikes[lo] ?? 0) : Number.POSITIVE_INFINITY;
    const above = hi < n ? (strikes[hi] ?? 0) - centreStrike : Number.POSITIVE_INFINITY;
    if (below <= above) {
      implied.push(at(lo));
      first = lo;
      lo--;
    } else {
      implied.push(at(hi));
      last = hi;
      hi++;
    }
  }
  implied.sort((a, b) => a - b);
  const mid = implied.length >> 1;
  const forward =
    implied.length % 2 === 1 ? (implied[mid] ?? 0) : ((implied[mid - 1] ?? 0) + (implied[mid] ?? 0)) / 2;
  return { forward, first, last, used: implied.length };
}
