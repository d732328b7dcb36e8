import {
  DOJI_MAX_BODY,
  ENGULF_IDEAL_RATIO,
  ENGULF_MIN_RATIO,
  grade,
  HAMMER_MAX_OTHER_SHADOW,
  HAMMER_MIN_SHADOW,
  HAMMER_MIN_SHADOW_TO_BODY,
  INSIDE_IDEAL_RATIO,
  INSIDE_MAX_RATIO,
  LONG_BODY_MIN,
  type PatternCandle,
  type PatternMatch,
  SOLDIER_IDEAL_BODY,
  SOLDIER_MAX_CLOSING_SHADOW,
  STAR_MAX_BODY_TO_FIRST,
  STAR_MIN_PENETRATION,
  TREND_LOOKBACK,
  TREND_MIN_CANDLES,
} from './rules.js';

/** Candles a detector must keep: the longest pattern (3) plus the trend lookback before a 1-candle one. */
export const PATTERN_WINDOW = Math.max(3, 1 + TREND_LOOKBACK);

const range = (c: PatternCandle): number => c.high - c.low;
const body = (c: PatternCandle): number => Math.abs(c.close - c.open);
const upperShadow = (c: PatternCandle): number => c.high - Math.max(c.open, c.close);
const lowerShadow = (c: PatternCandle): number => Math.min(c.open, c.close) - c.low;
const isBull = (c: PatternCandle): boolean => c.close > c.open;
const isBear = (c: PatternCandle): boolean => c.close < c.open;
/** body share of the range; callers have checked the range is positive */
const bodyRatio = (c: PatternCandle): number => body(c) / range(c);
const isLong = (c: PatternCandle): boolean => range(c) > 0 && bodyRatio(c) >= LONG_BODY_MIN;
/** a real body: not a doji and not a zero-range candle */
const hasBody = (c: PatternCandle): boolean => range(c) > 0 && bodyRatio(c) > DOJI_MAX_BODY;

/**
 * Trend of the closes over the (up to TREND_LOOKBACK) candles before index `end`: −1 falling, +1 rising,
 * 0 flat or fewer than TREND_MIN_CANDLES candles to judge by.
 */
function priorTrend(candles: readonly PatternCandle[], end: number): -1 | 0 | 1 {
  const first = Math.max(0, end - TREND_LOOKBACK);
  if (end - first < TREND_MIN_CANDLES) return 0;
  const from = candles[first]?.close ?? Number.NaN;
  const to = candles[end - 1]?.close ?? Number.NaN;
  if (to < from) return -1;
  if (to > from) return 1;
  return 0;
}

function doji(c: PatternCandle): PatternMatch | undefined {
  const r = range(c);
  if (r <= 0) return undefined;
  const ratio = body(c) / r;
  if (ratio > DOJI_MAX_BODY) return undefined;
  return { pattern: 'doji', direction: 'neutral', strength: grade(ratio, DOJI_MAX_BODY, 0), candlesUsed: 1 };
}

/** Long lower shadow, little upper shadow, after a decline (the same shape after a rise is a hanging man). */
function hammer(c: PatternCandle, trend: number): PatternMatch | undefined {
  const r = range(c);
  if (r <= 0 || trend >= 0) return undefined;
  const lower = lowerShadow(c);
  if (lower < HAMMER_MIN_SHADOW_TO_BODY * body(c) || upperShadow(c) > HAMMER_MAX_OTHER_SHADOW * r) {
    return undefined;
  }
  const strength = grade(lower / r, HAMMER_MIN_SHADOW, 1);
  return { pattern: 'hammer', direction: 'bullish', strength, candlesUsed: 1 };
}

/** Long upper shadow, little lower shadow, after a rise (after a fall the shape is an inverted hammer). */
function shootingStar(c: PatternCandle, trend: number): PatternMatch | undefined {
  const r = range(c);
  if (r <= 0 || trend <= 0) return undefined;
  const upper = upperShadow(c);
  if (upper < HAMMER_MIN_SHADOW_TO_BODY * body(c) || lowerShadow(c) > HAMMER_MAX_OTHER_SHADOW * r) {
    return undefined;
  }
  const strength = grade(upper / r, HAMMER_MIN_SHADOW, 1);
  return { pattern: 'shooting-star', direction: 'bearish', strength, candlesUsed: 1 };
}

/**
 * The second body covers the first, opposite-coloured real body (edges may touch: intraday candles
 * rarely gap, so the open usually equals the previous close) and is larger than it.
 */
function engulfing(prev: PatternCandle, c: PatternCandle): PatternMatch | undefined {
  if (!hasBody(prev) || range(c) <= 0) return undefined;
  const ratio = body(c) / body(prev);
  if (ratio <= ENGULF_MIN_RATIO) return undefined;
  const strength = grade(ratio, ENGULF_MIN_RATIO, ENGULF_IDEAL_RATIO);
  if (isBear(prev) && isBull(c) && c.open <= prev.close && c.close >= prev.open) {
    return { pattern: 'bullish-engulfing', direction: 'bullish', strength, candlesUsed: 2 };
  }
  if (isBull(prev) && isBear(c) && c.open >= prev.close && c.close <= prev.open) {
    return { pattern: 'bearish-engulfing', direction: 'bearish', strength, candlesUsed: 2 };
  }
  return undefined;
}

/** High and low within the previous candle's, with a strictly smaller range. */
function insideBar(prev: PatternCandle, c: PatternCandle): PatternMatch | undefined {
  const prevRange = range(prev);
  if (prevRange <= 0 || c.high > prev.high || c.low < prev.low) return undefined;
  const ratio = range(c) / prevRange;
  if (ratio >= INSIDE_MAX_RATIO) return undefined;
  const strength = grade(ratio, INSIDE_MAX_RATIO, INSIDE_IDEAL_RATIO);
  return { pattern: 'inside-bar', direction: 'neutral', strength, candlesUsed: 2 };
}

/**
 * A long candle, a small-bodied star sitting beyond its close (body midpoint at or past the first close:
 * a strict gap is rare intraday), then an opposite real body closing at least halfway back into the
 * first body.
 */
function star(a: PatternCandle, b: PatternCandle, c: PatternCandle): PatternMatch | undefined {
  if (!isLong(a) || !hasBody(c) || range(b) <= 0) return undefined;
  const firstBody = body(a);
  if (body(b) > STAR_MAX_BODY_TO_FIRST * firstBody) return undefined;
  const starMid = (b.open + b.close) / 2;
  if (isBear(a) && isBull(c) && starMid <= a.close) {
    const penetration = (c.close - a.close) / firstBody;
    if (penetration < STAR_MIN_PENETRATION) return undefined;
    const strength = grade(penetration, STAR_MIN_PENETRATION, 1);
    return { pattern: 'morning-star', direction: 'bullish', strength, candlesUsed: 3 };
  }
  if (isBull(a) && isBear(c) && starMid >= a.close) {
    const penetration = (a.close - c.close) / firstBody;
    if (penetration < STAR_MIN_PENETRATION) return undefined;
    const strength = grade(penetration, STAR_MIN_PENETRATION, 1);
    return { pattern: 'evening-star', direction: 'bearish', strength, candlesUsed: 3 };
  }
  return undefined;
}

/** One soldier (crow when `up` is false): a long candle of that colour closing near its extreme. */
function isSoldier(c: PatternCandle, up: boolean): boolean {
  if (!isLong(c) || (up ? !isBull(c) : !isBear(c))) return false;
  const closingShadow = up ? upperShadow(c) : lowerShadow(c);
  return closingShadow <= SOLDIER_MAX_CLOSING_SHADOW * range(c);
}

/** `c` opens within the body of `prev` and closes beyond its close, in the direction `up`. */
function advances(prev: PatternCandle, c: PatternCandle, up: boolean): boolean {
  const lo = Math.min(prev.open, prev.close);
  const hi = Math.max(prev.open, prev.close);
  return c.open >= lo && c.open <= hi && (up ? c.close > prev.close : c.close < prev.close);
}

/** Three long same-coloured candles, each opening within the previous body and closing beyond it. */
function threeSoldiersOrCrows(
  a: PatternCandle,
  b: PatternCandle,
  c: PatternCandle,
): PatternMatch | undefined {
  const up = isBull(a);
  if (!isSoldier(a, up) || !isSoldier(b, up) || !isSoldier(c, up)) return undefined;
  if (!advances(a, b, up) || !advances(b, c, up)) return undefined;
  const strength = grade(
    Math.min(bodyRatio(a), bodyRatio(b), bodyRatio(c)),
    LONG_BODY_MIN,
    SOLDIER_IDEAL_BODY,
  );
  return up
    ? { pattern: 'three-white-soldiers', direction: 'bullish', strength, candlesUsed: 3 }
    : { pattern: 'three-black-crows', direction: 'bearish', strength, candlesUsed: 3 };
}

/**
 * Every pattern completed by the last of `candles` (closed candles, oldest first). Earlier candles serve
 * as the pattern's other candles and as trend context; give at least PATTERN_WINDOW for all rules.
 * Returned in a fixed order: one-candle, then two-candle, then three-candle patterns.
 */
export function detectPatterns(candles: readonly PatternCandle[]): PatternMatch[] {
  const matches: PatternMatch[] = [];
  const n = candles.length;
  const c = candles[n - 1];
  if (c === undefined) return matches;
  const trend = priorTrend(candles, n - 1);
  push(matches, doji(c));
  push(matches, hammer(c, trend));
  push(matches, shootingStar(c, trend));
  const b = candles[n - 2];
  if (b === undefined) return matches;
  push(matches, engulfing(b, c));
  push(matches, insideBar(b, c));
  const a = candles[n - 3];
  if (a === undefined) return matches;
  push(matches, star(a, b, c));
  push(matches, threeSoldiersOrCrows(a, b, c));
  return matches;
}

function push(matches: PatternMatch[], match: PatternMatch | undefined): void {
  if (match !== undefined) matches.push(match);
}
