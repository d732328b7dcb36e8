/**
 * The order manager: the only path from a strategy, a signal or a user to a venue, and the owner of order
 * state, positions and P&L. I/O goes only through its ports (order store, execution client, market view,
 * funds, instrument master) and time only through its `Clock`, so paper, live and backtest run this code.
 *
 * Invariants it keeps (reference reliability-and-security.md §1.9):
 * - I1 write-ahead: an order is stored (as `new`, then as `submitted`) before `client.submit` is called; a
 *   store failure means nothing is sent.
 * - I2 one venue order per client order id: an answer that never came makes the order `unknown`, and an
 *   `unknown` order is settled only by looking it up at the venue by its client order id, never re-sent.
 * - I3 positions are the sum of venue fills: every fill goes to the position book once (trade ids), also a
 *   late fill on an order we had already closed.
 * - I4 every order message passes the risk gate; while the picture is not reconciled, or an instrument has
 *   an order in `unknown`, only what reduces exposure passes (fail closed).
 *
 * Concurrency: Node runs one thing at a time, so every transition is applied synchronously to the
 * in-memory order (the cache), then published, then written to the store in order per order. Async steps
 * (store writes, venue calls) re-read the order when they resume; answers that arrive after the order
 * moved on are refused by the state machine and ignored.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import { type ErrorCode, IfError, isIfError } from '../../core/errors.js';
import { paise } from '../../core/money.js';
import { istDateKey, istMidnight } from '../../core/time.js';
import type { Component, ComponentHealth, ComponentState } from '../../engine/lifecycle.js';
import type { AuditLog } from '../../ops/audit.js';
import type { Logger } from '../../ops/logger.js';
import {
  type Actor,
  createRiskState,
  evaluateOrder,
  type ExposureView,
  type RiskContext,
  type RiskDenial,
  type RiskEvent,
  type RiskLimits,
  type RiskOrder,
  type RiskState,
  type RiskStepResult,
  stepRisk,
  SYSTEM_ACTOR,
  type TradingState,
} from '../../risk/index.js';
import {
  ANGEL_ONE_SCHEDULE,
  type ChargeFill,
  type ChargeSchedule,
  chargesForNextFill,
} from '../charges/index.js';
import {
  type AuditDetails,
  type BracketLink,
  type BracketSpec,
  bracketSpecError,
  type ClientOrderId,
  type ClientOrderIdSequence,
  clientOrderIdDay,
  createOrder,
  isTerminal,
  lastIssuedCounter,
  type ModifyRequest,
  nextClientOrderId,
  type Order,
  type OrderAuditEvent,
  type OrderEvent,
  type OrderId,
  type OrderInstrument,
  type OrderPricing,
  type OrderRefusal,
  type OrderSpec,
  orderId as toOrderId,
  parseClientOrderId,
  planBracket,
  startClientOrderIds,
  type TransitionResult,
  transition,
  type UnknownOperation,
} from '../orders/index.js';
import type { ExecutionClient, ExecutionReport } from '../ports.js';
import { PositionBook } from '../positions/index.js';
import {
  chargeFillOf,
  instrumentKey,
  pnlViewOf,
  rebuiltFills,
  riskOpenOrders,
  riskPositions,
} from './exposure.js';
import type {
  FundsSource,
  InstrumentLookup,
  ManagedOrderStore,
  ManagerEvent,
  ManagerRiskEvent,
  ManagerState,
  MarketView,
  ModifyResult,
  OrderDetail,
  OrderMeta,
  OrdersQuery,
  PlaceRequest,
  PlaceResult,
  PnlSummary,
  PositionsSnapshot,
  ReconcileSummary,
  RiskSnapshot,
} from './types.js';

export interface OrderManagerOptions {
  readonly clock: Clock;
  readonly store: ManagedOrderStore;
  readonly client: ExecutionClient;
  readonly market: MarketView;
  readonly instruments: InstrumentLookup;
  /** funds for the margin check; absent → unknown → entries are refused */
  readonly funds?: FundsSource;
  /** risk limits; a function is read at every check, so reloaded configuration applies to the next order */
  readonly limits: RiskLimits | (() => RiskLimits);
  /**
   * A position book already holding the account's fills (e.g. rebuilt from a fills table). Without one the
   * manager rebuilds today's positions from today's stored orders at start.
   */
  readonly book?: PositionBook;
  /** 1–4 upper-case letters; engines running side by side take distinct prefixes (default `IF`) */
  readonly clientOrderIdPrefix?: string;
  /** how long a venue call may stay unanswered before the order goes to `unknown` (default 10 s) */
  readonly requestTimeoutMs?: number;
  /** retry interval for lookups of unsettled orders and for a failed reconcile (default 5 s) */
  readonly retryMs?: number;
  /** period of the P&L / feed / connection check that feeds the automatic kill switch (default 1 s; 0 = off) */
  readonly observeIntervalMs?: number;
  readonly chargeSchedule?: ChargeSchedule;
  /**
   * The venue forgets everything when this process stops (the in-process paper venue, a backtest): stored
   * open orders are closed at start as gone with it, and positions start flat, instead of being reported
   * missing by reconciliation (which would leave the manager unreconciled for the rest of the day).
   */
  readonly ephemeralVenue?: boolean;
  /** where human actions (place, cancel, modify, kill, resume) are recorded */
  readonly auditLog?: AuditLog;
  readonly logger?: Logger;
}

const DEFAULT_PREFIX = 'IF';
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_RETRY_MS = 5_000;
const DEFAULT_OBSERVE_MS = 1_000;
/** strategy of orders placed by hand */
export const MANUAL_STRATEGY = 'manual';
/** strategy of fills whose order's strategy was not kept (orders reloaded after a restart) */
export const UNATTRIBUTED_STRATEGY = 'unattributed';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An order event before the manager stamps it with engine time. */
type EventBody = DistributiveOmit<OrderEvent, 'atMs'>;

interface BracketEntry {
  spec: BracketSpec | undefined;
  stop: OrderId | undefined;
  target: OrderId | undefined;
  /** alert messages already raised for this bracket, so a repeated plan does not repeat them */
  readonly alerted: Set<string>;
  /**
   * Cancels and resizes already issued (`cancel:<id>`, `modify:<id>:<qty>`). The planner is re-run after
   * every event; without this a venue that refuses a cancel ("order not open") would be asked forever.
   * A refused request is followed by a lookup instead, which settles the leg.
   */
  readonly issued: Set<string>;
}

type Gate = { allowed: true; pricing: OrderPricing } | { allowed: false; denials: RiskDenial[] };

type Resolution = { ok: true } | { ok: false; problem: string };

interface RequestTimer {
  readonly handle: TimerHandle;
  readonly orderId: OrderId;
  readonly operation: UnknownOperation;
  /** frees whoever waits for the request's outcome */
  readonly release: () => void;
}

const OPERATIONS: readonly UnknownOperation[] = ['submit', 'modify', 'cancel'];

function timerKey(orderId: OrderId, operation: UnknownOperation): string {
  return `${orderId}\u0000${operation}`;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** The venue refused the request (as opposed to: its answer is unknown). See `ExecutionClient.submit`. */
export function isVenueRefusal(error: unknown): boolean {
  if (isIfError(error) && error.params['refused'] === true) return true;
  if (typeof error === 'object' && error !== null && 'details' in error) {
    const details = (error as { details?: unknown }).details;
    return (
      typeof details === 'object' && details !== null && (details as { refused?: unknown }).refused === true
    );
  }
  return false;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function isWorking(order: Order): boolean {
  return order.status === 'accepted' || order.status === 'partially-filled';
}

/** Whether the order still waits for the answer to `operation`. */
function isPendingFor(order: Order, operation: UnknownOperation): boolean {
  switch (operation) {
    case 'submit':
      return order.status === 'submitted';
    case 'modify':
      return (
        order.status === 'pending-modify' ||
        (order.status === 'pending-cancel' && order.pendingModify !== undefined)
      );
    case 'cancel':
      return order.status === 'pending-cancel';
  }
}

function denialDetails(denials: readonly RiskDenial[]): AuditDetails {
  const details: Record<string, string | number | boolean | null> = {
    rules: denials.map((d) => d.rule).join(','),
  };
  for (const denial of denials) {
    for (const [key, value] of Object.entries(denial.values)) details[`${denial.rule}.${key}`] = value;
  }
  return details;
}

/** Orders move by the engine clock; a venue stamp from another clock is never trusted for ordering. */
export class OrderManager implements Component {
  readonly name = 'order-manager';
  /** trading problems (unreconciled, halted) do not make the platform's market data unready */
  readonly critical = false;

  private readonly clock: Clock;
  private readonly store: ManagedOrderStore;
  private readonly client: ExecutionClient;
  private readonly market: MarketView;
  private readonly instrumentMaster: InstrumentLookup;
  private readonly fundsSource: FundsSource | undefined;
  private readonly limitsOf: () => RiskLimits;
  private readonly book: PositionBook;
  private readonly rebuildBook: boolean;
  private readonly ephemeralVenue: boolean;
  private readonly prefix: string;
  private readonly requestTimeoutMs: number;
  private readonly retryMs: number;
  private readonly observeIntervalMs: number;
  private readonly schedule: ChargeSchedule;
  private readonly auditLog: AuditLog | undefined;
  private readonly logger: Logger | undefined;

  private lifecycle: ComponentState = 'created';
  private sequence: ClientOrderIdSequence | undefined;
  private riskState: RiskState;
  private reconcileState: ManagerState;
  private connected = true;

  /** every order this process knows: open ones always, closed ones once seen */
  private readonly live = new Map<OrderId, Order>();
  private readonly byClientId = new Map<string, OrderId>();
  private readonly metaOf = new Map<OrderId, OrderMeta>();
  /** audit rows applied in memory and not yet in the store, oldest first */
  private readonly pendingAudit = new Map<OrderId, OrderAuditEvent[]>();
  /** one write at a time per order, in order */
  private readonly writeChains = new Map<OrderId, Promise<void>>();
  /** orders between creation and the venue call (write-ahead in progress); reconcile leaves them alone */
  private readonly placing = new Set<OrderId>();
  /** venue calls not answered yet, per order */
  private readonly unsettled = new Map<OrderId, Set<UnknownOperation>>();
  /** per order and operation: the timeout of a venue request and who waits for its outcome */
  private readonly requestTimers = new Map<string, RequestTimer>();
  /** cancels asked for but not sendable yet (no venue id, an answer outstanding, or paced) */
  private readonly cancelWanted = new Map<OrderId, string>();
  private readonly cancelScheduled = new Set<OrderId>();
  private readonly resolving = new Set<OrderId>();
  /** orders being settled from a lookup in one batch; their pending cancel waits for the end of it */
  private readonly settling = new Set<OrderId>();
  /** lookups asked for while one was running, with the shortest delay asked */
  private readonly resolveAgain = new Map<OrderId, number>();
  private readonly brackets = new Map<OrderId, BracketEntry>();
  private readonly planQueue = new Set<OrderId>();
  /** brackets whose leg was turned away by the gate, waiting to be planned again */
  private readonly replanning = new Set<OrderId>();
  private planning = false;
  private applyDepth = 0;
  private readonly idempotency = new Map<string, Promise<PlaceResult>>();
  /** charge inputs of each order's fills so far: the next fill is charged as the increment */
  private readonly chargeFills = new Map<OrderId, ChargeFill[]>();
  private readonly instrumentsByKey = new Map<string, OrderInstrument>();
  /** position-book fill ids (`clientOrderId/tradeId`) booked, so a charge is never computed twice */
  private readonly bookedFills = new Set<string>();
  private readonly staleTokens = new Set<string>();
  /** reports for client ids not in memory yet, kept in arrival order while the store is read */
  private readonly loading = new Map<string, ExecutionReport[]>();
  private readonly timers = new Set<TimerHandle>();
  private observeTimer: TimerHandle | undefined;
  private unsubscribe: (() => void) | undefined;
  private reconcileRun: Promise<ReconcileSummary> | undefined;
  private reconcileAgain = false;
  /** problems raised by events while a reconcile runs; they fail that run */
  private readonly runProblems: string[] = [];
  private lastReconcileAttemptMs = Number.NEGATIVE_INFINITY;
  private lastPnl: string | undefined;
  private storeFailing = false;
  /** IST day (`YYYY-MM-DD`) whose orders memory holds; older closed orders are dropped when it changes */
  private dayKey: string;
  private readonly listeners: ((event: ManagerEvent) => void)[] = [];
  private readonly counters = { placed: 0, denied: 0, brokerRejects: 0, fills: 0, alerts: 0 };

  constructor(options: OrderManagerOptions) {
    this.clock = options.clock;
    this.store = options.store;
    this.client = options.client;
    this.market = options.market;
    this.instrumentMaster = options.instruments;
    this.fundsSource = options.funds;
    const limits = options.limits;
    this.limitsOf = typeof limits === 'function' ? limits : () => limits;
    this.book = options.book ?? new PositionBook({ knownState: 'unknown' });
    this.ephemeralVenue = options.ephemeralVenue ?? false;
    this.rebuildBook = options.book === undefined && !this.ephemeralVenue;
    this.prefix = options.clientOrderIdPrefix ?? DEFAULT_PREFIX;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
    this.observeIntervalMs = options.observeIntervalMs ?? DEFAULT_OBSERVE_MS;
    this.schedule = options.chargeSchedule ?? ANGEL_ONE_SCHEDULE;
    this.auditLog = options.auditLog;
    this.logger = options.logger;
    const now = this.clock.now();
    this.dayKey = istDateKey(now);
    this.riskState = createRiskState(now);
    this.reconcileState = {
      status: 'unreconciled',
      sinceMs: now,
      reason: 'not reconciled with the venue since start',
      mismatches: [],
      lastReconciledMs: null,
    };
    // fail fast on a bad prefix, before anything is stored
    startClientOrderIds(this.prefix, now);
  }

  // ───────────────────────────── lifecycle ─────────────────────────────

  /**
   * Resumes the day's client order ids from the store, loads open orders (and today's fills into the book),
   * subscribes to the venue's reports and reconciles. A failed reconcile does not fail start: the manager
   * stays `unreconciled` (reductions only) and retries.
   */
  async start(): Promise<void> {
    if (this.lifecycle !== 'created' && this.lifecycle !== 'stopped') return;
    this.lifecycle = 'starting';
    const now = this.clock.now();
    try {
      const day = clientOrderIdDay(now);
      const ids = await this.store.clientOrderIdsOn(day);
      this.sequence = startClientOrderIds(this.prefix, now, lastIssuedCounter(ids, this.prefix, day));
      await this.loadFromStore(now);
    } catch (error) {
      // without the day's ids a fresh counter could reissue one that reached the venue: no trading
      this.lifecycle = 'failed';
      throw error;
    }
    this.unsubscribe = this.client.onReport((report) => this.onReport(report));
    this.connected = this.client.isConnected();
    if (this.observeIntervalMs > 0) {
      this.observeTimer = this.clock.setInterval(() => this.observe(), this.observeIntervalMs);
    }
    this.lifecycle = 'running';
    await this.reconcile();
    // brackets restored from the store place the legs the previous process did not
    this.drainPlans();
  }

  /** Stops timers and the report subscription and writes what is pending. Orders at the venue stay. */
  async stop(): Promise<void> {
    if (this.lifecycle !== 'running' && this.lifecycle !== 'starting') return;
    this.lifecycle = 'stopping';
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.observeTimer !== undefined) this.clock.clearTimer(this.observeTimer);
    this.observeTimer = undefined;
    for (const handle of this.timers) this.clock.clearTimer(handle);
    this.timers.clear();
    for (const timer of this.requestTimers.values()) {
      this.clock.clearTimer(timer.handle);
      timer.release();
    }
    this.requestTimers.clear();
    try {
      await this.flushAll();
    } catch (error) {
      this.logger?.error({ err: error }, 'order manager stopped with unwritten order events');
    }
    this.lifecycle = 'stopped';
  }

  health(): ComponentHealth {
    const facts = {
      reconcile: this.reconcileState.status,
      trading: this.riskState.trading.status,
      openOrders: this.openOrderList().length,
    };
    if (this.lifecycle === 'running' && this.reconcileState.status !== 'reconciled') {
      return { state: 'degraded', detail: this.reconcileState.reason, facts };
    }
    if (this.lifecycle === 'running' && this.riskState.trading.status === 'halted') {
      return { state: 'degraded', detail: `trading halted: ${this.riskState.trading.reason}`, facts };
    }
    return { state: this.lifecycle, facts };
  }

  /** Subscribes to order, position, P&L and risk events; returns unsubscribe. */
  onEvent(listener: (event: ManagerEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  /** Whether orders and positions are vouched for by the venue. */
  state(): ManagerState {
    return this.reconcileState;
  }

  // ───────────────────────────── commands ─────────────────────────────

  /**
   * Places an order: risk gate, write-ahead, venue call. Resolves once the venue answered, refused, or
   * the answer was lost (`unknown`); a denial resolves with the rejected order and the rules. Throws only
   * for input that cannot make an order (unknown instrument, bad numbers) or when not running.
   */
  place(request: PlaceRequest, actor: Actor): Promise<PlaceResult> {
    try {
      requireRole(actor, ['trader', 'admin', 'system'], 'place orders');
      const key = request.idempotencyKey;
      if (key !== undefined) {
        const earlier = this.idempotency.get(key);
        if (earlier !== undefined) {
          return earlier.then((result) => ({
            ...result,
            order: this.live.get(result.order.orderId) ?? result.order,
            duplicate: true,
          }));
        }
      }
      const started = this.beginPlace(request, undefined, actor);
      if (started.orderId === undefined) throw new IfError('IF_ERR_INTERNAL', { detail: 'order dropped' });
      if (key !== undefined) this.idempotency.set(key, started.result);
      return started.result;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Cancels an order. A working order gets a cancel through the gate's pacing; an order without a venue id
   * yet (new, submitted) or in `unknown` is cancelled as soon as that is possible. Resolves with the order
   * as it stands (usually `pending-cancel`; the venue's confirmation arrives as a report).
   */
  async cancel(id: OrderId, actor: Actor, reason?: string): Promise<Order> {
    requireRole(actor, ['trader', 'admin', 'system'], 'cancel orders');
    this.requireRunning('cancels are not accepted');
    const order = await this.findOrder(id);
    if (order === undefined) throw new IfError('IF_ERR_NOT_FOUND', { what: `order ${id}` });
    if (isTerminal(order.status)) {
      throw new IfError('IF_ERR_ORDER_TRANSITION', {
        clientOrderId: order.clientOrderId,
        status: order.status,
        event: 'cancel-sent',
        detail: `the order is already ${order.status}`,
      });
    }
    this.recordAction(actor, 'order.cancel', id, { clientOrderId: order.clientOrderId });
    this.requestCancel(id, reason ?? `cancelled by ${actor.id}`);
    return this.live.get(id) ?? order;
  }

  /** Modifies a working order (quantity in units, limit or trigger), through the risk gate. */
  async modify(id: OrderId, change: ModifyRequest, actor: Actor): Promise<ModifyResult> {
    requireRole(actor, ['trader', 'admin', 'system'], 'modify orders');
    this.requireRunning('modifications are not accepted');
    const order = this.live.get(id);
    if (order === undefined) throw new IfError('IF_ERR_NOT_FOUND', { what: `open order ${id}` });
    if (!isWorking(order)) {
      throw new IfError('IF_ERR_ORDER_TRANSITION', {
        clientOrderId: order.clientOrderId,
        status: order.status,
        event: 'modify-sent',
        detail: 'only a working order with no request in flight can be modified',
      });
    }
    this.recordAction(actor, 'order.modify', id, {
      clientOrderId: order.clientOrderId,
      quantity: change.quantity ?? null,
      limitPricePaise: change.limitPricePaise ?? null,
      triggerPricePaise: change.triggerPricePaise ?? null,
    });
    return this.modifyInternal(id, change);
  }

  /**
   * The kill switch: trading halts (only cancels pass) and every open order is cancelled, paced inside the
   * order-rate windows. Pressing it again while halted sweeps open orders again. A broker logout, when
   * configured, is raised as an `effect` event for the platform to carry out.
   */
  async kill(actor: Actor, reason: string): Promise<TradingState> {
    const step = stepRisk(
      this.riskState,
      { type: 'halt', atMs: this.clock.now(), actor, reason },
      this.exposureView(),
      this.limitsOf(),
    );
    const forbidden = step.events.find(
      (e) => e.type === 'command-refused' && e.code === 'IF_ERR_RISK_FORBIDDEN',
    );
    this.takeStep(step);
    if (forbidden !== undefined) {
      this.recordAction(actor, 'risk.kill', '', { reason }, 'IF_ERR_RISK_FORBIDDEN');
      throw new IfError('IF_ERR_RISK_FORBIDDEN', {
        actor: actor.id,
        role: actor.role,
        command: 'halt trading',
        detail: 'only traders and admins may halt trading',
      });
    }
    // already halted: a second press still sweeps whatever is open now
    if (this.riskState.trading.status === 'halted') this.cancelAll(`kill switch: ${reason}`);
    this.recordAction(actor, 'risk.kill', '', { reason });
    return this.riskState.trading;
  }

  /** Leaves halted or reducing; admins only. */
  async resume(
    actor: Actor,
    to: 'active' | 'reducing' = 'active',
    reason = 'resumed',
  ): Promise<TradingState> {
    const step = stepRisk(
      this.riskState,
      { type: 'resume', atMs: this.clock.now(), actor, to, reason },
      this.exposureView(),
      this.limitsOf(),
    );
    this.takeStep(step);
    const refused = step.events.find((e) => e.type === 'command-refused');
    if (refused !== undefined && refused.type === 'command-refused') {
      this.recordAction(actor, 'risk.resume', '', { to, reason }, refused.code);
      if (refused.code === 'IF_ERR_RISK_FORBIDDEN') {
        throw new IfError('IF_ERR_RISK_FORBIDDEN', {
          actor: actor.id,
          role: actor.role,
          command: 'resume trading',
          detail: 'only an admin may resume trading',
        });
      }
      throw new IfError('IF_ERR_VALIDATION', { detail: refused.message });
    }
    this.recordAction(actor, 'risk.resume', '', { to, reason });
    return this.riskState.trading;
  }

  /** The feed validator flagged `token` stale: a held instrument without prices halts trading. */
  markStale(token: string): void {
    this.staleTokens.add(token);
    if (this.lifecycle === 'running') this.observe();
  }

  markFresh(token: string): void {
    this.staleTokens.delete(token);
  }

  /**
   * Marks positions from the market view, feeds P&L and stale instruments to the automatic kill switch,
   * follows the venue connection (down → unreconciled; back → reconcile) and retries unwritten events.
   * Runs every `observeIntervalMs`; callable directly (backtests drive it from their clock).
   */
  observe(): void {
    if (this.lifecycle !== 'running') return;
    const now = this.clock.now();
    const today = istDateKey(now);
    if (today !== this.dayKey) {
      this.dayKey = today;
      this.forgetClosedBefore(istMidnight(now));
    }
    this.markPositions();
    const pnl = pnlViewOf(this.book);
    const step = stepRisk(
      this.riskState,
      { type: 'observe', atMs: now, pnl, staleTokens: [...this.staleTokens] },
      this.exposureView(),
      this.limitsOf(),
    );
    this.takeStep(step);
    this.publishPnl();

    const connected = this.client.isConnected();
    if (!connected && this.connected) {
      // reports may be missed while the stream is down: fills we do not see must not be traded on
      this.book.markUnknown();
      this.setReconcile('unreconciled', 'the venue event stream is disconnected');
    }
    if (connected && !this.connected) void this.reconcile();
    this.connected = connected;
    if (
      connected &&
      this.reconcileState.status === 'unreconciled' &&
      this.reconcileRun === undefined &&
      now - this.lastReconcileAttemptMs >= this.retryMs
    ) {
      void this.reconcile();
    }
    if (this.pendingAudit.size > 0) void this.flushAll().catch(() => undefined);
  }

  /**
   * Brings orders and positions in line with the venue: every open order is looked up by its client
   * order id (fills we lack applied first, then its state); `unknown` orders are settled only this way;
   * today's closed orders are swept for late fills; finally the book's positions are compared with the
   * venue's. The manager is `reconciled` only if all of that succeeded.
   */
  reconcile(): Promise<ReconcileSummary> {
    if (this.reconcileRun !== undefined) {
      this.reconcileAgain = true;
      return this.reconcileRun;
    }
    const run = this.runReconcile().finally(() => {
      this.reconcileRun = undefined;
      if (this.reconcileAgain && this.lifecycle === 'running') {
        this.reconcileAgain = false;
        void this.reconcile();
      }
    });
    this.reconcileRun = run;
    return run;
  }

  /** Applies one venue event (the execution client calls this through its `onReport` subscription). */
  onReport(report: ExecutionReport): void {
    if (this.lifecycle !== 'running' && this.lifecycle !== 'starting') return;
    const id = this.byClientId.get(report.clientOrderId);
    if (id !== undefined) {
      this.applyVenueEvent(id, report.event);
      return;
    }
    const queued = this.loading.get(report.clientOrderId);
    if (queued !== undefined) {
      queued.push(report);
      return;
    }
    this.loading.set(report.clientOrderId, [report]);
    this.store.orderByClientId(report.clientOrderId).then(
      (order) => {
        const reports = this.loading.get(report.clientOrderId) ?? [];
        this.loading.delete(report.clientOrderId);
        if (order === undefined) {
          this.alert(`venue reported ${reports[0]?.event.type ?? 'an event'} for an order we never stored`, {
            clientOrderId: report.clientOrderId,
          });
          return;
        }
        this.adopt(order, undefined);
        for (const r of reports) this.applyVenueEvent(order.orderId, r.event);
      },
      (error: unknown) => {
        this.loading.delete(report.clientOrderId);
        // the events are lost to us; the venue still has them, so make reconciliation fetch them
        this.alert(`could not load order for a venue event: ${errorText(error)}`, {
          clientOrderId: report.clientOrderId,
        });
        this.book.markUnknown();
        this.setReconcile('unreconciled', 'a venue event could not be matched to a stored order');
      },
    );
  }

  // ───────────────────────────── queries ─────────────────────────────

  /** Open orders (from memory), or orders created in [fromMs, toMs) newest first (store, overlaid by memory). */
  async orders(query: OrdersQuery): Promise<Order[]> {
    if ('open' in query) {
      return this.openOrderList().sort((a, b) => b.createdAtMs - a.createdAtMs);
    }
    const stored = await this.store.ordersBetween(query.fromMs, query.toMs);
    const byId = new Map<OrderId, Order>();
    for (const order of stored) byId.set(order.orderId, this.newest(order));
    for (const order of this.live.values()) {
      if (order.createdAtMs >= query.fromMs && order.createdAtMs < query.toMs) byId.set(order.orderId, order);
    }
    return [...byId.values()].sort((a, b) => b.createdAtMs - a.createdAtMs);
  }

  /** One order with its whole audit trail (stored rows and any not yet written). */
  async order(id: OrderId): Promise<OrderDetail | undefined> {
    const order = await this.findOrder(id);
    if (order === undefined) return undefined;
    const stored = await this.store.audit(id);
    const lastSeq = stored.reduce((max, row) => Math.max(max, row.seq), 0);
    const pending = (this.pendingAudit.get(id) ?? []).filter((row) => row.seq > lastSeq);
    return { order, meta: this.metaOf.get(id) ?? {}, audit: [...stored, ...pending] };
  }

  positions(): PositionsSnapshot {
    this.markPositions();
    return {
      instruments: this.book.instrumentPositions(),
      strategies: this.book.strategyPositions(),
      knownState: this.book.knownState,
    };
  }

  pnl(): PnlSummary {
    this.markPositions();
    return this.pnlSummary();
  }

  risk(): RiskSnapshot {
    const now = this.clock.now();
    const limits = this.limitsOf();
    const messagesLastSecond: Partial<Record<string, number>> = {};
    for (const [segment, times] of Object.entries(this.riskState.orderMessages)) {
      messagesLastSecond[segment] = (times ?? []).filter((t) => t > now - 1_000 && t <= now).length;
    }
    return {
      trading: this.riskState.trading,
      reconcile: this.reconcileState,
      limits,
      staleTokens: [...this.staleTokens].sort(),
      counters: {
        openOrders: this.openOrderList().length,
        ...this.counters,
        messagesLastSecond,
        recentRejects: this.riskState.rejectTimes.filter((t) => t > now - limits.rejectStorm.windowMs).length,
      },
    };
  }

  // ───────────────────────────── placing ─────────────────────────────

  /**
   * The synchronous part of placing (ids, gate, registration) runs before the first await, so a repeated
   * idempotency key, a bracket plan run again, or a kill switch pressed meanwhile all see the order.
   */
  private beginPlace(
    request: PlaceRequest,
    link: BracketLink | undefined,
    actor: Actor,
  ): { orderId: OrderId; result: Promise<PlaceResult> } | { orderId: undefined; denials: RiskDenial[] } {
    this.requireRunning('orders are not accepted');
    const instrument = this.resolveInstrument(request.instrument);
    if (request.bracket !== undefined) {
      const error = bracketSpecError(request.side, request.bracket);
      if (error !== undefined) throw new IfError('IF_ERR_VALIDATION', { detail: `bracket: ${error}` });
    }
    const spec: OrderSpec = {
      instrument,
      side: request.side,
      quantity: request.quantity,
      pricing: request.pricing,
      timeInForce: request.timeInForce,
      product: request.product,
      ...(link === undefined ? {} : { link }),
    };
    const ids = this.nextIds();
    const now = this.clock.now();
    let created = createOrder(spec, ids, now);
    if (!created.ok) throw new IfError('IF_ERR_VALIDATION', { detail: created.refusal.message });
    const meta: OrderMeta = {
      route: this.client.route,
      strategy: request.strategy ?? MANUAL_STRATEGY,
      ...(request.signalId === undefined ? {} : { signalId: request.signalId }),
    };
    const gate = this.gate(created.order, 'place');
    // A bracket leg the gate turns away is not stored as a rejected leg (the planner would then give up
    // on protecting the position); the planner tries again later.
    if (!gate.allowed && link !== undefined) return { orderId: undefined, denials: gate.denials };
    if (gate.allowed && !samePricing(gate.pricing, spec.pricing)) {
      // a market order became a protected limit: the order we store and send is the limit
      const converted = createOrder({ ...spec, pricing: gate.pricing }, ids, now);
      if (converted.ok) created = converted;
    }
    const orderId = created.order.orderId;
    // The bracket rides in the creation row, so a restarted manager still knows to protect the entry.
    const audit =
      request.bracket === undefined
        ? created.audit
        : { ...created.audit, details: { ...created.audit.details, ...bracketDetails(request.bracket) } };
    this.register(created.order, audit, meta);
    this.counters.placed += 1;
    if (actor.role !== 'system') {
      this.recordAction(actor, 'order.place', orderId, {
        clientOrderId: created.order.clientOrderId,
        symbol: instrument.symbol,
        side: request.side,
        quantity: request.quantity,
      });
    }
    if (!gate.allowed) {
      this.counters.denied += 1;
      const reason = gate.denials.map((d) => d.message).join('; ');
      this.apply(orderId, { type: 'rejected', reason, source: 'risk' }, denialDetails(gate.denials));
      const denied = () => ({ order: this.current(orderId), duplicate: false, denials: gate.denials });
      // a failed write keeps the rows for the next write; the caller still learns the order was denied
      return { orderId, result: this.persist(orderId).then(denied, denied) };
    }
    if (request.bracket !== undefined) {
      this.brackets.set(orderId, {
        spec: request.bracket,
        stop: undefined,
        target: undefined,
        alerted: new Set(),
        issued: new Set(),
      });
    }
    const result = this.sendNew(orderId).then(() => ({
      order: this.current(orderId),
      duplicate: false,
      denials: [],
    }));
    return { orderId, result };
  }

  /** Write-ahead, then the venue call. Nothing is sent unless the `submitted` state is in the store. */
  private async sendNew(orderId: OrderId): Promise<void> {
    this.placing.add(orderId);
    try {
      if (!(await this.tryPersist(orderId))) {
        this.apply(orderId, {
          type: 'rejected',
          source: 'local',
          reason: 'order store unavailable; not sent',
        });
        return;
      }
      if (this.cancelledBeforeSend(orderId)) return;
      this.apply(orderId, { type: 'submit-sent' });
      if (!(await this.tryPersist(orderId))) {
        this.apply(orderId, {
          type: 'rejected',
          source: 'local',
          reason: 'order store unavailable; not sent',
        });
        return;
      }
      if (this.cancelledBeforeSend(orderId)) return;
    } finally {
      this.placing.delete(orderId);
    }
    if (this.lifecycle !== 'running') return;
    const order = this.current(orderId);
    await this.call(
      orderId,
      'submit',
      () => this.client.submit(order),
      // when a report got there first, the same id is refused as a duplicate and another id is flagged
      (ack) => void this.apply(orderId, { type: 'broker-accepted', brokerOrderId: ack.brokerOrderId }),
    );
  }

  /** A cancel (kill switch, bracket, user) that arrived while the order was being written: it never leaves. */
  private cancelledBeforeSend(orderId: OrderId): boolean {
    const reason = this.cancelWanted.get(orderId);
    if (reason === undefined) return false;
    this.apply(orderId, { type: 'cancelled', reason: `${reason} (before it was sent)` });
    void this.tryPersist(orderId);
    return true;
  }

  private async modifyInternal(orderId: OrderId, change: ModifyRequest): Promise<ModifyResult> {
    const order = this.current(orderId);
    let pricing = order.pricing;
    if (change.limitPricePaise !== undefined && 'limitPricePaise' in pricing) {
      pricing = { ...pricing, limitPricePaise: change.limitPricePaise };
    }
    if (change.triggerPricePaise !== undefined && 'triggerPricePaise' in pricing) {
      pricing = { ...pricing, triggerPricePaise: change.triggerPricePaise };
    }
    const gate = this.gate(order, 'modify', { quantity: change.quantity ?? order.quantity, pricing });
    if (!gate.allowed) return { order, denials: gate.denials };
    const sent = this.apply(orderId, { type: 'modify-sent', changes: change });
    if (!sent.ok) throw new IfError('IF_ERR_VALIDATION', { detail: sent.refusal.message });
    // a modification can add exposure, so it leaves only once it is written down
    if (!(await this.tryPersist(orderId))) {
      this.apply(orderId, { type: 'modify-rejected', reason: 'order store unavailable; not sent' });
      return { order: this.current(orderId), denials: [] };
    }
    const pending = this.current(orderId);
    if (!isPendingFor(pending, 'modify') || this.lifecycle !== 'running') {
      return { order: pending, denials: [] };
    }
    await this.call(
      orderId,
      'modify',
      () => this.client.modify(pending, change),
      () => undefined, // the venue confirms (or refuses) the change with a report; a lookup backs it up
    );
    return { order: this.current(orderId), denials: [] };
  }

  /** Asks for a cancel; sends it now, when the gate's pacing allows, or once the order can take one. */
  private requestCancel(orderId: OrderId, reason: string): void {
    const order = this.live.get(orderId);
    if (order === undefined || isTerminal(order.status)) return;
    if (!this.cancelWanted.has(orderId)) this.cancelWanted.set(orderId, reason);
    if (order.status === 'unknown') {
      this.scheduleResolve(orderId, 0);
      return;
    }
    if (!isWorking(order) && order.status !== 'pending-modify') return;
    if (this.cancelScheduled.has(orderId)) return;
    const riskOrder = this.riskOrderOf(order, 'cancel');
    const decision = evaluateOrder(this.riskState, riskOrder, this.riskContext(order), this.limitsOf());
    this.riskState = decision.state;
    this.publishRiskEvents(decision.events);
    if (decision.outcome === 'denied') {
      this.alert(`cancel refused by the gate: ${decision.denials.map((d) => d.message).join('; ')}`, {
        clientOrderId: order.clientOrderId,
      });
      return;
    }
    const delay = decision.sendAtMs - this.clock.now();
    this.cancelScheduled.add(orderId);
    const send = () => {
      this.cancelScheduled.delete(orderId);
      this.sendCancel(orderId, this.cancelWanted.get(orderId) ?? reason);
    };
    if (delay > 0) this.later(delay, send);
    else send();
  }

  private sendCancel(orderId: OrderId, reason: string): void {
    const order = this.live.get(orderId);
    if (order === undefined || (!isWorking(order) && order.status !== 'pending-modify')) return;
    const sent = this.apply(orderId, { type: 'cancel-sent', reason });
    if (!sent.ok) return;
    // Not waiting for the write: a cancel only reduces exposure and its outcome is found again by lookup.
    void this.call(
      orderId,
      'cancel',
      () => this.client.cancel(sent.order),
      () => undefined,
    );
  }

  private cancelAll(reason: string): void {
    for (const order of this.openOrderList()) this.requestCancel(order.orderId, reason);
  }

  /** The kill switch could not trust our order list: cancel whatever the venue has open with our ids. */
  private async cancelAllAtVenue(reason: string): Promise<void> {
    this.cancelAll(reason);
    let rows: Awaited<ReturnType<ExecutionClient['orders']>>;
    try {
      rows = await this.client.orders();
    } catch (error) {
      this.alert(`kill switch could not list venue orders: ${errorText(error)}`, {});
      return;
    }
    for (const row of rows) {
      if (!row.report.found || row.report.status !== 'open') continue;
      const order =
        row.clientOrderId === undefined ? undefined : await this.findByClientId(row.clientOrderId);
      if (order === undefined) {
        this.alert(`open venue order ${row.report.brokerOrderId} is not ours to cancel`, {
          brokerOrderId: row.report.brokerOrderId,
        });
        continue;
      }
      this.requestCancel(order.orderId, reason);
    }
  }

  // ───────────────────────────── venue calls ─────────────────────────────

  /**
   * One venue call with its answer handling. The returned promise settles when the venue answered,
   * refused, or the request timed out (whichever first); a late answer is still applied if the state
   * machine can take it.
   */
  private call<T>(
    orderId: OrderId,
    operation: UnknownOperation,
    invoke: () => Promise<T>,
    onAck: (value: T) => void,
  ): Promise<void> {
    const done = deferred();
    const open = this.unsettled.get(orderId) ?? new Set<UnknownOperation>();
    open.add(operation);
    this.unsettled.set(orderId, open);
    this.startRequestTimer(orderId, operation, done.resolve);
    let promise: Promise<T>;
    try {
      promise = invoke();
    } catch (error) {
      promise = Promise.reject(error);
    }
    const settle = () => {
      const set = this.unsettled.get(orderId);
      set?.delete(operation);
      if (set !== undefined && set.size === 0) this.unsettled.delete(orderId);
    };
    promise.then(
      (value) => {
        settle();
        if (this.lifecycle === 'running') onAck(value);
        done.resolve();
      },
      (error: unknown) => {
        settle();
        if (this.lifecycle === 'running') this.onCallFailed(orderId, operation, error);
        done.resolve();
      },
    );
    // answered by a report before the call returned: the waiter goes now, the call's answer still counts
    if (!isPendingFor(this.current(orderId), operation)) this.clearRequestTimer(timerKey(orderId, operation));
    return done.promise;
  }

  /**
   * Times a venue request out. Its waiter (`release`) is freed by the first of: the call's answer, the
   * venue's report moving the order on, or the timeout.
   */
  private startRequestTimer(orderId: OrderId, operation: UnknownOperation, release: () => void): void {
    const key = timerKey(orderId, operation);
    this.clearRequestTimer(key);
    const handle = this.clock.setTimeout(() => {
      this.requestTimers.delete(key);
      if (this.lifecycle === 'running') {
        const order = this.live.get(orderId);
        if (order !== undefined && isPendingFor(order, operation)) {
          // No answer from the call: the outcome is unknown. An answered call whose confirmation never
          // came stays pending. Either way only the venue's view settles it.
          if (this.unsettled.get(orderId)?.has(operation)) this.apply(orderId, { type: 'timed-out' });
          this.scheduleResolve(orderId, 0);
        }
      }
      release();
    }, this.requestTimeoutMs);
    this.requestTimers.set(key, { handle, orderId, operation, release });
  }

  private clearRequestTimer(key: string): void {
    const timer = this.requestTimers.get(key);
    if (timer === undefined) return;
    this.clock.clearTimer(timer.handle);
    this.requestTimers.delete(key);
    timer.release();
  }

  private onCallFailed(orderId: OrderId, operation: UnknownOperation, error: unknown): void {
    const order = this.live.get(orderId);
    if (order === undefined) return;
    const reason = errorText(error);
    const lost = order.status === 'unknown' && order.operation === operation;
    if (!isPendingFor(order, operation) && !lost) return; // the venue's reports already moved the order on
    if (isVenueRefusal(error)) {
      if (operation === 'submit') this.apply(orderId, { type: 'rejected', reason, source: 'broker' });
      else if (operation === 'modify' && !lost) this.apply(orderId, { type: 'modify-rejected', reason });
      else if (operation === 'cancel' && !lost) this.apply(orderId, { type: 'cancel-rejected', reason });
      else this.scheduleResolve(orderId, 0);
      return;
    }
    // the answer is unknown: the request may or may not have reached the venue; only a lookup can tell
    this.logger?.warn({ clientOrderId: order.clientOrderId, operation, err: reason }, 'venue answer lost');
    if (!lost) this.apply(orderId, { type: 'timed-out' });
    this.scheduleResolve(orderId, 0);
  }

  // ───────────────────────────── venue events ─────────────────────────────

  private applyVenueEvent(orderId: OrderId, event: OrderEvent): void {
    switch (event.type) {
      case 'broker-accepted':
      case 'fill':
      case 'modify-accepted':
      case 'modify-rejected':
      case 'cancel-rejected':
      case 'cancelled':
      case 'expired': {
        const { atMs: _ignored, ...body } = event;
        this.apply(orderId, body as EventBody);
        return;
      }
      case 'rejected':
        this.apply(orderId, { type: 'rejected', reason: event.reason, source: 'broker' });
        return;
      default:
        this.alert(`venue sent a ${event.type} event, which only the manager raises`, {
          clientOrderId: this.live.get(orderId)?.clientOrderId ?? null,
        });
    }
  }

  /**
   * Applies one event to an order: the state machine decides; the new order is cached, published, and
   * queued for the store; then the consequences (book, flights, pending cancels, brackets) follow.
   */
  private apply(orderId: OrderId, body: EventBody, extra?: AuditDetails): TransitionResult {
    const order = this.current(orderId);
    const event = { ...body, atMs: Math.max(this.clock.now(), order.updatedAtMs) } as OrderEvent;
    const result = transition(order, event);
    this.applyDepth += 1;
    try {
      if (!result.ok) {
        this.onRefused(order, event, result.refusal);
        return result;
      }
      const audit: OrderAuditEvent =
        extra === undefined
          ? result.audit
          : { ...result.audit, details: { ...result.audit.details, ...extra } };
      this.live.set(orderId, result.order);
      this.pushAudit(orderId, audit);
      this.publish({ type: 'order', order: result.order, meta: this.metaOf.get(orderId) ?? {} });
      void this.tryPersist(orderId);
      this.afterTransition(order, result.order, event);
      return result;
    } finally {
      this.applyDepth -= 1;
      if (this.applyDepth === 0) this.drainPlans();
    }
  }

  private afterTransition(before: Order, after: Order, event: OrderEvent): void {
    const id = after.orderId;
    if (event.type === 'fill') this.onFill(after, event);
    for (const operation of OPERATIONS) {
      if (!isPendingFor(after, operation)) this.clearRequestTimer(timerKey(id, operation));
    }
    if (isTerminal(after.status)) {
      this.cancelWanted.delete(id);
      this.cancelScheduled.delete(id);
    }
    if (event.type === 'rejected' && event.source === 'broker') this.onBrokerReject(after, event.reason);
    if (event.type === 'cancel-rejected') {
      // not retried automatically (a venue that keeps refusing would loop); a lookup tells what is true
      const wanted = this.cancelWanted.get(id);
      this.cancelWanted.delete(id);
      if (wanted !== undefined && this.riskState.trading.status === 'halted') {
        this.alert(`the venue refused a cancel while halted: ${event.reason}`, {
          clientOrderId: after.clientOrderId,
        });
      }
      this.scheduleResolve(id, 0);
    }
    if (event.type === 'modify-rejected') this.scheduleResolve(id, 0);
    const wanted = this.cancelWanted.get(id);
    if (
      wanted !== undefined &&
      !this.settling.has(id) &&
      before.status !== after.status &&
      (isWorking(after) || after.status === 'pending-modify')
    ) {
      this.requestCancel(id, wanted);
    }
    if (after.link !== undefined) this.planQueue.add(after.link.parentOrderId);
    if (this.brackets.has(id)) this.planQueue.add(id);
  }

  private onRefused(order: Order, event: OrderEvent, refusal: OrderRefusal): void {
    switch (refusal.kind) {
      case 'duplicate-fill':
      case 'duplicate-event':
        return; // the same news twice (socket and poll); counted once already
      case 'terminal':
        if (event.type === 'fill' && this.bookFill(order, event) === 'applied') {
          // The venue traded it, so the position holds it, whatever our record of the order says.
          this.alert(
            `fill ${event.fillId} arrived after the order was ${order.status}; booked to positions`,
            {
              clientOrderId: order.clientOrderId,
              fillId: event.fillId,
              quantity: event.quantity,
            },
          );
        }
        return;
      default:
        if (event.type === 'fill') {
          // A fill we cannot place (beyond the quantity, another venue id): real money the book may lack.
          // Entries stop until reconciliation matches positions with the venue.
          this.alert(refusal.message, { clientOrderId: order.clientOrderId, ...refusal.details });
          this.book.markUnknown();
          const problem = `a fill of ${order.clientOrderId} was refused: ${refusal.kind}`;
          if (this.reconcileRun !== undefined) {
            // the running reconcile must not end `reconciled`; the periodic retry tries again later
            this.runProblems.push(problem);
          } else {
            this.setReconcile('unreconciled', problem);
            void this.reconcile();
          }
          return;
        }
        if (refusal.alert) {
          this.alert(refusal.message, { clientOrderId: order.clientOrderId, ...refusal.details });
        } else {
          this.logger?.debug({ refusal: refusal.message }, 'order event refused');
        }
    }
  }

  private onFill(order: Order, event: Extract<OrderEvent, { type: 'fill' }>): void {
    this.counters.fills += 1;
    this.bookFill(order, event);
  }

  /** One venue fill into the position book with its charges (the order's charges increment). */
  private bookFill(
    order: Order,
    fill: { fillId: string; quantity: number; pricePaise: number; atMs: number },
  ): 'applied' | 'duplicate' | 'invalid' {
    const key = instrumentKey(order.instrument);
    this.instrumentsByKey.set(key, order.instrument);
    const bookFillId = `${order.clientOrderId}/${fill.fillId}`;
    if (this.bookedFills.has(bookFillId)) return 'duplicate';
    let chargesPaise = 0;
    let chargeInputs: ChargeFill[] | undefined;
    const chargeFill = chargeFillOf(order, fill);
    if (chargeFill !== undefined) {
      const previous = this.chargeFills.get(order.orderId) ?? [];
      try {
        chargesPaise = chargesForNextFill(previous, chargeFill, this.schedule).total;
        chargeInputs = [...previous, chargeFill];
      } catch (error) {
        this.alert(`charges for fill ${fill.fillId} could not be computed: ${errorText(error)}`, {
          clientOrderId: order.clientOrderId,
        });
      }
    }
    const strategy = this.metaOf.get(order.orderId)?.strategy ?? UNATTRIBUTED_STRATEGY;
    let outcome: 'applied' | 'duplicate';
    try {
      outcome = this.book.applyFill({
        fillId: bookFillId,
        instrument: key,
        strategy,
        side: order.side,
        quantity: fill.quantity,
        pricePaise: fill.pricePaise,
        chargesPaise,
        lotSize: order.instrument.lotSize,
        atMs: fill.atMs,
      });
    } catch (error) {
      // corrupt numbers from the venue never reach the book; positions are then not vouched for
      this.alert(`venue fill ${fill.fillId} refused by the position book: ${errorText(error)}`, {
        clientOrderId: order.clientOrderId,
      });
      this.book.markUnknown();
      if (this.reconcileRun !== undefined) this.runProblems.push(`fill ${fill.fillId} is invalid`);
      else
        this.setReconcile('unreconciled', `venue fill ${fill.fillId} of ${order.clientOrderId} is invalid`);
      return 'invalid';
    }
    this.bookedFills.add(bookFillId);
    if (outcome === 'duplicate') return outcome;
    if (chargeInputs !== undefined) this.chargeFills.set(order.orderId, chargeInputs);
    this.markInstrument(order.instrument);
    const netted = this.book.position(key);
    if (netted !== undefined) this.publish({ type: 'position', position: netted });
    const own = this.book.position(key, strategy);
    if (own !== undefined) this.publish({ type: 'position', position: own });
    this.publishPnl(true);
    return outcome;
  }

  private onBrokerReject(order: Order, reason: string): void {
    this.counters.brokerRejects += 1;
    const step = stepRisk(
      this.riskState,
      { type: 'broker-reject', atMs: this.clock.now(), clientOrderId: order.clientOrderId, reason },
      this.exposureView(),
      this.limitsOf(),
    );
    this.takeStep(step);
  }

  // ───────────────────────────── brackets ─────────────────────────────

  private drainPlans(): void {
    if (this.planning) return;
    this.planning = true;
    try {
      for (;;) {
        const next = this.planQueue.values().next();
        if (next.done === true) break;
        this.planQueue.delete(next.value);
        this.runPlan(next.value);
      }
    } finally {
      this.planning = false;
    }
  }

  private runPlan(parentId: OrderId): void {
    const entry = this.brackets.get(parentId);
    const parent = this.live.get(parentId);
    if (entry === undefined || parent === undefined || entry.spec === undefined) return;
    const stop = entry.stop === undefined ? undefined : this.live.get(entry.stop);
    const target = entry.target === undefined ? undefined : this.live.get(entry.target);
    const actions = planBracket({ parent, spec: entry.spec, stop, target });
    for (const action of actions) {
      switch (action.kind) {
        case 'place': {
          const meta = this.metaOf.get(parentId) ?? {};
          try {
            const child = this.beginPlace(
              {
                instrument: action.spec.instrument,
                side: action.spec.side,
                quantity: action.spec.quantity,
                pricing: action.spec.pricing,
                timeInForce: action.spec.timeInForce,
                product: action.spec.product,
                ...(meta.strategy === undefined ? {} : { strategy: meta.strategy }),
                ...(meta.signalId === undefined ? {} : { signalId: meta.signalId }),
              },
              { parentOrderId: parentId, role: action.role },
              SYSTEM_ACTOR,
            );
            if (child.orderId === undefined) {
              const rules = child.denials.map((d) => d.rule);
              this.bracketAlert(
                entry,
                parent,
                `bracket ${parent.clientOrderId}: ${action.role} leg denied (${rules.join(', ')}); retrying`,
                { role: action.role, rules: rules.join(',') },
              );
              // halted means stop; anything else (an unknown order on the instrument, the rate window,
              // a stale quote) passes, so the leg is tried again shortly
              if (!rules.includes('trading-halted')) this.replanLater(parentId);
              break;
            }
            void child.result.catch(() => undefined);
            if (action.role === 'stop') entry.stop = child.orderId;
            else entry.target = child.orderId;
          } catch (error) {
            this.bracketAlert(
              entry,
              parent,
              `bracket ${action.role} could not be placed: ${errorText(error)}`,
              {},
            );
          }
          break;
        }
        case 'modify': {
          const child = this.live.get(action.orderId);
          const key = `modify:${action.orderId}:${action.quantity}`;
          if (child !== undefined && isWorking(child) && !entry.issued.has(key)) {
            entry.issued.add(key);
            void this.modifyInternal(action.orderId, { quantity: action.quantity }).then(
              (result) => {
                if (result.denials.length > 0) {
                  this.bracketAlert(
                    entry,
                    parent,
                    `bracket ${action.role} resize to ${action.quantity} denied: ${result.denials.map((d) => d.rule).join(', ')}`,
                    {},
                  );
                }
              },
              (error: unknown) => this.alert(`bracket ${action.role} resize failed: ${errorText(error)}`, {}),
            );
          }
          break;
        }
        case 'cancel': {
          const key = `cancel:${action.orderId}`;
          if (entry.issued.has(key)) break;
          entry.issued.add(key);
          this.requestCancel(action.orderId, action.reason);
          break;
        }
        case 'alert':
          this.bracketAlert(entry, parent, action.message, action.details);
          break;
      }
    }
  }

  private replanLater(parentId: OrderId): void {
    if (this.replanning.has(parentId)) return;
    this.replanning.add(parentId);
    this.later(Math.min(this.retryMs, 1_000), () => {
      this.replanning.delete(parentId);
      this.planQueue.add(parentId);
      this.drainPlans();
    });
  }

  private bracketAlert(entry: BracketEntry, parent: Order, message: string, details: AuditDetails): void {
    if (entry.alerted.has(message)) return;
    entry.alerted.add(message);
    this.alert(message, { clientOrderId: parent.clientOrderId, ...details });
  }

  // ───────────────────────────── reconciliation ─────────────────────────────

  private async runReconcile(): Promise<ReconcileSummary> {
    this.lastReconcileAttemptMs = this.clock.now();
    this.setReconcile('reconciling', 'reconciling with the venue');
    this.runProblems.length = 0;
    const problems: string[] = [];
    let appliedFills = 0;
    let checked = 0;
    const fillsBefore = this.counters.fills;
    try {
      // retry writes that failed earlier, without waiting: memory is the truth here, and a hung store must
      // not keep the venue from being asked
      void this.flushAll().catch((error: unknown) => this.logger?.warn({ err: error }, 'order store behind'));
      const stored = await this.store.openOrders();
      for (const order of stored) this.adopt(order, undefined);
      this.rebuildBracketsFromLinks();
      for (const order of this.openOrderList()) {
        checked += 1;
        const result = await this.resolveOrder(order.orderId, true);
        if (!result.ok) problems.push(result.problem);
      }
      appliedFills += await this.sweepVenueOrders(problems);
      if (!this.client.isConnected()) problems.push('the venue event stream is disconnected');
      const venuePositions = await this.client.positions();
      problems.push(...this.runProblems.splice(0));
      const report = this.book.reconcile(venuePositions);
      appliedFills += this.counters.fills - fillsBefore;
      if (report.mismatches.length > 0) {
        problems.push(
          `positions differ from the venue: ${report.mismatches
            .map((m) => `${m.instrument} ours ${m.bookQuantity}, venue ${m.brokerQuantity}`)
            .join('; ')}`,
        );
      }
      if (problems.length > 0) {
        this.book.markUnknown();
        this.setReconcile('unreconciled', problems.join(' | '), report.mismatches);
      } else {
        this.setReconcile('reconciled', '', []);
      }
      return {
        ok: problems.length === 0,
        checkedOrders: checked,
        appliedFills,
        problems,
        mismatches: report.mismatches,
      };
    } catch (error) {
      problems.push(`reconcile failed: ${errorText(error)}`);
      this.book.markUnknown();
      this.setReconcile('unreconciled', problems.join(' | '));
      return { ok: false, checkedOrders: checked, appliedFills, problems, mismatches: [] };
    }
  }

  /**
   * Settles one order against the venue's view of it, found by client order id: missing fills first,
   * then the report. A `new` order that the venue does not have was never sent (write-ahead), so it is
   * closed locally. An order whose own request is still unanswered in this process is not declared
   * missing: the request may still arrive.
   */
  private async resolveOrder(orderId: OrderId, fromReconcile: boolean): Promise<Resolution> {
    const initial = this.live.get(orderId);
    if (initial === undefined || isTerminal(initial.status)) return { ok: true };
    // Our own request about it is still unanswered and not yet timed out: its answer, or the timeout and
    // a lookup after it, settles the order. A lookup now would race the request.
    if (this.placing.has(orderId)) return { ok: true };
    if (initial.status !== 'unknown' && (this.unsettled.get(orderId)?.size ?? 0) > 0) return { ok: true };
    let lookup: Awaited<ReturnType<ExecutionClient['findOrder']>>;
    try {
      lookup = await this.client.findOrder(initial.clientOrderId);
    } catch (error) {
      if (!fromReconcile) this.scheduleResolve(orderId, this.retryMs);
      return { ok: false, problem: `lookup of ${initial.clientOrderId} failed: ${errorText(error)}` };
    }
    const order = this.live.get(orderId);
    if (order === undefined || isTerminal(order.status)) return { ok: true };
    const report = lookup.report;
    const failed = (refusal: OrderRefusal): Resolution => {
      const problem = `${order.clientOrderId}: ${refusal.message}`;
      // the periodic reconcile retries; until then the picture is not vouched for
      if (!fromReconcile) this.setReconcile('unreconciled', problem);
      return { ok: false, problem };
    };

    if (!report.found) {
      if (this.unsettled.get(orderId)?.has('submit')) {
        // our submit may still be on its way to the venue; never call an order missing while it might arrive
        this.scheduleResolve(orderId, this.retryMs);
        return { ok: true };
      }
      if (order.status === 'new') {
        // stored before the venue call and the process stopped before making it (write-ahead)
        this.apply(orderId, {
          type: 'rejected',
          source: 'local',
          reason: 'never sent: stopped before the venue call',
        });
        return { ok: true };
      }
      const result = this.apply(orderId, { type: 'reconciled', report });
      return result.ok ? { ok: true } : failed(result.refusal);
    }

    // One batch: side effects (a pending cancel, the bracket planner) see only the settled order.
    this.applyDepth += 1;
    this.settling.add(orderId);
    try {
      if (order.status === 'new') {
        // cannot happen under write-ahead (the send follows the `submitted` write); recover, do not guess
        this.alert('an order stored as new was found at the venue', { clientOrderId: order.clientOrderId });
        this.apply(orderId, { type: 'submit-sent' });
      }
      if (order.status === 'unknown' && report.quantity !== order.quantity) {
        // A lost modification: `unknown` no longer knows the requested quantity, so fills for it would be
        // refused as overfill. The venue's quantity is authoritative; take it first, with our fills as
        // they are, then the fills we lack, then the venue's state.
        this.apply(orderId, {
          type: 'reconciled',
          report: {
            ...report,
            status: 'open',
            quantity: Math.max(report.quantity, order.filledQuantity),
            filledQuantity: order.filledQuantity,
          },
        });
      }
      // fills first: a report never adds fills, so it must find ours complete
      for (const fill of lookup.fills) {
        if (this.current(orderId).fillIds.includes(fill.fillId)) continue;
        this.apply(orderId, {
          type: 'fill',
          fillId: fill.fillId,
          brokerOrderId: report.brokerOrderId,
          quantity: fill.quantity,
          pricePaise: fill.pricePaise,
        });
      }
      if (isTerminal(this.current(orderId).status)) return { ok: true };
      const result = this.apply(orderId, { type: 'reconciled', report });
      return result.ok ? { ok: true } : failed(result.refusal);
    } finally {
      this.settling.delete(orderId);
      const settled = this.live.get(orderId);
      const wanted = this.cancelWanted.get(orderId);
      if (
        settled !== undefined &&
        wanted !== undefined &&
        (isWorking(settled) || settled.status === 'pending-modify')
      ) {
        this.requestCancel(orderId, wanted);
      }
      this.applyDepth -= 1;
      if (this.applyDepth === 0) this.drainPlans();
    }
  }

  /**
   * Looks an order up after `delayMs` (0: as soon as the current work is done); one lookup per order at a
   * time, and a request that arrives during one runs after it.
   */
  private scheduleResolve(orderId: OrderId, delayMs: number): void {
    if (this.lifecycle !== 'running') return;
    if (this.resolving.has(orderId)) {
      const again = this.resolveAgain.get(orderId);
      this.resolveAgain.set(orderId, again === undefined ? delayMs : Math.min(again, delayMs));
      return;
    }
    this.resolving.add(orderId);
    const run = () => {
      void this.resolveOrder(orderId, false).finally(() => {
        this.resolving.delete(orderId);
        const again = this.resolveAgain.get(orderId);
        this.resolveAgain.delete(orderId);
        if (again !== undefined) this.scheduleResolve(orderId, again);
      });
    };
    if (delayMs <= 0) queueMicrotask(run);
    else this.later(delayMs, run);
  }

  /**
   * Today's venue orders with our prefix: an order the store does not know breaks I2 and fails the
   * reconcile; a closed order whose venue fills we lack gets them booked to positions.
   */
  private async sweepVenueOrders(problems: string[]): Promise<number> {
    const rows = await this.client.orders();
    let applied = 0;
    for (const row of rows) {
      const id = row.clientOrderId;
      if (id === undefined || parseClientOrderId(id)?.prefix !== this.prefix) continue;
      const order = await this.findByClientId(id);
      if (order === undefined) {
        problems.push(`venue holds order ${id} that the store does not`);
        this.alert('venue holds an order with our tag that the store does not', { clientOrderId: id });
        continue;
      }
      if (!isTerminal(order.status)) continue; // open ones were settled one by one
      for (const fill of row.fills) {
        if (order.fillIds.includes(fill.fillId)) continue;
        if (this.bookFill(order, fill) === 'applied') {
          applied += 1;
          this.alert(`venue fill ${fill.fillId} of closed order booked to positions`, {
            clientOrderId: order.clientOrderId,
            fillId: fill.fillId,
          });
        }
      }
    }
    return applied;
  }

  private setReconcile(
    status: ManagerState['status'],
    reason: string,
    mismatches: ManagerState['mismatches'] = this.reconcileState.mismatches,
  ): void {
    const now = this.clock.now();
    const previous = this.reconcileState;
    if (previous.status === status && previous.reason === reason) return;
    this.reconcileState = {
      status,
      sinceMs: previous.status === status ? previous.sinceMs : now,
      reason,
      mismatches: status === 'reconciled' ? [] : mismatches,
      lastReconciledMs: status === 'reconciled' ? now : previous.lastReconciledMs,
    };
    this.publishRisk({ type: 'reconcile-state-changed', atMs: now, state: this.reconcileState });
  }

  // ───────────────────────────── risk plumbing ─────────────────────────────

  private gate(
    order: Order,
    action: 'place' | 'modify',
    change?: { quantity: number; pricing: OrderPricing },
  ): Gate {
    if (action === 'place') {
      // I8: an instrument with an order in `unknown` takes no new order until a lookup settles it
      for (const other of this.live.values()) {
        if (other.status === 'unknown' && other.instrument.token === order.instrument.token) {
          const denial: RiskDenial = {
            rule: 'state-unknown',
            message: `${order.instrument.symbol} has order ${other.clientOrderId} in unknown state; no new orders on it until the venue confirms it`,
            values: { clientOrderId: other.clientOrderId, since: other.sinceMs },
          };
          this.riskState = { ...this.riskState, seq: this.riskState.seq + 1 };
          this.publishRiskEvents([
            {
              type: 'order-denied',
              seq: this.riskState.seq,
              atMs: this.clock.now(),
              clientOrderId: order.clientOrderId,
              action,
              rule: denial.rule,
              message: denial.message,
              values: denial.values,
            },
          ]);
          return { allowed: false, denials: [denial] };
        }
      }
    }
    const riskOrder = this.riskOrderOf(order, action);
    if (change !== undefined) {
      riskOrder.quantity = change.quantity;
      riskOrder.pricing = change.pricing;
    }
    const decision = evaluateOrder(this.riskState, riskOrder, this.riskContext(order), this.limitsOf());
    this.riskState = decision.state;
    this.publishRiskEvents(decision.events);
    if (decision.outcome === 'denied') return { allowed: false, denials: decision.denials };
    return { allowed: true, pricing: decision.order.pricing };
  }

  private riskOrderOf(order: Order, action: RiskOrder['action']): RiskOrder {
    return {
      action,
      clientOrderId: order.clientOrderId,
      instrument: order.instrument,
      side: order.side,
      quantity: order.quantity,
      filledQuantity: order.filledQuantity,
      pricing: order.pricing,
      timeInForce: order.timeInForce,
      route: this.client.route,
    };
  }

  /** What the gate reads about `order`'s world now. Bracket legs are judged without their sibling (OCO). */
  private riskContext(order: Order): RiskContext {
    const parent = order.link?.parentOrderId;
    const skip = parent === undefined ? undefined : (o: Order) => o.link?.parentOrderId === parent;
    this.markPositions();
    return {
      nowMs: this.clock.now(),
      exposure: this.exposureView(skip),
      pnl: pnlViewOf(this.book),
      funds: this.fundsSource?.funds() ?? { status: 'unknown', reason: 'no funds source configured' },
      quote: this.market.quote(order.instrument.token),
      underlyingPricePaise: this.market.underlyingPricePaise(order.instrument.underlying),
    };
  }

  private exposureView(skip?: (order: Order) => boolean): ExposureView {
    const lists = {
      positions: riskPositions(this.book, (key) => this.instrumentFor(key), this.reconcileState.mismatches),
      openOrders: riskOpenOrders(
        skip === undefined ? this.live.values() : [...this.live.values()].filter((o) => !skip(o)),
      ),
    };
    if (this.reconcileState.status === 'reconciled' && this.book.knownState === 'known') {
      return { status: 'known', ...lists };
    }
    return {
      status: 'unknown',
      reason: this.reconcileState.reason || 'positions not reconciled with the venue',
      lastKnown: lists,
    };
  }

  private takeStep(step: RiskStepResult): void {
    const wasHalted = this.riskState.trading.status === 'halted';
    this.riskState = step.state;
    this.publishRiskEvents(step.events);
    for (const effect of step.effects) {
      if (effect.kind === 'cancel-all-at-broker') void this.cancelAllAtVenue(effect.reason);
      else if (effect.kind === 'broker-logout')
        this.publishRisk({ type: 'effect', atMs: this.clock.now(), effect });
    }
    if (!wasHalted && this.riskState.trading.status === 'halted') {
      // every open order, not only the gate's list (which counts a bracket pair once)
      const trading = this.riskState.trading;
      this.cancelAll(`trading halted (${trading.trigger}): ${trading.reason}`);
    }
  }

  // ───────────────────────────── store plumbing ─────────────────────────────

  private register(order: Order, audit: OrderAuditEvent, meta: OrderMeta): void {
    this.live.set(order.orderId, order);
    this.byClientId.set(order.clientOrderId, order.orderId);
    this.metaOf.set(order.orderId, meta);
    this.instrumentsByKey.set(instrumentKey(order.instrument), order.instrument);
    this.pushAudit(order.orderId, audit);
    this.publish({ type: 'order', order, meta });
  }

  private pushAudit(orderId: OrderId, row: OrderAuditEvent): void {
    const rows = this.pendingAudit.get(orderId);
    if (rows === undefined) this.pendingAudit.set(orderId, [row]);
    else rows.push(row);
  }

  /**
   * Writes the order's latest state with every audit row not yet stored, after any earlier write of the
   * same order. A failed write keeps its rows, so the next write carries them (the trail stays whole).
   */
  private persist(orderId: OrderId): Promise<void> {
    const run = async () => {
      const rows = this.pendingAudit.get(orderId);
      const order = this.live.get(orderId);
      if (rows === undefined || rows.length === 0 || order === undefined) return;
      const batch = rows.slice();
      await this.store.append(order, batch, this.metaOf.get(orderId));
      rows.splice(0, batch.length);
      if (rows.length === 0 && this.pendingAudit.get(orderId) === rows) this.pendingAudit.delete(orderId);
    };
    const previous = this.writeChains.get(orderId) ?? Promise.resolve();
    const next = previous.then(run);
    const tail = next.catch(() => undefined);
    this.writeChains.set(orderId, tail);
    void tail.then(() => {
      if (this.writeChains.get(orderId) === tail) this.writeChains.delete(orderId);
    });
    return next;
  }

  private async tryPersist(orderId: OrderId): Promise<boolean> {
    try {
      await this.persist(orderId);
      this.storeFailing = false;
      return true;
    } catch (error) {
      // one alert per outage, not one per write; the rows stay queued and go with the next write
      if (!this.storeFailing) {
        this.storeFailing = true;
        const order = this.live.get(orderId);
        this.alert(`order store write failed: ${errorText(error)}`, {
          clientOrderId: order?.clientOrderId ?? null,
        });
      }
      return false;
    }
  }

  private async flushAll(): Promise<void> {
    const ids = [...this.pendingAudit.keys()];
    const results = await Promise.allSettled(ids.map((id) => this.persist(id)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  /** Loads today's orders (positions) and every open order (state) at start. */
  private async loadFromStore(now: number): Promise<void> {
    const today = await this.store.ordersBetween(istMidnight(now), now + 1);
    const open = await this.store.openOrders();
    for (const order of [...today, ...open]) {
      // Strategy and signal kept beside the order, so today's P&L stays attributed after a restart.
      const meta = await this.store.meta?.(order.orderId).catch(() => undefined);
      this.adopt(order, meta);
    }
    if (this.ephemeralVenue) {
      for (const order of open) {
        const mine = this.live.get(order.orderId);
        if (mine === undefined || isTerminal(mine.status)) continue;
        this.apply(order.orderId, {
          type: 'cancelled',
          reason: 'the venue was restarted and holds no orders',
        });
      }
      return;
    }
    if (this.rebuildBook) {
      this.book.startDay(now);
      for (const order of today) this.rebuildFillsOf(this.live.get(order.orderId) ?? order);
    }
    await this.restoreBracketSpecs();
    this.rebuildBracketsFromLinks();
  }

  /**
   * Bracket specs of entries that may still need protection (working, or filled today), read back from
   * their creation audit rows; the planner then places any leg the previous process did not.
   */
  private async restoreBracketSpecs(): Promise<void> {
    for (const order of [...this.live.values()]) {
      if (order.link !== undefined || this.brackets.get(order.orderId)?.spec !== undefined) continue;
      if (isTerminal(order.status) && order.filledQuantity === 0) continue;
      const audit = await this.store.audit(order.orderId);
      const spec = bracketFromDetails(audit.find((row) => row.cause === 'created')?.details);
      if (spec === undefined) continue;
      const entry = this.brackets.get(order.orderId);
      if (entry === undefined) {
        this.brackets.set(order.orderId, {
          spec,
          stop: undefined,
          target: undefined,
          alerted: new Set(),
          issued: new Set(),
        });
      } else {
        entry.spec = spec;
      }
      this.planQueue.add(order.orderId);
    }
  }

  /** Books a stored order's fills from its totals (exact notional), under synthetic trade ids. */
  private rebuildFillsOf(order: Order): void {
    const fills = rebuiltFills(order);
    const atMs = order.updatedAtMs;
    this.chargeFills.delete(order.orderId); // rebuilt below, fill by fill
    for (const [index, fill] of fills.entries()) {
      this.bookFill(order, { fillId: `stored-${index + 1}`, atMs, ...fill });
    }
  }

  /**
   * After a restart the bracket specs are gone (the order row does not carry them); with both legs stored
   * the spec is rebuilt from their prices, so one-cancels-other keeps working.
   */
  private rebuildBracketsFromLinks(): void {
    for (const order of this.live.values()) {
      const link = order.link;
      if (link === undefined) continue;
      let entry = this.brackets.get(link.parentOrderId);
      if (entry === undefined) {
        entry = {
          spec: undefined,
          stop: undefined,
          target: undefined,
          alerted: new Set(),
          issued: new Set(),
        };
        this.brackets.set(link.parentOrderId, entry);
      }
      if (link.role === 'stop' && entry.stop === undefined) entry.stop = order.orderId;
      if (link.role === 'target' && entry.target === undefined) entry.target = order.orderId;
    }
    for (const [parentId, entry] of this.brackets) {
      if (entry.spec !== undefined || entry.stop === undefined || entry.target === undefined) continue;
      const stop = this.live.get(entry.stop);
      const target = this.live.get(entry.target);
      if (stop?.pricing.type === 'STOPLOSS_LIMIT' && target?.pricing.type === 'LIMIT') {
        entry.spec = {
          stopTriggerPaise: stop.pricing.triggerPricePaise,
          stopLimitPaise: stop.pricing.limitPricePaise,
          targetPaise: target.pricing.limitPricePaise,
        };
        if (!this.live.has(parentId)) void this.loadParent(parentId);
      }
    }
  }

  private async loadParent(parentId: OrderId): Promise<void> {
    try {
      const parent = await this.store.order(parentId);
      if (parent !== undefined) {
        this.adopt(parent, undefined);
        this.planQueue.add(parentId);
        this.drainPlans();
      }
    } catch (error) {
      this.alert(`bracket parent ${parentId} could not be loaded: ${errorText(error)}`, {});
    }
  }

  /** Takes a stored order into memory unless memory already holds the same or a later state of it. */
  private adopt(order: Order, meta: OrderMeta | undefined): void {
    const mine = this.live.get(order.orderId);
    if (mine !== undefined && mine.seq >= order.seq) return;
    this.live.set(order.orderId, order);
    this.byClientId.set(order.clientOrderId, order.orderId);
    if (!this.metaOf.has(order.orderId)) {
      this.metaOf.set(order.orderId, meta ?? { route: this.client.route, strategy: UNATTRIBUTED_STRATEGY });
    }
    this.instrumentsByKey.set(instrumentKey(order.instrument), order.instrument);
    if (!this.chargeFills.has(order.orderId) && order.filledQuantity > 0) {
      const charge = rebuiltFills(order)
        .map((fill) => chargeFillOf(order, { ...fill, atMs: order.updatedAtMs }))
        .filter((fill): fill is ChargeFill => fill !== undefined);
      this.chargeFills.set(order.orderId, charge);
    }
  }

  private newest(order: Order): Order {
    const mine = this.live.get(order.orderId);
    return mine !== undefined && mine.seq >= order.seq ? mine : order;
  }

  private async findOrder(id: OrderId): Promise<Order | undefined> {
    const mine = this.live.get(id);
    if (mine !== undefined) return mine;
    const stored = await this.store.order(id);
    if (stored === undefined) return undefined;
    this.adopt(stored, undefined);
    return this.live.get(id);
  }

  private async findByClientId(clientOrderId: ClientOrderId): Promise<Order | undefined> {
    const id = this.byClientId.get(clientOrderId);
    if (id !== undefined) return this.live.get(id);
    const stored = await this.store.orderByClientId(clientOrderId);
    if (stored === undefined) return undefined;
    this.adopt(stored, undefined);
    return this.live.get(stored.orderId);
  }

  // ───────────────────────────── small helpers ─────────────────────────────

  /**
   * Drops closed orders created before `cutoffMs` from memory (they stay in the store), unless a bracket
   * they belong to is still working, so a process that runs for days does not grow without bound.
   */
  private forgetClosedBefore(cutoffMs: number): void {
    const keepParents = new Set<OrderId>();
    for (const order of this.live.values()) {
      if (isTerminal(order.status)) continue;
      keepParents.add(order.link?.parentOrderId ?? order.orderId);
    }
    for (const [id, order] of this.live) {
      if (!isTerminal(order.status) || order.createdAtMs >= cutoffMs) continue;
      if (keepParents.has(order.link?.parentOrderId ?? id) || this.pendingAudit.has(id)) continue;
      this.live.delete(id);
      this.byClientId.delete(order.clientOrderId);
      this.metaOf.delete(id);
      this.chargeFills.delete(id);
      this.brackets.delete(id);
    }
    for (const [key, result] of this.idempotency) {
      void result.then((r) => {
        if (!this.live.has(r.order.orderId)) this.idempotency.delete(key);
      });
    }
  }

  private current(orderId: OrderId): Order {
    const order = this.live.get(orderId);
    if (order === undefined)
      throw new IfError('IF_ERR_INTERNAL', { detail: `order ${orderId} is not loaded` });
    return order;
  }

  private openOrderList(): Order[] {
    return [...this.live.values()].filter((o) => !isTerminal(o.status));
  }

  private nextIds(): { orderId: OrderId; clientOrderId: ClientOrderId } {
    const now = this.clock.now();
    if (this.sequence === undefined) {
      throw new IfError('IF_ERR_ORDER_MANAGER_NOT_RUNNING', { state: this.lifecycle, detail: 'not started' });
    }
    const day = clientOrderIdDay(now);
    // Past IST midnight: this process has been the only issuer with its prefix, so the new day starts at 0.
    if (this.sequence.day !== day) this.sequence = startClientOrderIds(this.prefix, now, 0);
    const { id, next } = nextClientOrderId(this.sequence);
    this.sequence = next;
    return { orderId: toOrderId(id), clientOrderId: id };
  }

  /** The master's view of the contract wins over the request's (lot size, tick, segment). */
  private resolveInstrument(requested: OrderInstrument): OrderInstrument {
    const master = this.instrumentMaster.instrument(requested.exchange, requested.token);
    if (master === undefined) {
      throw new IfError('IF_ERR_INSTRUMENT_UNKNOWN', {
        instrument: `${requested.exchange}:${requested.token}`,
      });
    }
    if (master.kind !== 'option' && master.kind !== 'future') {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `${master.symbol} is a ${master.kind}; the order manager trades index options and futures`,
      });
    }
    return master;
  }

  private instrumentFor(key: string): OrderInstrument | undefined {
    const known = this.instrumentsByKey.get(key);
    if (known !== undefined) return known;
    const colon = key.indexOf(':');
    if (colon < 0) return undefined;
    const found = this.instrumentMaster.instrument(
      key.slice(0, colon) as OrderInstrument['exchange'],
      key.slice(colon + 1),
    );
    if (found !== undefined) this.instrumentsByKey.set(key, found);
    return found;
  }

  private markInstrument(instrument: OrderInstrument): void {
    const quote = this.market.quote(instrument.token);
    if (quote === undefined) return;
    const price = quote.ltpPaise ?? midOf(quote.bidPaise, quote.askPaise);
    if (price === undefined || !Number.isSafeInteger(price) || price < 0) return;
    this.book.mark(instrumentKey(instrument), price, Math.max(quote.receivedAtMs, 0));
  }

  private markPositions(): void {
    for (const view of this.book.instrumentPositions()) {
      if (view.quantity === 0) continue;
      const instrument = this.instrumentFor(view.instrument);
      if (instrument !== undefined) this.markInstrument(instrument);
    }
  }

  private pnlSummary(): PnlSummary {
    const day = this.book.dayAggregate();
    const strategies = new Set(this.book.strategyPositions().map((p) => p.strategy ?? ''));
    const byStrategy: Record<string, ReturnType<PositionBook['dayAggregate']>> = {};
    for (const strategy of [...strategies].sort()) {
      if (strategy !== '') byStrategy[strategy] = this.book.dayAggregate({ strategy });
    }
    return {
      dateKey: day.dateKey,
      realisedPaise: day.realisedPaise,
      unrealisedPaise: day.unrealisedPaise,
      chargesPaise: day.chargesPaise,
      netPaise: day.netPaise,
      complete: day.unmarkedOpenPositions === 0,
      byStrategy,
    };
  }

  /** Publishes P&L when it changed (or always, after a fill). */
  private publishPnl(force = false): void {
    if (this.listeners.length === 0) return;
    const pnl = this.pnlSummary();
    const fingerprint = `${pnl.realisedPaise}/${pnl.unrealisedPaise}/${pnl.chargesPaise}/${pnl.complete}`;
    if (!force && fingerprint === this.lastPnl) return;
    this.lastPnl = fingerprint;
    this.publish({ type: 'pnl', pnl });
  }

  private publishRiskEvents(events: readonly RiskEvent[]): void {
    for (const event of events) {
      if (event.type === 'order-allowed') continue; // every order has one; the order event says it
      this.publish({ type: 'risk', event });
    }
  }

  private publishRisk(event: ManagerRiskEvent): void {
    this.publish({ type: 'risk', event });
  }

  private alert(message: string, details: AuditDetails & { clientOrderId?: string | null }): void {
    this.counters.alerts += 1;
    const { clientOrderId, ...rest } = details;
    this.logger?.warn({ clientOrderId, ...rest }, message);
    this.publishRisk({
      type: 'alert',
      atMs: this.clock.now(),
      message,
      ...(typeof clientOrderId === 'string' ? { clientOrderId: clientOrderId as ClientOrderId } : {}),
      details: rest,
    });
  }

  private publish(event: ManagerEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.logger?.error({ err: error, event: event.type }, 'order manager listener failed');
      }
    }
  }

  private later(delayMs: number, fn: () => void): void {
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(handle);
      if (this.lifecycle === 'running') fn();
    }, delayMs);
    this.timers.add(handle);
  }

  private requireRunning(detail: string): void {
    if (this.lifecycle !== 'running') {
      throw new IfError('IF_ERR_ORDER_MANAGER_NOT_RUNNING', { state: this.lifecycle, detail });
    }
  }

  private recordAction(
    actor: Actor,
    action: string,
    target: string,
    details: AuditDetails,
    outcome: ErrorCode | 'ok' = 'ok',
  ): void {
    if (this.auditLog === undefined) return;
    void this.auditLog
      .append({ atMs: this.clock.now(), actor: actor.id, action, target, outcome, details })
      .catch((error: unknown) => this.logger?.error({ err: error, action }, 'audit log write failed'));
  }
}

const BRACKET_KEYS = {
  stop: 'bracketStopTriggerPaise',
  stopLimit: 'bracketStopLimitPaise',
  target: 'bracketTargetPaise',
} as const;

function bracketDetails(spec: BracketSpec): AuditDetails {
  return {
    [BRACKET_KEYS.stop]: spec.stopTriggerPaise,
    [BRACKET_KEYS.stopLimit]: spec.stopLimitPaise,
    [BRACKET_KEYS.target]: spec.targetPaise,
  };
}

function bracketFromDetails(details: AuditDetails | undefined): BracketSpec | undefined {
  if (details === undefined) return undefined;
  const stop = details[BRACKET_KEYS.stop];
  const stopLimit = details[BRACKET_KEYS.stopLimit];
  const target = details[BRACKET_KEYS.target];
  if (typeof stop !== 'number' || typeof stopLimit !== 'number' || typeof target !== 'number')
    return undefined;
  return { stopTriggerPaise: paise(stop), stopLimitPaise: paise(stopLimit), targetPaise: paise(target) };
}

function samePricing(a: OrderPricing, b: OrderPricing): boolean {
  return (
    a.type === b.type &&
    ('limitPricePaise' in a ? a.limitPricePaise : undefined) ===
      ('limitPricePaise' in b ? b.limitPricePaise : undefined) &&
    ('triggerPricePaise' in a ? a.triggerPricePaise : undefined) ===
      ('triggerPricePaise' in b ? b.triggerPricePaise : undefined)
  );
}

function midOf(bid: number | undefined, ask: number | undefined): number | undefined {
  if (bid === undefined || ask === undefined || bid <= 0 || ask < bid) return undefined;
  return Math.round((bid + ask) / 2);
}

function requireRole(actor: Actor, roles: readonly Actor['role'][], what: string): void {
  if (!roles.includes(actor.role)) {
    throw new IfError('IF_ERR_RISK_FORBIDDEN', {
      actor: actor.id,
      role: actor.role,
      command: what,
      detail: `needs one of ${roles.join(', ')}`,
    });
  }
}
