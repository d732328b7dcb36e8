import { describe, expect, it } from 'vitest';
import { paise } from '../../core/money.js';
import { applyEvents, createOrder, LEGAL_TRANSITIONS, transition } from './stateMachine.js';
import { type EventOf, ev, limitSpec, newOrder, report, run, SAMPLE_EVENT, T0 } from './testkit.js';
import {
  type ClientOrderId,
  ORDER_STATUSES,
  type Order,
  type OrderEventType,
  type OrderStatus,
  orderId,
} from './types.js';

const EVENT_TYPES = Object.keys(SAMPLE_EVENT) as OrderEventType[];

/** Preludes that put a fresh 130-unit BUY order (lot 65) into each state. */
const AT = {
  new: [] as EventOf[],
  submitted: [ev.submit()],
  accepted: [ev.submit(), ev.accept()],
  partiallyFilled: [ev.submit(), ev.accept(), ev.fill(65)],
  filled: [ev.submit(), ev.accept(), ev.fill(130)],
  cancelled: [ev.submit(), ev.accept(), ev.cancelled()],
  rejected: [ev.submit(), ev.reject()],
  expired: [ev.submit(), ev.accept(), ev.expire()],
  pendingModify: [ev.submit(), ev.accept(), ev.modify()],
  pendingModifyFilled: [ev.submit(), ev.accept(), ev.fill(65), ev.modify()],
  // the modification to 100 is in flight and 100 have traded: complete once the broker confirms it
  pendingModifyToFilled: [ev.submit(), ev.accept(), ev.fill(65), ev.modify({ quantity: 100 }), ev.fill(35)],
  // a raise to 195 is in flight and the original 130 have traded: complete if the broker refuses the raise
  pendingModifyLargerFilled: [ev.submit(), ev.accept(), ev.modify({ quantity: 195 }), ev.fill(130)],
  pendingCancel: [ev.submit(), ev.accept(), ev.cancel()],
  pendingCancelLargerFilled: [
    ev.submit(),
    ev.accept(),
    ev.modify({ quantity: 195 }),
    ev.cancel(),
    ev.fill(130),
  ],
  pendingCancelFilled: [ev.submit(), ev.accept(), ev.fill(65), ev.cancel()],
  pendingCancelWithModify: [ev.submit(), ev.accept(), ev.modify({ quantity: 195 }), ev.cancel()],
  pendingCancelModifyToFilled: [
    ev.submit(),
    ev.accept(),
    ev.fill(65),
    ev.modify({ quantity: 100 }),
    ev.cancel(),
    ev.fill(35),
  ],
  unknown: [ev.submit(), ev.timeout()],
  unknownFilled: [ev.submit(), ev.accept(), ev.fill(65), ev.modify(), ev.timeout()],
} satisfies Record<string, EventOf[]>;

const REPRESENTATIVE: Record<OrderStatus, EventOf[]> = {
  new: AT.new,
  submitted: AT.submitted,
  accepted: AT.accepted,
  'partially-filled': AT.partiallyFilled,
  filled: AT.filled,
  cancelled: AT.cancelled,
  rejected: AT.rejected,
  expired: AT.expired,
  'pending-modify': AT.pendingModify,
  'pending-cancel': AT.pendingCancel,
  unknown: AT.unknown,
};

interface Case {
  from: OrderStatus;
  prelude: EventOf[];
  event: EventOf;
  to: OrderStatus;
}

const c = (from: OrderStatus, prelude: EventOf[], event: EventOf, to: OrderStatus): Case => ({
  from,
  prelude,
  event,
  to,
});

const LEGAL_CASES: Case[] = [
  c('new', AT.new, ev.submit(), 'submitted'),
  c('new', AT.new, ev.reject('risk'), 'rejected'),
  c('new', AT.new, ev.cancelled(), 'cancelled'),

  c('submitted', AT.submitted, ev.accept(), 'accepted'),
  c('submitted', AT.submitted, ev.reject('broker'), 'rejected'),
  c('submitted', AT.submitted, ev.fill(65), 'partially-filled'),
  c('submitted', AT.submitted, ev.fill(130), 'filled'),
  c('submitted', AT.submitted, ev.cancelled(), 'cancelled'),
  c('submitted', AT.submitted, ev.timeout(), 'unknown'),
  c('submitted', AT.submitted, ev.reconcile(report('open')), 'accepted'),
  c('submitted', AT.submitted, ev.reconcile(report('cancelled')), 'cancelled'),
  c('submitted', AT.submitted, ev.reconcile(report('rejected')), 'rejected'),
  c('submitted', AT.submitted, ev.reconcile(report('expired')), 'expired'),

  c('accepted', AT.accepted, ev.fill(65), 'partially-filled'),
  c('accepted', AT.accepted, ev.fill(130), 'filled'),
  c('accepted', AT.accepted, ev.modify(), 'pending-modify'),
  c('accepted', AT.accepted, ev.cancel(), 'pending-cancel'),
  c('accepted', AT.accepted, ev.cancelled(), 'cancelled'),
  c('accepted', AT.accepted, ev.reject('broker'), 'rejected'),
  c('accepted', AT.accepted, ev.expire(), 'expired'),
  c('accepted', AT.accepted, ev.reconcile(report('open')), 'accepted'),
  c('accepted', AT.accepted, ev.reconcile(report('cancelled')), 'cancelled'),
  c('accepted', AT.accepted, ev.reconcile(report('rejected')), 'rejected'),
  c('accepted', AT.accepted, ev.reconcile(report('expired')), 'expired'),

  c('partially-filled', AT.partiallyFilled, ev.fill(5), 'partially-filled'),
  c('partially-filled', AT.partiallyFilled, ev.fill(65), 'filled'),
  c('partially-filled', AT.partiallyFilled, ev.modify(), 'pending-modify'),
  c('partially-filled', AT.partiallyFilled, ev.cancel(), 'pending-cancel'),
  c('partially-filled', AT.partiallyFilled, ev.cancelled(), 'cancelled'),
  c('partially-filled', AT.partiallyFilled, ev.expire(), 'expired'),
  c('partially-filled', AT.partiallyFilled, ev.reconcile(report('open', 130, 65)), 'partially-filled'),
  c('partially-filled', AT.partiallyFilled, ev.reconcile(report('filled', 65, 65)), 'filled'),
  c('partially-filled', AT.partiallyFilled, ev.reconcile(report('cancelled', 130, 65)), 'cancelled'),
  c('partially-filled', AT.partiallyFilled, ev.reconcile(report('expired', 130, 65)), 'expired'),

  c('pending-modify', AT.pendingModify, ev.fill(65), 'pending-modify'),
  c('pending-modify', AT.pendingModify, ev.fill(130), 'filled'),
  c('pending-modify', AT.pendingModify, ev.modifyOk(), 'accepted'),
  c('pending-modify', AT.pendingModifyFilled, ev.modifyOk(), 'partially-filled'),
  c('pending-modify', AT.pendingModifyToFilled, ev.modifyOk(), 'filled'),
  c('pending-modify', AT.pendingModify, ev.modifyNo(), 'accepted'),
  c('pending-modify', AT.pendingModifyFilled, ev.modifyNo(), 'partially-filled'),
  c('pending-modify', AT.pendingModifyLargerFilled, ev.modifyNo(), 'filled'),
  c('pending-modify', AT.pendingModify, ev.cancel(), 'pending-cancel'),
  c('pending-modify', AT.pendingModify, ev.cancelled(), 'cancelled'),
  c('pending-modify', AT.pendingModify, ev.expire(), 'expired'),
  c('pending-modify', AT.pendingModify, ev.timeout(), 'unknown'),
  c('pending-modify', AT.pendingModify, ev.reconcile(report('open')), 'accepted'),
  c('pending-modify', AT.pendingModifyFilled, ev.reconcile(report('open', 130, 65)), 'partially-filled'),
  c('pending-modify', AT.pendingModifyFilled, ev.reconcile(report('filled', 65, 65)), 'filled'),
  c('pending-modify', AT.pendingModify, ev.reconcile(report('cancelled')), 'cancelled'),
  c('pending-modify', AT.pendingModify, ev.reconcile(report('rejected')), 'rejected'),
  c('pending-modify', AT.pendingModify, ev.reconcile(report('expired')), 'expired'),

  c('pending-cancel', AT.pendingCancel, ev.fill(65), 'pending-cancel'),
  c('pending-cancel', AT.pendingCancel, ev.fill(130), 'filled'),
  c('pending-cancel', AT.pendingCancel, ev.cancelled(), 'cancelled'),
  c('pending-cancel', AT.pendingCancel, ev.cancelNo(), 'accepted'),
  c('pending-cancel', AT.pendingCancelFilled, ev.cancelNo(), 'partially-filled'),
  c('pending-cancel', AT.pendingCancelWithModify, ev.cancelNo(), 'pending-modify'),
  c('pending-cancel', AT.pendingCancelWithModify, ev.modifyOk(), 'pending-cancel'),
  c('pending-cancel', AT.pendingCancelModifyToFilled, ev.modifyOk(), 'filled'),
  c('pending-cancel', AT.pendingCancelWithModify, ev.modifyNo(), 'pending-cancel'),
  c('pending-cancel', AT.pendingCancelLargerFilled, ev.modifyNo(), 'filled'),
  c('pending-cancel', AT.pendingCancel, ev.expire(), 'expired'),
  c('pending-cancel', AT.pendingCancel, ev.timeout(), 'unknown'),
  c('pending-cancel', AT.pendingCancel, ev.reconcile(report('open')), 'accepted'),
  c('pending-cancel', AT.pendingCancelFilled, ev.reconcile(report('open', 130, 65)), 'partially-filled'),
  c('pending-cancel', AT.pendingCancelFilled, ev.reconcile(report('filled', 65, 65)), 'filled'),
  c('pending-cancel', AT.pendingCancel, ev.reconcile(report('cancelled')), 'cancelled'),
  c('pending-cancel', AT.pendingCancel, ev.reconcile(report('rejected')), 'rejected'),
  c('pending-cancel', AT.pendingCancel, ev.reconcile(report('expired')), 'expired'),

  c('unknown', AT.unknown, ev.reconcile(report('open')), 'accepted'),
  c('unknown', AT.unknownFilled, ev.reconcile(report('open', 130, 65)), 'partially-filled'),
  c('unknown', AT.unknownFilled, ev.reconcile(report('filled', 65, 65)), 'filled'),
  c('unknown', AT.unknown, ev.reconcile(report('cancelled')), 'cancelled'),
  c('unknown', AT.unknown, ev.reconcile(report('rejected')), 'rejected'),
  c('unknown', AT.unknown, ev.reconcile(report('expired')), 'expired'),
  c('unknown', AT.unknown, ev.fill(65), 'partially-filled'),
  c('unknown', AT.unknown, ev.fill(130), 'filled'),
  c('unknown', AT.unknown, ev.accept(), 'accepted'),
  c('unknown', AT.unknown, ev.reject('broker'), 'rejected'),
  c('unknown', AT.unknown, ev.cancelled(), 'cancelled'),
  c('unknown', AT.unknown, ev.expire(), 'expired'),
];

describe('createOrder', () => {
  it('starts in new with a creation audit row (seq 1, from null) describing the order', () => {
    const result = createOrder(
      limitSpec(),
      { orderId: orderId('o-1'), clientOrderId: 'IF2601200000001' as ClientOrderId },
      T0,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.order.status).toBe('new');
    expect(result.order.filledQuantity).toBe(0);
    expect(result.audit).toMatchObject({ seq: 1, from: null, to: 'new', cause: 'created', atMs: T0 });
    expect(result.audit.details).toMatchObject({ side: 'BUY', quantity: 130, limitPricePaise: 10_000 });
  });

  it.each([
    ['a zero quantity', limitSpec({ quantity: 0 })],
    ['a fractional quantity', limitSpec({ quantity: 64.5 })],
    ['a negative limit price', limitSpec({ pricing: { type: 'LIMIT', limitPricePaise: paise(-5) } })],
    [
      'a NaN trigger',
      limitSpec({ pricing: { type: 'STOPLOSS_MARKET', triggerPricePaise: Number.NaN as never } }),
    ],
  ])('refuses %s at the boundary', (_, spec) => {
    const result = createOrder(spec, { orderId: orderId('o'), clientOrderId: 'IF1' as ClientOrderId }, T0);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.refusal.code).toBe('IF_ERR_ORDER_INVALID');
  });

  it('refuses a client order id that would not fit Angel ordertag rules (16 chars, or a dash)', () => {
    for (const bad of ['IF26012000000001', 'IF-1']) {
      const result = createOrder(
        limitSpec(),
        { orderId: orderId('o'), clientOrderId: bad as ClientOrderId },
        T0,
      );
      expect(result.ok, bad).toBe(false);
    }
  });
});

describe('every legal transition', () => {
  it('the cases below cover every (from, event, to) triple of LEGAL_TRANSITIONS, and nothing else', () => {
    const table = new Set<string>();
    for (const [from, byEvent] of Object.entries(LEGAL_TRANSITIONS)) {
      for (const [type, targets] of Object.entries(byEvent)) {
        for (const to of targets ?? []) table.add(`${from} --${type}--> ${to}`);
      }
    }
    const covered = new Set(
      LEGAL_CASES.map((k) => {
        const order = run(newOrder(), ...k.prelude);
        return `${k.from} --${k.event(order).type}--> ${k.to}`;
      }),
    );
    expect([...covered].sort(), 'tests and table list the same transitions').toEqual([...table].sort());
  });

  it.each(LEGAL_CASES.map((k) => [`${k.from} → ${k.to}`, k] as const))('%s', (_, k) => {
    const before = run(newOrder(), ...k.prelude);
    expect(before.status, 'the prelude reaches the from-state').toBe(k.from);
    const event = k.event(before);
    const result = transition(before, event);
    if (!result.ok) throw new Error(result.refusal.message);
    expect(result.order.status).toBe(k.to);
    expect(result.audit, 'one audit row per transition, numbered after the last').toMatchObject({
      seq: before.seq + 1,
      orderId: before.orderId,
      clientOrderId: before.clientOrderId,
      from: k.from,
      to: k.to,
      cause: event.type,
      atMs: event.atMs,
    });
    expect(result.order.seq).toBe(before.seq + 1);
    expect(result.order.updatedAtMs).toBe(event.atMs);
  });
});

describe('illegal transitions are refused, never applied silently', () => {
  const pairs: [OrderStatus, OrderEventType][] = [];
  for (const status of ORDER_STATUSES) {
    for (const type of EVENT_TYPES) {
      if (LEGAL_TRANSITIONS[status][type] === undefined) pairs.push([status, type]);
    }
  }

  it.each(pairs)('%s refuses %s and the order is untouched', (status, type) => {
    const before = run(newOrder(), ...REPRESENTATIVE[status]);
    const snapshot = structuredClone(before);
    const result = transition(before, SAMPLE_EVENT[type](before));
    expect(result.ok, `${status} + ${type}`).toBe(false);
    if (result.ok) return;
    expect(['illegal-transition', 'terminal', 'duplicate-event']).toContain(result.refusal.kind);
    expect(result.refusal.code).toBe('IF_ERR_ORDER_TRANSITION');
    expect(result.refusal.status).toBe(status);
    expect(before, 'refusal leaves the input as it was').toEqual(snapshot);
  });

  it('terminal states take nothing, and a late fill on one raises an alert', () => {
    for (const prelude of [AT.filled, AT.cancelled, AT.rejected, AT.expired]) {
      const order = run(newOrder(), ...prelude);
      for (const type of EVENT_TYPES) {
        const result = transition(order, SAMPLE_EVENT[type](order));
        expect(result.ok, `${order.status} + ${type}`).toBe(false);
      }
      const late = transition(order, ev.fill(5, 10_000, 'LATE')(order));
      expect(late.ok).toBe(false);
      if (!late.ok)
        expect(late.refusal, `${order.status}: late fill`).toMatchObject({ kind: 'terminal', alert: true });
    }
  });

  it('guarded pairs refuse with a reason: late ack after a lost modify, risk reject of an accepted order', () => {
    const lostModify = run(newOrder(), ...AT.accepted, ev.modify(), ev.timeout());
    expect(lostModify.status).toBe('unknown');
    const lateAck = transition(lostModify, ev.accept()(lostModify));
    expect(lateAck.ok).toBe(false);

    const accepted = run(newOrder(), ...AT.accepted);
    const riskReject = transition(accepted, ev.reject('risk')(accepted));
    expect(riskReject.ok, 'only the broker can reject an order it holds').toBe(false);

    const plainCancel = run(newOrder(), ...AT.pendingCancel);
    const noModify = transition(plainCancel, ev.modifyOk()(plainCancel));
    expect(noModify.ok, 'no modification in flight').toBe(false);

    const fresh = newOrder();
    const brokerRejectsUnsent = transition(fresh, ev.reject('broker')(fresh));
    expect(brokerRejectsUnsent.ok, 'the broker has not seen a new order').toBe(false);
  });

  it('a repeated acknowledgement is a duplicate, one with another broker id a mismatch with an alert', () => {
    const accepted = run(newOrder(), ...AT.accepted);
    const same = transition(accepted, ev.accept('B1')(accepted));
    const other = transition(accepted, ev.accept('B2')(accepted));
    expect(same.ok || same.refusal).toMatchObject({ kind: 'duplicate-event', alert: false });
    expect(other.ok || other.refusal).toMatchObject({ kind: 'broker-id-mismatch', alert: true });
  });

  it('cancel and modify wait for the acknowledgement (no broker id yet)', () => {
    const submitted = run(newOrder(), ...AT.submitted);
    const result = transition(submitted, ev.cancel()(submitted));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.refusal.message).toContain('no broker order id');
  });

  it('time never runs backwards on an order', () => {
    const order = run(newOrder(), ...AT.accepted);
    const result = transition(order, { type: 'expired', atMs: order.updatedAtMs - 1 });
    expect(result.ok || result.refusal.kind).toBe('invalid-event');
  });
});

describe('fill accounting', () => {
  it('keeps the exact notional and a volume-weighted average in paise', () => {
    const order = run(newOrder(), ev.submit(), ev.accept(), ev.fill(65, 10_000), ev.fill(65, 10_005));
    expect(order.status).toBe('filled');
    expect(order.filledNotionalPaise).toBe(65 * 10_000 + 65 * 10_005);
    expect(order.averagePricePaise, '(100.00 + 100.05) / 2 = 100.025 rounds to 100.03').toBe(10_003);
  });

  it('refuses an overfill with an alert and leaves the fills as they were', () => {
    const order = run(newOrder(), ...AT.partiallyFilled);
    const result = transition(order, ev.fill(70)(order));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.refusal).toMatchObject({ kind: 'overfill', code: 'IF_ERR_ORDER_OVERFILL', alert: true });
    expect(result.refusal.message, 'numbers in the message').toContain('135 of 130');
    expect(order.filledQuantity).toBe(65);
  });

  it('counts a fill reported twice once (socket and poll), without an alert', () => {
    const order = run(newOrder(), ...AT.accepted, ev.fill(65, 10_000, 'T1'));
    const again = transition(order, ev.fill(65, 10_000, 'T1')(order));
    expect(again.ok || again.refusal).toMatchObject({ kind: 'duplicate-fill', alert: false });
  });

  it('refuses a fill for another broker order id with an alert', () => {
    const order = run(newOrder(), ...AT.accepted);
    const result = transition(order, ev.fill(65, 10_000, 'T9', 'B2')(order));
    expect(result.ok || result.refusal).toMatchObject({ kind: 'broker-id-mismatch', alert: true });
  });

  it('refuses malformed fills at the boundary (zero, fractional, NaN price)', () => {
    const order = run(newOrder(), ...AT.accepted);
    for (const make of [ev.fill(0), ev.fill(6.5), ev.fill(65, Number.NaN)]) {
      const result = transition(order, make(order));
      expect(result.ok || result.refusal.kind).toBe('invalid-event');
    }
  });

  it('while a larger modification is in flight, fills up to the new quantity are believed', () => {
    const order = run(newOrder(), ...AT.accepted, ev.modify({ quantity: 195 }), ev.fill(130));
    expect(order.status, 'not complete: 195 may be live at the exchange').toBe('pending-modify');
    const done = run(order, ev.fill(65));
    expect(done.status).toBe('filled');
    expect(done.quantity, 'the fills prove the modification took effect').toBe(195);
  });

  it('a modification rejected after fills falls back to the fill-derived state', () => {
    const order = run(newOrder(), ...AT.accepted, ev.modify({ quantity: 195 }), ev.fill(130), ev.modifyNo());
    expect(order.status, 'the original 130 are all filled').toBe('filled');
  });
});

describe('lost requests and reconciliation', () => {
  it('a submit that timed out and is not in the broker book is rejected (safe to place afresh)', () => {
    const order = run(newOrder(), ...AT.unknown, ev.reconcile({ found: false }));
    expect(order.status).toBe('rejected');
  });

  it('refuses "not found" for an order the broker acknowledged', () => {
    const order = run(newOrder(), ...AT.accepted, ev.cancel(), ev.timeout());
    const result = transition(order, ev.reconcile({ found: false })(order));
    expect(result.ok || result.refusal).toMatchObject({ kind: 'reconcile-conflict', alert: true });
  });

  it('refuses a report whose fills differ from ours (a stale snapshot never undoes a fill)', () => {
    const order = run(newOrder(), ...AT.partiallyFilled, ev.cancel(), ev.timeout());
    const result = transition(order, ev.reconcile(report('open', 130, 0))(order));
    expect(result.ok || result.refusal.kind).toBe('reconcile-conflict');
  });

  it('takes the broker quantity and prices after a lost modification', () => {
    const order = run(
      newOrder(),
      ...AT.accepted,
      ev.modify({ limitPricePaise: paise(10_500) }),
      ev.timeout(),
      ev.reconcile({
        found: true,
        brokerOrderId: 'B1',
        status: 'open',
        quantity: 130,
        filledQuantity: 0,
        pricing: { type: 'LIMIT', limitPricePaise: paise(10_500) },
      }),
    );
    expect(order.status).toBe('accepted');
    expect(order.pricing).toEqual({ type: 'LIMIT', limitPricePaise: 10_500 });
  });
});

describe('audit trail', () => {
  it('numbers rows 2, 3, … after creation and chains from/to without gaps', () => {
    const start = newOrder();
    const events = [ev.submit(), ev.accept(), ev.fill(65), ev.cancel(), ev.cancelled()];
    let order: Order = start;
    const made = events.map((make) => {
      const e = make(order);
      const r = transition(order, e);
      if (r.ok) order = r.order;
      return e;
    });
    const { audit, refusals } = applyEvents(start, made);
    expect(refusals).toEqual([]);
    expect(audit.map((a) => a.seq)).toEqual([2, 3, 4, 5, 6]);
    expect(audit.map((a) => `${a.from}>${a.to}`)).toEqual([
      'new>submitted',
      'submitted>accepted',
      'accepted>partially-filled',
      'partially-filled>pending-cancel',
      'pending-cancel>cancelled',
    ]);
    for (let i = 1; i < audit.length; i++) {
      expect(audit[i]?.from, 'each row starts where the last ended').toBe(audit[i - 1]?.to);
    }
  });
});
