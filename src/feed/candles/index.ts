export {
  type Candle,
  CandleBuilder,
  type CandleBuilderOptions,
  type CandleBuilderStats,
} from './builder.js';
export {
  bucketEndMs,
  bucketStartMs,
  CANDLE_INTERVALS,
  type CandleInterval,
  INTERVAL_MS,
  isCandleInterval,
  normaliseIntervals,
} from './intervals.js';
