export {
  type SviParams,
  sviDurrlemanG,
  sviImpliedVol,
  sviMinimum,
  sviTotalVariance,
  sviViolations,
} from './svi.js';
export { fitSvi, type SviFit, type SviFitOptions, type SviPoint } from './fit.js';
export {
  type ArbitrageCheck,
  butterflyArbitrage,
  calendarArbitrage,
  DEFAULT_K_GRID,
  type KGrid,
  type KInterval,
} from './arbitrage.js';
export {
  atmImpliedVol,
  butterfly25d,
  type DeltaSkew,
  deltaSkew,
  deltaStrike,
  riskReversal25d,
} from './skew.js';
export {
  type AtmTermPoint,
  atmTermStructure,
  type ExpirySmile,
  IV_LOOKBACK_DAYS,
  interpolateAtmIv,
  ivPercentile,
  ivRank,
} from './term.js';
