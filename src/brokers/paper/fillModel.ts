import type { SeededRandom } from '../../core/random.js';
import type { OrderSide } from '../../execution/orders/index.js';

/**
 * The paper venue's fill model: pure functions over a private copy of the displayed book.
 *
 * A marketable limit takes liquidity level by level up to its limit (the slippage is the walk through the
 * book); the rest joins the queue behind the quantity displayed at its price. Trades printed at or through
 * the price eat the queue ahead first and then fill the order; a book that moves through the price fills it
 * at its limit. Liquidity taken by a paper order is removed from the copy, so two paper orders never take the
 * same displayed lots before the next depth snapshot.
 */

export interface BookLevel {
  /** paise */
  readonly pricePaise: number;
  /** units */
  readonly quantity: number;
}

/** Displayed book, best first on each side; empty levels are left out. */
export interface Book {
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

export const EMPTY_BOOK: Book = { bids: [], asks: [] };

/** Slippage beyond the book walk: with `probability`, a taking fill is `ticks` ticks worse (capped at the limit). */
export interface AdverseSelection {
  readonly probability: number;
  readonly ticks: number;
}

export interface ModelFill {
  /** units */
  readonly quantity: number;
  /** paise */
  readonly pricePaise: number;
}

/** A resting paper order as the model sees it. */
export interface RestingState {
  readonly side: OrderSide;
  /** paise */
  readonly limitPricePaise: number;
  /** units still open */
  readonly remaining: number;
  /** estimated units ahead of us at our price */
  readonly queueAhead: number;
}

/** True when a buy at `limit` may trade at `price` (price ≤ limit), or a sell (price ≥ limit). */
export function isAtOrThrough(side: OrderSide, limitPricePaise: number, pricePaise: number): boolean {
  return side === 'BUY' ? pricePaise <= limitPricePaise : pricePaise >= limitPricePaise;
}

/** The side of the book an order of `side` takes from. */
function opposite(book: Book, side: OrderSide): readonly BookLevel[] {
  return side === 'BUY' ? book.asks : book.bids;
}

function withOpposite(book: Book, side: OrderSide, levels: readonly BookLevel[]): Book {
  return side === 'BUY' ? { bids: book.bids, asks: levels } : { bids: levels, asks: book.asks };
}

export interface TakeResult {
  readonly fills: readonly ModelFill[];
  /** units left after taking */
  readonly remaining: number;
  /** the book with the taken quantity removed */
  readonly book: Book;
}

/**
 * Walks the opposite side up to the limit, one fill per level (partial at the last). `adverse` worsens a
 * fill by whole ticks, never beyond the limit; it draws from `random` only when configured.
 */
export function takeLiquidity(
  book: Book,
  side: OrderSide,
  limitPricePaise: number,
  quantity: number,
  tickSizePaise: number,
  adverse: AdverseSelection | undefined,
  random: SeededRandom,
): TakeResult {
  const levels = opposite(book, side);
  const fills: ModelFill[] = [];
  const left: BookLevel[] = [];
  let remaining = quantity;
  for (const level of levels) {
    if (remaining === 0 || !isAtOrThrough(side, limitPricePaise, level.pricePaise)) {
      left.push(level);
      continue;
    }
    const taken = Math.min(remaining, level.quantity);
    remaining -= taken;
    fills.push({
      quantity: taken,
      pricePaise: adversePrice(side, level.pricePaise, limitPricePaise, tickSizePaise, adverse, random),
    });
    if (taken < level.quantity) left.push({ pricePaise: level.pricePaise, quantity: level.quantity - taken });
  }
  return { fills, remaining, book: withOpposite(book, side, left) };
}

/**
 * {@link takeLiquidity} for an order that enters the book because of a trade at `printPaise` (a triggered
 * stop). Just after that print no bid above it, nor ask below it, can be displayed, so opposite levels
 * better than the print are stale (a copy from before the print) and are neither taken nor dropped.
 */
export function takeLiquidityAfterPrint(
  book: Book,
  side: OrderSide,
  limitPricePaise: number,
  quantity: number,
  tickSizePaise: number,
  adverse: AdverseSelection | undefined,
  random: SeededRandom,
  printPaise: number,
): TakeResult {
  const levels = opposite(book, side);
  const better = (price: number) => (side === 'BUY' ? price < printPaise : price > printPaise);
  // best first, so the stale levels are a prefix
  let staleCount = 0;
  for (const level of levels) {
    if (!better(level.pricePaise)) break;
    staleCount += 1;
  }
  if (staleCount === 0) {
    return takeLiquidity(book, side, limitPricePaise, quantity, tickSizePaise, adverse, random);
  }
  const stale = levels.slice(0, staleCount);
  const reachable = withOpposite(book, side, levels.slice(staleCount));
  const taken = takeLiquidity(reachable, side, limitPricePaise, quantity, tickSizePaise, adverse, random);
  return {
    fills: taken.fills,
    remaining: taken.remaining,
    book: withOpposite(taken.book, side, [...stale, ...opposite(taken.book, side)]),
  };
}

function adversePrice(
  side: OrderSide,
  pricePaise: number,
  limitPricePaise: number,
  tickSizePaise: number,
  adverse: AdverseSelection | undefined,
  random: SeededRandom,
): number {
  if (adverse === undefined || adverse.ticks <= 0 || adverse.probability <= 0) return pricePaise;
  if (random.next() >= adverse.probability) return pricePaise;
  const shift = adverse.ticks * tickSizePaise;
  return side === 'BUY'
    ? Math.min(limitPricePaise, pricePaise + shift)
    : Math.max(limitPricePaise, pricePaise - shift);
}

/**
 * Units displayed ahead of a new order at its price on its own side: the level's quantity, or 0 when the
 * price improves the best (or the level is not displayed).
 */
export function queueOnJoin(book: Book, side: OrderSide, limitPricePaise: number): number {
  const own = side === 'BUY' ? book.bids : book.asks;
  const level = own.find((l) => l.pricePaise === limitPricePaise);
  return level === undefined ? 0 : level.quantity;
}

export interface StepResult {
  readonly state: RestingState;
  /** units filled at the order's limit by this step (0 for none) */
  readonly filled: number;
}

/**
 * A trade of `volume` units printed at `tradePricePaise`. At or through our price it eats the queue ahead
 * first, and what is left fills us (at our limit: a resting order is the passive side).
 */
export function onTrade(state: RestingState, tradePricePaise: number, volume: number): StepResult {
  if (volume <= 0 || state.remaining === 0) return { state, filled: 0 };
  if (!isAtOrThrough(state.side, state.limitPricePaise, tradePricePaise)) return { state, filled: 0 };
  const eaten = Math.min(state.queueAhead, volume);
  const filled = Math.min(state.remaining, volume - eaten);
  return {
    state: { ...state, queueAhead: state.queueAhead - eaten, remaining: state.remaining - filled },
    filled,
  };
}

export interface BookStepResult extends StepResult {
  /** the book with the crossing quantity we took removed */
  readonly book: Book;
}

/**
 * A new book for a resting order. Opposite quantity at or through our price fills us at our limit (the book
 * moved through us); otherwise the queue ahead shrinks to what is still displayed at our price, since
 * cancellations ahead of us move us up.
 */
export function onBook(state: RestingState, book: Book): BookStepResult {
  if (state.remaining === 0) return { state, filled: 0, book };
  let filled = 0;
  let next = book;
  const crossing = opposite(book, state.side).some((l) =>
    isAtOrThrough(state.side, state.limitPricePaise, l.pricePaise),
  );
  if (crossing) {
    const left: BookLevel[] = [];
    let remaining = state.remaining;
    for (const level of opposite(book, state.side)) {
      if (remaining === 0 || !isAtOrThrough(state.side, state.limitPricePaise, level.pricePaise)) {
        left.push(level);
        continue;
      }
      const taken = Math.min(remaining, level.quantity);
      remaining -= taken;
      filled += taken;
      if (taken < level.quantity)
        left.push({ pricePaise: level.pricePaise, quantity: level.quantity - taken });
    }
    next = withOpposite(book, state.side, left);
  }
  const own = state.side === 'BUY' ? book.bids : book.asks;
  const level = own.find((l) => l.pricePaise === state.limitPricePaise);
  const queueAhead = crossing
    ? 0
    : level === undefined
      ? state.queueAhead
      : Math.min(state.queueAhead, level.quantity);
  return { state: { ...state, remaining: state.remaining - filled, queueAhead }, filled, book: next };
}
