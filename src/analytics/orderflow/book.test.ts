import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DepthLevel } from '../../feed/events.js';
import {
  depthImbalance,
  depthImbalanceLevels,
  isTwoSided,
  microprice,
  midPrice,
  sideQuantity,
  spreadPaise,
} from './book.js';

const levelArb: fc.Arbitrary<DepthLevel> = fc.record({
  price: fc.integer({ min: 5, max: 10_000_000 }),
  quantity: fc.integer({ min: 0, max: 10_000_000 }),
  orders: fc.integer({ min: 0, max: 1_000 }),
});
const sideArb = fc.array(levelArb, { maxLength: 20 });

describe('depth imbalance', () => {
  it('is always within [−1, 1] or undefined for an empty book, at 1 and 5 levels', () => {
    fc.assert(
      fc.property(sideArb, sideArb, (bids, asks) => {
        for (const levels of [1, 5]) {
          const value = depthImbalanceLevels(bids, asks, levels);
          if (sideQuantity(bids, levels) + sideQuantity(asks, levels) === 0) {
            expect(value, 'no quantity on either side has no imbalance').toBeUndefined();
          } else {
            expect(value, 'lower bound').toBeGreaterThanOrEqual(-1);
            expect(value, 'upper bound').toBeLessThanOrEqual(1);
          }
        }
      }),
    );
  });

  it('is 0 for a symmetric book (same quantities on both sides)', () => {
    fc.assert(
      fc.property(sideArb, (side) => {
        const value = depthImbalanceLevels(side, side, 5);
        if (value !== undefined) expect(value, 'symmetric book').toBe(0);
      }),
    );
  });

  it('reads the sign of the heavier side and reaches ±1 for a one-sided book', () => {
    expect(depthImbalance(300, 100), '(300 − 100) / 400').toBe(0.5);
    expect(depthImbalance(100, 300), 'ask heavier').toBe(-0.5);
    expect(depthImbalance(650, 0), 'only bids').toBe(1);
    expect(depthImbalance(0, 650), 'only asks').toBe(-1);
    expect(depthImbalance(0, 0), 'empty').toBeUndefined();
  });

  it('counts only the first five levels at five levels', () => {
    const lvl = (quantity: number): DepthLevel => ({ price: 100, quantity, orders: 1 });
    const bids = [lvl(10), lvl(10), lvl(10), lvl(10), lvl(10), lvl(1_000)];
    const asks = [lvl(50)];
    expect(sideQuantity(bids, 5), 'sixth level ignored').toBe(50);
    expect(depthImbalanceLevels(bids, asks, 5), 'balanced within five levels').toBe(0);
    expect(depthImbalanceLevels(bids, asks, 1), 'best level only').toBe((10 - 50) / 60);
  });
});

describe('spread, mid and microprice', () => {
  const book = { bidPrice: 10_000, bidQuantity: 300, askPrice: 10_010, askQuantity: 100 };

  it('computes them for a two-sided book in paise', () => {
    expect(spreadPaise(book), 'ask − bid').toBe(10);
    expect(midPrice(book), '(bid + ask) / 2').toBe(10_005);
    // (10000·100 + 10010·300) / 400 = 10007.5: the heavy bid pulls the fair price towards the ask.
    expect(microprice(book), 'size-weighted mid').toBe(10_007.5);
  });

  it('has none for a one-sided, locked or crossed book', () => {
    for (const b of [
      { ...book, askPrice: 0 },
      { ...book, bidPrice: 0 },
      { ...book, askPrice: 10_000 },
      { ...book, askPrice: 9_995 },
    ]) {
      expect(isTwoSided(b), `not two-sided: ${JSON.stringify(b)}`).toBe(false);
      expect(spreadPaise(b), 'no spread').toBeUndefined();
      expect(midPrice(b), 'no mid').toBeUndefined();
      expect(microprice(b), 'no microprice').toBeUndefined();
    }
  });

  it('keeps the microprice between bid and ask, at the mid when both sizes are 0', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 1_000 }),
        fc.nat(1_000_000),
        fc.nat(1_000_000),
        (bid, spread, qb, qa) => {
          const b = { bidPrice: bid, bidQuantity: qb, askPrice: bid + spread, askQuantity: qa };
          const micro = microprice(b) ?? Number.NaN;
          expect(micro, 'not below the bid').toBeGreaterThanOrEqual(bid);
          expect(micro, 'not above the ask').toBeLessThanOrEqual(bid + spread);
          if (qb + qa === 0) expect(micro, 'no sizes: mid').toBe(bid + spread / 2);
        },
      ),
    );
  });
});
