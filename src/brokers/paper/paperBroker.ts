import { type Paise, paise } from '../../core/money.js';
import { SeededRandom } from '../../core/random.js';
import type {
  BrokerOrderReport,
  ModifyRequest,
  Order,
  OrderEvent,
  OrderId,
  OrderPricing,
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
  takeLiquidityAfterPrint,
} from './fillModel.js';

/** Stable rejection reasons (the order state machine carries reasons as text). */
export const PAPER_REASON = {
  unknownInstrument: 'paper: unknown instrument',
  noMarketData: 'paper: no market data for the instrument',
  unsupportedType: 'paper: only LIMIT and STOPLOSS_LIMIT orders (send market orders as protected limits)',
  invalidQuantity: 'paper: quantity must be a positive multiple of the lot size',
  invalidPrice: 'paper: limit price must be a positive multiple of the tick size',
  invalidTrigger: 'paper: trigger price must be a positive multiple of the tick size',
  sellStopLimitAboveTrigger: 'paper: a SELL stop-loss needs its limit price at or below its trigger price',
  buyStopLimitBelowTrigger: 'paper: a BUY stop-loss needs its limit price at or above its trigger price',
  triggerCrossed:
    'paper: the last traded price has already reached the trigger (a SELL stop trigger must be below it, a BUY stop trigger above it)',
  noTrigger: 'paper: only a STOPLOSS_LIMIT order has a trigger price',
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
  readonly orderType: OrderPricing['type'];
  readonly quantity: number;
  readonly filledQuantity: number;
  readonly limitPricePaise: Paise;
  /** STOPLOSS_LIMIT only */
  readonly triggerPricePaise: Paise | undefined;
  /** `open` covers a stop still waiting for its trigger (`triggerPending`), as Angel's book does */
  readonly status: 'open' | 'filled' | 'cancelled' | 'rejected';
  /** a stop-loss waiting for its trigger: accepted, not in the book, no queue position */
  readonly triggerPending: boolean;
  readonly queueAhead: number;
  readonly reason: string | undefined;
}

interface Working {
  orderId: OrderId;
  brokerOrderId: string;
  token: string;
  side: OrderSide;
  orderType: OrderPricing['type'];
  lotSize: number;
  tickSizePaise: number;
  ioc: boolean;
  quantity: number;
  filled: number;
  limitPricePaise: number;
  /** 0 unless STOPLOSS_LIMIT */
  triggerPricePaise: number;
  triggerPending: boolean;
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
  /** last traded price in paise from tick and quote events; 0 before the first trade */
  lastPricePaise: number;
}

/**
 * A paper venue: a pure core the caller drives with its clock (`nowMs` on requests, `receivedAtMs` on
 * market events). Every call returns the order events it produced, in order; feed them to `transition()`.
 * Requests arrive `latencyMs` after they are made, in the order made.
 *
 * STOPLOSS_LIMIT orders work as on NSE through Angel: accepted at once and held as "trigger pending" (not in
 * the book, no queue position, reported `open`) until a trade prints at or through the trigger (LTP ≥
 * trigger for a BUY stop, ≤ for a SELL stop). Only trades fire it (the LTP of tick and quote events), never
 * bid/ask or depth moves, since the exchange triggers on the last traded price. Triggered, the order enters the book as a LIMIT at its limit
 * price like any arriving order. As Angel's RMS and our simulator do, a stop whose trigger the LTP has
 * already reached is refused rather than triggered on arrival.
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

  /** Sends an order (status `submitted`, LIMIT or STOPLOSS_LIMIT); it reaches the venue `latencyMs` later. */
  submit(order: Order, nowMs: number): PaperBrokerEvent[] {
    return this.enqueue({ kind: 'submit', arriveAtMs: nowMs + this.latencyMs, order }, nowMs);
  }

  /** Asks to cancel an order; answered with `cancelled` or `cancel-rejected` on arrival. */
  cancel(orderId: OrderId, nowMs: number, reason = 'user cancel'): PaperBrokerEvent[] {
    return this.enqueue({ kind: 'cancel', arriveAtMs: nowMs + this.latencyMs, orderId, reason }, nowMs);
  }

  /**
   * Asks to change quantity, limit price and/or (stops only) trigger price; answered with `modify-accepted`
   * or `modify-rejected`.
   */
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
        this.applyLastPrice(event.token, market, event.lastPrice, atMs, out);
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
      orderType: w.orderType,
      quantity: w.quantity,
      filledQuantity: w.filled,
      limitPricePaise: paise(w.limitPricePaise),
      triggerPricePaise: w.orderType === 'STOPLOSS_LIMIT' ? paise(w.triggerPricePaise) : undefined,
      status: w.status,
      triggerPending: w.triggerPending,
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
      ...pricingOf(w),
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
      market = { book: EMPTY_BOOK, volume: undefined, hasDepth: false, lastPricePaise: 0 };
      this.markets.set(token, market);
    }
    return market;
  }

  private onSubmit(order: Order, atMs: number, out: PaperBrokerEvent[]): void {
    const brokerOrderId = `PB${this.nextOrderSeq++}`;
    const token = order.instrument.token;
    const { pricing } = order;
    const w: Working = {
      orderId: order.orderId,
      brokerOrderId,
      token,
      side: order.side,
      orderType: pricing.type,
      lotSize: order.instrument.lotSize,
      tickSizePaise: order.instrument.tickSizePaise,
      ioc: order.timeInForce === 'IOC',
      quantity: order.quantity,
      filled: 0,
      limitPricePaise: 'limitPricePaise' in pricing ? pricing.limitPricePaise : 0,
      triggerPricePaise: pricing.type === 'STOPLOSS_LIMIT' ? pricing.triggerPricePaise : 0,
      triggerPending: false,
      status: 'open',
      queueAhead: 0,
      reason: undefined,
    };
    this.orders.set(order.orderId, w);
    const reason = this.rejection(w);
    if (reason !== undefined) {
      w.status = 'rejected';
      w.reason = reason;
      out.push({ orderId: w.orderId, event: { type: 'rejected', atMs, reason, source: 'broker' } });
      return;
    }
    out.push({ orderId: w.orderId, event: { type: 'broker-accepted', atMs, brokerOrderId } });
    if (w.orderType === 'STOPLOSS_LIMIT') {
      // Angel's AB10 "trigger pending": nothing more happens until a trade reaches the trigger.
      w.triggerPending = true;
      return;
    }
    this.enterBook(w, atMs, out);
  }

  private rejection(w: Working): string | undefined {
    if (!this.tokens.has(w.token)) return PAPER_REASON.unknownInstrument;
    if (w.orderType !== 'LIMIT' && w.orderType !== 'STOPLOSS_LIMIT') return PAPER_REASON.unsupportedType;
    if (!validQuantity(w.quantity, w.lotSize)) return PAPER_REASON.invalidQuantity;
    if (!validPrice(w.limitPricePaise, w.tickSizePaise)) return PAPER_REASON.invalidPrice;
    const market = this.markets.get(w.token);
    if (w.orderType === 'STOPLOSS_LIMIT') {
      const why = stopRejection(w, w.limitPricePaise, w.triggerPricePaise, market?.lastPricePaise ?? 0);
      if (why !== undefined) return why;
    }
    const book = market?.book ?? EMPTY_BOOK;
    if (book.bids.length === 0 && book.asks.length === 0) return PAPER_REASON.noMarketData;
    return undefined;
  }

  /**
   * Takes what crosses, then rests the remainder behind the displayed queue (IOC cancels it).
   *
   * `printPaise` is the trade that triggered a stop. Just after a print at P no bid above P (nor ask below
   * P) can be displayed, yet our copy of the book may be the one from before the print (Angel sends a
   * packet's LTP before its depth): the stop takes nothing better than the print, so a gap through the
   * trigger is never filled at the stale prices it gapped away from.
   */
  private enterBook(w: Working, atMs: number, out: PaperBrokerEvent[], printPaise?: number): void {
    const market = this.marketOf(w.token);
    const args = [
      market.book,
      w.side,
      w.limitPricePaise,
      w.quantity - w.filled,
      w.tickSizePaise,
      this.adverse,
      this.random,
    ] as const;
    const taken =
      printPaise === undefined ? takeLiquidity(...args) : takeLiquidityAfterPrint(...args, printPaise);
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
   * quantity decrease keeps it. A stop waiting for its trigger has no priority to lose: it only takes the
   * new prices, which must pass the same checks as on arrival (a trigger the LTP has reached is refused).
   * Once triggered, a stop's trigger no longer matters, as at the exchange; it is still kept and reported.
   */
  private onModify(orderId: OrderId, change: ModifyRequest, atMs: number, out: PaperBrokerEvent[]): void {
    const w = this.orders.get(orderId);
    const reject = (reason: string) =>
      out.push({ orderId, event: { type: 'modify-rejected', atMs, reason } });
    if (w === undefined) return void reject(PAPER_REASON.unknownOrder);
    if (w.status !== 'open') return void reject(PAPER_REASON.notOpen);
    const isStop = w.orderType === 'STOPLOSS_LIMIT';
    if (change.triggerPricePaise !== undefined && !isStop) return void reject(PAPER_REASON.noTrigger);
    const quantity = change.quantity ?? w.quantity;
    const price = change.limitPricePaise ?? w.limitPricePaise;
    const trigger = change.triggerPricePaise ?? w.triggerPricePaise;
    if (!validQuantity(quantity, w.lotSize) || quantity <= w.filled)
      return void reject(PAPER_REASON.invalidQuantity);
    if (!validPrice(price, w.tickSizePaise)) return void reject(PAPER_REASON.invalidPrice);
    if (isStop) {
      const ltp = w.triggerPending ? (this.markets.get(w.token)?.lastPricePaise ?? 0) : 0;
      const why = stopRejection(w, price, trigger, ltp);
      if (why !== undefined) return void reject(why);
    }
    const requeue = price !== w.limitPricePaise || quantity > w.quantity;
    w.quantity = quantity;
    w.limitPricePaise = price;
    w.triggerPricePaise = trigger;
    out.push({ orderId, event: { type: 'modify-accepted', atMs } });
    if (requeue && !w.triggerPending) this.enterBook(w, atMs, out);
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

  /**
   * A trade at `lastPrice` fires the token's pending stops it reaches, in arrival order, after the print has
   * been offered to the resting orders (the stop joins after the trade that triggered it).
   */
  private applyLastPrice(
    token: string,
    market: Market,
    lastPrice: number,
    atMs: number,
    out: PaperBrokerEvent[],
  ): void {
    if (!(lastPrice > 0)) return;
    market.lastPricePaise = lastPrice;
    for (const w of this.orders.values()) {
      if (w.token !== token || w.status !== 'open' || !w.triggerPending) continue;
      if (!triggerReached(w.side, w.triggerPricePaise, lastPrice)) continue;
      w.triggerPending = false;
      this.enterBook(w, atMs, out, lastPrice);
    }
  }

  /** Orders in the book (a stop waiting for its trigger is open but not in the book). */
  private openOrders(token: string): Working[] {
    return [...this.orders.values()].filter(
      (w) => w.token === token && w.status === 'open' && !w.triggerPending,
    );
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

/** True when a trade at `lastPricePaise` fires a stop of `side`: at or above a BUY trigger, at or below a SELL one. */
function triggerReached(side: OrderSide, triggerPricePaise: number, lastPricePaise: number): boolean {
  return side === 'BUY' ? lastPricePaise >= triggerPricePaise : lastPricePaise <= triggerPricePaise;
}

/**
 * Why a stop-loss with these prices is refused, or undefined. `lastPricePaise` (0 for none, or when the stop
 * has already triggered) must not have reached the trigger yet.
 */
function stopRejection(
  w: Working,
  limitPricePaise: number,
  triggerPricePaise: number,
  lastPricePaise: number,
): string | undefined {
  if (!validPrice(triggerPricePaise, w.tickSizePaise)) return PAPER_REASON.invalidTrigger;
  if (w.side === 'SELL' && limitPricePaise > triggerPricePaise) return PAPER_REASON.sellStopLimitAboveTrigger;
  if (w.side === 'BUY' && limitPricePaise < triggerPricePaise) return PAPER_REASON.buyStopLimitBelowTrigger;
  if (lastPricePaise > 0 && triggerReached(w.side, triggerPricePaise, lastPricePaise)) {
    return PAPER_REASON.triggerCrossed;
  }
  return undefined;
}

/** The pricing the venue holds, for reconciliation; none for a refused MARKET or STOPLOSS_MARKET. */
function pricingOf(w: Working): { pricing?: OrderPricing } {
  if (w.orderType === 'LIMIT')
    return { pricing: { type: 'LIMIT', limitPricePaise: paise(w.limitPricePaise) } };
  if (w.orderType === 'STOPLOSS_LIMIT') {
    return {
      pricing: {
        type: 'STOPLOSS_LIMIT',
        limitPricePaise: paise(w.limitPricePaise),
        triggerPricePaise: paise(w.triggerPricePaise),
      },
    };
  }
  return {};
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
