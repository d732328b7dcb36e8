// Black-76 and Black–Scholes–Merton premiums and Greeks with Indian display units; pure, no I/O.
export { type Black76Input, black76, greeks } from './black76.js';
export { type BsmInput, bsm, bsmGreeks } from './bsm.js';
export {
  DAYS_PER_YEAR,
  type DayBasis,
  type DisplayGreeks,
  type GreekUnits,
  type Greeks,
  perLot,
} from './units.js';
