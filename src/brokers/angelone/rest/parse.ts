import { z } from 'zod';
import { IfError } from '../../../core/errors.js';
import { type Paise, paise } from '../../../core/money.js';
import { IST_OFFSET_MS, istParts, istToEpochMs } from '../../../core/time.js';

/**
 * Angel sends numbers as JSON numbers or as strings, sometimes with a space after the sign
 * (`"- 2235.80"` in positions) or thousands separators. Returns undefined for empty/absent values and
 * for anything that is not a finite number.
 */
export function parseLooseNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const compact = value.replace(/[\s,]/g, '');
  if (compact === '' || compact === '-' || compact === '+') return undefined;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(compact)) return undefined;
  const n = Number(compact);
  return Number.isFinite(n) ? n : undefined;
}

/** Rupees (float) to integer paise, rounding half away from zero; undefined passes through. */
export function rupeesToPaiseLoose(rupees: number | undefined): Paise | undefined {
  if (rupees === undefined) return undefined;
  // Rounding at 1e-6 first removes binary noise such as 101.05 * 100 = 10104.999999999998.
  const scaled = Math.round(Math.abs(rupees) * 100 * 1e6) / 1e6;
  return paise(Math.sign(rupees) * Math.round(scaled) || 0);
}

/** Paise to the rupee string Angel expects in request bodies (`10105` → `"101.05"`). */
export function paiseToRupeeString(amount: number): string {
  if (!Number.isSafeInteger(amount)) {
    throw new IfError('IF_ERR_VALIDATION', { detail: `price must be integer paise, got ${amount}` });
  }
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** `yyyy-MM-dd HH:mm` in IST, as getCandleData wants it. */
export function formatIstMinute(epochMs: number): string {
  const p = istParts(epochMs);
  const hh = Math.floor(p.minuteOfDay / 60);
  const mm = p.minuteOfDay % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(hh)}:${two(mm)}`;
}

const MONTHS: Record<string, number> = {
  JAN: 1,
  FEB: 2,
  MAR: 3,
  APR: 4,
  MAY: 5,
  JUN: 6,
  JUL: 7,
  AUG: 8,
  SEP: 9,
  OCT: 10,
  NOV: 11,
  DEC: 12,
};

/** Parses Angel's IST wall-clock stamps `21-Jun-2023 10:46:10` (quotes, order book); undefined otherwise. */
export function parseIstDateTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const month = MONTHS[(m[2] ?? '').toUpperCase()];
  if (month === undefined) return undefined;
  const [day, year, hour, minute, second] = [m[1], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = istToEpochMs(year, month, day, hour, minute, second);
  return istParts(ms).day === day ? ms : undefined;
}

/** Parses an ISO stamp with offset (`2023-09-06T11:15:00+05:30`); a stamp without offset is read as IST. */
export function parseIsoTime(text: unknown): number | undefined {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text)) return undefined;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(text);
  const ms = Date.parse(hasZone ? text : `${text.replace(' ', 'T')}Z`);
  if (!Number.isFinite(ms)) return undefined;
  return hasZone ? ms : ms - IST_OFFSET_MS;
}

// ---- zod building blocks for broker JSON ----

const looseScalar = z.union([z.number(), z.string()]);

/** A required number (JSON number or numeric string). */
export const zNum = looseScalar.transform((value, ctx) => {
  const n = parseLooseNumber(value);
  if (n === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a number' });
    return z.NEVER;
  }
  return n;
});

/** An optional number: null, absent and "" become undefined; garbage is an issue. */
export const zOptNum = z
  .union([z.number(), z.string(), z.null()])
  .optional()
  .transform((value, ctx): number | undefined => {
    if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) {
      return undefined;
    }
    const n = parseLooseNumber(value);
    if (n === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected a number' });
      return z.NEVER;
    }
    return n;
  });

/** An optional integer count (quantities): fractional values are an issue. */
export const zOptInt = zOptNum.refine((n) => n === undefined || Number.isInteger(n), 'expected an integer');
export const zInt = zNum.refine((n) => Number.isInteger(n), 'expected an integer');

/** Required rupees → integer paise. */
export const zRupees = zNum.transform((n) => rupeesToPaiseLoose(n) as Paise);
/** Optional rupees → integer paise. */
export const zOptRupees = zOptNum.transform((n) => rupeesToPaiseLoose(n));

/** A string field that may arrive as a number or null (→ ""). */
export const zStr = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((v) => (v === null || v === undefined ? '' : String(v)));

/** Throws IF_ERR_BROKER_RESPONSE naming the first bad field (never its value: it may be sensitive). */
export function parseOrThrow<T>(schema: z.ZodType<T>, data: unknown, endpoint: string): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'data';
  throw new IfError('IF_ERR_BROKER_RESPONSE', {
    endpoint,
    detail: `${where}: ${issue?.message ?? 'invalid'}`,
  });
}
