export { Atr, trueRange } from './atr.js';
export { Bollinger, type BollingerValue } from './bollinger.js';
export { Ema } from './ema.js';
export { Macd, type MacdValue } from './macd.js';
export { Rsi } from './rsi.js';
export {
  createIndicator,
  type IndicatorKind,
  type IndicatorReading,
  IndicatorSet,
  type IndicatorSetOptions,
  type IndicatorSetStats,
  type IndicatorSnapshot,
  type IndicatorSpec,
  indicatorName,
  type SeriesCandle,
} from './set.js';
export { Sma } from './sma.js';
export { SuperTrend, type SuperTrendValue } from './supertrend.js';
export {
  RealizedVolatility,
  SESSION_MINUTES as REALIZED_VOL_SESSION_MINUTES,
  TRADING_DAYS_PER_YEAR,
} from './realizedVolatility.js';
export type { IndicatorCandle, StreamingIndicator } from './types.js';
export { Vwap, type VwapOptions } from './vwap.js';
