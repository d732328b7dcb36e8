// Implied volatility (Let's Be Rational) and the special functions it is built on; pure, no I/O.
export {
  geometricMean,
  type ImpliedVolatilityInput,
  type ImpliedVolatilityResult,
  impliedVolatility,
  tryImpliedVolatility,
} from './impliedVolatility.js';
export { totalVolatilityOtmCall } from './letsBeRational.js';
export {
  logMoneyness,
  normalisedBlack,
  normalisedBlackOtmCall,
  normalisedBlackOtmCallAndVega,
  normalisedVega,
  vegaOfLastCall,
} from './normalisedBlack.js';
export { erf, erfc, erfcx, normCdf, normPdf, normQuantile } from './normal.js';
