import type { Clock } from '../../core/clock.js';
import { IfError } from '../../core/errors.js';
import type {
  BrokerNetPosition,
  BrokerOrderLookup,
  ExecutionClient,
  ExecutionReport,
} from '../../execution/ports.js';
import type { ClientOrderId, ModifyRequest, Order, OrderId } from '../../execution/orders/index.js';
import type { MarketEvent } from '../../feed/events.js';
import { type Logger, silentLogger } from '../../ops/logger.js';
import { ROUTE, type Route } from '../../risk/index.js';
import type { PaperBroker, PaperBrokerEvent } from './paperBroker.js';

export const PAPER_VENUE = 'Paper venue';

export interface PaperExecutionClientOptions {
  broker: PaperBroker;
  /** engine clock: the time requests are made at (they reach the venue `latencyMs` later) */
  clock: Clock;
  /** `paper` (default) or `backtest`: the same venue serves both */
  route?: Route;
  logger?: Logger;
}

type Operation = 'submit' | 'modify' | 'cancel';

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** What the client keeps per order: the ids the venue does not know, and who waits for an answer. */
interface Tracked {
  readonly orderId: OrderId;
  readonly clientOrderId: ClientOrderId;
  /** `EXCHANGE:token` */
  readonly instrument: string;
  readonly submit: Waiter<{ brokerOrderId: string }>[];
  readonly modify: Waiter<void>[];
  readonly cancel: Waiter<void>[];
}

/**
 * The paper venue behind the execution port. The platform feeds it the market (`onMarket` for every
 * market event, `advanceTo` on clock ticks when nothing trades), and every venue event becomes a report.
 *
 * Requests and answers follow Angel One's split: the promise of `submit`/`modify`/`cancel` settles when the
 * request reaches the venue (`latencyMs` after it was made, so possibly only on a later `advanceTo` or
 * `onMarket`); a refusal (`rejected`, `modify-rejected`, `cancel-rejected`) rejects it with
 * `refused: true` and is not reported again; an acceptance resolves it and is also reported
 * (`broker-accepted`, `modify-accepted`, `cancelled`), as Angel's socket repeats what the REST answer said.
 * Fills, IOC remainders and other venue events are reported only. Listeners run synchronously, before
 * the returned promise settles.
 */
export class PaperExecutionClient implements ExecutionClient {
  readonly route: Route;
  private readonly broker: PaperBroker;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly listeners = new Set<(report: ExecutionReport) => void>();
  private readonly byOrderId = new Map<OrderId, Tracked>();
  private readonly byClientId = new Map<ClientOrderId, Tracked>();

  constructor(options: PaperExecutionClientOptions) {
    this.broker = options.broker;
    this.clock = options.clock;
    this.route = options.route ?? ROUTE.paper;
    this.log = (options.logger ?? silentLogger()).child({ component: 'paper-execution' });
  }

  submit(order: Order): Promise<{ brokerOrderId: string }> {
    if (this.byClientId.has(order.clientOrderId)) {
      // not a refusal: the first send is live, so the order must be reconciled, never rejected
      return Promise.reject(
        new IfError('IF_ERR_EXECUTION_DUPLICATE', { venue: PAPER_VENUE, clientOrderId: order.clientOrderId }),
      );
    }
    const tracked = this.track(order);
    const answer = new Promise<{ brokerOrderId: string }>((resolve, reject) => {
      tracked.submit.push({ resolve, reject });
    });
    this.dispatch(this.broker.submit(order, this.clock.now()));
    return answer;
  }

  modify(order: Order, change: ModifyRequest): Promise<void> {
    const tracked = this.track(order);
    const answer = new Promise<void>((resolve, reject) => {
      tracked.modify.push({ resolve, reject });
    });
    this.dispatch(this.broker.modify(order.orderId, change, this.clock.now()));
    return answer;
  }

  cancel(order: Order): Promise<void> {
    const tracked = this.track(order);
    const answer = new Promise<void>((resolve, reject) => {
      tracked.cancel.push({ resolve, reject });
    });
    this.dispatch(this.broker.cancel(order.orderId, this.clock.now(), 'cancelled on request'));
    return answer;
  }

  /** Applies one market event at its `receivedAtMs` (requests due before it arrive first). */
  onMarket(event: MarketEvent): void {
    this.dispatch(this.broker.onMarket(event));
  }

  /** Delivers requests due by `nowMs` (call on clock ticks when no market event comes). */
  advanceTo(nowMs: number): void {
    this.dispatch(this.broker.advanceTo(nowMs));
  }

  async findOrder(clientOrderId: ClientOrderId): Promise<BrokerOrderLookup> {
    const tracked = this.byClientId.get(clientOrderId);
    if (tracked === undefined) return { clientOrderId, report: { found: false }, fills: [] };
    // an order whose submit is still on its way (latency) is, as at Angel, not in the venue's book yet
    return this.lookup(tracked);
  }

  async orders(): Promise<readonly BrokerOrderLookup[]> {
    return [...this.byClientId.values()]
      .map((tracked) => this.lookup(tracked))
      .filter((lookup) => lookup.report.found);
  }

  async positions(): Promise<readonly BrokerNetPosition[]> {
    const net = new Map<string, number>();
    for (const trade of this.broker.trades()) {
      const key = this.byOrderId.get(trade.orderId)?.instrument ?? `NFO:${trade.token}`;
      net.set(key, (net.get(key) ?? 0) + (trade.side === 'BUY' ? trade.quantity : -trade.quantity));
    }
    return [...net]
      .filter(([, quantity]) => quantity !== 0)
      .map(([instrument, quantity]) => ({ instrument, quantity }));
  }

  onReport(listener: (report: ExecutionReport) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** In process: the event stream is never down. */
  isConnected(): boolean {
    return true;
  }

  private track(order: Order): Tracked {
    const known = this.byOrderId.get(order.orderId);
    if (known !== undefined) return known;
    const tracked: Tracked = {
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      instrument: `${order.instrument.exchange}:${order.instrument.token}`,
      submit: [],
      modify: [],
      cancel: [],
    };
    this.byOrderId.set(order.orderId, tracked);
    this.byClientId.set(order.clientOrderId, tracked);
    return tracked;
  }

  private lookup(tracked: Tracked): BrokerOrderLookup {
    const fills = this.broker
      .trades()
      .filter((trade) => trade.orderId === tracked.orderId)
      .map((trade) => ({
        fillId: trade.tradeId,
        quantity: trade.quantity,
        pricePaise: trade.pricePaise,
        atMs: trade.atMs,
      }));
    return { clientOrderId: tracked.clientOrderId, report: this.broker.report(tracked.orderId), fills };
  }

  private dispatch(events: readonly PaperBrokerEvent[]): void {
    for (const { orderId, event } of events) {
      const tracked = this.byOrderId.get(orderId);
      if (tracked === undefined) {
        this.log.error({ orderId, event: event.type }, 'paper event for an order this client never sent');
        continue;
      }
      switch (event.type) {
        case 'broker-accepted':
          tracked.submit.shift()?.resolve({ brokerOrderId: event.brokerOrderId });
          this.emit(tracked, event);
          break;
        case 'modify-accepted':
          tracked.modify.shift()?.resolve();
          this.emit(tracked, event);
          break;
        case 'cancelled': {
          // an IOC remainder is cancelled without anyone asking
          tracked.cancel.shift()?.resolve();
          this.emit(tracked, event);
          break;
        }
        case 'rejected':
          if (!this.refuse(tracked.submit, tracked, 'submit', event.reason)) this.emit(tracked, event);
          break;
        case 'modify-rejected':
          if (!this.refuse(tracked.modify, tracked, 'modify', event.reason)) this.emit(tracked, event);
          break;
        case 'cancel-rejected':
          if (!this.refuse(tracked.cancel, tracked, 'cancel', event.reason)) this.emit(tracked, event);
          break;
        default:
          this.emit(tracked, event);
      }
    }
  }

  /** Rejects the oldest waiter with a refusal; false when nobody waits (then the event is reported). */
  private refuse<T>(waiters: Waiter<T>[], tracked: Tracked, operation: Operation, reason: string): boolean {
    const waiter = waiters.shift();
    if (waiter === undefined) return false;
    waiter.reject(
      new IfError('IF_ERR_EXECUTION_REFUSED', {
        venue: PAPER_VENUE,
        operation,
        clientOrderId: tracked.clientOrderId,
        detail: reason,
        refused: true,
        source: 'broker',
      }),
    );
    return true;
  }

  private emit(tracked: Tracked, event: ExecutionReport['event']): void {
    const report: ExecutionReport = { clientOrderId: tracked.clientOrderId, event };
    for (const listener of [...this.listeners]) {
      try {
        listener(report);
      } catch (error) {
        this.log.error(
          {
            clientOrderId: tracked.clientOrderId,
            err: error instanceof Error ? error.message : String(error),
          },
          'report listener threw',
        );
      }
    }
  }
}
