import type { CalendarSegment, MarketCalendar, SessionBounds } from '../../core/calendar/index.js';
import { dateKeyFromDays, istDayNumber } from '../../core/calendar/index.js';
import { IfError } from '../../core/errors.js';
import type { ExchangeSegment } from '../../core/instrument.js';
import type { TickEvent } from '../events.js';
import {
  bucketEndMs,
  bucketStartMs,
  CANDLE_INTERVALS,
  type CandleInterval,
  INTERVAL_MS,
  normaliseIntervals,
} from './intervals.js';

/** One OHLCV + OI candle of one instrument. Prices are paise, times epoch ms (exchange time). */
export interface Candle {
  readonly token: string;
  readonly interval: CandleInterval;
  /** bucket start, aligned to the session open */
  readonly startMs: number;
  /** bucket end, exclusive; shorter than the interval only for the bucket cut by the session close */
  readonly endMs: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** units traded in the bucket, from deltas of the cumulative day volume (never negative) */
  readonly volume: number;
  /** OI as of the bucket's last tick; carried from earlier ticks; undefined if the feed never sent OI */
  readonly openInterest: number | undefined;
  /** OI as of the bucket's first tick (same carrying rule) */
  readonly openInterestOpen: number | undefined;
  /** priced ticks applied to the bucket (feed packets, not exchange trades) */
  readonly trades: number;
  /** true once the candle can no longer change */
  readonly closed: boolean;
  /**
   * true when buckets of this interval between the previous candle of the day (or the session open) and
   * this one have no candle: a quiet contract and a dropped feed look alike here, the pipeline's data
   * quality says which
   */
  readonly gapBefore: boolean;
}

export interface CandleBuilderOptions {
  calendar: MarketCalendar;
  /** intervals to build; default all five. Emission order is finest first whatever the order given. */
  intervals?: readonly CandleInterval[];
  /**
   * receives every closed candle, synchronously, after the builder's state is updated; it must not call
   * back into the builder (hand the candle to a queue or the bus)
   */
  onClosed: (candle: Candle) => void;
  /** receives forming candles that changed since the previous `onClock`, at most one per token and interval */
  onForming?: (candle: Candle) => void;
  /** intervals whose forming candles go to `onForming`; default all built intervals */
  formingIntervals?: readonly CandleInterval[];
  /**
   * `onClock` closes a bucket only this many ms after its end (default 1000). Exchange stamps trail the
   * engine clock by network and exchange latency; closing exactly at the end would drop ticks in flight.
   */
  clockLagMs?: number;
  /**
   * A day's first priced tick, when no pre-open tick was seen, counts its cumulative volume from 0 only if
   * it is within this many ms of the open (default 60000). Later, the builder has joined mid-session and
   * cannot know how the day's volume so far was spread, so that volume becomes the baseline instead of
   * one fake spike.
   */
  openingGraceMs?: number;
}

/** Counters for metrics and tests; every ignored tick lands in exactly one of the `ignored*` fields. */
export interface CandleBuilderStats {
  ticks: number;
  /** ticks that set prices in the open candles */
  applied: number;
  /** in-session ticks with lastPrice 0 (not traded): they update OI only */
  noPrice: number;
  /** older than a closed or current bucket of the token: never reopen a candle */
  ignoredLate: number;
  /** pre-open or at/after the close of a trading day */
  ignoredOutsideSession: number;
  /** weekends and holidays of the tick's exchange */
  ignoredNonTradingDay: number;
  /** exchanges without a session calendar (MCX, CDS, NCDEX) */
  ignoredUnsupportedExchange: number;
  /** priced in-session ticks whose cumulative volume was below the day's high-water mark */
  volumeBackwards: number;
  closedByTick: number;
  closedByClock: number;
  /** exceptions thrown by onClosed/onForming (caught so one bad sink cannot lose other candles) */
  sinkErrors: number;
}

const DEFAULT_CLOCK_LAG_MS = 1_000;
const DEFAULT_OPENING_GRACE_MS = 60_000;

/** No volume baseline yet for the token's day. */
const NO_MARK = -1;

function isCalendarSegment(exchange: ExchangeSegment): exchange is CalendarSegment {
  return exchange === 'NSE' || exchange === 'NFO' || exchange === 'BSE' || exchange === 'BFO';
}

/** The forming candle of one token and interval; mutated in place so a tick allocates nothing. */
class Slot {
  open = false;
  /** in the interval's clock-scan list */
  listed = false;
  /** in the forming-update list */
  dirty = false;
  startMs = 0;
  endMs = 0;
  /** end of the previous candle of the day, or the session open: detects skipped buckets */
  prevEndMs = 0;
  gapBefore = false;
  openPrice = 0;
  /** exchange time of the tick that set `openPrice`, so a reordered earlier tick can take its place */
  openTimeMs = 0;
  high = 0;
  low = 0;
  close = 0;
  volume = 0;
  trades = 0;
  oiOpen: number | undefined = undefined;
  oi: number | undefined = undefined;

  constructor(
    readonly owner: TokenState,
    readonly intervalIndex: number,
    readonly interval: CandleInterval,
  ) {}
}

class TokenState {
  /** IST day number the volume baseline and gap tracking belong to */
  day = Number.NaN;
  /** session of `day`; NaN when the day has none, which makes every in-session test false */
  openMs = Number.NaN;
  closeMs = Number.NaN;
  /** ticks before this are late: the max of closed candles' ends and open candles' starts */
  floorMs = Number.NEGATIVE_INFINITY;
  /** latest exchange time applied; only a tick at or after it moves `close` */
  lastTimeMs = Number.NEGATIVE_INFINITY;
  /** the day's cumulative-volume high-water mark, NO_MARK before the baseline is known */
  volumeMark = NO_MARK;
  oi: number | undefined = undefined;
  readonly slots: Slot[];

  constructor(
    readonly token: string,
    public exchange: ExchangeSegment,
    intervals: readonly CandleInterval[],
  ) {
    this.slots = intervals.map((interval, i) => new Slot(this, i, interval));
  }
}

/**
 * Streaming OHLCV + OI candles per instrument at 1s/1m/3m/5m/15m, aligned to the IST session open and cut
 * at the close, from exchange time so a replay yields the same candles. O(intervals) per tick, no
 * allocation unless a candle closes.
 *
 * Rules (each chosen so live and replay agree and nothing is invented):
 * - Only ticks inside [open, close) of a trading day of the tick's exchange build candles; others are
 *   counted and ignored. A day with no ticks in a bucket has no candle there (no fabricated flat bars after
 *   a reconnect gap); the next candle says `gapBefore`.
 * - A candle closes when a tick (any tick, even one ignored for being after the close or on a later day)
 *   shows time has passed its end, or when `onClock` passes end + `clockLagMs`. The last bucket ends at the
 *   session close, so by close + lag every candle of the day is closed.
 * - A tick older than the token's floor (a closed bucket, or before the current bucket of any interval) is
 *   late: counted and dropped, so closed candles never change and every interval sees the same ticks.
 *   Reordering within the current buckets is absorbed: open/close follow exchange time, not arrival.
 * - Volume is the rise of the cumulative day volume over the day's high-water mark. A volume below the mark
 *   (a stale packet, an LTP-only packet, a feed restart) adds nothing and leaves the mark; the volume is
 *   attributed once the feed climbs past the mark again. Resetting the mark instead would count the same
 *   units twice after a reordered packet. Hence a day's candle volumes sum to the last mark minus the
 *   baseline. The baseline is the last pre-open tick's volume (pre-open volume is not the session's);
 *   without one, see `openingGraceMs`.
 * - lastPrice 0 means "not traded": such ticks set no price, add no volume (it goes to the next priced
 *   tick) and only refresh the carried OI.
 */
export class CandleBuilder {
  private readonly calendar: MarketCalendar;
  private readonly intervals: readonly CandleInterval[];
  private readonly intervalMs: readonly number[];
  private readonly onClosed: (candle: Candle) => void;
  private readonly onForming: ((candle: Candle) => void) | undefined;
  private readonly formingEnabled: readonly boolean[];
  private readonly clockLagMs: number;
  private readonly openingGraceMs: number;
  private readonly tokens = new Map<string, TokenState>();
  /** per interval: slots with an open candle (maybe stale entries, dropped on scan) */
  private readonly openLists: Slot[][];
  /** per interval: a lower bound of the listed slots' ends, so most `onClock` calls do nothing */
  private readonly minEndMs: number[];
  private readonly dirty: Slot[] = [];
  /** closed candles of the current call, published after all state is updated */
  private readonly pending: Candle[] = [];
  private readonly sessionCache = new Map<CalendarSegment, Map<number, SessionBounds | null>>();
  private readonly counters: CandleBuilderStats = {
    ticks: 0,
    applied: 0,
    noPrice: 0,
    ignoredLate: 0,
    ignoredOutsideSession: 0,
    ignoredNonTradingDay: 0,
    ignoredUnsupportedExchange: 0,
    volumeBackwards: 0,
    closedByTick: 0,
    closedByClock: 0,
    sinkErrors: 0,
  };

  constructor(options: CandleBuilderOptions) {
    this.calendar = options.calendar;
    this.intervals = normaliseIntervals(options.intervals ?? CANDLE_INTERVALS);
    this.intervalMs = this.intervals.map((interval) => INTERVAL_MS[interval]);
    this.onClosed = options.onClosed;
    this.onForming = options.onForming;
    const forming = options.formingIntervals ?? this.intervals;
    for (const interval of forming) {
      if (!this.intervals.includes(interval)) {
        throw new IfError('IF_ERR_VALIDATION', {
          detail: `forming interval "${interval}" is not among the built intervals`,
        });
      }
    }
    this.formingEnabled = this.intervals.map((interval) => forming.includes(interval));
    this.clockLagMs = nonNegative('clockLagMs', options.clockLagMs ?? DEFAULT_CLOCK_LAG_MS);
    this.openingGraceMs = nonNegative('openingGraceMs', options.openingGraceMs ?? DEFAULT_OPENING_GRACE_MS);
    this.openLists = this.intervals.map(() => []);
    this.minEndMs = this.intervals.map(() => Number.POSITIVE_INFINITY);
  }

  /** The built intervals, finest first. */
  get builtIntervals(): readonly CandleInterval[] {
    return this.intervals;
  }

  /** Feeds one accepted tick of an instrument on `exchange` (its `Instrument.exchange`). */
  onTick(tick: TickEvent, exchange: ExchangeSegment): void {
    this.counters.ticks++;
    let st = this.tokens.get(tick.token);
    if (st === undefined) {
      st = new TokenState(tick.token, exchange, this.intervals);
      this.tokens.set(tick.token, st);
    } else if (st.exchange !== exchange) {
      // A token's segment never changes in practice; if it does, its sessions must be looked up again.
      st.exchange = exchange;
      st.day = Number.NaN;
      st.openMs = Number.NaN;
      st.closeMs = Number.NaN;
    }
    const t = tick.exchangeTimeMs;
    if (t < st.floorMs) {
      this.counters.ignoredLate++;
      return;
    }
    const slots = st.slots;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      if (slot?.open && t >= slot.endMs) {
        this.closeSlot(slot);
        this.counters.closedByTick++;
      }
    }
    if (!(t >= st.openMs && t < st.closeMs)) {
      const day = istDayNumber(t);
      if (day !== st.day) this.enterDay(st, day);
      if (!(t >= st.openMs && t < st.closeMs)) {
        this.ignoreOutsideSession(st, tick, exchange);
        this.publish();
        return;
      }
    }

    const oi = tick.openInterest;
    if (oi !== undefined) st.oi = oi;
    const price = tick.lastPrice;
    if (!(price > 0)) {
      this.counters.noPrice++;
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i];
        if (slot?.open && slot.oi !== st.oi) {
          slot.oi = st.oi;
          this.markDirty(slot);
        }
      }
      this.publish();
      return;
    }

    const volume = tick.volume;
    if (st.volumeMark === NO_MARK) st.volumeMark = t - st.openMs < this.openingGraceMs ? 0 : volume;
    let delta = 0;
    if (volume > st.volumeMark) {
      delta = volume - st.volumeMark;
      st.volumeMark = volume;
    } else if (volume < st.volumeMark) {
      this.counters.volumeBackwards++;
    }
    const isLatest = t >= st.lastTimeMs;
    if (isLatest) st.lastTimeMs = t;
    this.counters.applied++;

    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      if (slot === undefined) continue;
      if (!slot.open) {
        this.openSlot(st, slot, t, price, delta);
        continue;
      }
      // After the closing loop every open bucket holds t (its start ≤ floor ≤ t < its end).
      if (price > slot.high) slot.high = price;
      if (price < slot.low) slot.low = price;
      if (isLatest) slot.close = price;
      if (t < slot.openTimeMs) {
        slot.openPrice = price;
        slot.openTimeMs = t;
      }
      slot.volume += delta;
      slot.trades++;
      slot.oi = st.oi;
      this.markDirty(slot);
    }
    this.publish();
  }

  /**
   * Closes every candle whose end + `clockLagMs` is at or before `nowMs` (engine clock), so a quiet
   * contract's last candle and every candle at the session close still close; then sends forming updates.
   * Call it periodically (e.g. every 250 ms); in a replay, from the simulated clock.
   */
  onClock(nowMs: number): void {
    const limit = nowMs - this.clockLagMs;
    for (let k = 0; k < this.openLists.length; k++) {
      const minEnd = this.minEndMs[k] ?? Number.POSITIVE_INFINITY;
      if (limit < minEnd) continue;
      const list = this.openLists[k];
      if (list === undefined) continue;
      let kept = 0;
      let nextMin = Number.POSITIVE_INFINITY;
      for (let i = 0; i < list.length; i++) {
        const slot = list[i];
        if (slot === undefined) continue;
        if (slot.open && slot.endMs <= limit) {
          this.closeSlot(slot);
          this.counters.closedByClock++;
        }
        if (!slot.open) {
          slot.listed = false;
          continue;
        }
        list[kept++] = slot;
        if (slot.endMs < nextMin) nextMin = slot.endMs;
      }
      list.length = kept;
      this.minEndMs[k] = nextMin;
    }
    this.publish();
    this.flushForming();
  }

  /** Snapshot of the forming candle of `token` at `interval`, or undefined when none is open. */
  current(token: string, interval: CandleInterval): Candle | undefined {
    const k = this.intervals.indexOf(interval);
    const slot = k < 0 ? undefined : this.tokens.get(token)?.slots[k];
    return slot?.open === true ? this.snapshot(slot, false) : undefined;
  }

  /** Forgets a token (unsubscribed) without emitting its forming candles. */
  removeToken(token: string): void {
    const st = this.tokens.get(token);
    if (st === undefined) return;
    // Scan and forming lists skip slots that are not open, so clearing the flag is enough to unlink them.
    for (const slot of st.slots) slot.open = false;
    this.tokens.delete(token);
  }

  /** A copy of the counters. */
  stats(): CandleBuilderStats {
    return { ...this.counters };
  }

  private ignoreOutsideSession(st: TokenState, tick: TickEvent, exchange: ExchangeSegment): void {
    if (!isCalendarSegment(exchange)) {
      this.counters.ignoredUnsupportedExchange++;
      return;
    }
    if (Number.isNaN(st.openMs)) {
      this.counters.ignoredNonTradingDay++;
      return;
    }
    this.counters.ignoredOutsideSession++;
    // Pre-open volume (equity and futures call auctions) is not the session's: it becomes the baseline.
    if (tick.volume > st.volumeMark) st.volumeMark = tick.volume;
  }

  private enterDay(st: TokenState, day: number): void {
    st.day = day;
    st.volumeMark = NO_MARK;
    const bounds = this.sessionOf(st.exchange, day);
    st.openMs = bounds === undefined ? Number.NaN : bounds.openMs;
    st.closeMs = bounds === undefined ? Number.NaN : bounds.closeMs;
    for (const slot of st.slots) slot.prevEndMs = st.openMs;
  }

  /** Session bounds, read from the calendar once per exchange and day (a same-day holiday change is not seen). */
  private sessionOf(exchange: ExchangeSegment, day: number): SessionBounds | undefined {
    if (!isCalendarSegment(exchange)) return undefined;
    let byDay = this.sessionCache.get(exchange);
    if (byDay === undefined) {
      byDay = new Map();
      this.sessionCache.set(exchange, byDay);
    }
    let bounds = byDay.get(day);
    if (bounds === undefined) {
      bounds = this.calendar.sessionBounds(exchange, dateKeyFromDays(day)) ?? null;
      byDay.set(day, bounds);
    }
    return bounds ?? undefined;
  }

  private openSlot(st: TokenState, slot: Slot, t: number, price: number, volume: number): void {
    const k = slot.intervalIndex;
    const ms = this.intervalMs[k] ?? 0;
    const start = bucketStartMs(t, st.openMs, ms);
    slot.open = true;
    slot.startMs = start;
    slot.endMs = bucketEndMs(start, ms, st.closeMs);
    slot.gapBefore = start > slot.prevEndMs;
    slot.openPrice = price;
    slot.openTimeMs = t;
    slot.high = price;
    slot.low = price;
    slot.close = price;
    slot.volume = volume;
    slot.trades = 1;
    slot.oiOpen = st.oi;
    slot.oi = st.oi;
    if (start > st.floorMs) st.floorMs = start;
    if (!slot.listed) {
      slot.listed = true;
      this.openLists[k]?.push(slot);
    }
    if (slot.endMs < (this.minEndMs[k] ?? Number.POSITIVE_INFINITY)) this.minEndMs[k] = slot.endMs;
    this.markDirty(slot);
  }

  private closeSlot(slot: Slot): void {
    slot.open = false;
    slot.prevEndMs = slot.endMs;
    const st = slot.owner;
    if (slot.endMs > st.floorMs) st.floorMs = slot.endMs;
    this.pending.push(this.snapshot(slot, true));
  }

  private markDirty(slot: Slot): void {
    if (this.onForming === undefined || slot.dirty || this.formingEnabled[slot.intervalIndex] !== true)
      return;
    slot.dirty = true;
    this.dirty.push(slot);
  }

  private snapshot(slot: Slot, closed: boolean): Candle {
    return {
      token: slot.owner.token,
      interval: slot.interval,
      startMs: slot.startMs,
      endMs: slot.endMs,
      open: slot.openPrice,
      high: slot.high,
      low: slot.low,
      close: slot.close,
      volume: slot.volume,
      openInterest: slot.oi,
      openInterestOpen: slot.oiOpen,
      trades: slot.trades,
      closed,
      gapBefore: slot.gapBefore,
    };
  }

  private publish(): void {
    const pending = this.pending;
    if (pending.length === 0) return;
    for (let i = 0; i < pending.length; i++) {
      const candle = pending[i];
      if (candle !== undefined) this.deliver(this.onClosed, candle);
    }
    pending.length = 0;
  }

  private flushForming(): void {
    const onForming = this.onForming;
    const dirty = this.dirty;
    if (onForming === undefined || dirty.length === 0) return;
    for (let i = 0; i < dirty.length; i++) {
      const slot = dirty[i];
      if (slot === undefined) continue;
      slot.dirty = false;
      if (slot.open) this.deliver(onForming, this.snapshot(slot, false));
    }
    dirty.length = 0;
  }

  private deliver(sink: (candle: Candle) => void, candle: Candle): void {
    try {
      sink(candle);
    } catch {
      this.counters.sinkErrors++;
    }
  }
}

function nonNegative(name: string, value: number): number {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new IfError('IF_ERR_VALIDATION', { detail: `${name} must be a finite number ≥ 0, got ${value}` });
  }
  return value;
}
