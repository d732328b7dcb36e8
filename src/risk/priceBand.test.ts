import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RISK_LIMITS } from './limits.js';
import { collarPaise, insideCollar, protectedLimitPaise, referencePricePaise } from './priceBand.js';

const BAND = DEFAULT_RISK_LIMITS.priceBand;

describe('reference price', () => {
  it('is the mid of a two-sided book, else the LTP, else nothing', () => {
    expect(referencePricePaise({ bidPaise: 9_995, askPaise: 10_005, ltpPaise: 9_000, receivedAtMs: 0 })).toBe(
      10_000,
    );
    expect(
      referencePricePaise({ bidPaise: 10_010, askPaise: 10_000, ltpPaise: 9_000, receivedAtMs: 0 }),
      'crossed',
    ).toBe(9_000);
    expect(referencePricePaise({ receivedAtMs: 0 })).toBeUndefined();
    expect(referencePricePaise(undefined)).toBeUndefined();
  });
});

describe('collar', () => {
  it('is ±10% above ₹50 and ±₹5 at or below, edges inside', () => {
    expect(collarPaise('BUY', 10_000, BAND)).toBe(11_000);
    expect(collarPaise('SELL', 10_000, BAND)).toBe(9_000);
    expect(collarPaise('BUY', 5_000, BAND), '₹50 itself uses the absolute band').toBe(5_500);
    expect(insideCollar('BUY', 11_000, 10_000, BAND)).toBe(true);
    expect(insideCollar('BUY', 11_001, 10_000, BAND)).toBe(false);
    expect(insideCollar('SELL', 9_000, 10_000, BAND)).toBe(true);
    expect(insideCollar('SELL', 8_999, 10_000, BAND)).toBe(false);
  });

  it('agrees with collarPaise on which side of the edge a price falls (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('BUY' as const, 'SELL' as const),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 1, max: 20_000_000 }),
        (side, ref, limit) => {
          const edge = collarPaise(side, ref, BAND);
          const inside = side === 'BUY' ? limit <= edge + 1e-9 : limit >= edge - 1e-9;
          expect(insideCollar(side, limit, ref, BAND)).toBe(inside);
        },
      ),
    );
  });
});

describe('protected limit for market orders', () => {
  it('is on tick, never better than the reference, never more than the protection away (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('BUY' as const, 'SELL' as const),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.constantFrom(1, 2.5, 5, 10, 20),
        fc.constantFrom(1, 5, 10),
        (side, ref, percent, tick) => {
          const price = protectedLimitPaise(side, ref, percent, tick);
          expect(price % tick).toBe(0);
          expect(price).toBeGreaterThanOrEqual(tick);
          if (side === 'BUY') {
            expect(price).toBeGreaterThanOrEqual(ref);
            // integers: price × 10,000 against ref × (10,000 + basis points), so the edge is exact
            const within = price * 10_000 <= ref * (10_000 + percent * 100);
            expect(within || price === Math.ceil(ref / tick) * tick, 'at most the protection away').toBe(
              true,
            );
          } else {
            expect(price).toBeLessThanOrEqual(Math.max(ref, tick));
            const within = price * 10_000 >= ref * (10_000 - percent * 100);
            expect(
              within || price === Math.max(tick, Math.floor(ref / tick) * tick),
              'at most the protection away',
            ).toBe(true);
          }
        },
      ),
    );
  });

  it('gives ₹105.00 / ₹95.00 around ₹100.00 at 5%', () => {
    expect(protectedLimitPaise('BUY', 10_000, 5, 5)).toBe(10_500);
    expect(protectedLimitPaise('SELL', 10_000, 5, 5)).toBe(9_500);
  });
});
