import type { InstrumentKind } from '../core/instrument.js';
import type { OrderSide } from '../execution/orders/index.js';
import type { RiskLimits } from './types.js';

export interface MarginInput {
  kind: InstrumentKind;
  side: OrderSide;
  /** units */
  quantity: number;
  /** the order's limit price (premium for options), paise */
  pricePaise: number;
  /** spot or near future of the underlying, paise; index options move ₹1 per point per unit */
  underlyingPricePaise: number | undefined;
  expiryDay: boolean;
}

export type MarginEstimate =
  | {
      ok: true;
      /** paise, rounded up */
      requiredPaise: number;
      method: 'premium' | 'span-like' | 'full-value';
      notionalPaise: number;
      percent: number;
    }
  | { ok: false; reason: string };

/**
 * Funds an exposure-opening order needs, in paise. An estimate, not the exchange's SPAN (which needs the
 * risk-parameter files); the broker's RMS has the final word and rejects short funds anyway.
 * - option buy: the premium, quantity × price (SEBI requires it upfront);
 * - option sell and futures (either side): (SPAN% + exposure% [+ expiry-day extra%]) of the notional,
 *   underlying price × quantity. Premium received on a sale is not credited, as brokers block the full
 *   margin before the trade;
 * - anything else (cash): full value, quantity × price.
 */
export function estimateMargin(input: MarginInput, params: RiskLimits['margin']): MarginEstimate {
  const { kind, side, quantity, pricePaise } = input;
  if (kind === 'option' && side === 'BUY') {
    const premium = quantity * pricePaise;
    return { ok: true, requiredPaise: premium, method: 'premium', notionalPaise: premium, percent: 100 };
  }
  if (kind === 'option' || kind === 'future') {
    if (input.underlyingPricePaise === undefined || !(input.underlyingPricePaise > 0)) {
      return { ok: false, reason: 'underlying price unknown' };
    }
    const percent =
      params.spanPercent + params.exposurePercent + (input.expiryDay ? params.expiryDayExtraPercent : 0);
    const notionalPaise = input.underlyingPricePaise * quantity;
    return {
      ok: true,
      requiredPaise: Math.ceil((notionalPaise * percent) / 100),
      method: 'span-like',
      notionalPaise,
      percent,
    };
  }
  const value = quantity * pricePaise;
  return { ok: true, requiredPaise: value, method: 'full-value', notionalPaise: value, percent: 100 };
}
