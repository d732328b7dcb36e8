import type { SeededRandom } from '../../core/random.js';
import { IST_OFFSET_MS, formatDdMmmYyyy } from '../../core/time.js';

const MONTH_NAMES = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** Angel's order timestamp `25-Oct-2023 23:53:21` (IST) for epoch ms. */
export function angelDateTime(epochMs: number): string {
  const d = new Date(epochMs + IST_OFFSET_MS);
  return (
    `${pad(d.getUTCDate())}-${MONTH_NAMES[d.getUTCMonth()] ?? '???'}-${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/** The trade book's fill time `13:27:53` (IST) for epoch ms. */
export function angelTimeOfDay(epochMs: number): string {
  const d = new Date(epochMs + IST_OFFSET_MS);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `YYMMDD` of the IST date containing epoch ms: the first six digits of a live order id. */
export function istYymmdd(epochMs: number): string {
  const d = new Date(epochMs + IST_OFFSET_MS);
  return `${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
}

/** An ISO `YYYY-MM-DD` expiry as Angel's `DDMMMYYYY`; empty when absent or malformed. */
export function angelExpiry(isoDate: string | undefined): string {
  if (isoDate === undefined) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) return '';
  return formatDdMmmYyyy(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Paise (possibly fractional, e.g. an average) as a rupee number rounded to the paisa. */
export function rupeeNumber(paise: number): number {
  return roundHalfAway(paise) / 100;
}

/** Rupees rounded to four decimals, for averages whose exact value is a fraction of a paisa. */
export function rupeeNumber4(paise: number): number {
  return roundHalfAway(paise * 100) / 10_000;
}

export type NegativeAmountStyle = 'plain' | 'spaced';

/**
 * Paise as Angel's two-decimal rupee string. `spaced` writes negatives as `- 2235.80`, the form the
 * documented getPosition sample shows; `plain` writes `-2235.80`.
 */
export function rupeeString(paise: number, style: NegativeAmountStyle = 'plain'): string {
  const whole = roundHalfAway(paise);
  const abs = Math.abs(whole);
  const text = `${Math.trunc(abs / 100)}.${pad(abs % 100)}`;
  if (whole >= 0) return text;
  return style === 'spaced' ? `- ${text}` : `-${text}`;
}

function roundHalfAway(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value));
}

/** A UUID-v4-shaped id drawn from the seeded generator, so runs with the same seed repeat it. */
export function seededUuid(random: SeededRandom): string {
  let hex = '';
  for (let i = 0; i < 4; i++)
    hex += Math.floor(random.next() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return (
    `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-` +
    `${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
  );
}
