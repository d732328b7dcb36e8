export {
  ANGEL_REST_BASE_URL,
  AngelRestClient,
  type AngelRestClientOptions,
  type BreakerGroup,
  type BreakerOptions,
  type BreakerState,
  QUOTE_BATCH_SIZE,
  type RetryOptions,
  candleChunks,
  quoteBatches,
} from './client.js';
export { type EnvelopeResult, type RawResponse, parseEnvelope, unwrapEnvelope } from './envelope.js';
export {
  ANGEL_ERROR_CODES,
  type AngelErrorCode,
  type BrokerCodeEntry,
  REFRESHABLE_CODES,
  brokerError,
  ifCodeForBrokerCode,
  isKnownAngelCode,
  sanitizeBrokerText,
} from './errorCodes.js';
export { ANGEL_RATE_LIMITS, type RateBucket, RateGate, type RateLimitOptions } from './limits.js';
export {
  formatIstMinute,
  paiseToRupeeString,
  parseIstDateTime,
  parseIsoTime,
  parseLooseNumber,
  rupeesToPaiseLoose,
} from './parse.js';
export * from './types.js';
