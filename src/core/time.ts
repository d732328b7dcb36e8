/** India Standard Time is UTC+05:30 all year (no daylight saving). */
export const IST_OFFSET_MS = 330 * 60 * 1000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface IstDateParts {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
  /** minutes since IST midnight */
  minuteOfDay: number;
}

export function istParts(epochMs: number): IstDateParts {
  const shifted = new Date(epochMs + IST_OFFSET_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    weekday: shifted.getUTCDay(),
    minuteOfDay: shifted.getUTCHours() * 60 + shifted.getUTCMinutes(),
  };
}

/** Epoch ms of an IST wall-clock time. */
export function istToEpochMs(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): number {
  return Date.UTC(year, month - 1, day, hour, minute, second) - IST_OFFSET_MS;
}

/** Epoch ms of IST midnight starting the IST day that contains `epochMs`. */
export function istMidnight(epochMs: number): number {
  const p = istParts(epochMs);
  return istToEpochMs(p.year, p.month, p.day);
}

/** `YYYY-MM-DD` of the IST day containing `epochMs`. */
export function istDateKey(epochMs: number): string {
  const p = istParts(epochMs);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;

/** Angel's `DDMMMYYYY` (e.g. `25NOV2026`) for an IST calendar date. */
export function formatDdMmmYyyy(year: number, month: number, day: number): string {
  return `${String(day).padStart(2, '0')}${MONTHS[month - 1] ?? '???'}${year}`;
}

/** Parses Angel's `DDMMMYYYY`; returns undefined when the text is not such a date. */
export function parseDdMmmYyyy(text: string): { year: number; month: number; day: number } | undefined {
  const match = /^(\d{2})([A-Z]{3})(\d{4})$/.exec(text.toUpperCase());
  if (!match) return undefined;
  const month = MONTHS.indexOf(match[2] as (typeof MONTHS)[number]) + 1;
  if (month === 0) return undefined;
  const day = Number(match[1]);
  const year = Number(match[3]);
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCDate() !== day) return undefined;
  return { year, month, day };
}
