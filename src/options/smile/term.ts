import { IfError } from '../../core/errors.js';
import { type SviParams, sviTotalVariance } from './svi.js';

/** One expiry's fitted smile. `expiry` is the caller's label (e.g. '2026-12-01'); order comes from time. */
export interface ExpirySmile {
  readonly expiry: string;
  /** time to expiry in years, on whichever basis (calendar or trading) the smile was fitted */
  readonly timeYears: number;
  readonly params: SviParams;
}

export interface AtmTermPoint {
  readonly expiry: string;
  readonly timeYears: number;
  /** ATM-forward total variance w(0) = σ_ATM²·T */
  readonly atmTotalVariance: number;
  /** ATM-forward implied vol, annualised */
  readonly atmIv: number;
}

/**
 * ATM-forward IV per expiry, sorted by time to expiry (ties keep input order). Expiries with T ≤ 0 or a
 * negative ATM variance are left out rather than shown as a made-up number.
 */
export function atmTermStructure(smiles: readonly ExpirySmile[]): readonly AtmTermPoint[] {
  const out: AtmTermPoint[] = [];
  for (const s of smiles) {
    if (!(s.timeYears > 0) || !Number.isFinite(s.timeYears)) continue;
    const w = sviTotalVariance(s.params, 0);
    if (!(w >= 0)) continue;
    out.push({
      expiry: s.expiry,
      timeYears: s.timeYears,
      atmTotalVariance: w,
      atmIv: Math.sqrt(w / s.timeYears),
    });
  }
  return out.sort((x, y) => x.timeYears - y.timeYears);
}

/**
 * ATM IV (annualised) at any time to expiry, interpolated linearly in total variance between the two
 * neighbouring expiries (reference §3.3 step 6); flat vol before the first and after the last expiry.
 * `term` must be sorted, as `atmTermStructure` returns it.
 */
export function interpolateAtmIv(term: readonly AtmTermPoint[], timeYears: number): number {
  if (!(timeYears > 0) || !Number.isFinite(timeYears)) {
    throw new IfError('IF_ERR_VALIDATION', { detail: `time to expiry must be > 0 years, got ${timeYears}` });
  }
  const first = term[0];
  const last = term[term.length - 1];
  if (first === undefined || last === undefined) {
    throw new IfError('IF_ERR_VALIDATION', { detail: 'ATM term structure is empty' });
  }
  if (timeYears <= first.timeYears) return first.atmIv;
  if (timeYears >= last.timeYears) return last.atmIv;
  for (let i = 1; i < term.length; i++) {
    const lo = term[i - 1];
    const hi = term[i];
    if (lo === undefined || hi === undefined || timeYears > hi.timeYears) continue;
    const t = (timeYears - lo.timeYears) / (hi.timeYears - lo.timeYears);
    const w = lo.atmTotalVariance + t * (hi.atmTotalVariance - lo.atmTotalVariance);
    return Math.sqrt(Math.max(w, 0) / timeYears);
  }
  return last.atmIv;
}

/** Default look-back for IV rank and percentile: 252 trading days, one year of daily closes. */
export const IV_LOOKBACK_DAYS = 252;

function lookback(history: readonly number[], current: number, window: number): readonly number[] {
  if (!Number.isInteger(window) || window < 1) {
    throw new IfError('IF_ERR_VALIDATION', {
      detail: `look-back window must be an integer >= 1, got ${window}`,
    });
  }
  if (!Number.isFinite(current) || !history.every(Number.isFinite)) {
    throw new IfError('IF_ERR_VALIDATION', { detail: 'IV history and current IV must be finite numbers' });
  }
  return history.slice(-window);
}

/**
 * IV rank in percent, 0–100: (IV_now − min)/(max − min) × 100 over the last `window` observations of
 * `history` together with today's `current`. `history` is one value per trading day, oldest first, and
 * does not contain today; the best series is a 30-day constant-maturity ATM IV (or India VIX), because a
 * near-expiry ATM IV jumps at every roll. Undefined when there is no history or the window is flat.
 */
export function ivRank(
  history: readonly number[],
  current: number,
  window = IV_LOOKBACK_DAYS,
): number | undefined {
  const past = lookback(history, current, window);
  if (past.length === 0) return undefined;
  let lo = current;
  let hi = current;
  for (const iv of past) {
    lo = Math.min(lo, iv);
    hi = Math.max(hi, iv);
  }
  return hi > lo ? ((current - lo) / (hi - lo)) * 100 : undefined;
}

/**
 * IV percentile in percent, 0–100: the share of the last `window` days of `history` (oldest first, today
 * excluded) on which IV was strictly below today's `current`. Strict "<", so a day equal to today does
 * not count. Undefined when there is no history.
 */
export function ivPercentile(
  history: readonly number[],
  current: number,
  window = IV_LOOKBACK_DAYS,
): number | undefined {
  const past = lookback(history, current, window);
  if (past.length === 0) return undefined;
  let below = 0;
  for (const iv of past) if (iv < current) below++;
  return (below / past.length) * 100;
}
