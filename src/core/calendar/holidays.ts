/**
 * Exchange trading holidays (weekdays on which the normal market is closed), as versioned data.
 * Maintain this file each December from the exchanges' "Trading Holidays" circulars; add short-notice
 * closures at run time through `MarketCalendar.addHoliday` (15-Jan-2026 was declared with 3 days' notice).
 * Weekend holidays are listed in the circulars too but change nothing here, so they are left out.
 *
 * Sources:
 * - 2026 NSE: shared/reference/options-maths-and-nse.md §5.4 (NSE 2026 trading-holiday circular, plus the
 *   special closure of 15-Jan-2026 for the Maharashtra municipal elections).
 * - 2026 BSE: assumed equal to NSE, as BSE normally follows the same list (reference §5.2); the BSE notice
 *   moving the 15-Jan-2026 SENSEX expiry to 14-Jan confirms that day.
 * - 2025 NSE: NSE circular "Trading holidays for the calendar year 2025" (Dec-2024), from memory of the
 *   published list; not checked against the circular text here.
 * - 2025 BSE: ASSUMED equal to NSE 2025 (unverified).
 * Muhurat sessions (special evening sessions on Diwali) are not modelled.
 */

export interface HolidayEntry {
  /** `YYYY-MM-DD` (IST) */
  date: string;
  description: string;
}

/** Exchanges whose holiday lists the calendar keeps; derivative segments follow their parent. */
export type HolidayExchange = 'NSE' | 'BSE';

export const HOLIDAY_DATA_VERSION = '2026-11-25';

const NSE_2025: readonly HolidayEntry[] = [
  { date: '2025-02-26', description: 'Mahashivratri' },
  { date: '2025-03-14', description: 'Holi' },
  { date: '2025-03-31', description: 'Id-Ul-Fitr (Ramadan Eid)' },
  { date: '2025-04-10', description: 'Shri Mahavir Jayanti' },
  { date: '2025-04-14', description: 'Dr. Baba Saheb Ambedkar Jayanti' },
  { date: '2025-04-18', description: 'Good Friday' },
  { date: '2025-05-01', description: 'Maharashtra Day' },
  { date: '2025-08-15', description: 'Independence Day' },
  { date: '2025-08-27', description: 'Ganesh Chaturthi' },
  { date: '2025-10-02', description: 'Mahatma Gandhi Jayanti / Dussehra' },
  // A Muhurat session was held on this day; the normal market was closed.
  { date: '2025-10-21', description: 'Diwali Laxmi Pujan' },
  { date: '2025-10-22', description: 'Diwali Balipratipada' },
  { date: '2025-11-05', description: 'Prakash Gurpurb Sri Guru Nanak Dev' },
  { date: '2025-12-25', description: 'Christmas' },
];

const NSE_2026: readonly HolidayEntry[] = [
  { date: '2026-01-15', description: 'Maharashtra municipal elections (special, announced 12-Jan-2026)' },
  { date: '2026-01-26', description: 'Republic Day' },
  { date: '2026-03-03', description: 'Holi' },
  { date: '2026-03-26', description: 'Shri Ram Navami' },
  { date: '2026-03-31', description: 'Shri Mahavir Jayanti' },
  { date: '2026-04-03', description: 'Good Friday' },
  { date: '2026-04-14', description: 'Dr. Baba Saheb Ambedkar Jayanti' },
  { date: '2026-05-01', description: 'Maharashtra Day' },
  { date: '2026-05-28', description: 'Bakri Id' },
  { date: '2026-06-26', description: 'Muharram' },
  { date: '2026-09-14', description: 'Ganesh Chaturthi' },
  { date: '2026-10-02', description: 'Mahatma Gandhi Jayanti' },
  { date: '2026-10-20', description: 'Dussehra' },
  { date: '2026-11-10', description: 'Diwali Balipratipada' },
  { date: '2026-11-24', description: 'Prakash Gurpurb Sri Guru Nanak Dev' },
  { date: '2026-12-25', description: 'Christmas' },
];

/** Built-in holiday lists per exchange and year. */
export const EXCHANGE_HOLIDAYS: Readonly<
  Record<HolidayExchange, Readonly<Record<number, readonly HolidayEntry[]>>>
> = {
  NSE: { 2025: NSE_2025, 2026: NSE_2026 },
  BSE: { 2025: NSE_2025, 2026: NSE_2026 },
};
