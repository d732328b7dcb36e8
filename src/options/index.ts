// The package subpath `indexflow/options`: options maths, pure (no I/O). One `export … from` line per part.
export {
  type ImpliedVolatilityInput,
  type ImpliedVolatilityResult,
  impliedVolatility,
  tryImpliedVolatility,
} from './iv/index.js';
export { type Black76Input, type BsmInput, black76, bsm, bsmGreeks, greeks } from './pricing/index.js';
export {
  DAYS_PER_YEAR,
  type DayBasis,
  type DisplayGreeks,
  type GreekUnits,
  type Greeks,
  perLot,
} from './pricing/index.js';
export {
  logMoneyness,
  normalisedBlack,
  normalisedVega,
  normCdf,
  normPdf,
  normQuantile,
} from './iv/index.js';
export * from './analytics/index.js';
export * from './chain/index.js';
export * from './smile/index.js';
