/**
 * The live option chain of one underlying and expiry.
 *
 * Events update only their own contract and mark it dirty; the maths runs in `refresh()` (called by every
 * read), so a burst of ticks costs O(ticks) bookkeeping plus one recompute of the contracts they touched.
 * What every contract depends on — the forward and the time to expiry — is tracked as a valuation epoch:
 * when either moves, the next refresh re-solves every contract, warm-started from its previous IV (see
 * kernel.ts), which is what keeps that full pass near 100 µs for 400 contracts.
 *
 * Prices stay integer paise as they arrive; the maths runs in rupees (IV is scale-free, Greeks are shown
 * per ₹). Time comes only from events (their exchange time) or the caller of `refresh(nowMs)`, so a
 * replay computes exactly what the live run did.
 */

import { type CalendarSegment, istDayNumber } from '../../core/calendar/index.js';
import { IfError } from '../../core/errors.js';
import type { Instrument } from '../../core/instrument.js';
import type { MarketEvent, QuoteEvent, TickEvent } from '../../feed/events.js';
import { oiBuildUp } from '../analytics/index.js';
import { logMoneyness } from '../iv/index.js';
import { DAYS_PER_YEAR } from '../pricing/index.js';
import { ivPercentile, ivRank, type SviFit } from '../smile/index.js';
import { type ForwardSource, parityForward } from './forward.js';
import { atmIvFromSnapshotRows } from './history.js';
import {
  black76GreeksAt,
  faultReason,
  type IvUnavailable,
  type SolveStats,
  solveVolAt,
  Valuation,
} from './kernel.js';
import {
  type SmileCache,
  type SmileFitJob,
  type SummaryContext,
  smileJob,
  storeFit,
  summarise,
} from './summary.js';
import { ExpiryClock, type TimeBasis } from './timeToExpiry.js';
import {
  type ChainDelta,
  type ChainRowSnapshot,
  type ChainSideSnapshot,
  type ChainSnapshot,
  type ChainStats,
  type ChainSummary,
  DEFAULT_DIVIDEND_YIELD,
  DEFAULT_RATE,
  type IvSource,
  type OptionChainInput,
  type OptionChainOptions,
} from './types.js';

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** One basis's IV of a contract, with the inputs it was solved for so a re-read costs nothing. */
class BasisIv {
  iv: number | undefined = undefined;
  reason: IvUnavailable | undefined = 'no-price';
  /** valuation epoch, price (paise; −1 for none), forward (paise) and T of the last solve */
  epoch = -1;
  price = Number.NaN;
  forward = 0;
  years = 0;
}

/** One option contract's live state: market fields as they arrive, derived fields as last computed. */
class Side {
  readonly strikeRupees: number;
  ltp = 0;
  bid = 0;
  ask = 0;
  bidQty = 0;
  askQty = 0;
  /** units */
  volume = 0;
  oi = 0;
  hasOi = false;
  prevClose = 0;
  /** OI the day's change is measured from (units): the previous session's last, or today's first */
  oiBase: number | undefined = undefined;
  oiDay = -1;
  exchangeTimeMs = 0;

  /** ln(F/K) at the forward of valuation epoch `xEpoch` */
  x = 0;
  xEpoch = -1;
  /** IV from the mid and from the LTP; the headline basis is solved in refresh, the other on read */
  readonly byMid = new BasisIv();
  readonly byLtp = new BasisIv();
  greeksFrom: IvSource | undefined = undefined;
  // GreeksSlot, written by black76GreeksAt; meaningful only while greeksFrom is set.
  delta = 0;
  gamma = 0;
  theta = 0;
  vega = 0;
  rho = 0;
  dirty = false;
  version = 0;

  constructor(
    readonly instrument: Instrument,
    readonly strikeIndex: number,
    readonly strikePaise: number,
    readonly isCall: boolean,
  ) {
    this.strikeRupees = strikePaise / 100;
  }

  /** mid in paise, or −1 with the reason in `midReason` */
  mid(): number {
    if (this.bid > 0 && this.ask > 0) return this.bid <= this.ask ? (this.bid + this.ask) / 2 : -1;
    return -1;
  }

  midReason(): IvUnavailable {
    if (this.bid > 0 && this.ask > 0) return 'crossed';
    return this.bid > 0 || this.ask > 0 ? 'one-sided' : 'no-price';
  }
}

/** The future or the index: only its price matters to the chain. */
interface Underlier {
  readonly instrument: Instrument;
  ltp: number;
  bid: number;
  ask: number;
}

/**
 * The feed validator already drops non-finite and negative numbers; these guards keep one that slips
 * through from reaching the solver or client JSON (where NaN becomes a silent null).
 */
function isCount(value: number): boolean {
  return value >= 0 && value < Number.POSITIVE_INFINITY;
}

/** `value` when it is a finite number ≥ 0, else 0 (not Math.max, which passes NaN). */
function finiteOrZero(value: number): number {
  return isCount(value) ? value : 0;
}

function positive(name: string, value: number): number {
  if (!(value > 0 && value < Number.POSITIVE_INFINITY)) {
    throw new IfError('IF_ERR_VALIDATION', { detail: `${name} must be finite and > 0, got ${value}` });
  }
  return value;
}

/** The live chain of one underlying and expiry; see the module comment for how updates flow. */
export class OptionChain {
  readonly underlying: string;
  readonly expiry: string;
  readonly lotSize: number;
  readonly rate: number;
  readonly timeBasis: TimeBasis;
  readonly ivSource: IvSource;
  /** strikes, paise, ascending */
  readonly strikes: readonly number[];

  private readonly options: OptionChainOptions;
  private readonly calls: (Side | undefined)[];
  private readonly puts: (Side | undefined)[];
  private readonly sides: Side[] = [];
  private readonly byToken = new Map<string, Side>();
  private readonly future: Underlier | undefined;
  private readonly index: Underlier | undefined;
  private readonly clock: ExpiryClock;
  private readonly timeStepMs: number;
  private readonly parityStrikes: number;
  private readonly dividendYield: number;
  private readonly daysPerYear: number;
  private readonly preferParity: boolean;
  private readonly callMids: Float64Array;
  private readonly putMids: Float64Array;

  private dirty: Side[] = [];
  private forwardDirty = true;
  private summaryDirty = false;
  private asOf = 0;
  private valuationMs = Number.NaN;
  private readonly valuation = new Valuation();
  private years = 0;
  private forwardPaise: number | undefined = undefined;
  private source: ForwardSource | undefined = undefined;
  /** strike indices whose mids can move a parity forward; a tick elsewhere cannot */
  private parityLo = 0;
  private parityHi = -1;
  private epoch = 0;
  private current = 0;
  private readonly smileCache: SmileCache = { version: -1, fittedAtMs: Number.NEGATIVE_INFINITY };
  /** daily ATM IVs, oldest first, today excluded (see setAtmIvHistory) */
  private atmIvHistory: readonly number[] = [];
  private readonly solveStats: SolveStats = { warm: 0, warmSteps: 0, cold: 0 };
  private readonly counters = { events: 0, refreshes: 0, fullRefreshes: 0, computed: 0 };

  constructor(input: OptionChainInput, options: OptionChainOptions = {}) {
    this.underlying = input.underlying.toUpperCase();
    this.expiry = input.expiry;
    this.lotSize = positive('lotSize', input.lotSize);
    this.options = options;
    this.rate = options.rate ?? DEFAULT_RATE;
    if (!Number.isFinite(this.rate)) {
      throw new IfError('IF_ERR_VALIDATION', { detail: `rate must be finite, got ${this.rate}` });
    }
    this.timeBasis = options.timeBasis ?? 'calendar';
    this.ivSource = options.ivSource ?? 'mid';
    this.timeStepMs = positive('timeStepMs', options.timeStepMs ?? 1000);
    this.parityStrikes = Math.max(1, Math.floor(positive('parityStrikes', options.parityStrikes ?? 5)));
    this.dividendYield = options.dividendYield ?? DEFAULT_DIVIDEND_YIELD;
    if (!Number.isFinite(this.dividendYield)) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `dividendYield must be finite, got ${this.dividendYield}`,
      });
    }
    this.daysPerYear = DAYS_PER_YEAR[this.timeBasis];
    this.preferParity = options.forwardPreference === 'parity';

    const strikes = [...input.strikes].sort((a, b) => a.strikePaise - b.strikePaise);
    if (strikes.length === 0) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `${this.underlying} ${this.expiry} chain has no strikes`,
      });
    }
    this.strikes = strikes.map((s) => positive('strikePaise', s.strikePaise));
    this.calls = strikes.map((s, i) => this.addSide(s.call, i, s.strikePaise, true));
    this.puts = strikes.map((s, i) => this.addSide(s.put, i, s.strikePaise, false));
    this.callMids = new Float64Array(strikes.length);
    this.putMids = new Float64Array(strikes.length);
    const underlier = (instrument: Instrument | undefined): Underlier | undefined =>
      instrument === undefined ? undefined : { instrument, ltp: 0, bid: 0, ask: 0 };
    this.future = underlier(input.future);
    this.index = underlier(input.index);

    const first = this.sides[0]?.instrument.exchange;
    // The contracts' own segment decides whose holidays and close apply; the calendar's table is the fallback.
    const segment: CalendarSegment =
      first === 'NFO' || first === 'BFO' ? first : input.calendar.expirySegment(this.underlying);
    this.clock = new ExpiryClock(input.calendar, segment, this.expiry, this.timeBasis);
  }

  private addSide(
    instrument: Instrument | undefined,
    strikeIndex: number,
    strikePaise: number,
    isCall: boolean,
  ): Side | undefined {
    if (instrument === undefined) return undefined;
    const side = new Side(instrument, strikeIndex, strikePaise, isCall);
    this.sides.push(side);
    this.byToken.set(instrument.token, side);
    return side;
  }

  /** Every instrument the chain listens to (options, the future, the index), for subscriptions. */
  instruments(): Instrument[] {
    const list = this.sides.map((s) => s.instrument);
    if (this.future !== undefined) list.push(this.future.instrument);
    if (this.index !== undefined) list.push(this.index.instrument);
    return list;
  }

  /** Epoch ms of the expiry-day close T runs to. */
  get expiryCloseMs(): number {
    return this.clock.closeMs;
  }

  /** The chain's version: bumped by each refresh that changed anything visible. */
  get version(): number {
    this.refresh();
    return this.current;
  }

  /** Years to expiry on the chain's basis at its valuation time (after a refresh). */
  get timeYears(): number {
    this.refresh();
    return this.years;
  }

  /** The forward in paise and where it came from; undefined until some source has a price. */
  forward(): { readonly paise: number; readonly source: ForwardSource } | undefined {
    this.refresh();
    return this.forwardPaise === undefined || this.source === undefined
      ? undefined
      : { paise: this.forwardPaise, source: this.source };
  }

  /** Index level, paise; undefined before the index has ticked or without an index. */
  spot(): number | undefined {
    const s = this.index?.ltp ?? 0;
    return s > 0 ? s : undefined;
  }

  /** Latest exchange time seen, epoch ms (0 before any event). */
  get asOfMs(): number {
    return this.asOf;
  }

  /** Event, refresh and solve counters (a copy). */
  get stats(): ChainStats {
    return {
      ...this.counters,
      warmSolves: this.solveStats.warm,
      warmSteps: this.solveStats.warmSteps,
      coldSolves: this.solveStats.cold,
    };
  }

  /** True for a token this chain listens to (an option of the chain, its future or its index). */
  has(exchangeType: number, token: string): boolean {
    return this.match(exchangeType, token) !== undefined;
  }

  private match(exchangeType: number, token: string): Side | Underlier | undefined {
    const side = this.byToken.get(token);
    if (side !== undefined && side.instrument.exchangeType === exchangeType) return side;
    const f = this.future;
    if (f !== undefined && f.instrument.token === token && f.instrument.exchangeType === exchangeType)
      return f;
    const i = this.index;
    if (i !== undefined && i.instrument.token === token && i.instrument.exchangeType === exchangeType)
      return i;
    return undefined;
  }

  /** Applies a tick or quote (depth is ignored); false when the event is not for this chain. */
  onEvent(event: MarketEvent): boolean {
    if (event.type === 'tick') return this.onTick(event);
    if (event.type === 'quote') return this.onQuote(event);
    return false;
  }

  /** Last trade, day volume and OI of one contract; false when the token is not in this chain. */
  onTick(event: TickEvent): boolean {
    const target = this.match(event.exchangeType, event.token);
    if (target === undefined) return false;
    this.touch(event.exchangeTimeMs);
    if (target instanceof Side) {
      this.applyTrade(target, event.lastPrice, event.volume, event.openInterest, event.exchangeTimeMs);
    } else {
      this.applyUnderlier(target, event.lastPrice, target.bid, target.ask);
    }
    return true;
  }

  /** Top of book, LTP, totals and previous close of one contract; false when not in this chain. */
  onQuote(event: QuoteEvent): boolean {
    const target = this.match(event.exchangeType, event.token);
    if (target === undefined) return false;
    this.touch(event.exchangeTimeMs);
    if (target instanceof Side) {
      const oldMid = target.mid();
      target.bid = finiteOrZero(event.bidPrice);
      target.ask = finiteOrZero(event.askPrice);
      target.bidQty = finiteOrZero(event.bidQuantity);
      target.askQty = finiteOrZero(event.askQuantity);
      if (event.previousClose > 0 && isCount(event.previousClose)) target.prevClose = event.previousClose;
      this.applyTrade(target, event.lastPrice, event.volume, event.openInterest, event.exchangeTimeMs);
      if (target.mid() !== oldMid) this.midMoved(target);
    } else {
      this.applyUnderlier(target, event.lastPrice, event.bidPrice, event.askPrice);
    }
    return true;
  }

  /**
   * Sets the OI (units) the day's OI change is measured from, e.g. the previous close's OI from a REST
   * quote. Without it the chain uses the previous session's last OI it saw, else the day's first.
   */
  setPreviousOpenInterest(token: string, units: number): void {
    const side = this.byToken.get(token);
    if (side === undefined || !(units >= 0 && units < Number.POSITIVE_INFINITY)) return;
    side.oiBase = units;
    if (side.oiDay < 0 && this.asOf > 0) side.oiDay = istDayNumber(this.asOf);
    this.markDirty(side);
  }

  private touch(exchangeTimeMs: number): void {
    this.counters.events++;
    if (exchangeTimeMs > this.asOf) this.asOf = exchangeTimeMs;
  }

  private applyTrade(
    side: Side,
    lastPrice: number,
    volume: number,
    openInterest: number | undefined,
    exchangeTimeMs: number,
  ): void {
    // A NaN must never reach the solver; finiteOrZero keeps it out (0 is "not traded" anyway).
    side.ltp = finiteOrZero(lastPrice);
    if (isCount(volume)) side.volume = volume;
    if (exchangeTimeMs > side.exchangeTimeMs) side.exchangeTimeMs = exchangeTimeMs;
    if (openInterest !== undefined && isCount(openInterest)) {
      const day = istDayNumber(exchangeTimeMs);
      if (day !== side.oiDay) {
        // A new session: yesterday's last OI is today's base; with none, today's first OI is.
        if (side.oiDay >= 0 && side.hasOi) side.oiBase = side.oi;
        else if (side.oiBase === undefined) side.oiBase = openInterest;
        side.oiDay = day;
      }
      side.oi = openInterest;
      side.hasOi = true;
    }
    this.markDirty(side);
  }

  private applyUnderlier(target: Underlier, lastPrice: number, bid: number, ask: number): void {
    const before = this.underlierPrice(target);
    if (lastPrice > 0 && isCount(lastPrice)) target.ltp = lastPrice;
    target.bid = finiteOrZero(bid);
    target.ask = finiteOrZero(ask);
    if (this.underlierPrice(target) === before) return;
    // The future sets the forward unless parity is preferred and working; the index only as a last resort.
    const matters =
      target === this.future
        ? !(this.preferParity && this.source === 'parity')
        : this.source === 'spot-carry' || this.source === undefined;
    if (matters) this.forwardDirty = true;
    this.summaryDirty = true;
  }

  /** A future's or index's price: its mid with a two-sided book, else its LTP; 0 for none. */
  private underlierPrice(u: Underlier): number {
    return u.bid > 0 && u.ask >= u.bid ? (u.bid + u.ask) / 2 : u.ltp;
  }

  private midMoved(side: Side): void {
    if (this.forwardDirty) return;
    // A priced future alone sets the forward unless parity is preferred (and may now be possible).
    if (this.source === 'future' && !this.preferParity) return;
    // Parity reads only the strikes around the money; a far strike's quote cannot move it.
    if (this.source === 'parity' && (side.strikeIndex < this.parityLo || side.strikeIndex > this.parityHi))
      return;
    this.forwardDirty = true;
  }

  private markDirty(side: Side): void {
    if (side.dirty) return;
    side.dirty = true;
    this.dirty.push(side);
  }

  /**
   * Brings every derived number up to date: T at the latest event time (or `nowMs` when later), the
   * forward if its inputs moved, then the IVs and Greeks of the contracts that need them — all of them
   * when the forward or T moved, else only those touched since the last refresh. Cheap when nothing
   * changed; every read calls it.
   */
  refresh(nowMs?: number): void {
    if (nowMs !== undefined && nowMs > this.asOf) this.asOf = nowMs;
    const valuation = this.asOf - (this.asOf % this.timeStepMs);
    let moved = false;
    if (valuation !== this.valuationMs && this.asOf > 0) {
      this.valuationMs = valuation;
      const years = this.clock.yearsAt(valuation);
      if (years !== this.years) {
        this.years = years;
        moved = true;
        // A parity or carry forward discounts with T; only a future's price stands alone.
        if (this.source !== 'future') this.forwardDirty = true;
      }
    }
    if (this.forwardDirty && this.asOf > 0) {
      this.forwardDirty = false;
      const before = this.forwardPaise;
      this.computeForward();
      if (this.forwardPaise !== before) moved = true;
    }
    if (!moved && this.dirty.length === 0 && !this.summaryDirty) return;
    this.counters.refreshes++;
    const next = this.current + 1;
    if (moved) {
      this.epoch++;
      this.valuation.set((this.forwardPaise ?? 0) / 100, this.years, this.rate);
      this.counters.fullRefreshes++;
      for (const side of this.sides) {
        this.compute(side);
        side.version = next;
        side.dirty = false;
      }
    } else {
      for (const side of this.dirty) {
        this.compute(side);
        side.version = next;
        side.dirty = false;
      }
    }
    this.dirty = [];
    this.summaryDirty = false;
    this.current = next;
  }

  private computeForward(): void {
    const discount = Math.exp(-this.rate * Math.max(this.years, 0));
    const preferParity = this.preferParity;
    const futurePrice = this.future === undefined ? 0 : this.underlierPrice(this.future);
    if (!preferParity && futurePrice > 0) {
      this.setForward(futurePrice, 'future');
      return;
    }
    if (this.parity(discount)) return;
    if (futurePrice > 0) {
      this.setForward(futurePrice, 'future');
      return;
    }
    const spot = this.index === undefined ? 0 : this.underlierPrice(this.index);
    if (spot > 0) {
      this.setForward(
        spot * Math.exp((this.rate - this.dividendYield) * Math.max(this.years, 0)),
        'spot-carry',
      );
      return;
    }
    this.forwardPaise = undefined;
    this.source = undefined;
  }

  private setForward(paise: number, source: ForwardSource): void {
    this.forwardPaise = paise;
    this.source = source;
  }

  /** Parity forward from the mids (LTPs when no strike has both mids); false when neither works. */
  private parity(discount: number): boolean {
    for (const useMid of [true, false]) {
      for (let i = 0; i < this.strikes.length; i++) {
        this.callMids[i] = this.parityPrice(this.calls[i], useMid);
        this.putMids[i] = this.parityPrice(this.puts[i], useMid);
      }
      const result = parityForward(this.strikes, this.callMids, this.putMids, discount, this.parityStrikes);
      if (result !== undefined) {
        this.setForward(result.forward, 'parity');
        // One strike of margin each side: a quote there can make it one of the nearest next time.
        this.parityLo = result.first - 1;
        this.parityHi = result.last + 1;
        return true;
      }
    }
    return false;
  }

  private parityPrice(side: Side | undefined, useMid: boolean): number {
    if (side === undefined) return 0;
    if (useMid) return Math.max(side.mid(), 0);
    return side.ltp;
  }

  /**
   * The headline IV and the Greeks of one contract at the current forward and T. The other basis's IV
   * is solved here only when the Greeks need it (no headline IV); otherwise on read, which keeps a
   * full refresh to one solve per contract.
   */
  private compute(side: Side): void {
    this.counters.computed++;
    const primary = this.solve(side, this.ivSource);
    let from: IvSource | undefined;
    let vol = 0;
    if (primary.iv !== undefined && primary.iv > 0) {
      from = this.ivSource;
      vol = primary.iv;
    } else {
      // Greeks at the other basis's IV, so an illiquid strike (no book, or no trade) still has a gamma.
      const other = this.ivSource === 'mid' ? 'ltp' : 'mid';
      const secondary = this.solve(side, other);
      if (secondary.iv !== undefined && secondary.iv > 0) {
        from = other;
        vol = secondary.iv;
      }
    }
    side.greeksFrom = from;
    if (from === undefined) return;
    const slot = from === 'mid' ? side.byMid : side.byLtp;
    black76GreeksAt(
      side,
      this.valuation,
      this.logMoneyness(side),
      vol,
      side.isCall,
      slot.price / 100,
      this.daysPerYear,
    );
  }

  /** ln(F/K) of `side` at the current forward, computed once per valuation epoch. */
  private logMoneyness(side: Side): number {
    if (side.xEpoch !== this.epoch) {
      side.xEpoch = this.epoch;
      side.x = logMoneyness(this.valuation.forward, side.strikeRupees);
    }
    return side.x;
  }

  /** The IV of `side` on `basis` at the current forward and T; solved only if its inputs changed. */
  private solve(side: Side, basis: IvSource): BasisIv {
    const slot = basis === 'mid' ? side.byMid : side.byLtp;
    const price = basis === 'mid' ? side.mid() : side.ltp > 0 ? side.ltp : -1;
    if (slot.epoch === this.epoch && slot.price === price) return slot;
    slot.epoch = this.epoch;
    const previousPrice = slot.price;
    slot.price = price;
    if (price < 0) {
      slot.iv = undefined;
      slot.reason = basis === 'mid' ? side.midReason() : 'no-price';
      return slot;
    }
    if (this.forwardPaise === undefined || !(this.years > 0)) {
      slot.iv = undefined;
      slot.reason = this.forwardPaise === undefined ? 'no-forward' : 'expired';
      return slot;
    }
    let guess = slot.iv ?? 0;
    if (guess > 0 && side.greeksFrom !== undefined && side.vega > 0) {
      // Holding V at the new price: ΔP = Δ·ΔF + vega·Δσ − θ·ΔT, so Δσ ≈ (ΔP − Δ·ΔF + θ·ΔT)/vega, with the
      // contract's last Greeks as the slopes. A tick of the forward moves an ATM weekly IV by ~2e-4
      // relative; the prediction leaves ~1e-8, which one Halley step takes to rounding, where the old IV
      // needs two. Deep in the money, where the time value is a few paise, the linear guess can be far
      // off; the range check drops it there.
      const dPrice = (price - previousPrice) / 100;
      const dForward = (this.forwardPaise - slot.forward) / 100;
      const thetaPerYear = side.theta * this.daysPerYear;
      const predicted =
        guess +
        (dPrice - side.delta * dForward + thetaPerYear * (this.years - slot.years)) / (side.vega * 100);
      if (predicted > 0.5 * guess && predicted < 2 * guess) guess = predicted;
    }
    slot.forward = this.forwardPaise;
    slot.years = this.years;
    const vol = solveVolAt(
      this.valuation,
      price / 100,
      side.strikeRupees,
      this.logMoneyness(side),
      side.isCall,
      guess,
      this.solveStats,
    );
    slot.iv = vol >= 0 ? vol : undefined;
    slot.reason = vol >= 0 ? undefined : faultReason(vol);
    return slot;
  }

  /** The rows for clients, refreshed first; see ChainSideSnapshot for units. */
  snapshot(): ChainSnapshot {
    this.refresh();
    const rows = this.strikes.map((_, i) => this.row(i));
    return { summary: this.summary(rows), rows };
  }

  /**
   * Rows changed after version `from` (exclusive) and the summary as of now, for streaming. A `from` of
   * 0 or below, or above the current version (a client of an earlier chain instance), gets every row.
   */
  deltaSince(from: number): ChainDelta {
    this.refresh();
    const full = from <= 0 || from > this.current;
    const all = this.strikes.map((_, i) => this.row(i));
    const rows = full ? all : all.filter((r) => r.version > from);
    return { from, version: this.current, full, rows, summary: this.summary(all) };
  }

  /**
   * The SVI fit of the current rows, as a job for a worker (see SmileFitMode); a string says why there is
   * none (no forward, expired, fewer than 5 clean strikes).
   */
  smileFitJob(): SmileFitJob | string {
    this.refresh();
    return smileJob(
      this.strikes.map((_, i) => this.row(i)),
      this.context(),
    );
  }

  /** Installs a fit of `job` made elsewhere; ignored when a fit of later data is already installed. */
  acceptSmileFit(job: SmileFitJob, fit: SviFit): void {
    storeFit(this.smileCache, job, fit);
  }

  /**
   * Sets the daily ATM-IV history (annualised, one per day, oldest first, today excluded; e.g. from
   * loadAtmIvHistory) that the summary's ivRank and ivPercentile compare today's ATM IV against.
   * An empty array clears it. Rejects non-finite or non-positive values with IF_ERR_VALIDATION.
   */
  setAtmIvHistory(values: readonly number[]): void {
    for (const v of values) {
      if (!(v > 0 && v < Number.POSITIVE_INFINITY)) {
        throw new IfError('IF_ERR_VALIDATION', {
          detail: `${this.underlying} ${this.expiry} ATM IV history must be finite and > 0, got ${v}`,
        });
      }
    }
    this.atmIvHistory = [...values];
  }

  private summary(rows: readonly ChainRowSnapshot[]): ChainSummary {
    const summary = summarise(rows, this.context());
    if (this.atmIvHistory.length === 0) return summary;
    const atmIv = atmIvFromSnapshotRows(rows, this.forwardPaise);
    if (atmIv === undefined) return summary;
    const rank = ivRank(this.atmIvHistory, atmIv);
    const percentile = ivPercentile(this.atmIvHistory, atmIv);
    return {
      ...summary,
      ...(rank === undefined ? {} : { ivRank: rank }),
      ...(percentile === undefined ? {} : { ivPercentile: percentile }),
    };
  }

  private context(): SummaryContext {
    return {
      underlying: this.underlying,
      expiry: this.expiry,
      asOfMs: this.asOf,
      valuationMs: Number.isNaN(this.valuationMs) ? 0 : this.valuationMs,
      timeYears: this.years,
      timeBasis: this.timeBasis,
      rate: this.rate,
      ivSource: this.ivSource,
      lotSize: this.lotSize,
      spot: this.spot(),
      forward: this.forwardPaise,
      forwardSource: this.source,
      version: this.current,
      gexConvention: this.options.gexConvention,
      buildUpDeadBand: this.options.buildUpDeadBand,
      smileRefitMs: this.options.smileRefitMs ?? 5000,
      smileFit: this.options.smileFit ?? 'inline',
      smileCache: this.smileCache,
    };
  }

  private row(i: number): ChainRowSnapshot {
    const call = this.calls[i];
    const put = this.puts[i];
    const strike = this.strikes[i] ?? 0;
    const version = Math.max(call?.version ?? 0, put?.version ?? 0);
    return {
      strike,
      ...(call === undefined ? {} : { call: this.sideSnapshot(call) }),
      ...(put === undefined ? {} : { put: this.sideSnapshot(put) }),
      version,
    };
  }

  private sideSnapshot(side: Side): ChainSideSnapshot {
    const lot = this.lotSize;
    const oiBase = side.oiBase;
    const oiChange = side.hasOi && oiBase !== undefined ? (side.oi - oiBase) / lot : 0;
    const out: Writable<ChainSideSnapshot> = {
      token: side.instrument.token,
      symbol: side.instrument.symbol,
      ltp: side.ltp,
      bid: side.bid,
      ask: side.ask,
      bidQty: side.bidQty,
      askQty: side.askQty,
      volume: side.volume / lot,
      oi: side.oi / lot,
      oiChange,
      exchangeTimeMs: side.exchangeTimeMs,
      version: side.version,
    };
    if (side.prevClose > 0) {
      out.prevClose = side.prevClose;
      if (side.ltp > 0) {
        out.change = side.ltp - side.prevClose;
        out.buildUp = oiBuildUp(out.change, oiChange, this.options.buildUpDeadBand);
      }
    }
    const byMid = this.solve(side, 'mid');
    const byLtp = this.solve(side, 'ltp');
    const headline = this.ivSource === 'mid' ? byMid : byLtp;
    if (headline.iv !== undefined) out.iv = headline.iv;
    if (headline.reason !== undefined) out.ivReason = headline.reason;
    if (byMid.iv !== undefined) out.ivMid = byMid.iv;
    if (byMid.reason !== undefined) out.ivMidReason = byMid.reason;
    if (byLtp.iv !== undefined) out.ivLtp = byLtp.iv;
    if (byLtp.reason !== undefined) out.ivLtpReason = byLtp.reason;
    if (side.greeksFrom !== undefined) {
      out.greeksFrom = side.greeksFrom;
      out.delta = side.delta;
      out.gamma = side.gamma;
      out.theta = side.theta;
      out.vega = side.vega;
      out.rho = side.rho;
      out.lot = {
        delta: side.delta * lot,
        gamma: side.gamma * lot,
        theta: side.theta * lot,
        vega: side.vega * lot,
        rho: side.rho * lot,
      };
    }
    return out;
  }
}
