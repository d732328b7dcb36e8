import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyTrade, averagePrice, FLAT, type OpenPosition, unrealisedAt } from './position.js';

describe('applyTrade (average-price accounting)', () => {
  it('averages same-side fills into one cost', () => {
    const one = applyTrade(FLAT, 'BUY', 65, 100_00).position;
    const two = applyTrade(one, 'BUY', 65, 110_00);
    expect(two.realisedPaise, 'adding realises nothing').toBe(0);
    expect(two.position, '130 units costing ₹13,650').toEqual({ quantity: 130, openValuePaise: 1_365_000 });
    expect(averagePrice(two.position), '₹105 average').toBe(105_00);
  });

  it('realises a partial close against the average and keeps the average of the rest', () => {
    const long: OpenPosition = { quantity: 130, openValuePaise: 1_365_000 };
    const { position, realisedPaise } = applyTrade(long, 'SELL', 30, 120_00);
    expect(realisedPaise, '30 × (₹120 − ₹105)').toBe(45_000);
    expect(position, '100 left at ₹105').toEqual({ quantity: 100, openValuePaise: 1_050_000 });
  });

  it('rounds the released cost half up and releases the residue on the final close', () => {
    // Average 100⅓ paise: the first unit releases 100 paise, the last two the remaining 201.
    const long: OpenPosition = { quantity: 3, openValuePaise: 301 };
    const first = applyTrade(long, 'SELL', 1, 100);
    expect(first.realisedPaise, '100 − round(100.33)').toBe(0);
    expect(first.position, 'residue stays open').toEqual({ quantity: 2, openValuePaise: 201 });
    const last = applyTrade(first.position, 'SELL', 2, 100);
    expect(last.realisedPaise, '200 − 201').toBe(-1);
    expect(first.realisedPaise + last.realisedPaise, 'flat: Σ sells − Σ buys = 300 − 301').toBe(-1);
    expect(last.position, 'flat').toEqual(FLAT);
  });

  it('flips long → short through zero: closes at the average, opens the rest at the fill price', () => {
    const long: OpenPosition = { quantity: 65, openValuePaise: 650_000 };
    const flip = applyTrade(long, 'SELL', 130, 90_00);
    expect(flip.realisedPaise, '65 × (₹90 − ₹100)').toBe(-65_000);
    expect(flip.position, 'short 65 at ₹90').toEqual({ quantity: -65, openValuePaise: 585_000 });
    const cover = applyTrade(flip.position, 'BUY', 65, 85_00);
    expect(cover.realisedPaise, 'short gains 65 × ₹5').toBe(32_500);
    expect(cover.position, 'flat').toEqual(FLAT);
  });

  it('marks longs and shorts in opposite directions', () => {
    expect(unrealisedAt({ quantity: 65, openValuePaise: 650_000 }, 110_00), 'long up ₹10').toBe(65_000);
    expect(unrealisedAt({ quantity: -65, openValuePaise: 650_000 }, 110_00), 'short down ₹10').toBe(-65_000);
    expect(unrealisedAt(FLAT, 110_00), 'flat').toBe(0);
  });

  it('keeps realised + unrealised = cash flow + quantity × mark, exactly, for any fills (property)', () => {
    const fillArb = fc.record({
      side: fc.constantFrom('BUY' as const, 'SELL' as const),
      quantity: fc.integer({ min: 1, max: 1_000 }),
      pricePaise: fc.integer({ min: 0, max: 10_000_000 }),
    });
    fc.assert(
      fc.property(
        fc.array(fillArb, { maxLength: 40 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (fills, mark) => {
          let position = FLAT;
          let realised = 0;
          let cash = 0;
          let signed = 0;
          for (const fill of fills) {
            const result = applyTrade(position, fill.side, fill.quantity, fill.pricePaise);
            position = result.position;
            realised += result.realisedPaise;
            cash += (fill.side === 'SELL' ? 1 : -1) * fill.quantity * fill.pricePaise;
            signed += (fill.side === 'BUY' ? 1 : -1) * fill.quantity;
            expect(position.openValuePaise, 'cost is never negative').toBeGreaterThanOrEqual(0);
          }
          expect(position.quantity, 'quantity = Σ signed fills').toBe(signed);
          expect(realised + unrealisedAt(position, mark), 'total P&L identity').toBe(cash + signed * mark);
        },
      ),
    );
  });
});
