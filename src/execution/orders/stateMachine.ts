import { type ErrorCode, IfError } from '../../core/errors.js';
import type { Paise } from '../../core/money.js';
import { applyFill } from './fills.js';
import type {
  AuditDetails,
  BrokerOrderReport,
  ClientOrderId,
  ModifyRequest,
  Order,
  OrderBase,
  OrderEvent,
  OrderEventType,
  OrderId,
  OrderAuditEvent,
  OrderPricing,
  OrderRefusal,
  OrderRefusalKind,
  OrderSpec,
  OrderState,
  OrderStatus,
  TransitionResult,
} from './types.js';
import { isTerminal } from './types.js';

/**
 * Every (state, event) pair the machine accepts and the states it may lead to. Pairs not listed are refused.
 * Some listed pairs are further guarded (e.g. a late `broker-accepted` in `unknown` only after a lost
 * submit); the guard refuses with a typed reason, never silently.
 *
 * Unlike NautilusTrader, which lets a cancelled order move to filled when a fill races the cancel, terminal
 * states stay terminal (reference §5.4). A late fill on a terminal order is refused with `alert`, so
 * reconciliation, which owns positions through the fills table (I3), settles it.
 */
export const LEGAL_TRANSITIONS: Readonly<
  Record<OrderStatus, Readonly<Partial<Record<OrderEventType, readonly OrderStatus[]>>>>
> = {
  new: {
    'submit-sent': ['submitted'],
    rejected: ['rejected'],
    cancelled: ['cancelled'],
  },
  submitted: {
    'broker-accepted': ['accepted'],
    rejected: ['rejected'],
    fill: ['partially-filled', 'filled'],
    cancelled: ['cancelled'],
    'timed-out': ['unknown'],
    // no fills yet, so the broker's report cannot make it (partially) filled
    reconciled: ['accepted', 'cancelled', 'rejected', 'expired'],
  },
  accepted: {
    fill: ['partially-filled', 'filled'],
    'modify-sent': ['pending-modify'],
    'cancel-sent': ['pending-cancel'],
    cancelled: ['cancelled'],
    // a stop-limit order can be rejected when it triggers outside the exchange's price protection
    rejected: ['rejected'],
    expired: ['expired'],
    reconciled: ['accepted', 'cancelled', 'rejected', 'expired'],
  },
  'partially-filled': {
    fill: ['partially-filled', 'filled'],
    'modify-sent': ['pending-modify'],
    'cancel-sent': ['pending-cancel'],
    cancelled: ['cancelled'],
    expired: ['expired'],
    reconciled: ['partially-filled', 'filled', 'cancelled', 'expired'],
  },
  'pending-modify': {
    fill: ['pending-modify', 'filled'],
    'modify-accepted': ['accepted', 'partially-filled', 'filled'],
    // filled when fills meant for a larger quantity completed the original one
    'modify-rejected': ['accepted', 'partially-filled', 'filled'],
    'cancel-sent': ['pending-cancel'],
    cancelled: ['cancelled'],
    expired: ['expired'],
    'timed-out': ['unknown'],
    reconciled: ['accepted', 'partially-filled', 'filled', 'cancelled', 'rejected', 'expired'],
  },
  'pending-cancel': {
    fill: ['pending-cancel', 'filled'],
    cancelled: ['cancelled'],
    'cancel-rejected': ['accepted', 'partially-filled', 'pending-modify'],
    // answers to a modification sent before the cancel
    'modify-accepted': ['pending-cancel', 'filled'],
    'modify-rejected': ['pending-cancel', 'filled'],
    expired: ['expired'],
    'timed-out': ['unknown'],
    reconciled: ['accepted', 'partially-filled', 'filled', 'cancelled', 'rejected', 'expired'],
  },
  unknown: {
    reconciled: ['accepted', 'partially-filled', 'filled', 'cancelled', 'rejected', 'expired'],
    fill: ['partially-filled', 'filled'],
    'broker-accepted': ['accepted'],
    rejected: ['rejected'],
    cancelled: ['cancelled'],
    expired: ['expired'],
  },
  filled: {},
  cancelled: {},
  rejected: {},
  expired: {},
};

const CLIENT_ORDER_ID_SHAPE = /^[A-Za-z0-9]{1,15}$/;

const REFUSAL_CODE: Record<OrderRefusalKind, ErrorCode> = {
  'illegal-transition': 'IF_ERR_ORDER_TRANSITION',
  terminal: 'IF_ERR_ORDER_TRANSITION',
  'duplicate-fill': 'IF_ERR_ORDER_TRANSITION',
  'duplicate-event': 'IF_ERR_ORDER_TRANSITION',
  overfill: 'IF_ERR_ORDER_OVERFILL',
  'invalid-event': 'IF_ERR_ORDER_INVALID',
  'broker-id-mismatch': 'IF_ERR_ORDER_RECONCILE',
  'reconcile-conflict': 'IF_ERR_ORDER_RECONCILE',
};

/** Refusals that need a human or reconciliation; the rest are expected noise (duplicates, races). */
const ALERTING: ReadonlySet<OrderRefusalKind> = new Set<OrderRefusalKind>([
  'overfill',
  'broker-id-mismatch',
  'reconcile-conflict',
]);

interface RefusalTarget {
  orderId: OrderId;
  clientOrderId: ClientOrderId;
  status: OrderStatus | null;
}

function refuse(
  target: RefusalTarget,
  event: OrderEventType | 'created',
  kind: OrderRefusalKind,
  detail: string,
  extra: { alert?: boolean; details?: AuditDetails; params?: Record<string, number | string> } = {},
): { ok: false; refusal: OrderRefusal } {
  const code = REFUSAL_CODE[kind];
  const message = new IfError(code, {
    clientOrderId: target.clientOrderId,
    status: target.status ?? 'none',
    event,
    detail,
    ...extra.params,
  }).message;
  return {
    ok: false,
    refusal: {
      kind,
      code,
      orderId: target.orderId,
      clientOrderId: target.clientOrderId,
      status: target.status,
      event,
      message,
      alert: extra.alert ?? ALERTING.has(kind),
      details: extra.details ?? {},
    },
  };
}

function isPositiveInt(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}

function pricingError(pricing: OrderPricing): string | undefined {
  if (pricing.type === 'LIMIT' || pricing.type === 'STOPLOSS_LIMIT') {
    if (!isPositiveInt(pricing.limitPricePaise)) return `limit price ${pricing.limitPricePaise} paise`;
  }
  if (pricing.type === 'STOPLOSS_LIMIT' || pricing.type === 'STOPLOSS_MARKET') {
    if (!isPositiveInt(pricing.triggerPricePaise)) return `trigger price ${pricing.triggerPricePaise} paise`;
  }
  return undefined;
}

function pricingDetails(pricing: OrderPricing): AuditDetails {
  return {
    orderType: pricing.type,
    limitPricePaise: 'limitPricePaise' in pricing ? pricing.limitPricePaise : null,
    triggerPricePaise: 'triggerPricePaise' in pricing ? pricing.triggerPricePaise : null,
  };
}

/**
 * A new order in state `new`, with its creation audit row (seq 1). `atMs` is engine-clock time.
 * Refuses malformed quantities, prices and ids: they never enter the machine.
 */
export function createOrder(
  spec: OrderSpec,
  ids: { orderId: OrderId; clientOrderId: ClientOrderId },
  atMs: number,
): TransitionResult {
  const target: RefusalTarget = { ...ids, status: null };
  const invalid = (detail: string) => refuse(target, 'created', 'invalid-event', detail);
  if (!CLIENT_ORDER_ID_SHAPE.test(ids.clientOrderId)) {
    return invalid(`client order id "${ids.clientOrderId}" must be 1-15 letters or digits (Angel ordertag)`);
  }
  if (!Number.isFinite(atMs)) return invalid(`time ${atMs} is not finite`);
  if (!isPositiveInt(spec.quantity)) return invalid(`quantity ${spec.quantity} is not a positive integer`);
  const priceError = pricingError(spec.pricing);
  if (priceError !== undefined) return invalid(`${priceError} is not a positive integer`);

  const order: Order = {
    ...spec,
    ...ids,
    filledQuantity: 0,
    filledNotionalPaise: 0 as Paise,
    averagePricePaise: undefined,
    fillIds: [],
    createdAtMs: atMs,
    updatedAtMs: atMs,
    seq: 1,
    status: 'new',
  };
  return {
    ok: true,
    order,
    audit: {
      seq: 1,
      orderId: ids.orderId,
      clientOrderId: ids.clientOrderId,
      from: null,
      to: 'new',
      cause: 'created',
      atMs,
      details: {
        symbol: spec.instrument.symbol,
        token: spec.instrument.token,
        side: spec.side,
        quantity: spec.quantity,
        timeInForce: spec.timeInForce,
        product: spec.product,
        ...pricingDetails(spec.pricing),
        parentOrderId: spec.link?.parentOrderId ?? null,
        role: spec.link?.role ?? null,
      },
    },
  };
}

/** The fields shared by every state, without any state-specific field. */
function baseOf(order: Order): OrderBase {
  const base: OrderBase = {
    orderId: order.orderId,
    clientOrderId: order.clientOrderId,
    instrument: order.instrument,
    side: order.side,
    quantity: order.quantity,
    pricing: order.pricing,
    timeInForce: order.timeInForce,
    product: order.product,
    filledQuantity: order.filledQuantity,
    filledNotionalPaise: order.filledNotionalPaise,
    averagePricePaise: order.averagePricePaise,
    fillIds: order.fillIds,
    createdAtMs: order.createdAtMs,
    updatedAtMs: order.updatedAtMs,
    seq: order.seq,
  };
  if (order.link !== undefined) base.link = order.link;
  return base;
}

function brokerIdOf(order: Order): string | undefined {
  return 'brokerOrderId' in order ? order.brokerOrderId : undefined;
}

/** accepted, partially-filled or filled, from the fill count: where a working order rests. */
function restingState(base: OrderBase, brokerOrderId: string): OrderState {
  if (base.filledQuantity >= base.quantity) return { status: 'filled', brokerOrderId };
  if (base.filledQuantity > 0) return { status: 'partially-filled', brokerOrderId };
  return { status: 'accepted', brokerOrderId };
}

function applyModification(base: OrderBase, changes: ModifyRequest): { base: OrderBase; clamped: boolean } {
  let quantity = changes.quantity ?? base.quantity;
  // Fills may land between our request and the broker's confirmation; the exchange never cuts an order
  // below what has traded, so neither do we (and the audit row says so).
  const clamped = quantity < base.filledQuantity;
  if (clamped) quantity = base.filledQuantity;
  let pricing = base.pricing;
  if (changes.limitPricePaise !== undefined && 'limitPricePaise' in pricing) {
    pricing = { ...pricing, limitPricePaise: changes.limitPricePaise };
  }
  if (changes.triggerPricePaise !== undefined && 'triggerPricePaise' in pricing) {
    pricing = { ...pricing, triggerPricePaise: changes.triggerPricePaise };
  }
  return { base: { ...base, quantity, pricing }, clamped };
}

function modifyError(order: Order, changes: ModifyRequest): string | undefined {
  const { quantity, limitPricePaise, triggerPricePaise } = changes;
  if (quantity === undefined && limitPricePaise === undefined && triggerPricePaise === undefined) {
    return 'a modification must change quantity, limit price or trigger price';
  }
  if (quantity !== undefined && !(isPositiveInt(quantity) && quantity > order.filledQuantity)) {
    return `new quantity ${quantity} must be an integer above the filled ${order.filledQuantity}`;
  }
  if (limitPricePaise !== undefined) {
    if (!('limitPricePaise' in order.pricing)) return `a ${order.pricing.type} order has no limit price`;
    if (!isPositiveInt(limitPricePaise))
      return `limit price ${limitPricePaise} paise is not a positive integer`;
  }
  if (triggerPricePaise !== undefined) {
    if (!('triggerPricePaise' in order.pricing)) return `a ${order.pricing.type} order has no trigger price`;
    if (!isPositiveInt(triggerPricePaise)) {
      return `trigger price ${triggerPricePaise} paise is not a positive integer`;
    }
  }
  return undefined;
}

function modifyDetails(changes: ModifyRequest): AuditDetails {
  return {
    quantity: changes.quantity ?? null,
    limitPricePaise: changes.limitPricePaise ?? null,
    triggerPricePaise: changes.triggerPricePaise ?? null,
  };
}

function eventError(event: OrderEvent): string | undefined {
  switch (event.type) {
    case 'broker-accepted':
      return event.brokerOrderId.length === 0 ? 'empty broker order id' : undefined;
    case 'fill':
      if (event.fillId.length === 0) return 'empty fill id';
      if (event.brokerOrderId.length === 0) return 'empty broker order id';
      if (!isPositiveInt(event.quantity)) return `fill quantity ${event.quantity} is not a positive integer`;
      if (!isPositiveInt(event.pricePaise))
        return `fill price ${event.pricePaise} paise is not a positive integer`;
      return undefined;
    case 'reconciled': {
      const r = event.report;
      if (!r.found) return undefined;
      if (r.brokerOrderId.length === 0) return 'empty broker order id in report';
      if (!isPositiveInt(r.quantity)) return `reported quantity ${r.quantity} is not a positive integer`;
      if (
        !(Number.isSafeInteger(r.filledQuantity) && r.filledQuantity >= 0 && r.filledQuantity <= r.quantity)
      ) {
        return `reported filled ${r.filledQuantity} is not within 0..${r.quantity}`;
      }
      if (r.pricing !== undefined) {
        const priceError = pricingError(r.pricing);
        if (priceError !== undefined) return `reported ${priceError} is not a positive integer`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Applies one event to an order: the next order and its audit row, or a typed refusal. Never mutates
 * `order`; never changes state silently. Refusals with `alert` need reconciliation or a human.
 */
export function transition(order: Order, event: OrderEvent): TransitionResult {
  const from = order.status;
  if (!Number.isFinite(event.atMs) || event.atMs < order.updatedAtMs) {
    return refuse(
      order,
      event.type,
      'invalid-event',
      `time ${event.atMs} is before the order's last update ${order.updatedAtMs}`,
    );
  }
  const invalid = eventError(event);
  if (invalid !== undefined) return refuse(order, event.type, 'invalid-event', invalid);

  if (event.type === 'fill' && order.fillIds.includes(event.fillId)) {
    return refuse(order, event.type, 'duplicate-fill', `fill ${event.fillId} was already counted`, {
      details: { fillId: event.fillId },
    });
  }
  if (isTerminal(from)) {
    return refuse(order, event.type, 'terminal', `the order is ${from}`, {
      // a fill on a finished order is real money that our books do not show yet
      alert: event.type === 'fill',
    });
  }
  const known = brokerIdOf(order);
  if (event.type === 'broker-accepted' && known !== undefined) {
    // Angel repeats "open" after every modification; the same id again is noise, another id is not
    return known === event.brokerOrderId
      ? refuse(order, event.type, 'duplicate-event', `already acknowledged as ${known}`)
      : refuse(
          order,
          event.type,
          'broker-id-mismatch',
          `acknowledged as ${event.brokerOrderId}, order is ${known}`,
        );
  }
  if (LEGAL_TRANSITIONS[from][event.type] === undefined) {
    return refuse(order, event.type, 'illegal-transition', illegalReason(order, event.type));
  }

  const step = apply(order, event);
  if (!step.ok) return step;
  if (!LEGAL_TRANSITIONS[from][event.type]?.includes(step.order.status)) {
    // the handlers and the table disagree: a bug here, never something to let through
    throw new IfError('IF_ERR_INTERNAL', { detail: `order ${from} --${event.type}--> ${step.order.status}` });
  }
  const seq = order.seq + 1;
  const result: Order = { ...step.order, seq, updatedAtMs: event.atMs };
  return {
    ok: true,
    order: result,
    audit: {
      seq,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      from,
      to: result.status,
      cause: event.type,
      atMs: event.atMs,
      details: step.details,
    },
  };
}

function illegalReason(order: Order, type: OrderEventType): string {
  if (order.status === 'submitted' && (type === 'cancel-sent' || type === 'modify-sent')) {
    return 'no broker order id yet; wait for the acknowledgement or the timeout';
  }
  if (order.status === 'pending-modify' && type === 'modify-sent') {
    return 'one modification at a time; wait for the answer to the one in flight';
  }
  if (order.status === 'pending-cancel' && type === 'cancel-sent') return 'a cancel is already in flight';
  return 'not a legal transition';
}

/** One applied event before `transition` stamps its sequence number and time. */
type Step = { ok: true; order: Order; details: AuditDetails } | { ok: false; refusal: OrderRefusal };

function ok(base: OrderBase, state: OrderState, details: AuditDetails = {}): Step {
  return { ok: true, order: { ...base, ...state } as Order, details };
}

function apply(order: Order, event: OrderEvent): Step {
  const base = baseOf(order);
  switch (event.type) {
    case 'submit-sent':
      return ok(base, { status: 'submitted', submittedAtMs: event.atMs });

    case 'broker-accepted': {
      if (order.status === 'unknown' && order.operation !== 'submit') {
        return refuse(order, event.type, 'illegal-transition', `the lost request was a ${order.operation}`);
      }
      return ok(
        base,
        { status: 'accepted', brokerOrderId: event.brokerOrderId },
        {
          brokerOrderId: event.brokerOrderId,
        },
      );
    }

    case 'rejected': {
      if (order.status === 'new' && event.source === 'broker') {
        return refuse(order, event.type, 'illegal-transition', 'the broker has not seen this order');
      }
      if (order.status === 'accepted' && event.source !== 'broker') {
        return refuse(order, event.type, 'illegal-transition', 'only the broker rejects an accepted order');
      }
      if (order.status === 'unknown' && order.operation !== 'submit') {
        return refuse(order, event.type, 'illegal-transition', `the lost request was a ${order.operation}`);
      }
      return ok(
        base,
        { status: 'rejected', brokerOrderId: brokerIdOf(order), reason: event.reason },
        {
          reason: event.reason,
          source: event.source,
        },
      );
    }

    case 'fill':
      return onFill(order, base, event);

    case 'modify-sent': {
      if (order.status !== 'accepted' && order.status !== 'partially-filled') {
        return refuse(order, event.type, 'illegal-transition', 'not a working order');
      }
      const error = modifyError(order, event.changes);
      if (error !== undefined) return refuse(order, event.type, 'invalid-event', error);
      return ok(
        base,
        { status: 'pending-modify', brokerOrderId: order.brokerOrderId, requested: event.changes },
        modifyDetails(event.changes),
      );
    }

    case 'modify-accepted': {
      if (order.status === 'pending-modify') {
        const applied = applyModification(base, order.requested);
        return ok(applied.base, restingState(applied.base, order.brokerOrderId), {
          ...modifyDetails(order.requested),
          clampedToFilled: applied.clamped,
        });
      }
      if (order.status === 'pending-cancel' && order.pendingModify !== undefined) {
        const applied = applyModification(base, order.pendingModify);
        const details = { ...modifyDetails(order.pendingModify), clampedToFilled: applied.clamped };
        if (applied.base.filledQuantity >= applied.base.quantity) {
          return ok(applied.base, { status: 'filled', brokerOrderId: order.brokerOrderId }, details);
        }
        return ok(
          applied.base,
          { status: 'pending-cancel', brokerOrderId: order.brokerOrderId, pendingModify: undefined },
          details,
        );
      }
      return refuse(order, event.type, 'illegal-transition', 'no modification in flight');
    }

    case 'modify-rejected': {
      if (order.status === 'pending-modify') {
        return ok(base, restingState(base, order.brokerOrderId), { reason: event.reason });
      }
      if (order.status === 'pending-cancel' && order.pendingModify !== undefined) {
        if (base.filledQuantity >= base.quantity) {
          return ok(base, { status: 'filled', brokerOrderId: order.brokerOrderId }, { reason: event.reason });
        }
        return ok(
          base,
          { status: 'pending-cancel', brokerOrderId: order.brokerOrderId, pendingModify: undefined },
          { reason: event.reason },
        );
      }
      return refuse(order, event.type, 'illegal-transition', 'no modification in flight');
    }

    case 'cancel-sent': {
      if (order.status === 'accepted' || order.status === 'partially-filled') {
        return ok(
          base,
          { status: 'pending-cancel', brokerOrderId: order.brokerOrderId, pendingModify: undefined },
          { reason: event.reason },
        );
      }
      if (order.status === 'pending-modify') {
        return ok(
          base,
          { status: 'pending-cancel', brokerOrderId: order.brokerOrderId, pendingModify: order.requested },
          { reason: event.reason, modifyInFlight: true },
        );
      }
      return refuse(order, event.type, 'illegal-transition', 'not a working order');
    }

    case 'cancel-rejected': {
      if (order.status !== 'pending-cancel') {
        return refuse(order, event.type, 'illegal-transition', 'no cancel in flight');
      }
      if (order.pendingModify !== undefined) {
        return ok(
          base,
          { status: 'pending-modify', brokerOrderId: order.brokerOrderId, requested: order.pendingModify },
          { reason: event.reason },
        );
      }
      return ok(base, restingState(base, order.brokerOrderId), { reason: event.reason });
    }

    case 'cancelled':
      return ok(
        base,
        { status: 'cancelled', brokerOrderId: brokerIdOf(order), reason: event.reason },
        {
          reason: event.reason,
          filledQuantity: base.filledQuantity,
        },
      );

    case 'expired':
      return ok(
        base,
        { status: 'expired', brokerOrderId: brokerIdOf(order) },
        {
          filledQuantity: base.filledQuantity,
        },
      );

    case 'timed-out': {
      const operation =
        order.status === 'submitted'
          ? 'submit'
          : order.status === 'pending-modify'
            ? 'modify'
            : order.status === 'pending-cancel'
              ? 'cancel'
              : undefined;
      if (operation === undefined)
        return refuse(order, event.type, 'illegal-transition', 'nothing in flight');
      return ok(
        base,
        { status: 'unknown', brokerOrderId: brokerIdOf(order), operation, sinceMs: event.atMs },
        { operation },
      );
    }

    case 'reconciled':
      return onReconciled(order, base, event.report);
  }
}

function onFill(order: Order, base: OrderBase, event: Extract<OrderEvent, { type: 'fill' }>): Step {
  const known = brokerIdOf(order);
  if (known !== undefined && known !== event.brokerOrderId) {
    return refuse(
      order,
      event.type,
      'broker-id-mismatch',
      `fill for ${event.brokerOrderId}, order is ${known}`,
      {
        details: { fillId: event.fillId, brokerOrderId: event.brokerOrderId },
      },
    );
  }
  // While a modification is in flight the exchange may already hold the new quantity, so fills up to the
  // larger of the two are believable; the order is complete only when the larger one has traded.
  const requested =
    order.status === 'pending-modify'
      ? order.requested.quantity
      : order.status === 'pending-cancel'
        ? order.pendingModify?.quantity
        : undefined;
  const ceiling = Math.max(base.quantity, requested ?? 0);
  const outcome = applyFill(base, event, ceiling);
  if (!outcome.ok) {
    if (outcome.kind === 'duplicate-fill') {
      return refuse(order, event.type, 'duplicate-fill', `fill ${event.fillId} was already counted`);
    }
    return refuse(order, event.type, 'overfill', 'overfill', {
      params: { fillQuantity: event.quantity, wouldFill: outcome.wouldFill, quantity: ceiling },
      details: {
        fillId: event.fillId,
        fillQuantity: event.quantity,
        filledQuantity: base.filledQuantity,
        quantity: ceiling,
      },
    });
  }
  // Fills beyond the old quantity prove the exchange already holds the raised one.
  const quantity = outcome.account.filledQuantity > base.quantity ? ceiling : base.quantity;
  const next: OrderBase = { ...base, ...outcome.account, quantity };
  const brokerOrderId = event.brokerOrderId;
  const details: AuditDetails = {
    fillId: event.fillId,
    fillQuantity: event.quantity,
    fillPricePaise: event.pricePaise,
    filledQuantity: next.filledQuantity,
    averagePricePaise: next.averagePricePaise ?? null,
  };
  if (next.filledQuantity === ceiling) {
    return ok({ ...next, quantity: ceiling }, { status: 'filled', brokerOrderId }, details);
  }
  if (order.status === 'pending-modify') {
    return ok(next, { status: 'pending-modify', brokerOrderId, requested: order.requested }, details);
  }
  if (order.status === 'pending-cancel') {
    return ok(next, { status: 'pending-cancel', brokerOrderId, pendingModify: order.pendingModify }, details);
  }
  return ok(next, { status: 'partially-filled', brokerOrderId }, details);
}

function onReconciled(order: Order, base: OrderBase, report: BrokerOrderReport): Step {
  const known = brokerIdOf(order);
  if (!report.found) {
    // Only an order the broker never acknowledged can be missing: then it never reached the book, and
    // a fresh order (with a fresh client id) is safe. Anything else is a contradiction to look at.
    if (known === undefined && base.filledQuantity === 0) {
      return ok(
        base,
        { status: 'rejected', brokerOrderId: undefined, reason: 'not found at the broker' },
        {
          found: false,
        },
      );
    }
    return refuse(order, 'reconciled', 'reconcile-conflict', `broker has no order ${known ?? '(no id)'}`);
  }
  if (known !== undefined && known !== report.brokerOrderId) {
    return refuse(
      order,
      'reconciled',
      'broker-id-mismatch',
      `report is for ${report.brokerOrderId}, order is ${known}`,
    );
  }
  // A report never adds or removes fills: fills come with trade ids through `fill` events, so a snapshot
  // that predates a fill cannot undo it and a fill is never counted twice.
  if (report.filledQuantity !== base.filledQuantity) {
    return refuse(
      order,
      'reconciled',
      'reconcile-conflict',
      `broker reports ${report.filledQuantity} filled, we hold ${base.filledQuantity}; apply the trade book first`,
    );
  }
  const next: OrderBase = { ...base, quantity: report.quantity, pricing: report.pricing ?? base.pricing };
  const details: AuditDetails = {
    brokerOrderId: report.brokerOrderId,
    brokerStatus: report.status,
    quantity: report.quantity,
    filledQuantity: report.filledQuantity,
    reason: report.reason ?? null,
  };
  const id = report.brokerOrderId;
  const reason = report.reason ?? `broker reports ${report.status}`;
  switch (report.status) {
    case 'open':
      return ok(next, restingState(next, id), details);
    case 'filled':
      if (next.filledQuantity !== next.quantity) {
        return refuse(
          order,
          'reconciled',
          'reconcile-conflict',
          'broker reports filled but quantity is open',
        );
      }
      return ok(next, { status: 'filled', brokerOrderId: id }, details);
    case 'cancelled':
      return ok(next, { status: 'cancelled', brokerOrderId: id, reason }, details);
    case 'expired':
      return ok(next, { status: 'expired', brokerOrderId: id }, details);
    case 'rejected':
      if (next.filledQuantity > 0) {
        return refuse(order, 'reconciled', 'reconcile-conflict', 'broker reports rejected after fills');
      }
      return ok(next, { status: 'rejected', brokerOrderId: id, reason }, details);
  }
}

/** Applies events in order; refusals are collected beside the audit rows and do not stop the run. */
export function applyEvents(
  order: Order,
  events: readonly OrderEvent[],
): { order: Order; audit: OrderAuditEvent[]; refusals: OrderRefusal[] } {
  let current = order;
  const audit: OrderAuditEvent[] = [];
  const refusals: OrderRefusal[] = [];
  for (const event of events) {
    const result = transition(current, event);
    if (result.ok) {
      current = result.order;
      audit.push(result.audit);
    } else {
      refusals.push(result.refusal);
    }
  }
  return { order: current, audit, refusals };
}
