export type { Chain, ChainQuote, ChainRow } from './types.js';
export { type OiWalls, oiWalls, type PcrBasis, putCallRatio } from './oi.js';
export { type MaxPain, maxPain, type PainPoint } from './maxPain.js';
export {
  type BuildUp,
  type BuildUpDeadBand,
  buildUpBias,
  chainBuildUp,
  oiBuildUp,
  type StrikeBuildUp,
} from './buildUp.js';
export {
  atmStrike,
  type ExpectedMove,
  type ExpectedMoveInput,
  expectedMove,
  type StraddleBasis,
  straddlePrice,
} from './atm.js';
export {
  type GammaExposure,
  type GexConvention,
  gammaExposure,
  NAIVE_DEALER_GEX,
  type StrikeGex,
  WRITERS_SHORT_GEX,
} from './gex.js';
