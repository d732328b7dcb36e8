import type { Paise } from '../core/money.js';
import type { Route } from '../risk/index.js';
import type {
  BrokerOrderReport,
  ClientOrderId,
  ModifyRequest,
  Order,
  OrderAuditEvent,
  OrderEvent,
  OrderId,
  OrderSide,
} from './orders/index.js';

/**
 * The edge between the order manager and a venue (paper or Angel One). The manager owns order state;
 * a client only carries requests out and events back, so one manager serves paper, live and backtest.
 *
 * Every request carries the order's `clientOrderId`, which the venue stores (Angel: `ordertag`), so an
 * order whose answer was lost is found again by that id and never re-sent.
 */
export interface ExecutionClient {
  readonly route: Route;
  /**
   * Sends a new order. Resolves with the venue's order id once the venue took it; rejects with an
   * `IfError` when the venue refused it (`refused: true` in the error's details → the order is rejected),
   * or when the answer is unknown (timeout, connection lost → the order goes to `unknown`).
   */
  submit(order: Order): Promise<{ brokerOrderId: string }>;
  /** Sends a modification of a working order (same error convention as `submit`). */
  modify(order: Order, change: ModifyRequest): Promise<void>;
  /** Sends a cancel of a working order (same error convention as `submit`). */
  cancel(order: Order): Promise<void>;
  /** The venue's view of one order, looked up by our client order id (reconciliation). */
  findOrder(clientOrderId: ClientOrderId): Promise<BrokerOrderLookup>;
  /** Every order the venue holds today with our tag, open or not (reconciliation at start). */
  orders(): Promise<readonly BrokerOrderLookup[]>;
  /** Net open positions at the venue. */
  positions(): Promise<readonly BrokerNetPosition[]>;
  /** Subscribes to asynchronous order events (acceptance, fills, cancels, rejects); returns unsubscribe. */
  onReport(listener: (report: ExecutionReport) => void): () => void;
  /** false while the venue's event stream is down (the manager then polls or refuses new orders). */
  isConnected(): boolean;
}

/** One fill as the venue reports it (trade book row). */
export interface BrokerFill {
  readonly fillId: string;
  readonly quantity: number;
  readonly pricePaise: Paise;
  readonly atMs: number;
}

/** A venue order found by client order id, with its fills so the manager can apply missing ones first. */
export interface BrokerOrderLookup {
  readonly clientOrderId: ClientOrderId | undefined;
  readonly report: BrokerOrderReport;
  readonly fills: readonly BrokerFill[];
}

export interface BrokerNetPosition {
  /** instrument key `EXCHANGE:token`, e.g. `NFO:43650` */
  readonly instrument: string;
  /** signed units: positive long, negative short */
  readonly quantity: number;
}

/** An asynchronous event from the venue about one of our orders, as an order-state-machine event. */
export interface ExecutionReport {
  readonly clientOrderId: ClientOrderId;
  readonly event: OrderEvent;
}

/** Facts about an order that the order itself does not carry: where it went and what asked for it. */
export interface OrderMeta {
  readonly route?: string;
  readonly strategy?: string;
  readonly signalId?: string;
}

/**
 * Where orders and their audit trail are kept. `append` is called before a request leaves for the venue
 * (write-ahead), so a crash after the send finds the order in `submitted` and reconciles it.
 */
export interface OrderStore {
  /**
   * Saves the order's latest state and its new audit rows in one transaction. `meta` is kept beside the
   * order; a later append without it leaves the stored values as they are.
   */
  append(order: Order, audit: readonly OrderAuditEvent[], meta?: OrderMeta): Promise<void>;
  /** Orders not in a terminal state (new, submitted, accepted, partially filled, pending, unknown). */
  openOrders(): Promise<readonly Order[]>;
  /** Orders created in [fromMs, toMs), newest first. */
  ordersBetween(fromMs: number, toMs: number): Promise<readonly Order[]>;
  order(orderId: OrderId): Promise<Order | undefined>;
  orderByClientId(clientOrderId: ClientOrderId): Promise<Order | undefined>;
  /** The meta stored with an order (strategy for P&L attribution after a restart); optional for stores. */
  meta?(orderId: OrderId): Promise<OrderMeta | undefined>;
  audit(orderId: OrderId): Promise<readonly OrderAuditEvent[]>;
  /** Client order ids stored for an IST day (`YYMMDD`, see `clientOrderIdDay`), to resume the counter. */
  clientOrderIdsOn(day: string): Promise<readonly ClientOrderId[]>;
}

/** Quantity and price helper for logs and API: side with a sign. */
export function signedQuantity(side: OrderSide, quantity: number): number {
  return side === 'BUY' ? quantity : -quantity;
}
