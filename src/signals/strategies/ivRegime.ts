import type { Contribution, FeatureSnapshot, SignalStructure, Strategy } from '../types.js';
import { clamp, superTrend, scalar } from './readings.js';

export interface IvRegimeParams {
  /** trend readings that give the view its direction */
  readonly emaFast: string;
  readonly emaSlow: string;
  readonly superTrend: string;
  /** IV rank (0–100) at or above which premium is rich (sell), at or below which it is cheap (buy) */
  readonly rankHigh: number;
  readonly rankLow: number;
  /**
   * Without a year of IV history there is no rank; the regime then compares ATM IV with the underlying's
   * realised volatility: IV/RV at or above `ratioHigh` is rich, at or below `ratioLow` cheap.
   */
  readonly ratioHigh: number;
  readonly ratioLow: number;
  readonly weights: { readonly regime: number; readonly trend: number };
}

export const DEFAULT_IV_REGIME_PARAMS: IvRegimeParams = {
  emaFast: 'ema9',
  emaSlow: 'ema21',
  superTrend: 'supertrend',
  rankHigh: 70,
  rankLow: 30,
  ratioHigh: 1.25,
  ratioLow: 0.85,
  weights: { regime: 0.5, trend: 0.5 },
};

/** How rich or cheap premium is now: `rich` sells, `cheap` buys, `normal` does nothing. */
export interface IvRegimeReading {
  readonly regime: 'rich' | 'cheap' | 'normal';
  /** 0..1: how far beyond the line the reading sits (1 at the extreme) */
  readonly strength: number;
  readonly basis: 'iv-rank' | 'iv-rv';
  readonly value: number;
  readonly text: string;
}

/** Reads the regime from IV rank when there is one, else from ATM IV over realised vol; undefined without data. */
export function ivRegime(features: FeatureSnapshot, p: IvRegimeParams): IvRegimeReading | undefined {
  const rank = features.chain?.ivRank;
  if (rank !== undefined && Number.isFinite(rank)) {
    const text = `IV rank ${rank.toFixed(0)}`;
    if (rank >= p.rankHigh) {
      const strength = 0.5 + (0.5 * (rank - p.rankHigh)) / Math.max(100 - p.rankHigh, 1e-9);
      return { regime: 'rich', strength, basis: 'iv-rank', value: rank, text: `${text} ≥ ${p.rankHigh}` };
    }
    if (rank <= p.rankLow) {
      const strength = 0.5 + (0.5 * (p.rankLow - rank)) / Math.max(p.rankLow, 1e-9);
      return { regime: 'cheap', strength, basis: 'iv-rank', value: rank, text: `${text} ≤ ${p.rankLow}` };
    }
    return { regime: 'normal', strength: 0, basis: 'iv-rank', value: rank, text };
  }
  const iv = features.chain?.atmIv;
  const rv = features.realizedVol;
  if (iv === undefined || rv === undefined || !(iv > 0) || !(rv > 0)) return undefined;
  const ratio = iv / rv;
  const text = `ATM IV ${(iv * 100).toFixed(1)}% / realised ${(rv * 100).toFixed(1)}% = ${ratio.toFixed(2)}`;
  if (ratio >= p.ratioHigh) {
    const strength = clamp(0.5 + (ratio - p.ratioHigh) / p.ratioHigh, 0.5, 1);
    return { regime: 'rich', strength, basis: 'iv-rv', value: ratio, text: `${text} ≥ ${p.ratioHigh}` };
  }
  if (ratio <= p.ratioLow) {
    const strength = clamp(0.5 + (p.ratioLow - ratio) / p.ratioLow, 0.5, 1);
    return { regime: 'cheap', strength, basis: 'iv-rv', value: ratio, text: `${text} ≤ ${p.ratioLow}` };
  }
  return { regime: 'normal', strength: 0, basis: 'iv-rv', value: ratio, text };
}

/**
 * IV regime: the trend (SuperTrend, with the EMA gap agreeing) gives the direction; the volatility regime
 * chooses the structure. Rich premium → sell a credit spread in the trend's direction (bull put spread when
 * long, bear call spread when short); cheap premium → buy the option. A normal regime, or a trend the
 * EMAs do not confirm, proposes nothing.
 */
export function ivRegimeStrategy(
  params: IvRegimeParams = DEFAULT_IV_REGIME_PARAMS,
  id = 'iv-regime',
): Strategy {
  return {
    id,
    describe: () =>
      `IV regime: IV rank ≥ ${params.rankHigh} (or IV/RV ≥ ${params.ratioHigh}) sells a credit spread, ` +
      `≤ ${params.rankLow} (or ≤ ${params.ratioLow}) buys the option, in the direction of ${params.superTrend}`,
    structure(features: FeatureSnapshot): SignalStructure {
      return ivRegime(features, params)?.regime === 'rich' ? 'sell-premium' : 'buy-premium';
    },
    evaluate(features: FeatureSnapshot): Contribution[] {
      const regime = ivRegime(features, params);
      if (regime === undefined || regime.regime === 'normal') return [];
      const st = superTrend(features, params.superTrend);
      const fast = scalar(features, params.emaFast);
      const slow = scalar(features, params.emaSlow);
      if (st === undefined || fast === undefined || slow === undefined) return [];
      const sign = st === 'bullish' ? 1 : -1;
      if (Math.sign(fast - slow) !== sign) return [];
      return [
        {
          component: 'trend',
          score: sign,
          weight: params.weights.trend,
          value: st,
          reason: `SuperTrend ${st}, ${params.emaFast} ${sign > 0 ? 'above' : 'below'} ${params.emaSlow}`,
        },
        {
          component: 'iv-regime',
          score: sign * regime.strength,
          weight: params.weights.regime,
          value: regime.value,
          reason: `${regime.text}: premium ${regime.regime} → ${regime.regime === 'rich' ? 'sell a credit spread' : 'buy the option'}`,
        },
      ];
    },
  };
}
