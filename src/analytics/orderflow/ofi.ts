/**
 * Order-flow imbalance of one book update (Cont, Kukanov & Stoikov 2014, "The price impact of order book
 * events", eq. 2). With best bid P^B, Q^B and best ask P^A, Q^A at updates n−1 and n:
 *
 *   e_n =  1{P^B_n ≥ P^B_{n−1}} · Q^B_n  −  1{P^B_n ≤ P^B_{n−1}} · Q^B_{n−1}
 *        − 1{P^A_n ≤ P^A_{n−1}} · Q^A_n  +  1{P^A_n ≥ P^A_{n−1}} · Q^A_{n−1}
 *
 * which reads, side by side:
 *   bid up: +Q^B_n (new demand)       bid same: Q^B_n − Q^B_{n−1}        bid down: −Q^B_{n−1} (demand gone)
 *   ask down: −Q^A_n (new supply)     ask same: −(Q^A_n − Q^A_{n−1})     ask up: +Q^A_{n−1} (supply gone)
 *
 * Positive e is buying pressure. Summed over an interval it is OFI_k, whose ratio to the average depth
 * explains most of the interval's mid-price change in the paper.
 */

import type { TopOfBook } from './book.js';

/** e_n in units from the previous and the current best levels; both books must be two-sided. */
export function ofiContribution(previous: TopOfBook, current: TopOfBook): number {
  let e = 0;
  const pb = previous.bidPrice;
  const b = current.bidPrice;
  if (b >= pb) e += current.bidQuantity;
  if (b <= pb) e -= previous.bidQuantity;
  const pa = previous.askPrice;
  const a = current.askPrice;
  if (a <= pa) e -= current.askQuantity;
  if (a >= pa) e += previous.askQuantity;
  return e;
}
