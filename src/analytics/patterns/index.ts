export { detectPatterns, PATTERN_WINDOW } from './detect.js';
export { PatternDetector, type PatternSeriesCandle, PatternSet } from './detector.js';
export {
  DOJI_MAX_BODY,
  ENGULF_IDEAL_RATIO,
  ENGULF_MIN_RATIO,
  HAMMER_MAX_OTHER_SHADOW,
  HAMMER_MIN_SHADOW,
  HAMMER_MIN_SHADOW_TO_BODY,
  INSIDE_IDEAL_RATIO,
  INSIDE_MAX_RATIO,
  LONG_BODY_MIN,
  type PatternCandle,
  type PatternDirection,
  type PatternMatch,
  type PatternName,
  SOLDIER_IDEAL_BODY,
  SOLDIER_MAX_CLOSING_SHADOW,
  STAR_MAX_BODY_TO_FIRST,
  STAR_MIN_PENETRATION,
  TREND_LOOKBACK,
  TREND_MIN_CANDLES,
} from './rules.js';
