import { type Paise, paise } from '../../core/money.js';
import { createOrder, transition } from './stateMachine.js';
import type {
  BrokerOrderReport,
  ClientOrderId,
  ModifyRequest,
  Order,
  OrderEvent,
  OrderEventType,
  OrderInstrument,
  OrderSpec,
} from './types.js';
import { orderId } from './types.js';

/** Test fixtures for order tests (not exported from the folder's index). */

export const NIFTY_CE: OrderInstrument = {
  token: '43215',
  symbol: 'NIFTY27JAN2625000CE',
  exchange: 'NFO',
  underlying: 'NIFTY',
  kind: 'option',
  lotSize: 65,
  tickSizePaise: 5,
  expiry: '2026-01-27',
};

/** 2026-01-20 10:00 IST in epoch ms */
export const T0 = Date.UTC(2026, 0, 20, 4, 30);

export function limitSpec(overrides: Partial<OrderSpec> = {}): OrderSpec {
  return {
    instrument: NIFTY_CE,
    side: 'BUY',
    quantity: 130,
    pricing: { type: 'LIMIT', limitPricePaise: paise(10_000) },
    timeInForce: 'DAY',
    product: 'INTRADAY',
    ...overrides,
  };
}

let idCounter = 0;
/** A new order with fresh ids; throws if the spec is refused. */
export function newOrder(spec: OrderSpec = limitSpec(), atMs = T0): Order {
  idCounter += 1;
  const result = createOrder(
    spec,
    {
      orderId: orderId(`o-${idCounter}`),
      clientOrderId: `IF260120${String(idCounter).padStart(7, '0')}` as ClientOrderId,
    },
    atMs,
  );
  if (!result.ok) throw new Error(result.refusal.message);
  return result.order;
}

/** An event built from the order it applies to (time one ms after its last update). */
export type EventOf = (order: Order) => OrderEvent;

const next = (o: Order) => o.updatedAtMs + 1;

export const ev = {
  submit: (): EventOf => (o) => ({ type: 'submit-sent', atMs: next(o) }),
  accept:
    (brokerOrderId = 'B1'): EventOf =>
    (o) => ({ type: 'broker-accepted', atMs: next(o), brokerOrderId }),
  reject:
    (source: 'risk' | 'local' | 'broker' = 'broker'): EventOf =>
    (o) => ({ type: 'rejected', atMs: next(o), reason: 'test reject', source }),
  fill:
    (quantity: number, pricePaise = 10_000, fillId?: string, brokerOrderId = 'B1'): EventOf =>
    (o) => ({
      type: 'fill',
      atMs: next(o),
      fillId: fillId ?? `F${o.fillIds.length + 1}`,
      brokerOrderId,
      quantity,
      pricePaise: pricePaise as Paise,
    }),
  modify:
    (changes: ModifyRequest = { limitPricePaise: paise(10_500) }): EventOf =>
    (o) => ({ type: 'modify-sent', atMs: next(o), changes }),
  modifyOk: (): EventOf => (o) => ({ type: 'modify-accepted', atMs: next(o) }),
  modifyNo: (): EventOf => (o) => ({ type: 'modify-rejected', atMs: next(o), reason: 'test' }),
  cancel: (): EventOf => (o) => ({ type: 'cancel-sent', atMs: next(o), reason: 'test' }),
  cancelNo: (): EventOf => (o) => ({ type: 'cancel-rejected', atMs: next(o), reason: 'test' }),
  cancelled: (): EventOf => (o) => ({ type: 'cancelled', atMs: next(o), reason: 'test' }),
  expire: (): EventOf => (o) => ({ type: 'expired', atMs: next(o) }),
  timeout: (): EventOf => (o) => ({ type: 'timed-out', atMs: next(o) }),
  reconcile:
    (report: BrokerOrderReport): EventOf =>
    (o) => ({ type: 'reconciled', atMs: next(o), report }),
};

/** A broker report for the default order (id B1). */
export function report(
  status: 'open' | 'filled' | 'cancelled' | 'rejected' | 'expired',
  quantity = 130,
  filledQuantity = 0,
): BrokerOrderReport {
  return { found: true, brokerOrderId: 'B1', status, quantity, filledQuantity };
}

/** One sample event of each type, for exhaustive illegal-transition checks. */
export const SAMPLE_EVENT: Record<OrderEventType, EventOf> = {
  'submit-sent': ev.submit(),
  'broker-accepted': ev.accept(),
  rejected: ev.reject(),
  fill: ev.fill(65),
  'modify-sent': ev.modify(),
  'modify-accepted': ev.modifyOk(),
  'modify-rejected': ev.modifyNo(),
  'cancel-sent': ev.cancel(),
  'cancel-rejected': ev.cancelNo(),
  cancelled: ev.cancelled(),
  expired: ev.expire(),
  'timed-out': ev.timeout(),
  reconciled: ev.reconcile(report('open')),
};

/** Applies events, throwing on the first refusal (for building fixtures). */
export function run(order: Order, ...events: EventOf[]): Order {
  let current = order;
  for (const make of events) {
    const result = transition(current, make(current));
    if (!result.ok) throw new Error(`fixture refused: ${result.refusal.message}`);
    current = result.order;
  }
  return current;
}
