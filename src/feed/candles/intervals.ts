import { IfError } from '../../core/errors.js';

/** Candle intervals the platform charts and stores, finest first. */
export const CANDLE_INTERVALS = ['1s', '1m', '3m', '5m', '15m'] as const;
export type CandleInterval = (typeof CANDLE_INTERVALS)[number];

/** Length of each interval in ms. */
export const INTERVAL_MS: Readonly<Record<CandleInterval, number>> = {
  '1s': 1_000,
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
};

export function isCandleInterval(value: string): value is CandleInterval {
  return (CANDLE_INTERVALS as readonly string[]).includes(value);
}

/**
 * Epoch ms of the start of the bucket holding `timeMs`: buckets are laid from the session open
 * (09:15 IST), not from midnight, so a 3m candle starts at 09:15, 09:18, … and a 15m one at 09:15, 09:30, ….
 * `timeMs` must be at or after `openMs`.
 */
export function bucketStartMs(timeMs: number, openMs: number, intervalMs: number): number {
  return openMs + Math.floor((timeMs - openMs) / intervalMs) * intervalMs;
}

/**
 * Epoch ms (exclusive) of the end of the bucket starting at `startMs`. The session close cuts the last
 * bucket: with the 15:40 F&O close a 15m candle runs 15:30–15:40, because a candle must never hold ticks of
 * two sessions and the exchange's own closing bar ends at the close.
 */
export function bucketEndMs(startMs: number, intervalMs: number, closeMs: number): number {
  const end = startMs + intervalMs;
  return Math.min(end, closeMs);
}

/** Validates and orders a configured interval set, finest first (the order candles are emitted in). */
export function normaliseIntervals(intervals: readonly string[]): CandleInterval[] {
  if (intervals.length === 0) {
    throw new IfError('IF_ERR_VALIDATION', { detail: 'candle intervals must not be empty' });
  }
  const seen = new Set<string>();
  for (const interval of intervals) {
    if (!isCandleInterval(interval)) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `unknown candle interval "${interval}" (use ${CANDLE_INTERVALS.join(', ')})`,
      });
    }
    if (seen.has(interval)) {
      throw new IfError('IF_ERR_VALIDATION', { detail: `candle interval "${interval}" given twice` });
    }
    seen.add(interval);
  }
  return CANDLE_INTERVALS.filter((interval) => seen.has(interval));
}
