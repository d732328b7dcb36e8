import {
  type CalendarSegment,
  createMarketCalendar,
  dateKeyFromDays,
  daysFromDateKey,
  istDayNumber,
  type MarketCalendar,
} from '../../core/calendar/index.js';
import { IfError } from '../../core/errors.js';
import type { Instrument } from '../../core/instrument.js';
import { SeededRandom } from '../../core/random.js';
import { DAY_MS } from '../../core/time.js';
import {
  type MarketModelOptions,
  type ResolvedOptions,
  resolveOptions,
  type UnderlyingConfig,
} from './config.js';
import { buildListing, FNO_TICK_PAISE, type ListedContract } from './instruments.js';
import { black76, expectedAverageVariance, ssviSlice, sviTotalVariance } from './pricing.js';
import type {
  BookLevel,
  InstrumentMarketState,
  OptionQuoteModel,
  ScripMasterRow,
  SimMarketModel,
  SmileSnapshot,
  SviParameters,
} from './types.js';

const YEAR_MS = 365 * DAY_MS;
/** A nominal 09:15–15:30 session; variance accrues on 252 of these a year. */
const SESSION_MS = 375 * 60_000;
const TRADING_YEAR_MS = 252 * SESSION_MS;
const TICK = FNO_TICK_PAISE;
/** Options' lower circuit and the lowest quotable price (reference angelone §1.8). */
const MIN_PRICE = TICK;
const BOOK_LEVELS = 20;
/** Ticks per second of the most active contract (nearest ATM NIFTY option) at activity 1. */
const MAX_TICK_RATE = 4;
/** Keeps the smile defined when the Euler variance touches zero. */
const VARIANCE_FLOOR = 0.03 * 0.03;
const VARIANCE_CAP = 2.25;
/** Overnight variance as a fraction of one session's (index moves between sessions are small). */
const OVERNIGHT_VARIANCE_FRACTION = 0.25;
/** Futures basis noise: stationary standard deviation in log terms and its mean-reversion time. */
const BASIS_STDDEV = 1e-4;
const BASIS_REVERSION_MS = 60_000;
/** Depth beyond the 20 visible levels, as a multiple of them, for total buy/sell quantity. */
const HIDDEN_DEPTH_FACTOR = 3;

interface ExpirySim {
  key: string;
  day: number;
  closeMs: number;
  /** trading ms in the sessions after the current session day up to this expiry's close */
  futureTradingMs: number;
  /** 0 for the nearest option expiry; -1 when only futures expire here */
  optionRank: number;
}

interface ContractSim {
  index: number;
  token: string;
  kind: 'future' | 'option';
  underlying: UnderlyingSim;
  expiry: ExpirySim;
  futureRank: number;
  /** rupees; 0 for futures */
  strike: number;
  isCall: boolean;
  state: InstrumentMarketState;
  rng: SeededRandom;
  nextTickMs: number;
  /** 0–1 activity score from the last quote */
  liquidity: number;
  /** fair value at the last quote, rupees */
  fair: number;
  /** Σ price·quantity of today's trades, paise·units */
  turnover: number;
  prevOpenInterest: number;
  quoteAtMs: number;
  quoteForward: number;
  quoteDiscount: number;
  quoteTcal: number;
  quoteTtrade: number;
  quoteSvi: SviParameters;
  quoteIv: number;
}

interface UnderlyingSim {
  cfg: UnderlyingConfig;
  rng: SeededRandom;
  indexIndex: number;
  indexState: InstrumentMarketState;
  /** rupees */
  spot: number;
  variance: number;
  longRunVariance: number;
  /** log basis of every forward over its theoretical value (futures noise) */
  basis: number;
  contracts: ContractSim[];
  /** contracts that have not expired yet */
  active: ContractSim[];
  expiries: Map<string, ExpirySim>;
  optionExpiryKeys: string[];
  /** IST day number of the current (or last) session */
  sessionDay: number;
  /** whether the model stepped during `sessionDay` */
  sessionStepped: boolean;
  derivOpenMs: number;
  derivCloseMs: number;
  indexOpened: boolean;
  nextIndexTickMs: number;
}

interface SegmentDayCache {
  day: number;
  openMs: number;
  closeMs: number;
}

function floorTick(paise: number): number {
  return Math.floor(paise / TICK) * TICK;
}

function ceilTick(paise: number): number {
  return Math.ceil(paise / TICK) * TICK;
}

function emptyLevels(count: number): BookLevel[] {
  const levels: BookLevel[] = [];
  for (let i = 0; i < count; i++) levels.push({ price: 0, quantity: 0, orders: 0 });
  return levels;
}

function newState(
  token: string,
  exchangeType: number,
  startMs: number,
  tradable: boolean,
): InstrumentMarketState {
  const bids20 = tradable ? emptyLevels(BOOK_LEVELS) : [];
  const asks20 = tradable ? emptyLevels(BOOK_LEVELS) : [];
  return {
    token,
    exchangeType,
    sequenceNumber: tradable ? 1 : 0,
    exchangeTimeMs: startMs,
    lastTradedPrice: 0,
    lastTradedQuantity: 0,
    lastTradedTimeMs: 0,
    averageTradedPrice: 0,
    volume: 0,
    totalBuyQuantity: 0,
    totalSellQuantity: 0,
    open: 0,
    high: 0,
    low: 0,
    close: 0,
    openInterest: 0,
    openInterestChangePercent: 0,
    // The 5-level views share their objects with the 20-level book, so one write updates both.
    bids: bids20.slice(0, 5),
    asks: asks20.slice(0, 5),
    bids20,
    asks20,
    upperCircuit: 0,
    lowerCircuit: 0,
    fiftyTwoWeekHigh: 0,
    fiftyTwoWeekLow: 0,
  };
}

/** murmur3's 32-bit finaliser: a cheap, well-mixed hash of an integer. */
function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Sets a book level from a 32-bit hash (mean size ≈ 1 + `meanLots`, skewed small); returns its quantity. */
function fillLevel(level: BookLevel, price: number, hash: number, meanLots: number, lotSize: number): number {
  const u = (hash >>> 16) / 65536;
  const lots = 1 + Math.floor(u * u * 3 * meanLots);
  level.price = price;
  level.quantity = lots * lotSize;
  level.orders = Math.min(lots, 1 + Math.floor(((hash & 0xffff) / 65536) * Math.min(lots, 30)));
  return level.quantity;
}

function clearLevel(level: BookLevel): number {
  level.price = 0;
  level.quantity = 0;
  level.orders = 0;
  return 0;
}

function exponential(rng: SeededRandom): number {
  return -Math.log(1 - rng.next());
}

class SimulatedMarket implements SimMarketModel {
  readonly instruments: readonly Instrument[];
  readonly calendar: MarketCalendar;
  private readonly options: ResolvedOptions;
  private readonly rows: readonly ScripMasterRow[];
  private readonly byToken = new Map<string, number>();
  private readonly aliases = new Map<string, string>();
  private readonly states: InstrumentMarketState[] = [];
  private readonly contractAt: (ContractSim | undefined)[] = [];
  private readonly underlyings: UnderlyingSim[] = [];
  private readonly underlyingByName = new Map<string, UnderlyingSim>();
  private readonly market: SeededRandom;
  private readonly segments: CalendarSegment[];
  private readonly segmentCache = new Map<CalendarSegment, SegmentDayCache>();
  private readonly dirty: Uint8Array;
  private changed: number[] = [];
  private current: number;
  private nextStepMs: number;
  private readonly stepYears: number;
  private readonly commonJumpsPerYear: number;
  private readonly priced = {
    forward: 0,
    discount: 1,
    svi: { a: 0, b: 0, rho: 0, m: 0, sigma: 0 } as SviParameters,
    logMoneyness: 0,
    totalVariance: 0,
  };

  constructor(options: MarketModelOptions) {
    this.options = resolveOptions(options);
    this.calendar = options.calendar ?? createMarketCalendar();
    const { startMs, stepMs, seed } = this.options;
    this.current = startMs;
    this.nextStepMs = (Math.floor(startMs / stepMs) + 1) * stepMs;
    this.stepYears = stepMs / TRADING_YEAR_MS;
    const root = new SeededRandom(seed);
    this.market = root.fork(0);

    const listing = buildListing(
      this.options.underlyings,
      this.calendar,
      startMs,
      this.options.strikesEachSide,
    );
    this.instruments = listing.contracts.map((c) => Object.freeze({ ...c.instrument }));
    this.rows = listing.contracts.map((c) => Object.freeze({ ...c.row }));
    this.dirty = new Uint8Array(listing.contracts.length);
    const segments = new Set<CalendarSegment>();

    this.options.underlyings.forEach((cfg, i) => {
      segments.add(cfg.exchange);
      segments.add(cfg.derivativeExchange);
      const u = this.createUnderlying(cfg, root.fork(i + 1), listing.optionExpiries.get(cfg.name) ?? []);
      this.underlyings.push(u);
      this.underlyingByName.set(cfg.name, u);
      this.aliases.set(cfg.indexAlias, cfg.indexToken);
    });
    this.segments = [...segments];
    this.commonJumpsPerYear = Math.max(0, ...this.options.underlyings.map((u) => u.jumpsPerYear));

    listing.contracts.forEach((listed, index) => {
      this.addContract(listed, index, root);
    });
    for (const u of this.underlyings) this.openSessionDay(u, istDayNumber(startMs), startMs, true);
  }

  scripMaster(): ScripMasterRow[] {
    return this.rows.slice();
  }

  instrument(token: string): Instrument | undefined {
    const index = this.byToken.get(token);
    return index === undefined ? undefined : this.instruments[index];
  }

  resolveToken(token: string): string | undefined {
    if (this.byToken.has(token)) return token;
    return this.aliases.get(token);
  }

  state(token: string): InstrumentMarketState | undefined {
    const index = this.byToken.get(token);
    return index === undefined ? undefined : this.states[index];
  }

  nowMs(): number {
    return this.current;
  }

  isMarketOpen(nowMs: number): boolean {
    return this.segments.some((segment) => this.calendar.isMarketOpen(segment, nowMs));
  }

  optionExpiries(underlying: string): readonly string[] {
    return this.underlyingByName.get(underlying)?.optionExpiryKeys ?? [];
  }

  advanceTo(nowMs: number): string[] {
    if (!Number.isFinite(nowMs) || nowMs < this.current) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `market time can only move forward (at ${this.current}, asked ${nowMs})`,
      });
    }
    const { stepMs } = this.options;
    let t = this.nextStepMs;
    while (t <= nowMs) {
      const day = istDayNumber(t);
      if (!this.segments.some((segment) => this.inSession(segment, day, t))) {
        // Jump over nights, weekends and holidays instead of walking them step by step.
        const open = Math.min(...this.segments.map((segment) => this.calendar.nextOpenMs(segment, t)));
        t = Math.max(t + stepMs, Math.ceil(open / stepMs) * stepMs);
        continue;
      }
      this.step(t, day);
      t += stepMs;
    }
    this.nextStepMs = t;
    this.current = nowMs;
    const tokens = this.changed.map((index) => this.states[index]?.token ?? '');
    for (const index of this.changed) this.dirty[index] = 0;
    this.changed = [];
    return tokens;
  }

  recordTrade(token: string, pricePaise: number, quantity: number, nowMs: number): void {
    const index = this.byToken.get(token);
    const contract = index === undefined ? undefined : this.contractAt[index];
    if (index === undefined) throw new IfError('IF_ERR_INSTRUMENT_UNKNOWN', { instrument: token });
    if (contract === undefined) {
      throw new IfError('IF_ERR_VALIDATION', { detail: `index ${token} cannot trade` });
    }
    if (!Number.isSafeInteger(pricePaise) || pricePaise <= 0 || pricePaise % TICK !== 0) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `trade price ${pricePaise} paise is not a positive multiple of the ${TICK}-paise tick`,
      });
    }
    if (!Number.isSafeInteger(quantity) || quantity <= 0) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `trade quantity ${quantity} is not a positive integer`,
      });
    }
    if (!Number.isFinite(nowMs))
      throw new IfError('IF_ERR_VALIDATION', { detail: 'trade time is not finite' });
    const state = contract.state;
    state.sequenceNumber++;
    state.exchangeTimeMs = nowMs;
    this.applyTrade(contract, pricePaise, quantity, nowMs);
    this.markChanged(index);
  }

  smile(underlying: string, expiry: string): SmileSnapshot | undefined {
    const u = this.underlyingByName.get(underlying);
    const e = u?.expiries.get(expiry);
    if (u === undefined || e === undefined || e.optionRank < 0 || e.closeMs <= this.current) return undefined;
    const t = this.current;
    const tcal = (e.closeMs - t) / YEAR_MS;
    const ttrade = this.tradingYears(u, e, t);
    return {
      underlying,
      expiry,
      atMs: t,
      forward: this.forward(u, tcal),
      discountFactor: Math.exp(-this.options.riskFreeRate * tcal),
      timeToExpiryYears: tcal,
      tradingTimeToExpiryYears: ttrade,
      svi: this.sviOf(u, ttrade),
    };
  }

  impliedVol(token: string): OptionQuoteModel | undefined {
    const index = this.byToken.get(token);
    const c = index === undefined ? undefined : this.contractAt[index];
    if (c === undefined || c.kind !== 'option') return undefined;
    return {
      underlying: c.underlying.cfg.name,
      expiry: c.expiry.key,
      atMs: c.quoteAtMs,
      forward: c.quoteForward,
      discountFactor: c.quoteDiscount,
      timeToExpiryYears: c.quoteTcal,
      tradingTimeToExpiryYears: c.quoteTtrade,
      svi: { ...c.quoteSvi },
      token: c.token,
      strike: c.strike,
      optionType: c.isCall ? 'CE' : 'PE',
      impliedVol: c.quoteIv,
      fairPrice: c.fair,
    };
  }

  // ---- construction ------------------------------------------------------------------------------

  private createUnderlying(
    cfg: UnderlyingConfig,
    rng: SeededRandom,
    optionExpiries: string[],
  ): UnderlyingSim {
    const state = newState(cfg.indexToken, 0, this.options.startMs, false);
    return {
      cfg,
      rng,
      indexIndex: -1,
      indexState: state,
      spot: cfg.spot,
      variance: cfg.initialVolatility ** 2,
      longRunVariance: cfg.volatility ** 2,
      basis: 0,
      contracts: [],
      active: [],
      expiries: new Map(),
      optionExpiryKeys: optionExpiries,
      sessionDay: istDayNumber(this.options.startMs),
      sessionStepped: false,
      derivOpenMs: 0,
      derivCloseMs: 0,
      indexOpened: false,
      nextIndexTickMs: 0,
    };
  }

  private underlyingOf(name: string): UnderlyingSim {
    const u = this.underlyingByName.get(name);
    if (u === undefined) throw new IfError('IF_ERR_INTERNAL', { detail: `no underlying ${name}` });
    return u;
  }

  private expiryOf(u: UnderlyingSim, key: string): ExpirySim {
    let e = u.expiries.get(key);
    if (e === undefined) {
      e = {
        key,
        day: daysFromDateKey(key),
        closeMs: this.calendar.expiryCloseMs(u.cfg.derivativeExchange, key),
        futureTradingMs: 0,
        optionRank: u.optionExpiryKeys.indexOf(key),
      };
      u.expiries.set(key, e);
    }
    return e;
  }

  private addContract(listed: ListedContract, index: number, root: SeededRandom): void {
    const instrument = listed.instrument;
    this.byToken.set(instrument.token, index);
    const u = this.underlyingOf(listed.underlying);
    if (listed.kind === 'index') {
      u.indexIndex = index;
      u.indexState.exchangeType = instrument.exchangeType;
      this.states.push(u.indexState);
      this.contractAt.push(undefined);
      return;
    }
    const expiry = this.expiryOf(u, listed.expiry ?? '');
    const state = newState(instrument.token, instrument.exchangeType, this.options.startMs, true);
    const contract: ContractSim = {
      index,
      token: instrument.token,
      kind: listed.kind,
      underlying: u,
      expiry,
      futureRank: listed.kind === 'future' ? u.contracts.filter((c) => c.kind === 'future').length : -1,
      strike: listed.strike ?? 0,
      isCall: listed.optionType === 'CE',
      state,
      // Each contract draws from its own stream, so one contract's activity never shifts another's.
      rng: root.fork(1000 + index),
      nextTickMs: 0,
      liquidity: 0,
      fair: 0,
      turnover: 0,
      prevOpenInterest: 0,
      quoteAtMs: 0,
      quoteForward: 0,
      quoteDiscount: 1,
      quoteTcal: 0,
      quoteTtrade: 0,
      quoteSvi: { a: 0, b: 0, rho: 0, m: 0, sigma: 0 },
      quoteIv: 0,
    };
    u.contracts.push(contract);
    u.active.push(contract);
    this.states.push(state);
    this.contractAt.push(contract);
  }

  // ---- sessions -------------------------------------------------------------------------------------

  private segmentDay(segment: CalendarSegment, day: number): SegmentDayCache {
    let cached = this.segmentCache.get(segment);
    if (cached === undefined || cached.day !== day) {
      const bounds = this.calendar.sessionBounds(segment, dateKeyFromDays(day));
      cached = { day, openMs: bounds?.openMs ?? 0, closeMs: bounds?.closeMs ?? 0 };
      this.segmentCache.set(segment, cached);
    }
    return cached;
  }

  private inSession(segment: CalendarSegment, day: number, t: number): boolean {
    const bounds = this.segmentDay(segment, day);
    return t >= bounds.openMs && t < bounds.closeMs;
  }

  /**
   * Starts `day` as the underlying's session day: yesterday's last prices become the close, daily figures
   * reset, expired contracts stop, and tick times restart from the open. At construction (`initial`) it
   * instead prices the previous close and the opening book.
   */
  private openSessionDay(u: UnderlyingSim, day: number, t: number, initial: boolean): void {
    const cfg = u.cfg;
    // Only a day that actually traded hands its prices on as the new close.
    const rollCloses = u.sessionStepped;
    const bounds = this.calendar.sessionBounds(cfg.derivativeExchange, dateKeyFromDays(day));
    u.derivOpenMs = bounds?.openMs ?? 0;
    u.derivCloseMs = bounds?.closeMs ?? 0;
    u.sessionDay = day;
    u.sessionStepped = false;
    u.indexOpened = false;
    u.nextIndexTickMs = t;

    // Trading time left after today, per expiry.
    const expiries = [...u.expiries.values()].sort((x, y) => x.day - y.day);
    let acc = 0;
    let cursor = day + 1;
    for (const e of expiries) {
      for (; cursor <= e.day; cursor++) {
        const b = this.calendar.sessionBounds(cfg.derivativeExchange, dateKeyFromDays(cursor));
        if (b !== undefined) acc += b.closeMs - b.openMs;
      }
      e.futureTradingMs = e.day > day ? acc : 0;
    }

    if (initial) {
      this.initialiseUnderlying(u, t);
      return;
    }

    const index = u.indexState;
    if (rollCloses) index.close = index.lastTradedPrice;
    // The index gaps overnight by a fraction of a session's variance.
    const gapVariance =
      Math.max(u.variance, 0) * OVERNIGHT_VARIANCE_FRACTION * (SESSION_MS / TRADING_YEAR_MS);
    u.spot *= Math.exp(-gapVariance / 2 + Math.sqrt(gapVariance) * u.rng.normal());

    const stillActive: ContractSim[] = [];
    for (const c of u.active) {
      // An expired contract keeps its last state and leaves the active set.
      if (c.expiry.closeMs <= t) continue;
      const s = c.state;
      if (rollCloses) {
        const mid =
          s.bids20[0] !== undefined && s.asks20[0] !== undefined
            ? (s.bids20[0].price + s.asks20[0].price) / 2
            : 0;
        const settle = s.lastTradedPrice > 0 ? s.lastTradedPrice : ceilTick(mid);
        if (settle > 0) s.close = settle;
        this.setCircuits(c);
      }
      s.open = 0;
      s.high = 0;
      s.low = 0;
      s.lastTradedPrice = 0;
      s.lastTradedQuantity = 0;
      s.lastTradedTimeMs = 0;
      s.averageTradedPrice = 0;
      s.volume = 0;
      c.turnover = 0;
      c.prevOpenInterest = s.openInterest;
      s.openInterestChangePercent = 0;
      stillActive.push(c);
      this.schedule(c, Math.max(t, u.derivOpenMs));
    }
    u.active = stillActive;
  }

  private initialiseUnderlying(u: UnderlyingSim, t: number): void {
    const cfg = u.cfg;
    const index = u.indexState;
    const spotPaise = Math.round(cfg.spot * 100);
    index.lastTradedPrice = spotPaise;
    index.close = spotPaise;
    index.open = spotPaise;
    index.high = spotPaise;
    index.low = spotPaise;
    index.fiftyTwoWeekHigh = Math.round(spotPaise * (1.04 + 0.08 * u.rng.next()));
    index.fiftyTwoWeekLow = Math.round(spotPaise * (0.8 + 0.1 * u.rng.next()));

    // The previous close is priced at yesterday's close: same spot, one more trading day to expiry.
    const todayKey = dateKeyFromDays(u.sessionDay);
    const prevKey = this.calendar.previousTradingDay(cfg.derivativeExchange, todayKey);
    const prevCloseMs = this.calendar.sessionBounds(cfg.derivativeExchange, prevKey)?.closeMs ?? t - DAY_MS;
    const openMs = u.derivOpenMs > 0 ? u.derivOpenMs : t;
    for (const c of u.contracts) {
      const tcalPrev = (c.expiry.closeMs - prevCloseMs) / YEAR_MS;
      const ttradePrev = this.tradingYears(u, c.expiry, Math.min(openMs, t));
      const prevFair = this.price(u, c, tcalPrev, ttradePrev);
      const s = c.state;
      s.close = Math.max(MIN_PRICE, Math.round((prevFair * 100) / TICK) * TICK);
      this.setCircuits(c);
      this.initialOpenInterest(c, tcalPrev, ttradePrev);
      if (c.kind === 'future') {
        s.fiftyTwoWeekHigh = ceilTick(s.close * (1.04 + 0.08 * c.rng.next()));
        s.fiftyTwoWeekLow = floorTick(s.close * (0.8 + 0.1 * c.rng.next()));
      } else {
        s.fiftyTwoWeekHigh = ceilTick(Math.max(s.close * (2 + 4 * c.rng.next()), s.close + 100));
        // Live option packets show a 52-week low of 0 (reference angelone §1.8).
        s.fiftyTwoWeekLow = 0;
      }
      this.quote(c, t);
      this.schedule(c, Math.max(t, openMs));
    }
  }

  private initialOpenInterest(c: ContractSim, tcal: number, ttrade: number): void {
    const u = c.underlying;
    const lots = u.cfg.atmOpenInterestLots;
    let weight: number;
    if (c.kind === 'future') {
      weight = [1.2, 0.25, 0.05][c.futureRank] ?? 0.02;
    } else {
      const forward = this.forward(u, tcal);
      const w = Math.max(this.atmTotalVariance(u, ttrade), 1e-8);
      const x = Math.log(c.strike / forward) / Math.sqrt(w);
      // Open interest piles up a little out of the money: calls above the forward, puts below.
      const otm = c.isCall ? x : -x;
      const profile = Math.exp(-0.5 * ((otm - 0.5) / 1.3) ** 2);
      weight = profile * ([1, 0.55, 0.35, 0.25][c.expiry.optionRank] ?? 0.15);
    }
    const oi = Math.round(lots * weight * (0.75 + 0.5 * c.rng.next())) * u.cfg.lotSize;
    c.state.openInterest = oi;
    c.prevOpenInterest = oi;
  }

  private setCircuits(c: ContractSim): void {
    const s = c.state;
    if (c.kind === 'future') {
      // Index futures have a ±10% operating range.
      s.lowerCircuit = Math.max(MIN_PRICE, floorTick(s.close * 0.9));
      s.upperCircuit = ceilTick(s.close * 1.1);
    } else {
      s.lowerCircuit = MIN_PRICE;
      s.upperCircuit = ceilTick(Math.max(s.close * 3, s.close + c.underlying.spot * 100 * 0.002));
    }
  }

  // ---- dynamics --------------------------------------------------------------------------------------

  private step(t: number, day: number): void {
    const correlated = this.options.correlated;
    const marketShock = correlated ? this.market.normal() : 0;
    const commonJump = correlated && this.market.next() < this.commonJumpsPerYear * this.stepYears;
    const commonJumpShock = commonJump ? this.market.normal() : 0;
    for (const u of this.underlyings) {
      const cfg = u.cfg;
      const cashOpen = this.inSession(cfg.exchange, day, t);
      const derivOpen = this.inSession(cfg.derivativeExchange, day, t);
      if (!cashOpen && !derivOpen) continue;
      if (day !== u.sessionDay) this.openSessionDay(u, day, t, false);
      u.sessionStepped = true;
      this.evolve(u, marketShock, commonJump, commonJumpShock);
      if (cashOpen && t >= u.nextIndexTickMs) {
        this.tickIndex(u, t);
        u.nextIndexTickMs = t + this.options.indexTickMs;
      }
      if (!derivOpen) continue;
      for (const c of u.active) {
        if (t >= c.nextTickMs && t < c.expiry.closeMs) this.tickContract(c, t);
      }
    }
  }

  /** One full-truncation Euler step of Heston variance and log spot, with jumps and basis noise. */
  private evolve(u: UnderlyingSim, marketShock: number, commonJump: boolean, commonJumpShock: number): void {
    const cfg = u.cfg;
    const dt = this.stepYears;
    const v = Math.max(u.variance, 0);
    const beta = this.options.correlated ? cfg.marketBeta : 0;
    const zs = beta * marketShock + Math.sqrt(1 - beta * beta) * u.rng.normal();
    const rho = cfg.spotVolCorrelation;
    const zv = rho * zs + Math.sqrt(1 - rho * rho) * u.rng.normal();
    const meanJump = Math.exp(cfg.jumpMean + (cfg.jumpStdDev * cfg.jumpStdDev) / 2) - 1;
    let jump = 0;
    if (this.options.correlated) {
      if (commonJump) jump = cfg.jumpMean + cfg.jumpStdDev * commonJumpShock;
    } else if (u.rng.next() < cfg.jumpsPerYear * dt) {
      jump = cfg.jumpMean + cfg.jumpStdDev * u.rng.normal();
    }
    const jumpRate = this.options.correlated ? this.commonJumpsPerYear : cfg.jumpsPerYear;
    const sq = Math.sqrt(v * dt);
    u.spot *= Math.exp(-0.5 * v * dt - jumpRate * meanJump * dt + sq * zs + jump);
    const next = u.variance + cfg.meanReversion * (u.longRunVariance - v) * dt + cfg.volOfVol * sq * zv;
    u.variance = Math.min(next, VARIANCE_CAP);
    const decay = Math.exp(-this.options.stepMs / BASIS_REVERSION_MS);
    u.basis = u.basis * decay + BASIS_STDDEV * Math.sqrt(1 - decay * decay) * u.rng.normal();
  }

  private tickIndex(u: UnderlyingSim, t: number): void {
    const s = u.indexState;
    const value = Math.round(u.spot * 100);
    s.lastTradedPrice = value;
    s.exchangeTimeMs = t;
    s.lastTradedTimeMs = t;
    if (!u.indexOpened) {
      s.open = value;
      s.high = value;
      s.low = value;
      u.indexOpened = true;
    } else {
      if (value > s.high) s.high = value;
      if (value < s.low) s.low = value;
    }
    if (value > s.fiftyTwoWeekHigh) s.fiftyTwoWeekHigh = value;
    if (value < s.fiftyTwoWeekLow) s.fiftyTwoWeekLow = value;
    this.markChanged(u.indexIndex);
  }

  private tickContract(c: ContractSim, t: number): void {
    const s = c.state;
    s.sequenceNumber++;
    s.exchangeTimeMs = t;
    const previousFair = c.fair;
    this.quote(c, t);
    const rng = c.rng;
    if (rng.next() < 0.3 + 0.5 * c.liquidity) {
      const buyBias = c.fair > previousFair ? 0.6 : c.fair < previousFair ? 0.4 : 0.5;
      const isBuy = rng.next() < buyBias;
      const price = isBuy ? s.asks20[0]?.price : s.bids20[0]?.price;
      if (price !== undefined && price > 0) {
        const lots = 1 + Math.floor(exponential(rng) * (0.5 + 6 * c.liquidity));
        const quantity = lots * c.underlying.cfg.lotSize;
        this.applyTrade(c, price, quantity, t);
        // Slightly more trades open positions than close them, so open interest builds through the day.
        s.openInterest =
          rng.next() < 0.56 ? s.openInterest + quantity : Math.max(0, s.openInterest - quantity);
        s.openInterestChangePercent =
          c.prevOpenInterest > 0 ? ((s.openInterest - c.prevOpenInterest) / c.prevOpenInterest) * 100 : 0;
      }
    }
    this.schedule(c, t);
    this.markChanged(c.index);
  }

  private schedule(c: ContractSim, fromMs: number): void {
    const rate = MAX_TICK_RATE * this.options.activity * Math.max(c.liquidity, 0.0015);
    const waitMs = (exponential(c.rng) / rate) * 1000;
    c.nextTickMs = fromMs + Math.max(this.options.stepMs, waitMs);
  }

  // ---- pricing ---------------------------------------------------------------------------------------

  private forward(u: UnderlyingSim, tcal: number): number {
    return u.spot * Math.exp((this.options.riskFreeRate - u.cfg.dividendYield) * tcal + u.basis);
  }

  /** Trading time left to an expiry's close, in years of 252 sessions. */
  private tradingYears(u: UnderlyingSim, e: ExpirySim, t: number): number {
    let today = 0;
    if (u.derivCloseMs > 0 && e.day >= u.sessionDay) {
      today = Math.min(
        u.derivCloseMs - u.derivOpenMs,
        Math.max(0, u.derivCloseMs - Math.max(t, u.derivOpenMs)),
      );
    }
    return (today + e.futureTradingMs) / TRADING_YEAR_MS;
  }

  /** ATM total variance: expected average variance over the remaining trading time, with the premium. */
  private atmTotalVariance(u: UnderlyingSim, ttrade: number): number {
    const v = Math.min(Math.max(u.variance, VARIANCE_FLOOR), VARIANCE_CAP);
    return (
      u.cfg.variancePremium *
      expectedAverageVariance(v, u.longRunVariance, u.cfg.meanReversion, ttrade) *
      ttrade
    );
  }

  private sviOf(u: UnderlyingSim, ttrade: number): SviParameters {
    const theta = Math.max(this.atmTotalVariance(u, ttrade), 1e-12);
    return ssviSlice(theta, u.cfg.smileSkew, u.cfg.smileCurvature, 0.5);
  }

  /**
   * Values `c` with `tcal` calendar and `ttrade` trading years left: the future at the forward, an option by
   * Black-76 on the smile. Leaves the inputs it used in `this.priced` (reused to avoid an allocation).
   */
  private price(u: UnderlyingSim, c: ContractSim, tcal: number, ttrade: number): number {
    const p = this.priced;
    p.forward = this.forward(u, tcal);
    p.discount = Math.exp(-this.options.riskFreeRate * tcal);
    if (c.kind === 'future') return p.forward;
    p.svi = this.sviOf(u, ttrade);
    p.logMoneyness = Math.log(c.strike / p.forward);
    p.totalVariance = ttrade > 0 ? sviTotalVariance(p.svi, p.logMoneyness) : 0;
    return black76(p.forward, c.strike, p.totalVariance, p.discount, c.isCall);
  }

  /** Reprices `c` at `t`, records the model inputs and rebuilds its book around the fair value. */
  private quote(c: ContractSim, t: number): void {
    const u = c.underlying;
    const e = c.expiry;
    const tcal = Math.max(0, (e.closeMs - t) / YEAR_MS);
    const ttrade = this.tradingYears(u, e, t);
    const fair = this.price(u, c, tcal, ttrade);
    const p = this.priced;
    if (c.kind === 'option') {
      c.quoteSvi = p.svi;
      c.quoteIv = tcal > 0 ? Math.sqrt(p.totalVariance / tcal) : 0;
      // Activity falls off with distance from the money in ATM standard deviations and with expiry rank.
      const atm = sviTotalVariance(p.svi, 0);
      const x = atm > 0 ? p.logMoneyness / Math.sqrt(atm) : 50;
      const moneyness = Math.exp(-x * x);
      const rank = Math.max(0, e.optionRank);
      c.liquidity = Math.min(1, u.cfg.liquidity * Math.max(moneyness, 0.004) * (1 + rank) ** -1.5);
    } else {
      c.liquidity = Math.min(1, u.cfg.liquidity * ([0.8, 0.12, 0.04][c.futureRank] ?? 0.02));
    }
    c.fair = fair;
    c.quoteAtMs = t;
    c.quoteForward = p.forward;
    c.quoteDiscount = p.discount;
    c.quoteTcal = tcal;
    c.quoteTtrade = ttrade;
    this.buildBook(c, fair * 100);
  }

  private buildBook(c: ContractSim, fairPaise: number): void {
    const s = c.state;
    const liq = c.liquidity;
    let spreadTicks: number;
    if (c.kind === 'future') {
      spreadTicks = (c.futureRank === 0 ? 1 : 2 + c.futureRank) + (c.rng.next() < 0.3 ? 1 : 0);
    } else {
      // Spreads widen for cheap, far and illiquid options; never below one tick.
      const relative = 0.0003 + 0.0025 * (1 - liq);
      const extra = c.rng.next() < 0.25 + 0.25 * (1 - liq) ? 1 : 0;
      spreadTicks = Math.max(1, Math.round((fairPaise * relative) / TICK)) + extra;
    }
    const upper = s.upperCircuit;
    const lower = s.lowerCircuit;
    let bid = Math.round((fairPaise - (spreadTicks * TICK) / 2) / TICK) * TICK;
    bid = Math.min(Math.max(bid, lower), upper - TICK);
    const ask = Math.min(bid + spreadTicks * TICK, upper);
    const gap = spreadTicks <= 3 ? 1 : Math.ceil(spreadTicks / 5);
    const meanLots = c.kind === 'future' ? 3 + 25 * liq : 1 + 30 * liq;
    const lotSize = c.underlying.cfg.lotSize;
    // Level sizes come from a hash of (contract, price, update count) instead of the generator: a price
    // level keeps its size while the book only shifts, the top refreshes every update, and the whole book
    // costs a few integer multiplies (it was three quarters of the model's time with a draw per field).
    const seq = s.sequenceNumber;
    let buyTotal = 0;
    let sellTotal = 0;
    for (let i = 0; i < BOOK_LEVELS; i++) {
      const b = s.bids20[i];
      const a = s.asks20[i];
      if (b === undefined || a === undefined) continue;
      const salt = Math.imul(c.index + 1, 0x9e3779b1) ^ (i < 2 ? seq : seq >>> 3);
      const scale = meanLots * (1 + 0.1 * i);
      const bidPrice = bid - i * gap * TICK;
      buyTotal +=
        bidPrice >= lower ? fillLevel(b, bidPrice, mix32(salt ^ bidPrice), scale, lotSize) : clearLevel(b);
      const askPrice = ask + i * gap * TICK;
      sellTotal +=
        askPrice <= upper
          ? fillLevel(a, askPrice, mix32(salt ^ Math.imul(askPrice, 3)), scale, lotSize)
          : clearLevel(a);
    }
    s.totalBuyQuantity = buyTotal * HIDDEN_DEPTH_FACTOR;
    s.totalSellQuantity = sellTotal * HIDDEN_DEPTH_FACTOR;
  }

  // ---- trades ----------------------------------------------------------------------------------------

  /** Books a trade: last-trade fields, volume, average price, OHLC, 52-week range and the book it hits. */
  private applyTrade(c: ContractSim, price: number, quantity: number, t: number): void {
    const s = c.state;
    s.lastTradedPrice = price;
    s.lastTradedQuantity = quantity;
    s.lastTradedTimeMs = t;
    s.volume += quantity;
    c.turnover += price * quantity;
    s.averageTradedPrice = Math.round(c.turnover / s.volume);
    if (s.open === 0) {
      s.open = price;
      s.high = price;
      s.low = price;
    } else {
      if (price > s.high) s.high = price;
      if (price < s.low) s.low = price;
    }
    if (price > s.fiftyTwoWeekHigh) s.fiftyTwoWeekHigh = price;
    if (s.fiftyTwoWeekLow > 0 && price < s.fiftyTwoWeekLow) s.fiftyTwoWeekLow = price;
    const bestAsk = s.asks20[0]?.price ?? 0;
    const bestBid = s.bids20[0]?.price ?? 0;
    if (bestAsk > 0 && price >= bestAsk) {
      s.totalSellQuantity = Math.max(
        0,
        s.totalSellQuantity - this.consume(s.asks20, quantity, (p) => p <= price),
      );
    } else if (bestBid > 0 && price <= bestBid) {
      s.totalBuyQuantity = Math.max(
        0,
        s.totalBuyQuantity - this.consume(s.bids20, quantity, (p) => p >= price),
      );
    }
  }

  /** Takes up to `quantity` from the best levels that `crosses` accepts; returns the quantity taken. */
  private consume(levels: BookLevel[], quantity: number, crosses: (price: number) => boolean): number {
    let remaining = quantity;
    while (remaining > 0) {
      const best = levels[0];
      if (best === undefined || best.quantity <= 0 || !crosses(best.price)) break;
      const take = Math.min(remaining, best.quantity);
      remaining -= take;
      if (take < best.quantity) {
        best.orders = Math.max(1, Math.ceil((best.orders * (best.quantity - take)) / best.quantity));
        best.quantity -= take;
        break;
      }
      // The level is gone: shift the book up one level and leave an empty level at the back.
      for (let i = 0; i < levels.length - 1; i++) {
        const to = levels[i];
        const from = levels[i + 1];
        if (to === undefined || from === undefined) break;
        to.price = from.price;
        to.quantity = from.quantity;
        to.orders = from.orders;
      }
      const last = levels[levels.length - 1];
      if (last !== undefined) {
        last.price = 0;
        last.quantity = 0;
        last.orders = 0;
      }
    }
    return quantity - remaining;
  }

  private markChanged(index: number): void {
    if (this.dirty[index] === 1) return;
    this.dirty[index] = 1;
    this.changed.push(index);
  }
}

/**
 * The simulator's market: index, futures and option chains of the configured underlyings, moved by a
 * seeded Heston-with-jumps model on a fixed step grid, so the same seed and the same calls give the same
 * states. States returned by `state()` are live objects updated in place; copy one to keep it.
 */
export function createMarketModel(options: MarketModelOptions): SimMarketModel {
  return new SimulatedMarket(options);
}
