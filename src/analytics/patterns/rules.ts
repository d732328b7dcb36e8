import type { Candle } from '../../feed/candles/index.js';

/**
 * Candlestick rules. Every threshold is a ratio, so the rules read the same on paise or rupees, on an
 * index or a ₹5 option. Unless a constant says otherwise, ratios are of the candle's own range
 * (high − low); a candle with zero range carries no shape and matches nothing.
 *
 * Strength: 0.5 when a pattern's key measure only just meets its threshold, rising linearly to 1 at the
 * textbook shape named beside each rule; it is never below 0.5 for a match.
 */

/** What a pattern reads from a candle; prices in paise. */
export type PatternCandle = Pick<Candle, 'open' | 'high' | 'low' | 'close'>;

export type PatternName =
  | 'bullish-engulfing'
  | 'bearish-engulfing'
  | 'hammer'
  | 'shooting-star'
  | 'doji'
  | 'morning-star'
  | 'evening-star'
  | 'inside-bar'
  | 'three-white-soldiers'
  | 'three-black-crows';

export type PatternDirection = 'bullish' | 'bearish' | 'neutral';

/** A pattern completed by the last candle of the window. */
export interface PatternMatch {
  readonly pattern: PatternName;
  /** the move the pattern foretells; neutral for indecision (doji) and compression (inside bar) */
  readonly direction: PatternDirection;
  /** 0.5 (thresholds just met) .. 1 (textbook shape) */
  readonly strength: number;
  /** candles forming the pattern, ending at the last one; trend context before them is not counted */
  readonly candlesUsed: 1 | 2 | 3;
}

/** Doji: body at most this share of the range. Ideal: no body. */
export const DOJI_MAX_BODY = 0.1;
/** A "long" (decisive) candle: body at least this share of the range. */
export const LONG_BODY_MIN = 0.6;
/** Hammer / shooting star: the long shadow is at least this many bodies. */
export const HAMMER_MIN_SHADOW_TO_BODY = 2;
/** Hammer / shooting star: the other shadow is at most this share of the range. */
export const HAMMER_MAX_OTHER_SHADOW = 0.1;
/**
 * The long shadow's share of the range that the two hammer rules above imply at their limits
 * (shadow = 2 × body, other shadow = 0.1: 1.5 × shadow = 0.9). Ideal: 1 (no body, no other shadow).
 */
export const HAMMER_MIN_SHADOW = 0.6;
/** Candles before a hammer or shooting star whose closes give the trend it must reverse. */
export const TREND_LOOKBACK = 5;
/** Fewer prior candles than this and the trend is unknown, so hammer and shooting star are not reported. */
export const TREND_MIN_CANDLES = 3;
/** Engulfing: the engulfing body is more than this many times the engulfed one. Ideal: ENGULF_IDEAL_RATIO. */
export const ENGULF_MIN_RATIO = 1;
export const ENGULF_IDEAL_RATIO = 2;
/** Inside bar: its range is below this share of the mother bar's. Ideal: INSIDE_IDEAL_RATIO. */
export const INSIDE_MAX_RATIO = 1;
export const INSIDE_IDEAL_RATIO = 0.25;
/** Morning / evening star: the star's body is at most this share of the first candle's body. */
export const STAR_MAX_BODY_TO_FIRST = 0.3;
/**
 * Morning / evening star: the third candle closes at least this far back into the first candle's body
 * (0.5 = past its midpoint). Ideal: 1, the whole first body retraced.
 */
export const STAR_MIN_PENETRATION = 0.5;
/** Three soldiers / crows: the shadow beyond each close is at most this share of the range. */
export const SOLDIER_MAX_CLOSING_SHADOW = 0.25;
/** Three soldiers / crows: ideal body share of each candle (the smallest of the three is graded). */
export const SOLDIER_IDEAL_BODY = 0.9;

/** Maps a measure from its threshold (0.5) to its ideal (1), clamped; works whichever side the ideal is. */
export function grade(value: number, threshold: number, ideal: number): number {
  const t = (value - threshold) / (ideal - threshold);
  return Math.min(1, Math.max(0.5, 0.5 + 0.5 * t));
}
