export { SimOrderEngine, type SimOrderEngineOptions } from './engine.js';
export { angelMppPercent, protectedLimitPaise } from './mpp.js';
export { ANGEL_ORDER_ERRORS } from './validate.js';
export { DEFAULT_MARGIN_RATES, type MarginRates } from './ledger.js';
export { angelDateTime, angelTimeOfDay, type NegativeAmountStyle } from './format.js';
export * from './types.js';
