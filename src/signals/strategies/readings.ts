import type { BuildUp } from '../../options/index.js';
import type { FeatureSnapshot } from '../types.js';

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** A scalar indicator by name; undefined when absent, of another shape, or not finite. */
export function scalar(features: FeatureSnapshot, name: string): number | undefined {
  const r = features.indicators[name];
  return r?.kind === 'scalar' && Number.isFinite(r.value) ? r.value : undefined;
}

export function superTrend(features: FeatureSnapshot, name: string): 'bullish' | 'bearish' | undefined {
  const r = features.indicators[name];
  return r?.kind === 'supertrend' ? r.direction : undefined;
}

export function bands(
  features: FeatureSnapshot,
  name: string,
): { upper: number; middle: number; lower: number } | undefined {
  const r = features.indicators[name];
  return r?.kind === 'bands' && r.upper > r.lower ? r : undefined;
}

/**
 * What an ATM contract's OI build-up says about the underlying, −1..1. Calls: long build-up and short
 * covering are bullish, short build-up and long unwinding bearish. Puts the other way round: put writers
 * adding (short build-up) or put buyers leaving (long unwinding) is bullish.
 */
export function buildUpBias(buildUp: BuildUp | undefined, side: 'call' | 'put'): number {
  if (buildUp === undefined || buildUp === 'neutral') return 0;
  const callBias = buildUp === 'long-build-up' || buildUp === 'short-covering' ? 1 : -1;
  return side === 'call' ? callBias : -callBias;
}
