import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../core/clock.js';
import { IfError } from '../../core/errors.js';
import { paise } from '../../core/money.js';
import {
  type ClientOrderId,
  createOrder,
  type Order,
  type OrderEvent,
  type OrderInstrument,
  type OrderPricing,
  type OrderRefusal,
  orderId,
  transition,
} from '../../execution/orders/index.js';
import type { ExecutionReport } from '../../execution/ports.js';
import type { DepthEvent, TickEvent } from '../../feed/events.js';
import { PAPER_REASON, PaperBroker, PaperExecutionClient } from './index.js';

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
/** 2026-01-20 10:00 IST */
const T0 = Date.UTC(2026, 0, 20, 4, 30);

type Levels = readonly (readonly [number, number])[];
function depth(atMs: number, bids: Levels, asks: Levels): DepthEvent {
  const lv = (ls: Levels) => ls.map(([price, quantity]) => ({ price, quantity, orders: 1 }));
  return {
    type: 'depth',
    token: CE.token,
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

/** Bid 100.00 (195) / 99.95 (650); ask 100.05 (130) / 100.10 (260). */
const BOOK = depth(
  T0,
  [
    [10_000, 195],
    [9_995, 650],
  ],
  [
    [10_005, 130],
    [10_010, 260],
  ],
);

/** The client on a paper venue, and a stand-in for the order manager applying reports to the machine. */
function setup(latencyMs = 0) {
  const clock = new SimulatedClock(T0);
  const broker = new PaperBroker({ tokens: [CE.token], latencyMs, seed: 7 });
  const client = new PaperExecutionClient({ broker, clock });
  const orders = new Map<ClientOrderId, Order>();
  const reports: ExecutionReport[] = [];
  const refusals: OrderRefusal[] = [];
  const apply = (id: ClientOrderId, event: OrderEvent) => {
    const order = orders.get(id);
    if (order === undefined) throw new Error(`no order ${id}`);
    const result = transition(order, event);
    if (result.ok) orders.set(id, result.order);
    else refusals.push(result.refusal);
  };
  client.onReport((report) => {
    reports.push(report);
    apply(report.clientOrderId, report.event);
  });
  let counter = 0;
  const order = (
    side: 'BUY' | 'SELL',
    quantity: number,
    pricing: OrderPricing,
    tif: 'DAY' | 'IOC' = 'DAY',
  ) => {
    counter += 1;
    const id = `IF260120${String(counter).padStart(7, '0')}` as ClientOrderId;
    const created = createOrder(
      { instrument: CE, side, quantity, pricing, timeInForce: tif, product: 'INTRADAY' },
      { orderId: orderId(`o-${counter}`), clientOrderId: id },
      clock.now(),
    );
    if (!created.ok) throw new Error(created.refusal.message);
    const sent = transition(created.order, { type: 'submit-sent', atMs: clock.now() });
    if (!sent.ok) throw new Error(sent.refusal.message);
    orders.set(id, sent.order);
    return sent.order;
  };
  const get = (id: ClientOrderId) => {
    const found = orders.get(id);
    if (found === undefined) throw new Error(`no order ${id}`);
    return found;
  };
  const typesOf = (id: ClientOrderId) =>
    reports.filter((r) => r.clientOrderId === id).map((r) => r.event.type);
  return { clock, broker, client, order, get, apply, reports, refusals, typesOf };
}

const limit = (price: number): OrderPricing => ({ type: 'LIMIT', limitPricePaise: paise(price) });
const stopLimit = (trigger: number, price: number): OrderPricing => ({
  type: 'STOPLOSS_LIMIT',
  triggerPricePaise: paise(trigger),
  limitPricePaise: paise(price),
});

async function refusalOf(promise: Promise<unknown>): Promise<IfError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IfError) return error;
    throw new Error(`expected an IfError, got ${String(error)}`);
  }
  throw new Error('expected the call to fail, it succeeded');
}

describe('PaperExecutionClient', () => {
  it('a marketable limit walks the book: acknowledged, two fills, filled; findOrder and positions agree', async () => {
    const h = setup();
    h.client.onMarket(BOOK);
    const o = h.order('BUY', 195, limit(10_010));
    const { brokerOrderId } = await h.client.submit(o);
    expect(brokerOrderId, "the paper venue's id").toBe('PB1');
    expect(h.typesOf(o.clientOrderId), 'ack, then a fill per level').toEqual([
      'broker-accepted',
      'fill',
      'fill',
    ]);
    expect(h.get(o.clientOrderId).status, 'filled').toBe('filled');
    expect(h.get(o.clientOrderId).averagePricePaise, 'VWAP of 130 @ 100.05 and 65 @ 100.10').toBe(
      Math.round((130 * 10_005 + 65 * 10_010) / 195),
    );
    expect(h.refusals, 'the state machine took every report').toEqual([]);

    const found = await h.client.findOrder(o.clientOrderId);
    expect(found.report, 'filled at the venue').toMatchObject({
      found: true,
      brokerOrderId,
      status: 'filled',
      quantity: 195,
      filledQuantity: 195,
    });
    expect(
      found.fills.map((f) => f.fillId),
      'the same trade ids as the reports',
    ).toEqual(h.get(o.clientOrderId).fillIds);
    expect(await h.client.positions(), 'long 195, keyed EXCHANGE:token').toEqual([
      { instrument: 'NFO:43215', quantity: 195 },
    ]);
    expect(
      (await h.client.orders()).map((x) => x.clientOrderId),
      'orders() lists it',
    ).toEqual([o.clientOrderId]);
    expect(h.client.isConnected(), 'in process, always connected').toBe(true);
  });

  it('with latency the request waits for the clock: nothing until advanceTo, then the answer and the reports', async () => {
    const h = setup(50);
    h.client.onMarket(BOOK);
    const o = h.order('BUY', 65, limit(10_005));
    let settled = false;
    const answer = h.client.submit(o).then((a) => {
      settled = true;
      return a;
    });
    await Promise.resolve();
    expect(settled, 'still on its way').toBe(false);
    expect(h.reports, 'nothing reported yet').toEqual([]);
    expect((await h.client.findOrder(o.clientOrderId)).report.found, 'not in the venue book yet').toBe(false);

    h.client.advanceTo(T0 + 49);
    expect(h.reports, 'one ms early: still nothing').toEqual([]);
    h.client.advanceTo(T0 + 50);
    expect((await answer).brokerOrderId, 'answered on arrival').toBe('PB1');
    expect(h.typesOf(o.clientOrderId)).toEqual(['broker-accepted', 'fill']);
    const fill = h.reports.at(-1)?.event;
    expect(fill?.atMs, 'stamped with the arrival time').toBe(T0 + 50);
  });

  it('a resting order fills from later market events: a print through the queue, then the book through the price', async () => {
    const h = setup();
    h.client.onMarket(BOOK);
    const o = h.order('BUY', 130, limit(10_000));
    await h.client.submit(o);
    expect(h.get(o.clientOrderId).status, 'rests behind 195 at 100.00').toBe('accepted');

    h.client.onMarket(tick(T0 + 10, 10_500, 1000));
    h.client.onMarket(tick(T0 + 20, 10_000, 1000 + 195 + 65));
    expect(h.get(o.clientOrderId).status, 'the print ate the queue, then 65 of ours').toBe(
      'partially-filled',
    );
    expect(h.get(o.clientOrderId).filledQuantity).toBe(65);

    h.client.onMarket(
      depth(
        T0 + 30,
        [[9_990, 100]],
        [
          [9_995, 65],
          [10_005, 500],
        ],
      ),
    );
    expect(h.get(o.clientOrderId).status, 'the ask came down through our bid').toBe('filled');
    expect(h.typesOf(o.clientOrderId)).toEqual(['broker-accepted', 'fill', 'fill']);
    expect(h.refusals).toEqual([]);
  });

  it('paper rejections refuse the submit (refused: true) without a report; findOrder shows the reason', async () => {
    const h = setup();
    h.client.onMarket(BOOK);
    const odd = h.order('BUY', 66, limit(10_000));
    const error = await refusalOf(h.client.submit(odd));
    expect(error.code).toBe('IF_ERR_EXECUTION_REFUSED');
    expect(error.params.refused, 'the manager marks it rejected').toBe(true);
    expect(error.params.detail).toBe(PAPER_REASON.invalidQuantity);
    expect(h.reports, 'the refusal is the answer, not a report too').toEqual([]);
    const found = await h.client.findOrder(odd.clientOrderId);
    expect(found.report).toMatchObject({
      found: true,
      status: 'rejected',
      reason: PAPER_REASON.invalidQuantity,
    });

    const market = h.order('BUY', 65, { type: 'MARKET' });
    const refused = await refusalOf(h.client.submit(market));
    expect(refused.params.detail, 'only limits on paper too').toBe(PAPER_REASON.unsupportedType);

    const neverSent = await h.client.findOrder('IF2601209999999' as ClientOrderId);
    expect(neverSent).toEqual({
      clientOrderId: 'IF2601209999999',
      report: { found: false },
      fills: [],
    });
  });

  it('cancel resolves and reports cancelled; a second cancel is refused and not reported', async () => {
    const h = setup();
    h.client.onMarket(BOOK);
    const o = h.order('BUY', 65, limit(9_990));
    await h.client.submit(o);
    h.apply(o.clientOrderId, { type: 'cancel-sent', atMs: h.clock.now(), reason: 'test' });
    await h.client.cancel(h.get(o.clientOrderId));
    expect(h.get(o.clientOrderId).status).toBe('cancelled');
    const again = await refusalOf(h.client.cancel(h.get(o.clientOrderId)));
    expect(again.params.refused, 'not open any more').toBe(true);
    expect(again.params.detail).toBe(PAPER_REASON.notOpen);
    expect(h.typesOf(o.clientOrderId)).toEqual(['broker-accepted', 'cancelled']);
    expect(h.refusals).toEqual([]);
  });

  it('modify through the ask is modify-accepted then filled; a bad modification is refused', async () => {
    const h = setup();
    h.client.onMarket(BOOK);
    const o = h.order('BUY', 65, limit(9_990));
    await h.client.submit(o);

    const bad = { quantity: 100 };
    h.apply(o.clientOrderId, { type: 'modify-sent', atMs: h.clock.now(), changes: bad });
    const refused = await refusalOf(h.client.modify(h.get(o.clientOrderId), bad));
    expect(refused.params.refused).toBe(true);
    h.apply(o.clientOrderId, {
      type: 'modify-rejected',
      atMs: h.clock.now(),
      reason: String(refused.params.detail),
    });

    const change = { limitPricePaise: paise(10_005) };
    h.apply(o.clientOrderId, { type: 'modify-sent', atMs: h.clock.now(), changes: change });
    await h.client.modify(h.get(o.clientOrderId), change);
    expect(h.typesOf(o.clientOrderId)).toEqual(['broker-accepted', 'modify-accepted', 'fill']);
    expect(h.get(o.clientOrderId).status).toBe('filled');
    expect(h.refusals).toEqual([]);
  });

  it("a bracket's stop leg (STOPLOSS_LIMIT): accepted and open while its trigger waits, then filled by a print through it", async () => {
    const h = setup();
    h.client.onMarket(BOOK);
    h.client.onMarket(tick(T0 + 1, 10_000, 1_000));
    const entry = h.order('BUY', 130, limit(10_005));
    await h.client.submit(entry);
    expect(h.get(entry.clientOrderId).status, 'long 130').toBe('filled');

    const stop = h.order('SELL', 130, stopLimit(9_900, 9_850));
    const { brokerOrderId } = await h.client.submit(stop);
    expect(h.typesOf(stop.clientOrderId), 'the manager hears the acceptance, nothing else').toEqual([
      'broker-accepted',
    ]);
    expect(h.get(stop.clientOrderId).status, 'working at the venue').toBe('accepted');
    const found = await h.client.findOrder(stop.clientOrderId);
    expect(found.report, 'a trigger-pending order is open, with its stop pricing').toEqual({
      found: true,
      brokerOrderId,
      status: 'open',
      quantity: 130,
      filledQuantity: 0,
      pricing: { type: 'STOPLOSS_LIMIT', triggerPricePaise: 9_900, limitPricePaise: 9_850 },
    });
    expect(found.fills, 'no fills yet').toEqual([]);
    expect(
      (await h.client.orders()).map((x) => [x.clientOrderId, x.report.found && x.report.status]),
      'orders() lists it open beside the filled entry',
    ).toEqual([
      [entry.clientOrderId, 'filled'],
      [stop.clientOrderId, 'open'],
    ]);

    h.clock.advanceTo(T0 + 10);
    h.client.onMarket(
      depth(
        T0 + 10,
        [
          [9_890, 65],
          [9_880, 650],
        ],
        [[9_900, 300]],
      ),
    );
    expect(h.typesOf(stop.clientOrderId), 'the bid falling below the trigger does not fire it').toEqual([
      'broker-accepted',
    ]);
    h.client.onMarket(tick(T0 + 20, 9_895, 1_200));
    expect(h.typesOf(stop.clientOrderId), 'then the fills, as reports').toEqual([
      'broker-accepted',
      'fill',
      'fill',
    ]);
    expect(h.get(stop.clientOrderId).status, 'the stop took the position out').toBe('filled');
    expect(h.get(stop.clientOrderId).averagePricePaise, '65 @ 98.90 and 65 @ 98.80').toBe(
      Math.round((65 * 9_890 + 65 * 9_880) / 130),
    );
    expect(await h.client.positions(), 'flat again').toEqual([]);
    expect(h.refusals, 'the state machine took every report').toEqual([]);
  });

  it('stop requests with latency: acceptance on arrival, a trailed trigger, a cancel before the trigger; bad stops are refused', async () => {
    const h = setup(10);
    h.client.onMarket(BOOK);
    h.client.onMarket(tick(T0, 10_000, 1_000));
    const stop = h.order('SELL', 65, stopLimit(9_900, 9_850));
    const answer = h.client.submit(stop);
    h.clock.advanceTo(T0 + 10);
    h.client.advanceTo(T0 + 10);
    await answer;
    expect(h.reports.map((r) => [r.event.type, r.event.atMs])).toEqual([['broker-accepted', T0 + 10]]);

    const trail = { triggerPricePaise: paise(9_950), limitPricePaise: paise(9_900) };
    h.apply(stop.clientOrderId, { type: 'modify-sent', atMs: h.clock.now(), changes: trail });
    const modified = h.client.modify(h.get(stop.clientOrderId), trail);
    h.clock.advanceTo(T0 + 20);
    h.client.advanceTo(T0 + 20);
    await modified;
    expect(h.get(stop.clientOrderId).pricing, 'the manager holds the trailed prices').toEqual({
      type: 'STOPLOSS_LIMIT',
      triggerPricePaise: 9_950,
      limitPricePaise: 9_900,
    });
    expect((await h.client.findOrder(stop.clientOrderId)).report, 'and so does the venue').toMatchObject({
      status: 'open',
      pricing: { triggerPricePaise: 9_950, limitPricePaise: 9_900 },
    });

    h.apply(stop.clientOrderId, {
      type: 'cancel-sent',
      atMs: h.clock.now(),
      reason: 'bracket target filled',
    });
    const cancelled = h.client.cancel(h.get(stop.clientOrderId));
    h.clock.advanceTo(T0 + 30);
    h.client.advanceTo(T0 + 30);
    await cancelled;
    h.client.onMarket(tick(T0 + 40, 9_800, 5_000));
    expect(h.typesOf(stop.clientOrderId), 'no fill after the cancel').toEqual([
      'broker-accepted',
      'modify-accepted',
      'cancelled',
    ]);
    expect(h.get(stop.clientOrderId).status).toBe('cancelled');
    expect(h.refusals).toEqual([]);

    const inverted = h.order('SELL', 65, stopLimit(9_700, 9_750));
    const refusedInverted = refusalOf(h.client.submit(inverted));
    h.clock.advanceTo(T0 + 50);
    h.client.advanceTo(T0 + 50);
    const error = await refusedInverted;
    expect(error.code).toBe('IF_ERR_EXECUTION_REFUSED');
    expect(error.params.refused, 'the manager marks it rejected').toBe(true);
    expect(error.params.detail).toBe(PAPER_REASON.sellStopLimitAboveTrigger);

    const slm = h.order('SELL', 65, { type: 'STOPLOSS_MARKET', triggerPricePaise: paise(9_700) });
    const refusedSlm = refusalOf(h.client.submit(slm));
    h.clock.advanceTo(T0 + 60);
    h.client.advanceTo(T0 + 60);
    expect((await refusedSlm).params.detail, 'algos send no market orders').toBe(
      PAPER_REASON.unsupportedType,
    );
    expect(h.typesOf(inverted.clientOrderId), 'refusals are answers, not reports').toEqual([]);
  });

  it('an IOC remainder is reported cancelled; a sell is a negative position; a repeated tag is not a refusal', async () => {
    const h = setup();
    h.client.onMarket(BOOK);
    const ioc = h.order('SELL', 260, limit(10_000), 'IOC');
    await h.client.submit(ioc);
    expect(h.typesOf(ioc.clientOrderId)).toEqual(['broker-accepted', 'fill', 'cancelled']);
    expect(h.get(ioc.clientOrderId).status, 'cancelled with 195 filled').toBe('cancelled');
    expect(await h.client.positions()).toEqual([{ instrument: 'NFO:43215', quantity: -195 }]);

    const again = await refusalOf(h.client.submit(ioc));
    expect(again.code).toBe('IF_ERR_EXECUTION_DUPLICATE');
    expect(again.params.refused, 'the first send is live: reconcile').toBeUndefined();
  });
});
