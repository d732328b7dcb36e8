import { IfError } from '../errors.js';
import {
  civilFromDays,
  dateKeyFromDays,
  daysFromCivil,
  daysFromDateKey,
  daysInMonth,
  istDayNumber,
  istEpochMsOfDay,
  weekdayOfDays,
} from './dates.js';
import { EXCHANGE_HOLIDAYS, type HolidayEntry, type HolidayExchange } from './holidays.js';
import {
  type CalendarSegment,
  EXPIRY_SCHEDULES,
  type ExpiryRule,
  type ExpirySchedule,
  SESSION_RULES,
  type SessionRule,
} from './rules.js';

export interface SessionBounds {
  /** epoch ms of the normal-market open */
  openMs: number;
  /** epoch ms of the close (the session is [openMs, closeMs)) */
  closeMs: number;
}

export interface MarketCalendarOptions {
  /** holiday lists per exchange and year; defaults to the built-in `EXCHANGE_HOLIDAYS` */
  holidays?: Readonly<Record<HolidayExchange, Readonly<Record<number, readonly HolidayEntry[]>>>>;
  /** session rules; defaults to `SESSION_RULES` */
  sessions?: readonly SessionRule[];
  /** expiry schedules per underlying; defaults to `EXPIRY_SCHEDULES` */
  expirySchedules?: Readonly<Record<string, ExpirySchedule>>;
  /** apply the NFO 15:40 close from 3-Aug-2026 (NSE circular 74/2026, reference §5.4); default false */
  extendedFnoClose?: boolean;
}

/** Trading days, sessions and expiries of NSE/BSE (IST). Dates are `YYYY-MM-DD` keys. */
export interface MarketCalendar {
  isTradingDay(exchange: CalendarSegment, dateKey: string): boolean;
  /** the last trading day strictly before `dateKey` */
  previousTradingDay(exchange: CalendarSegment, dateKey: string): string;
  /** the first trading day strictly after `dateKey` */
  nextTradingDay(exchange: CalendarSegment, dateKey: string): string;
  /** normal-market bounds in epoch ms; undefined on non-trading days */
  sessionBounds(exchange: CalendarSegment, dateKey: string): SessionBounds | undefined;
  /** true inside [open, close) of a trading day */
  isMarketOpen(exchange: CalendarSegment, epochMs: number): boolean;
  /** epoch ms of the first session open at or after `epochMs` (or `epochMs` itself when open) */
  nextOpenMs(exchange: CalendarSegment, epochMs: number): number;
  /** the next `count` expiry dates (weeklies and monthlies) on or after `fromDateKey`, ascending */
  listExpiries(underlying: string, fromDateKey: string, count: number): string[];
  /** the next `count` monthly expiry dates on or after `fromDateKey` (futures and monthly options) */
  listMonthlyExpiries(underlying: string, fromDateKey: string, count: number): string[];
  /** true when `dateKey` is the (holiday-adjusted) monthly expiry of `underlying` */
  isMonthlyExpiry(underlying: string, dateKey: string): boolean;
  /** derivative segment whose holidays and close govern `underlying`'s expiries */
  expirySegment(underlying: string): 'NFO' | 'BFO';
  /**
   * Epoch ms of the session close on an expiry day (time-to-expiry end point). A date that is not a
   * trading day (a contract listed before a late holiday) resolves to the previous trading day's close.
   */
  expiryCloseMs(exchange: CalendarSegment, dateKey: string): number;
  /** runtime override: close `exchange` (and its derivative segment) on `dateKey` */
  addHoliday(exchange: HolidayExchange, dateKey: string, description?: string): void;
  /** runtime override: open `exchange` on a listed holiday */
  removeHoliday(exchange: HolidayExchange, dateKey: string): void;
  /** holidays of `exchange` in `year`, overrides applied, ascending */
  holidays(exchange: HolidayExchange, year: number): HolidayEntry[];
  /** true when the holiday list covers `year` (otherwise only weekends are closed) */
  hasHolidayData(exchange: HolidayExchange, year: number): boolean;
}

/** Searches never need to step further than this past a date (longest closure plus weekends). */
const MAX_SCAN_DAYS = 60;

function holidayExchangeOf(segment: CalendarSegment): HolidayExchange {
  return segment === 'NSE' || segment === 'NFO' ? 'NSE' : 'BSE';
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 0 || count > 1000) {
    throw new IfError('IF_ERR_VALIDATION', {
      detail: `expiry count must be an integer 0–1000, got ${count}`,
    });
  }
}

class DataMarketCalendar implements MarketCalendar {
  private readonly closed: Record<HolidayExchange, Map<number, string>> = { NSE: new Map(), BSE: new Map() };
  private readonly years: Record<HolidayExchange, Set<number>> = { NSE: new Set(), BSE: new Set() };
  private readonly sessionsBySegment = new Map<CalendarSegment, { fromDay: number; rule: SessionRule }[]>();
  private readonly schedules: Readonly<Record<string, ExpirySchedule>>;
  private readonly ruleStarts = new Map<ExpirySchedule, number[]>();

  constructor(options: MarketCalendarOptions) {
    const holidays = options.holidays ?? EXCHANGE_HOLIDAYS;
    for (const exchange of ['NSE', 'BSE'] as const) {
      for (const [year, entries] of Object.entries(holidays[exchange])) {
        this.years[exchange].add(Number(year));
        for (const entry of entries)
          this.closed[exchange].set(daysFromDateKey(entry.date), entry.description);
      }
    }
    for (const rule of options.sessions ?? SESSION_RULES) {
      if (rule.requires === 'extendedFnoClose' && options.extendedFnoClose !== true) continue;
      const list = this.sessionsBySegment.get(rule.segment) ?? [];
      list.push({ fromDay: daysFromDateKey(rule.fromDateKey), rule });
      // Latest rule first, so the first match is the one in force.
      list.sort((x, y) => y.fromDay - x.fromDay);
      this.sessionsBySegment.set(rule.segment, list);
    }
    this.schedules = options.expirySchedules ?? EXPIRY_SCHEDULES;
  }

  isTradingDay(exchange: CalendarSegment, dateKey: string): boolean {
    return this.isTradingDayNumber(exchange, daysFromDateKey(dateKey));
  }

  previousTradingDay(exchange: CalendarSegment, dateKey: string): string {
    return dateKeyFromDays(this.stepTradingDay(exchange, daysFromDateKey(dateKey), -1));
  }

  nextTradingDay(exchange: CalendarSegment, dateKey: string): string {
    return dateKeyFromDays(this.stepTradingDay(exchange, daysFromDateKey(dateKey), 1));
  }

  sessionBounds(exchange: CalendarSegment, dateKey: string): SessionBounds | undefined {
    return this.boundsOfDay(exchange, daysFromDateKey(dateKey));
  }

  isMarketOpen(exchange: CalendarSegment, epochMs: number): boolean {
    const bounds = this.boundsOfDay(exchange, istDayNumber(epochMs));
    return bounds !== undefined && epochMs >= bounds.openMs && epochMs < bounds.closeMs;
  }

  nextOpenMs(exchange: CalendarSegment, epochMs: number): number {
    const today = istDayNumber(epochMs);
    for (let day = today; day <= today + MAX_SCAN_DAYS; day++) {
      const bounds = this.boundsOfDay(exchange, day);
      if (bounds === undefined || epochMs >= bounds.closeMs) continue;
      return Math.max(bounds.openMs, epochMs);
    }
    throw new IfError('IF_ERR_INTERNAL', { detail: `no ${exchange} session within ${MAX_SCAN_DAYS} days` });
  }

  listExpiries(underlying: string, fromDateKey: string, count: number): string[] {
    return this.collectExpiries(underlying, fromDateKey, count, false);
  }

  listMonthlyExpiries(underlying: string, fromDateKey: string, count: number): string[] {
    return this.collectExpiries(underlying, fromDateKey, count, true);
  }

  isMonthlyExpiry(underlying: string, dateKey: string): boolean {
    const schedule = this.scheduleOf(underlying);
    const day = daysFromDateKey(dateKey);
    const { year, month } = civilFromDays(day);
    for (const candidate of this.monthCandidates(schedule, year, month, true)) {
      if (this.adjustToTradingDay(schedule.segment, candidate) === day) return true;
    }
    return false;
  }

  expirySegment(underlying: string): 'NFO' | 'BFO' {
    return this.scheduleOf(underlying).segment;
  }

  expiryCloseMs(exchange: CalendarSegment, dateKey: string): number {
    const day = this.adjustToTradingDay(exchange, daysFromDateKey(dateKey));
    const bounds = this.boundsOfDay(exchange, day);
    if (bounds === undefined) throw new IfError('IF_ERR_INTERNAL', { detail: `no session on ${dateKey}` });
    return bounds.closeMs;
  }

  addHoliday(exchange: HolidayExchange, dateKey: string, description = 'Special holiday'): void {
    this.closed[exchange].set(daysFromDateKey(dateKey), description);
  }

  removeHoliday(exchange: HolidayExchange, dateKey: string): void {
    this.closed[exchange].delete(daysFromDateKey(dateKey));
  }

  holidays(exchange: HolidayExchange, year: number): HolidayEntry[] {
    const from = daysFromCivil(year, 1, 1);
    const to = daysFromCivil(year + 1, 1, 1);
    return [...this.closed[exchange].entries()]
      .filter(([day]) => day >= from && day < to)
      .sort(([x], [y]) => x - y)
      .map(([day, description]) => ({ date: dateKeyFromDays(day), description }));
  }

  hasHolidayData(exchange: HolidayExchange, year: number): boolean {
    return this.years[exchange].has(year);
  }

  private isTradingDayNumber(exchange: CalendarSegment, day: number): boolean {
    const weekday = weekdayOfDays(day);
    if (weekday === 0 || weekday === 6) return false;
    return !this.closed[holidayExchangeOf(exchange)].has(day);
  }

  private stepTradingDay(exchange: CalendarSegment, day: number, direction: 1 | -1): number {
    for (let next = day + direction, n = 0; n < MAX_SCAN_DAYS; next += direction, n++) {
      if (this.isTradingDayNumber(exchange, next)) return next;
    }
    throw new IfError('IF_ERR_INTERNAL', {
      detail: `no ${exchange} trading day within ${MAX_SCAN_DAYS} days`,
    });
  }

  private adjustToTradingDay(exchange: CalendarSegment, day: number): number {
    return this.isTradingDayNumber(exchange, day) ? day : this.stepTradingDay(exchange, day, -1);
  }

  private boundsOfDay(exchange: CalendarSegment, day: number): SessionBounds | undefined {
    if (!this.isTradingDayNumber(exchange, day)) return undefined;
    const rules = this.sessionsBySegment.get(exchange);
    const rule = rules?.find((entry) => entry.fromDay <= day)?.rule;
    if (rule === undefined) return undefined;
    return { openMs: istEpochMsOfDay(day, rule.openMinute), closeMs: istEpochMsOfDay(day, rule.closeMinute) };
  }

  private scheduleOf(underlying: string): ExpirySchedule {
    const schedule = this.schedules[underlying];
    if (schedule === undefined)
      throw new IfError('IF_ERR_NOT_FOUND', { what: `Expiry schedule for ${underlying}` });
    return schedule;
  }

  private ruleAt(schedule: ExpirySchedule, day: number): ExpiryRule | undefined {
    let starts = this.ruleStarts.get(schedule);
    if (starts === undefined) {
      starts = schedule.rules.map((rule) => daysFromDateKey(rule.fromDateKey));
      this.ruleStarts.set(schedule, starts);
    }
    let found: ExpiryRule | undefined;
    schedule.rules.forEach((rule, i) => {
      if ((starts[i] ?? Number.POSITIVE_INFINITY) <= day) found = rule;
    });
    return found;
  }

  /** Unadjusted candidate expiry days in one month, ascending. */
  private monthCandidates(
    schedule: ExpirySchedule,
    year: number,
    month: number,
    monthlyOnly: boolean,
  ): number[] {
    const first = daysFromCivil(year, month, 1);
    const last = first + daysInMonth(year, month) - 1;
    const out: number[] = [];
    for (let day = first; day <= last; day++) {
      const rule = this.ruleAt(schedule, day);
      if (rule === undefined || weekdayOfDays(day) !== rule.weekday) continue;
      // The last `weekday` of the month is the monthly; any other one counts only for weekly rules.
      const isLastOfMonth = day + 7 > last;
      if (isLastOfMonth || (rule.weekly && !monthlyOnly)) out.push(day);
    }
    return out;
  }

  private collectExpiries(
    underlying: string,
    fromDateKey: string,
    count: number,
    monthlyOnly: boolean,
  ): string[] {
    checkCount(count);
    const schedule = this.scheduleOf(underlying);
    const fromDay = daysFromDateKey(fromDateKey);
    const firstRule = schedule.rules[0];
    if (firstRule === undefined || fromDay < daysFromDateKey(firstRule.fromDateKey)) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `${underlying} expiry rules start at ${firstRule?.fromDateKey ?? '(none)'}, asked from ${fromDateKey}`,
      });
    }
    const out: string[] = [];
    let { year, month } = civilFromDays(fromDay);
    // Every month holds at least one monthly expiry, so count + 1 months always suffice.
    for (let scanned = 0; out.length < count && scanned <= count + 1; scanned++) {
      for (const candidate of this.monthCandidates(schedule, year, month, monthlyOnly)) {
        // Adjusting only moves a date earlier, so candidates before `fromDay` can never qualify.
        if (candidate < fromDay) continue;
        const expiry = this.adjustToTradingDay(schedule.segment, candidate);
        if (expiry < fromDay) continue;
        const key = dateKeyFromDays(expiry);
        if (out[out.length - 1] !== key) out.push(key);
        if (out.length === count) break;
      }
      month += 1;
      if (month === 13) {
        month = 1;
        year += 1;
      }
    }
    return out;
  }
}

/** A calendar over the built-in data (or the data given), with its own runtime overrides. */
export function createMarketCalendar(options: MarketCalendarOptions = {}): MarketCalendar {
  return new DataMarketCalendar(options);
}
