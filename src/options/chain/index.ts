// Live option chains per underlying and expiry: IV, Greeks, forward, analytics and smile; pure, no I/O.
export { OptionChain } from './chain.js';
export { type ForwardSource, type ParityForward, parityForward } from './forward.js';
export {
  type AtmIvSnapshot,
  type AtmIvSnapshotSource,
  atmIvFromSnapshotRows,
  dailyAtmIvHistory,
  loadAtmIvHistory,
  MIN_HISTORY_DAYS_TO_EXPIRY,
} from './history.js';
export {
  black76GreeksInto,
  type GreeksSlot,
  type IvUnavailable,
  type SolveStats,
  solveVol,
} from './kernel.js';
export {
  type ChainInstrumentSource,
  ChainRegistry,
  type ChainRegistryRequest,
  type WarehouseChainSnapshot,
} from './registry.js';
export { type SmileFitJob, type SmileFitMode, smileFromFit, smilePoints } from './summary.js';
export {
  CALENDAR_YEAR_MS,
  ExpiryClock,
  type TimeBasis,
  TRADING_DAYS_PER_YEAR,
  timeToExpiryYears,
} from './timeToExpiry.js';
export {
  type ChainDelta,
  type ChainRowSnapshot,
  type ChainSideSnapshot,
  type ChainSnapshot,
  type ChainStats,
  type ChainStrikeInstruments,
  type ChainSummary,
  DEFAULT_DIVIDEND_YIELD,
  DEFAULT_RATE,
  type IvSource,
  type LotGreeks,
  type OptionChainInput,
  type OptionChainOptions,
  type SmileSummary,
} from './types.js';
