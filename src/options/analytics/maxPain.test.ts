import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quote, TOY_CHAIN, TOY_LOT, TOY_PAIN } from './fixtures/toyChain.js';
import { maxPain } from './maxPain.js';
import type { ChainRow } from './types.js';

describe('maxPain', () => {
  it('finds 25,000 on the reference toy chain with pain ₹9.1 crore at lot 65', () => {
    const result = maxPain(TOY_CHAIN, TOY_LOT);
    expect(result?.strike, 'max pain strike').toBe(2_500_000);
    // 1,400,000 points × contracts × 100 paise × 65 units = ₹9.1 crore.
    expect(result?.payout, 'payout in paise').toBe(9_100_000_000);
  });

  it("reproduces the toy table's whole pain column", () => {
    const result = maxPain(TOY_CHAIN);
    expect(
      result?.curve.map((p) => p.payout),
      'points × contracts × 100 paise',
    ).toEqual(TOY_PAIN.map((p) => p * 100));
  });

  it('does not depend on row order and ignores missing sides', () => {
    const shuffled = [...TOY_CHAIN].reverse();
    expect(maxPain(shuffled)?.strike, 'order-free').toBe(2_500_000);
    const oneSided: ChainRow[] = [
      { strike: 100_00, put: quote({ oi: 10 }) },
      { strike: 200_00, call: quote({ oi: 10 }) },
    ];
    // Settling at 100 pays 0 to the put holder (K = S) and 0 to the call holder.
    expect(maxPain(oneSided)?.strike, 'one-sided rows').toBe(100_00);
    expect(maxPain([]), 'empty chain').toBeUndefined();
  });

  it('agrees with the direct O(N²) definition on random chains (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.tuple(fc.nat(50_000), fc.nat(50_000)), { minLength: 30, maxLength: 30 }),
        fc.integer({ min: 1, max: 120 }),
        (steps, ois, lot) => {
          const chain: ChainRow[] = steps.map((s, i) => ({
            strike: s * 5_000,
            call: quote({ oi: ois[i]?.[0] ?? 0 }),
            put: quote({ oi: ois[i]?.[1] ?? 0 }),
          }));
          const direct = (settle: number): number =>
            chain.reduce(
              (sum, r) =>
                sum +
                (r.call?.oi ?? 0) * Math.max(settle - r.strike, 0) +
                (r.put?.oi ?? 0) * Math.max(r.strike - settle, 0),
              0,
            ) * lot;
          const result = maxPain(chain, lot);
          for (const p of result?.curve ?? []) expect(p.payout, `pain at ${p.strike}`).toBe(direct(p.strike));
          const min = Math.min(...chain.map((r) => direct(r.strike)));
          expect(result?.payout, 'the minimum payout').toBe(min);
        },
      ),
      { numRuns: 100 },
    );
  });
});
