/**
 * Daily ATM-IV history from stored chain snapshots, the input of IV rank and IV percentile.
 *
 * Pure except `loadAtmIvHistory`, which reads through a minimal `range()` port so this folder never
 * imports storage (ChainSnapshotRepository fits the port structurally). Stored rows are parsed JSON of
 * whatever shape the chain emitted when they were written, so the readers here check every field they
 * use and treat anything else as "no IV".
 */

import { DAY_MS, istDateKey, istMidnight } from '../../core/time.js';

/** A stored chain snapshot as far as ATM IV needs it (StoredChainSnapshot and WarehouseChainSnapshot fit). */
export interface AtmIvSnapshot {
  /** `YYYY-MM-DD` (IST) */
  readonly expiry: string;
  /** epoch ms */
  readonly takenAtMs: number;
  /** paise */
  readonly forwardPaise: number | undefined;
  /** ChainRowSnapshot-like rows, ascending or not; unknown because they come back from JSON */
  readonly rows: readonly unknown[];
}

/** The one read the loader needs: snapshots of a chain with `fromMs <= takenAtMs < toMs`. */
export interface AtmIvSnapshotSource {
  range(underlying: string, expiry: string, fromMs: number, toMs: number): Promise<readonly AtmIvSnapshot[]>;
}

/** Expiries at least this many calendar days out are preferred: a weekly's ATM IV jumps near expiry. */
export const MIN_HISTORY_DAYS_TO_EXPIRY = 7;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function positiveFinite(value: unknown): number | undefined {
  return typeof value === 'number' && value > 0 && value < Number.POSITIVE_INFINITY ? value : undefined;
}

function headlineIv(side: unknown): number | undefined {
  return isRecord(side) ? positiveFinite(side.iv) : undefined;
}

/**
 * ATM IV (annualised) of one snapshot: the mean of the call's and the put's headline `iv` at the strike
 * nearest `forwardPaise` (ties to the lower strike, as analytics' atmStrike), or the one side that has
 * an IV. Undefined without a forward, without rows, or when the ATM strike has no IV on either side.
 */
export function atmIvFromSnapshotRows(
  rows: readonly unknown[],
  forwardPaise: number | undefined,
): number | undefined {
  const forward = positiveFinite(forwardPaise);
  if (forward === undefined) return undefined;
  let best: Record<string, unknown> | undefined;
  let bestStrike = 0;
  for (const row of rows) {
    if (!isRecord(row)) continue;
    const strike = positiveFinite(row.strike);
    if (strike === undefined) continue;
    const d = Math.abs(strike - forward);
    const bestD = Math.abs(bestStrike - forward);
    if (best === undefined || d < bestD || (d === bestD && strike < bestStrike)) {
      best = row;
      bestStrike = strike;
    }
  }
  if (best === undefined) return undefined;
  const call = headlineIv(best.call);
  const put = headlineIv(best.put);
  if (call !== undefined && put !== undefined) return (call + put) / 2;
  return call ?? put;
}

/** Calendar days from IST date `day` to `expiry`, both `YYYY-MM-DD`; NaN for a malformed date. */
function calendarDaysTo(day: string, expiry: string): number {
  return Math.round((Date.parse(`${expiry}T00:00:00Z`) - Date.parse(`${day}T00:00:00Z`)) / DAY_MS);
}

/**
 * One ATM IV per IST day, oldest first, from snapshots of one underlying across any number of expiries.
 *
 * Per IST day and expiry the LAST snapshot of the day is read (its ATM IV as atmIvFromSnapshotRows).
 * Among the expiries that give an IV that day and have not expired, the day takes the nearest expiry at
 * least {@link MIN_HISTORY_DAYS_TO_EXPIRY} calendar days out, else the nearest one. That keeps the series
 * off expiry-week IV and lets it roll from one expiry to the next; it is not a constant-maturity IV.
 * Days with no IV at all are skipped, so the series has one value per day that had data.
 */
export function dailyAtmIvHistory(
  snapshots: readonly AtmIvSnapshot[],
  minDaysToExpiry = MIN_HISTORY_DAYS_TO_EXPIRY,
): number[] {
  // day → expiry → last snapshot of that day
  const last = new Map<string, Map<string, AtmIvSnapshot>>();
  for (const s of snapshots) {
    if (!Number.isFinite(s.takenAtMs)) continue;
    const day = istDateKey(s.takenAtMs);
    let byExpiry = last.get(day);
    if (byExpiry === undefined) {
      byExpiry = new Map();
      last.set(day, byExpiry);
    }
    const seen = byExpiry.get(s.expiry);
    if (seen === undefined || s.takenAtMs >= seen.takenAtMs) byExpiry.set(s.expiry, s);
  }
  const out: number[] = [];
  // `YYYY-MM-DD` keys sort as dates.
  for (const day of [...last.keys()].sort()) {
    let far: { days: number; iv: number } | undefined;
    let near: { days: number; iv: number } | undefined;
    for (const [expiry, s] of last.get(day) ?? []) {
      const days = calendarDaysTo(day, expiry);
      if (!(days >= 0)) continue;
      const iv = atmIvFromSnapshotRows(s.rows, s.forwardPaise);
      if (iv === undefined) continue;
      if (near === undefined || days < near.days) near = { days, iv };
      if (days >= minDaysToExpiry && (far === undefined || days < far.days)) far = { days, iv };
    }
    const pick = far ?? near;
    if (pick !== undefined) out.push(pick.iv);
  }
  return out;
}

/**
 * Reads `[fromMs, toMs)` of the given expiries of `underlying` and returns dailyAtmIvHistory of them.
 * It reads one IST day of one expiry per call and keeps only that day's last snapshot, so memory stays
 * at one day of minute snapshots however long the range; an expiry is not read for days after it.
 */
export async function loadAtmIvHistory(
  source: AtmIvSnapshotSource,
  underlying: string,
  expiries: readonly string[],
  fromMs: number,
  toMs: number,
  minDaysToExpiry = MIN_HISTORY_DAYS_TO_EXPIRY,
): Promise<number[]> {
  const kept: AtmIvSnapshot[] = [];
  // IST has no daylight saving, so IST days are DAY_MS apart.
  for (let dayStart = istMidnight(fromMs); dayStart < toMs; dayStart += DAY_MS) {
    const day = istDateKey(dayStart);
    const from = Math.max(dayStart, fromMs);
    const to = Math.min(dayStart + DAY_MS, toMs);
    for (const expiry of expiries) {
      if (expiry < day) continue;
      const snapshots = await source.range(underlying, expiry, from, to);
      let latest: AtmIvSnapshot | undefined;
      for (const s of snapshots) if (latest === undefined || s.takenAtMs >= latest.takenAtMs) latest = s;
      if (latest !== undefined) kept.push(latest);
    }
  }
  return dailyAtmIvHistory(kept, minDaysToExpiry);
}
