import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIfError } from '../../core/errors.js';
import { istToEpochMs } from '../../core/time.js';
import { type ChargeFill, chargesForOrder, contractNoteCharges } from '../charges/index.js';
import { PositionBook, type PositionFill } from './book.js';

const DAY1 = istToEpochMs(2026, 4, 7, 10, 0);
const DAY2 = istToEpochMs(2026, 4, 8, 10, 0);
const NIFTY_CE = 'NFO:43650';

let nextId = 0;
function fill(overrides: Partial<PositionFill>): PositionFill {
  nextId += 1;
  return {
    fillId: `T${nextId}`,
    instrument: NIFTY_CE,
    strategy: 'straddle',
    side: 'BUY',
    quantity: 65,
    pricePaise: 100_00,
    chargesPaise: 0,
    lotSize: 65,
    atMs: DAY1,
    ...overrides,
  };
}

function errorCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isIfError(error) ? error.code : 'not an IfError';
  }
  return undefined;
}

describe('PositionBook round trips', () => {
  it('books the reference example: ₹1,300 gross, net of the charges the order path computed', () => {
    const book = new PositionBook({ knownState: 'known' });
    const sell: ChargeFill = {
      exchange: 'NFO',
      kind: 'option',
      side: 'SELL',
      pricePaise: 100_00,
      quantity: 65,
      atMs: DAY1,
    };
    const buy: ChargeFill = { ...sell, side: 'BUY', pricePaise: 80_00, atMs: DAY1 + 60_000 };
    const sellCharges = chargesForOrder([sell]).total;
    const buyCharges = chargesForOrder([buy]).total;
    book.applyFill(fill({ side: 'SELL', pricePaise: 100_00, chargesPaise: sellCharges }));
    book.applyFill(fill({ side: 'BUY', pricePaise: 80_00, chargesPaise: buyCharges, atMs: buy.atMs }));

    const position = book.position(NIFTY_CE, 'straddle');
    expect(position?.quantity, 'flat').toBe(0);
    expect(position?.realisedPaise, '65 × (₹100 − ₹80)').toBe(1_300_00);
    expect(position?.chargesPaise, 'order-by-order charges').toBe(62_04);
    expect(position?.realisedNetPaise, 'gross − charges').toBe(1_237_96);

    // The contract note rounds over the day and comes to a paisa less; the book takes the difference.
    const note = contractNoteCharges([[sell], [buy]]).total;
    book.applyCharges({
      adjustmentId: 'note-2026-04-07',
      instrument: NIFTY_CE,
      strategy: 'straddle',
      chargesPaise: note - (sellCharges + buyCharges),
      atMs: DAY1 + 8 * 3_600_000,
    });
    const day = book.dayAggregate();
    expect(day.chargesPaise, 'contract-note total').toBe(62_03);
    expect(day.netPaise, 'reference net ₹1,237.97').toBe(1_237_97);
    expect(day.turnoverPaise, '₹6,500 + ₹5,200').toBe(11_700_00);
    expect(day.fills, 'two fills').toBe(2);
    expect(day.openPositions, 'nothing open').toBe(0);
  });

  it('partially closes, then closes, a position built at two prices', () => {
    const book = new PositionBook({ knownState: 'known' });
    book.applyFill(fill({ quantity: 65, pricePaise: 100_00 }));
    book.applyFill(fill({ quantity: 65, pricePaise: 110_00 }));
    book.applyFill(fill({ side: 'SELL', quantity: 65, pricePaise: 120_00 }));
    const half = book.position(NIFTY_CE, 'straddle');
    expect(half?.realisedPaise, '65 × (₹120 − ₹105 average)').toBe(97_500);
    expect(half?.averagePricePaise, 'rest keeps the ₹105 average').toBe(105_00);
    expect(half?.lots, 'one lot left').toBe(1);
    book.applyFill(fill({ side: 'SELL', quantity: 65, pricePaise: 100_00 }));
    const flat = book.position(NIFTY_CE, 'straddle');
    expect(flat?.realisedPaise, 'Σ sells − Σ buys = ₹14,300 − ₹13,650').toBe(65_000);
    expect(flat?.averagePricePaise, 'flat has no average').toBe(0);
  });

  it('flips long to short through zero, in lots too', () => {
    const book = new PositionBook({ knownState: 'known' });
    book.applyFill(fill({ quantity: 65, pricePaise: 100_00 }));
    book.applyFill(fill({ side: 'SELL', quantity: 195, pricePaise: 90_00 }));
    const short = book.position(NIFTY_CE, 'straddle');
    expect(short?.realisedPaise, 'the long closed at a ₹10 loss a unit').toBe(-65_000);
    expect(short?.quantity, 'short 130 units').toBe(-130);
    expect(short?.lots, 'short 2 lots').toBe(-2);
    expect(short?.averagePricePaise, 'opened at the flip price').toBe(90_00);
    book.mark(NIFTY_CE, 80_00, DAY1 + 1);
    expect(book.position(NIFTY_CE, 'straddle')?.unrealisedPaise, '130 × ₹10 in favour').toBe(130_000);
  });
});

describe('several strategies on one instrument', () => {
  it('judges each strategy on its own average while the instrument nets them as the broker does', () => {
    const book = new PositionBook({ knownState: 'known' });
    book.applyFill(fill({ strategy: 'trend', side: 'BUY', pricePaise: 100_00, chargesPaise: 25_00 }));
    book.applyFill(fill({ strategy: 'fade', side: 'SELL', pricePaise: 120_00, chargesPaise: 36_00 }));
    book.mark(NIFTY_CE, 110_00, DAY1 + 1);

    const trend = book.position(NIFTY_CE, 'trend');
    const fade = book.position(NIFTY_CE, 'fade');
    const netted = book.position(NIFTY_CE);
    expect([trend?.quantity, fade?.quantity, netted?.quantity], 'long, short, flat').toEqual([65, -65, 0]);
    expect([trend?.unrealisedPaise, fade?.unrealisedPaise], 'each up ₹10 a unit at ₹110').toEqual([
      65_000, 65_000,
    ]);
    expect(netted?.realisedPaise, 'the broker sees a closed ₹20 spread').toBe(130_000);
    expect(netted?.strategy, 'netted view has no strategy').toBeNull();

    const day = book.dayAggregate();
    expect(day.netPaise, 'same total either way').toBe(netted?.netPaise);
    expect(day.netPaise, '₹1,300 − ₹61 charges').toBe(130_000 - 61_00);
    expect(book.dayAggregate({ strategy: 'trend' }).netPaise, 'trend alone').toBe(65_000 - 25_00);
    expect(
      book.strategyPositions().map((p) => p.strategy),
      'listed in key order',
    ).toEqual(['fade', 'trend']);
    expect(book.instrumentPositions().length, 'one instrument').toBe(1);
  });
});

describe('marks and unknown unrealised P&L', () => {
  it('reports an open position without a mark as unmarked rather than pretending it is worth cost', () => {
    const book = new PositionBook({ knownState: 'known' });
    book.applyFill(fill({}));
    expect(book.position(NIFTY_CE, 'straddle')?.marked, 'no mark yet').toBe(false);
    expect(book.dayAggregate().unmarkedOpenPositions, 'risk sees the gap').toBe(1);
    book.mark(NIFTY_CE, 90_00, DAY1 + 5);
    book.mark(NIFTY_CE, 120_00, DAY1 + 4);
    const view = book.position(NIFTY_CE, 'straddle');
    expect(view?.markPricePaise, 'an older mark does not replace a newer one').toBe(90_00);
    expect(view?.unrealisedPaise, '65 × −₹10').toBe(-65_000);
    expect(book.dayAggregate().unmarkedOpenPositions, 'marked now').toBe(0);
  });
});

describe('days', () => {
  it("restarts the day's figures on a new IST day and keeps lifetime figures", () => {
    const book = new PositionBook({ knownState: 'known' });
    book.applyFill(fill({ pricePaise: 100_00, chargesPaise: 25_00 }));
    book.applyFill(fill({ side: 'SELL', pricePaise: 110_00, chargesPaise: 36_00 }));
    expect(book.dateKey, 'first day').toBe('2026-04-07');
    book.applyFill(fill({ pricePaise: 90_00, chargesPaise: 25_00, atMs: DAY2 }));
    const day = book.dayAggregate();
    expect(book.dateKey, 'second day').toBe('2026-04-08');
    expect(day.realisedPaise, 'nothing realised on day 2').toBe(0);
    expect(day.chargesPaise, "only day 2's charges").toBe(25_00);
    expect(day.turnoverPaise, "only day 2's turnover").toBe(5_850_00);
    const position = book.position(NIFTY_CE, 'straddle');
    expect(position?.realisedPaise, 'lifetime keeps day 1').toBe(65_000);
    expect(position?.chargesPaise, 'lifetime charges').toBe(86_00);
  });

  it('counts a late fill from an earlier day in the position but not in today', () => {
    const book = new PositionBook({ knownState: 'known' });
    book.startDay(DAY2);
    book.applyFill(fill({ atMs: DAY1, chargesPaise: 25_00 }));
    expect(book.position(NIFTY_CE, 'straddle')?.quantity, 'position moved').toBe(65);
    expect(book.dayAggregate().chargesPaise, "not today's charge").toBe(0);
    expect(book.dateKey, 'day does not go back').toBe('2026-04-08');
  });
});

describe('fills at the boundary', () => {
  it('applies a fill id once', () => {
    const book = new PositionBook({ knownState: 'known' });
    const first = fill({});
    expect(book.applyFill(first), 'first delivery').toBe('applied');
    expect(book.applyFill(first), 'redelivery').toBe('duplicate');
    expect(book.position(NIFTY_CE)?.quantity, 'counted once').toBe(65);
  });

  it('rejects corrupt fills and leaves the book untouched', () => {
    const book = new PositionBook({ knownState: 'known' });
    for (const bad of [
      fill({ quantity: 0 }),
      fill({ quantity: -65 }),
      fill({ pricePaise: Number.NaN }),
      fill({ pricePaise: 100.5 }),
      fill({ chargesPaise: -1 }),
      fill({ lotSize: 0 }),
      fill({ fillId: '' }),
      fill({ strategy: '' }),
      fill({ atMs: Number.POSITIVE_INFINITY }),
    ]) {
      expect(
        errorCode(() => book.applyFill(bad)),
        JSON.stringify(bad),
      ).toBe('IF_ERR_FILL_INVALID');
    }
    expect(book.instrumentPositions(), 'nothing applied').toEqual([]);
    expect(book.dateKey, 'no day started').toBeNull();
  });

  it('books exercise STT as a charge adjustment, once, and only on an existing position', () => {
    const book = new PositionBook({ knownState: 'known' });
    book.applyFill(fill({}));
    const stt = {
      adjustmentId: 'stt-ex-1',
      instrument: NIFTY_CE,
      strategy: 'straddle',
      chargesPaise: 9_75,
      atMs: DAY1,
    };
    expect(book.applyCharges(stt), 'applied').toBe('applied');
    expect(book.applyCharges(stt), 'idempotent').toBe('duplicate');
    expect(book.position(NIFTY_CE, 'straddle')?.chargesPaise, 'strategy pays it').toBe(9_75);
    expect(book.position(NIFTY_CE)?.chargesPaise, 'instrument too').toBe(9_75);
    expect(
      errorCode(() => book.applyCharges({ ...stt, adjustmentId: 'x', strategy: 'other' })),
      'no position',
    ).toBe('IF_ERR_FILL_INVALID');
  });
});

describe('knownState', () => {
  it('starts unknown unless vouched for, and after a restart until reconciliation matches the broker', () => {
    expect(new PositionBook().knownState, 'fail closed by default').toBe('unknown');
    const fills = [fill({}), fill({ instrument: 'NFO:43651', side: 'SELL', quantity: 130 })];
    const restarted = PositionBook.fromFills(fills);
    expect(restarted.knownState, 'rebuilt from stored fills, not yet checked').toBe('unknown');

    const mismatch = restarted.reconcile([{ instrument: NIFTY_CE, quantity: 65 }]);
    expect(mismatch.knownState, 'a missing broker position keeps it unknown').toBe('unknown');
    expect(mismatch.mismatches, 'names the instrument').toEqual([
      { instrument: 'NFO:43651', bookQuantity: -130, brokerQuantity: 0 },
    ]);

    const match = restarted.reconcile([
      { instrument: NIFTY_CE, quantity: 65 },
      { instrument: 'NFO:43651', quantity: -130 },
      { instrument: 'NFO:99999', quantity: 0 },
    ]);
    expect(match.knownState, 'all match, flat extras included').toBe('known');
    expect(restarted.knownState, 'the book follows').toBe('known');
    restarted.markUnknown();
    expect(restarted.knownState, 'order-update stream lost').toBe('unknown');
  });
});

interface RawFill {
  strategy: string;
  instrument: string;
  side: 'BUY' | 'SELL';
  quantity: number;
  pricePaise: number;
  chargesPaise: number;
  minute: number;
}

describe('position book invariants (property)', () => {
  const fillArb: fc.Arbitrary<RawFill> = fc.record({
    strategy: fc.constantFrom('a', 'b', 'c'),
    instrument: fc.constantFrom('NFO:1', 'NFO:2'),
    side: fc.constantFrom('BUY' as const, 'SELL' as const),
    quantity: fc.integer({ min: 1, max: 20 }).map((lots) => lots * 65),
    pricePaise: fc.integer({ min: 5, max: 2_000_000 }),
    chargesPaise: fc.integer({ min: 0, max: 10_000 }),
    minute: fc.integer({ min: 0, max: 370 }),
  });

  function toFills(raw: RawFill[]): PositionFill[] {
    return raw.map((r, index) => ({
      fillId: `P${index}`,
      instrument: r.instrument,
      strategy: r.strategy,
      side: r.side,
      quantity: r.quantity,
      pricePaise: r.pricePaise,
      chargesPaise: r.chargesPaise,
      lotSize: 65,
      atMs: DAY1 + r.minute * 60_000,
    }));
  }

  it('quantity is Σ signed fills per strategy and per instrument, and instruments net their strategies', () => {
    fc.assert(
      fc.property(fc.array(fillArb, { maxLength: 60 }), (raw) => {
        const fills = toFills(raw);
        const book = PositionBook.fromFills(fills);
        const signed = (f: PositionFill): number => (f.side === 'BUY' ? f.quantity : -f.quantity);
        for (const view of book.strategyPositions()) {
          const mine = fills.filter((f) => f.instrument === view.instrument && f.strategy === view.strategy);
          expect(view.quantity, `${view.instrument}/${view.strategy}`).toBe(
            mine.reduce((s, f) => s + signed(f), 0),
          );
        }
        for (const view of book.instrumentPositions()) {
          const mine = fills.filter((f) => f.instrument === view.instrument);
          expect(view.quantity, view.instrument).toBe(mine.reduce((s, f) => s + signed(f), 0));
          const strategies = book.strategyPositions().filter((p) => p.instrument === view.instrument);
          expect(view.quantity, 'netted = Σ strategies').toBe(strategies.reduce((s, p) => s + p.quantity, 0));
        }
      }),
    );
  });

  it('a sequence that ends flat realises Σ sell value − Σ buy value, and nets that minus Σ charges', () => {
    fc.assert(
      fc.property(
        fc.array(fillArb, { maxLength: 60 }),
        fc.integer({ min: 5, max: 2_000_000 }),
        (raw, exitPrice) => {
          const fills = toFills(raw);
          // Close every strategy's position at one price so the whole book ends flat.
          const book = PositionBook.fromFills(fills);
          for (const view of book.strategyPositions()) {
            if (view.quantity === 0) continue;
            fills.push({
              fillId: `close-${view.instrument}-${view.strategy}`,
              instrument: view.instrument,
              strategy: view.strategy ?? '',
              side: view.quantity > 0 ? 'SELL' : 'BUY',
              quantity: Math.abs(view.quantity),
              pricePaise: exitPrice,
              chargesPaise: 20_00,
              lotSize: 65,
              atMs: DAY1 + 371 * 60_000,
            });
          }
          const flat = new PositionBook({ knownState: 'known' });
          for (const f of fills) flat.applyFill(f);

          const value = (f: PositionFill): number => f.pricePaise * f.quantity;
          const cash = fills.reduce((s, f) => s + (f.side === 'SELL' ? value(f) : -value(f)), 0);
          const charges = fills.reduce((s, f) => s + f.chargesPaise, 0);
          for (const level of [flat.strategyPositions(), flat.instrumentPositions()]) {
            expect(
              level.every((p) => p.quantity === 0),
              'all flat',
            ).toBe(true);
            expect(
              level.reduce((s, p) => s + p.realisedPaise, 0),
              'Σ realised = Σ sells − Σ buys',
            ).toBe(cash);
            expect(
              level.reduce((s, p) => s + p.realisedNetPaise, 0),
              'net = gross − charges',
            ).toBe(cash - charges);
          }
          const day = flat.dayAggregate();
          expect(day.netPaise, 'day net').toBe(cash - charges);
          expect(day.turnoverPaise, 'day turnover').toBe(fills.reduce((s, f) => s + value(f), 0));
        },
      ),
    );
  });

  it('strategy and netted ledgers agree on total net P&L at any mark', () => {
    fc.assert(
      fc.property(
        fc.array(fillArb, { maxLength: 60 }),
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.integer({ min: 0, max: 2_000_000 }),
        (raw, mark1, mark2) => {
          const book = PositionBook.fromFills(toFills(raw));
          book.mark('NFO:1', mark1, DAY2);
          book.mark('NFO:2', mark2, DAY2);
          const strategyNet = book.strategyPositions().reduce((s, p) => s + p.netPaise, 0);
          const instrumentNet = book.instrumentPositions().reduce((s, p) => s + p.netPaise, 0);
          expect(strategyNet, 'same money either way').toBe(instrumentNet);
        },
      ),
    );
  });
});
