/**
 * Pure measures of one order-book snapshot. Prices are integer paise, quantities units.
 */

import type { DepthLevel } from '../../feed/events.js';

/** Best bid and ask; `QuoteEvent` satisfies it, so a quote needs no copying. */
export interface TopOfBook {
  /** paise; 0 when the side is empty */
  readonly bidPrice: number;
  readonly bidQuantity: number;
  /** paise; 0 when the side is empty */
  readonly askPrice: number;
  readonly askQuantity: number;
}

/**
 * True when both sides are present and the bid is below the ask. Spread, mid, microprice and OFI are only
 * meaningful then: a one-sided book has no spread, and a locked or crossed one is a feed artefact on a
 * continuous-matching exchange, not a price.
 */
export function isTwoSided(book: TopOfBook): boolean {
  return book.bidPrice > 0 && book.askPrice > book.bidPrice && book.bidQuantity >= 0 && book.askQuantity >= 0;
}

/** (bid − ask) / (bid + ask) of two quantities in units, in [−1, 1]; undefined when both are 0. */
export function depthImbalance(bidQuantity: number, askQuantity: number): number | undefined {
  const total = bidQuantity + askQuantity;
  // `!(total > 0)` also rejects NaN, which must not leak into a signal as a number.
  if (!(total > 0)) return undefined;
  return (bidQuantity - askQuantity) / total;
}

/** Sum of the quantities (units) of the first `levels` levels of one side, best first. */
export function sideQuantity(side: readonly DepthLevel[], levels: number): number {
  let sum = 0;
  const n = Math.min(side.length, levels);
  for (let i = 0; i < n; i++) {
    const level = side[i];
    if (level !== undefined) sum += level.quantity;
  }
  return sum;
}

/** Depth imbalance over the best `levels` levels of each side, in [−1, 1]; undefined when both are empty. */
export function depthImbalanceLevels(
  bids: readonly DepthLevel[],
  asks: readonly DepthLevel[],
  levels: number,
): number | undefined {
  return depthImbalance(sideQuantity(bids, levels), sideQuantity(asks, levels));
}

/** Mid price in paise (may be a half paisa); undefined unless the book is two-sided. */
export function midPrice(book: TopOfBook): number | undefined {
  return isTwoSided(book) ? (book.bidPrice + book.askPrice) / 2 : undefined;
}

/**
 * Microprice in paise: the mid weighted by the opposite side's size, (bid·qa + ask·qb) / (qb + qa). A heavy
 * bid queue is likelier to hold than the ask, so the fair price leans towards the ask. Falls back to the
 * mid when both best quantities are 0; undefined unless the book is two-sided.
 */
export function microprice(book: TopOfBook): number | undefined {
  if (!isTwoSided(book)) return undefined;
  const total = book.bidQuantity + book.askQuantity;
  if (!(total > 0)) return (book.bidPrice + book.askPrice) / 2;
  return (book.bidPrice * book.askQuantity + book.askPrice * book.bidQuantity) / total;
}

/** Spread in paise (ask − bid); undefined unless the book is two-sided. */
export function spreadPaise(book: TopOfBook): number | undefined {
  return isTwoSided(book) ? book.askPrice - book.bidPrice : undefined;
}
