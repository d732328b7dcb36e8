import { type Paise, paise } from '../../core/money.js';
import { SeededRandom } from '../../core/random.js';
import type {
  BrokerOrderReport,
  ModifyRequest,
  Order,
  OrderEvent,
  OrderId,
  OrderSide,
} from '../../execution/orders/index.js';
import type { DepthEvent, MarketEvent } from '../../feed/events.js';
import {
  type AdverseSelection,
  type Book,
  type BookLevel,
  EMPTY_BOOK,
  type ModelFill,
  onBook,
  onTrade,
  queueOnJoin,
  type RestingState,
  takeLiquidity,
} from './fillModel.js';

/** Stable rejection reasons (the order state machine carries reasons as text). */
export const PAPER_REASON = {
  unknownInstrument: 'paper: unknown instrument',
  noMarketData: 'paper: no market data for the instrument',
  unsupportedType: 'paper: only LIMIT orders (send market orders as protected limits)',
  invalidQuantity: 'paper: quantity must be a positive multiple of the lot size',
  invalidPrice: 'paper: limit price must be a positive multiple of the tick size',
  unknownOrder: 'paper: unknown order',
  notOpen: 'paper: order is not open',
  iocRemainder: 'paper: IOC remainder cancelled',
} as const;

export interface PaperBrokerConfig {
  /** instrument tokens the paper venue trades */
  readonly tokens: Iterable<string>;
  /** ms between a request and its arrival at the venue; market events up to the arrival apply first */
  readonly latencyMs: number;
  readonly seed: number;
  readonly adverseSelection?: AdverseSelection;
}

/** One order-state-machine event for one order. */
export interface PaperBrokerEvent {
  readonly orderId: OrderId;
  readonly event: OrderEvent;
}

export interface PaperTrade {
  readonly tradeId: string;
  readonly orderId: OrderId;
  readonly brokerOrderId: string;
  readonly token: string;
  readonly side: OrderSide;
  readonly quantity: number;
  readonly pricePaise: Paise;
  readonly atMs: number;
  /** taker: crossed the book on arrival; maker: filled while resting */
  readonly liquidity: 'taker' | 'maker';
}

export interface PaperOrderRow {
  readonly orderId: OrderId;
  readonly brokerOrderId: string;
  readonly token: string;
  readonly side: OrderSide;
  readonly quantity: number;
  readonly filledQuantity: number;
  readonly limitPricePaise: Paise;
  readonly status: 'open' | 'filled' | 'cancelled' | 'rejected';
  readonly queueAhead: number;
  readonly reason: string | undefined;
}

interface Working {
  orderId: OrderId;
  brokerOrderId: string;
  token: string;
  side: OrderSide;
  lotSize: number;
  tickSizePaise: number;
  ioc: boolean;
  quantity: number;
  filled: number;
  limitPricePaise: number;
  status: PaperOrderRow['status'];
  queueAhead: number;
  reason: string | undefined;
}

type Request =
  | { kind: 'submit'; arriveAtMs: number; order: Order }
  | { kind: 'cancel'; arriveAtMs: number; orderId: OrderId; reason: string }
  | { kind: 'modify'; arriveAtMs: number; orderId: OrderId; change: ModifyRequest };

interface Market {
  book: Book;
  /** cumulative day volume last seen; undefined before the first */
  volume: number | undefined;
  /** a depth event was seen, so quotes no longer replace the book */
  hasDepth: boolean;
}

/**
 * A paper venue: a pure core the caller drives with its clock (`nowMs` on requests, `receivedAtMs` on
 * market events). Every call returns the order events it produced, in order; feed them to `transition()`.
 * Requests arrive `latencyMs` after they are made, in the order made.
 */
export class PaperBroker {
  private readonly tokens: ReadonlySet<string>;
  private readonly latencyMs: number;
  private readonly adverse: AdverseSelection | undefined;
  private readonly random: SeededRandom;
  private readonly pending: Request[] = [];
  private readonly markets = new Map<string, Market>();
  private readonly orders = new Map<OrderId, Working>();
  private readonly tradeList: PaperTrade[] = [];
  private nextOrderSeq = 1;
  private nextTradeSeq = 1;

  constructor(config: PaperBrokerConfig) {
    if (!Number.isFinite(config.latencyMs) || config.latencyMs < 0) {
      throw new RangeError(`latencyMs must be a finite number ≥ 0, got ${config.latencyMs}`);
    }
    this.tokens = new Set(config.tokens);
    this.latencyMs = config.latencyMs;
    this.adverse = config.adverseSelection;
    this.random = new SeededRandom(config.seed);
  }

  /** Sends an order (status `submitted`, LIMIT pricing); it reaches the venue `latencyMs` later. */
  submit(order: Order, nowMs: number): PaperBrokerEvent[] {
    return this.enqueue({ kind: 'submit', arriveAtMs: nowMs + this.latencyMs, order }, nowMs);
  }

  /** Asks to cancel an order; answered with `cancelled` or `cancel-rejected` on arrival. */
  cancel(orderId: OrderId, nowMs: number, reason = 'user cancel'): PaperBrokerEvent[] {
    return this.enqueue({ kind: 'cancel', arriveAtMs: nowMs + this.latencyMs, orderId, reason }, nowMs);
  }

  /** Asks to change quantity and/or limit price; answered with `modify-accepted` or `modify-rejected`. */
  modify(orderId: OrderId, change: ModifyRequest, nowMs: number): PaperBrokerEvent[] {
    return this.enqueue({ kind: 'modify', arriveAtMs: nowMs + this.latencyMs, orderId, change }, nowMs);
  }

  /** Processes requests due by `nowMs` (call on clock ticks when no market event comes). */
  advanceTo(nowMs: number): PaperBrokerEvent[] {
    const out: PaperBrokerEvent[] = [];
    this.arrive(nowMs, true, out);
    return out;
  }

  /** Applies a market event at its `receivedAtMs`; requests arriving strictly before it go first. */
  onMarket(event: MarketEvent): PaperBrokerEvent[] {
    const out: PaperBrokerEvent[] = [];
    const atMs = event.receivedAtMs;
    this.arrive(atMs, false, out);
    if (this.tokens.has(event.token)) {
      const market = this.marketOf(event.token);
      if (event.type === 'depth') {
        market.hasDepth = true;
        this.applyBook(event.token, market, bookOfDepth(event), atMs, out);
      } else {
        if (event.type === 'quote' && !market.hasDepth) {
          this.applyBook(
            event.token,
            market,
            bookOfQuote(event.bidPrice, event.bidQuantity, event.askPrice, event.askQuantity),
            atMs,
            out,
          );
        }
        this.applyVolume(event.token, market, event.lastPrice, event.volume, atMs, out);
      }
    }
    this.arrive(atMs, true, out);
    return out;
  }

  /** Every order the venue has seen, in arrival order (for reconciliation). */
  orderBook(): readonly PaperOrderRow[] {
    return [...this.orders.values()].map((w) => ({
      orderId: w.orderId,
      brokerOrderId: w.brokerOrderId,
      token: w.token,
      side: w.side,
      quantity: w.quantity,
      filledQuantity: w.filled,
      limitPricePaise: paise(w.limitPricePaise),
      status: w.status,
      queueAhead: w.queueAhead,
      reason: w.reason,
    }));
  }

  /** Every fill, in order. */
  trades(): readonly PaperTrade[] {
    return [...this.tradeList];
  }

  /** The venue's view of one order, in the shape reconciliation expects. */
  report(orderId: OrderId): BrokerOrderReport {
    const w = this.orders.get(orderId);
    if (w === undefined) return { found: false };
    return {
      found: true,
      brokerOrderId: w.brokerOrderId,
      status: w.status,
      quantity: w.quantity,
      filledQuantity: w.filled,
      pricing: { type: 'LIMIT', limitPricePaise: paise(w.limitPricePaise) },
      ...(w.reason === undefined ? {} : { reason: w.reason }),
    };
  }

  private enqueue(request: Request, nowMs: number): PaperBrokerEvent[] {
    this.pending.push(request);
    return this.advanceTo(nowMs);
  }

  /** Requests arrive in the order made; latency is constant, so the queue is already in time order. */
  private arrive(atMs: number, inclusive: boolean, out: PaperBrokerEvent[]): void {
    for (;;) {
      const head = this.pending[0];
      if (head === undefined) return;
      if (inclusive ? head.arriveAtMs > atMs : head.arriveAtMs >= atMs) return;
      this.pending.shift();
      if (head.kind === 'submit') this.onSubmit(head.order, head.arriveAtMs, out);
      else if (head.kind === 'cancel') this.onCancel(head.orderId, head.reason, head.arriveAtMs, out);
      else this.onModify(head.orderId, head.change, head.arriveAtMs, out);
    }
  }

  private marketOf(token: string): Market {
    let market = this.markets.get(token);
    if (market === undefined) {
      market = { book: EMPTY_BOOK, volume: undefined, hasDepth: false };
      this.markets.set(token, market);
    }
    return market;
  }

  private onSubmit(order: Order, atMs: number, out: PaperBrokerEvent[]): void {
    const brokerOrderId = `PB${this.nextOrderSeq++}`;
    const token = order.instrument.token;
    const w: Working = {
      orderId: order.orderId,
      brokerOrderId,
      token,
      side: order.side,
      lotSize: order.instrument.lotSize,
      tickSizePaise: order.instrument.tickSizePaise,
      ioc: order.timeInForce === 'IOC',
      quantity: order.quantity,
      filled: 0,
      limitPricePaise: order.pricing.type === 'LIMIT' ? order.pricing.limitPricePaise : 0,
      status: 'open',
      queueAhead: 0,
      reason: undefined,
    };
    this.orders.set(order.orderId, w);
    const reason = this.rejection(order, w);
    if (reason !== undefined) {
      w.status = 'rejected';
      w.reason = reason;
      out.push({ orderId: w.orderId, event: { type: 'rejected', atMs, reason, source: 'broker' } });
      return;
    }
    out.push({ orderId: w.orderId, event: { type: 'broker-accepted', atMs, brokerOrderId } });
    this.enterBook(w, atMs, out);
  }

  private rejection(order: Order, w: Working): string | undefined {
    if (!this.tokens.has(w.token)) return PAPER_REASON.unknownInstrument;
    if (order.pricing.type !== 'LIMIT') return PAPER_REASON.unsupportedType;
    if (!validQuantity(w.quantity, w.lotSize)) return PAPER_REASON.invalidQuantity;
    if (!validPrice(w.limitPricePaise, w.tickSizePaise)) return PAPER_REASON.invalidPrice;
    const market = this.markets.get(w.token);
    const book = market?.book ?? EMPTY_BOOK;
    if (book.bids.length === 0 && book.asks.length === 0) return PAPER_REASON.noMarketData;
    return undefined;
  }

  /** Takes what crosses, then rests the remainder behind the displayed queue (IOC cancels it). */
  private enterBook(w: Working, atMs: number, out: PaperBrokerEvent[]): void {
    const market = this.marketOf(w.token);
    const taken = takeLiquidity(
      market.book,
      w.side,
      w.limitPricePaise,
      w.quantity - w.filled,
      w.tickSizePaise,
      this.adverse,
      this.random,
    );
    market.book = taken.book;
    this.record(w, taken.fills, atMs, 'taker', out);
    if (w.status !== 'open') return;
    if (w.ioc) {
      this.close(w, 'cancelled', PAPER_REASON.iocRemainder, atMs, out);
      return;
    }
    w.queueAhead = queueOnJoin(market.book, w.side, w.limitPricePaise);
  }

  private onCancel(orderId: OrderId, reason: string, atMs: number, out: PaperBrokerEvent[]): void {
    const w = this.orders.get(orderId);
    if (w === undefined || w.status !== 'open') {
      const why = w === undefined ? PAPER_REASON.unknownOrder : PAPER_REASON.notOpen;
      out.push({ orderId, event: { type: 'cancel-rejected', atMs, reason: why } });
      return;
    }
    this.close(w, 'cancelled', reason, atMs, out);
  }

  /**
   * A price change or a quantity increase loses time priority (the order re-enters, possibly crossing); a
   * quantity decrease keeps it.
   */
  private onModify(orderId: OrderId, change: ModifyRequest, atMs: number, out: PaperBrokerEvent[]): void {
    const w = this.orders.get(orderId);
    const reject = (reason: string) =>
      out.push({ orderId, event: { type: 'modify-rejected', atMs, reason } });
    if (w === undefined) return void reject(PAPER_REASON.unknownOrder);
    if (w.status !== 'open') return void reject(PAPER_REASON.notOpen);
    const quantity = change.quantity ?? w.quantity;
    const price = change.limitPricePaise ?? w.limitPricePaise;
    if (!validQuantity(quantity, w.lotSize) || quantity <= w.filled)
      return void reject(PAPER_REASON.invalidQuantity);
    if (!validPrice(price, w.tickSizePaise)) return void reject(PAPER_REASON.invalidPrice);
    const requeue = price !== w.limitPricePaise || quantity > w.quantity;
    w.quantity = quantity;
    w.limitPricePaise = price;
    out.push({ orderId, event: { type: 'modify-accepted', atMs } });
    if (requeue) this.enterBook(w, atMs, out);
  }

  private applyBook(token: string, market: Market, book: Book, atMs: number, out: PaperBrokerEvent[]): void {
    market.book = book;
    for (const w of this.openOrders(token)) {
      const step = onBook(restingOf(w), market.book);
      market.book = step.book;
      w.queueAhead = step.state.queueAhead;
      if (step.filled > 0)
        this.record(w, [{ quantity: step.filled, pricePaise: w.limitPricePaise }], atMs, 'maker', out);
    }
  }

  /** Volume since the last event printed at `lastPrice` (a reset, e.g. a new day, only re-bases). */
  private applyVolume(
    token: string,
    market: Market,
    lastPrice: number,
    volume: number,
    atMs: number,
    out: PaperBrokerEvent[],
  ): void {
    const previous = market.volume;
    market.volume = volume;
    if (previous === undefined || volume <= previous || lastPrice <= 0) return;
    const delta = volume - previous;
    // Each paper order sees the whole print: our orders are not in the real queue, so none is ahead of another.
    for (const w of this.openOrders(token)) {
      const step = onTrade(restingOf(w), lastPrice, delta);
      w.queueAhead = step.state.queueAhead;
      if (step.filled > 0)
        this.record(w, [{ quantity: step.filled, pricePaise: w.limitPricePaise }], atMs, 'maker', out);
    }
  }

  private openOrders(token: string): Working[] {
    return [...this.orders.values()].filter((w) => w.token === token && w.status === 'open');
  }

  private record(
    w: Working,
    fills: readonly ModelFill[],
    atMs: number,
    liquidity: PaperTrade['liquidity'],
    out: PaperBrokerEvent[],
  ): void {
    for (const fill of fills) {
      const tradeId = `PT${this.nextTradeSeq++}`;
      const pricePaise = paise(fill.pricePaise);
      w.filled += fill.quantity;
      this.tradeList.push({
        tradeId,
        orderId: w.orderId,
        brokerOrderId: w.brokerOrderId,
        token: w.token,
        side: w.side,
        quantity: fill.quantity,
        pricePaise,
        atMs,
        liquidity,
      });
      out.push({
        orderId: w.orderId,
        event: {
          type: 'fill',
          atMs,
          fillId: tradeId,
          brokerOrderId: w.brokerOrderId,
          quantity: fill.quantity,
          pricePaise,
        },
      });
    }
    if (w.filled >= w.quantity) {
      w.status = 'filled';
      w.queueAhead = 0;
    }
  }

  private close(
    w: Working,
    status: 'cancelled',
    reason: string,
    atMs: number,
    out: PaperBrokerEvent[],
  ): void {
    w.status = status;
    w.reason = reason;
    out.push({ orderId: w.orderId, event: { type: 'cancelled', atMs, reason } });
  }
}

function restingOf(w: Working): RestingState {
  return {
    side: w.side,
    limitPricePaise: w.limitPricePaise,
    remaining: w.quantity - w.filled,
    queueAhead: w.queueAhead,
  };
}

function validQuantity(quantity: number, lotSize: number): boolean {
  return Number.isSafeInteger(quantity) && quantity > 0 && quantity % lotSize === 0;
}

function validPrice(pricePaise: number, tickSizePaise: number): boolean {
  return Number.isSafeInteger(pricePaise) && pricePaise > 0 && pricePaise % tickSizePaise === 0;
}

function levelsOf(levels: DepthEvent['bids']): BookLevel[] {
  return levels
    .filter((l) => l.quantity > 0 && l.price > 0)
    .map((l) => ({ pricePaise: l.price, quantity: l.quantity }));
}

function bookOfDepth(event: DepthEvent): Book {
  return { bids: levelsOf(event.bids), asks: levelsOf(event.asks) };
}

function bookOfQuote(bidPrice: number, bidQuantity: number, askPrice: number, askQuantity: number): Book {
  const side = (price: number, quantity: number): BookLevel[] =>
    price > 0 && quantity > 0 ? [{ pricePaise: price, quantity }] : [];
  return { bids: side(bidPrice, bidQuantity), asks: side(askPrice, askQuantity) };
}
