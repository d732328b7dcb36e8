/**
 * Pure helpers that turn the manager's orders and position book into what the risk gate reads.
 */
import { paise } from '../../core/money.js';
import type { PnlView, RiskOpenOrder, RiskPosition } from '../../risk/index.js';
import type { ChargeFill } from '../charges/index.js';
import type { Order, OrderId, OrderInstrument } from '../orders/index.js';
import { isTerminal } from '../orders/index.js';
import type { PositionBook, ReconcileMismatch } from '../positions/index.js';

/** The position book's instrument key, `EXCHANGE:token` (e.g. `NFO:43650`), as venues report positions. */
export function instrumentKey(instrument: { exchange: string; token: string }): string {
  return `${instrument.exchange}:${instrument.token}`;
}

/**
 * Units an open order may still trade in the worst case: while a modification is in flight the venue may
 * already hold the larger quantity.
 */
export function worstRemaining(order: Order): number {
  let quantity = order.quantity;
  if (order.status === 'pending-modify' && order.requested.quantity !== undefined) {
    quantity = Math.max(quantity, order.requested.quantity);
  }
  if (order.status === 'pending-cancel' && order.pendingModify?.quantity !== undefined) {
    quantity = Math.max(quantity, order.pendingModify.quantity);
  }
  return Math.max(0, quantity - order.filledQuantity);
}

function limitOf(order: Order): number | undefined {
  const current = 'limitPricePaise' in order.pricing ? order.pricing.limitPricePaise : undefined;
  const requested =
    order.status === 'pending-modify'
      ? order.requested.limitPricePaise
      : order.status === 'pending-cancel'
        ? order.pendingModify?.limitPricePaise
        : undefined;
  if (current === undefined) return requested;
  if (requested === undefined) return current;
  // a buy may trade at the higher of the two while the change is in flight; a sell at the lower
  return order.side === 'BUY' ? Math.max(current, requested) : Math.min(current, requested);
}

/**
 * Working orders as the gate sees them. The two legs of a bracket are one-cancels-other, so only one of
 * them can add to (or take away from) a position: the pair counts once, as its larger leg. Without that a
 * stop and a target of 130 each would look like 260 units of selling against a 130-unit long.
 */
export function riskOpenOrders(orders: Iterable<Order>, excluding?: OrderId): RiskOpenOrder[] {
  const open: Order[] = [];
  const legs = new Map<OrderId, Order[]>();
  for (const order of orders) {
    if (isTerminal(order.status) || order.orderId === excluding) continue;
    if (order.link !== undefined) {
      const list = legs.get(order.link.parentOrderId) ?? [];
      list.push(order);
      legs.set(order.link.parentOrderId, list);
    } else {
      open.push(order);
    }
  }
  for (const list of legs.values()) {
    const largest = list.reduce((a, b) => (worstRemaining(b) > worstRemaining(a) ? b : a));
    open.push(largest);
  }
  return open.map((order) => {
    const row: RiskOpenOrder = {
      clientOrderId: order.clientOrderId,
      token: order.instrument.token,
      symbol: order.instrument.symbol,
      underlying: order.instrument.underlying,
      exchange: order.instrument.exchange,
      kind: order.instrument.kind,
      lotSize: order.instrument.lotSize,
      side: order.side,
      remainingQuantity: worstRemaining(order),
    };
    if ('brokerOrderId' in order && order.brokerOrderId !== undefined)
      row.brokerOrderId = order.brokerOrderId;
    const limit = limitOf(order);
    if (limit !== undefined) row.limitPricePaise = limit;
    return row;
  });
}

/**
 * Open positions (netted per instrument) as the gate sees them. `mismatches` from a failed reconcile make
 * it conservative: where book and venue disagree, only what both agree is held counts as a position, so an
 * "exit" can never turn into a new position at the venue.
 */
export function riskPositions(
  book: PositionBook,
  instrumentOf: (key: string) => OrderInstrument | undefined,
  mismatches: readonly ReconcileMismatch[] = [],
): RiskPosition[] {
  const venue = new Map(mismatches.map((m) => [m.instrument, m.brokerQuantity]));
  const rows: RiskPosition[] = [];
  for (const view of book.instrumentPositions()) {
    let net = view.quantity;
    const theirs = venue.get(view.instrument);
    if (theirs !== undefined) {
      net =
        Math.sign(net) === Math.sign(theirs) ? Math.sign(net) * Math.min(Math.abs(net), Math.abs(theirs)) : 0;
    }
    if (net === 0) continue;
    const instrument = instrumentOf(view.instrument);
    if (instrument === undefined) continue;
    const row: RiskPosition = {
      token: instrument.token,
      symbol: instrument.symbol,
      underlying: instrument.underlying,
      exchange: instrument.exchange,
      kind: instrument.kind,
      lotSize: instrument.lotSize,
      netQuantity: net,
      averagePricePaise: view.averagePricePaise,
    };
    if (view.markPricePaise !== null) row.markPaise = view.markPricePaise;
    rows.push(row);
  }
  return rows;
}

/** Today's P&L for the daily-loss checks: net of charges, unknown while an open position has no mark. */
export function pnlViewOf(book: PositionBook): PnlView {
  const day = book.dayAggregate();
  if (day.unmarkedOpenPositions > 0) {
    return { status: 'unknown', reason: `${day.unmarkedOpenPositions} open position(s) without a price` };
  }
  return {
    status: 'known',
    realisedPaise: day.realisedPaise - day.chargesPaise,
    unrealisedPaise: day.unrealisedPaise,
  };
}

/**
 * An order's fills rebuilt from its stored totals, with the exact notional: `filledNotionalPaise` split
 * into at most two prices a paisa apart (q − r units at ⌊N/q⌋, r units at ⌊N/q⌋ + 1). Positions, realised
 * P&L and turnover-based charges come out exactly as from the original fills.
 */
export function rebuiltFills(order: Order): { quantity: number; pricePaise: number }[] {
  const q = order.filledQuantity;
  if (q <= 0) return [];
  const n = order.filledNotionalPaise;
  const base = Math.floor(n / q);
  const remainder = n - base * q;
  const fills = [{ quantity: q - remainder, pricePaise: base }];
  if (remainder > 0) fills.push({ quantity: remainder, pricePaise: base + 1 });
  return fills.filter((f) => f.quantity > 0);
}

/** A charge line input for one fill of `order`, or undefined when the segment is not charged. */
export function chargeFillOf(
  order: Order,
  fill: { quantity: number; pricePaise: number; atMs: number },
): ChargeFill | undefined {
  const { exchange, kind } = order.instrument;
  if (exchange !== 'NFO' && exchange !== 'BFO' && exchange !== 'NSE' && exchange !== 'BSE') return undefined;
  if (kind !== 'option' && kind !== 'future') return undefined;
  return {
    exchange,
    kind,
    side: order.side,
    pricePaise: paise(fill.pricePaise),
    quantity: fill.quantity,
    atMs: fill.atMs,
  };
}
