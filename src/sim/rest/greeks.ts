import { parseDdMmmYyyy } from '../../core/time.js';
import { normCdf } from '../market/index.js';
import type { MarketModel, OptionQuoteModel } from '../market/index.js';

/** One `marketData/v1/optionGreek` row; Angel sends every value as a string (§3.12). */
export interface OptionGreekRow {
  name: string;
  expiry: string;
  strikePrice: string;
  optionType: 'CE' | 'PE';
  delta: string;
  gamma: string;
  theta: string;
  vega: string;
  impliedVolatility: string;
  tradeVolume: string;
}

type WithImpliedVol = MarketModel & { impliedVol(token: string): OptionQuoteModel | undefined };

/** The simulator's own model exposes the smile behind each option quote; other models may not. */
function hasImpliedVol(market: MarketModel): market is WithImpliedVol {
  return typeof (market as Partial<WithImpliedVol>).impliedVol === 'function';
}

const INV_SQRT_2PI = 0.3989422804014327;

/**
 * Black-76 Greeks in the units Angel serves: delta and gamma per unit of the forward, theta in rupees per
 * calendar day, vega in rupees per 1 vol point, IV in percent.
 */
function greeks(q: OptionQuoteModel): { delta: number; gamma: number; theta: number; vega: number } {
  const { forward: f, strike: k, discountFactor: df, timeToExpiryYears: t, impliedVol: sigma } = q;
  if (!(t > 0 && sigma > 0 && f > 0 && k > 0)) {
    const itm = q.optionType === 'CE' ? f > k : f < k;
    return { delta: itm ? (q.optionType === 'CE' ? df : -df) : 0, gamma: 0, theta: 0, vega: 0 };
  }
  const sd = sigma * Math.sqrt(t);
  const d1 = Math.log(f / k) / sd + sd / 2;
  const d2 = d1 - sd;
  const pdf = INV_SQRT_2PI * Math.exp((-d1 * d1) / 2);
  const rate = -Math.log(df) / t;
  const call = q.optionType === 'CE';
  const price = call ? df * (f * normCdf(d1) - k * normCdf(d2)) : df * (k * normCdf(-d2) - f * normCdf(-d1));
  const thetaYear = (-df * f * pdf * sigma) / (2 * Math.sqrt(t)) + rate * price;
  return {
    delta: call ? df * normCdf(d1) : -df * normCdf(-d1),
    gamma: (df * pdf) / (f * sd),
    theta: thetaYear / 365,
    vega: (df * f * pdf * Math.sqrt(t)) / 100,
  };
}

/**
 * Greeks of every option of `name` expiring on `expirydate` (`DDMMMYYYY`), strikes ascending, CE before
 * PE; empty when the model has no such options or cannot tell their implied volatility.
 */
export function optionGreeks(market: MarketModel, name: string, expirydate: string): OptionGreekRow[] {
  const date = parseDdMmmYyyy(expirydate.trim());
  if (date === undefined || !hasImpliedVol(market)) return [];
  const iso = `${date.year}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
  const wanted = name.trim().toUpperCase();
  const rows: { strike: number; type: 'CE' | 'PE'; row: OptionGreekRow }[] = [];
  for (const instrument of market.instruments) {
    if (instrument.kind !== 'option' || instrument.name !== wanted || instrument.expiry !== iso) continue;
    const quote = market.impliedVol(instrument.token);
    if (quote === undefined) continue;
    const g = greeks(quote);
    rows.push({
      strike: quote.strike,
      type: quote.optionType,
      row: {
        name: instrument.name,
        expiry: expirydate.trim().toUpperCase(),
        strikePrice: quote.strike.toFixed(6),
        optionType: quote.optionType,
        delta: g.delta.toFixed(6),
        gamma: g.gamma.toFixed(6),
        theta: g.theta.toFixed(6),
        vega: g.vega.toFixed(6),
        impliedVolatility: (quote.impliedVol * 100).toFixed(6),
        tradeVolume: (market.state(instrument.token)?.volume ?? 0).toFixed(2),
      },
    });
  }
  rows.sort((a, b) => a.strike - b.strike || (a.type === b.type ? 0 : a.type === 'CE' ? -1 : 1));
  return rows.map((r) => r.row);
}
