/**
 * Which side initiated a trade: quote rule first, tick rule when the quote cannot tell (Lee & Ready 1991).
 * Prices are integer paise, where 0 means "no price".
 */

/** The side that crossed the spread; `unknown` when neither rule can tell. */
export type Aggressor = 'buy' | 'sell' | 'unknown';

/**
 * Quote rule for a trade at `price` against the prevailing best bid/ask (paise): at or above the ask →
 * buy, at or below the bid → sell, inside → the side of the mid; `unknown` at the mid or without a
 * two-sided book.
 */
export function quoteRule(price: number, bidPrice: number, askPrice: number): Aggressor {
  if (!(price > 0 && bidPrice > 0 && askPrice > bidPrice)) return 'unknown';
  if (price >= askPrice) return 'buy';
  if (price <= bidPrice) return 'sell';
  // Twice the price against bid + ask: the mid may be a half paisa, integers compare exactly.
  const twice = 2 * price;
  const sum = bidPrice + askPrice;
  if (twice > sum) return 'buy';
  if (twice < sum) return 'sell';
  return 'unknown';
}

/**
 * Tick rule for a trade at `price` (paise) after a trade at `previousPrice`: uptick → buy, downtick →
 * sell, zero tick → the previous trade's side; `unknown` without a previous priced trade.
 */
export function tickRule(
  price: number,
  previousPrice: number | undefined,
  previousAggressor: Aggressor | undefined,
): Aggressor {
  if (previousPrice === undefined || !(previousPrice > 0) || !(price > 0)) return 'unknown';
  if (price > previousPrice) return 'buy';
  if (price < previousPrice) return 'sell';
  return previousAggressor ?? 'unknown';
}

/** Quote rule, falling back to the tick rule when the quote rule says `unknown`; prices in paise. */
export function classifyAggressor(
  price: number,
  bidPrice: number,
  askPrice: number,
  previousPrice: number | undefined,
  previousAggressor: Aggressor | undefined,
): Aggressor {
  const byQuote = quoteRule(price, bidPrice, askPrice);
  return byQuote === 'unknown' ? tickRule(price, previousPrice, previousAggressor) : byQuote;
}
