import { dateKeyFromDays, istDayNumber } from '../../core/calendar/index.js';
import { IfError } from '../../core/errors.js';
import type { Instrument } from '../../core/instrument.js';
import type { DepthEvent, MarketEvent, QuoteEvent, TickEvent } from '../../feed/events.js';
import { type Aggressor, quoteRule, tickRule } from './aggressor.js';
import {
  depthImbalance,
  depthImbalanceLevels,
  isTwoSided,
  microprice,
  midPrice,
  spreadPaise,
  type TopOfBook,
} from './book.js';
import { EwStats } from './ewStats.js';
import { ofiContribution } from './ofi.js';
import { BucketWindow } from './window.js';

/** What a tracker needs to know about its instrument. */
export type OrderFlowInstrument = Pick<Instrument, 'token' | 'exchangeType' | 'tickSizePaise'>;

export interface OrderFlowOptions {
  /** rolling window of OFI and windowed volumes, ms; default 10000 */
  windowMs?: number;
  /** bucket width of the rolling window, ms, dividing `windowMs`; default windowMs / 10 */
  bucketMs?: number;
  /** span of the EW spread mean/variance, in book changes (alpha = 2 / (span + 1)); default 100 */
  spreadSpan?: number;
  /** `spreadZ` stays undefined until this many spreads were seen, so a cold start cannot fake a signal; default 20 */
  spreadMinSamples?: number;
}

/** A tracker's figures at one moment. Prices paise, quantities units, times epoch ms (exchange time). */
export interface OrderFlowSnapshot {
  readonly token: string;
  readonly exchangeType: number;
  /** exchange time the windowed figures are as of; 0 before the first event */
  readonly asOfMs: number;
  /** IST session date `YYYY-MM-DD` the session figures belong to; undefined before the first event */
  readonly session: string | undefined;
  /** Σ e_n over the window, units (Cont–Kukanov–Stoikov OFI); positive is buying pressure */
  readonly ofi: number;
  /** `ofi` / average best-level depth ((Q^B + Q^A) / 2 over the window's book changes); dimensionless */
  readonly ofiNormalised: number | undefined;
  /** (Q^B − Q^A) / (Q^B + Q^A) at the best level, in [−1, 1] */
  readonly depthImbalance1: number | undefined;
  /** the same over the best five levels of the latest depth event, in [−1, 1] */
  readonly depthImbalance5: number | undefined;
  readonly spreadPaise: number | undefined;
  /** spread in the instrument's ticks */
  readonly spreadTicks: number | undefined;
  /** z-score of the current spread against its EW mean and variance (dimensionless) */
  readonly spreadZ: number | undefined;
  /** paise, may be a half paisa */
  readonly mid: number | undefined;
  /** size-weighted mid, paise */
  readonly microprice: number | undefined;
  /** buyer-initiated units this session */
  readonly buyVolume: number;
  /** seller-initiated units this session */
  readonly sellVolume: number;
  /** units neither rule could classify this session (left out of the CVD) */
  readonly unclassifiedVolume: number;
  /** cumulative volume delta this session: buyVolume − sellVolume, units */
  readonly cvd: number;
  readonly windowBuyVolume: number;
  readonly windowSellVolume: number;
  /** windowBuyVolume − windowSellVolume, units */
  readonly windowCvd: number;
  /** side of the session's latest trade; undefined before it */
  readonly lastAggressor: Aggressor | undefined;
}

/** Counters for metrics and tests; each tick and book event that changes nothing lands in one field. */
export interface OrderFlowStats {
  ticks: number;
  quotes: number;
  depths: number;
  /** ticks whose cumulative volume rose: one or more exchange trades, lumped at the tick's LTP */
  trades: number;
  /** trades classified by the quote rule */
  byQuoteRule: number;
  /** trades classified by the tick rule because the quote rule could not tell */
  byTickRule: number;
  /** trades neither rule could classify */
  unclassified: number;
  /** ticks that set the session's volume baseline */
  baselines: number;
  /** ticks repeating the last cumulative volume (no new trade) */
  repeats: number;
  /** ticks with LTP 0 after the baseline: nothing traded yet, never a trade */
  noPrice: number;
  /** ticks without volume information (LTP-mode packets carry volume 0) */
  noVolume: number;
  /** ticks whose cumulative volume was below the session's high-water mark (stale or reordered) */
  volumeBackwards: number;
  /** book events that changed the best levels */
  bookChanges: number;
  /** book events identical to the current best levels (SnapQuote sends quote and depth of one book) */
  unchangedBooks: number;
  /** book events older than the current book */
  staleBooks: number;
  /** quote events with both sides empty (Quote mode carries no depth) */
  emptyQuotes: number;
  /** events from an earlier IST day than the current session */
  lateSession: number;
  /** trades and book changes too old for the rolling window (session figures still count them) */
  outsideWindow: number;
  sessions: number;
}

const DEFAULT_WINDOW_MS = 10_000;
const DEFAULT_BUCKETS = 10;
const DEFAULT_SPREAD_SPAN = 100;
const DEFAULT_SPREAD_MIN_SAMPLES = 20;
const DEPTH_LEVELS = 5;

// Series of the rolling window.
const OFI = 0;
const DEPTH = 1;
const BOOKS = 2;
const BUY = 3;
const SELL = 4;
const SERIES = 5;

/** No volume baseline yet this session. */
const NO_MARK = -1;

/**
 * The options with defaults filled in; throws IF_ERR_VALIDATION for a window that is not a positive whole
 * number of ms, a bucket that does not divide it, a span below 1 or a negative sample count.
 */
export function resolveOrderFlowOptions(options: OrderFlowOptions): Required<OrderFlowOptions> {
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const bucketMs = options.bucketMs ?? windowMs / DEFAULT_BUCKETS;
  const spreadSpan = options.spreadSpan ?? DEFAULT_SPREAD_SPAN;
  const spreadMinSamples = options.spreadMinSamples ?? DEFAULT_SPREAD_MIN_SAMPLES;
  const invalid = (detail: string): IfError => new IfError('IF_ERR_VALIDATION', { detail });
  if (!(Number.isSafeInteger(windowMs) && windowMs > 0)) {
    throw invalid(`order-flow windowMs must be a positive integer, got ${windowMs}`);
  }
  if (!(Number.isSafeInteger(bucketMs) && bucketMs > 0 && windowMs % bucketMs === 0)) {
    throw invalid(
      `order-flow bucketMs must be a positive integer dividing windowMs ${windowMs}, got ${bucketMs}`,
    );
  }
  if (!(Number.isFinite(spreadSpan) && spreadSpan >= 1)) {
    throw invalid(`order-flow spreadSpan must be a finite number ≥ 1, got ${spreadSpan}`);
  }
  if (!(Number.isSafeInteger(spreadMinSamples) && spreadMinSamples >= 0)) {
    throw invalid(`order-flow spreadMinSamples must be a non-negative integer, got ${spreadMinSamples}`);
  }
  return { windowMs, bucketMs, spreadSpan, spreadMinSamples };
}

/** Best levels, mutated in place so a book update allocates nothing. */
class Book implements TopOfBook {
  bidPrice = 0;
  bidQuantity = 0;
  askPrice = 0;
  askQuantity = 0;
}

function zeroStats(): OrderFlowStats {
  return {
    ticks: 0,
    quotes: 0,
    depths: 0,
    trades: 0,
    byQuoteRule: 0,
    byTickRule: 0,
    unclassified: 0,
    baselines: 0,
    repeats: 0,
    noPrice: 0,
    noVolume: 0,
    volumeBackwards: 0,
    bookChanges: 0,
    unchangedBooks: 0,
    staleBooks: 0,
    emptyQuotes: 0,
    lateSession: 0,
    outsideWindow: 0,
    sessions: 0,
  };
}

/**
 * Streaming order-flow metrics of one instrument: OFI, depth imbalance, spread and its z-score, mid,
 * microprice, aggressor volumes and CVD. Feed it the instrument's accepted tick, quote and depth events in
 * order; each costs O(1) (depth: O(levels)) and allocates nothing. All time is exchange time from the
 * events, so a replay yields the same figures as the live run.
 *
 * Rules, each chosen so nothing is invented:
 * - A session is an IST calendar day of exchange time. A new day resets the session volumes, the CVD, the
 *   volume baseline, the tick-rule history, the book and the rolling window (overnight book changes and
 *   yesterday's trades are not today's flow). The EW spread statistics carry over: "wider than usual" at
 *   the open is information. Events from an earlier day than the session are counted and ignored.
 * - The book (best levels) comes from quote and depth events alike; an older one than the current book is
 *   ignored, and one identical to it changes nothing (SnapQuote sends the same book as quote and depth).
 *   Quotes with both sides empty are ignored because Quote mode sends no depth; an empty depth event
 *   does clear the book. OFI, spread, mid and microprice need a two-sided book (0 < bid < ask); a
 *   one-sided book breaks the OFI chain until both sides are back.
 * - Traded quantity is the rise of the cumulative day volume over the session's high-water mark, never
 *   `lastQuantity`, which repeats on every packet until the next trade. The session's first tick with
 *   volume information sets the mark without counting (joining mid-session must not create one huge fake
 *   trade); an LTP-0 tick ("not traded today", volume 0) is such information and makes the first trade
 *   count in full. Later LTP-0 ticks, ticks with volume 0 (LTP mode) and ticks below the mark add nothing.
 * - A trade is classified against the book before it: the feed emits a packet's tick before its quote
 *   and depth, so the book held here is the previous packet's. Comparing with the post-trade book would
 *   misread a buy that lifted the whole ask as a trade at the new bid (Lee & Ready's lag, for free).
 *   Several trades between two packets are lumped at the packet's LTP.
 */
export class OrderFlowTracker {
  readonly token: string;
  readonly exchangeType: number;
  readonly tickSizePaise: number;
  private readonly window: BucketWindow;
  private readonly spread: EwStats;
  private readonly spreadMinSamples: number;
  private readonly counters = zeroStats();

  private sessionDay = Number.NaN;
  private sessionDate: string | undefined = undefined;
  /** newest exchange time seen this session */
  private lastTimeMs = Number.NEGATIVE_INFINITY;

  private bookTimeMs = Number.NEGATIVE_INFINITY;
  private book = new Book();
  private spare = new Book();
  private hasBook = false;
  private twoSided = false;
  private imbalance5: number | undefined = undefined;
  private spreadZ: number | undefined = undefined;

  private volumeMark = NO_MARK;
  private lastTradePrice: number | undefined = undefined;
  private lastAggressor: Aggressor | undefined = undefined;
  private buyVolume = 0;
  private sellVolume = 0;
  private unclassifiedVolume = 0;

  constructor(instrument: OrderFlowInstrument, options: OrderFlowOptions = {}) {
    const tick = instrument.tickSizePaise;
    if (!(Number.isFinite(tick) && tick > 0)) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `tick size of instrument ${instrument.token} must be positive paise, got ${tick}`,
      });
    }
    const resolved = resolveOrderFlowOptions(options);
    this.token = instrument.token;
    this.exchangeType = instrument.exchangeType;
    this.tickSizePaise = tick;
    this.window = new BucketWindow(resolved.windowMs, resolved.bucketMs, SERIES);
    this.spread = new EwStats(resolved.spreadSpan);
    this.spreadMinSamples = resolved.spreadMinSamples;
  }

  /** Rolling window length, ms. */
  get windowMs(): number {
    return this.window.windowMs;
  }

  /** Feeds one accepted event of this instrument. */
  onEvent(event: MarketEvent): void {
    if (event.type === 'tick') this.onTick(event);
    else if (event.type === 'quote') this.onQuote(event);
    else this.onDepth(event);
  }

  /** Feeds a trade update: volume delta, aggressor side, CVD. */
  onTick(event: TickEvent): void {
    this.checkOwner(event);
    const c = this.counters;
    c.ticks++;
    const t = event.exchangeTimeMs;
    if (!this.enter(t)) return;
    const price = event.lastPrice;
    const volume = event.volume;
    if (this.volumeMark === NO_MARK) {
      // LTP 0 means nothing traded today, so its volume 0 is a true baseline; a priced tick with volume 0
      // is an LTP-mode packet, which carries no volume at all.
      if (price > 0 ? volume > 0 : volume === 0) {
        this.volumeMark = volume;
        c.baselines++;
      } else {
        c.noVolume++;
      }
      if (price > 0) this.lastTradePrice = price;
      return;
    }
    if (!(price > 0)) {
      c.noPrice++;
      return;
    }
    if (!(volume > 0)) {
      c.noVolume++;
      return;
    }
    if (volume < this.volumeMark) {
      c.volumeBackwards++;
      return;
    }
    if (volume === this.volumeMark) {
      c.repeats++;
      return;
    }
    const quantity = volume - this.volumeMark;
    this.volumeMark = volume;
    c.trades++;

    const book = this.book;
    let side: Aggressor = this.twoSided ? quoteRule(price, book.bidPrice, book.askPrice) : 'unknown';
    if (side !== 'unknown') {
      c.byQuoteRule++;
    } else {
      side = tickRule(price, this.lastTradePrice, this.lastAggressor);
      if (side !== 'unknown') c.byTickRule++;
      else c.unclassified++;
    }
    if (side === 'buy') {
      this.buyVolume += quantity;
      if (!this.window.add(t, BUY, quantity)) c.outsideWindow++;
    } else if (side === 'sell') {
      this.sellVolume += quantity;
      if (!this.window.add(t, SELL, quantity)) c.outsideWindow++;
    } else {
      this.unclassifiedVolume += quantity;
    }
    this.lastTradePrice = price;
    this.lastAggressor = side;
  }

  /** Feeds a top-of-book update. */
  onQuote(event: QuoteEvent): void {
    this.checkOwner(event);
    this.counters.quotes++;
    const t = event.exchangeTimeMs;
    if (!this.enter(t)) return;
    if (!(event.bidPrice > 0) && !(event.askPrice > 0)) {
      this.counters.emptyQuotes++;
      return;
    }
    if (t < this.bookTimeMs) {
      this.counters.staleBooks++;
      return;
    }
    this.applyBook(t, event.bidPrice, event.bidQuantity, event.askPrice, event.askQuantity);
  }

  /** Feeds a depth update: five-level imbalance and the best levels. */
  onDepth(event: DepthEvent): void {
    this.checkOwner(event);
    this.counters.depths++;
    const t = event.exchangeTimeMs;
    if (!this.enter(t)) return;
    if (t < this.bookTimeMs) {
      this.counters.staleBooks++;
      return;
    }
    const bids = event.bids;
    const asks = event.asks;
    this.imbalance5 = depthImbalanceLevels(bids, asks, DEPTH_LEVELS);
    const bid = bids[0];
    const ask = asks[0];
    this.applyBook(
      t,
      bid === undefined ? 0 : bid.price,
      bid === undefined ? 0 : bid.quantity,
      ask === undefined ? 0 : ask.price,
      ask === undefined ? 0 : ask.quantity,
    );
  }

  /**
   * The figures now. With `asOfMs` (epoch ms, e.g. the engine clock mapped to exchange time) later than
   * the newest event, the windowed figures leave out buckets older than the window ending there, so a
   * quiet instrument's flow fades; session figures are always as of the newest event. Allocates one object.
   */
  snapshot(asOfMs?: number): OrderFlowSnapshot {
    const started = this.lastTimeMs > Number.NEGATIVE_INFINITY;
    const later = asOfMs !== undefined && asOfMs > this.lastTimeMs;
    const w = this.window;
    const at = later ? asOfMs : this.lastTimeMs;
    const ofi = later ? w.totalAt(OFI, at) : w.total(OFI);
    const depthSum = later ? w.totalAt(DEPTH, at) : w.total(DEPTH);
    const books = later ? w.totalAt(BOOKS, at) : w.total(BOOKS);
    const windowBuy = later ? w.totalAt(BUY, at) : w.total(BUY);
    const windowSell = later ? w.totalAt(SELL, at) : w.total(SELL);
    // Each book adds Q^B + Q^A to DEPTH, so the average one-side depth is DEPTH / (2 · books).
    const averageDepth = books > 0 ? depthSum / (2 * books) : 0;

    const book = this.book;
    const spread = spreadPaise(book);
    return {
      token: this.token,
      exchangeType: this.exchangeType,
      asOfMs: started ? at : 0,
      session: this.sessionDate,
      ofi,
      ofiNormalised: averageDepth > 0 ? ofi / averageDepth : undefined,
      depthImbalance1: this.hasBook ? depthImbalance(book.bidQuantity, book.askQuantity) : undefined,
      depthImbalance5: this.imbalance5,
      spreadPaise: spread,
      spreadTicks: spread === undefined ? undefined : spread / this.tickSizePaise,
      spreadZ: spread === undefined ? undefined : this.spreadZ,
      mid: midPrice(book),
      microprice: microprice(book),
      buyVolume: this.buyVolume,
      sellVolume: this.sellVolume,
      unclassifiedVolume: this.unclassifiedVolume,
      cvd: this.buyVolume - this.sellVolume,
      windowBuyVolume: windowBuy,
      windowSellVolume: windowSell,
      windowCvd: windowBuy - windowSell,
      lastAggressor: this.lastAggressor,
    };
  }

  /** A copy of the counters. */
  stats(): OrderFlowStats {
    return { ...this.counters };
  }

  /** Opens a new session if `timeMs` is on a later IST day; false for an event from an earlier day. */
  private enter(timeMs: number): boolean {
    const day = istDayNumber(timeMs);
    if (day !== this.sessionDay) {
      if (day < this.sessionDay) {
        this.counters.lateSession++;
        return false;
      }
      this.startSession(day);
    }
    if (timeMs > this.lastTimeMs) {
      this.lastTimeMs = timeMs;
      this.window.advanceTo(timeMs);
    }
    return true;
  }

  private startSession(day: number): void {
    this.counters.sessions++;
    this.sessionDay = day;
    this.sessionDate = dateKeyFromDays(day);
    this.lastTimeMs = Number.NEGATIVE_INFINITY;
    this.bookTimeMs = Number.NEGATIVE_INFINITY;
    this.window.clear();
    this.hasBook = false;
    this.twoSided = false;
    this.imbalance5 = undefined;
    this.spreadZ = undefined;
    this.volumeMark = NO_MARK;
    this.lastTradePrice = undefined;
    this.lastAggressor = undefined;
    this.buyVolume = 0;
    this.sellVolume = 0;
    this.unclassifiedVolume = 0;
  }

  private applyBook(
    timeMs: number,
    bidPrice: number,
    bidQuantity: number,
    askPrice: number,
    askQuantity: number,
  ): void {
    this.bookTimeMs = timeMs;
    const previous = this.book;
    if (
      this.hasBook &&
      previous.bidPrice === bidPrice &&
      previous.bidQuantity === bidQuantity &&
      previous.askPrice === askPrice &&
      previous.askQuantity === askQuantity
    ) {
      this.counters.unchangedBooks++;
      return;
    }
    this.counters.bookChanges++;
    const next = this.spare;
    next.bidPrice = bidPrice;
    next.bidQuantity = bidQuantity;
    next.askPrice = askPrice;
    next.askQuantity = askQuantity;
    this.spare = previous;
    this.book = next;
    this.hasBook = true;

    const wasTwoSided = this.twoSided;
    this.twoSided = isTwoSided(next);
    if (!this.twoSided) {
      this.spreadZ = undefined;
      return;
    }
    const w = this.window;
    let inWindow = true;
    if (wasTwoSided) inWindow = w.add(timeMs, OFI, ofiContribution(previous, next));
    inWindow = w.add(timeMs, DEPTH, bidQuantity + askQuantity) && inWindow;
    w.add(timeMs, BOOKS, 1);
    if (!inWindow) this.counters.outsideWindow++;

    const spread = askPrice - bidPrice;
    this.spread.update(spread);
    this.spreadZ = this.spread.count >= this.spreadMinSamples ? this.spread.zScore(spread) : undefined;
  }

  private checkOwner(event: MarketEvent): void {
    if (event.token !== this.token || event.exchangeType !== this.exchangeType) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `order-flow tracker of ${this.exchangeType}:${this.token} got an event of ${event.exchangeType}:${event.token}`,
      });
    }
  }
}
