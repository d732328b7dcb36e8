import { IfError } from '../errors.js';
import { DAY_MS, IST_OFFSET_MS } from '../time.js';

/**
 * Calendar-date arithmetic on day numbers (days since 1970-01-01), so the calendar never builds Date
 * objects. Algorithms after Howard Hinnant's "chrono-compatible low-level date algorithms".
 */

/** Day number (days since 1970-01-01) of a proleptic Gregorian date; month 1–12. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export interface CivilDate {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
}

/** The calendar date of a day number. */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOfDays(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

/** Days in a month (month 1–12). */
export function daysInMonth(year: number, month: number): number {
  return month === 12
    ? daysFromCivil(year + 1, 1, 1) - daysFromCivil(year, 12, 1)
    : daysFromCivil(year, month + 1, 1) - daysFromCivil(year, month, 1);
}

const DATE_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day number of a `YYYY-MM-DD` key; throws IF_ERR_VALIDATION on anything else (including 2026-02-30). */
export function daysFromDateKey(dateKey: string): number {
  const match = DATE_KEY.exec(dateKey);
  if (match === null)
    throw new IfError('IF_ERR_VALIDATION', { detail: `"${dateKey}" is not a YYYY-MM-DD date` });
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new IfError('IF_ERR_VALIDATION', { detail: `"${dateKey}" is not a calendar date` });
  }
  return daysFromCivil(year, month, day);
}

/** `YYYY-MM-DD` of a day number. */
export function dateKeyFromDays(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${year}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}

/** Day number of the IST calendar day containing `epochMs`. */
export function istDayNumber(epochMs: number): number {
  return Math.floor((epochMs + IST_OFFSET_MS) / DAY_MS);
}

/** Epoch ms of IST wall-clock `minuteOfDay` on the IST day `days`. */
export function istEpochMsOfDay(days: number, minuteOfDay: number): number {
  return days * DAY_MS - IST_OFFSET_MS + minuteOfDay * 60_000;
}
