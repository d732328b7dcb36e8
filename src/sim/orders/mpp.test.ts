import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Instrument } from '../../core/instrument.js';
import { NIFTY_CE, NIFTY_FUT, SBIN } from './fixtures/fakeMarket.js';
import { angelMppPercent, protectedLimitPaise } from './mpp.js';

describe('market price protection', () => {
  const stockOption: Instrument = { ...NIFTY_CE, instrumentType: 'OPTSTK' };

  it("follows Angel's table by instrument and premium band", () => {
    const cases: Array<[Instrument, number, number]> = [
      [NIFTY_CE, 999, 20],
      [NIFTY_CE, 1_000, 10],
      [NIFTY_CE, 2_000, 5],
      [NIFTY_CE, 5_000, 5],
      [NIFTY_CE, 5_005, 2.5],
      [stockOption, 500, 40],
      [stockOption, 1_500, 20],
      [stockOption, 3_000, 10],
      [stockOption, 9_000, 5],
      [NIFTY_FUT, 2_400_000, 0.5],
      [{ ...NIFTY_FUT, instrumentType: 'FUTSTK' }, 300_000, 1],
      [SBIN, 80_000, 0.5],
    ];
    for (const [instrument, price, percent] of cases) {
      expect(
        angelMppPercent(instrument, price),
        `${instrument.instrumentType || 'EQ'} at ${price} paise`,
      ).toBe(percent);
    }
  });

  it('a protected BUY never exceeds the buffer, never goes below the reference, and sits on the tick (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom(1, 5, 10, 100),
        fc.double({ min: 0, max: 50, noNaN: true }),
        (units, tick, percent) => {
          const reference = units * tick;
          const price = protectedLimitPaise('BUY', reference, percent, tick, {
            lowerPaise: 0,
            upperPaise: 0,
          });
          expect(price % tick, 'on the tick').toBe(0);
          expect(price, 'not below the reference').toBeGreaterThanOrEqual(reference);
          expect(price, 'within the buffer').toBeLessThanOrEqual(reference * (1 + percent / 100) + 1e-6);
        },
      ),
    );
  });

  it('a protected SELL never undercuts the buffer, stays positive and inside the band (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom(1, 5, 10, 100),
        fc.double({ min: 0, max: 50, noNaN: true }),
        (units, tick, percent) => {
          const reference = units * tick;
          const lower = Math.floor(reference * 0.9);
          const price = protectedLimitPaise('SELL', reference, percent, tick, {
            lowerPaise: lower,
            upperPaise: 0,
          });
          expect(price % tick).toBe(0);
          expect(price).toBeGreaterThan(0);
          expect(price).toBeLessThanOrEqual(reference);
          expect(price, 'not under the buffer or the band').toBeGreaterThanOrEqual(
            Math.max(reference * (1 - percent / 100), lower) - 1e-6,
          );
        },
      ),
    );
  });
});
