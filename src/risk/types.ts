import type { ExchangeSegment, InstrumentKind } from '../core/instrument.js';
import type { WindowLimit } from '../core/rateLimit.js';
import type { OrderInstrument, OrderPricing, OrderSide, TimeInForce } from '../execution/orders/index.js';

/** Risk rules, each the `rule` of a denial. */
export const RISK_RULE = {
  invalidOrder: 'invalid-order',
  tradingHalted: 'trading-halted',
  reducingOnly: 'reducing-only',
  stateUnknown: 'state-unknown',
  orderType: 'order-type',
  lotMultiple: 'lot-multiple',
  freezeQuantity: 'freeze-quantity',
  tickMultiple: 'tick-multiple',
  stalePrice: 'stale-price',
  priceBand: 'price-band',
  orderRate: 'order-rate',
  maxOpenOrders: 'max-open-orders',
  maxPosition: 'max-position',
  maxPremiumAtRisk: 'max-premium-at-risk',
  maxDailyLoss: 'max-daily-loss',
  margin: 'margin',
} as const;
export type RiskRule = (typeof RISK_RULE)[keyof typeof RISK_RULE];

/** Why an order may not leave, with the numbers behind it (`message` reads on its own). */
export interface RiskDenial {
  rule: RiskRule;
  message: string;
  values: Readonly<Record<string, number | string | boolean>>;
}

/** Where an order is sent. Routes in `limitOnlyRoutes` (Angel One) take no MARKET or IOC orders. */
export const ROUTE = { angelOne: 'angelone', paper: 'paper', backtest: 'backtest' } as const;
export type Route = (typeof ROUTE)[keyof typeof ROUTE];

export type RiskAction = 'place' | 'modify' | 'cancel';

/** An order message as the risk gate sees it. */
export interface RiskOrder {
  action: RiskAction;
  clientOrderId: string;
  instrument: OrderInstrument;
  side: OrderSide;
  /** total units of the order (for a modify, the new total) */
  quantity: number;
  /** units already traded (modify only; 0 otherwise) */
  filledQuantity?: number;
  pricing: OrderPricing;
  timeInForce: TimeInForce;
  route: Route;
}

/** One open position, signed (+ long, − short), in units. */
export interface RiskPosition {
  token: string;
  symbol: string;
  underlying: string;
  exchange: ExchangeSegment;
  kind: InstrumentKind;
  lotSize: number;
  netQuantity: number;
  averagePricePaise: number;
  /** latest price for marking, when the feed has one */
  markPaise?: number;
}

/** One working order at the broker. */
export interface RiskOpenOrder {
  clientOrderId: string;
  brokerOrderId?: string;
  token: string;
  symbol: string;
  underlying: string;
  exchange: ExchangeSegment;
  kind: InstrumentKind;
  lotSize: number;
  side: OrderSide;
  /** units still to trade */
  remainingQuantity: number;
  limitPricePaise?: number;
}

export interface ExposureLists {
  positions: readonly RiskPosition[];
  openOrders: readonly RiskOpenOrder[];
}

/**
 * Positions and working orders. `unknown` (e.g. after a restart, before reconciliation) makes the gate fail
 * closed; `lastKnown`, when given, is what it may use to recognise an order that reduces exposure.
 */
export type ExposureView =
  | ({ status: 'known' } & ExposureLists)
  | { status: 'unknown'; reason: string; lastKnown?: ExposureLists };

/** Today's P&L in paise (realised + unrealised, net of charges where the caller has them). */
export type PnlView =
  | { status: 'known'; realisedPaise: number; unrealisedPaise: number }
  | { status: 'unknown'; reason: string };

/** Funds the broker says are available for new orders (Angel RMS `availablecash` net of blocked margin). */
export type FundsView = { status: 'known'; availablePaise: number } | { status: 'unknown'; reason: string };

/** The latest quote of the order's instrument; `receivedAtMs` is engine-clock time of the last update. */
export interface QuoteView {
  ltpPaise?: number;
  bidPaise?: number;
  askPaise?: number;
  receivedAtMs: number;
}

/** Everything the gate reads besides its own state; built by the caller from the cache at `nowMs`. */
export interface RiskContext {
  nowMs: number;
  exposure: ExposureView;
  pnl: PnlView;
  funds: FundsView;
  quote: QuoteView | undefined;
  /** spot or near future of the underlying, for the margin estimate */
  underlyingPricePaise: number | undefined;
}

/** Who asked: roles as the gateway issues them; `system` is the engine itself (automatic triggers). */
export interface Actor {
  id: string;
  role: 'viewer' | 'trader' | 'admin' | 'system';
}

export const SYSTEM_ACTOR: Actor = { id: 'risk-engine', role: 'system' };

export type HaltTrigger = 'manual' | 'daily-loss' | 'reject-storm' | 'feed-stale';
export type ReduceTrigger = 'manual' | 'daily-loss-warning';

/** NautilusTrader's trading states: everything, only exposure-reducing orders, nothing but cancels. */
export type TradingState =
  | { status: 'active'; sinceMs: number }
  | { status: 'reducing'; sinceMs: number; trigger: ReduceTrigger; reason: string }
  | { status: 'halted'; sinceMs: number; trigger: HaltTrigger; reason: string };

export type TradingStatus = TradingState['status'];

/** The gate's own state; pass it in, keep what comes back. */
export interface RiskState {
  trading: TradingState;
  /** send times of order messages (place, modify, cancel) per exchange segment, oldest first */
  orderMessages: Readonly<Partial<Record<ExchangeSegment, readonly number[]>>>;
  /** broker rejects inside the reject-storm window, oldest first */
  rejectTimes: readonly number[];
  /**
   * Automatic daily-loss triggers fire once per breach: after an admin resumes (for instance to reducing,
   * to flatten), the same breach does not halt again until the loss has recovered below the level.
   */
  latched: { dailyLossHalt: boolean; dailyLossReduce: boolean };
  /** sequence number of the last risk event */
  seq: number;
}

export type RiskEvent =
  | {
      type: 'order-denied';
      seq: number;
      atMs: number;
      clientOrderId: string;
      action: RiskAction;
      rule: RiskRule;
      message: string;
      values: RiskDenial['values'];
    }
  | {
      type: 'order-converted';
      seq: number;
      atMs: number;
      clientOrderId: string;
      from: OrderPricing;
      to: OrderPricing;
      referencePaise: number;
      protectionPercent: number;
    }
  | {
      type: 'order-allowed';
      seq: number;
      atMs: number;
      clientOrderId: string;
      action: RiskAction;
      reducing: boolean;
      sendAtMs: number;
    }
  | {
      type: 'trading-state-changed';
      seq: number;
      atMs: number;
      from: TradingStatus;
      to: TradingStatus;
      trigger: HaltTrigger | ReduceTrigger | 'resume';
      reason: string;
      actor: Actor;
      values: Readonly<Record<string, number | string | boolean>>;
    }
  | {
      type: 'command-refused';
      seq: number;
      atMs: number;
      command: RiskCommand['type'];
      actor: Actor;
      code: 'IF_ERR_RISK_FORBIDDEN' | 'IF_ERR_VALIDATION';
      message: string;
    };

/** What the gate says about one order message. `order` may differ from the request (market → limit). */
export type RiskDecision =
  | {
      outcome: 'allowed';
      order: RiskOrder;
      /** engine time at which the message may leave (later than now only for paced cancels) */
      sendAtMs: number;
      reducing: boolean;
      state: RiskState;
      events: RiskEvent[];
    }
  | { outcome: 'denied'; denials: RiskDenial[]; state: RiskState; events: RiskEvent[] };

/** Effects the caller must carry out after a state change, in order. */
export type RiskEffect =
  | {
      kind: 'cancel-order';
      clientOrderId: string;
      brokerOrderId?: string;
      token: string;
      exchange: ExchangeSegment;
    }
  /** working orders are unknown: fetch the broker's order book and cancel everything open there */
  | { kind: 'cancel-all-at-broker'; reason: string }
  /** end the broker session (after the cancels have been sent) */
  | { kind: 'broker-logout'; reason: string };

/** Inputs to the kill switch and trading-state machine. */
export type RiskCommand =
  | { type: 'halt'; atMs: number; actor: Actor; reason: string }
  | { type: 'reduce'; atMs: number; actor: Actor; reason: string }
  | { type: 'resume'; atMs: number; actor: Actor; to: 'active' | 'reducing'; reason: string }
  | { type: 'broker-reject'; atMs: number; clientOrderId: string; reason: string }
  /** periodic look at P&L and feed health; `staleTokens` are instruments the feed validator flags stale */
  | { type: 'observe'; atMs: number; pnl: PnlView; staleTokens: readonly string[] };

export interface RiskStepResult {
  state: RiskState;
  events: RiskEvent[];
  effects: RiskEffect[];
}

/** Limits, all from configuration; `DEFAULT_RISK_LIMITS` documents where each default comes from. */
export interface RiskLimits {
  /** maximum units per order by underlying; an underlying without an entry is refused (fail closed) */
  freezeQuantity: Readonly<Record<string, number>>;
  /** date the freeze table was last checked against NSE/BSE circulars (they revise it monthly) */
  freezeQuantityAsOf: string;
  priceBand: {
    /** collar above ₹`absoluteBelowPaise`: the limit may be at most this % worse than the reference */
    percent: number;
    /** collar at or below ₹`absoluteBelowPaise`, in paise */
    absolutePaise: number;
    absoluteBelowPaise: number;
    /** a reference older than this is stale (engine ms) */
    maxQuoteAgeMs: number;
    /** market orders on limit-only routes become limits this % beyond the reference */
    marketProtectionPercent: number;
  };
  /** order-message windows per exchange segment (place, modify and cancel all count) */
  orderRate: readonly WindowLimit[];
  maxOpenOrders: number;
  /** gross lots per underlying (Σ over its contracts of the worst-case absolute position) */
  maxLotsPerUnderlying: { default: number; byUnderlying: Readonly<Record<string, number>> };
  maxPremiumAtRiskPaise: number;
  maxDailyLossPaise: number;
  /** share of the daily loss limit at which trading goes to reducing */
  dailyLossReduceFraction: number;
  margin: { spanPercent: number; exposurePercent: number; expiryDayExtraPercent: number };
  limitOnlyRoutes: readonly Route[];
  rejectStorm: { count: number; windowMs: number };
  /** end the broker session on a halt: on manual halts only, always, or never */
  logoutOnHalt: 'manual' | 'always' | 'never';
}
