import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIfError } from '../../core/errors.js';
import { istToEpochMs } from '../../core/time.js';
import {
  type ChargeFill,
  type ChargeLines,
  chargesForFill,
  chargesForNextFill,
  chargesForOrder,
  contractNoteCharges,
  exerciseStt,
  NO_CHARGES,
} from './charges.js';

const APR_2026 = istToEpochMs(2026, 4, 7, 10, 0);

/** The reference's worked example (§5.5): sell 1 NIFTY lot of 65 at ₹100, buy it back at ₹80, same day. */
const SELL: ChargeFill = {
  exchange: 'NFO',
  kind: 'option',
  side: 'SELL',
  pricePaise: 100_00,
  quantity: 65,
  atMs: APR_2026,
};
const BUY: ChargeFill = { ...SELL, side: 'BUY', pricePaise: 80_00 };

function sumOfLines(lines: ChargeLines): number {
  return lines.brokerage + lines.stt + lines.exchange + lines.ipft + lines.sebi + lines.stamp + lines.gst;
}

function errorCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isIfError(error) ? error.code : 'not an IfError';
  }
  return undefined;
}

describe('contractNoteCharges on the reference worked example', () => {
  it('reproduces ₹62.03 to the paisa, each line rounded half up', () => {
    const note = contractNoteCharges([[SELL], [BUY]]);
    expect(note.brokerage, '2 orders × ₹20').toBe(40_00);
    expect(note.stt, '0.15 % × ₹6,500 sell turnover = ₹9.75').toBe(9_75);
    expect(note.exchange, '0.03503 % × ₹11,700 = ₹4.0985 → ₹4.10').toBe(4_10);
    expect(note.ipft, '0.0005 % × ₹11,700 = ₹0.0585 → ₹0.06').toBe(6);
    expect(note.sebi, '₹10/crore × ₹11,700 = ₹0.0117 → ₹0.01').toBe(1);
    expect(note.stamp, '0.003 % × ₹5,200 buy turnover = ₹0.156 → ₹0.16').toBe(16);
    expect(note.gst, '18 % × (40 + 4.10 + 0.06 + 0.01) = ₹7.9506 → ₹7.95 (reference: 7.9504 → 7.95)').toBe(
      7_95,
    );
    expect(note.total, 'the reference total').toBe(62_03);
    expect(note.estimated, 'all post-Apr-2026 rates are published').toBe(false);
    const gross = (100_00 - 80_00) * 65;
    expect(gross - note.total, 'net ₹1,237.97 on a gross ₹1,300').toBe(1_237_97);
  });

  it('shows why the note, not the sum of orders, is the figure to reconcile: per-order rounding gives ₹62.04', () => {
    const sell = chargesForOrder([SELL]);
    const buy = chargesForOrder([BUY]);
    expect(sell.total, 'sell order alone').toBe(36_09);
    expect(buy.total, 'buy order alone').toBe(25_95);
    expect(sell.total + buy.total, 'one paisa more than the note').toBe(62_04);
  });

  it('charges nothing for orders without executions', () => {
    expect(contractNoteCharges([[], []]), 'no fills, no brokerage').toEqual(NO_CHARGES);
    expect(chargesForOrder([]), 'empty order').toEqual(NO_CHARGES);
  });
});

describe('brokerage per executed order', () => {
  it('charges ₹20 once for an order filled in three parts, and the other lines on its whole turnover', () => {
    const parts = [20, 30, 15].map((quantity) => ({ ...SELL, quantity }));
    const order = chargesForOrder(parts);
    expect(order.brokerage, 'one order, one brokerage').toBe(20_00);
    expect(order, 'a split order costs what one fill of the same size costs').toEqual(chargesForFill(SELL));
  });

  it('refuses an order whose fills differ in side, kind or exchange', () => {
    expect(
      errorCode(() => chargesForOrder([SELL, BUY])),
      'mixed sides',
    ).toBe('IF_ERR_FILL_INVALID');
    expect(
      errorCode(() => chargesForOrder([SELL, { ...SELL, kind: 'future' }])),
      'mixed kinds',
    ).toBe('IF_ERR_FILL_INVALID');
    expect(
      errorCode(() => chargesForOrder([SELL, { ...SELL, exchange: 'BFO' }])),
      'mixed venues',
    ).toBe('IF_ERR_FILL_INVALID');
    expect(chargesForOrder([SELL, { ...SELL, exchange: 'NSE' }]).brokerage, 'NSE and NFO are one venue').toBe(
      20_00,
    );
  });

  it('rejects corrupt fills at the boundary', () => {
    for (const bad of [
      { ...SELL, quantity: 0 },
      { ...SELL, quantity: -65 },
      { ...SELL, quantity: 6.5 },
      { ...SELL, pricePaise: Number.NaN },
      { ...SELL, pricePaise: -1 },
      { ...SELL, pricePaise: Number.POSITIVE_INFINITY },
      { ...SELL, atMs: Number.NaN },
    ]) {
      expect(
        errorCode(() => chargesForFill(bad)),
        JSON.stringify(bad),
      ).toBe('IF_ERR_FILL_INVALID');
    }
  });
});

describe('rates follow the fill date', () => {
  const sellOn = (year: number, month: number, day: number, hour = 10): ChargeLines =>
    chargesForFill({ ...SELL, atMs: istToEpochMs(year, month, day, hour) });

  it('applies option-sale STT 0.0625 % → 0.1 % (1-Oct-2024) → 0.15 % (1-Apr-2026)', () => {
    expect(sellOn(2024, 9, 30).stt, '0.0625 % × ₹6,500 = ₹4.0625 → ₹4.06').toBe(4_06);
    expect(sellOn(2024, 10, 1).stt, '0.1 % × ₹6,500').toBe(6_50);
    expect(sellOn(2025, 6, 15).stt, 'a 2025 backtest pays 2025 STT').toBe(6_50);
    expect(sellOn(2026, 3, 31).stt, 'last day at 0.1 %').toBe(6_50);
    expect(sellOn(2026, 4, 1).stt, 'first day at 0.15 %').toBe(9_75);
  });

  it('switches at IST midnight, not UTC midnight', () => {
    const lastIstMinute = istToEpochMs(2026, 3, 31, 23, 59);
    const firstIstMinute = istToEpochMs(2026, 4, 1, 0, 0);
    expect(new Date(firstIstMinute).toISOString(), 'still 31-Mar in UTC').toBe('2026-03-31T18:30:00.000Z');
    expect(chargesForFill({ ...SELL, atMs: lastIstMinute }).stt, '31-Mar IST').toBe(6_50);
    expect(chargesForFill({ ...SELL, atMs: firstIstMinute }).stt, '1-Apr IST').toBe(9_75);
  });

  it('uses the slab-era NSE option fee before 1-Oct-2024 and flags it as an estimate', () => {
    const before = sellOn(2024, 9, 30);
    expect(before.exchange, '0.05 % × ₹6,500 = ₹3.25').toBe(3_25);
    expect(before.estimated, 'pre-true-to-label fees were broker slabs').toBe(true);
    const after = sellOn(2024, 10, 1);
    expect(after.exchange, '0.03503 % × ₹6,500 = ₹2.27695 → ₹2.28').toBe(2_28);
    expect(after.estimated, 'published flat fee').toBe(false);
  });

  it('refuses dates before the schedule starts rather than guess', () => {
    expect(
      errorCode(() => sellOn(2023, 3, 31)),
      'before 1-Apr-2023',
    ).toBe('IF_ERR_CHARGES_NO_RATE');
    expect(sellOn(2023, 4, 1).stt, 'first covered day').toBe(4_06);
  });
});

describe('BSE and futures rates', () => {
  it('charges SENSEX options the BSE fee 0.0325 % and no IPFT (flagged, as BSE IPFT is unlisted)', () => {
    // 1 SENSEX lot of 20 sold at ₹300: turnover ₹6,000.
    const lines = chargesForFill({ ...SELL, exchange: 'BFO', pricePaise: 300_00, quantity: 20 });
    expect(lines.exchange, '0.0325 % × ₹6,000 = ₹1.95').toBe(1_95);
    expect(lines.ipft, 'no BSE IPFT in the schedule').toBe(0);
    expect(lines.stt, 'STT is the same law on both exchanges: 0.15 % × ₹6,000').toBe(9_00);
    expect(lines.sebi, '₹10/crore × ₹6,000 = ₹0.006 → ₹0.01').toBe(1);
    expect(lines.gst, '18 % × (20 + 1.95 + 0.01) = ₹3.9528 → ₹3.95').toBe(3_95);
    expect(lines.total, 'sum of lines').toBe(20_00 + 9_00 + 1_95 + 1 + 3_95);
    expect(lines.estimated, 'the BSE IPFT rate is a placeholder').toBe(true);
  });

  it('charges NSE index futures 0.00173 %, stamp 0.002 % on buys and STT 0.05 % on sells', () => {
    // 1 NIFTY futures lot of 65 at ₹25,000: turnover ₹16,25,000.
    const future: ChargeFill = { ...BUY, kind: 'future', pricePaise: 25_000_00 };
    const buy = chargesForFill(future);
    expect(buy.exchange, '0.00173 % = ₹28.1125 → ₹28.11').toBe(28_11);
    expect(buy.stamp, '0.002 % = ₹32.50').toBe(32_50);
    expect(buy.ipft, '0.0001 % = ₹1.625 → ₹1.63 (half up)').toBe(1_63);
    expect(buy.sebi, '₹10/crore = ₹1.625 → ₹1.63').toBe(1_63);
    expect(buy.stt, 'no STT on buys').toBe(0);
    expect(buy.gst, '18 % × (20 + 28.11 + 1.63 + 1.63) = ₹9.2466 → ₹9.25').toBe(9_25);
    expect(chargesForFill({ ...future, side: 'SELL' }).stt, '0.05 % = ₹812.50').toBe(812_50);
    expect(
      chargesForFill({ ...future, side: 'SELL', atMs: istToEpochMs(2025, 1, 2, 10) }).stt,
      '0.02 %',
    ).toBe(325_00);
  });

  it('charges BSE index futures no exchange fee', () => {
    const lines = chargesForFill({
      ...BUY,
      exchange: 'BFO',
      kind: 'future',
      pricePaise: 80_000_00,
      quantity: 20,
    });
    expect(lines.exchange, 'BSE levies nothing on index futures').toBe(0);
  });
});

describe('exerciseStt', () => {
  const exercise = {
    optionType: 'CE',
    strikePaise: 25_000_00,
    settlementPricePaise: 25_100_00,
    quantity: 65,
  } as const;

  it('charges 0.15 % of intrinsic value from 1-Apr-2026: ₹9.75 on 1 NIFTY lot 100 points in the money', () => {
    expect(exerciseStt({ ...exercise, atMs: istToEpochMs(2026, 4, 7, 15, 30) }), 'reference example').toBe(
      9_75,
    );
  });

  it('charged 0.125 % before: ₹8.125 rounds half up to ₹8.13', () => {
    expect(exerciseStt({ ...exercise, atMs: istToEpochMs(2026, 3, 30, 15, 30) }), 'exact half').toBe(8_13);
  });

  it('charges nothing out of the money, and mirrors for puts', () => {
    const atMs = istToEpochMs(2026, 4, 7, 15, 30);
    expect(exerciseStt({ ...exercise, settlementPricePaise: 24_900_00, atMs }), 'OTM call').toBe(0);
    expect(exerciseStt({ ...exercise, settlementPricePaise: 25_000_00, atMs }), 'ATM call').toBe(0);
    expect(
      exerciseStt({ ...exercise, optionType: 'PE', settlementPricePaise: 24_900_00, atMs }),
      'ITM put',
    ).toBe(9_75);
  });
});

describe('charge invariants (property)', () => {
  const fillArb = fc.record({
    exchange: fc.constantFrom('NFO' as const, 'BFO' as const),
    kind: fc.constantFrom('option' as const, 'future' as const),
    side: fc.constantFrom('BUY' as const, 'SELL' as const),
    pricePaise: fc.integer({ min: 5, max: 5_000_000 }),
    quantity: fc.integer({ min: 1, max: 2_000 }),
    atMs: fc.integer({ min: istToEpochMs(2023, 4, 1), max: istToEpochMs(2027, 1, 1) }),
  });
  const orderArb = fc
    .tuple(
      fillArb,
      fc.array(fc.tuple(fc.integer({ min: 5, max: 5_000_000 }), fc.integer({ min: 1, max: 2_000 }))),
    )
    .map(([first, rest]) => [
      first,
      ...rest.map(([pricePaise, quantity]) => ({ ...first, pricePaise, quantity })),
    ]);

  it('total is the sum of the lines and no line is negative', () => {
    fc.assert(
      fc.property(fc.array(orderArb, { maxLength: 5 }), (orders) => {
        const note = contractNoteCharges(orders);
        expect(note.total, 'total = Σ lines').toBe(sumOfLines(note));
        for (const value of Object.values(note))
          if (typeof value === 'number') expect(value).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('per-fill increments are non-negative and add up to the order exactly', () => {
    fc.assert(
      fc.property(orderArb, (fills) => {
        const sums = { ...NO_CHARGES } as Record<string, unknown>;
        for (const [index, fill] of fills.entries()) {
          const step = chargesForNextFill(fills.slice(0, index), fill);
          for (const [key, value] of Object.entries(step)) {
            if (typeof value !== 'number') continue;
            expect(value, `${key} increment`).toBeGreaterThanOrEqual(0);
            sums[key] = (sums[key] as number) + value;
          }
        }
        const order = chargesForOrder(fills);
        expect({ ...sums, estimated: order.estimated }, 'Σ increments = order').toEqual(order);
      }),
    );
  });

  it('a note differs from its orders priced apart by rounding only', () => {
    fc.assert(
      fc.property(fc.array(orderArb, { minLength: 1, maxLength: 4 }), (orders) => {
        const note = contractNoteCharges(orders);
        const apart = orders.map((fills) => chargesForOrder(fills).total).reduce((a, b) => a + b, 0);
        // Each pricing is within 6 × ½ paisa of exact on its six lines, plus ½ paisa and 18 % of 4 × ½ on GST.
        const bound = (orders.length + 1) * 4;
        expect(Math.abs(apart - note.total), 'rounding drift bound').toBeLessThanOrEqual(bound);
      }),
    );
  });
});
