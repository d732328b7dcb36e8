import type { Contribution, FeatureSnapshot, Strategy } from '../types.js';
import { buildUpBias, clamp, scalar, superTrend } from './readings.js';

export interface TrendParams {
  /** indicator names in the feature snapshot */
  readonly emaFast: string;
  readonly emaSlow: string;
  readonly superTrend: string;
  /** (fast − slow) / slow that scores ±1; smaller gaps score pro rata */
  readonly emaFullScale: number;
  /** require the ATM OI build-up to agree with the price trend; without it the strategy proposes nothing */
  readonly requireOiConfirmation: boolean;
  /** `recent`: build-up over the last few candles (turns intraday); `day`: against the previous close */
  readonly oiWindow: 'recent' | 'day';
  readonly weights: { readonly ema: number; readonly superTrend: number; readonly oi: number };
}

export const DEFAULT_TREND_PARAMS: TrendParams = {
  emaFast: 'ema9',
  emaSlow: 'ema21',
  superTrend: 'supertrend',
  emaFullScale: 0.002,
  requireOiConfirmation: true,
  oiWindow: 'recent',
  weights: { ema: 0.4, superTrend: 0.4, oi: 0.2 },
};

/**
 * Trend following: EMA fast/slow gap and SuperTrend direction give the trend; the ATM strike's OI build-up
 * (calls and puts averaged) confirms it. Either trend reading alone is enough; both absent means warming up.
 */
export function trendStrategy(params: TrendParams = DEFAULT_TREND_PARAMS, id = 'trend'): Strategy {
  return {
    id,
    describe: () =>
      `trend: EMA ${params.emaFast}/${params.emaSlow} and SuperTrend ${params.superTrend}` +
      (params.requireOiConfirmation ? ', confirmed by ATM OI build-up' : ''),
    evaluate(features: FeatureSnapshot): Contribution[] {
      const out: Contribution[] = [];
      let trendVote = 0;
      const fast = scalar(features, params.emaFast);
      const slow = scalar(features, params.emaSlow);
      if (fast !== undefined && slow !== undefined && slow > 0) {
        const gap = (fast - slow) / slow;
        const score = clamp(gap / params.emaFullScale, -1, 1);
        trendVote += score;
        out.push({
          component: 'ema-cross',
          score,
          weight: params.weights.ema,
          value: gap,
          reason: `${params.emaFast} ${gap >= 0 ? 'above' : 'below'} ${params.emaSlow} by ${(gap * 100).toFixed(3)}%`,
        });
      }
      const st = superTrend(features, params.superTrend);
      if (st !== undefined) {
        const score = st === 'bullish' ? 1 : -1;
        trendVote += score;
        out.push({
          component: 'supertrend',
          score,
          weight: params.weights.superTrend,
          value: st,
          reason: `SuperTrend ${st}`,
        });
      }
      if (out.length === 0 || trendVote === 0) return [];

      const recent = params.oiWindow === 'recent';
      const call = recent ? features.chain?.recentCallBuildUp : features.chain?.atmCallBuildUp;
      const put = recent ? features.chain?.recentPutBuildUp : features.chain?.atmPutBuildUp;
      const oiScore = (buildUpBias(call, 'call') + buildUpBias(put, 'put')) / 2;
      const confirmed = Math.sign(oiScore) === Math.sign(trendVote);
      if (params.requireOiConfirmation && !confirmed) return [];
      if (oiScore !== 0) {
        out.push({
          component: 'oi-build-up',
          score: oiScore,
          weight: params.weights.oi,
          value: `CE ${call ?? 'n/a'}, PE ${put ?? 'n/a'}`,
          reason: `ATM OI build-up${recent ? ' (recent)' : ' (day)'} ${confirmed ? 'confirms' : 'contradicts'} the trend`,
        });
      }
      return out;
    },
  };
}
