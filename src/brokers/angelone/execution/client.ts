import type { Clock } from '../../../core/clock.js';
import { IfError } from '../../../core/errors.js';
import { paise } from '../../../core/money.js';
import type {
  BrokerNetPosition,
  BrokerOrderLookup,
  ExecutionClient,
  ExecutionReport,
} from '../../../execution/ports.js';
import {
  type ClientOrderId,
  isClientOrderId,
  type ModifyRequest,
  type Order,
  type OrderEvent,
} from '../../../execution/orders/index.js';
import { type Logger, silentLogger } from '../../../ops/logger.js';
import { ROUTE, type Route } from '../../../risk/index.js';
import type { AngelOrderUpdatesClient, OrderStatusCode, OrderUpdate } from '../orderupdates/index.js';
import type { AngelOrder, AngelRestClient, AngelTrade } from '../rest/index.js';
import {
  ANGEL_VENUE,
  angelReportStatus,
  brokerOrderIdOf,
  cancelRequest,
  localRefusal,
  modifyRequest,
  orderLookup,
  orderWriteError,
  pickRow,
  placeRequest,
  unsupportedReason,
} from './mapping.js';

/** The REST calls the execution client makes (the real `AngelRestClient` in production). */
export type AngelExecutionRest = Pick<
  AngelRestClient,
  'placeOrder' | 'modifyOrder' | 'cancelOrder' | 'getOrderBook' | 'getTradeBook' | 'getPositions'
>;

/** What the execution client reads from the order-status socket. */
export type AngelOrderStatusFeed = Pick<AngelOrderUpdatesClient, 'onUpdate' | 'state'>;

export interface AngelExecutionClientOptions {
  rest: AngelExecutionRest;
  /** the order-status socket; its owner starts and closes it, this client only listens */
  orderUpdates: AngelOrderStatusFeed;
  /** engine clock: stamps report events; also paces trade-book retries */
  clock: Clock;
  logger?: Logger;
  /** which `ordertag`s are ours; default: the shape of our client order ids */
  isOwnTag?: (tag: string) => boolean;
  /** further trade-book reads when a fill update is not in the trade book yet; default 3 */
  tradeBookRetries?: number;
  /** wait before each such read, on `clock`; default 1000 ms (the trade book allows 1 call/s) */
  tradeBookRetryDelayMs?: number;
}

export interface AngelExecutionStats {
  /** order-status messages seen (AB00 included) */
  updates: number;
  /** updates about orders without one of our tags (placed by hand, other apps) */
  ignoredUntagged: number;
  /** reports delivered to listeners */
  reports: number;
  fillsReported: number;
  tradeBookReads: number;
  tradeBookFailures: number;
  /** fill updates whose trades never showed in the trade book within the retries (reconciliation's job) */
  fillsMissing: number;
  /** updates for an order already complete, cancelled or rejected (repeats), dropped */
  afterTerminal: number;
  /** order-book reads after a reconnect, to report what the socket missed */
  catchUps: number;
  catchUpFailures: number;
  listenerErrors: number;
}

/** What the client remembers about one of our orders while it works, to turn snapshots into events. */
interface Tracked {
  readonly brokerOrderId: string;
  readonly clientOrderId: ClientOrderId;
  acknowledged: boolean;
  /** units reported through fill events */
  filledReported: number;
  readonly fillIds: Set<string>;
  /** this order's updates are handled one after another, in arrival order */
  chain: Promise<void>;
  /** complete, cancelled or rejected: later updates (repeats) are dropped */
  terminal: boolean;
}

/** What one update (or, after a reconnect, one order-book row) says about an order. */
type SnapshotKind = 'working' | 'modified' | 'complete' | 'cancelled' | 'rejected';

interface Snapshot {
  kind: SnapshotKind;
  /** cumulative filled units */
  filled: number;
  /** Angel's reason text */
  text: string;
  /** the AB code or `book:<status>`, for logs */
  source: string;
}

/** AB03 rejected; AB02/AB07 cancelled; AB04/AB08 modified; AB05 complete; the rest (open, pending) work. */
function snapshotKind(code: OrderStatusCode): SnapshotKind {
  switch (code) {
    case 'AB03':
      return 'rejected';
    case 'AB02':
    case 'AB07':
      return 'cancelled';
    case 'AB04':
    case 'AB08':
      return 'modified';
    case 'AB05':
      return 'complete';
    default:
      return 'working';
  }
}

/** An order-book status as a snapshot kind (a `modified` row is working: which request it answers is unknown). */
const KIND_OF_REPORT: Readonly<Record<ReturnType<typeof angelReportStatus>, SnapshotKind>> = {
  open: 'working',
  filled: 'complete',
  cancelled: 'cancelled',
  rejected: 'rejected',
  // Angel has no expired state; nothing to report for one
  expired: 'working',
};

function snapshotKindOfStatus(status: string): SnapshotKind {
  return KIND_OF_REPORT[angelReportStatus(status)];
}

/** finished orders remembered (to drop repeated updates) before the oldest are forgotten */
const MAX_TRACKED = 5000;

/**
 * Angel One behind the execution port: orders go out through the REST client (never retried: after a
 * timeout the order is found again by its `ordertag`), and order-status socket updates come back as
 * order-state-machine events.
 *
 * Fills: the socket carries only the order's cumulative filled quantity, average price and latest fill id,
 * and one update may cover several trades (a limit that walks two price levels). So on every update that
 * raises the filled quantity the client reads the trade book and reports each new trade with Angel's own
 * fill id and exact price. Synthetic ids derived from the cumulative quantity would be cheaper, but they
 * would differ from the ids `findOrder` returns from the same trade book, and one trade reported under two
 * ids is counted twice; a fill price derived from average prices is also not always a whole paisa.
 * Trade-book reads are shared: one read serves every update that arrived before it started.
 *
 * The socket does not replay what it sent while it was down. After a reconnect (a second AB00) the client
 * reads the order book and runs every order of ours not known to be finished through the same path, so
 * missed fills, cancels and rejections are still reported; while it is down `isConnected()` is false.
 */
export class AngelExecutionClient implements ExecutionClient {
  readonly route: Route = ROUTE.angelOne;
  private readonly rest: AngelExecutionRest;
  private readonly feed: AngelOrderStatusFeed;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly isOwnTag: (tag: string) => boolean;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly listeners = new Set<(report: ExecutionReport) => void>();
  private readonly tracked = new Map<string, Tracked>();
  /** tags sent by this process: a second submit of one is a bug upstream, never a second order */
  private readonly sentTags = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly detach: () => void;
  /** bumped for every update and every retry; a trade-book read covers what came before it was asked */
  private tick = 0;
  /** AB00 acknowledgements seen: one per socket connection */
  private connections = 0;
  private tradeRead: { tick: number; promise: Promise<AngelTrade[]> } | undefined;
  private readonly counters: AngelExecutionStats = {
    updates: 0,
    ignoredUntagged: 0,
    reports: 0,
    fillsReported: 0,
    tradeBookReads: 0,
    tradeBookFailures: 0,
    fillsMissing: 0,
    afterTerminal: 0,
    catchUps: 0,
    catchUpFailures: 0,
    listenerErrors: 0,
  };

  constructor(options: AngelExecutionClientOptions) {
    this.rest = options.rest;
    this.feed = options.orderUpdates;
    this.clock = options.clock;
    this.log = (options.logger ?? silentLogger()).child({ component: 'angel-execution' });
    this.isOwnTag = options.isOwnTag ?? isClientOrderId;
    this.retries = Math.max(0, options.tradeBookRetries ?? 3);
    this.retryDelayMs = Math.max(0, options.tradeBookRetryDelayMs ?? 1000);
    this.detach = this.feed.onUpdate((update) => this.onUpdate(update));
  }

  // ---- requests ----

  async submit(order: Order): Promise<{ brokerOrderId: string }> {
    const unsupported = unsupportedReason(order);
    if (unsupported !== undefined) throw localRefusal('submit', order, unsupported);
    if (this.sentTags.has(order.clientOrderId)) {
      // Not a refusal: the first send may be live, so the order must be reconciled, not rejected.
      throw new IfError('IF_ERR_EXECUTION_DUPLICATE', {
        venue: ANGEL_VENUE,
        clientOrderId: order.clientOrderId,
      });
    }
    this.sentTags.add(order.clientOrderId);
    try {
      const ack = await this.rest.placeOrder(placeRequest(order));
      return { brokerOrderId: ack.orderId };
    } catch (error) {
      throw orderWriteError(error, 'submit', order);
    }
  }

  async modify(order: Order, change: ModifyRequest): Promise<void> {
    const brokerOrderId = brokerOrderIdOf(order);
    if (brokerOrderId === undefined) throw localRefusal('modify', order, 'no broker order id yet');
    try {
      await this.rest.modifyOrder(modifyRequest(order, brokerOrderId, change));
    } catch (error) {
      throw orderWriteError(error, 'modify', order);
    }
  }

  async cancel(order: Order): Promise<void> {
    const brokerOrderId = brokerOrderIdOf(order);
    if (brokerOrderId === undefined) throw localRefusal('cancel', order, 'no broker order id yet');
    try {
      await this.rest.cancelOrder(cancelRequest(order, brokerOrderId));
    } catch (error) {
      throw orderWriteError(error, 'cancel', order);
    }
  }

  // ---- reconciliation ----

  async findOrder(clientOrderId: ClientOrderId): Promise<BrokerOrderLookup> {
    const [book, trades] = await Promise.all([this.rest.getOrderBook(), this.rest.getTradeBook()]);
    const rows = book.filter((row) => row.orderTag === clientOrderId);
    if (rows.length > 1) {
      this.log.error(
        { clientOrderId, orders: rows.map((row) => row.orderId) },
        'several Angel orders carry one client order id',
      );
    }
    const row = pickRow(rows);
    if (row === undefined) return { clientOrderId, report: { found: false }, fills: [] };
    return orderLookup(row, trades, this.isOwnTag, this.clock.now());
  }

  async orders(): Promise<readonly BrokerOrderLookup[]> {
    const [book, trades] = await Promise.all([this.rest.getOrderBook(), this.rest.getTradeBook()]);
    const now = this.clock.now();
    return book
      .filter((row) => this.isOwnTag(row.orderTag))
      .map((row) => orderLookup(row, trades, this.isOwnTag, now));
  }

  async positions(): Promise<readonly BrokerNetPosition[]> {
    const rows = await this.rest.getPositions();
    // one instrument may have an INTRADAY and a CARRYFORWARD row; the port wants the net
    const net = new Map<string, number>();
    for (const row of rows) {
      const key = `${row.exchange}:${row.symbolToken}`;
      net.set(key, (net.get(key) ?? 0) + row.netQty);
    }
    return [...net]
      .filter(([, quantity]) => quantity !== 0)
      .map(([instrument, quantity]) => ({ instrument, quantity }));
  }

  // ---- events ----

  onReport(listener: (report: ExecutionReport) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  isConnected(): boolean {
    return this.feed.state === 'open';
  }

  stats(): AngelExecutionStats {
    return { ...this.counters };
  }

  /** Resolves when every update received so far has been turned into reports. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Stops listening to the socket and waits for updates already received. */
  async close(): Promise<void> {
    this.detach();
    await this.idle();
  }

  private onUpdate(update: OrderUpdate): void {
    this.counters.updates++;
    this.tick++;
    if (update.statusCode === 'AB00') {
      // Every connection starts with AB00; one after the first means the socket was down, and Angel does
      // not replay what it sent meanwhile.
      if (this.connections++ > 0) this.track(this.catchUp());
      return;
    }
    const { orderTag, orderId } = update.order;
    if (orderId === '' || !this.isOwnTag(orderTag)) {
      this.counters.ignoredUntagged++;
      return;
    }
    this.enqueue(orderId, orderTag as ClientOrderId, {
      kind: snapshotKind(update.statusCode),
      filled: update.order.filledQuantity,
      text: update.order.text,
      source: update.statusCode,
    });
  }

  /**
   * After a reconnect: every order of ours in the order book that is not known to be finished goes through
   * the same path as a socket update, so fills, cancels and rejections sent while the socket was down are
   * reported. Repeats of what was already reported are refused by the state machine as duplicates.
   */
  private async catchUp(): Promise<void> {
    this.counters.catchUps++;
    let book: AngelOrder[];
    try {
      book = await this.rest.getOrderBook();
    } catch (error) {
      this.counters.catchUpFailures++;
      this.log.warn(
        { err: errorText(error) },
        'order book read after reconnect failed; reconciliation must cover the gap',
      );
      return;
    }
    for (const row of book) {
      if (!this.isOwnTag(row.orderTag) || this.tracked.get(row.orderId)?.terminal === true) continue;
      let kind: SnapshotKind;
      try {
        kind = snapshotKindOfStatus(row.status);
      } catch (error) {
        this.log.warn({ orderId: row.orderId, err: errorText(error) }, 'order row skipped after reconnect');
        continue;
      }
      this.enqueue(row.orderId, row.orderTag as ClientOrderId, {
        kind,
        filled: row.filledShares ?? 0,
        text: row.text,
        source: `book:${row.status}`,
      });
    }
  }

  /** Queues a snapshot behind the order's earlier ones. */
  private enqueue(orderId: string, clientOrderId: ClientOrderId, snapshot: Snapshot): void {
    let tracked = this.tracked.get(orderId);
    if (tracked === undefined) {
      tracked = {
        brokerOrderId: orderId,
        clientOrderId,
        acknowledged: false,
        filledReported: 0,
        fillIds: new Set(),
        chain: Promise.resolve(),
        terminal: false,
      };
      this.tracked.set(orderId, tracked);
      if (this.tracked.size > MAX_TRACKED) this.evictFinished();
    }
    const t = tracked;
    const tickAtArrival = this.tick;
    const step = t.chain.then(() => this.handle(t, snapshot, tickAtArrival));
    const settled = step.catch((error: unknown) => {
      this.log.error(
        { clientOrderId: t.clientOrderId, status: snapshot.source, err: errorText(error) },
        'order update not handled',
      );
    });
    t.chain = settled;
    this.track(settled);
  }

  private track(work: Promise<void>): void {
    const settled = work.catch((error: unknown) => {
      this.log.error({ err: errorText(error) }, 'order update work failed');
    });
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
  }

  /** Turns one snapshot into events: acknowledgement, new fills (from the trade book), then the status. */
  private async handle(t: Tracked, snapshot: Snapshot, tickAtArrival: number): Promise<void> {
    if (t.terminal) {
      this.counters.afterTerminal++;
      return;
    }
    if (snapshot.kind === 'rejected') {
      this.emit(t, {
        type: 'rejected',
        atMs: this.clock.now(),
        reason: snapshot.text || 'rejected by Angel One',
        source: 'broker',
      });
      t.terminal = true;
      return;
    }
    if (!t.acknowledged) {
      t.acknowledged = true;
      this.emit(t, { type: 'broker-accepted', atMs: this.clock.now(), brokerOrderId: t.brokerOrderId });
    }
    if (snapshot.filled > t.filledReported) {
      await this.reportFills(t, snapshot.filled, tickAtArrival);
    }
    if (snapshot.kind === 'modified') this.emit(t, { type: 'modify-accepted', atMs: this.clock.now() });
    if (snapshot.kind === 'cancelled') {
      this.emit(t, { type: 'cancelled', atMs: this.clock.now(), reason: snapshot.text || 'cancelled' });
    }
    // working: nothing beyond the acknowledgement and the fills; complete: its last fill filled the order
    if (snapshot.kind === 'cancelled' || snapshot.kind === 'complete') t.terminal = true;
  }

  /** Reports the order's trades not reported yet, until `target` units are covered or retries run out. */
  private async reportFills(t: Tracked, target: number, tick: number): Promise<void> {
    let asOf = tick;
    for (let attempt = 0; ; attempt++) {
      let trades: AngelTrade[] | undefined;
      try {
        trades = await this.tradeBookAfter(asOf);
      } catch (error) {
        this.counters.tradeBookFailures++;
        this.log.warn({ clientOrderId: t.clientOrderId, err: errorText(error) }, 'trade book read failed');
      }
      for (const trade of trades ?? []) {
        if (trade.orderId !== t.brokerOrderId || t.fillIds.has(trade.fillId)) continue;
        t.fillIds.add(trade.fillId);
        t.filledReported += trade.fillSize;
        this.counters.fillsReported++;
        this.emit(t, {
          type: 'fill',
          atMs: this.clock.now(),
          fillId: trade.fillId,
          brokerOrderId: t.brokerOrderId,
          quantity: trade.fillSize,
          pricePaise: paise(trade.fillPrice),
        });
      }
      if (t.filledReported >= target) return;
      if (attempt >= this.retries) break;
      await this.sleep(this.retryDelayMs);
      asOf = ++this.tick;
    }
    this.counters.fillsMissing++;
    this.log.warn(
      { clientOrderId: t.clientOrderId, brokerOrderId: t.brokerOrderId, target, reported: t.filledReported },
      'filled quantity not in the trade book yet; reconciliation will apply the rest',
    );
  }

  /** A trade-book read that started after `tick`; reads never overlap (Angel allows one a second). */
  private tradeBookAfter(tick: number): Promise<AngelTrade[]> {
    const current = this.tradeRead;
    if (current !== undefined && current.tick >= tick) return current.promise;
    const previous = current?.promise.catch(() => undefined) ?? Promise.resolve();
    const startedFor = this.tick;
    const promise = previous.then(() => {
      this.counters.tradeBookReads++;
      return this.rest.getTradeBook();
    });
    this.tradeRead = { tick: startedFor, promise };
    return promise;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }

  /** Forgets the oldest finished orders; a repeat for one of them later only repeats refused events. */
  private evictFinished(): void {
    for (const [id, t] of this.tracked) {
      if (this.tracked.size <= MAX_TRACKED / 2) return;
      if (t.terminal) this.tracked.delete(id);
    }
  }

  private emit(t: Tracked, event: OrderEvent): void {
    const report: ExecutionReport = { clientOrderId: t.clientOrderId, event };
    this.counters.reports++;
    for (const listener of [...this.listeners]) {
      try {
        listener(report);
      } catch (error) {
        this.counters.listenerErrors++;
        this.log.error({ clientOrderId: t.clientOrderId, err: errorText(error) }, 'report listener threw');
      }
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
