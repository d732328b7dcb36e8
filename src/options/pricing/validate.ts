/**
 * Boundary checks shared by the pricing entry points: NaN, ±∞ and impossible values are rejected where
 * they enter, as IF_ERR_OPTION_INPUT / IF_ERR_OPTION_EXPIRED, never priced into NaN.
 */

import { IfError } from '../../core/index.js';

function positive(name: string, value: number): void {
  if (!(value > 0 && value < Number.POSITIVE_INFINITY)) {
    throw new IfError('IF_ERR_OPTION_INPUT', { detail: `${name} ${value} must be finite and > 0` });
  }
}

function finite(name: string, value: number): void {
  if (!Number.isFinite(value)) {
    throw new IfError('IF_ERR_OPTION_INPUT', { detail: `${name} ${value} must be finite` });
  }
}

/**
 * Underlying, strike, rate (and yield) checks, then time and volatility: ≥ 0 for a price, which is then
 * the discounted intrinsic value at zero, and > 0 for Greeks, which have no finite value there.
 */
export function checkOptionInput(
  underlyingName: string,
  underlying: number,
  strike: number,
  timeYears: number,
  rate: number,
  vol: number,
  dividendYield: number,
  forGreeks: boolean,
): void {
  positive(underlyingName, underlying);
  positive('strike', strike);
  finite('rate', rate);
  finite('dividendYield', dividendYield);
  finite('timeYears', timeYears);
  finite('vol', vol);
  if (timeYears < 0 || (forGreeks && timeYears === 0)) {
    throw new IfError('IF_ERR_OPTION_EXPIRED', {
      detail: `timeYears ${timeYears} must be ${forGreeks ? '> 0 for Greeks' : '>= 0'}`,
    });
  }
  if (vol < 0 || (forGreeks && vol === 0)) {
    throw new IfError('IF_ERR_OPTION_INPUT', {
      detail: `vol ${vol} must be ${forGreeks ? '> 0 for Greeks' : '>= 0'}`,
    });
  }
}
