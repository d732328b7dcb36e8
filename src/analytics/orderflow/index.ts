export { type Aggressor, classifyAggressor, quoteRule, tickRule } from './aggressor.js';
export {
  depthImbalance,
  depthImbalanceLevels,
  isTwoSided,
  microprice,
  midPrice,
  sideQuantity,
  spreadPaise,
  type TopOfBook,
} from './book.js';
export { EwStats } from './ewStats.js';
export { ofiContribution } from './ofi.js';
export { OrderFlowRegistry } from './registry.js';
export {
  type OrderFlowInstrument,
  type OrderFlowOptions,
  type OrderFlowSnapshot,
  type OrderFlowStats,
  OrderFlowTracker,
  resolveOrderFlowOptions,
} from './tracker.js';
export { BucketWindow } from './window.js';
