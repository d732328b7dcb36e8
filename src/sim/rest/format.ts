import { IST_OFFSET_MS, istToEpochMs } from '../../core/time.js';

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/** Paise to rupees as REST serves them (floats, at most two decimals). */
export function rupees(paise: number): number {
  return Math.round(paise) / 100;
}

/** Rounds to two decimals (percentages, averages). */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Angel's quote/order timestamp `21-Jun-2023 10:46:10` (IST). */
export function angelDateTime(epochMs: number): string {
  const d = new Date(epochMs + IST_OFFSET_MS);
  return (
    `${pad2(d.getUTCDate())}-${MONTH_NAMES[d.getUTCMonth()]}-${d.getUTCFullYear()} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

/** Candle/OI timestamp `2023-09-06T11:15:00+05:30`. */
export function istIso(epochMs: number): string {
  const d = new Date(epochMs + IST_OFFSET_MS);
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}` +
    `T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}+05:30`
  );
}

/** Parses the history API's `yyyy-MM-dd HH:mm` (IST); undefined when malformed or not a real date. */
export function parseHistoryDate(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59) return undefined;
  const epoch = istToEpochMs(year, month, day, hour, minute);
  const check = new Date(epoch + IST_OFFSET_MS);
  if (check.getUTCDate() !== day || check.getUTCMonth() + 1 !== month) return undefined;
  return epoch;
}
