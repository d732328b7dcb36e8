/**
 * In-memory fakes of the manager's ports for tests (not exported from the folder's index): an order store
 * whose writes can be held or failed and whose handle can be "crashed", and a venue with a scriptable
 * execution client that can lose answers, hang, drop reports and survive the manager's restart.
 */
import type { SimulatedClock } from '../../core/clock.js';
import { IfError } from '../../core/errors.js';
import type { ExchangeSegment } from '../../core/instrument.js';
import { type Paise, paise } from '../../core/money.js';
import { DEFAULT_RISK_LIMITS, type QuoteView, type RiskLimits, type Route } from '../../risk/index.js';
import {
  type BrokerOrderReport,
  type ClientOrderId,
  isTerminal,
  type ModifyRequest,
  type Order,
  type OrderAuditEvent,
  type OrderEvent,
  type OrderId,
  type OrderInstrument,
  type OrderPricing,
  parseClientOrderId,
} from '../orders/index.js';
import type {
  BrokerFill,
  BrokerNetPosition,
  BrokerOrderLookup,
  ExecutionClient,
  ExecutionReport,
} from '../ports.js';
import { OrderManager, type OrderManagerOptions } from './manager.js';
import type {
  FundsSource,
  InstrumentLookup,
  ManagedOrderStore,
  ManagerEvent,
  MarketView,
  OrderMeta,
  PlaceRequest,
} from './types.js';

// ───────────────────────────── fixtures ─────────────────────────────

// The same contracts and start time as the risk tests, so both suites read one set of fixtures.
export { NIFTY_CE, NIFTY_PE, T0 } from '../../risk/testkit.js';
import { NIFTY_CE, NIFTY_PE } from '../../risk/testkit.js';

export const NIFTY_FUT: OrderInstrument = {
  token: '35001',
  symbol: 'NIFTY27JAN26FUT',
  exchange: 'NFO',
  underlying: 'NIFTY',
  kind: 'future',
  lotSize: 65,
  tickSizePaise: 10,
  expiry: '2026-01-27',
};

export const TRADER = { id: 'tina', role: 'trader' } as const;
export const ADMIN = { id: 'adam', role: 'admin' } as const;
export const VIEWER = { id: 'vera', role: 'viewer' } as const;

/** Limits for manager tests: defaults with room for many orders and no reject-storm surprises. */
export const TEST_LIMITS: RiskLimits = {
  ...DEFAULT_RISK_LIMITS,
  maxOpenOrders: 200,
  maxLotsPerUnderlying: { default: 500, byUnderlying: {} },
  rejectStorm: { count: 1_000, windowMs: 10_000 },
};

/** A one-lot limit buy of the NIFTY call at ₹100 (the fake market quotes it 99.95/100.05). */
export function buy(overrides: Partial<PlaceRequest> = {}): PlaceRequest {
  return {
    instrument: NIFTY_CE,
    side: 'BUY',
    quantity: 65,
    pricing: { type: 'LIMIT', limitPricePaise: paise(10_000) },
    timeInForce: 'DAY',
    product: 'INTRADAY',
    strategy: 'test',
    ...overrides,
  };
}

export function sell(overrides: Partial<PlaceRequest> = {}): PlaceRequest {
  return buy({ side: 'SELL', ...overrides });
}

/** Lets every queued promise and microtask run (the fakes answer with microtasks). */
export async function settle(rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

// ───────────────────────────── order store ─────────────────────────────

export type WriteDecision = 'write' | 'hold' | 'fail';
export type WriteGate = (order: Order, audit: readonly OrderAuditEvent[]) => WriteDecision;

interface StoredRow {
  order: Order;
  meta: OrderMeta | undefined;
}

/** What every handle of one store shares: the data survives a handle's "crash". */
class StoreData {
  readonly rows = new Map<OrderId, StoredRow>();
  readonly audit = new Map<OrderId, OrderAuditEvent[]>();
  /** every successful append, in order: which order, the status it saved, the causes of its rows */
  readonly log: { clientOrderId: ClientOrderId; status: Order['status']; causes: string[] }[] = [];
  generation = 0;
}

/**
 * `OrderStore` in memory. Checks what a real store's constraints would (audit seq continues without gaps,
 * the saved order's seq is its newest row's), so a manager bug that skips or repeats rows fails loudly.
 */
export class InMemoryOrderStore implements ManagedOrderStore {
  /** decides each append: written, held until `releaseHeld`, or failed */
  gate: WriteGate | undefined;
  private readonly held: { run: () => void; fail: (error: Error) => void }[] = [];

  constructor(
    private readonly data = new StoreData(),
    private readonly generation = 0,
  ) {
    data.generation = generation;
  }

  /** A new handle on the same data, as a restarted process gets; this handle fails from now on. */
  reopen(): InMemoryOrderStore {
    for (const write of this.held.splice(0)) write.fail(new Error('store handle closed (process crashed)'));
    return new InMemoryOrderStore(this.data, this.data.generation + 1);
  }

  releaseHeld(): void {
    for (const write of this.held.splice(0)) write.run();
  }

  get heldWrites(): number {
    return this.held.length;
  }

  get log(): readonly { clientOrderId: ClientOrderId; status: Order['status']; causes: string[] }[] {
    return this.data.log;
  }

  metaOf(id: OrderId): OrderMeta | undefined {
    return this.data.rows.get(id)?.meta;
  }

  append(order: Order, audit: readonly OrderAuditEvent[], meta?: OrderMeta): Promise<void> {
    this.checkOpen();
    const decision = this.gate?.(order, audit) ?? 'write';
    if (decision === 'fail') {
      return Promise.reject(
        new IfError('IF_ERR_STORAGE_UNAVAILABLE', { target: 'memory', detail: 'injected' }),
      );
    }
    const write = () => this.write(structuredClone(order), structuredClone([...audit]), meta);
    if (decision === 'hold') {
      return new Promise<void>((resolve, reject) => {
        this.held.push({
          run: () => {
            try {
              this.checkOpen();
              write();
              resolve();
            } catch (error) {
              reject(error);
            }
          },
          fail: reject,
        });
      });
    }
    try {
      write();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private write(order: Order, audit: OrderAuditEvent[], meta: OrderMeta | undefined): void {
    const existing = this.data.audit.get(order.orderId) ?? [];
    let last = existing.at(-1)?.seq ?? 0;
    for (const row of audit) {
      if (row.orderId !== order.orderId)
        throw new Error(`audit row of ${row.orderId} appended to ${order.orderId}`);
      if (row.seq !== last + 1)
        throw new Error(`audit seq ${row.seq} after ${last} for ${order.clientOrderId}`);
      for (const [key, value] of Object.entries(row.details)) {
        // the SQL stores keep details as JSON scalars
        if (typeof value === 'number' && !Number.isFinite(value))
          throw new Error(`audit detail ${key} = ${value}`);
      }
      last = row.seq;
    }
    if (order.seq !== last) throw new Error(`order seq ${order.seq} but newest audit row is ${last}`);
    this.data.audit.set(order.orderId, [...existing, ...audit]);
    const previous = this.data.rows.get(order.orderId);
    this.data.rows.set(order.orderId, { order, meta: meta ?? previous?.meta });
    this.data.log.push({
      clientOrderId: order.clientOrderId,
      status: order.status,
      causes: audit.map((row) => row.cause),
    });
  }

  private checkOpen(): void {
    if (this.generation !== this.data.generation) throw new Error('store handle closed (process crashed)');
  }

  async openOrders(): Promise<readonly Order[]> {
    this.checkOpen();
    return [...this.data.rows.values()].map((r) => r.order).filter((o) => !isTerminal(o.status));
  }

  async ordersBetween(fromMs: number, toMs: number): Promise<readonly Order[]> {
    this.checkOpen();
    return [...this.data.rows.values()]
      .map((r) => r.order)
      .filter((o) => o.createdAtMs >= fromMs && o.createdAtMs < toMs)
      .sort((a, b) => b.createdAtMs - a.createdAtMs);
  }

  async order(orderId: OrderId): Promise<Order | undefined> {
    this.checkOpen();
    return this.data.rows.get(orderId)?.order;
  }

  async orderByClientId(clientOrderId: ClientOrderId): Promise<Order | undefined> {
    this.checkOpen();
    for (const row of this.data.rows.values())
      if (row.order.clientOrderId === clientOrderId) return row.order;
    return undefined;
  }

  async audit(orderId: OrderId): Promise<readonly OrderAuditEvent[]> {
    this.checkOpen();
    return this.data.audit.get(orderId) ?? [];
  }

  async clientOrderIdsOn(day: string): Promise<readonly ClientOrderId[]> {
    this.checkOpen();
    return [...this.data.rows.values()]
      .map((r) => r.order.clientOrderId)
      .filter((id) => parseClientOrderId(id)?.day === day);
  }

  /** Synchronous peek for assertions. */
  stored(clientOrderId: string): Order | undefined {
    for (const row of this.data.rows.values())
      if (row.order.clientOrderId === clientOrderId) return row.order;
    return undefined;
  }

  storedAudit(orderId: OrderId): readonly OrderAuditEvent[] {
    return this.data.audit.get(orderId) ?? [];
  }
}

// ───────────────────────────── venue ─────────────────────────────

export interface VenueOrder {
  readonly clientOrderId: ClientOrderId;
  readonly brokerOrderId: string;
  readonly instrument: OrderInstrument;
  readonly side: Order['side'];
  quantity: number;
  pricing: OrderPricing;
  filled: number;
  status: 'open' | 'filled' | 'cancelled' | 'rejected' | 'expired';
  readonly fills: BrokerFill[];
}

/**
 * A venue's book, shared by every client handle (a manager restart gets a new handle on the same venue).
 * Counts every submit call per client order id: the property tests assert it never exceeds one.
 */
export class FakeVenue {
  readonly orders = new Map<string, VenueOrder>();
  /** submit calls per client order id (every call, from every process), whether or not it reached the book */
  readonly submitCalls = new Map<string, number>();
  private brokerSeq = 0;
  private fillSeq = 0;
  readonly clients = new Set<FakeExecutionClient>();

  constructor(readonly now: () => number) {}

  accept(order: Order): VenueOrder {
    if (this.orders.has(order.clientOrderId)) {
      throw new Error(`venue already holds ${order.clientOrderId}: a duplicate order reached the venue`);
    }
    this.brokerSeq += 1;
    const row: VenueOrder = {
      clientOrderId: order.clientOrderId,
      brokerOrderId: `V${this.brokerSeq}`,
      instrument: order.instrument,
      side: order.side,
      quantity: order.quantity,
      pricing: order.pricing,
      filled: 0,
      status: 'open',
      fills: [],
    };
    this.orders.set(order.clientOrderId, row);
    return row;
  }

  /** Trades `quantity` (default: all that is open) of an open order and reports it. */
  fill(clientOrderId: string, quantity?: number, pricePaise?: number): BrokerFill | undefined {
    const row = this.orders.get(clientOrderId);
    if (row === undefined || row.status !== 'open') return undefined;
    const qty = Math.min(quantity ?? row.quantity - row.filled, row.quantity - row.filled);
    if (qty <= 0) return undefined;
    const price = pricePaise ?? ('limitPricePaise' in row.pricing ? row.pricing.limitPricePaise : 10_000);
    this.fillSeq += 1;
    const fill: BrokerFill = {
      fillId: `T${this.fillSeq}`,
      quantity: qty,
      pricePaise: price as Paise,
      atMs: this.now(),
    };
    row.fills.push(fill);
    row.filled += qty;
    if (row.filled === row.quantity) row.status = 'filled';
    this.emit(row.clientOrderId, {
      type: 'fill',
      atMs: this.now(),
      fillId: fill.fillId,
      brokerOrderId: row.brokerOrderId,
      quantity: qty,
      pricePaise: fill.pricePaise,
    });
    return fill;
  }

  /** The exchange cancels an open order by itself (or the venue confirms a cancel). */
  cancel(clientOrderId: string, reason = 'cancelled at the venue'): boolean {
    const row = this.orders.get(clientOrderId);
    if (row === undefined || row.status !== 'open') return false;
    row.status = 'cancelled';
    this.emit(row.clientOrderId, { type: 'cancelled', atMs: this.now(), reason });
    return true;
  }

  lookup(clientOrderId: string): BrokerOrderLookup {
    const row = this.orders.get(clientOrderId);
    if (row === undefined)
      return { clientOrderId: clientOrderId as ClientOrderId, report: { found: false }, fills: [] };
    const report: BrokerOrderReport = {
      found: true,
      brokerOrderId: row.brokerOrderId,
      status: row.status,
      quantity: row.quantity,
      filledQuantity: row.filled,
      pricing: row.pricing,
    };
    return { clientOrderId: row.clientOrderId, report, fills: [...row.fills] };
  }

  /** Net position per `EXCHANGE:token` from the venue's fills. */
  positions(): BrokerNetPosition[] {
    const net = new Map<string, number>();
    for (const row of this.orders.values()) {
      const key = `${row.instrument.exchange}:${row.instrument.token}`;
      const signed = row.side === 'BUY' ? row.filled : -row.filled;
      net.set(key, (net.get(key) ?? 0) + signed);
    }
    return [...net.entries()]
      .filter(([, q]) => q !== 0)
      .map(([instrument, quantity]) => ({ instrument, quantity }));
  }

  /** Units bought and sold per instrument key (to catch a fill counted twice). */
  traded(): Map<string, { bought: number; sold: number }> {
    const out = new Map<string, { bought: number; sold: number }>();
    for (const row of this.orders.values()) {
      const key = `${row.instrument.exchange}:${row.instrument.token}`;
      const entry = out.get(key) ?? { bought: 0, sold: 0 };
      if (row.side === 'BUY') entry.bought += row.filled;
      else entry.sold += row.filled;
      out.set(key, entry);
    }
    return out;
  }

  emit(clientOrderId: string, event: OrderEvent): void {
    for (const client of this.clients)
      client.deliver({ clientOrderId: clientOrderId as ClientOrderId, event });
  }
}

/**
 * - `accept`: the venue takes it and answers; `refuse`: it refuses (`refused: true`);
 * - `lose-answer`: the venue takes it but the answer is lost (timeout error);
 * - `drop`: the request never arrives (timeout error); `hang`: the venue takes it, no answer ever comes;
 * - `hang-drop`: nothing arrives and no answer comes; `throw`: the client throws before sending.
 */
export type SubmitOutcome = 'accept' | 'refuse' | 'lose-answer' | 'drop' | 'hang' | 'hang-drop' | 'throw';
/** `ok`: the venue does it and confirms with a report; the others as for submit. */
export type RequestOutcome = 'ok' | 'refuse' | 'lose-answer' | 'drop' | 'hang';

function refusal(detail: string): IfError {
  return new IfError('IF_ERR_BROKER_REJECTED', { brokerCode: 'AB4008', detail, refused: true });
}

function lostAnswer(endpoint: string): IfError {
  return new IfError('IF_ERR_BROKER_TIMEOUT', { endpoint, ms: 10_000 });
}

/** A call that never answers. A fresh promise each time: handlers on a shared one would live forever. */
function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

/** A scriptable `ExecutionClient` on a `FakeVenue`. Unscripted calls succeed. */
export class FakeExecutionClient implements ExecutionClient {
  readonly route: Route;
  readonly submitScript: SubmitOutcome[] = [];
  readonly cancelScript: RequestOutcome[] = [];
  readonly modifyScript: RequestOutcome[] = [];
  /** venue reports to drop before delivering again (a socket that lost messages) */
  dropReports = 0;
  /** whether the venue also reports acceptance on the stream (as Angel's order socket does) */
  reportAccepts = true;
  connected = true;
  /** lookups fail while set (the venue's REST is down) */
  lookupsFail = false;
  /** called as `submit` is entered, before anything happens (to look at the store at that instant) */
  beforeSubmit: ((order: Order) => void) | undefined;
  readonly calls: { op: 'submit' | 'cancel' | 'modify' | 'find' | 'orders' | 'positions'; id: string }[] = [];
  /** set once the client saw more calls than any sane test makes (a retry loop); it then stops answering */
  runaway = false;
  static readonly MAX_CALLS = 5_000;
  private readonly listeners = new Set<(report: ExecutionReport) => void>();
  private detached = false;

  constructor(
    readonly venue: FakeVenue,
    route: Route = 'paper',
  ) {
    this.route = route;
    venue.clients.add(this);
  }

  private stopped(): boolean {
    if (this.calls.length >= FakeExecutionClient.MAX_CALLS) this.runaway = true;
    return this.detached || this.runaway;
  }

  /** The process holding this handle died: no more reports, and its calls never return. */
  detach(): void {
    this.detached = true;
    this.listeners.clear();
    this.venue.clients.delete(this);
  }

  submit(order: Order): Promise<{ brokerOrderId: string }> {
    if (this.stopped()) return never();
    this.calls.push({ op: 'submit', id: order.clientOrderId });
    this.beforeSubmit?.(order);
    this.venue.submitCalls.set(
      order.clientOrderId,
      (this.venue.submitCalls.get(order.clientOrderId) ?? 0) + 1,
    );
    const outcome = this.submitScript.shift() ?? 'accept';
    if (outcome === 'throw') throw new TypeError('client bug before the request left');
    const take = () => {
      const row = this.venue.accept(order);
      if (this.reportAccepts) {
        queueMicrotask(() =>
          this.venue.emit(row.clientOrderId, {
            type: 'broker-accepted',
            atMs: this.venue.now(),
            brokerOrderId: row.brokerOrderId,
          }),
        );
      }
      return row;
    };
    switch (outcome) {
      case 'accept': {
        const row = take();
        return Promise.resolve({ brokerOrderId: row.brokerOrderId });
      }
      case 'refuse':
        return Promise.reject(refusal('insufficient funds'));
      case 'lose-answer':
        take();
        return Promise.reject(lostAnswer('placeOrder'));
      case 'drop':
        return Promise.reject(lostAnswer('placeOrder'));
      case 'hang':
        take();
        return never();
      case 'hang-drop':
        return never();
    }
  }

  cancel(order: Order): Promise<void> {
    if (this.stopped()) return never();
    this.calls.push({ op: 'cancel', id: order.clientOrderId });
    const outcome = this.cancelScript.shift() ?? 'ok';
    const row = this.venue.orders.get(order.clientOrderId);
    const doIt = () => {
      if (row === undefined || row.status !== 'open') return false;
      queueMicrotask(() => this.venue.cancel(order.clientOrderId, 'cancelled on request'));
      return true;
    };
    switch (outcome) {
      case 'ok':
        return doIt() ? Promise.resolve() : Promise.reject(refusal('order is not open'));
      case 'refuse':
        return Promise.reject(refusal('cancel refused'));
      case 'lose-answer':
        doIt();
        return Promise.reject(lostAnswer('cancelOrder'));
      case 'drop':
        return Promise.reject(lostAnswer('cancelOrder'));
      case 'hang':
        doIt();
        return never();
    }
  }

  modify(order: Order, change: ModifyRequest): Promise<void> {
    if (this.stopped()) return never();
    this.calls.push({ op: 'modify', id: order.clientOrderId });
    const outcome = this.modifyScript.shift() ?? 'ok';
    const row = this.venue.orders.get(order.clientOrderId);
    const doIt = () => {
      if (row === undefined || row.status !== 'open') return false;
      if (change.quantity !== undefined) row.quantity = Math.max(change.quantity, row.filled);
      if (change.limitPricePaise !== undefined && 'limitPricePaise' in row.pricing) {
        row.pricing = { ...row.pricing, limitPricePaise: change.limitPricePaise };
      }
      if (change.triggerPricePaise !== undefined && 'triggerPricePaise' in row.pricing) {
        row.pricing = { ...row.pricing, triggerPricePaise: change.triggerPricePaise };
      }
      if (row.filled >= row.quantity) row.status = 'filled';
      queueMicrotask(() =>
        this.venue.emit(row.clientOrderId, { type: 'modify-accepted', atMs: this.venue.now() }),
      );
      return true;
    };
    switch (outcome) {
      case 'ok':
        return doIt() ? Promise.resolve() : Promise.reject(refusal('order is not open'));
      case 'refuse':
        return Promise.reject(refusal('modify refused'));
      case 'lose-answer':
        doIt();
        return Promise.reject(lostAnswer('modifyOrder'));
      case 'drop':
        return Promise.reject(lostAnswer('modifyOrder'));
      case 'hang':
        doIt();
        return never();
    }
  }

  findOrder(clientOrderId: ClientOrderId): Promise<BrokerOrderLookup> {
    if (this.stopped()) return never();
    this.calls.push({ op: 'find', id: clientOrderId });
    if (this.lookupsFail) return Promise.reject(lostAnswer('orderBook'));
    return Promise.resolve(this.venue.lookup(clientOrderId));
  }

  orders(): Promise<readonly BrokerOrderLookup[]> {
    if (this.stopped()) return never();
    this.calls.push({ op: 'orders', id: '' });
    if (this.lookupsFail) return Promise.reject(lostAnswer('orderBook'));
    return Promise.resolve([...this.venue.orders.keys()].map((id) => this.venue.lookup(id)));
  }

  positions(): Promise<readonly BrokerNetPosition[]> {
    if (this.stopped()) return never();
    this.calls.push({ op: 'positions', id: '' });
    if (this.lookupsFail) return Promise.reject(lostAnswer('position'));
    return Promise.resolve(this.venue.positions());
  }

  onReport(listener: (report: ExecutionReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isConnected(): boolean {
    return this.connected;
  }

  /** Called by the venue for each report; honours `dropReports`. */
  deliver(report: ExecutionReport): void {
    if (this.detached) return;
    if (this.dropReports > 0) {
      this.dropReports -= 1;
      return;
    }
    for (const listener of [...this.listeners]) listener(report);
  }

  submitsOf(clientOrderId: string): number {
    return this.calls.filter((c) => c.op === 'submit' && c.id === clientOrderId).length;
  }
}

// ───────────────────────────── market, instruments, funds ─────────────────────────────

/** Quotes always fresh at the clock's now unless `stale` names the token. */
export class FakeMarket implements MarketView {
  readonly prices = new Map<string, { bid: number; ask: number; ltp: number }>();
  readonly stale = new Set<string>();
  underlying = 2_500_000;

  constructor(private readonly clock: { now(): number }) {
    this.set(NIFTY_CE.token, 10_000);
    this.set(NIFTY_PE.token, 10_000);
    this.set(NIFTY_FUT.token, 2_510_000, 50);
  }

  set(token: string, ltp: number, halfSpread = 5): void {
    this.prices.set(token, { bid: ltp - halfSpread, ask: ltp + halfSpread, ltp });
  }

  quote(token: string): QuoteView | undefined {
    const p = this.prices.get(token);
    if (p === undefined) return undefined;
    const receivedAtMs = this.stale.has(token) ? this.clock.now() - 60_000 : this.clock.now();
    return { bidPaise: p.bid, askPaise: p.ask, ltpPaise: p.ltp, receivedAtMs };
  }

  underlyingPricePaise(): number | undefined {
    return this.underlying;
  }
}

export class FakeInstruments implements InstrumentLookup {
  readonly byKey = new Map<string, OrderInstrument>();

  constructor(instruments: readonly OrderInstrument[] = [NIFTY_CE, NIFTY_PE, NIFTY_FUT]) {
    for (const i of instruments) this.byKey.set(`${i.exchange}:${i.token}`, i);
  }

  instrument(exchange: ExchangeSegment, token: string): OrderInstrument | undefined {
    return this.byKey.get(`${exchange}:${token}`);
  }
}

export class FakeFunds implements FundsSource {
  availablePaise = 1_000_000_000;
  funds() {
    return { status: 'known' as const, availablePaise: this.availablePaise };
  }
}

// ───────────────────────────── harness ─────────────────────────────

/** One "process": a manager with its own store handle and client handle on shared data and venue. */
export interface Harness {
  readonly clock: SimulatedClock;
  readonly store: InMemoryOrderStore;
  readonly venue: FakeVenue;
  readonly client: FakeExecutionClient;
  readonly market: FakeMarket;
  readonly manager: OrderManager;
  readonly events: ManagerEvent[];
}

export interface HarnessOptions {
  readonly clock: SimulatedClock;
  readonly store?: InMemoryOrderStore;
  readonly venue?: FakeVenue;
  readonly client?: FakeExecutionClient;
  readonly market?: FakeMarket;
  readonly start?: boolean;
  readonly manager?: Partial<OrderManagerOptions>;
}

export async function harness(options: HarnessOptions): Promise<Harness> {
  const clock = options.clock;
  const store = options.store ?? new InMemoryOrderStore();
  const venue = options.venue ?? new FakeVenue(() => clock.now());
  const client = options.client ?? new FakeExecutionClient(venue);
  const market = options.market ?? new FakeMarket(clock);
  const manager = new OrderManager({
    clock,
    store,
    client,
    market,
    instruments: new FakeInstruments(),
    funds: new FakeFunds(),
    limits: TEST_LIMITS,
    observeIntervalMs: 0,
    ...options.manager,
  });
  const events: ManagerEvent[] = [];
  manager.onEvent((event) => events.push(event));
  if (options.start ?? true) await manager.start();
  return { clock, store, venue, client, market, manager, events };
}

/** The process died: its client handle and store handle stop; a new process starts on the same data. */
export async function crashAndRestart(
  previous: Harness,
  options: Partial<HarnessOptions> = {},
): Promise<Harness> {
  previous.client.detach();
  const store = previous.store.reopen();
  const client = new FakeExecutionClient(previous.venue, previous.client.route);
  return harness({
    clock: previous.clock,
    store,
    venue: previous.venue,
    client,
    market: previous.market,
    ...options,
  });
}
