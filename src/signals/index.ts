/** `signals`: strategies, the composite signal builder, instrument picking and the signal lifecycle (pure). */
export { buildSignal, type CompositeConfig, type CompositeScore, compositeScore } from './composite.js';
export {
  type ParseResult,
  parseSignalConfig,
  type SignalConfig,
  SignalConfigHolder,
  SignalConfigSchema,
} from './config.js';
export {
  deltaBandDistance,
  type FutureQuote,
  instrumentPicker,
  type NotPicked,
  type Picked,
  type PickerConfig,
  type PickInstrument,
  type PickResult,
  pickFuture,
  pickOption,
} from './instrumentPicker.js';
export { cancel, isTerminal, onPrice, onTime } from './lifecycle.js';
export {
  DEFAULT_MEAN_REVERSION_PARAMS,
  type MeanReversionParams,
  meanReversionStrategy,
} from './strategies/meanReversion.js';
export { DEFAULT_TREND_PARAMS, type TrendParams, trendStrategy } from './strategies/trend.js';
export type * from './types.js';
export {
  DEFAULT_SIGNAL_PERIODS,
  SIGNAL_ATR_NAME,
  SignalEngine,
  type SignalEngineEvent,
  type SignalEngineOptions,
  type SignalEngineStats,
  type SignalIndicatorPeriods,
  type SignalMarket,
  type SignalUnderlying,
} from './engine.js';
