import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TopOfBook } from './book.js';
import { ofiContribution } from './ofi.js';

const book = (bidPrice: number, bidQuantity: number, askPrice: number, askQuantity: number): TopOfBook => ({
  bidPrice,
  bidQuantity,
  askPrice,
  askQuantity,
});

// Ask side held fixed (same price, same size) so each case isolates the bid term, and vice versa.
const PREV = book(10_000, 300, 10_010, 500);

describe('ofiContribution (Cont–Kukanov–Stoikov e_n)', () => {
  it('bid price up adds the whole new bid size', () => {
    expect(ofiContribution(PREV, book(10_005, 200, 10_010, 500)), '+Q^B_n').toBe(200);
  });

  it('bid price down removes the whole old bid size', () => {
    expect(ofiContribution(PREV, book(9_995, 800, 10_010, 500)), '−Q^B_{n−1}').toBe(-300);
  });

  it('bid price unchanged adds the bid size change, either sign', () => {
    expect(ofiContribution(PREV, book(10_000, 450, 10_010, 500)), 'bid queue grew by 150').toBe(150);
    expect(ofiContribution(PREV, book(10_000, 100, 10_010, 500)), 'bid queue shrank by 200').toBe(-200);
  });

  it('ask price down subtracts the whole new ask size (new supply)', () => {
    expect(ofiContribution(PREV, book(10_000, 300, 10_005, 700)), '−Q^A_n').toBe(-700);
  });

  it('ask price up adds the whole old ask size (supply consumed or cancelled)', () => {
    expect(ofiContribution(PREV, book(10_000, 300, 10_015, 50)), '+Q^A_{n−1}').toBe(500);
  });

  it('ask price unchanged subtracts the ask size change, either sign', () => {
    expect(ofiContribution(PREV, book(10_000, 300, 10_010, 650)), 'ask queue grew by 150').toBe(-150);
    expect(ofiContribution(PREV, book(10_000, 300, 10_010, 100)), 'ask queue shrank by 400').toBe(400);
  });

  it('combines both sides: bid up and ask up at once', () => {
    expect(ofiContribution(PREV, book(10_005, 200, 10_015, 50)), '+200 from bid, +500 from ask').toBe(700);
  });

  it('is 0 for an unchanged book and antisymmetric under swapping bid and ask roles', () => {
    const price = fc.integer({ min: 1, max: 1_000 });
    const qty = fc.integer({ min: 0, max: 10_000 });
    fc.assert(
      fc.property(price, qty, price, qty, price, qty, price, qty, (b0, qb0, a0, qa0, b1, qb1, a1, qa1) => {
        const prev = book(b0, qb0, 2_000 + a0, qa0);
        const next = book(b1, qb1, 2_000 + a1, qa1);
        expect(ofiContribution(prev, prev), 'no change, no flow').toBe(0);
        // Mirror prices (p → −p) turn bids into asks: the same events read from the other side.
        const mirror = (x: TopOfBook): TopOfBook =>
          book(-x.askPrice, x.askQuantity, -x.bidPrice, x.bidQuantity);
        // A sum, not toBe(−e): −0 and 0 differ under Object.is.
        expect(
          ofiContribution(mirror(prev), mirror(next)) + ofiContribution(prev, next),
          'mirrored book gives −e',
        ).toBe(0);
      }),
    );
  });
});
