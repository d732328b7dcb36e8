import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../core/clock.js';
import { isIfError } from '../../core/errors.js';
import { paise } from '../../core/money.js';
import type { RiskEvent } from '../../risk/index.js';
import { chargesForOrder } from '../charges/index.js';
import type { Order, OrderId } from '../orders/index.js';
import type { ManagerEvent, ManagerRiskEvent } from './types.js';
import {
  ADMIN,
  buy,
  crashAndRestart,
  harness,
  NIFTY_CE,
  sell,
  settle,
  T0,
  TEST_LIMITS,
  TRADER,
  VIEWER,
} from './testkit.js';

function riskEvents(events: readonly ManagerEvent[]): (RiskEvent | ManagerRiskEvent)[] {
  return events.flatMap((e) => (e.type === 'risk' ? [e.event] : []));
}

function status(h: { manager: { orders: (q: { open: true }) => Promise<Order[]> } }, id: OrderId) {
  return h.manager.orders({ open: true }).then((list) => list.find((o) => o.orderId === id)?.status);
}

async function detail(h: Awaited<ReturnType<typeof harness>>, id: OrderId): Promise<Order> {
  const d = await h.manager.order(id);
  if (d === undefined) throw new Error(`order ${id} not found`);
  return d.order;
}

describe('OrderManager placing', () => {
  it('writes the order (new, then submitted) to the store before the venue call', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    const seen: { status: string | undefined; causes: string[][] }[] = [];
    h.client.beforeSubmit = (order) => {
      seen.push({
        status: h.store.stored(order.clientOrderId)?.status,
        causes: h.store.log.filter((l) => l.clientOrderId === order.clientOrderId).map((l) => l.causes),
      });
    };
    const result = await h.manager.place(buy(), TRADER);
    expect(seen, 'submit was called once').toHaveLength(1);
    expect(seen[0]?.causes, 'the intent (new) was stored first, then submit-sent').toEqual([
      ['created'],
      ['submit-sent'],
    ]);
    expect(seen[0]?.status, 'the store held the order as submitted when the call left').toBe('submitted');
    expect(result.order.status, 'the venue accepted it').toBe('accepted');
    await settle();
    const stored = h.store.stored(result.order.clientOrderId);
    expect(stored?.status, 'the acceptance is stored too').toBe('accepted');
    expect(h.store.metaOf(result.order.orderId), 'meta goes to the store').toEqual({
      route: 'paper',
      strategy: 'test',
    });
  });

  it('sends nothing when the intent cannot be written, and says so', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    h.store.gate = () => 'fail';
    const result = await h.manager.place(buy(), TRADER);
    expect(result.order.status).toBe('rejected');
    expect(
      h.client.calls.filter((c) => c.op === 'submit'),
      'no venue call without a stored intent',
    ).toEqual([]);
    h.store.gate = undefined;
    await h.manager.reconcile();
    expect(
      h.store.stored(result.order.clientOrderId)?.status,
      'the rows are written once the store is back',
    ).toBe('rejected');
  });

  it('recovers an order whose process died between the intent write and the venue call', async () => {
    const first = await harness({ clock: new SimulatedClock(T0) });
    // the `submitted` write never completes: the process dies with only the intent stored
    first.store.gate = (order) => (order.status === 'submitted' ? 'hold' : 'write');
    void first.manager.place(buy(), TRADER);
    await settle();
    const intent = first.store.log.at(-1);
    expect(intent?.status, 'only the intent is stored').toBe('new');
    const id = intent?.clientOrderId ?? '';
    const second = await crashAndRestart(first);
    await settle();
    expect(second.store.stored(id)?.status, 'reconciled: never sent, so closed').toBe('rejected');
    expect(second.venue.submitCalls.get(id) ?? 0, 'the venue never saw it').toBe(0);
    expect(second.manager.state().status).toBe('reconciled');
    const next = await second.manager.place(buy(), TRADER);
    expect(next.order.clientOrderId > id, 'the restarted counter continues past every stored id').toBe(true);
  });

  it('treats a client that throws before sending as an unknown outcome and settles it by lookup', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    h.client.submitScript.push('throw');
    const result = await h.manager.place(buy(), TRADER);
    await settle();
    const order = await detail(h, result.order.orderId);
    expect(order.status, 'not at the venue, so rejected after the lookup').toBe('rejected');
    expect('reason' in order && order.reason).toBe('not found at the broker');
    expect(h.client.submitsOf(order.clientOrderId), 'never re-sent').toBe(1);
  });

  it('persists a risk denial as a rejected order and publishes the rule with its numbers', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    // ₹120 against a ₹100 reference: beyond the 10% collar
    const result = await h.manager.place(
      buy({ pricing: { type: 'LIMIT', limitPricePaise: paise(12_000) } }),
      TRADER,
    );
    expect(result.order.status).toBe('rejected');
    expect(result.denials.map((d) => d.rule)).toEqual(['price-band']);
    expect(h.client.submitsOf(result.order.clientOrderId), 'a denied order never leaves').toBe(0);
    const audit = h.store.storedAudit(result.order.orderId);
    const rejected = audit.find((row) => row.cause === 'rejected');
    expect(rejected?.details, 'the audit row carries the rule and its numbers').toMatchObject({
      source: 'risk',
      rules: 'price-band',
      'price-band.limitPaise': 12_000,
      'price-band.referencePaise': 10_000,
      'price-band.collarPaise': 11_000,
    });
    const denied = riskEvents(h.events).find((e) => e.type === 'order-denied');
    expect(denied, 'a risk event with the rule and numbers').toMatchObject({
      type: 'order-denied',
      rule: 'price-band',
      values: { limitPaise: 12_000, referencePaise: 10_000, collarPaise: 11_000 },
    });
  });

  it('returns the first order for a repeated idempotency key, never a second one', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    const [a, b] = await Promise.all([
      h.manager.place(buy({ idempotencyKey: 'k1' }), TRADER),
      h.manager.place(buy({ idempotencyKey: 'k1' }), TRADER),
    ]);
    const c = await h.manager.place(buy({ idempotencyKey: 'k1' }), TRADER);
    expect(b.order.orderId).toBe(a.order.orderId);
    expect(c.order.orderId).toBe(a.order.orderId);
    expect([a.duplicate, b.duplicate, c.duplicate]).toEqual([false, true, true]);
    expect(
      h.client.calls.filter((x) => x.op === 'submit'),
      'one venue order',
    ).toHaveLength(1);
  });

  it('converts nothing silently: a market order on a limit-only route becomes a protected limit', async () => {
    const h = await harness({ clock: new SimulatedClock(T0), manager: {} });
    const limitOnly = await harness({
      clock: new SimulatedClock(T0),
      manager: { limits: { ...TEST_LIMITS, limitOnlyRoutes: ['paper'] } },
    });
    const result = await limitOnly.manager.place(buy({ pricing: { type: 'MARKET' } }), TRADER);
    expect(result.order.pricing, 'mid 100.00 + 5% on the tick').toEqual({
      type: 'LIMIT',
      limitPricePaise: 10_500,
    });
    expect(riskEvents(limitOnly.events).some((e) => e.type === 'order-converted')).toBe(true);
    expect(h.manager.state().status).toBe('reconciled');
  });

  it('refuses viewers and unknown instruments before creating anything', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    await expect(h.manager.place(buy(), VIEWER)).rejects.toSatisfy((e) =>
      isIfError(e, 'IF_ERR_RISK_FORBIDDEN'),
    );
    await expect(
      h.manager.place(buy({ instrument: { ...NIFTY_CE, token: '999' } }), TRADER),
    ).rejects.toSatisfy((e) => isIfError(e, 'IF_ERR_INSTRUMENT_UNKNOWN'));
    expect(h.store.log, 'nothing stored').toHaveLength(0);
  });
});

describe('OrderManager lost answers and reconciliation', () => {
  it('settles a lost acknowledgement by lookup: found at the venue, filled, and never sent twice', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    h.client.reportAccepts = false;
    h.client.lookupsFail = true;
    h.client.submitScript.push('lose-answer');
    const result = await h.manager.place(buy(), TRADER);
    expect(result.order.status, 'the answer was lost').toBe('unknown');
    await settle();
    // the venue filled it while our stream was down
    h.client.dropReports = 1;
    h.venue.fill(result.order.clientOrderId);
    const blocked = await h.manager.place(buy(), TRADER);
    expect(
      blocked.denials.map((d) => d.rule),
      'no new order on an instrument with an unknown order',
    ).toEqual(['state-unknown']);
    h.client.lookupsFail = false;
    const summary = await h.manager.reconcile();
    expect(summary.ok, summary.problems.join('; ')).toBe(true);
    const order = await detail(h, result.order.orderId);
    expect(order.status, 'the fill found at the venue was applied').toBe('filled');
    expect(h.client.submitsOf(order.clientOrderId), 'exactly one submit for the client order id').toBe(1);
    expect(h.manager.positions().instruments[0]?.quantity).toBe(65);
  });

  it('marks an order the venue never got as rejected, but only after the lookup says not found', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    h.client.submitScript.push('drop');
    h.client.lookupsFail = true;
    const result = await h.manager.place(buy(), TRADER);
    await settle();
    expect(await status(h, result.order.orderId), 'without a lookup it stays unknown').toBe('unknown');
    h.client.lookupsFail = false;
    await h.manager.reconcile();
    const order = await detail(h, result.order.orderId);
    expect(order.status).toBe('rejected');
    expect('reason' in order && order.reason).toBe('not found at the broker');
    expect(h.client.submitsOf(order.clientOrderId)).toBe(1);
  });

  it('never calls an order missing while its own request may still arrive', async () => {
    const h = await harness({ clock: new SimulatedClock(T0), manager: { requestTimeoutMs: 1_000 } });
    h.client.submitScript.push('hang-drop');
    const placed = h.manager.place(buy(), TRADER);
    await settle();
    h.clock.advanceBy(1_000);
    const result = await placed;
    expect(result.order.status, 'no answer within the timeout').toBe('unknown');
    await settle();
    await h.manager.reconcile();
    expect(await status(h, result.order.orderId), 'still unknown, the request is unanswered').toBe('unknown');
    // after a restart the request is gone with the old process: now "not found" is final
    const next = await crashAndRestart(h);
    await settle();
    expect(next.store.stored(result.order.clientOrderId)?.status).toBe('rejected');
  });

  it('finds a hung order at the venue after a restart instead of sending it again', async () => {
    const first = await harness({ clock: new SimulatedClock(T0) });
    first.client.submitScript.push('hang');
    void first.manager.place(buy(), TRADER);
    await settle();
    const id = first.store.log.at(-1)?.clientOrderId ?? '';
    first.client.dropReports = 10; // the old process hears nothing
    const second = await crashAndRestart(first);
    await settle();
    expect(second.store.stored(id)?.status, 'accepted, from the venue').toBe('accepted');
    expect(second.venue.submitCalls.get(id), 'one venue order for the id').toBe(1);
    expect(second.client.submitsOf(id), 'the new process sent nothing').toBe(0);
  });

  it('books a fill the stream missed on an order it then saw cancelled (late-fill sweep)', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    const result = await h.manager.place(buy({ quantity: 130 }), TRADER);
    await settle();
    h.client.dropReports = 1; // the fill report is lost
    h.venue.fill(result.order.clientOrderId, 65);
    h.venue.cancel(result.order.clientOrderId); // the cancel report arrives
    await settle();
    expect((await detail(h, result.order.orderId)).status).toBe('cancelled');
    expect(h.manager.positions().instruments, 'the fill is not known yet').toEqual([]);
    const summary = await h.manager.reconcile();
    expect(summary.ok, summary.problems.join('; ')).toBe(true);
    expect(summary.appliedFills).toBe(1);
    expect(h.manager.positions().instruments[0]?.quantity, 'the venue fill is in the positions').toBe(65);
  });

  it('stays unreconciled while positions differ, and on a venue order the store never saw', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    const result = await h.manager.place(buy(), TRADER);
    await settle();
    // someone traded the account by hand: the venue holds a position we have no order for
    const manual = h.venue.accept({ ...result.order, clientOrderId: 'MANUAL1' as never });
    h.venue.fill(manual.clientOrderId, 65);
    const summary = await h.manager.reconcile();
    expect(summary.ok).toBe(false);
    expect(summary.mismatches).toEqual([{ instrument: 'NFO:43215', bookQuantity: 0, brokerQuantity: 65 }]);
    expect(h.manager.state()).toMatchObject({ status: 'unreconciled' });
    const entry = await h.manager.place(buy(), TRADER);
    expect(
      entry.denials.map((d) => d.rule),
      'entries refused while unreconciled',
    ).toContain('state-unknown');

    const clean = await harness({ clock: new SimulatedClock(T0) });
    const placed = await clean.manager.place(buy(), TRADER);
    await settle();
    clean.venue.accept({ ...placed.order, clientOrderId: 'IF2601209999999' as never });
    const bad = await clean.manager.reconcile();
    expect(bad.ok, 'a venue order with our tag that the store never saw breaks I2').toBe(false);
    expect(bad.problems.join(' ')).toContain('IF2601209999999');
  });
});

describe('OrderManager fills, positions and P&L', () => {
  it('books fills net of charges and counts a repeated fill once', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    const entry = await h.manager.place(buy(), TRADER);
    await settle();
    h.venue.fill(entry.order.clientOrderId, 65, 10_000);
    // the same trade reported again (socket and poll)
    const row = h.venue.orders.get(entry.order.clientOrderId);
    const fill = row?.fills[0];
    if (row === undefined || fill === undefined) throw new Error('no fill');
    h.venue.emit(row.clientOrderId, {
      type: 'fill',
      atMs: T0,
      fillId: fill.fillId,
      brokerOrderId: row.brokerOrderId,
      quantity: 65,
      pricePaise: fill.pricePaise,
    });
    expect(h.manager.positions().instruments[0]?.quantity, 'counted once').toBe(65);

    h.market.set(NIFTY_CE.token, 11_000);
    const exit = await h.manager.place(
      sell({ pricing: { type: 'LIMIT', limitPricePaise: paise(11_000) } }),
      TRADER,
    );
    await settle();
    h.venue.fill(exit.order.clientOrderId, 65, 11_000);
    const buyCharges = chargesForOrder([
      { exchange: 'NFO', kind: 'option', side: 'BUY', pricePaise: 10_000, quantity: 65, atMs: T0 },
    ]).total;
    const sellCharges = chargesForOrder([
      { exchange: 'NFO', kind: 'option', side: 'SELL', pricePaise: 11_000, quantity: 65, atMs: T0 },
    ]).total;
    const pnl = h.manager.pnl();
    expect(pnl.realisedPaise, '65 × ₹10').toBe(65_000);
    expect(pnl.chargesPaise).toBe(buyCharges + sellCharges);
    expect(pnl.netPaise, 'net of charges').toBe(65_000 - buyCharges - sellCharges);
    expect(pnl.byStrategy['test']?.netPaise).toBe(pnl.netPaise);
    expect(h.events.some((e) => e.type === 'position')).toBe(true);
    expect(h.events.some((e) => e.type === 'pnl')).toBe(true);
  });

  it('rebuilds positions after a restart from the stored orders, exactly', async () => {
    const first = await harness({ clock: new SimulatedClock(T0) });
    const entry = await first.manager.place(buy({ quantity: 130 }), TRADER);
    await settle();
    first.venue.fill(entry.order.clientOrderId, 65, 10_000);
    first.venue.fill(entry.order.clientOrderId, 65, 10_005);
    await settle();
    const before = first.manager.pnl();
    const second = await crashAndRestart(first);
    await settle();
    expect(second.manager.state().status, 'positions match the venue').toBe('reconciled');
    expect(second.manager.positions().instruments[0]?.quantity).toBe(130);
    expect(second.manager.pnl().chargesPaise, 'same charges from the rebuilt fills').toBe(
      before.chargesPaise,
    );
    expect(second.manager.pnl().netPaise).toBe(before.netPaise);
  });
});

describe('OrderManager fail-closed when unreconciled', () => {
  it('lets only exposure-reducing orders through until reconcile succeeds', async () => {
    const first = await harness({ clock: new SimulatedClock(T0) });
    const entry = await first.manager.place(buy(), TRADER);
    await settle();
    first.venue.fill(entry.order.clientOrderId, 65, 10_000);
    await settle();
    const client = new (first.client.constructor as typeof import('./testkit.js').FakeExecutionClient)(
      first.venue,
    );
    client.lookupsFail = true;
    first.client.detach();
    const second = await crashAndRestart(first, { client });
    expect(second.manager.state().status, 'the venue could not be asked').toBe('unreconciled');
    const more = await second.manager.place(buy(), TRADER);
    expect(more.order.status, 'an entry is refused').toBe('rejected');
    expect(more.denials.map((d) => d.rule)).toContain('state-unknown');
    const exit = await second.manager.place(sell(), TRADER);
    expect(exit.denials, 'an exit of the known position passes').toEqual([]);
    expect(exit.order.status).toBe('accepted');
    client.lookupsFail = false;
    await second.manager.reconcile();
    expect(second.manager.state().status).toBe('reconciled');
  });
});

describe('OrderManager kill switch', () => {
  it('cancels every open order, halts, and lets only an admin resume', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    const placed = [];
    for (let i = 0; i < 3; i += 1) placed.push(await h.manager.place(buy(), TRADER));
    // one more whose acknowledgement is still outstanding (not even on the stream yet)
    h.client.reportAccepts = false;
    h.client.submitScript.push('hang');
    void h.manager.place(buy(), TRADER);
    await settle();
    const trading = await h.manager.kill(TRADER, 'test stop');
    expect(trading.status).toBe('halted');
    await settle();
    const open = await h.manager.orders({ open: true });
    const pending = open.map((o) => o.status);
    expect(pending, 'only the unacknowledged order is still open').toEqual(['submitted']);
    for (const p of placed) expect((await detail(h, p.order.orderId)).status).toBe('cancelled');
    // its acknowledgement arrives via the stream: it is cancelled at once
    const hung = open[0];
    if (hung === undefined) throw new Error('missing');
    const row = h.venue.orders.get(hung.clientOrderId);
    h.venue.emit(hung.clientOrderId, {
      type: 'broker-accepted',
      atMs: T0,
      brokerOrderId: row?.brokerOrderId ?? '',
    });
    await settle();
    expect((await detail(h, hung.orderId)).status, 'cancelled once it could be').toBe('cancelled');

    const refused = await h.manager.place(buy(), TRADER);
    expect(refused.denials.map((d) => d.rule)).toEqual(['trading-halted']);
    await expect(h.manager.resume(TRADER)).rejects.toSatisfy((e) => isIfError(e, 'IF_ERR_RISK_FORBIDDEN'));
    expect(h.manager.risk().trading.status).toBe('halted');
    expect((await h.manager.resume(ADMIN)).status).toBe('active');
  });

  it('halts by itself on a reject storm, a daily loss and a stale feed on a held instrument', async () => {
    const storm = await harness({
      clock: new SimulatedClock(T0),
      manager: { limits: { ...TEST_LIMITS, rejectStorm: { count: 2, windowMs: 10_000 } } },
    });
    storm.client.submitScript.push('refuse', 'refuse');
    await storm.manager.place(buy(), TRADER);
    await storm.manager.place(buy(), TRADER);
    expect(storm.manager.risk().trading).toMatchObject({ status: 'halted', trigger: 'reject-storm' });

    const loss = await harness({ clock: new SimulatedClock(T0) });
    const entry = await loss.manager.place(buy({ quantity: 650 }), TRADER);
    await settle();
    loss.venue.fill(entry.order.clientOrderId, 650, 10_000);
    const open = await loss.manager.place(buy(), TRADER);
    loss.market.set(NIFTY_CE.token, 8_000); // −₹20 × 650 = −₹13,000 > ₹10,000
    loss.manager.observe();
    expect(loss.manager.risk().trading).toMatchObject({ status: 'halted', trigger: 'daily-loss' });
    await settle();
    expect((await detail(loss, open.order.orderId)).status, 'open orders cancelled').toBe('cancelled');

    const stale = await harness({ clock: new SimulatedClock(T0) });
    const held = await stale.manager.place(buy(), TRADER);
    await settle();
    stale.venue.fill(held.order.clientOrderId);
    stale.manager.markStale('99999');
    expect(stale.manager.risk().trading.status, 'a stale instrument we do not hold').toBe('active');
    stale.manager.markStale(NIFTY_CE.token);
    expect(stale.manager.risk().trading).toMatchObject({ status: 'halted', trigger: 'feed-stale' });
  });
});

describe('OrderManager brackets', () => {
  const bracket = {
    stopTriggerPaise: paise(9_000),
    stopLimitPaise: paise(8_550),
    targetPaise: paise(11_000),
  };

  it('places stop and target when the entry fills, and cancels the stop when the target fills', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    const parent = await h.manager.place(buy({ bracket }), TRADER);
    await settle();
    expect(await h.manager.orders({ open: true }), 'nothing but the entry before a fill').toHaveLength(1);
    h.venue.fill(parent.order.clientOrderId, 65, 10_000);
    await settle();
    const children = (await h.manager.orders({ open: true })).filter((o) => o.link !== undefined);
    const stop = children.find((o) => o.link?.role === 'stop');
    const target = children.find((o) => o.link?.role === 'target');
    expect(stop).toMatchObject({
      side: 'SELL',
      quantity: 65,
      status: 'accepted',
      pricing: { type: 'STOPLOSS_LIMIT', triggerPricePaise: 9_000, limitPricePaise: 8_550 },
    });
    expect(target).toMatchObject({
      side: 'SELL',
      quantity: 65,
      status: 'accepted',
      pricing: { type: 'LIMIT', limitPricePaise: 11_000 },
    });
    if (stop === undefined || target === undefined) throw new Error('children missing');
    h.venue.fill(target.clientOrderId, 65, 11_000);
    await settle();
    expect((await detail(h, stop.orderId)).status, 'one cancels the other').toBe('cancelled');
    expect(h.manager.positions().instruments[0]?.quantity, 'flat').toBe(0);
    expect(await h.manager.orders({ open: true })).toHaveLength(0);
  });

  it('sizes the legs to the filled part of the entry as it fills', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    const parent = await h.manager.place(buy({ quantity: 130, bracket }), TRADER);
    await settle();
    h.venue.fill(parent.order.clientOrderId, 65, 10_000);
    await settle();
    let legs = (await h.manager.orders({ open: true })).filter((o) => o.link !== undefined);
    expect(legs.map((o) => o.quantity)).toEqual([65, 65]);
    h.venue.fill(parent.order.clientOrderId, 65, 10_000);
    await settle();
    legs = (await h.manager.orders({ open: true })).filter((o) => o.link !== undefined);
    expect(
      legs.map((o) => [o.quantity, o.status]),
      'both legs resized to the whole entry',
    ).toEqual([
      [130, 'accepted'],
      [130, 'accepted'],
    ]);
  });

  it('protects an entry that filled while the process was down, from the bracket kept in its audit row', async () => {
    const first = await harness({ clock: new SimulatedClock(T0) });
    const parent = await first.manager.place(buy({ bracket }), TRADER);
    await settle();
    first.client.dropReports = 100; // the old process hears nothing more
    first.venue.fill(parent.order.clientOrderId, 65, 10_000);
    const second = await crashAndRestart(first);
    await settle();
    const legs = (await second.manager.orders({ open: true })).filter((o) => o.link !== undefined);
    expect(legs.map((o) => [o.link?.role, o.quantity, o.status]).sort()).toEqual([
      ['stop', 65, 'accepted'],
      ['target', 65, 'accepted'],
    ]);
  });

  it('retries a leg the gate turned away for a passing reason instead of leaving the entry bare', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    const parent = await h.manager.place(buy({ bracket }), TRADER);
    // another order on the same instrument loses its answer and cannot be looked up for now
    h.client.lookupsFail = true;
    h.client.reportAccepts = false;
    h.client.submitScript.push('lose-answer');
    await h.manager.place(buy(), TRADER);
    await settle();
    h.venue.fill(parent.order.clientOrderId, 65, 10_000);
    await settle();
    let legs = (await h.manager.orders({ open: true })).filter((o) => o.link !== undefined);
    expect(legs, 'no leg while the instrument has an unknown order').toEqual([]);
    const alert = riskEvents(h.events).find((e) => e.type === 'alert' && e.message.includes('leg denied'));
    expect(alert, 'the trader is told').toBeDefined();
    h.client.lookupsFail = false;
    for (let i = 0; i < 6; i += 1) {
      h.clock.advanceBy(1_000);
      await settle();
    }
    legs = (await h.manager.orders({ open: true })).filter((o) => o.link !== undefined);
    expect(legs.map((o) => o.link?.role).sort(), 'both legs once the instrument is clear').toEqual([
      'stop',
      'target',
    ]);
  });

  it('does not retry a leg the venue keeps refusing to cancel, and learns the truth by lookup', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    const parent = await h.manager.place(buy({ bracket }), TRADER);
    await settle();
    h.venue.fill(parent.order.clientOrderId, 65, 10_000);
    await settle();
    const legs = (await h.manager.orders({ open: true })).filter((o) => o.link !== undefined);
    const stop = legs.find((o) => o.link?.role === 'stop');
    const target = legs.find((o) => o.link?.role === 'target');
    if (stop === undefined || target === undefined) throw new Error('legs missing');
    // the exchange cancelled the stop and the report was lost; then the target fills
    h.client.dropReports = 1;
    h.venue.cancel(stop.clientOrderId);
    h.venue.fill(target.clientOrderId, 65, 11_000);
    await settle();
    expect(h.client.runaway, 'no cancel loop against a venue that says the order is not open').toBe(false);
    const cancels = h.client.calls.filter((c) => c.op === 'cancel' && c.id === stop.clientOrderId);
    expect(cancels.length, 'one cancel attempt').toBe(1);
    expect((await detail(h, stop.orderId)).status, 'the lookup after the refusal found it cancelled').toBe(
      'cancelled',
    );
  });
});

describe('OrderManager modify and cancel', () => {
  it('modifies a working order through the gate and applies the venue confirmation', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    const placed = await h.manager.place(buy(), TRADER);
    const denied = await h.manager.modify(placed.order.orderId, { limitPricePaise: paise(13_000) }, TRADER);
    expect(
      denied.denials.map((d) => d.rule),
      'a modify is checked like an order',
    ).toEqual(['price-band']);
    expect(
      h.client.calls.some((c) => c.op === 'modify'),
      'a denied change never leaves',
    ).toBe(false);
    const result = await h.manager.modify(
      placed.order.orderId,
      { limitPricePaise: paise(10_100), quantity: 130 },
      TRADER,
    );
    expect(result.denials).toEqual([]);
    await settle();
    const order = await detail(h, placed.order.orderId);
    expect(order).toMatchObject({ status: 'accepted', quantity: 130, pricing: { limitPricePaise: 10_100 } });
    expect(h.store.stored(order.clientOrderId)?.quantity, 'stored').toBe(130);
  });

  it('settles a modification whose answer was lost from the venue book', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    const placed = await h.manager.place(buy(), TRADER);
    h.client.modifyScript.push('lose-answer');
    h.client.dropReports = 1; // and the stream lost the confirmation too
    await h.manager.modify(placed.order.orderId, { quantity: 195 }, TRADER);
    await settle();
    const order = await detail(h, placed.order.orderId);
    expect(order, 'the venue holds 195: the lookup says so').toMatchObject({
      status: 'accepted',
      quantity: 195,
    });
  });

  it('settles a lost modification whose raised quantity the venue then filled', async () => {
    const h = await harness({ clock: new SimulatedClock(T0), manager: { requestTimeoutMs: 1_000 } });
    const placed = await h.manager.place(buy(), TRADER);
    h.client.modifyScript.push('hang');
    h.client.dropReports = 2; // the confirmation and the fill are both lost
    void h.manager.modify(placed.order.orderId, { quantity: 130 }, TRADER);
    await settle();
    h.venue.fill(placed.order.clientOrderId); // all 130
    h.clock.advanceBy(1_000);
    await settle();
    const order = await detail(h, placed.order.orderId);
    expect(order, 'the venue quantity first, then its fills: not an overfill').toMatchObject({
      status: 'filled',
      quantity: 130,
      filledQuantity: 130,
    });
    expect(h.manager.positions().instruments[0]?.quantity).toBe(130);
    expect((await h.manager.reconcile()).ok).toBe(true);
  });

  it('resends a cancel whose answer was lost once the lookup shows the order still open', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    const placed = await h.manager.place(buy(), TRADER);
    h.client.cancelScript.push('drop');
    await h.manager.cancel(placed.order.orderId, TRADER);
    await settle();
    const order = await detail(h, placed.order.orderId);
    expect(order.status).toBe('cancelled');
    expect(h.client.calls.filter((c) => c.op === 'cancel')).toHaveLength(2);
    await expect(h.manager.cancel(placed.order.orderId, TRADER)).rejects.toSatisfy((e) =>
      isIfError(e, 'IF_ERR_ORDER_TRANSITION'),
    );
  });
});

describe('OrderManager restarts and the venue connection', () => {
  it('books a late fill of an order closed by the previous process, arriving on the stream', async () => {
    const first = await harness({ clock: new SimulatedClock(T0) });
    const placed = await first.manager.place(buy({ quantity: 130 }), TRADER);
    await first.manager.cancel(placed.order.orderId, TRADER);
    await settle();
    const second = await crashAndRestart(first);
    await settle();
    // the exchange matched part of it just before the cancel; the trade report comes only now
    const row = second.venue.orders.get(placed.order.clientOrderId);
    if (row === undefined) throw new Error('missing');
    row.fills.push({ fillId: 'LATE1', quantity: 65, pricePaise: paise(10_000), atMs: T0 });
    row.filled = 65;
    second.venue.emit(row.clientOrderId, {
      type: 'fill',
      atMs: T0,
      fillId: 'LATE1',
      brokerOrderId: row.brokerOrderId,
      quantity: 65,
      pricePaise: paise(10_000),
    });
    await settle();
    expect(second.manager.positions().instruments[0]?.quantity).toBe(65);
    const alert = riskEvents(second.events).find((e) => e.type === 'alert');
    expect(alert && 'message' in alert ? alert.message : '').toContain('after the order was cancelled');
    expect((await second.manager.reconcile()).ok, 'and the positions agree with the venue').toBe(true);
  });

  it('goes unreconciled while the venue stream is down and reconciles when it is back', async () => {
    const h = await harness({ clock: new SimulatedClock(T0) });
    h.client.connected = false;
    h.manager.observe();
    expect(h.manager.state().status).toBe('unreconciled');
    h.client.connected = true;
    h.manager.observe();
    await settle();
    expect(h.manager.state().status).toBe('reconciled');
  });

  it('closes stored open orders when the venue is ephemeral (paper) instead of staying unreconciled', async () => {
    const first = await harness({ clock: new SimulatedClock(T0), manager: { ephemeralVenue: true } });
    const placed = await first.manager.place(buy(), TRADER);
    await settle();
    first.client.detach();
    const freshVenue = new (await import('./testkit.js')).FakeVenue(() => first.clock.now());
    const second = await harness({
      clock: first.clock,
      store: first.store.reopen(),
      venue: freshVenue,
      manager: { ephemeralVenue: true },
    });
    await settle();
    expect(second.store.stored(placed.order.clientOrderId)?.status).toBe('cancelled');
    expect(second.manager.state().status).toBe('reconciled');
  });

  it('records human actions in the audit log', async () => {
    const entries: { action: string; actor: string; outcome: string }[] = [];
    const auditLog = {
      append: async (entry: { action: string; actor: string; outcome: string }) => {
        entries.push(entry);
      },
      list: async () => [],
    };
    const h = await harness({ clock: new SimulatedClock(T0), manager: { auditLog } });
    const placed = await h.manager.place(buy(), TRADER);
    await h.manager.cancel(placed.order.orderId, TRADER);
    await h.manager.kill(TRADER, 'drill');
    await h.manager.resume(TRADER).catch(() => undefined);
    await h.manager.resume(ADMIN);
    expect(entries.map((e) => [e.action, e.actor, e.outcome])).toEqual([
      ['order.place', 'tina', 'ok'],
      ['order.cancel', 'tina', 'ok'],
      ['risk.kill', 'tina', 'ok'],
      ['risk.resume', 'tina', 'IF_ERR_RISK_FORBIDDEN'],
      ['risk.resume', 'adam', 'ok'],
    ]);
  });
});
