import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIfError } from '../../core/errors.js';
import type { Instrument } from '../../core/instrument.js';
import { DAY_MS } from '../../core/time.js';
import type { DepthLevel, QuoteEvent, TickEvent } from '../../feed/events.js';
import { depthEvent, NIFTY_25000_CE, OPEN_MS, quoteEvent, tickEvent } from '../../feed/validate/testkit.js';
import { OrderFlowRegistry } from './registry.js';
import { type OrderFlowOptions, OrderFlowTracker } from './tracker.js';

/** The catalogue code a call throws, so the test asserts on codes, never on message text. */
function codeOf(call: () => unknown): string | undefined {
  try {
    call();
  } catch (error) {
    return isIfError(error) ? error.code : 'not an IfError';
  }
  return undefined;
}

const tracker = (options: OrderFlowOptions = {}): OrderFlowTracker =>
  new OrderFlowTracker(NIFTY_25000_CE, options);

const quote = (
  atMs: number,
  bidPrice: number,
  bidQuantity: number,
  askPrice: number,
  askQuantity: number,
): QuoteEvent => quoteEvent({ exchangeTimeMs: atMs, bidPrice, bidQuantity, askPrice, askQuantity });

// lastQuantity is deliberately constant and wrong: traded quantity must come from the volume deltas.
const trade = (atMs: number, lastPrice: number, volume: number): TickEvent =>
  tickEvent({ exchangeTimeMs: atMs, lastPrice, volume, lastQuantity: 999 });

const lvl = (price: number, quantity: number): DepthLevel => ({ price, quantity, orders: 1 });

describe('OrderFlowTracker: order-flow imbalance', () => {
  it('sums e_n of bid up, bid down and ask down over the window and normalises by average depth', () => {
    const t = tracker();
    t.onQuote(quote(OPEN_MS, 10_000, 300, 10_010, 500));
    t.onQuote(quote(OPEN_MS + 100, 10_005, 200, 10_010, 500)); // bid up: +200
    expect(t.snapshot().ofi, 'bid up adds the new bid size').toBe(200);
    t.onQuote(quote(OPEN_MS + 200, 10_000, 400, 10_010, 500)); // bid down: −200 (old size)
    expect(t.snapshot().ofi, 'bid down removes the old bid size').toBe(0);
    t.onQuote(quote(OPEN_MS + 300, 10_000, 400, 10_005, 700)); // ask down: −700
    const s = t.snapshot();
    expect(s.ofi, 'ask down subtracts the new ask size').toBe(-700);
    // Depth per book: 800, 700, 900, 1100 → mean one-side depth 3500 / 8 = 437.5.
    expect(s.ofiNormalised, 'OFI in multiples of the average best-level depth').toBeCloseTo(-700 / 437.5, 12);
  });

  it('counts same-price size changes and the ask side symmetrically, from depth events too', () => {
    const t = tracker();
    t.onDepth(depthEvent({ exchangeTimeMs: OPEN_MS, bids: [lvl(10_000, 300)], asks: [lvl(10_010, 500)] }));
    t.onDepth(
      depthEvent({ exchangeTimeMs: OPEN_MS + 1, bids: [lvl(10_000, 450)], asks: [lvl(10_010, 500)] }),
    );
    expect(t.snapshot().ofi, 'bid queue grew by 150').toBe(150);
    t.onDepth(
      depthEvent({ exchangeTimeMs: OPEN_MS + 2, bids: [lvl(10_000, 450)], asks: [lvl(10_010, 200)] }),
    );
    expect(t.snapshot().ofi, 'ask queue shrank by 300: +300').toBe(450);
    t.onDepth(depthEvent({ exchangeTimeMs: OPEN_MS + 3, bids: [lvl(10_000, 450)], asks: [lvl(10_015, 50)] }));
    expect(t.snapshot().ofi, 'ask up adds the old ask size 200').toBe(650);
  });

  it('ignores the repeat of one book as quote and depth, stale books, and breaks the chain on a one-sided book', () => {
    const t = tracker();
    t.onQuote(quote(OPEN_MS, 10_000, 300, 10_010, 500));
    t.onDepth(depthEvent({ exchangeTimeMs: OPEN_MS, bids: [lvl(10_000, 300)], asks: [lvl(10_010, 500)] }));
    expect(t.stats().unchangedBooks, 'SnapQuote depth repeating its quote').toBe(1);
    t.onQuote(quote(OPEN_MS - 1, 9_000, 1, 9_010, 1));
    expect(t.stats().staleBooks, 'older book ignored').toBe(1);
    t.onQuote(quote(OPEN_MS + 10, 10_000, 300, 0, 0));
    expect(t.snapshot().spreadPaise, 'one-sided: no spread').toBeUndefined();
    expect(t.snapshot().depthImbalance1, 'one-sided: all bid').toBe(1);
    t.onQuote(quote(OPEN_MS + 20, 10_005, 100, 10_010, 100));
    expect(t.snapshot().ofi, 'no e_n across a one-sided book').toBe(0);
    t.onQuote(quote(OPEN_MS + 30, 0, 0, 0, 0));
    expect(t.stats().emptyQuotes, 'Quote mode carries no depth: ignored').toBe(1);
    expect(t.snapshot().spreadPaise, 'book kept').toBe(5);
  });

  it('lets the flow roll out of the window, by event time and by a later snapshot time', () => {
    const t = tracker({ windowMs: 10_000, bucketMs: 1_000 });
    t.onQuote(quote(OPEN_MS, 10_000, 300, 10_010, 500));
    t.onQuote(quote(OPEN_MS + 500, 10_005, 200, 10_010, 500));
    expect(t.snapshot(OPEN_MS + 20_000).ofi, 'nothing left 20 s later').toBe(0);
    expect(t.snapshot(OPEN_MS + 20_000).ofiNormalised, 'no books in the window').toBeUndefined();
    expect(t.snapshot().ofi, 'the snapshot time did not move the window').toBe(200);
    t.onQuote(quote(OPEN_MS + 11_000, 10_005, 250, 10_010, 500));
    expect(t.snapshot().ofi, 'only the newest e_n remains').toBe(50);
  });
});

describe('OrderFlowTracker: book measures', () => {
  it('reports depth imbalance at one and five levels, mid, microprice and spread in paise and ticks', () => {
    const t = tracker();
    t.onDepth(
      depthEvent({
        exchangeTimeMs: OPEN_MS,
        bids: [
          lvl(10_000, 300),
          lvl(9_995, 100),
          lvl(9_990, 100),
          lvl(9_985, 100),
          lvl(9_980, 100),
          lvl(9_975, 9_999),
        ],
        asks: [lvl(10_010, 100), lvl(10_015, 500), lvl(10_020, 100), lvl(10_025, 100), lvl(10_030, 100)],
      }),
    );
    const s = t.snapshot();
    expect(s.depthImbalance1, '(300 − 100) / 400').toBe(0.5);
    expect(s.depthImbalance5, '(700 − 900) / 1600, sixth bid level ignored').toBe(-0.125);
    expect(s.spreadPaise, 'ask − bid').toBe(10);
    expect(s.spreadTicks, 'tick size 5 paise').toBe(2);
    expect(s.mid, 'mid').toBe(10_005);
    expect(s.microprice, '(10000·100 + 10010·300) / 400').toBe(10_007.5);
  });

  it('gives spread z = 0 for a constant spread and a positive z when it jumps', () => {
    const t = tracker({ spreadSpan: 20, spreadMinSamples: 5 });
    t.onQuote(quote(OPEN_MS, 10_000, 100, 10_010, 100));
    expect(t.snapshot().spreadZ, 'undefined while warming up').toBeUndefined();
    for (let i = 1; i <= 40; i++) t.onQuote(quote(OPEN_MS + i, 10_000, 100 + i, 10_010, 100));
    expect(t.snapshot().spreadZ, 'constant spread').toBe(0);
    t.onQuote(quote(OPEN_MS + 100, 9_990, 100, 10_020, 100));
    const s = t.snapshot();
    expect(s.spreadTicks, '30 paise at 5 paise a tick').toBe(6);
    expect(s.spreadZ, 'a wider spread than usual is a positive z').toBeGreaterThan(1);
  });
});

describe('OrderFlowTracker: aggressor volumes', () => {
  it('classifies by the quote rule against the book before the trade', () => {
    const t = tracker();
    t.onQuote(quote(OPEN_MS, 10_000, 300, 10_010, 500));
    t.onTick(trade(OPEN_MS + 1, 10_005, 1_000)); // baseline
    t.onTick(trade(OPEN_MS + 2, 10_010, 1_065)); // at the ask
    // A SnapQuote's tick precedes its quote, so the ask it lifted is still the book here.
    t.onQuote(quote(OPEN_MS + 2, 10_010, 50, 10_015, 500));
    t.onTick(trade(OPEN_MS + 3, 10_010, 1_195)); // at the (new) bid
    const s = t.snapshot();
    expect(s.buyVolume, '65 bought at the ask').toBe(65);
    expect(s.sellVolume, '130 sold at the bid').toBe(130);
    expect(s.cvd, 'buys − sells').toBe(-65);
    expect(s.lastAggressor, 'last trade hit the bid').toBe('sell');
    expect(t.stats().byQuoteRule, 'both by the quote rule').toBe(2);
  });

  it('falls back to the tick rule without a book and at the mid; a zero tick keeps the previous side', () => {
    const t = tracker();
    t.onTick(trade(OPEN_MS, 10_000, 1_000)); // baseline
    t.onTick(trade(OPEN_MS + 1, 10_005, 1_065)); // uptick
    t.onTick(trade(OPEN_MS + 2, 10_005, 1_100)); // zero tick
    t.onTick(trade(OPEN_MS + 3, 9_995, 1_200)); // downtick
    t.onQuote(quote(OPEN_MS + 4, 9_990, 100, 10_000, 100));
    t.onTick(trade(OPEN_MS + 5, 9_995, 1_210)); // at the mid: zero tick after a sell
    const s = t.snapshot();
    expect(s.buyVolume, '65 uptick + 35 zero tick after a buy').toBe(100);
    expect(s.sellVolume, '100 downtick + 10 at the mid after a sell').toBe(110);
    expect(t.stats().byTickRule, 'all by the tick rule').toBe(4);
    expect(t.stats().byQuoteRule, 'none by the quote rule').toBe(0);
  });

  it('takes traded quantity from volume deltas: repeats, LTP 0, LTP-mode and backward volumes add nothing', () => {
    const t = tracker();
    t.onTick(trade(OPEN_MS, 0, 0)); // not traded yet: the baseline is truly 0
    t.onTick(trade(OPEN_MS + 1, 0, 0));
    t.onTick(trade(OPEN_MS + 2, 10_000, 65)); // first trade counts in full
    t.onTick(trade(OPEN_MS + 3, 10_000, 65)); // repeat
    t.onTick(trade(OPEN_MS + 4, 10_005, 50)); // stale, below the mark
    t.onTick(trade(OPEN_MS + 5, 10_005, 0)); // LTP-mode packet
    t.onTick(trade(OPEN_MS + 6, 0, 500)); // LTP 0 after trading is corrupt, not a trade
    t.onTick(trade(OPEN_MS + 7, 10_010, 195)); // uptick: 130 more
    const s = t.snapshot();
    expect(s.buyVolume + s.sellVolume + s.unclassifiedVolume, '65 + 130, never lastQuantity 999').toBe(195);
    expect(s.unclassifiedVolume, 'the first trade has no book and no previous tick').toBe(65);
    expect(s.buyVolume, 'the uptick').toBe(130);
    expect(t.stats(), 'each ignored tick counted once').toMatchObject({
      trades: 2,
      baselines: 1,
      repeats: 1,
      volumeBackwards: 1,
      noVolume: 1,
      noPrice: 2,
    });
  });

  it('does not count the volume of a mid-session join as a trade', () => {
    const t = tracker();
    t.onTick(trade(OPEN_MS, 10_000, 5_000_000));
    t.onTick(trade(OPEN_MS + 1, 10_005, 5_000_065));
    expect(t.snapshot().buyVolume, 'only the rise after joining').toBe(65);
  });

  it('resets the session CVD on a new IST day and ignores a late event of the previous day', () => {
    const t = tracker();
    t.onTick(trade(OPEN_MS, 10_000, 1_000));
    t.onTick(trade(OPEN_MS + 1, 10_005, 1_650));
    const day1 = t.snapshot();
    expect(day1.cvd, 'day 1 buying').toBe(650);
    expect(day1.session, 'IST date').toBe('2026-03-10');

    const day2 = OPEN_MS + DAY_MS;
    t.onTick(trade(day2, 10_100, 2_000));
    const fresh = t.snapshot();
    expect(fresh.session, 'next IST date').toBe('2026-03-11');
    expect(fresh.cvd, 'new session starts at 0').toBe(0);
    expect(fresh.buyVolume + fresh.sellVolume, 'first tick of the day is the baseline').toBe(0);
    expect(fresh.lastAggressor, 'no trade yet today').toBeUndefined();
    t.onTick(trade(day2 + 1, 10_095, 2_100));
    expect(t.snapshot().cvd, 'day 2 selling only').toBe(-100);

    t.onTick(trade(OPEN_MS + 2, 10_010, 1_700));
    expect(t.stats().lateSession, 'day-1 tick after day 2 began').toBe(1);
    expect(t.snapshot().cvd, 'unchanged by the late tick').toBe(-100);
  });

  it('keeps a rolling-window CVD beside the session CVD', () => {
    const t = tracker({ windowMs: 10_000, bucketMs: 1_000 });
    t.onTick(trade(OPEN_MS, 10_000, 1_000));
    t.onTick(trade(OPEN_MS + 1, 10_005, 1_300)); // buy 300
    t.onTick(trade(OPEN_MS + 15_000, 10_000, 1_400)); // sell 100
    const s = t.snapshot();
    expect(s.cvd, 'session: +300 − 100').toBe(200);
    expect(s.windowCvd, 'window: the buy rolled off').toBe(-100);
    expect(s.windowSellVolume, 'window sells').toBe(100);
  });

  it('conserves volume: classified plus unclassified equals the rise of the cumulative volume', () => {
    const step = fc.record({
      dt: fc.integer({ min: 0, max: 3_000 }),
      price: fc.oneof(fc.constant(0), fc.integer({ min: 9_950, max: 10_050 })),
      dv: fc.integer({ min: -20, max: 200 }),
      book: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 80 }), (steps) => {
        const t = tracker({ windowMs: 5_000, bucketMs: 500 });
        let time = OPEN_MS;
        let volume = 1_000;
        let baseline: number | undefined;
        let mark = 0;
        for (const s of steps) {
          time += s.dt;
          if (s.book) t.onQuote(quote(time, s.price > 0 ? s.price - 5 : 9_990, 100, s.price + 10, 100));
          volume = Math.max(0, volume + s.dv);
          t.onTick(trade(time, s.price, volume));
          const hasVolume = s.price > 0 ? volume > 0 : volume === 0;
          if (baseline === undefined) {
            if (hasVolume) {
              baseline = volume;
              mark = volume;
            }
          } else if (s.price > 0 && volume > mark) {
            mark = volume;
          }
          const snap = t.snapshot();
          expect(snap.buyVolume + snap.sellVolume + snap.unclassifiedVolume, 'all of the rise, once').toBe(
            mark - (baseline ?? mark),
          );
          expect(snap.cvd, 'CVD = buys − sells').toBe(snap.buyVolume - snap.sellVolume);
        }
      }),
    );
  });
});

describe('OrderFlowRegistry', () => {
  it('keeps one tracker per exchange type and token and routes events to it', () => {
    const registry = new OrderFlowRegistry();
    const nfo = registry.open(NIFTY_25000_CE);
    const bfoInstrument: Instrument = { ...NIFTY_25000_CE, exchange: 'BFO', exchangeType: 4 };
    const bfo = registry.open(bfoInstrument);
    expect(registry.open(NIFTY_25000_CE), 'opening again returns the same tracker').toBe(nfo);
    expect(bfo, 'same token on another exchange is another tracker').not.toBe(nfo);
    expect(registry.get(2, NIFTY_25000_CE.token), 'lookup by exchange type and token').toBe(nfo);

    expect(registry.onEvent(quote(OPEN_MS, 10_000, 300, 10_010, 100)), 'routed to NFO').toBe(nfo);
    expect(nfo.snapshot().spreadPaise, 'the NFO tracker saw the quote').toBe(10);
    expect(bfo.snapshot().spreadPaise, 'the BFO tracker did not').toBeUndefined();
    expect(registry.onEvent(tickEvent({ token: '99999' })), 'unknown instrument').toBeUndefined();
    expect(registry.ignoredEvents, 'counted').toBe(1);
    expect(registry.remove(4, NIFTY_25000_CE.token), 'removed').toBe(true);
    expect(registry.size, 'one left').toBe(1);
  });

  it('rejects bad options, a bad tick size and another instrument’s event with IF_ERR_VALIDATION', () => {
    expect(
      codeOf(() => new OrderFlowRegistry({ windowMs: 1_000, bucketMs: 300 })),
      'bucket',
    ).toBe('IF_ERR_VALIDATION');
    expect(
      codeOf(() => new OrderFlowRegistry({ spreadMinSamples: -1 })),
      'min samples',
    ).toBe('IF_ERR_VALIDATION');
    expect(
      codeOf(() => new OrderFlowTracker({ ...NIFTY_25000_CE, tickSizePaise: 0 })),
      'tick size',
    ).toBe('IF_ERR_VALIDATION');
    expect(
      codeOf(() => tracker().onTick(tickEvent({ token: '1' }))),
      'foreign event',
    ).toBe('IF_ERR_VALIDATION');
  });
});
