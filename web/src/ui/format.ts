/** Display formats the way Indian traders read them: ₹ with lakh/crore grouping, IST clock times. */

const rupees = new Intl.NumberFormat('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const whole = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-IN', { notation: 'compact', maximumFractionDigits: 1 });
const signedCompact = new Intl.NumberFormat('en-IN', {
  notation: 'compact',
  maximumFractionDigits: 1,
  signDisplay: 'exceptZero',
});
const time = new Intl.DateTimeFormat('en-IN', {
  timeZone: 'Asia/Kolkata',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

export const DASH = '–';

const known = (value: number | undefined): value is number => value !== undefined && Number.isFinite(value);

/** paise → "25,894.95" */
export function paise(value: number | undefined): string {
  return known(value) ? rupees.format(value / 100) : DASH;
}

/** paise → "25,900" (strikes) */
export function strike(value: number | undefined): string {
  return known(value) ? whole.format(value / 100) : DASH;
}

/** contracts → "1.6L", "12.3K" */
export function lots(value: number | undefined): string {
  return known(value) ? compact.format(value) : DASH;
}

/** contracts, signed → "+1.2K" */
export function signedLots(value: number | undefined): string {
  return known(value) ? signedCompact.format(value) : DASH;
}

/** annualised fraction → "13.2%" */
export function percent(value: number | undefined, digits = 1): string {
  return known(value) ? `${(value * 100).toFixed(digits)}%` : DASH;
}

export function fixed(value: number | undefined, digits: number): string {
  return known(value) ? value.toFixed(digits) : DASH;
}

/** epoch ms → "14:05:09" IST */
export function clock(ms: number | undefined): string {
  return known(ms) && ms > 0 ? time.format(ms) : DASH;
}

/** -1 / 0 / 1 for colouring a change */
export function sign(value: number | undefined): -1 | 0 | 1 {
  if (!known(value) || value === 0) return 0;
  return value > 0 ? 1 : -1;
}

/** "long-build-up" → "Long build-up" */
export function label(text: string | undefined): string {
  if (text === undefined) return DASH;
  const spaced = text.replace(/-/g, ' ').replace(' up', '-up');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
