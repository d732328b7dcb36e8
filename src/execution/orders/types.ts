import type { ErrorCode } from '../../core/errors.js';
import type { ExchangeSegment, InstrumentKind } from '../../core/instrument.js';
import type { Paise } from '../../core/money.js';

declare const orderIdBrand: unique symbol;
/** Our internal id for an order (a storage key); never sent to the broker. */
export type OrderId = string & { readonly [orderIdBrand]: true };

declare const clientOrderIdBrand: unique symbol;
/** The idempotency key sent to the broker as Angel's `ordertag` (see clientOrderId.ts for the format). */
export type ClientOrderId = string & { readonly [clientOrderIdBrand]: true };

export function orderId(text: string): OrderId {
  if (text.length === 0) throw new RangeError('an order id must not be empty');
  return text as OrderId;
}

export const ORDER_STATUS = {
  new: 'new',
  submitted: 'submitted',
  accepted: 'accepted',
  partiallyFilled: 'partially-filled',
  filled: 'filled',
  cancelled: 'cancelled',
  rejected: 'rejected',
  expired: 'expired',
  pendingModify: 'pending-modify',
  pendingCancel: 'pending-cancel',
  unknown: 'unknown',
} as const;
export type OrderStatus = (typeof ORDER_STATUS)[keyof typeof ORDER_STATUS];
export const ORDER_STATUSES: readonly OrderStatus[] = Object.values(ORDER_STATUS);

const TERMINAL: ReadonlySet<OrderStatus> = new Set<OrderStatus>([
  'filled',
  'cancelled',
  'rejected',
  'expired',
]);

/** Filled, cancelled, rejected and expired orders take no further event. */
export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL.has(status);
}

export const ORDER_SIDE = { buy: 'BUY', sell: 'SELL' } as const;
export type OrderSide = (typeof ORDER_SIDE)[keyof typeof ORDER_SIDE];

export function oppositeSide(side: OrderSide): OrderSide {
  return side === 'BUY' ? 'SELL' : 'BUY';
}

export const TIME_IN_FORCE = { day: 'DAY', ioc: 'IOC' } as const;
export type TimeInForce = (typeof TIME_IN_FORCE)[keyof typeof TIME_IN_FORCE];

/** Angel's `producttype` values that index derivatives use. */
export const PRODUCT = { intraday: 'INTRADAY', carryForward: 'CARRYFORWARD' } as const;
export type Product = (typeof PRODUCT)[keyof typeof PRODUCT];

export const ORDER_TYPE = {
  limit: 'LIMIT',
  market: 'MARKET',
  stopLossLimit: 'STOPLOSS_LIMIT',
  stopLossMarket: 'STOPLOSS_MARKET',
} as const;
export type OrderType = (typeof ORDER_TYPE)[keyof typeof ORDER_TYPE];

/** Order type with exactly the prices it needs (paise). */
export type OrderPricing =
  | { type: 'LIMIT'; limitPricePaise: Paise }
  | { type: 'MARKET' }
  | { type: 'STOPLOSS_LIMIT'; limitPricePaise: Paise; triggerPricePaise: Paise }
  | { type: 'STOPLOSS_MARKET'; triggerPricePaise: Paise };

/** What an order needs to know about its instrument; copied from the instrument master. */
export interface OrderInstrument {
  token: string;
  symbol: string;
  exchange: ExchangeSegment;
  /** underlying name as the master spells it (NIFTY, BANKNIFTY, SENSEX) */
  underlying: string;
  kind: InstrumentKind;
  /** units per lot, from the master for this contract (old and new lots coexist in transitions) */
  lotSize: number;
  tickSizePaise: number;
  /** `YYYY-MM-DD` (IST) for derivatives */
  expiry?: string;
}

/** A bracket child knows its parent and its leg. */
export interface BracketLink {
  parentOrderId: OrderId;
  role: 'stop' | 'target';
}

/** An order as a strategy or user asks for it, before it has ids. */
export interface OrderSpec {
  instrument: OrderInstrument;
  side: OrderSide;
  /** units, not lots */
  quantity: number;
  pricing: OrderPricing;
  timeInForce: TimeInForce;
  product: Product;
  link?: BracketLink;
}

/** A requested change to a working order; absent fields stay as they are. */
export interface ModifyRequest {
  /** new total quantity in units (must stay above what has filled) */
  quantity?: number;
  limitPricePaise?: Paise;
  triggerPricePaise?: Paise;
}

/** Fields every order carries whatever its state. */
export interface OrderBase extends OrderSpec {
  orderId: OrderId;
  clientOrderId: ClientOrderId;
  filledQuantity: number;
  /** Σ fill quantity × fill price, exact; the average is derived from it so fills never drift */
  filledNotionalPaise: Paise;
  /** volume-weighted fill price rounded to the paisa; undefined before the first fill */
  averagePricePaise: Paise | undefined;
  /** broker trade ids already counted, so a fill reported twice (socket and poll) counts once */
  fillIds: readonly string[];
  createdAtMs: number;
  updatedAtMs: number;
  /** sequence number of this order's latest audit event (1 = created) */
  seq: number;
}

/** The operation whose answer never came when an order went to `unknown`. */
export type UnknownOperation = 'submit' | 'modify' | 'cancel';

/**
 * A pending request that the broker refuses falls back to accepted or partially-filled; which one follows
 * from the filled quantity, so the pending states do not store it (one source of truth).
 */
export type OrderState =
  | { status: 'new' }
  | { status: 'submitted'; submittedAtMs: number }
  | { status: 'accepted'; brokerOrderId: string }
  | { status: 'partially-filled'; brokerOrderId: string }
  | { status: 'filled'; brokerOrderId: string }
  | { status: 'cancelled'; brokerOrderId: string | undefined; reason: string }
  | { status: 'rejected'; brokerOrderId: string | undefined; reason: string }
  | { status: 'expired'; brokerOrderId: string | undefined }
  | { status: 'pending-modify'; brokerOrderId: string; requested: ModifyRequest }
  | {
      status: 'pending-cancel';
      brokerOrderId: string;
      /** a modification still in flight when the cancel was sent */
      pendingModify: ModifyRequest | undefined;
    }
  | { status: 'unknown'; brokerOrderId: string | undefined; operation: UnknownOperation; sinceMs: number };

export type Order = OrderBase & OrderState;

/** What the broker says about one order when we ask (order book row, after its fills were applied). */
export type BrokerOrderReport =
  | { found: false }
  | {
      found: true;
      brokerOrderId: string;
      status: 'open' | 'filled' | 'cancelled' | 'rejected' | 'expired';
      /** total quantity in units as the broker holds it (authoritative after a lost modify) */
      quantity: number;
      /** cumulative filled units; must equal ours (feed the trade book's fills first) */
      filledQuantity: number;
      pricing?: OrderPricing;
      reason?: string;
    };

/** Everything that can happen to an order; `atMs` is engine-clock time when it is applied. */
export type OrderEvent =
  | { type: 'submit-sent'; atMs: number }
  | { type: 'broker-accepted'; atMs: number; brokerOrderId: string }
  | {
      type: 'rejected';
      atMs: number;
      reason: string;
      /** risk: our gate; local: our validation; broker: the broker or exchange */
      source: 'risk' | 'local' | 'broker';
    }
  | {
      type: 'fill';
      atMs: number;
      /** the broker's trade id; duplicates are refused */
      fillId: string;
      brokerOrderId: string;
      quantity: number;
      pricePaise: Paise;
    }
  | { type: 'modify-sent'; atMs: number; changes: ModifyRequest }
  | { type: 'modify-accepted'; atMs: number }
  | { type: 'modify-rejected'; atMs: number; reason: string }
  | { type: 'cancel-sent'; atMs: number; reason: string }
  | { type: 'cancel-rejected'; atMs: number; reason: string }
  | { type: 'cancelled'; atMs: number; reason: string }
  | { type: 'expired'; atMs: number }
  /** the pending request (submit, modify or cancel) got no answer in time */
  | { type: 'timed-out'; atMs: number }
  | { type: 'reconciled'; atMs: number; report: BrokerOrderReport };

export type OrderEventType = OrderEvent['type'];

export type AuditDetails = Readonly<Record<string, string | number | boolean | null>>;

/**
 * One append-only audit row per transition (reference §4.4). `seq` counts per order from 1 (creation);
 * `from` is null only for the creation row.
 */
export interface OrderAuditEvent {
  seq: number;
  orderId: OrderId;
  clientOrderId: ClientOrderId;
  from: OrderStatus | null;
  to: OrderStatus;
  cause: OrderEventType | 'created';
  atMs: number;
  details: AuditDetails;
}

export const ORDER_REFUSAL = {
  /** the event is not legal in the order's state */
  illegalTransition: 'illegal-transition',
  /** the order is filled, cancelled, rejected or expired */
  terminal: 'terminal',
  /** a fill would take the filled quantity above the order quantity */
  overfill: 'overfill',
  /** a fill id already counted */
  duplicateFill: 'duplicate-fill',
  /** an acknowledgement repeated with the same broker id */
  duplicateEvent: 'duplicate-event',
  /** the event carries a broker order id other than the order's */
  brokerIdMismatch: 'broker-id-mismatch',
  /** a broker report disagrees with what we hold (fills, ids) */
  reconcileConflict: 'reconcile-conflict',
  /** malformed numbers, empty ids, time going backwards, nonsense modification */
  invalidEvent: 'invalid-event',
} as const;
export type OrderRefusalKind = (typeof ORDER_REFUSAL)[keyof typeof ORDER_REFUSAL];

/** A transition that did not happen, and why. `alert` asks a human (or reconciliation) to look. */
export interface OrderRefusal {
  kind: OrderRefusalKind;
  code: ErrorCode;
  orderId: OrderId;
  clientOrderId: ClientOrderId;
  status: OrderStatus | null;
  event: OrderEventType | 'created';
  message: string;
  alert: boolean;
  details: AuditDetails;
}

export type TransitionResult =
  | { ok: true; order: Order; audit: OrderAuditEvent }
  | { ok: false; refusal: OrderRefusal };
