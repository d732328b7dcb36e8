import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { istParts } from '../../core/time.js';
import { NIFTY_CE } from './fixtures/fakeMarket.js';
import { optionOrder, setup } from './fixtures/harness.js';
import type { PlaceOrderBody } from './types.js';

const CE = NIFTY_CE.token;
const TICK = NIFTY_CE.tickSizePaise;
const LOT = NIFTY_CE.lotSize;

type Op =
  | {
      kind: 'place';
      side: 'BUY' | 'SELL';
      type: 'LIMIT' | 'MARKET' | 'STOPLOSS_LIMIT' | 'STOPLOSS_MARKET';
      ioc: boolean;
      lots: number;
      offsetTicks: number;
    }
  | { kind: 'modify'; pick: number; offsetTicks: number; lots: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'tick'; midTicks: number; bidLots: number; askLots: number }
  | { kind: 'advance'; minutes: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('place' as const),
    side: fc.constantFrom('BUY' as const, 'SELL' as const),
    type: fc.constantFrom(
      'LIMIT' as const,
      'MARKET' as const,
      'STOPLOSS_LIMIT' as const,
      'STOPLOSS_MARKET' as const,
    ),
    ioc: fc.boolean(),
    lots: fc.integer({ min: 1, max: 4 }),
    offsetTicks: fc.integer({ min: -20, max: 20 }),
  }),
  fc.record({
    kind: fc.constant('modify' as const),
    pick: fc.nat(),
    offsetTicks: fc.integer({ min: -20, max: 20 }),
    lots: fc.integer({ min: 1, max: 5 }),
  }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('tick' as const),
    midTicks: fc.integer({ min: 1_800, max: 2_200 }),
    bidLots: fc.integer({ min: 0, max: 3 }),
    askLots: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({ kind: fc.constant('advance' as const), minutes: fc.constantFrom(1, 7, 90, 400, 1_000) }),
);

function isSessionTime(ms: number): boolean {
  const p = istParts(ms);
  return p.weekday >= 1 && p.weekday <= 5 && p.minuteOfDay >= 555 && p.minuteOfDay < 930;
}

describe('order engine invariants under random use (property)', () => {
  it('quantities add up, fills respect limits and sessions, books and events agree', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
        const { engine, market, clock, events } = setup();
        let mid = 2_000 * TICK;
        market.setBook(CE, { bids: [[mid - TICK, LOT]], asks: [[mid + TICK, LOT]], ltp: mid });
        const ids: string[] = [];
        // A modification moves the limit; fills made before it are checked against no limit.
        const modified = new Set<string>();

        for (const step of ops) {
          if (step.kind === 'place') {
            const price = mid + step.offsetTicks * TICK;
            const stop = step.type.startsWith('STOPLOSS');
            const trigger = step.side === 'BUY' ? mid + 10 * TICK : mid - 10 * TICK;
            const body: PlaceOrderBody = optionOrder({
              variety: stop ? 'STOPLOSS' : 'NORMAL',
              transactiontype: step.side,
              ordertype: step.type,
              duration: step.ioc ? 'IOC' : 'DAY',
              quantity: String(step.lots * LOT),
              price: step.type === 'STOPLOSS_LIMIT' ? (trigger / 100).toFixed(2) : (price / 100).toFixed(2),
              triggerprice: stop ? (trigger / 100).toFixed(2) : '0',
            });
            const result = engine.place(body);
            expect(result.ok, `valid bodies are accepted: ${JSON.stringify(result)}`).toBe(true);
            if (result.ok) ids.push(result.orderid);
          } else if (step.kind === 'modify' && ids.length > 0) {
            const orderid = ids[step.pick % ids.length];
            const result = engine.modify({
              orderid,
              price: ((mid + step.offsetTicks * TICK) / 100).toFixed(2),
              quantity: String(step.lots * LOT),
            });
            if (result.ok && orderid !== undefined) modified.add(orderid);
          } else if (step.kind === 'cancel' && ids.length > 0) {
            engine.cancel({ variety: 'NORMAL', orderid: ids[step.pick % ids.length] });
          } else if (step.kind === 'tick') {
            mid = step.midTicks * TICK;
            market.setBook(CE, {
              bids: step.bidLots === 0 ? [] : [[mid - TICK, step.bidLots * LOT]],
              asks: step.askLots === 0 ? [] : [[mid + TICK, step.askLots * LOT]],
              ltp: mid,
            });
            engine.onMarketUpdate(CE);
          } else if (step.kind === 'advance') {
            clock.advanceBy(step.minutes * 60_000);
            engine.sync();
          }
        }

        const book = engine.orderBook();
        const trades = engine.tradeBook();
        for (const r of book) {
          const quantity = Number(r.quantity);
          const filled = Number(r.filledshares);
          expect(filled + Number(r.unfilledshares), `${r.orderid}: filled + unfilled = quantity`).toBe(
            quantity,
          );
          expect(
            Number(r.cancelsize),
            `${r.orderid}: cancelsize is at most the unfilled`,
          ).toBeLessThanOrEqual(Number(r.unfilledshares));
          if (r.status === 'complete')
            expect(filled, `${r.orderid}: complete means all filled`).toBe(quantity);
          if (r.status === 'open' || r.status === 'trigger pending') {
            expect(filled, `${r.orderid}: a working order has something left`).toBeLessThan(quantity);
          }
          const fills = trades.filter((t) => t.orderid === r.orderid);
          expect(
            fills.reduce((sum, t) => sum + Number(t.fillsize), 0),
            `${r.orderid}: trade book adds up to filledshares`,
          ).toBe(filled);
          for (const t of modified.has(r.orderid) ? [] : fills) {
            const fillPaise = Math.round(Number(t.fillprice) * 100);
            const limitPaise = Math.round(r.price * 100);
            if (r.transactiontype === 'BUY')
              expect(fillPaise, 'a BUY never pays above its limit').toBeLessThanOrEqual(limitPaise);
            else expect(fillPaise, 'a SELL never gets below its limit').toBeGreaterThanOrEqual(limitPaise);
          }
          const last = events.filter((e) => e.orderData.orderid === r.orderid).at(-1);
          const { uniqueorderid: _u, exchangeorderid: _e, ...fields } = r;
          expect(last?.orderData, `${r.orderid}: the last event is the book row`).toEqual(fields);
        }
        for (const t of market.trades)
          expect(isSessionTime(t.nowMs), 'trades only in market hours').toBe(true);

        const net = trades.reduce(
          (sum, t) => sum + (t.transactiontype === 'BUY' ? 1 : -1) * Number(t.fillsize),
          0,
        );
        const position = engine.positions()[0];
        expect(Number(position?.netqty ?? '0'), 'position = buys − sells in the trade book').toBe(net);
        expect(Number.isFinite(Number(engine.rms().net)), 'RMS net is a number string').toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
