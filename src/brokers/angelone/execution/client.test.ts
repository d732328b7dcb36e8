import { afterEach, describe, expect, it } from 'vitest';
import {
  Cleanup,
  FAST_FEED,
  loggedInRest,
  nearOptions,
  SESSION_START_MS,
  waitFor,
  watchProcessErrors,
} from '../../../../test/support/simHarness.js';
import type { Instrument } from '../../../core/instrument.js';
import { IfError } from '../../../core/errors.js';
import { paise } from '../../../core/money.js';
import { LiveClock, ScaledClock } from '../../../engine/clocks.js';
import {
  type ClientOrderId,
  type ClientOrderIdSequence,
  createOrder,
  nextClientOrderId,
  type Order,
  type OrderEvent,
  type OrderPricing,
  type OrderRefusal,
  orderId,
  startClientOrderIds,
  transition,
} from '../../../execution/orders/index.js';
import type { ExecutionReport } from '../../../execution/ports.js';
import type { AngelRestClient, AngelRestClientOptions } from '../rest/index.js';
import { AngelOrderUpdatesClient } from '../orderupdates/index.js';
import type { RunningSimulator } from '../../../sim/simulator.js';
import { startSimulator } from '../../../sim/simulator.js';
import { AngelExecutionClient } from './index.js';

/**
 * AngelExecutionClient against the real simulator: the real REST client places orders, the real
 * order-status socket client brings updates back, and every report is applied to the real order state
 * machine the way the order manager will, so a report the machine would refuse fails the test.
 *
 * The simulator's clock runs 30× wall time (rate-limit waits pass quickly), and its market moves only
 * when a test calls `sim.step()`, so a book read before an order is the book the order meets.
 */

const SPEED = 30;

let cleanup = new Cleanup();
let processErrors: unknown[] = [];

afterEach(async () => {
  const errors = processErrors;
  await cleanup.run();
  cleanup = new Cleanup();
  expect(errors, 'no unhandled rejection or uncaught exception escaped the clients').toEqual([]);
});

/** Applies reports to orders with the real state machine, as the order manager does. */
class Books {
  readonly orders = new Map<ClientOrderId, Order>();
  readonly reports: ExecutionReport[] = [];
  readonly refusals: OrderRefusal[] = [];

  apply(clientOrderId: ClientOrderId, event: OrderEvent): void {
    const order = this.orders.get(clientOrderId);
    if (order === undefined) throw new Error(`no order ${clientOrderId}`);
    const result = transition(order, event);
    if (result.ok) this.orders.set(clientOrderId, result.order);
    else this.refusals.push(result.refusal);
  }

  get(clientOrderId: ClientOrderId): Order {
    const order = this.orders.get(clientOrderId);
    if (order === undefined) throw new Error(`no order ${clientOrderId}`);
    return order;
  }

  typesOf(clientOrderId: ClientOrderId): string[] {
    return this.reports.filter((r) => r.clientOrderId === clientOrderId).map((r) => r.event.type);
  }

  fillsOf(clientOrderId: ClientOrderId): Array<Extract<OrderEvent, { type: 'fill' }>> {
    return this.reports.flatMap((r) =>
      r.clientOrderId === clientOrderId && r.event.type === 'fill' ? [r.event] : [],
    );
  }
}

interface Harness {
  sim: RunningSimulator;
  clock: ScaledClock;
  rest: AngelRestClient;
  updates: AngelOrderUpdatesClient;
  exec: AngelExecutionClient;
  books: Books;
  /** a submitted order (the state machine has taken `submit-sent`) for `instrument` */
  order(
    instrument: Instrument,
    side: 'BUY' | 'SELL',
    quantity: number,
    pricing: OrderPricing,
    timeInForce?: 'DAY' | 'IOC',
  ): Order;
}

async function harness(
  options: { rest?: Partial<AngelRestClientOptions>; reconnectAfterMs?: number } = {},
): Promise<Harness> {
  processErrors = watchProcessErrors(cleanup);
  const clock = new ScaledClock(SESSION_START_MS, SPEED);
  const sim = await startSimulator({ clock, host: '127.0.0.1', port: 0 });
  cleanup.add(() => sim.close());
  const rest = await loggedInRest(sim, clock, options.rest);
  const updates = new AngelOrderUpdatesClient({
    url: sim.orderFeedUrl,
    credentials: () => ({ jwtToken: rest.session()?.jwtToken ?? '' }),
    clock: new LiveClock(),
    // Stepping the whole market blocks the event loop for a while; a socket declared stale then would
    // reconnect and lose the updates sent meanwhile (as Angel's would), which is not what these tests test.
    pingIntervalMs: 1000,
    staleAfterMs: 10_000,
    backoff:
      options.reconnectAfterMs === undefined
        ? FAST_FEED.backoff
        : { initialMs: options.reconnectAfterMs, maxMs: options.reconnectAfterMs, jitter: 0 },
  });
  cleanup.add(() => updates.close());
  const exec = new AngelExecutionClient({
    rest,
    orderUpdates: updates,
    clock,
    tradeBookRetryDelayMs: 300,
  });
  cleanup.add(() => exec.close());
  const books = new Books();
  exec.onReport((report) => {
    books.reports.push(report);
    books.apply(report.clientOrderId, report.event);
  });
  let ids: ClientOrderIdSequence = startClientOrderIds('T', clock.now());
  let seq = 0;
  const order: Harness['order'] = (instrument, side, quantity, pricing, timeInForce = 'DAY') => {
    const next = nextClientOrderId(ids);
    ids = next.next;
    seq += 1;
    const created = createOrder(
      {
        instrument: {
          token: instrument.token,
          symbol: instrument.symbol,
          exchange: instrument.exchange,
          underlying: instrument.name,
          kind: instrument.kind,
          lotSize: instrument.lotSize,
          tickSizePaise: instrument.tickSizePaise,
        },
        side,
        quantity,
        pricing,
        timeInForce,
        product: 'CARRYFORWARD',
      },
      { orderId: orderId(`o-${seq}`), clientOrderId: next.id },
      clock.now(),
    );
    if (!created.ok) throw new Error(created.refusal.message);
    const sent = transition(created.order, { type: 'submit-sent', atMs: clock.now() });
    if (!sent.ok) throw new Error(sent.refusal.message);
    books.orders.set(next.id, sent.order);
    return sent.order;
  };
  updates.start();
  await waitFor(() => exec.isConnected(), 'the order-status socket to open');
  return { sim, clock, rest, updates, exec, books, order };
}

function limit(pricePaise: number): OrderPricing {
  return { type: 'LIMIT', limitPricePaise: paise(pricePaise) };
}

interface Level {
  price: number;
  quantity: number;
}

/** A copy of the instrument's book now (the model rewrites its level objects in place as it moves). */
function book(sim: RunningSimulator, instrument: Instrument) {
  const state = sim.market.state(instrument.token);
  if (state === undefined) throw new Error(`no state for ${instrument.symbol}`);
  const copy = (levels: readonly Level[]): Level[] =>
    levels.map(({ price, quantity }) => ({ price, quantity }));
  // the matching engine walks the 20-level depth when the model fills it
  const asks = copy(state.asks20.length > 0 ? state.asks20 : state.asks);
  const bestBid = copy(state.bids)[0];
  const bestAsk = asks[0];
  if (bestBid === undefined || bestAsk === undefined)
    throw new Error(`no two-sided book for ${instrument.symbol}`);
  return { upperCircuit: state.upperCircuit, asks, bestBid, bestAsk };
}

async function refusalOf(promise: Promise<unknown>): Promise<IfError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IfError) return error;
    throw new Error(`expected an IfError, got ${String(error)}`);
  }
  throw new Error('expected the call to fail, it succeeded');
}

function tagged(sim: RunningSimulator, tag: string): number {
  return sim.orders.orderBook(sim.account.clientCode).filter((row) => row.ordertag === tag).length;
}

describe('AngelExecutionClient against the simulator: fills', () => {
  it('a marketable limit fills at once: acknowledged, filled with the trade-book id, in the position, found by tag', async () => {
    const h = await harness();
    const option = nearOptions(h.sim, 'NIFTY', 1)[0];
    if (option === undefined) throw new Error('no option');
    const { bestAsk } = book(h.sim, option);
    const order = h.order(option, 'BUY', option.lotSize, limit(bestAsk.price));

    const { brokerOrderId } = await h.exec.submit(order);
    await waitFor(() => h.books.get(order.clientOrderId).status === 'filled', 'the order to be filled');
    await h.exec.idle();

    expect(h.books.typesOf(order.clientOrderId), 'acknowledged first, then the fill').toEqual([
      'broker-accepted',
      'fill',
    ]);
    expect(h.books.refusals, 'the state machine took every report').toEqual([]);
    const [fill] = h.books.fillsOf(order.clientOrderId);
    expect(fill?.brokerOrderId, 'the socket id is the REST id').toBe(brokerOrderId);
    expect(fill?.pricePaise, 'filled at the best ask').toBe(bestAsk.price);
    expect(fill?.quantity, 'the whole lot').toBe(option.lotSize);

    const found = await h.exec.findOrder(order.clientOrderId);
    expect(found.report, 'the book says filled').toMatchObject({
      found: true,
      brokerOrderId,
      status: 'filled',
      quantity: option.lotSize,
      filledQuantity: option.lotSize,
      pricing: { type: 'LIMIT', limitPricePaise: bestAsk.price },
    });
    expect(
      found.fills.map((f) => f.fillId),
      'reconciliation sees the same trade ids the socket path reported (no double count)',
    ).toEqual([fill?.fillId]);
    expect(found.clientOrderId, 'our tag comes back').toBe(order.clientOrderId);

    const positions = await h.exec.positions();
    expect(positions, 'one long lot, keyed EXCHANGE:token').toEqual([
      { instrument: `NFO:${option.token}`, quantity: option.lotSize },
    ]);
    const all = await h.exec.orders();
    expect(
      all.map((o) => o.clientOrderId),
      'orders() lists our tagged order',
    ).toEqual([order.clientOrderId]);
  });

  it('partial fills: a limit through two ask levels is two trades reported separately, the rest rests, then cancel', async () => {
    const h = await harness();
    // The cheapest two-level take among the near options keeps the order inside the account's margin.
    const candidates = nearOptions(h.sim, 'NIFTY', 12).map((option) => {
      const { asks } = book(h.sim, option);
      const [a0, a1] = asks;
      const quantity = (a0?.quantity ?? 0) + (a1?.quantity ?? 0) + option.lotSize;
      return { option, a0, a1, quantity, cost: quantity * (a1?.price ?? Number.POSITIVE_INFINITY) };
    });
    candidates.sort((a, b) => a.cost - b.cost);
    const pick = candidates[0];
    if (pick?.a0 === undefined || pick.a1 === undefined) throw new Error('no two-level book');
    const { option, a0, a1, quantity } = pick;
    const order = h.order(option, 'BUY', quantity, limit(a1.price));

    await h.exec.submit(order);
    await waitFor(
      () => h.books.get(order.clientOrderId).filledQuantity === a0.quantity + a1.quantity,
      'both levels to be reported filled',
    );
    const fills = h.books.fillsOf(order.clientOrderId);
    expect(
      fills.map((f) => [f.quantity, f.pricePaise]),
      'one fill per level at its own price: one socket update, two real trades',
    ).toEqual([
      [a0.quantity, a0.price],
      [a1.quantity, a1.price],
    ]);
    expect(new Set(fills.map((f) => f.fillId)).size, 'distinct trade ids').toBe(2);
    expect(h.books.get(order.clientOrderId).status, 'the rest still works').toBe('partially-filled');

    // The order manager applies cancel-sent, then asks the venue.
    h.books.apply(order.clientOrderId, { type: 'cancel-sent', atMs: h.clock.now(), reason: 'test' });
    await h.exec.cancel(h.books.get(order.clientOrderId));
    await waitFor(() => h.books.get(order.clientOrderId).status === 'cancelled', 'the cancel to be reported');
    expect(h.books.typesOf(order.clientOrderId), 'the socket order: ack, two fills, cancelled').toEqual([
      'broker-accepted',
      'fill',
      'fill',
      'cancelled',
    ]);
    expect(h.books.refusals, 'the state machine took every report').toEqual([]);

    const found = await h.exec.findOrder(order.clientOrderId);
    expect(found.report, 'cancelled with its fills').toMatchObject({
      status: 'cancelled',
      quantity,
      filledQuantity: a0.quantity + a1.quantity,
    });
    expect(
      found.fills.map((f) => f.fillId),
      'the same two trades',
    ).toEqual(fills.map((f) => f.fillId));
  });

  it('resting limits are acknowledged, then one fills when the market trades through it; the rest are cancelled', async () => {
    const h = await harness();
    // A buy at the best bid and a sell at the best ask of a call and of its put: whichever way prices
    // move by a tick, one of them is traded through.
    const call = nearOptions(h.sim, 'NIFTY', 1)[0];
    const put = h.sim.market.instruments.find(
      (i) =>
        i.kind === 'option' &&
        i.name === 'NIFTY' &&
        i.expiry === call?.expiry &&
        i.strikePaise === call?.strikePaise &&
        i.optionType !== call?.optionType,
    );
    if (call === undefined || put === undefined) throw new Error('no call/put pair');
    const orders = [call, put].flatMap((option) => {
      const { bestBid, bestAsk } = book(h.sim, option);
      return [
        h.order(option, 'BUY', option.lotSize, limit(bestBid.price)),
        h.order(option, 'SELL', option.lotSize, limit(bestAsk.price)),
      ];
    });
    for (const order of orders) await h.exec.submit(order);
    await waitFor(
      () => orders.every((o) => h.books.get(o.clientOrderId).status === 'accepted'),
      'every order to rest',
    );
    await h.exec.idle();
    for (const o of orders) {
      expect(h.books.typesOf(o.clientOrderId), 'resting: only acknowledged').toEqual(['broker-accepted']);
    }

    // Move the market (each step covers the simulated time since the last) until one is filled.
    const filled = () => orders.find((o) => h.books.get(o.clientOrderId).status === 'filled');
    const deadline = Date.now() + 15_000;
    while (filled() === undefined && Date.now() < deadline) {
      h.sim.step();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const winner = filled();
    expect(winner, 'the market traded through one of the resting orders').toBeDefined();
    if (winner === undefined) return;
    const [fill] = h.books.fillsOf(winner.clientOrderId);
    const limitPrice = winner.pricing.type === 'LIMIT' ? winner.pricing.limitPricePaise : 0;
    if (winner.side === 'BUY') {
      expect(fill?.pricePaise, 'a resting buy fills at its limit or better').toBeLessThanOrEqual(limitPrice);
    } else {
      expect(fill?.pricePaise, 'a resting sell fills at its limit or better').toBeGreaterThanOrEqual(
        limitPrice,
      );
    }
    expect(h.books.typesOf(winner.clientOrderId), 'acknowledged, later filled').toEqual([
      'broker-accepted',
      'fill',
    ]);

    for (const other of orders) {
      if (h.books.get(other.clientOrderId).status === 'filled') continue;
      h.books.apply(other.clientOrderId, { type: 'cancel-sent', atMs: h.clock.now(), reason: 'test' });
      try {
        await h.exec.cancel(h.books.get(other.clientOrderId));
      } catch (error) {
        // A later step may have filled it too, its fill report still on the way: Angel refuses the
        // cancel, which the manager applies as cancel-rejected.
        expect(error instanceof IfError && error.params.refused, 'a late cancel is a refusal').toBe(true);
        h.books.apply(other.clientOrderId, {
          type: 'cancel-rejected',
          atMs: h.clock.now(),
          reason: error instanceof Error ? error.message : 'refused',
        });
      }
    }
    await waitFor(
      () => orders.every((o) => ['cancelled', 'filled'].includes(h.books.get(o.clientOrderId).status)),
      'every order to end cancelled or filled',
    );
    expect(
      h.books.refusals.filter((r) => r.alert),
      'no report the state machine would alert on (a repeated answer to a race is fine)',
    ).toEqual([]);
  });

  it('modify: a resting order re-priced through the ask is modify-accepted, then filled', async () => {
    const h = await harness();
    const option = nearOptions(h.sim, 'NIFTY', 1)[0];
    if (option === undefined) throw new Error('no option');
    const { bestBid } = book(h.sim, option);
    const tick = option.tickSizePaise;
    const order = h.order(option, 'BUY', option.lotSize, limit(bestBid.price - 10 * tick));
    await h.exec.submit(order);
    await waitFor(() => h.books.get(order.clientOrderId).status === 'accepted', 'the order to rest');

    const change = { limitPricePaise: paise(book(h.sim, option).bestAsk.price) };
    h.books.apply(order.clientOrderId, { type: 'modify-sent', atMs: h.clock.now(), changes: change });
    await h.exec.modify(h.books.get(order.clientOrderId), change);
    await waitFor(() => h.books.get(order.clientOrderId).status === 'filled', 'the re-priced order to fill');

    expect(h.books.typesOf(order.clientOrderId), 'ack, modified, then the fill').toEqual([
      'broker-accepted',
      'modify-accepted',
      'fill',
    ]);
    expect(h.books.refusals, 'the state machine took every report').toEqual([]);
    const final = h.books.get(order.clientOrderId);
    expect(final.pricing, 'the new limit is the order’s').toEqual({ type: 'LIMIT', ...change });
  });
  it('a stop-loss limit goes as variety STOPLOSS, waits as trigger pending (acknowledged) and cancels', async () => {
    const h = await harness();
    const option = nearOptions(h.sim, 'NIFTY', 1)[0];
    if (option === undefined) throw new Error('no option');
    const tick = option.tickSizePaise;
    const trigger = book(h.sim, option).bestAsk.price + 20 * tick;
    const order = h.order(option, 'BUY', option.lotSize, {
      type: 'STOPLOSS_LIMIT',
      triggerPricePaise: paise(trigger),
      limitPricePaise: paise(trigger + 2 * tick),
    });
    await h.exec.submit(order);
    await waitFor(
      () => h.books.get(order.clientOrderId).status === 'accepted',
      'the stop to be acknowledged',
    );
    const row = h.sim.orders
      .orderBook(h.sim.account.clientCode)
      .find((r) => r.ordertag === order.clientOrderId);
    expect([row?.variety, row?.status], 'a waiting stop at the venue').toEqual([
      'STOPLOSS',
      'trigger pending',
    ]);
    expect((await h.exec.findOrder(order.clientOrderId)).report, 'trigger pending is open').toMatchObject({
      status: 'open',
      pricing: { type: 'STOPLOSS_LIMIT', triggerPricePaise: trigger, limitPricePaise: trigger + 2 * tick },
    });

    h.books.apply(order.clientOrderId, { type: 'cancel-sent', atMs: h.clock.now(), reason: 'test' });
    await h.exec.cancel(h.books.get(order.clientOrderId));
    await waitFor(() => h.books.get(order.clientOrderId).status === 'cancelled', 'the cancel report');
    expect(h.books.typesOf(order.clientOrderId)).toEqual(['broker-accepted', 'cancelled']);
    expect(h.books.refusals).toEqual([]);
  });
});

describe('AngelExecutionClient against the simulator: refusals and lookups', () => {
  it('a price above the upper circuit is taken by REST, then rejected on the socket with the reason; findOrder reports it', async () => {
    const h = await harness();
    const option = nearOptions(h.sim, 'NIFTY', 1)[0];
    if (option === undefined) throw new Error('no option');
    const above = book(h.sim, option).upperCircuit + option.tickSizePaise;
    const order = h.order(option, 'BUY', option.lotSize, limit(above));

    const { brokerOrderId } = await h.exec.submit(order);
    await waitFor(() => h.books.get(order.clientOrderId).status === 'rejected', 'the exchange rejection');
    expect(h.books.typesOf(order.clientOrderId), 'rejected, never acknowledged').toEqual(['rejected']);
    const rejected = h.books.reports.find((r) => r.clientOrderId === order.clientOrderId)?.event;
    expect(rejected?.type === 'rejected' && rejected.reason, 'the exchange reason text').toMatch(
      /price band/,
    );
    expect(rejected?.type === 'rejected' && rejected.source, 'the broker rejected it').toBe('broker');

    const found = await h.exec.findOrder(order.clientOrderId);
    expect(found.report, 'found, rejected, with the reason').toMatchObject({
      found: true,
      brokerOrderId,
      status: 'rejected',
      filledQuantity: 0,
      reason: expect.stringMatching(/price band/),
    });
    expect(found.fills, 'no fills').toEqual([]);
  });

  it('a quantity that is not a lot multiple is refused by Angel (refused: true, AB2000) and no order exists', async () => {
    const h = await harness();
    const option = nearOptions(h.sim, 'NIFTY', 1)[0];
    if (option === undefined) throw new Error('no option');
    const order = h.order(option, 'BUY', option.lotSize + 1, limit(book(h.sim, option).bestBid.price));
    const error = await refusalOf(h.exec.submit(order));
    expect(error.code, 'the broker code maps to a rejection').toBe('IF_ERR_BROKER_REJECTED');
    expect(error.params.refused, 'a refusal: the order manager marks it rejected').toBe(true);
    expect(error.params.brokerCode, "Angel's code is kept").toBe('AB2000');
    expect(error.params.clientOrderId, 'names the order').toBe(order.clientOrderId);
    expect(tagged(h.sim, order.clientOrderId), 'nothing was placed').toBe(0);
    const found = await h.exec.findOrder(order.clientOrderId);
    expect(found, 'a tag never placed is not found').toEqual({
      clientOrderId: order.clientOrderId,
      report: { found: false },
      fills: [],
    });
  });

  it('MARKET, STOPLOSS_MARKET and IOC are refused locally before any request; a second submit of one tag is not a refusal', async () => {
    const h = await harness();
    const option = nearOptions(h.sim, 'NIFTY', 1)[0];
    if (option === undefined) throw new Error('no option');
    const bid = book(h.sim, option).bestBid.price;
    const market = h.order(option, 'BUY', option.lotSize, { type: 'MARKET' });
    const slm = h.order(option, 'SELL', option.lotSize, {
      type: 'STOPLOSS_MARKET',
      triggerPricePaise: paise(bid - 100),
    });
    const ioc = h.order(option, 'BUY', option.lotSize, limit(bid), 'IOC');
    for (const order of [market, slm, ioc]) {
      const error = await refusalOf(h.exec.submit(order));
      expect(error.code, `${order.pricing.type}/${order.timeInForce} refused locally`).toBe(
        'IF_ERR_EXECUTION_UNSUPPORTED',
      );
      expect(error.params.refused, 'a refusal').toBe(true);
      expect(error.params.source, 'by us, not the venue').toBe('local');
      expect(tagged(h.sim, order.clientOrderId), 'no request reached the venue').toBe(0);
    }

    const resting = h.order(option, 'BUY', option.lotSize, limit(bid - 10 * option.tickSizePaise));
    await h.exec.submit(resting);
    const again = await refusalOf(h.exec.submit(resting));
    expect(again.code, 'a repeated tag is caught').toBe('IF_ERR_EXECUTION_DUPLICATE');
    expect(again.params.refused, 'not a refusal: the first send is live, reconcile it').toBeUndefined();
    expect(tagged(h.sim, resting.clientOrderId), 'one order for the tag').toBe(1);
  });

  it('a placeOrder that times out is an unknown outcome (no refused); findOrder by tag settles it', async () => {
    const h = await harness({ rest: { timeoutMs: 1000 } });
    const option = nearOptions(h.sim, 'NIFTY', 1)[0];
    if (option === undefined) throw new Error('no option');
    // An answer slower than the client's deadline: whether the order exists is unknown to the client.
    h.sim.restFaults.setDelay(2500, 'order/v1/placeOrder');
    const order = h.order(option, 'BUY', option.lotSize, limit(book(h.sim, option).bestBid.price));
    const error = await refusalOf(h.exec.submit(order));
    expect(error.code, 'a timeout').toBe('IF_ERR_BROKER_TIMEOUT');
    expect(error.params.refused, 'not a refusal: the order may exist').toBeUndefined();
    h.sim.restFaults.clearDelays();
    // past the server's delay, whatever it did with the request is in its book
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const found = await h.exec.findOrder(order.clientOrderId);
    expect(found.report.found, 'reconciliation by tag sees what the venue holds').toBe(
      tagged(h.sim, order.clientOrderId) === 1,
    );
  });

  it('an order that fills while the socket is down is reported after the reconnect, from the order book', async () => {
    const h = await harness({ reconnectAfterMs: 1500 });
    const option = nearOptions(h.sim, 'NIFTY', 1)[0];
    if (option === undefined) throw new Error('no option');
    h.sim.orderFeed.faults.dropConnections();
    await waitFor(() => !h.exec.isConnected(), 'the socket to be down');
    const order = h.order(option, 'BUY', option.lotSize, limit(book(h.sim, option).bestAsk.price));
    const { brokerOrderId } = await h.exec.submit(order);
    expect(h.sim.orderFeed.connectionCount(), 'filled with no socket to tell').toBe(0);
    expect(h.books.reports, 'nothing reported while down').toEqual([]);

    await waitFor(() => h.books.get(order.clientOrderId).status === 'filled', 'the catch-up after reconnect');
    expect(h.exec.stats().catchUps, 'one order-book read after the reconnect').toBe(1);
    expect(h.books.typesOf(order.clientOrderId), 'the missed acknowledgement and fill').toEqual([
      'broker-accepted',
      'fill',
    ]);
    expect(h.books.fillsOf(order.clientOrderId)[0]?.brokerOrderId).toBe(brokerOrderId);
    expect(h.books.refusals).toEqual([]);
  });

  it('updates about orders without our tag are ignored and counted; a closed socket reads as disconnected', async () => {
    const h = await harness();
    const option = nearOptions(h.sim, 'NIFTY', 1)[0];
    if (option === undefined) throw new Error('no option');
    await h.rest.placeOrder({
      variety: 'NORMAL',
      tradingSymbol: option.symbol,
      symbolToken: option.token,
      transactionType: 'BUY',
      exchange: 'NFO',
      orderType: 'LIMIT',
      productType: 'CARRYFORWARD',
      duration: 'DAY',
      quantity: option.lotSize,
      price: book(h.sim, option).bestBid.price,
      orderTag: 'manual-1',
    });
    await waitFor(() => h.exec.stats().ignoredUntagged >= 2, 'open pending and open to be ignored');
    await h.exec.idle();
    expect(h.books.reports, 'no report for a foreign order').toEqual([]);
    expect(await h.exec.orders(), 'orders() lists only our tags').toEqual([]);

    await h.updates.close();
    expect(h.exec.isConnected(), 'no socket, no event stream').toBe(false);
  });
});
