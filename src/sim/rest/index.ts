export { createSimRestApp } from './app.js';
export type { SimOrderEngineLike, SimRestDeps } from './types.js';
export { SimRestFaults, type FaultDecision, type GatewayErrorStatus, type RoutePattern } from './faults.js';
export { RATE_LIMIT_BUCKETS, type RateLimitBucket } from './limits.js';
export { RATE_LIMIT_TEXT } from './envelopes.js';
export { SCRIP_MASTER_PATH, canonicalPath } from './paths.js';
export { CANDLE_INTERVALS, type CandleInterval, type CandleRow } from './candles.js';
