/**
 * Session times and expiry schedules as data. Source: shared/reference/options-maths-and-nse.md §5.2 and
 * §5.4. The instrument master stays the authority for a live contract's expiry; these rules generate the
 * simulator's master and check it.
 */

/** Segments the calendar knows: cash (NSE, BSE) and index derivatives (NFO, BFO). */
export type CalendarSegment = 'NSE' | 'NFO' | 'BSE' | 'BFO';

export interface SessionRule {
  segment: CalendarSegment;
  /** first IST date (inclusive) the rule applies to */
  fromDateKey: string;
  /** normal-market open, minutes after IST midnight */
  openMinute: number;
  /** normal-market close, minutes after IST midnight (exclusive end of the session) */
  closeMinute: number;
  /** set on rules that apply only when the named calendar option is on */
  requires?: 'extendedFnoClose';
}

const OPEN_0915 = 9 * 60 + 15;
const CLOSE_1530 = 15 * 60 + 30;

/** Normal-market sessions (pre-open and closing sessions are not part of the tradable session here). */
export const SESSION_RULES: readonly SessionRule[] = [
  { segment: 'NSE', fromDateKey: '2000-01-01', openMinute: OPEN_0915, closeMinute: CLOSE_1530 },
  { segment: 'NFO', fromDateKey: '2000-01-01', openMinute: OPEN_0915, closeMinute: CLOSE_1530 },
  { segment: 'BSE', fromDateKey: '2000-01-01', openMinute: OPEN_0915, closeMinute: CLOSE_1530 },
  { segment: 'BFO', fromDateKey: '2000-01-01', openMinute: OPEN_0915, closeMinute: CLOSE_1530 },
  // NSE circular 74/2026 (reference §5.4) moves the F&O close to 15:40 from 3-Aug-2026 alongside the cash
  // Closing Auction Session. The sources are announcements, not proof it went live, and BSE's equivalent
  // was not found, so the rule is opt-in (`extendedFnoClose`) and NFO-only.
  {
    segment: 'NFO',
    fromDateKey: '2026-08-03',
    openMinute: OPEN_0915,
    closeMinute: 15 * 60 + 40,
    requires: 'extendedFnoClose',
  },
];

/** One period of an underlying's expiry schedule. */
export interface ExpiryRule {
  /** first candidate expiry date (inclusive) governed by this rule */
  fromDateKey: string;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
  /** weekly contracts on every `weekday`; otherwise only the monthly (last `weekday` of the month) */
  weekly: boolean;
}

export interface ExpirySchedule {
  /** segment whose holidays and session close apply */
  segment: 'NFO' | 'BFO';
  /** periods in ascending `fromDateKey` order; dates before the first period are not covered */
  rules: readonly ExpiryRule[];
}

const TUESDAY = 2;
const THURSDAY = 4;
/** NSE moved to Tuesday and BSE to Thursday on 1-Sep-2025 (reference §5.2). */
const SEP_2025 = '2025-09-01';

function nseMonthly(): ExpirySchedule {
  // From 1-Jan-2025 the NSE monthlies were on the last Thursday, then the last Tuesday.
  return {
    segment: 'NFO',
    rules: [
      { fromDateKey: '2025-01-01', weekday: THURSDAY, weekly: false },
      { fromDateKey: SEP_2025, weekday: TUESDAY, weekly: false },
    ],
  };
}

/**
 * Expiry schedules from 1-Jan-2025. A holiday moves an expiry to the previous trading day. Quarterly and
 * half-yearly contracts fall on monthly dates and so need no rule of their own.
 */
export const EXPIRY_SCHEDULES: Readonly<Record<string, ExpirySchedule>> = {
  NIFTY: {
    segment: 'NFO',
    rules: [
      { fromDateKey: '2025-01-01', weekday: THURSDAY, weekly: true },
      { fromDateKey: SEP_2025, weekday: TUESDAY, weekly: true },
    ],
  },
  BANKNIFTY: nseMonthly(),
  FINNIFTY: nseMonthly(),
  MIDCPNIFTY: nseMonthly(),
  SENSEX: {
    segment: 'BFO',
    // SENSEX expired on Tuesdays from Jan to Aug 2025, then on Thursdays.
    rules: [
      { fromDateKey: '2025-01-01', weekday: TUESDAY, weekly: true },
      { fromDateKey: SEP_2025, weekday: THURSDAY, weekly: true },
    ],
  },
};
