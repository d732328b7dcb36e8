export {
  DEFAULT_UNDERLYINGS,
  type MarketModelOptions,
  type UnderlyingConfig,
  type UnderlyingInput,
  type UnderlyingName,
} from './config.js';
export { FNO_TICK_PAISE, futureSymbol, masterExpiry, optionSymbol } from './instruments.js';
export { createMarketModel } from './model.js';
export { black76, normCdf, ssviSlice, sviTotalVariance } from './pricing.js';
export type {
  BookLevel,
  InstrumentMarketState,
  MarketModel,
  OptionQuoteModel,
  ScripMasterRow,
  SimMarketModel,
  SmileSnapshot,
  SviParameters,
} from './types.js';
