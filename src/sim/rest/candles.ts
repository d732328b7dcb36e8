import { SeededRandom } from '../../core/random.js';
import { DAY_MS, MINUTE_MS, istDateKey, istMidnight, istParts } from '../../core/time.js';
import { istIso, rupees } from './format.js';

/** Angel's history intervals with their bar length and the most days one request may span (§3.11). */
export const CANDLE_INTERVALS = {
  ONE_MINUTE: { minutes: 1, maxDays: 30 },
  THREE_MINUTE: { minutes: 3, maxDays: 60 },
  FIVE_MINUTE: { minutes: 5, maxDays: 100 },
  TEN_MINUTE: { minutes: 10, maxDays: 100 },
  FIFTEEN_MINUTE: { minutes: 15, maxDays: 200 },
  THIRTY_MINUTE: { minutes: 30, maxDays: 200 },
  ONE_HOUR: { minutes: 60, maxDays: 400 },
  ONE_DAY: { minutes: 375, maxDays: 2000 },
} as const;

export type CandleInterval = keyof typeof CANDLE_INTERVALS;

export function isCandleInterval(value: unknown): value is CandleInterval {
  return typeof value === 'string' && Object.hasOwn(CANDLE_INTERVALS, value);
}

/** `[timestamp "…+05:30", open, high, low, close, volume]`, prices in rupees, as Angel serves them. */
export type CandleRow = [string, number, number, number, number, number];

/** One `getOIData` row. */
export interface OiRow {
  time: string;
  oi: number;
}

/** What the synthetic history is anchored to, from the live market model (paise, units). */
export interface HistoryAnchor {
  token: string;
  /** close of the session before the current one */
  previousClose: number;
  /** the current session so far */
  open: number;
  last: number;
  openInterest: number;
  /** OI at the previous close */
  previousOpenInterest: number;
  tickSize: number;
  lotSize: number;
  /** daily log-return volatility of the instrument (0.01 = 1 %) */
  dailyVolatility: number;
  /** indices trade no volume */
  hasVolume: boolean;
  /** which days had sessions; weekdays when omitted */
  isTradingDay?: TradingDayTest;
}

export const SESSION_OPEN_MINUTE = 9 * 60 + 15;
export const SESSION_MINUTES = 375;

/** FNV-1a, so one (token, day) always gives the same stream. */
function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Says whether the IST day starting at `dayStartMs` had a session. */
export type TradingDayTest = (dayStartMs: number) => boolean;

/** Weekdays; the app passes the exchange calendar (holidays) when it has one. */
export function isWeekday(dayStartMs: number): boolean {
  const weekday = istParts(dayStartMs).weekday;
  return weekday !== 0 && weekday !== 6;
}

/** IST midnight of the trading day before the day starting at `dayStartMs`. */
function previousTradingDay(dayStartMs: number, isTradingDay: TradingDayTest): number {
  let day = istMidnight(dayStartMs - DAY_MS / 2);
  while (!isTradingDay(day)) day = istMidnight(day - DAY_MS / 2);
  return day;
}

function nextTradingDay(dayStartMs: number, isTradingDay: TradingDayTest): number {
  let day = istMidnight(dayStartMs + DAY_MS * 1.5);
  while (!isTradingDay(day)) day = istMidnight(day + DAY_MS * 1.5);
  return day;
}

/** The session the market model is in (or last finished): today if it trades, else the last trading day. */
export function currentSessionDay(nowMs: number, isTradingDay: TradingDayTest = isWeekday): number {
  const today = istMidnight(nowMs);
  return isTradingDay(today) ? today : previousTradingDay(today, isTradingDay);
}

function dayReturn(token: string, dayStartMs: number, volatility: number): number {
  return new SeededRandom(seedOf(`ret|${token}|${istDateKey(dayStartMs)}`)).normal() * volatility;
}

/**
 * Minute bars of one session as parallel columns. One set is allocated per request and reused for every
 * session: a 2000-day daily request walks ~750k minutes, and per-minute objects made it GC-bound.
 */
class MinuteColumns {
  readonly walk = new Float64Array(SESSION_MINUTES + 1);
  readonly open = new Float64Array(SESSION_MINUTES);
  readonly high = new Float64Array(SESSION_MINUTES);
  readonly low = new Float64Array(SESSION_MINUTES);
  readonly close = new Float64Array(SESSION_MINUTES);
  readonly volume = new Float64Array(SESSION_MINUTES);
  length = 0;
}

function roundToTick(value: number, tick: number, mode: 'round' | 'floor' | 'ceil'): number {
  const steps = value / tick;
  const n = mode === 'round' ? Math.round(steps) : mode === 'floor' ? Math.floor(steps) : Math.ceil(steps);
  return Math.max(tick, n * tick);
}

/**
 * Fills `bars` with one session's minutes: a Brownian bridge in log price from `open` to `close` over
 * `minutes` steps, seeded by (token, day) so every interval aggregates the same path.
 */
function sessionMinutes(
  bars: MinuteColumns,
  anchor: HistoryAnchor,
  dayStartMs: number,
  open: number,
  close: number,
  minutes: number,
): void {
  const rng = new SeededRandom(seedOf(`path|${anchor.token}|${istDateKey(dayStartMs)}`));
  const sigma = anchor.dailyVolatility / Math.sqrt(SESSION_MINUTES);
  const walk = bars.walk;
  walk[0] = 0;
  for (let i = 1; i <= minutes; i++) walk[i] = (walk[i - 1] as number) + rng.normal() * sigma;
  const end = walk[minutes] as number;
  const logOpen = Math.log(open);
  const drift = Math.log(close) - logOpen;
  const tick = anchor.tickSize;
  const lot = Math.max(1, anchor.lotSize);
  let previous = roundToTick(open, tick, 'round');
  for (let k = 1; k <= minutes; k++) {
    const bridge = (walk[k] as number) - (k / minutes) * end;
    const barClose =
      k === minutes
        ? roundToTick(close, tick, 'round')
        : roundToTick(Math.exp(logOpen + (k / minutes) * drift + bridge), tick, 'round');
    const top = Math.max(previous, barClose);
    const bottom = Math.min(previous, barClose);
    const high = roundToTick(top * (1 + rng.next() * sigma), tick, 'ceil');
    const low = roundToTick(bottom * (1 - rng.next() * sigma), tick, 'floor');
    const i = k - 1;
    bars.open[i] = previous;
    bars.high[i] = Math.max(high, top);
    bars.low[i] = Math.min(low, bottom);
    bars.close[i] = barClose;
    bars.volume[i] = anchor.hasVolume ? rng.int(1, 60) * lot : 0;
    previous = barClose;
  }
  bars.length = minutes;
}

interface SessionPlan {
  dayStartMs: number;
  previousDayStartMs: number;
  open: number;
  close: number;
  minutes: number;
}

/**
 * Every trading session from the one containing `fromMs` to the one containing `toMs`, with the open and
 * close each must have. Closes chain backwards from the model's previous close, so the last closed
 * session ends exactly at the close the live model reports; the current session runs from the model's
 * open to its last price and stops at `nowMs`.
 */
function planSessions(anchor: HistoryAnchor, fromMs: number, toMs: number, nowMs: number): SessionPlan[] {
  const trades = anchor.isTradingDay ?? isWeekday;
  const before = (day: number): number => previousTradingDay(day, trades);
  const after = (day: number): number => nextTradingDay(day, trades);
  const sessionDay = currentSessionDay(nowMs, trades);
  const requestedFirst = istMidnight(fromMs);
  const firstDay = trades(requestedFirst) ? requestedFirst : after(requestedFirst);
  const lastDay = Math.min(istMidnight(toMs), sessionDay);
  if (firstDay > lastDay) return [];

  // close of each closed session, walking back from the anchor to the session before the first one
  const closes = new Map<number, number>();
  const walkUntil = before(firstDay);
  let close = anchor.previousClose;
  for (let day = before(sessionDay); ; day = before(day)) {
    closes.set(day, close);
    if (day <= walkUntil) break;
    close = Math.max(
      anchor.tickSize,
      close * Math.exp(-dayReturn(anchor.token, day, anchor.dailyVolatility)),
    );
  }

  const plans: SessionPlan[] = [];
  for (let d = firstDay; d <= lastDay; d = after(d)) {
    if (d === sessionDay) {
      const opened = d + SESSION_OPEN_MINUTE * MINUTE_MS;
      if (nowMs < opened) continue;
      const minutes = Math.min(SESSION_MINUTES, Math.floor((nowMs - opened) / MINUTE_MS) + 1);
      plans.push({
        dayStartMs: d,
        previousDayStartMs: before(d),
        open: anchor.open,
        close: anchor.last,
        minutes,
      });
      continue;
    }
    const prevClose = closes.get(before(d));
    const dayClose = closes.get(d);
    if (prevClose === undefined || dayClose === undefined) continue;
    const gap = new SeededRandom(seedOf(`gap|${anchor.token}|${istDateKey(d)}`)).normal();
    const open = Math.max(anchor.tickSize, prevClose * Math.exp(gap * anchor.dailyVolatility * 0.2));
    plans.push({
      dayStartMs: d,
      previousDayStartMs: before(d),
      open,
      close: dayClose,
      minutes: SESSION_MINUTES,
    });
  }
  return plans;
}

/**
 * Remembers finished sessions' daily bars, keyed by everything that determines the path. A 2000-day
 * ONE_DAY request walks ~750k simulated minutes (~0.1 s); repeats of it then cost nothing. Bounded: the
 * oldest entries go first.
 */
export class DailyBarCache {
  private readonly bars = new Map<string, CandleRow>();

  constructor(private readonly maxEntries = 100_000) {}

  get(key: string): CandleRow | undefined {
    return this.bars.get(key);
  }

  set(key: string, row: CandleRow): void {
    if (this.bars.size >= this.maxEntries) {
      const oldest = this.bars.keys().next();
      if (!oldest.done) this.bars.delete(oldest.value);
    }
    this.bars.set(key, row);
  }

  get size(): number {
    return this.bars.size;
  }
}

/**
 * Deterministic synthetic candles for `[fromMs, toMs]` (IST wall times) in Angel's array format.
 * Intraday bars start at 09:15 and every `minutes` after (the last hourly bar is 15:15–15:30, as live);
 * daily bars are stamped at IST midnight. A bar is included when its start lies in the range (daily:
 * when its date does). Nothing after `nowMs` exists. Every interval folds the same minute path.
 */
export function syntheticCandles(
  anchor: HistoryAnchor,
  interval: CandleInterval,
  fromMs: number,
  toMs: number,
  nowMs: number,
  cache?: DailyBarCache,
): CandleRow[] {
  const { minutes: barMinutes } = CANDLE_INTERVALS[interval];
  const daily = interval === 'ONE_DAY';
  const rows: CandleRow[] = [];
  const bars = new MinuteColumns();
  const fromDay = istMidnight(fromMs);
  for (const plan of planSessions(anchor, fromMs, toMs, nowMs)) {
    if (daily && !(plan.dayStartMs >= fromDay && plan.dayStartMs <= toMs)) continue;
    const key =
      daily && plan.minutes === SESSION_MINUTES
        ? `${anchor.token}|${plan.dayStartMs}|${plan.open}|${plan.close}|${anchor.dailyVolatility}|` +
          `${anchor.tickSize}|${anchor.lotSize}|${anchor.hasVolume}`
        : undefined;
    const cached = key === undefined ? undefined : cache?.get(key);
    if (cached !== undefined) {
      rows.push(cached);
      continue;
    }
    sessionMinutes(bars, anchor, plan.dayStartMs, plan.open, plan.close, plan.minutes);
    for (let start = 0; start < bars.length; start += barMinutes) {
      const stamp = daily ? plan.dayStartMs : plan.dayStartMs + (SESSION_OPEN_MINUTE + start) * MINUTE_MS;
      if (!daily && !(stamp >= fromMs && stamp <= toMs)) continue;
      const stop = Math.min(bars.length, start + barMinutes);
      let high = bars.high[start] as number;
      let low = bars.low[start] as number;
      let volume = 0;
      for (let i = start; i < stop; i++) {
        high = Math.max(high, bars.high[i] as number);
        low = Math.min(low, bars.low[i] as number);
        volume += bars.volume[i] as number;
      }
      const open = bars.open[start] as number;
      const close = bars.close[stop - 1] as number;
      const row: CandleRow = [istIso(stamp), rupees(open), rupees(high), rupees(low), rupees(close), volume];
      if (key !== undefined) cache?.set(key, row);
      rows.push(row);
    }
  }
  return rows;
}

/**
 * Deterministic synthetic open interest per bar for `[fromMs, toMs]`, chained backwards from the model's
 * previous-close OI and ending at its current OI. OI moves in whole lots.
 */
export function syntheticOpenInterest(
  anchor: HistoryAnchor,
  interval: CandleInterval,
  fromMs: number,
  toMs: number,
  nowMs: number,
): OiRow[] {
  const { minutes: barMinutes } = CANDLE_INTERVALS[interval];
  const daily = interval === 'ONE_DAY';
  const lot = Math.max(1, anchor.lotSize);
  const plans = planSessions(anchor, fromMs, toMs, nowMs);
  const first = plans[0];
  if (first === undefined) return [];
  const trades = anchor.isTradingDay ?? isWeekday;
  const sessionDay = currentSessionDay(nowMs, trades);
  // OI at each session's close, walking back from the previous close to the session before the first
  const closeOi = new Map<number, number>();
  let oi = anchor.previousOpenInterest;
  for (let d = previousTradingDay(sessionDay, trades); ; d = previousTradingDay(d, trades)) {
    closeOi.set(d, oi);
    if (d <= first.previousDayStartMs) break;
    const change = new SeededRandom(seedOf(`oi|${anchor.token}|${istDateKey(d)}`)).normal() * 0.05;
    oi = Math.max(0, oi / (1 + change));
  }
  const rows: OiRow[] = [];
  for (const plan of plans) {
    const startOi = closeOi.get(plan.previousDayStartMs) ?? anchor.previousOpenInterest;
    const endOi =
      plan.dayStartMs === sessionDay ? anchor.openInterest : (closeOi.get(plan.dayStartMs) ?? startOi);
    const rng = new SeededRandom(seedOf(`oipath|${anchor.token}|${istDateKey(plan.dayStartMs)}`));
    for (let start = 0; start < plan.minutes; start += barMinutes) {
      const stamp = daily ? plan.dayStartMs : plan.dayStartMs + (SESSION_OPEN_MINUTE + start) * MINUTE_MS;
      const endMinute = Math.min(plan.minutes, start + barMinutes);
      const fraction = endMinute / plan.minutes;
      const noise = endMinute === plan.minutes ? 0 : rng.normal() * 0.002 * startOi;
      const value = Math.max(0, Math.round((startOi + (endOi - startOi) * fraction + noise) / lot) * lot);
      const inRange = daily
        ? plan.dayStartMs >= istMidnight(fromMs) && plan.dayStartMs <= toMs
        : stamp >= fromMs && stamp <= toMs;
      if (inRange) rows.push({ time: istIso(stamp), oi: value });
    }
  }
  return rows;
}
