import type { CalendarSegment, MarketCalendar } from '../../core/calendar/index.js';
import { dateKeyFromDays, istDayNumber } from '../../core/calendar/index.js';
import { DAY_MS } from '../../core/time.js';

/**
 * How time to expiry is measured (reference §2.4): 'calendar' counts every millisecond to the expiry-day
 * close over a 365-day year (NSE, India VIX); 'trading' counts only session time, as sessions over a
 * 252-session year (Sensibull/Kite), so nights and weekends carry no variance and Monday theta does not
 * jump. IVs on the two bases differ a lot near expiry; label which one is shown.
 */
export type TimeBasis = 'calendar' | 'trading';

/** Calendar year of the 'calendar' basis, ms. */
export const CALENDAR_YEAR_MS = 365 * DAY_MS;
/** Sessions per year of the 'trading' basis. */
export const TRADING_DAYS_PER_YEAR = 252;

/**
 * Years from `nowMs` to the expiry-day close of `expiry` (`YYYY-MM-DD`, holiday-adjusted by the
 * calendar) on `basis`; ≤ 0 once the close has passed ('calendar' goes negative, 'trading' stops at 0).
 *
 * 'trading' = (fraction of today's session still ahead + full sessions after today up to and including
 * the expiry day) / 252. Measuring today's part as a fraction of the session, rather than as minutes
 * over 375, keeps the basis right when the F&O close moves to 15:40 (reference §5.4): with 375-minute
 * sessions the two are the same number. Before today's open the whole session is ahead; on a holiday
 * or weekend none of today is.
 */
export function timeToExpiryYears(
  calendar: MarketCalendar,
  segment: CalendarSegment,
  expiry: string,
  nowMs: number,
  basis: TimeBasis,
): number {
  const closeMs = calendar.expiryCloseMs(segment, expiry);
  if (basis === 'calendar') return (closeMs - nowMs) / CALENDAR_YEAR_MS;
  if (nowMs >= closeMs) return 0;
  const today = istDayNumber(nowMs);
  const expiryDay = istDayNumber(closeMs);
  return (
    (sessionFractionLeft(calendar, segment, today, nowMs) +
      sessionsAfter(calendar, segment, today, expiryDay)) /
    TRADING_DAYS_PER_YEAR
  );
}

/** Share of day `day`'s session still ahead at `nowMs` (0–1; 0 on a closed day). */
function sessionFractionLeft(
  calendar: MarketCalendar,
  segment: CalendarSegment,
  day: number,
  nowMs: number,
): number {
  const bounds = calendar.sessionBounds(segment, dateKeyFromDays(day));
  if (bounds === undefined) return 0;
  const length = bounds.closeMs - bounds.openMs;
  const left = bounds.closeMs - Math.min(Math.max(nowMs, bounds.openMs), bounds.closeMs);
  return length > 0 ? left / length : 0;
}

/** Trading sessions on days after `day` up to and including `lastDay`. */
function sessionsAfter(
  calendar: MarketCalendar,
  segment: CalendarSegment,
  day: number,
  lastDay: number,
): number {
  let count = 0;
  for (let d = day + 1; d <= lastDay; d++) if (calendar.isTradingDay(segment, dateKeyFromDays(d))) count++;
  return count;
}

/**
 * `timeToExpiryYears` for one expiry, with the expiry close and the count of whole sessions ahead cached
 * per IST day, so a chain asks for T on every refresh without walking the calendar.
 */
export class ExpiryClock {
  readonly closeMs: number;
  private cachedDay = Number.NaN;
  private cachedSessionsAfter = 0;
  /** today's session bounds; open === close on a closed day */
  private openMs = 0;
  private sessionCloseMs = 0;

  constructor(
    private readonly calendar: MarketCalendar,
    private readonly segment: CalendarSegment,
    readonly expiry: string,
    readonly basis: TimeBasis,
  ) {
    this.closeMs = calendar.expiryCloseMs(segment, expiry);
  }

  /** Years to the expiry close at `nowMs` on this clock's basis; ≤ 0 after the close. */
  yearsAt(nowMs: number): number {
    if (this.basis === 'calendar') return (this.closeMs - nowMs) / CALENDAR_YEAR_MS;
    if (nowMs >= this.closeMs) return 0;
    const today = istDayNumber(nowMs);
    if (today !== this.cachedDay) {
      this.cachedDay = today;
      this.cachedSessionsAfter = sessionsAfter(
        this.calendar,
        this.segment,
        today,
        istDayNumber(this.closeMs),
      );
      const bounds = this.calendar.sessionBounds(this.segment, dateKeyFromDays(today));
      this.openMs = bounds?.openMs ?? 0;
      this.sessionCloseMs = bounds?.closeMs ?? 0;
    }
    const length = this.sessionCloseMs - this.openMs;
    const left = this.sessionCloseMs - Math.min(Math.max(nowMs, this.openMs), this.sessionCloseMs);
    return ((length > 0 ? left / length : 0) + this.cachedSessionsAfter) / TRADING_DAYS_PER_YEAR;
  }
}
