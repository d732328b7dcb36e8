import type { Clock } from '../../core/clock.js';
import type { Instrument } from '../../core/instrument.js';
import { SeededRandom } from '../../core/random.js';
import { DAY_MS, istMidnight } from '../../core/time.js';
import type { BookLevel, InstrumentMarketState, MarketModel } from '../market/types.js';
import {
  angelDateTime,
  angelExpiry,
  angelTimeOfDay,
  istYymmdd,
  type NegativeAmountStyle,
  rupeeNumber,
  rupeeNumber4,
  rupeeString,
  seededUuid,
} from './format.js';
import {
  DEFAULT_MARGIN_RATES,
  type FundsFigures,
  type MarginRates,
  netAvailablePaise,
  orderMarginPerUnit,
  Position,
  positionMargin,
  positionRow,
  rmsRow,
  strikeText,
  symbolGroup,
} from './ledger.js';
import { angelMppPercent, protectedLimitPaise } from './mpp.js';
import {
  type CancelOrderBody,
  type Duration,
  type ModifyOrderBody,
  ORDER_STATUS,
  ORDER_STATUS_CODE,
  type OrderActionResult,
  type OrderBookRow,
  type OrderStatus,
  type OrderStatusCode,
  type OrderStatusData,
  type OrderType,
  type OrderUpdateEvent,
  type OrderUpdateListener,
  type PlaceOrderBody,
  type PlaceOrderResult,
  type PositionRow,
  type ProductType,
  type RmsData,
  type TradeBookRow,
  type TransactionType,
} from './types.js';
import {
  ANGEL_ORDER_ERRORS,
  type AcceptedVariety,
  type OrderChange,
  orderFailure,
  parseModifyBody,
  parsePlaceBody,
  parseVariety,
  requireObject,
} from './validate.js';

export interface SimOrderEngineOptions {
  clock: Clock;
  market: MarketModel;
  /** the account a call acts for when it names none */
  clientCode: string;
  /** every account's opening cash in paise (default ₹10,00,000) */
  startingCashPaise?: number;
  /** a fixed market-price-protection buffer in percent; by default Angel's table by instrument and price */
  mppPercent?: number;
  /** six digits to use instead of the IST `YYMMDD` at the front of order ids */
  orderIdPrefix?: string;
  /** seed of the uniqueorderid generator (default 1) */
  seed?: number;
  marginRates?: Partial<MarginRates>;
  /** how negative rupee strings are written in positions and RMS (default `-2235.80`) */
  negativeAmountStyle?: NegativeAmountStyle;
  /**
   * Receives errors thrown by order-update listeners. Without it the first such error is rethrown once
   * every listener has had the event and the engine's state is complete.
   */
  onListenerError?: (error: unknown) => void;
}

/** States an order rests in; transient ones (`open pending`, `modify pending`, `modified`) only pass by. */
type BookStatus =
  | typeof ORDER_STATUS.open
  | typeof ORDER_STATUS.triggerPending
  | typeof ORDER_STATUS.amoReceived
  | typeof ORDER_STATUS.complete
  | typeof ORDER_STATUS.cancelled
  | typeof ORDER_STATUS.rejected;

interface SimOrder {
  readonly seq: number;
  readonly orderid: string;
  readonly uniqueorderid: string;
  readonly account: Account;
  readonly instrument: Instrument;
  readonly variety: AcceptedVariety;
  readonly side: TransactionType;
  readonly producttype: ProductType;
  readonly squareoff: number;
  readonly stoploss: number;
  readonly trailingstoploss: number;
  readonly ordertag: string;
  ordertype: OrderType;
  duration: Duration;
  quantity: number;
  /** limit price; 0 while a market-priced order waits to be priced */
  pricePaise: number;
  triggerPaise: number;
  disclosedQuantity: number;
  status: BookStatus;
  text: string;
  filled: number;
  filledValuePaise: number;
  /** Angel's `cancelsize` */
  cancelled: number;
  exchangeOrderId: string;
  exchTimeMs: number | undefined;
  exchUpdateMs: number | undefined;
  updateMs: number;
  lastFillId: string;
  lastFillMs: number | undefined;
  /** margin each unfilled unit blocks while the order waits */
  marginPerUnitPaise: number;
}

interface Fill {
  readonly fillid: string;
  readonly order: SimOrder;
  readonly pricePaise: number;
  readonly quantity: number;
  readonly timeMs: number;
}

interface Account {
  readonly clientCode: string;
  readonly openingCashPaise: number;
  readonly orders: SimOrder[];
  readonly fills: Fill[];
  /** by `token|producttype`, in order of first trade */
  readonly positions: Map<string, Position>;
  /** orders that block margin: working on the exchange or waiting as AMOs */
  readonly waiting: Set<SimOrder>;
}

/**
 * Quantity of one book snapshot still free to take. Displayed quantity at a price is consumable once per
 * snapshot (`sequenceNumber`), so two of our orders cannot both take the same lots; a model that shows our
 * trades in its book either bumps the sequence number or lowers the level, and both are handled.
 */
interface LiquidityLedger {
  seq: number;
  /** remaining units by price (asks keyed +price, bids −price) */
  remaining: Map<number, number>;
}

const DEFAULT_STARTING_CASH_PAISE = 100_000_000;
const DEFAULT_SEED = 1;

const TERMINAL = new Set<BookStatus>([ORDER_STATUS.complete, ORDER_STATUS.cancelled, ORDER_STATUS.rejected]);

const CODE_BY_STATUS: Record<BookStatus, OrderStatusCode> = {
  [ORDER_STATUS.open]: ORDER_STATUS_CODE.open,
  [ORDER_STATUS.triggerPending]: ORDER_STATUS_CODE.triggerPending,
  [ORDER_STATUS.amoReceived]: ORDER_STATUS_CODE.amoReceived,
  [ORDER_STATUS.complete]: ORDER_STATUS_CODE.complete,
  [ORDER_STATUS.cancelled]: ORDER_STATUS_CODE.cancelled,
  [ORDER_STATUS.rejected]: ORDER_STATUS_CODE.rejected,
};

/**
 * The simulated exchange's order engine: what Angel One's OMS and the exchange do with an order.
 *
 * It validates like Angel (documented AB codes), prices market orders with market price protection,
 * matches against the market model's displayed book, keeps stop orders until the LTP crosses their
 * trigger, holds orders placed outside market hours as AMOs until the next open, expires DAY orders at
 * the close, and serves the order book, trade book, positions and RMS in Angel's field names and typing.
 *
 * Pure apart from the injected clock and market model: ids come from counters and a seeded generator, so
 * the same calls at the same simulated times give the same ids, rows and events. Session changes (open,
 * close) are noticed whenever any method runs; the simulator should call `onMarketUpdate` for each token
 * that ticks and `sync` on its clock so the close is seen even when nothing trades.
 */
export class SimOrderEngine {
  private readonly clock: Clock;
  private readonly market: MarketModel;
  private readonly defaultClientCode: string;
  private readonly startingCashPaise: number;
  private readonly fixedMppPercent: number | undefined;
  private readonly orderIdPrefix: string | undefined;
  private readonly random: SeededRandom;
  private readonly rates: MarginRates;
  private readonly amountStyle: NegativeAmountStyle;
  private readonly onListenerError: ((error: unknown) => void) | undefined;

  private readonly accounts = new Map<string, Account>();
  private readonly byOrderId = new Map<string, SimOrder>();
  private readonly byUniqueId = new Map<string, SimOrder>();
  /** orders live on the exchange (open or trigger pending), by token */
  private readonly working = new Map<string, SimOrder[]>();
  private workingCount = 0;
  private amoQueue: SimOrder[] = [];
  private readonly liquidity = new Map<string, LiquidityLedger>();
  private readonly listeners = new Set<OrderUpdateListener>();
  private readonly events: OrderUpdateEvent[] = [];
  private flushing = false;

  private orderSeq = 0;
  private exchangeSeq = 0;
  private fillSeq = 0;
  private marketOpen = false;
  /** IST midnight of the session working orders belong to */
  private sessionDay: number | undefined;
  private cachedDayStart = Number.NaN;

  constructor(options: SimOrderEngineOptions) {
    this.clock = options.clock;
    this.market = options.market;
    this.defaultClientCode = options.clientCode;
    this.startingCashPaise = options.startingCashPaise ?? DEFAULT_STARTING_CASH_PAISE;
    if (!Number.isSafeInteger(this.startingCashPaise) || this.startingCashPaise < 0) {
      throw new RangeError(`startingCashPaise must be a non-negative integer, got ${this.startingCashPaise}`);
    }
    this.fixedMppPercent = options.mppPercent;
    if (this.fixedMppPercent !== undefined && !(this.fixedMppPercent >= 0 && this.fixedMppPercent < 100)) {
      throw new RangeError(`mppPercent must be in [0, 100), got ${this.fixedMppPercent}`);
    }
    if (options.orderIdPrefix !== undefined && !/^\d{6}$/.test(options.orderIdPrefix)) {
      throw new RangeError(`orderIdPrefix must be six digits, got "${options.orderIdPrefix}"`);
    }
    this.orderIdPrefix = options.orderIdPrefix;
    this.random = new SeededRandom(options.seed ?? DEFAULT_SEED);
    this.rates = { ...DEFAULT_MARGIN_RATES, ...options.marginRates };
    this.amountStyle = options.negativeAmountStyle ?? 'plain';
    this.onListenerError = options.onListenerError;
    this.account(this.defaultClientCode);
  }

  /** Subscribes to order-status events (AB01–AB11); returns the unsubscribe function. */
  onOrderUpdate(listener: OrderUpdateListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** placeOrder: Angel's checks, then AMO, rejection, trigger wait or matching. */
  place(body: PlaceOrderBody, clientCode: string = this.defaultClientCode): PlaceOrderResult {
    return this.run(() => {
      const parsed = parsePlaceBody(body, (token) => this.lookup(token));
      if (!parsed.ok) return parsed;
      const spec = parsed.value;
      const account = this.account(clientCode);
      const now = this.clock.now();
      this.orderSeq += 1;
      const order: SimOrder = {
        seq: this.orderSeq,
        orderid: this.orderId(now),
        uniqueorderid: seededUuid(this.random),
        account,
        instrument: spec.instrument,
        variety: spec.variety,
        side: spec.side,
        producttype: spec.producttype,
        squareoff: spec.squareoff,
        stoploss: spec.stoploss,
        trailingstoploss: spec.trailingstoploss,
        ordertag: spec.ordertag,
        ordertype: spec.ordertype,
        duration: spec.duration,
        quantity: spec.quantity,
        pricePaise: spec.pricePaise,
        triggerPaise: spec.triggerPaise,
        disclosedQuantity: spec.disclosedQuantity,
        status: ORDER_STATUS.open,
        text: '',
        filled: 0,
        filledValuePaise: 0,
        cancelled: 0,
        exchangeOrderId: '',
        exchTimeMs: undefined,
        exchUpdateMs: undefined,
        updateMs: now,
        lastFillId: '',
        lastFillMs: undefined,
        marginPerUnitPaise: 0,
      };
      account.orders.push(order);
      this.byOrderId.set(order.orderid, order);
      this.byUniqueId.set(order.uniqueorderid, order);

      if (this.marketOpen) {
        this.goLive(order, true);
      } else {
        // Angel treats anything placed outside market hours as an AMO and blocks its margin now.
        const shortfall = this.reserveMargin(order, this.marginPrice(order, order, true));
        if (shortfall !== undefined) {
          this.reject(order, shortfall);
        } else {
          order.status = ORDER_STATUS.amoReceived;
          order.account.waiting.add(order);
          this.amoQueue.push(order);
          this.emit(order, ORDER_STATUS_CODE.amoReceived);
        }
      }
      return {
        ok: true,
        orderid: order.orderid,
        uniqueorderid: order.uniqueorderid,
        script: spec.instrument.symbol,
      };
    });
  }

  /** modifyOrder: open, trigger-pending and AMO orders; quantity cannot drop to or below what has filled. */
  modify(body: ModifyOrderBody, clientCode: string = this.defaultClientCode): OrderActionResult {
    return this.run(() => {
      const notObject = requireObject(body);
      if (notObject) return notObject;
      const found = this.ownedOrder(body.orderid, clientCode);
      if (!found.ok) return found;
      const order = found.order;
      if (TERMINAL.has(order.status)) {
        return orderFailure(
          ANGEL_ORDER_ERRORS.notSpecified,
          `Order ${order.orderid} is ${order.status} and cannot be modified`,
        );
      }
      const parsed = parseModifyBody(body, order);
      if (!parsed.ok) return parsed;
      const change = parsed.value;

      if (order.status === ORDER_STATUS.amoReceived) {
        const refused = this.applyWithMargin(order, change, true);
        if (refused !== undefined) return orderFailure(ANGEL_ORDER_ERRORS.notSpecified, refused);
        this.emit(order, ORDER_STATUS_CODE.amoModified, ORDER_STATUS.amoReceived);
        return { ok: true, orderid: order.orderid, uniqueorderid: order.uniqueorderid };
      }

      const state = this.market.state(order.instrument.token);
      const priced = this.priceChange(order, change, state);
      if (typeof priced === 'string') return orderFailure(ANGEL_ORDER_ERRORS.notSpecified, priced);
      const refusal =
        this.exchangeCheck(order.side, priced, state, order.status === ORDER_STATUS.triggerPending) ??
        this.applyWithMargin(order, priced, false);
      if (refusal !== undefined) return orderFailure(ANGEL_ORDER_ERRORS.notSpecified, refusal);

      order.exchUpdateMs = this.clock.now();
      this.emit(order, ORDER_STATUS_CODE.modifyPending, ORDER_STATUS.modifyPending);
      this.emit(order, ORDER_STATUS_CODE.modified, ORDER_STATUS.modified);
      if (order.status === ORDER_STATUS.triggerPending) {
        this.emit(order, ORDER_STATUS_CODE.triggerPending);
      } else {
        this.matchAndSettle(order, true);
      }
      return { ok: true, orderid: order.orderid, uniqueorderid: order.uniqueorderid };
    });
  }

  /** cancelOrder: open and trigger-pending orders (AB02) and AMOs (AB07). */
  cancel(body: CancelOrderBody, clientCode: string = this.defaultClientCode): OrderActionResult {
    return this.run(() => {
      const notObject = requireObject(body);
      if (notObject) return notObject;
      if (body.variety !== undefined) {
        const variety = parseVariety(body.variety);
        if (!variety.ok) return variety;
      }
      const found = this.ownedOrder(body.orderid, clientCode);
      if (!found.ok) return found;
      const order = found.order;
      if (TERMINAL.has(order.status)) {
        return orderFailure(
          ANGEL_ORDER_ERRORS.notSpecified,
          `Order ${order.orderid} is ${order.status} and cannot be cancelled`,
        );
      }
      if (order.status === ORDER_STATUS.amoReceived) {
        this.amoQueue = this.amoQueue.filter((queued) => queued !== order);
        order.account.waiting.delete(order);
        order.cancelled = order.quantity;
        order.status = ORDER_STATUS.cancelled;
        this.emit(order, ORDER_STATUS_CODE.amoCancelled);
      } else {
        this.finishWorking(order, ORDER_STATUS.cancelled, '');
      }
      return { ok: true, orderid: order.orderid, uniqueorderid: order.uniqueorderid };
    });
  }

  /**
   * Re-checks the token's waiting orders against its latest state: stop orders whose trigger the LTP has
   * crossed become open, then open orders match in price-time priority. Call on every tick of the token.
   */
  onMarketUpdate(token: string): void {
    this.run(() => {
      if (!this.marketOpen) return;
      const list = this.working.get(token);
      if (list === undefined || list.length === 0) return;
      const state = this.market.state(token);
      if (state === undefined) return;
      const ltp = state.lastTradedPrice;
      for (const order of [...list]) {
        if (order.status === ORDER_STATUS.triggerPending && triggerCrossed(order, ltp)) {
          order.status = ORDER_STATUS.open;
          order.exchUpdateMs = this.clock.now();
          this.emit(order, ORDER_STATUS_CODE.open);
        }
      }
      const open = list.filter((order) => order.status === ORDER_STATUS.open).sort(byPriority);
      for (const order of open) {
        if (order.status === ORDER_STATUS.open) this.matchAndSettle(order, false);
      }
    });
  }

  /** Applies session changes at the clock's time: DAY orders expire at the close, AMOs go live at the open. */
  sync(): void {
    this.run(() => undefined);
  }

  /** getOrderBook rows in placement order (an empty array; the REST layer turns it into `data: null`). */
  orderBook(clientCode: string = this.defaultClientCode): OrderBookRow[] {
    return this.run(() => this.account(clientCode).orders.map((order) => this.bookRow(order)));
  }

  /** `order/v1/details/{uniqueorderid}`: the order's row, or undefined when the account has no such order. */
  orderDetails(uniqueorderid: string, clientCode: string = this.defaultClientCode): OrderBookRow | undefined {
    return this.run(() => {
      const order = this.byUniqueId.get(uniqueorderid);
      return order === undefined || order.account.clientCode !== clientCode ? undefined : this.bookRow(order);
    });
  }

  /** getTradeBook rows, one per fill, in fill order; every value a string. */
  tradeBook(clientCode: string = this.defaultClientCode): TradeBookRow[] {
    return this.run(() => this.account(clientCode).fills.map((fill) => tradeRow(fill)));
  }

  /** getPosition rows (closed positions included, as Angel shows them for the day); every value a string. */
  positions(clientCode: string = this.defaultClientCode): PositionRow[] {
    return this.run(() =>
      [...this.account(clientCode).positions.values()].map((position) =>
        positionRow(position, this.mark(position.instrument.token), this.amountStyle),
      ),
    );
  }

  /** getRMS `data`: strings in rupees. */
  rms(clientCode: string = this.defaultClientCode): RmsData {
    return this.run(() => rmsRow(this.funds(this.account(clientCode)), this.amountStyle));
  }

  // ---- lifecycle -------------------------------------------------------------------------------------

  /** Every public call runs here: session changes first, then the work, then events go out. */
  private run<T>(work: () => T): T {
    try {
      this.syncSession();
      return work();
    } finally {
      this.flush();
    }
  }

  private syncSession(): void {
    const now = this.clock.now();
    this.marketOpen = this.market.isMarketOpen(now);
    if (!this.marketOpen) {
      if (this.workingCount > 0) this.expireWorking();
      return;
    }
    const day = this.dayOf(now);
    if (this.sessionDay !== day) {
      // Orders still working belong to an earlier session whose close nobody observed.
      if (this.workingCount > 0) this.expireWorking();
      this.sessionDay = day;
    }
    if (this.amoQueue.length > 0) {
      const queued = this.amoQueue;
      this.amoQueue = [];
      for (const order of queued) this.goLive(order, false);
    }
  }

  private dayOf(now: number): number {
    if (!(now >= this.cachedDayStart && now < this.cachedDayStart + DAY_MS))
      this.cachedDayStart = istMidnight(now);
    return this.cachedDayStart;
  }

  private expireWorking(): void {
    const all: SimOrder[] = [];
    for (const list of this.working.values()) all.push(...list);
    all.sort((a, b) => a.seq - b.seq);
    for (const order of all)
      this.finishWorking(order, ORDER_STATUS.cancelled, 'Order cancelled at market close');
  }

  /**
   * Sends an order to the exchange: prices market orders, runs the RMS margin check (skipped for AMOs,
   * whose margin was blocked when placed) and the exchange's checks, then waits or matches.
   */
  private goLive(order: SimOrder, checkMargin: boolean): void {
    const state = this.market.state(order.instrument.token);
    const priced = this.priceChange(order, order, state);
    if (typeof priced === 'string') {
      this.reject(order, priced);
      return;
    }
    order.ordertype = priced.ordertype;
    order.pricePaise = priced.pricePaise;
    if (checkMargin) {
      const shortfall = this.reserveMargin(order, this.marginPrice(order, order, false));
      if (shortfall !== undefined) {
        this.reject(order, shortfall);
        return;
      }
    }
    const refusal = this.exchangeCheck(order.side, order, state, true);
    if (refusal !== undefined) {
      this.reject(order, refusal);
      return;
    }
    const now = this.clock.now();
    this.exchangeSeq += 1;
    order.exchangeOrderId = `1${String(this.exchangeSeq).padStart(15, '0')}`;
    order.exchTimeMs = now;
    order.exchUpdateMs = now;
    order.account.waiting.add(order);
    this.addWorking(order);
    this.emit(order, ORDER_STATUS_CODE.openPending, ORDER_STATUS.openPending);
    if (isStop(order.ordertype)) {
      order.status = ORDER_STATUS.triggerPending;
      this.emit(order, ORDER_STATUS_CODE.triggerPending);
      return;
    }
    order.status = ORDER_STATUS.open;
    this.matchAndSettle(order, true);
  }

  /** Matches an open order, then settles it: complete, IOC remainder cancelled, or still open. */
  private matchAndSettle(order: SimOrder, announceOpen: boolean): void {
    const filledBefore = order.filled;
    this.match(order);
    if (order.filled === order.quantity) {
      this.finishWorking(order, ORDER_STATUS.complete, '');
    } else if (order.duration === 'IOC') {
      this.finishWorking(order, ORDER_STATUS.cancelled, 'Unmatched IOC quantity cancelled');
    } else if (announceOpen || order.filled !== filledBefore) {
      this.emit(order, ORDER_STATUS_CODE.open);
    }
  }

  /** Takes displayed opposite liquidity at or better than the order's limit, best price first. */
  private match(order: SimOrder): void {
    const token = order.instrument.token;
    const state = this.market.state(token);
    if (state === undefined) return;
    const buying = order.side === 'BUY';
    const levels = buying ? deepest(state.asks20, state.asks) : deepest(state.bids20, state.bids);
    const snapshot: Array<[price: number, quantity: number]> = [];
    for (const level of levels) {
      if (validLevel(level)) snapshot.push([level.price, level.quantity]);
    }
    snapshot.sort(buying ? (a, b) => a[0] - b[0] : (a, b) => b[0] - a[0]);
    const ledger = this.liquidityLedger(token, state.sequenceNumber);
    for (const [price, shown] of snapshot) {
      const remaining = order.quantity - order.filled;
      if (remaining === 0) break;
      if (buying ? price > order.pricePaise : price < order.pricePaise) break;
      const key = buying ? price : -price;
      const free = Math.min(shown, ledger.remaining.get(key) ?? shown, this.shownNow(token, buying, price));
      if (free <= 0) continue;
      const take = Math.min(free, remaining);
      ledger.remaining.set(key, (ledger.remaining.get(key) ?? shown) - take);
      this.fill(order, price, take);
    }
  }

  /** What the model shows at a price right now (it may have changed after our own trade). */
  private shownNow(token: string, buying: boolean, price: number): number {
    const state = this.market.state(token);
    if (state === undefined) return 0;
    const levels = buying ? deepest(state.asks20, state.asks) : deepest(state.bids20, state.bids);
    for (const level of levels) {
      if (level.price === price && validLevel(level)) return level.quantity;
    }
    return 0;
  }

  private liquidityLedger(token: string, seq: number): LiquidityLedger {
    let ledger = this.liquidity.get(token);
    if (ledger === undefined || ledger.seq !== seq) {
      ledger = { seq, remaining: new Map() };
      this.liquidity.set(token, ledger);
    }
    return ledger;
  }

  private fill(order: SimOrder, pricePaise: number, quantity: number): void {
    const now = this.clock.now();
    this.fillSeq += 1;
    const fill: Fill = {
      fillid: String(this.fillSeq).padStart(8, '0'),
      order,
      pricePaise,
      quantity,
      timeMs: now,
    };
    order.filled += quantity;
    order.filledValuePaise += pricePaise * quantity;
    order.lastFillId = fill.fillid;
    order.lastFillMs = now;
    order.exchUpdateMs = now;
    order.account.fills.push(fill);
    this.position(order.account, order.instrument, order.producttype).add(order.side, quantity, pricePaise);
    this.market.recordTrade(order.instrument.token, pricePaise, quantity, now);
  }

  /** Ends a working order: complete, or cancelled with the unfilled rest as `cancelsize`. */
  private finishWorking(order: SimOrder, status: BookStatus, text: string): void {
    this.removeWorking(order);
    order.account.waiting.delete(order);
    if (status === ORDER_STATUS.cancelled) order.cancelled = order.quantity - order.filled;
    order.status = status;
    order.text = text;
    order.exchUpdateMs = this.clock.now();
    this.emit(order, CODE_BY_STATUS[status]);
  }

  private reject(order: SimOrder, text: string): void {
    order.account.waiting.delete(order);
    order.status = ORDER_STATUS.rejected;
    order.text = text;
    this.emit(order, ORDER_STATUS_CODE.rejected);
  }

  private addWorking(order: SimOrder): void {
    const token = order.instrument.token;
    let list = this.working.get(token);
    if (list === undefined) {
      list = [];
      this.working.set(token, list);
    }
    list.push(order);
    this.workingCount += 1;
  }

  private removeWorking(order: SimOrder): void {
    const list = this.working.get(order.instrument.token);
    if (list === undefined) return;
    const at = list.indexOf(order);
    if (at === -1) return;
    list.splice(at, 1);
    this.workingCount -= 1;
  }

  // ---- pricing and checks ----------------------------------------------------------------------------

  private mppPercent(instrument: Instrument, referencePaise: number): number {
    return this.fixedMppPercent ?? angelMppPercent(instrument, referencePaise);
  }

  /**
   * The prices an order (or a modification) will carry on the exchange: MARKET becomes LIMIT at the best
   * opposite price (else the LTP) moved by the MPP buffer; STOPLOSS_MARKET keeps its type (so a later
   * modify of the trigger re-prices it) and gets the trigger moved by the buffer as its limit. Returns
   * the reason when a market order has nothing to price from.
   */
  private priceChange<T extends OrderChangeLike>(
    order: SimOrder,
    change: T,
    state: InstrumentMarketState | undefined,
  ): T | string {
    const band = bandOf(state);
    const tick = order.instrument.tickSizePaise;
    if (change.ordertype === 'MARKET') {
      const reference = marketReference(order.side, state, false);
      if (reference === 0) {
        return `No market price for ${order.instrument.symbol}: a market order needs an opposite quote or a last trade`;
      }
      const price = protectedLimitPaise(
        order.side,
        reference,
        this.mppPercent(order.instrument, reference),
        tick,
        band,
      );
      return { ...change, ordertype: 'LIMIT', pricePaise: price };
    }
    if (change.ordertype === 'STOPLOSS_MARKET') {
      const price = protectedLimitPaise(
        order.side,
        change.triggerPaise,
        this.mppPercent(order.instrument, change.triggerPaise),
        tick,
        band,
      );
      return { ...change, pricePaise: price };
    }
    return change;
  }

  /**
   * The exchange's checks on a priced order: limit inside the circuit band, a stop-loss limit on the right
   * side of its trigger and, while the stop still waits, a trigger the LTP has not already crossed.
   */
  private exchangeCheck(
    side: TransactionType,
    order: OrderChangeLike,
    state: InstrumentMarketState | undefined,
    triggerMustWait: boolean,
  ): string | undefined {
    const band = bandOf(state);
    const price = order.pricePaise;
    if (
      (band.upperPaise > 0 && price > band.upperPaise) ||
      (band.lowerPaise > 0 && price < band.lowerPaise)
    ) {
      return (
        `Order price ${rupeeString(price)} is outside the exchange price band ` +
        `${rupeeString(band.lowerPaise)} - ${rupeeString(band.upperPaise)}`
      );
    }
    if (!isStop(order.ordertype)) return undefined;
    const trigger = order.triggerPaise;
    if (side === 'BUY' ? price < trigger : price > trigger) {
      return side === 'BUY'
        ? `Limit price ${rupeeString(price)} of a stop-loss BUY must not be below its trigger ${rupeeString(trigger)}`
        : `Limit price ${rupeeString(price)} of a stop-loss SELL must not be above its trigger ${rupeeString(trigger)}`;
    }
    const ltp = state?.lastTradedPrice ?? 0;
    if (triggerMustWait && ltp > 0 && (side === 'BUY' ? trigger <= ltp : trigger >= ltp)) {
      return side === 'BUY'
        ? `Trigger price ${rupeeString(trigger)} of a stop-loss BUY must be above the last traded price ${rupeeString(ltp)}`
        : `Trigger price ${rupeeString(trigger)} of a stop-loss SELL must be below the last traded price ${rupeeString(ltp)}`;
    }
    return undefined;
  }

  /** The per-unit price margin is computed at; AMOs may fall back to the previous close. */
  private marginPrice(order: SimOrder, prices: OrderChangeLike, allowClose: boolean): number {
    if (prices.pricePaise > 0) return prices.pricePaise;
    const state = this.market.state(order.instrument.token);
    const reference =
      prices.triggerPaise > 0 ? prices.triggerPaise : marketReference(order.side, state, allowClose);
    if (reference === 0) return 0;
    return protectedLimitPaise(
      order.side,
      reference,
      this.mppPercent(order.instrument, reference),
      order.instrument.tickSizePaise,
      bandOf(state),
    );
  }

  /**
   * RMS check for a new order: sets the margin it blocks, or returns Angel's RMS rejection text when the
   * account's free margin is short.
   */
  private reserveMargin(order: SimOrder, pricePaise: number): string | undefined {
    const perUnit = this.marginPerUnit(order, order.quantity, pricePaise);
    const required = Math.round(perUnit * order.quantity);
    const available = netAvailablePaise(this.funds(order.account));
    if (required > available) return rmsText(order.account.clientCode, required, available);
    order.marginPerUnitPaise = perUnit;
    return undefined;
  }

  /**
   * Applies a modification if the account can carry its margin (the order's own block counts as free).
   * Returns Angel's RMS text when it cannot; the order is then left as it was.
   */
  private applyWithMargin(order: SimOrder, change: OrderChange, allowClose: boolean): string | undefined {
    const open = change.quantity - order.filled;
    const perUnit = this.marginPerUnit(order, open, this.marginPrice(order, change, allowClose));
    const required = Math.round(perUnit * open);
    const available =
      netAvailablePaise(this.funds(order.account)) +
      Math.round(order.marginPerUnitPaise * (order.quantity - order.filled));
    if (required > available) return rmsText(order.account.clientCode, required, available);
    order.ordertype = change.ordertype;
    order.duration = change.duration;
    order.quantity = change.quantity;
    order.pricePaise = change.pricePaise;
    order.triggerPaise = change.triggerPaise;
    order.disclosedQuantity = change.disclosedQuantity;
    order.marginPerUnitPaise = perUnit;
    order.text = '';
    return undefined;
  }

  private marginPerUnit(order: SimOrder, quantity: number, pricePaise: number): number {
    const position = order.account.positions.get(positionKey(order.instrument.token, order.producttype));
    const net = position?.netQty ?? 0;
    let reducible = order.side === 'SELL' ? Math.max(0, net) : Math.max(0, -net);
    for (const other of order.account.waiting) {
      if (
        other !== order &&
        other.side === order.side &&
        other.instrument.token === order.instrument.token &&
        other.producttype === order.producttype
      ) {
        reducible -= other.quantity - other.filled;
      }
    }
    return orderMarginPerUnit(
      order.instrument,
      order.producttype,
      order.side,
      quantity,
      pricePaise,
      reducible,
      this.rates,
    );
  }

  private funds(account: Account): FundsFigures {
    const figures: FundsFigures = {
      openingCashPaise: account.openingCashPaise,
      realisedPaise: 0,
      unrealisedPaise: 0,
      marginLossPaise: 0,
      premiumPaise: 0,
      spanPaise: 0,
      exposurePaise: 0,
      blockedPaise: 0,
    };
    for (const position of account.positions.values()) {
      const mark = this.mark(position.instrument.token);
      const unrealised = position.unrealisedPaise(mark);
      figures.realisedPaise += position.realisedPaise();
      figures.unrealisedPaise += unrealised;
      const longOption = position.instrument.kind === 'option' && position.netQty > 0;
      if (!longOption) figures.marginLossPaise += Math.min(0, unrealised);
      const use = positionMargin(position, mark, this.rates);
      figures.premiumPaise += use.premiumPaise;
      figures.spanPaise += use.spanPaise;
      figures.exposurePaise += use.exposurePaise;
    }
    for (const order of account.waiting) {
      figures.blockedPaise += Math.round(order.marginPerUnitPaise * (order.quantity - order.filled));
    }
    return figures;
  }

  private mark(token: string): number {
    const ltp = this.market.state(token)?.lastTradedPrice ?? 0;
    return Number.isFinite(ltp) && ltp > 0 ? ltp : 0;
  }

  // ---- accounts, ids, lookups ------------------------------------------------------------------------

  private account(clientCode: string): Account {
    let account = this.accounts.get(clientCode);
    if (account === undefined) {
      account = {
        clientCode,
        openingCashPaise: this.startingCashPaise,
        orders: [],
        fills: [],
        positions: new Map(),
        waiting: new Set(),
      };
      this.accounts.set(clientCode, account);
    }
    return account;
  }

  private position(account: Account, instrument: Instrument, producttype: ProductType): Position {
    const key = positionKey(instrument.token, producttype);
    let position = account.positions.get(key);
    if (position === undefined) {
      position = new Position(instrument, producttype);
      account.positions.set(key, position);
    }
    return position;
  }

  private lookup(token: string): Instrument | undefined {
    const canonical = this.market.resolveToken(token) ?? token;
    return this.market.instrument(canonical);
  }

  /** Live-style order id: IST `YYMMDD` (or the configured prefix) and a nine-digit sequence. */
  private orderId(now: number): string {
    return `${this.orderIdPrefix ?? istYymmdd(now)}${String(this.orderSeq).padStart(9, '0')}`;
  }

  private ownedOrder(
    orderid: unknown,
    clientCode: string,
  ): { ok: true; order: SimOrder } | { ok: false; errorcode: string; message: string } {
    const id =
      typeof orderid === 'number' ? String(orderid) : typeof orderid === 'string' ? orderid.trim() : '';
    const order = this.byOrderId.get(id);
    if (order === undefined || order.account.clientCode !== clientCode) {
      return orderFailure(
        ANGEL_ORDER_ERRORS.orderNotFound,
        `Order not found: ${id === '' ? '(no orderid)' : id}`,
      );
    }
    return { ok: true, order };
  }

  // ---- events and rows -------------------------------------------------------------------------------

  /** Records the change time and queues an event; events leave after the call's state is complete. */
  private emit(order: SimOrder, code: OrderStatusCode, status: OrderStatus = order.status): void {
    order.updateMs = this.clock.now();
    if (this.listeners.size === 0) return;
    this.events.push({
      clientCode: order.account.clientCode,
      orderStatusCode: code,
      orderData: this.statusData(order, status),
    });
  }

  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    let failure: { error: unknown } | undefined;
    try {
      for (let i = 0; i < this.events.length; i++) {
        const event = this.events[i];
        if (event === undefined) continue;
        for (const listener of [...this.listeners]) {
          try {
            listener(event);
          } catch (error) {
            if (this.onListenerError !== undefined) this.onListenerError(error);
            else failure ??= { error };
          }
        }
      }
    } finally {
      this.events.length = 0;
      this.flushing = false;
    }
    if (failure !== undefined) throw failure.error;
  }

  private statusData(order: SimOrder, status: OrderStatus): OrderStatusData {
    const { instrument } = order;
    return {
      variety: order.variety,
      ordertype: order.ordertype,
      ordertag: order.ordertag,
      producttype: order.producttype,
      price: rupeeNumber(order.pricePaise),
      triggerprice: rupeeNumber(order.triggerPaise),
      quantity: String(order.quantity),
      disclosedquantity: String(order.disclosedQuantity),
      duration: order.duration,
      squareoff: order.squareoff,
      stoploss: order.stoploss,
      trailingstoploss: order.trailingstoploss,
      tradingsymbol: instrument.symbol,
      transactiontype: order.side,
      exchange: instrument.exchange,
      symboltoken: instrument.token,
      instrumenttype: instrument.instrumentType,
      strikeprice:
        instrument.kind === 'option' && instrument.strikePaise !== undefined
          ? rupeeNumber(instrument.strikePaise)
          : -1,
      optiontype: instrument.optionType ?? '',
      expirydate: angelExpiry(instrument.expiry),
      lotsize: String(instrument.lotSize),
      cancelsize: String(order.cancelled),
      averageprice: order.filled === 0 ? 0 : rupeeNumber4(order.filledValuePaise / order.filled),
      filledshares: String(order.filled),
      unfilledshares: String(order.quantity - order.filled),
      orderid: order.orderid,
      text: order.text,
      status,
      orderstatus: status,
      updatetime: angelDateTime(order.updateMs),
      exchtime: order.exchTimeMs === undefined ? '' : angelDateTime(order.exchTimeMs),
      exchorderupdatetime: order.exchUpdateMs === undefined ? '' : angelDateTime(order.exchUpdateMs),
      fillid: order.lastFillId,
      filltime: order.lastFillMs === undefined ? '' : angelTimeOfDay(order.lastFillMs),
      parentorderid: '',
    };
  }

  private bookRow(order: SimOrder): OrderBookRow {
    return {
      ...this.statusData(order, order.status),
      uniqueorderid: order.uniqueorderid,
      exchangeorderid: order.exchangeOrderId,
    };
  }
}

/** The fields pricing and exchange checks read, shared by orders and modifications. */
interface OrderChangeLike {
  ordertype: OrderType;
  pricePaise: number;
  triggerPaise: number;
}

function positionKey(token: string, producttype: ProductType): string {
  return `${token}|${producttype}`;
}

function isStop(ordertype: OrderType): boolean {
  return ordertype === 'STOPLOSS_LIMIT' || ordertype === 'STOPLOSS_MARKET';
}

function triggerCrossed(order: SimOrder, ltp: number): boolean {
  if (!(ltp > 0)) return false;
  return order.side === 'BUY' ? ltp >= order.triggerPaise : ltp <= order.triggerPaise;
}

/** Price-time priority among one token's orders: buys then sells, better price first, then earlier. */
function byPriority(a: SimOrder, b: SimOrder): number {
  if (a.side !== b.side) return a.side === 'BUY' ? -1 : 1;
  if (a.pricePaise !== b.pricePaise) {
    return a.side === 'BUY' ? b.pricePaise - a.pricePaise : a.pricePaise - b.pricePaise;
  }
  return a.seq - b.seq;
}

function validLevel(level: BookLevel): boolean {
  return (
    Number.isSafeInteger(level.price) &&
    level.price > 0 &&
    Number.isSafeInteger(level.quantity) &&
    level.quantity > 0
  );
}

/** The 20-level depth when the model fills it, else the best five. */
function deepest(twenty: readonly BookLevel[], five: readonly BookLevel[]): readonly BookLevel[] {
  return twenty.length > 0 ? twenty : five;
}

function bandOf(state: InstrumentMarketState | undefined): { lowerPaise: number; upperPaise: number } {
  if (state === undefined) return { lowerPaise: 0, upperPaise: 0 };
  const lower = Number.isFinite(state.lowerCircuit) && state.lowerCircuit > 0 ? state.lowerCircuit : 0;
  const upper = Number.isFinite(state.upperCircuit) && state.upperCircuit > 0 ? state.upperCircuit : 0;
  return { lowerPaise: lower, upperPaise: upper };
}

/** What a market order is priced from: best opposite quote, else the LTP, else (AMOs only) the close. */
function marketReference(
  side: TransactionType,
  state: InstrumentMarketState | undefined,
  allowClose: boolean,
): number {
  if (state === undefined) return 0;
  const levels = side === 'BUY' ? state.asks : state.bids;
  let best = 0;
  for (const level of levels) {
    if (!validLevel(level)) continue;
    if (best === 0 || (side === 'BUY' ? level.price < best : level.price > best)) best = level.price;
  }
  if (best > 0) return best;
  if (Number.isSafeInteger(state.lastTradedPrice) && state.lastTradedPrice > 0) return state.lastTradedPrice;
  if (allowClose && Number.isSafeInteger(state.close) && state.close > 0) return state.close;
  return 0;
}

/** The RMS rejection text in the form Angel's OMS writes it. */
function rmsText(clientCode: string, requiredPaise: number, availablePaise: number): string {
  return (
    `RMS:Margin Exceeds,Required:${rupeeString(requiredPaise)}, Available:${rupeeString(availablePaise)} ` +
    `for entity account-${clientCode} across exchange across segment across product`
  );
}

function tradeRow(fill: Fill): TradeBookRow {
  const { order } = fill;
  const { instrument } = order;
  return {
    exchange: instrument.exchange,
    producttype: order.producttype,
    tradingsymbol: instrument.symbol,
    instrumenttype: instrument.instrumentType,
    symbolgroup: symbolGroup(instrument),
    strikeprice: strikeText(instrument),
    optiontype: instrument.optionType ?? '',
    expirydate: angelExpiry(instrument.expiry),
    marketlot: String(instrument.lotSize),
    precision: '2',
    multiplier: '-1',
    tradevalue: rupeeString(fill.pricePaise * fill.quantity),
    transactiontype: order.side,
    fillprice: rupeeString(fill.pricePaise),
    fillsize: String(fill.quantity),
    orderid: order.orderid,
    fillid: fill.fillid,
    filltime: angelTimeOfDay(fill.timeMs),
  };
}
