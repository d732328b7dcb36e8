import type { ExchangeSegment } from '../../core/instrument.js';
import type {
  Actor,
  FundsView,
  QuoteView,
  RiskDenial,
  RiskEffect,
  RiskEvent,
  RiskLimits,
  TradingState,
} from '../../risk/index.js';
import type {
  BracketSpec,
  ClientOrderId,
  Order,
  OrderAuditEvent,
  OrderInstrument,
  OrderSpec,
} from '../orders/index.js';
import type { OrderMeta, OrderStore } from '../ports.js';
import type { DayAggregate, PositionView, ReconcileMismatch } from '../positions/index.js';

/**
 * The market as the order manager reads it. The platform adapts its market state (the Cache) to this:
 * latest top of book by token with the engine-clock time it arrived, and the underlying's price.
 */
export interface MarketView {
  /** best bid/ask/LTP of an instrument (paise); undefined when it was never quoted */
  quote(token: string): QuoteView | undefined;
  /** spot or near future of an underlying (NIFTY, BANKNIFTY, …), paise; for the margin estimate */
  underlyingPricePaise(underlying: string): number | undefined;
}

/**
 * Funds available for new orders, as last fetched (Angel RMS, or a paper capital). Synchronous: the
 * platform refreshes it in the background; the gate reads the cached figure. Absent → funds unknown → the
 * risk gate refuses every entry (fail closed).
 */
export interface FundsSource {
  funds(): FundsView;
}

/** The instrument master: lot size, tick and segment of a contract. An unknown contract is refused. */
export interface InstrumentLookup {
  instrument(exchange: ExchangeSegment, token: string): OrderInstrument | undefined;
}

export type { OrderMeta };

/** The order store as the manager uses it: the port itself (`append` takes the order's meta). */
export type ManagedOrderStore = OrderStore;

/** A new order as a strategy, the API or the signal sizer asks for it. */
export interface PlaceRequest extends Omit<OrderSpec, 'link'> {
  /** strategy id for P&L attribution; `manual` when absent */
  readonly strategy?: string;
  readonly signalId?: string;
  /** a key seen before returns the order it created, never a second order (kept for the process's life) */
  readonly idempotencyKey?: string;
  /** stop and target placed by the manager as separate orders once the entry fills */
  readonly bracket?: BracketSpec;
}

export interface PlaceResult {
  /** the order as it stands when the call returns (accepted, rejected, unknown, …) */
  readonly order: Order;
  /** true when an earlier call with the same idempotency key created the order */
  readonly duplicate: boolean;
  /** the risk rules that refused it; empty when the gate let it through */
  readonly denials: readonly RiskDenial[];
}

export interface ModifyResult {
  readonly order: Order;
  readonly denials: readonly RiskDenial[];
}

export type ReconcileStatus = 'unreconciled' | 'reconciling' | 'reconciled';

/**
 * Whether the manager's picture of orders and positions is vouched for by the venue. Until a reconcile
 * succeeds only exposure-reducing orders pass.
 */
export interface ManagerState {
  readonly status: ReconcileStatus;
  readonly sinceMs: number;
  /** why it is not reconciled (empty when reconciled) */
  readonly reason: string;
  /** position differences the last reconcile found */
  readonly mismatches: readonly ReconcileMismatch[];
  /** engine time the last reconcile succeeded; null before the first */
  readonly lastReconciledMs: number | null;
}

export interface ReconcileSummary {
  readonly ok: boolean;
  readonly checkedOrders: number;
  /** fills applied while the run lasted: the venue's that we lacked, and any reported meanwhile */
  readonly appliedFills: number;
  readonly problems: readonly string[];
  readonly mismatches: readonly ReconcileMismatch[];
}

/** Events the manager raises besides the risk engine's own. */
export type ManagerRiskEvent =
  | { readonly type: 'reconcile-state-changed'; readonly atMs: number; readonly state: ManagerState }
  /** something a human must look at: a refused venue event, an unprotected bracket, a store failure */
  | {
      readonly type: 'alert';
      readonly atMs: number;
      readonly message: string;
      readonly clientOrderId?: ClientOrderId;
      readonly details: Readonly<Record<string, string | number | boolean | null>>;
    }
  /** an effect of the kill switch the manager cannot carry out itself (broker logout) */
  | { readonly type: 'effect'; readonly atMs: number; readonly effect: RiskEffect };

/** Today's P&L, paise; `complete` is false while an open position has no price to mark it. */
export interface PnlSummary {
  readonly dateKey: string | null;
  readonly realisedPaise: number;
  readonly unrealisedPaise: number;
  readonly chargesPaise: number;
  /** realised + unrealised − charges */
  readonly netPaise: number;
  readonly complete: boolean;
  readonly byStrategy: Readonly<Record<string, DayAggregate>>;
}

/**
 * What the manager publishes; the platform forwards these to the bus and the hub. Each is raised after the
 * manager's own state holds the new value (cache, then publish).
 */
export type ManagerEvent =
  | { readonly type: 'order'; readonly order: Order; readonly meta: OrderMeta }
  | { readonly type: 'position'; readonly position: PositionView }
  | { readonly type: 'pnl'; readonly pnl: PnlSummary }
  /** risk: denials (rule and numbers), market→limit conversions, trading-state changes, refused commands */
  | { readonly type: 'risk'; readonly event: RiskEvent | ManagerRiskEvent };

export interface PositionsSnapshot {
  /** netted per instrument, as the venue holds them */
  readonly instruments: readonly PositionView[];
  /** per (instrument, strategy) */
  readonly strategies: readonly PositionView[];
  readonly knownState: 'known' | 'unknown';
}

export interface RiskSnapshot {
  readonly trading: TradingState;
  readonly reconcile: ManagerState;
  readonly limits: RiskLimits;
  readonly staleTokens: readonly string[];
  readonly counters: {
    readonly openOrders: number;
    readonly placed: number;
    readonly denied: number;
    readonly brokerRejects: number;
    readonly fills: number;
    readonly alerts: number;
    /** order messages counted in the last second, per exchange segment */
    readonly messagesLastSecond: Readonly<Partial<Record<ExchangeSegment, number>>>;
    /** broker rejects inside the reject-storm window */
    readonly recentRejects: number;
  };
}

export interface OrderDetail {
  readonly order: Order;
  readonly meta: OrderMeta;
  readonly audit: readonly OrderAuditEvent[];
}

export type OrdersQuery = { readonly open: true } | { readonly fromMs: number; readonly toMs: number };

export type { Actor };
