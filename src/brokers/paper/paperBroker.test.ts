import { describe, expect, it } from 'vitest';
import { paise } from '../../core/money.js';
import {
  type ClientOrderId,
  createOrder,
  type Order,
  type OrderInstrument,
  type OrderPricing,
  orderId,
  type OrderSide,
  transition,
} from '../../execution/orders/index.js';
import type { DepthEvent, TickEvent } from '../../feed/events.js';
import { PAPER_REASON, PaperBroker, type PaperBrokerConfig, type PaperBrokerEvent } from './index.js';

const CE: OrderInstrument = {
  token: '43215',
  symbol: 'NIFTY27JAN2625000CE',
  exchange: 'NFO',
  underlying: 'NIFTY',
  kind: 'option',
  lotSize: 65,
  tickSizePaise: 5,
  expiry: '2026-01-27',
};
const T0 = Date.UTC(2026, 0, 20, 4, 30);
let counter = 0;

/** A submitted LIMIT order (the state machine has taken `submit-sent`). */
function submitted(
  side: OrderSide,
  quantity: number,
  limit: number,
  instrument = CE,
  tif: 'DAY' | 'IOC' = 'DAY',
): Order {
  return submittedWith(side, quantity, { type: 'LIMIT', limitPricePaise: paise(limit) }, instrument, tif);
}

/** A submitted STOPLOSS_LIMIT order, as the order manager places a bracket's stop leg. */
function submittedStop(side: OrderSide, quantity: number, trigger: number, limit: number): Order {
  return submittedWith(side, quantity, {
    type: 'STOPLOSS_LIMIT',
    triggerPricePaise: paise(trigger),
    limitPricePaise: paise(limit),
  });
}

function submittedWith(
  side: OrderSide,
  quantity: number,
  pricing: OrderPricing,
  instrument = CE,
  tif: 'DAY' | 'IOC' = 'DAY',
): Order {
  counter += 1;
  const created = createOrder(
    {
      instrument,
      side,
      quantity,
      pricing,
      timeInForce: tif,
      product: 'INTRADAY',
    },
    {
      orderId: orderId(`o-${counter}`),
      clientOrderId: `IF260120${String(counter).padStart(7, '0')}` as ClientOrderId,
    },
    T0 - 1000,
  );
  if (!created.ok) throw new Error(created.refusal.message);
  const sent = transition(created.order, { type: 'submit-sent', atMs: T0 - 500 });
  if (!sent.ok) throw new Error(sent.refusal.message);
  return sent.order;
}

type Levels = readonly (readonly [number, number])[];
function depth(atMs: number, bids: Levels, asks: Levels, token = CE.token): DepthEvent {
  const lv = (ls: Levels) => ls.map(([price, quantity]) => ({ price, quantity, orders: 1 }));
  return {
    type: 'depth',
    token,
    exchangeType: 2,
    exchangeTimeMs: atMs,
    receivedAtMs: atMs,
    sequence: 0,
    bids: lv(bids),
    asks: lv(asks),
  };
}
function tick(atMs: number, lastPrice: number, volume: number): TickEvent {
  return {
    type: 'tick',
    token: CE.token,
    exchangeType: 2,
    exchangeTimeMs: atMs,
    receivedAtMs: atMs,
    sequence: 0,
    lastPrice,
    lastQuantity: 65,
    volume,
    averagePrice: lastPrice,
    openInterest: undefined,
    lastTradeTimeMs: undefined,
  };
}
function broker(overrides: Partial<PaperBrokerConfig> = {}): PaperBroker {
  return new PaperBroker({ tokens: [CE.token], latencyMs: 0, seed: 7, ...overrides });
}
const fills = (events: readonly PaperBrokerEvent[]) =>
  events.flatMap((e) => (e.event.type === 'fill' ? [{ q: e.event.quantity, p: e.event.pricePaise }] : []));
const types = (events: readonly PaperBrokerEvent[]) => events.map((e) => e.event.type);

/** Bid 100.00 (195) / 99.95 (650); ask 100.05 (130) / 100.10 (260) / 100.20 (650). */
const BOOK = depth(
  T0,
  [
    [10_000, 195],
    [9_995, 650],
  ],
  [
    [10_005, 130],
    [10_010, 260],
    [10_020, 650],
  ],
);

describe('PaperBroker fill model', () => {
  it('fills a buy in full at the touch when the best ask covers it', () => {
    const b = broker();
    b.onMarket(BOOK);
    const out = b.submit(submitted('BUY', 130, 10_005), T0 + 1);
    expect(types(out), 'accepted, then one fill').toEqual(['broker-accepted', 'fill']);
    expect(fills(out), 'all 130 at the best ask').toEqual([{ q: 130, p: 10_005 }]);
    expect(b.orderBook()[0]?.status, 'filled on arrival').toBe('filled');
  });

  it('walks the book up to the limit and rests the rest; the VWAP is exact in paise', () => {
    const b = broker();
    b.onMarket(BOOK);
    const out = b.submit(submitted('BUY', 520, 10_010), T0 + 1);
    expect(fills(out), 'takes 130 @ 100.05 and 260 @ 100.10, not the 100.20 level').toEqual([
      { q: 130, p: 10_005 },
      { q: 260, p: 10_010 },
    ]);
    const notional = fills(out).reduce((s, f) => s + f.q * f.p, 0);
    const filled = fills(out).reduce((s, f) => s + f.q, 0);
    expect(notional, 'Σ q × p in paise').toBe(130 * 10_005 + 260 * 10_010);
    expect(Math.round(notional / filled), 'VWAP 100.0833 rounds to 10_008 paise').toBe(10_008);
    const row = b.orderBook()[0];
    expect(row?.status, 'the 130 left rests').toBe('open');
    expect(row?.queueAhead, 'it improved the best bid, so nobody is ahead').toBe(0);
  });

  it('does not fill a resting order while volume only eats the queue ahead', () => {
    const b = broker();
    b.onMarket(BOOK);
    b.onMarket(tick(T0 + 1, 10_000, 1_000));
    const out = b.submit(submitted('BUY', 65, 10_000), T0 + 2);
    expect(types(out), 'rests: the bid 100.00 is behind the ask').toEqual(['broker-accepted']);
    expect(b.orderBook()[0]?.queueAhead, 'joins behind the 195 displayed at 100.00').toBe(195);
    const later = b.onMarket(tick(T0 + 3, 10_000, 1_130));
    expect(fills(later), '130 traded at our price, still 65 ahead').toEqual([]);
    expect(b.orderBook()[0]?.queueAhead, 'queue ahead shrank by the traded 130').toBe(65);
    const above = b.onMarket(tick(T0 + 4, 10_005, 2_000));
    expect(fills(above), 'trades above a buy limit do not touch it').toEqual([]);
  });

  it('fills a resting order once the queue ahead has traded', () => {
    const b = broker();
    b.onMarket(BOOK);
    b.onMarket(tick(T0 + 1, 10_000, 1_000));
    b.submit(submitted('BUY', 130, 10_000), T0 + 2);
    const out = b.onMarket(tick(T0 + 3, 10_000, 1_000 + 195 + 65));
    expect(fills(out), '195 ahead trade first, the next 65 fill us at our limit').toEqual([
      { q: 65, p: 10_000 },
    ]);
    const rest = b.onMarket(tick(T0 + 4, 9_995, 1_000 + 195 + 65 + 500));
    expect(fills(rest), 'a print through our price fills the rest').toEqual([{ q: 65, p: 10_000 }]);
    expect(
      b.trades().map((t) => t.liquidity),
      'resting fills are maker fills',
    ).toEqual(['maker', 'maker']);
  });

  it('fills at the limit when the book moves through the price', () => {
    const b = broker();
    b.onMarket(BOOK);
    b.submit(submitted('BUY', 130, 9_995), T0 + 1);
    const out = b.onMarket(
      depth(
        T0 + 2,
        [[9_980, 500]],
        [
          [9_985, 65],
          [9_990, 650],
        ],
      ),
    );
    expect(fills(out), 'asks at 99.85 and 99.90 cross our 99.95 bid; all 130 fill at our limit').toEqual([
      { q: 130, p: 9_995 },
    ]);
    expect(b.orderBook()[0]?.status, 'fully filled').toBe('filled');
  });

  it('applies market events between submission and arrival before the order (latency)', () => {
    const b = broker({ latencyMs: 50 });
    b.onMarket(BOOK);
    const out = b.submit(submitted('BUY', 130, 10_005), T0 + 10);
    expect(out, 'nothing happens before the order arrives').toEqual([]);
    const moved = b.onMarket(depth(T0 + 30, [[10_005, 100]], [[10_015, 500]]));
    expect(moved, 'the book moves away while the order is in flight').toEqual([]);
    const arrived = b.advanceTo(T0 + 60);
    expect(types(arrived), 'accepted at arrival, nothing to take at 100.05 any more').toEqual([
      'broker-accepted',
    ]);
    expect(arrived[0]?.event.atMs, 'stamped with the arrival time').toBe(T0 + 60);
    expect(b.orderBook()[0]?.queueAhead, 'joins behind the new 100 at 100.05').toBe(100);
  });

  it('cancels a resting order and refuses to cancel a filled one', () => {
    const b = broker();
    b.onMarket(BOOK);
    const resting = submitted('BUY', 65, 9_995);
    b.submit(resting, T0 + 1);
    const out = b.cancel(resting.orderId, T0 + 2);
    expect(types(out), 'cancelled').toEqual(['cancelled']);
    expect(fills(b.onMarket(depth(T0 + 3, [], [[9_990, 1_000]]))), 'no fill after the cancel').toEqual([]);
    const taker = submitted('BUY', 65, 10_005);
    b.submit(taker, T0 + 4);
    expect(types(b.cancel(taker.orderId, T0 + 5)), 'a filled order cannot be cancelled').toEqual([
      'cancel-rejected',
    ]);
  });

  it('rejects unknown instruments, missing market data and non-LIMIT orders with reasons', () => {
    const b = broker();
    const noData = b.submit(submitted('BUY', 65, 10_000), T0);
    expect(noData[0]?.event, 'no book yet').toMatchObject({
      type: 'rejected',
      reason: PAPER_REASON.noMarketData,
      source: 'broker',
    });
    const other = b.submit(submitted('BUY', 65, 10_000, { ...CE, token: '999' }), T0);
    expect(other[0]?.event, 'token not traded here').toMatchObject({
      reason: PAPER_REASON.unknownInstrument,
    });
    b.onMarket(BOOK);
    const odd = b.submit(submitted('BUY', 65, 10_003), T0 + 1);
    expect(odd[0]?.event, 'price off the tick grid').toMatchObject({ reason: PAPER_REASON.invalidPrice });
  });

  it('is deterministic for a seed with adverse selection on, and the knob never breaches the limit', () => {
    const runOnce = (seed: number) => {
      counter = 100;
      const b = broker({ seed, adverseSelection: { probability: 0.5, ticks: 2 } });
      b.onMarket(BOOK);
      for (let i = 0; i < 5; i++) {
        b.onMarket(BOOK);
        b.submit(submitted('BUY', 520, 10_020), T0 + 1 + i);
      }
      return b.trades().map((t) => [t.quantity, t.pricePaise]);
    };
    const a = runOnce(42);
    expect(runOnce(42), 'same seed, same fills').toEqual(a);
    expect(
      a.every(([, p]) => (p ?? 0) <= 10_020),
      'never above the limit',
    ).toBe(true);
    expect(
      a.some(([, p], i) => p !== [10_005, 10_010, 10_020][i % 3]),
      'the knob moved some prices',
    ).toBe(true);
  });

  it('produces events the order state machine accepts in sequence, ending filled', () => {
    const b = broker({ latencyMs: 5 });
    b.onMarket(BOOK);
    let order = submitted('BUY', 520, 10_010);
    const events: PaperBrokerEvent[] = [...b.submit(order, T0 + 1), ...b.advanceTo(T0 + 6)];
    order = apply(order, events);
    expect(order.status, 'after taking 390 of 520').toBe('partially-filled');
    const mod = transition(order, {
      type: 'modify-sent',
      atMs: T0 + 7,
      changes: { limitPricePaise: paise(10_020) },
    });
    if (!mod.ok) throw new Error(mod.refusal.message);
    order = apply(mod.order, [
      ...b.modify(order.orderId, { limitPricePaise: paise(10_020) }, T0 + 7),
      ...b.advanceTo(T0 + 12),
    ]);
    expect(order.status, 'the re-priced order takes the 100.20 level').toBe('filled');
    expect(order.filledQuantity, 'all 520').toBe(520);
    expect(order.averagePricePaise, 'VWAP of 130@10005, 260@10010, 130@10020').toBe(
      Math.round((130 * 10_005 + 260 * 10_010 + 130 * 10_020) / 520),
    );
    expect(b.report(order.orderId), 'reconciliation report agrees').toMatchObject({
      status: 'filled',
      filledQuantity: 520,
    });
  });
});

describe('PaperBroker stop-loss limit orders', () => {
  /** The market a long's stop sits under: last trade 100.00, bid 100.00 / ask 100.05. */
  function market(b: PaperBroker): void {
    b.onMarket(BOOK);
    b.onMarket(tick(T0 + 1, 10_000, 1_000));
  }
  const row = (b: PaperBroker, id: string) => b.orderBook().find((r) => r.orderId === id);

  it('a SELL stop waits as trigger pending, ignores bids below the trigger, then fills on a trade through it', () => {
    const b = broker();
    market(b);
    let stop = submittedStop('SELL', 130, 9_900, 9_850);
    const accepted = b.submit(stop, T0 + 2);
    expect(types(accepted), 'accepted at once, nothing taken').toEqual(['broker-accepted']);
    expect(row(b, stop.orderId), 'open, waiting, outside the queue').toMatchObject({
      status: 'open',
      triggerPending: true,
      queueAhead: 0,
      orderType: 'STOPLOSS_LIMIT',
      triggerPricePaise: 9_900,
    });
    expect(b.report(stop.orderId), 'reconciliation sees an open stop with both prices').toMatchObject({
      found: true,
      status: 'open',
      filledQuantity: 0,
      pricing: { type: 'STOPLOSS_LIMIT', triggerPricePaise: 9_900, limitPricePaise: 9_850 },
    });

    const bidsFall = b.onMarket(
      depth(
        T0 + 3,
        [
          [9_890, 65],
          [9_880, 650],
        ],
        [[9_905, 100]],
      ),
    );
    expect(
      bidsFall,
      'bids below the trigger without a trade do not fire it (the exchange uses the LTP)',
    ).toEqual([]);
    expect(row(b, stop.orderId)?.triggerPending, 'still waiting').toBe(true);

    const through = b.onMarket(tick(T0 + 4, 9_895, 1_065));
    expect(
      fills(through),
      'a print at 98.95 fires it; it sells into 98.90 and 98.80, above its 98.50 limit',
    ).toEqual([
      { q: 65, p: 9_890 },
      { q: 65, p: 9_880 },
    ]);
    expect(
      b.trades().map((t) => t.liquidity),
      'a triggered stop takes like any arriving order',
    ).toEqual(['taker', 'taker']);
    expect(
      through.every((e) => e.event.atMs === T0 + 4),
      'stamped with the print time',
    ).toBe(true);
    stop = apply(stop, [...accepted, ...through]);
    expect(stop.status, 'the state machine took accepted, then the fills').toBe('filled');
    expect(row(b, stop.orderId), 'filled, no longer pending').toMatchObject({
      status: 'filled',
      triggerPending: false,
    });
  });

  it('a SELL stop does not trigger while trades print above its trigger', () => {
    const b = broker();
    market(b);
    const stop = submittedStop('SELL', 65, 9_900, 9_850);
    b.submit(stop, T0 + 2);
    const out = [
      ...b.onMarket(tick(T0 + 3, 9_950, 1_500)),
      ...b.onMarket(tick(T0 + 4, 9_905, 2_000)),
      ...b.onMarket(depth(T0 + 5, [[9_800, 1_000]], [[9_905, 1_000]])),
      ...b.advanceTo(T0 + 60_000),
    ];
    expect(out, 'one tick above the trigger is not enough; neither is a book through it').toEqual([]);
    expect(row(b, stop.orderId), 'still waiting, nothing filled').toMatchObject({
      status: 'open',
      triggerPending: true,
      filledQuantity: 0,
    });
    expect(b.trades(), 'no trade').toEqual([]);
  });

  it('a stop triggered by a gap rests at its limit (stale bids above the print are not taken), then fills when the market returns', () => {
    const b = broker();
    market(b);
    const stop = submittedStop('SELL', 65, 9_900, 9_890);
    b.submit(stop, T0 + 2);
    // The LTP of a packet comes before its depth: our copy still shows the 100.00 bid when the gap prints.
    const gap = b.onMarket(tick(T0 + 3, 9_850, 1_500));
    expect(
      fills(gap),
      'triggered, but nothing at or above the 98.90 limit was there after a print at 98.50',
    ).toEqual([]);
    expect(row(b, stop.orderId), 'now a resting limit sell at 98.90').toMatchObject({
      status: 'open',
      triggerPending: false,
      queueAhead: 0,
    });
    const still = b.onMarket(tick(T0 + 4, 9_870, 1_600));
    expect(fills(still), 'trades below a sell limit do not fill it').toEqual([]);
    const back = b.onMarket(tick(T0 + 5, 9_890, 1_700));
    expect(fills(back), 'a print at our limit fills us at it, as a resting order').toEqual([
      { q: 65, p: 9_890 },
    ]);
    expect(b.trades()[0]?.liquidity, 'a maker fill').toBe('maker');
  });

  it('a BUY stop fires on a print at its trigger, fills what its limit reaches and rests the rest', () => {
    const b = broker();
    market(b);
    b.onMarket(
      depth(
        T0 + 2,
        [[10_000, 195]],
        [
          [10_100, 65],
          [10_200, 500],
        ],
      ),
    );
    const stop = submittedStop('BUY', 130, 10_100, 10_150);
    expect(types(b.submit(stop, T0 + 3)), 'trigger above the last 100.00: accepted').toEqual([
      'broker-accepted',
    ]);
    const out = b.onMarket(tick(T0 + 4, 10_100, 1_065));
    expect(fills(out), 'LTP = trigger fires it; 65 at 101.00, the 102.00 ask is beyond its limit').toEqual([
      { q: 65, p: 10_100 },
    ]);
    expect(row(b, stop.orderId), 'partially filled, the rest bids 101.50').toMatchObject({
      status: 'open',
      triggerPending: false,
      filledQuantity: 65,
      queueAhead: 0,
    });
  });

  it('cancels a stop before its trigger; a later print through the trigger does nothing', () => {
    const b = broker({ latencyMs: 5 });
    market(b);
    const stop = submittedStop('SELL', 65, 9_900, 9_850);
    b.submit(stop, T0 + 2);
    expect(types(b.advanceTo(T0 + 7)), 'accepted on arrival').toEqual(['broker-accepted']);
    expect(b.cancel(stop.orderId, T0 + 8), 'the cancel is on its way').toEqual([]);
    const cancelled = b.advanceTo(T0 + 13);
    expect(types(cancelled), 'cancelled on arrival').toEqual(['cancelled']);
    expect(b.onMarket(tick(T0 + 14, 9_800, 5_000)), 'no trigger, no fill').toEqual([]);
    expect(row(b, stop.orderId), 'cancelled, no longer pending').toMatchObject({
      status: 'cancelled',
      filledQuantity: 0,
    });
    expect(types(b.cancel(stop.orderId, T0 + 15)), 'a second cancel is refused').toEqual([]);
    expect(types(b.advanceTo(T0 + 20))).toEqual(['cancel-rejected']);
  });

  it('modifies a pending stop: a trailed trigger and limit and a larger quantity take effect; bad changes are refused', () => {
    const b = broker();
    market(b);
    const stop = submittedStop('SELL', 65, 9_900, 9_850);
    b.submit(stop, T0 + 2);
    const trailed = b.modify(
      stop.orderId,
      { triggerPricePaise: paise(9_950), limitPricePaise: paise(9_900), quantity: 130 },
      T0 + 3,
    );
    expect(types(trailed), 'accepted, still waiting').toEqual(['modify-accepted']);
    expect(row(b, stop.orderId), 'the new prices and quantity').toMatchObject({
      triggerPending: true,
      triggerPricePaise: 9_950,
      limitPricePaise: 9_900,
      quantity: 130,
    });
    expect(b.report(stop.orderId), 'reported with the new prices').toMatchObject({
      quantity: 130,
      pricing: { type: 'STOPLOSS_LIMIT', triggerPricePaise: 9_950, limitPricePaise: 9_900 },
    });

    const refused = (change: Parameters<PaperBroker['modify']>[1]) =>
      b.modify(stop.orderId, change, T0 + 4)[0]?.event;
    expect(
      refused({ triggerPricePaise: paise(10_000) }),
      'a trigger the LTP 100.00 has reached',
    ).toMatchObject({
      type: 'modify-rejected',
      reason: PAPER_REASON.triggerCrossed,
    });
    expect(refused({ limitPricePaise: paise(9_955) }), 'a sell limit above its trigger').toMatchObject({
      reason: PAPER_REASON.sellStopLimitAboveTrigger,
    });
    expect(refused({ triggerPricePaise: paise(9_952) }), 'a trigger off the tick grid').toMatchObject({
      reason: PAPER_REASON.invalidTrigger,
    });

    expect(b.onMarket(tick(T0 + 5, 9_960, 1_200)), 'above the new trigger: nothing').toEqual([]);
    b.onMarket(depth(T0 + 6, [[9_950, 500]], [[9_960, 500]]));
    const fired = b.onMarket(tick(T0 + 7, 9_950, 1_300));
    expect(fills(fired), 'the trailed trigger fires at 99.50; all 130 sell at the 99.50 bid').toEqual([
      { q: 130, p: 9_950 },
    ]);

    const plain = submitted('BUY', 65, 9_900);
    expect(types(b.submit(plain, T0 + 8)), 'a resting limit bid').toEqual(['broker-accepted']);
    expect(
      b.modify(plain.orderId, { triggerPricePaise: paise(9_900) }, T0 + 9)[0]?.event,
      'a LIMIT order has no trigger to change',
    ).toMatchObject({ type: 'modify-rejected', reason: PAPER_REASON.noTrigger });
  });

  it('refuses invalid stop prices and STOPLOSS_MARKET with clear reasons', () => {
    const b = broker();
    market(b);
    const reasonOf = (order: Order) => {
      const event = b.submit(order, T0 + 2)[0]?.event;
      return event?.type === 'rejected' ? event.reason : `not rejected: ${event?.type}`;
    };
    expect(reasonOf(submittedStop('SELL', 65, 9_903, 9_850)), 'trigger off the tick grid').toBe(
      PAPER_REASON.invalidTrigger,
    );
    expect(reasonOf(submittedStop('SELL', 65, 9_900, 9_853)), 'limit off the tick grid').toBe(
      PAPER_REASON.invalidPrice,
    );
    expect(reasonOf(submittedStop('SELL', 65, 9_900, 9_905)), 'a sell stop limit above its trigger').toBe(
      PAPER_REASON.sellStopLimitAboveTrigger,
    );
    expect(reasonOf(submittedStop('BUY', 65, 10_100, 10_095)), 'a buy stop limit below its trigger').toBe(
      PAPER_REASON.buyStopLimitBelowTrigger,
    );
    expect(reasonOf(submittedStop('SELL', 65, 10_000, 9_950)), 'a sell trigger at the LTP 100.00').toBe(
      PAPER_REASON.triggerCrossed,
    );
    expect(reasonOf(submittedStop('BUY', 65, 9_995, 10_000)), 'a buy trigger below the LTP').toBe(
      PAPER_REASON.triggerCrossed,
    );
    expect(reasonOf(submittedStop('SELL', 66, 9_900, 9_850)), 'quantity off the lot size').toBe(
      PAPER_REASON.invalidQuantity,
    );
    expect(
      reasonOf(submittedWith('SELL', 65, { type: 'STOPLOSS_MARKET', triggerPricePaise: paise(9_900) })),
      'no market orders, triggered or not',
    ).toBe(PAPER_REASON.unsupportedType);
    expect(
      b.orderBook().every((r) => r.status === 'rejected' && !r.triggerPending),
      'none of them waits for a trigger',
    ).toBe(true);
  });
});

function apply(order: Order, events: readonly PaperBrokerEvent[]): Order {
  let current = order;
  for (const { orderId: id, event } of events) {
    expect(id, 'event for this order').toBe(order.orderId);
    const result = transition(current, event);
    if (!result.ok) throw new Error(`refused ${event.type}: ${result.refusal.message}`);
    current = result.order;
  }
  return current;
}
