import type { Contribution, FeatureSnapshot, Strategy } from '../types.js';
import { bands, clamp, scalar } from './readings.js';

export interface MeanReversionParams {
  readonly rsi: string;
  readonly bollinger: string;
  /** RSI levels, 0–100 */
  readonly oversold: number;
  readonly overbought: number;
  /** least order-flow imbalance (normalised OFI, else 5-level depth imbalance) that confirms a reversal */
  readonly minImbalance: number;
  /** require order flow leaning the reversal's way; without it the strategy proposes nothing */
  readonly requireFlowConfirmation: boolean;
  readonly weights: { readonly rsi: number; readonly bollinger: number; readonly orderFlow: number };
}

export const DEFAULT_MEAN_REVERSION_PARAMS: MeanReversionParams = {
  rsi: 'rsi14',
  bollinger: 'bb20',
  oversold: 30,
  overbought: 70,
  minImbalance: 0.2,
  requireFlowConfirmation: true,
  weights: { rsi: 0.4, bollinger: 0.3, orderFlow: 0.3 },
};

/** RSI extreme score: +0.5 at the oversold line rising to +1 at 0, −0.5..−1 from overbought to 100, else 0. */
export function rsiScore(rsi: number, oversold: number, overbought: number): number {
  if (rsi <= oversold) return 0.5 + (0.5 * (oversold - rsi)) / Math.max(oversold, 1e-9);
  if (rsi >= overbought) return -(0.5 + (0.5 * (rsi - overbought)) / Math.max(100 - overbought, 1e-9));
  return 0;
}

/** Bollinger extreme score from %b = (spot − lower) / (upper − lower): +0.5.. at or below the lower band, −0.5.. at or above the upper, capped at ±1, else 0. */
export function bandScore(percentB: number): number {
  if (percentB <= 0) return Math.min(1, 0.5 - percentB);
  if (percentB >= 1) return -Math.min(1, percentB - 0.5);
  return 0;
}

/**
 * Mean reversion: RSI or Bollinger extremes propose the fade (oversold → long, overbought → short), and
 * order-flow imbalance leaning the same way confirms that the move is turning.
 */
export function meanReversionStrategy(
  params: MeanReversionParams = DEFAULT_MEAN_REVERSION_PARAMS,
  id = 'mean-reversion',
): Strategy {
  return {
    id,
    describe: () =>
      `mean reversion: ${params.rsi} beyond ${params.oversold}/${params.overbought} or outside ${params.bollinger}` +
      (params.requireFlowConfirmation ? `, confirmed by order-flow imbalance ≥ ${params.minImbalance}` : ''),
    evaluate(features: FeatureSnapshot): Contribution[] {
      const out: Contribution[] = [];
      let vote = 0;
      const rsi = scalar(features, params.rsi);
      if (rsi !== undefined) {
        const score = rsiScore(rsi, params.oversold, params.overbought);
        if (score !== 0) {
          vote += score;
          out.push({
            component: 'rsi-extreme',
            score,
            weight: params.weights.rsi,
            value: rsi,
            reason: `RSI ${rsi.toFixed(1)} ${score > 0 ? 'oversold' : 'overbought'}`,
          });
        }
      }
      const bb = bands(features, params.bollinger);
      if (bb !== undefined) {
        const percentB = (features.spotPaise - bb.lower) / (bb.upper - bb.lower);
        const score = bandScore(percentB);
        if (score !== 0) {
          vote += score;
          out.push({
            component: 'bollinger-extreme',
            score,
            weight: params.weights.bollinger,
            value: percentB,
            reason: `spot ${score > 0 ? 'below the lower' : 'above the upper'} band (%b ${percentB.toFixed(2)})`,
          });
        }
      }
      if (out.length === 0 || vote === 0) return [];

      const flow = features.orderFlow;
      const imbalance = flow?.ofiNormalised ?? flow?.depthImbalance5;
      const confirmed =
        imbalance !== undefined &&
        Number.isFinite(imbalance) &&
        Math.abs(imbalance) >= params.minImbalance &&
        Math.sign(imbalance) === Math.sign(vote);
      if (params.requireFlowConfirmation && !confirmed) return [];
      if (imbalance !== undefined && Number.isFinite(imbalance)) {
        out.push({
          component: 'order-flow',
          score: clamp(imbalance, -1, 1),
          weight: params.weights.orderFlow,
          value: imbalance,
          reason: `order-flow imbalance ${imbalance.toFixed(2)} ${confirmed ? 'confirms' : 'does not confirm'} the reversal`,
        });
      }
      return out;
    },
  };
}
