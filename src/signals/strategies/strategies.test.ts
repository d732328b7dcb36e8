import { describe, expect, it } from 'vitest';
import { features } from '../fixtures.js';
import type { FeatureSnapshot } from '../types.js';
import {
  bandScore,
  DEFAULT_MEAN_REVERSION_PARAMS,
  meanReversionStrategy,
  rsiScore,
} from './meanReversion.js';
import { DEFAULT_TREND_PARAMS, trendStrategy } from './trend.js';

const scalar = (value: number) => ({ kind: 'scalar', value }) as const;
const st = (direction: 'bullish' | 'bearish') =>
  ({ kind: 'supertrend', value: 2_390_000, direction }) as const;

describe('trend strategy', () => {
  const trend = trendStrategy();
  const bullish = (chain: FeatureSnapshot['chain']): FeatureSnapshot =>
    features({
      indicators: { ema9: scalar(2_402_400), ema21: scalar(2_400_000), supertrend: st('bullish') },
      chain,
    });

  it('scripted sequence: warming up, unconfirmed, confirmed, flipped bearish', () => {
    const steps: FeatureSnapshot[] = [
      features(),
      bullish({ atmCallBuildUp: 'neutral', atmPutBuildUp: 'neutral' }),
      bullish({ atmCallBuildUp: 'long-build-up', atmPutBuildUp: 'short-build-up' }),
      features({
        indicators: { ema9: scalar(2_397_600), ema21: scalar(2_400_000), supertrend: st('bearish') },
        chain: { atmCallBuildUp: 'short-build-up', atmPutBuildUp: 'long-build-up' },
      }),
    ];
    const out = steps.map((f) => trend.evaluate(f));
    expect(out[0], 'no indicators yet: nothing to propose').toEqual([]);
    expect(out[1], 'neutral OI does not confirm').toEqual([]);
    expect(
      out[2]?.map((c) => [c.component, c.score]),
      'gap 0.1% of 0.2% full scale',
    ).toEqual([
      ['ema-cross', expect.closeTo(0.5)],
      ['supertrend', 1],
      ['oi-build-up', 1],
    ]);
    expect(
      out[3]?.every((c) => c.score < 0),
      'all bearish after the flip',
    ).toBe(true);
  });

  it('without required confirmation it proposes with the OI contradiction visible', () => {
    const loose = trendStrategy({ ...DEFAULT_TREND_PARAMS, requireOiConfirmation: false });
    const out = loose.evaluate(bullish({ atmCallBuildUp: 'long-unwinding', atmPutBuildUp: 'long-build-up' }));
    expect(out.find((c) => c.component === 'oi-build-up')?.score, 'OI leans bearish').toBe(-1);
    expect(
      out.map((c) => c.weight),
      'weights come from params',
    ).toEqual([0.4, 0.4, 0.2]);
  });
});

describe('mean reversion strategy', () => {
  const mr = meanReversionStrategy();
  const bands = { kind: 'bands', upper: 2_420_000, middle: 2_410_000, lower: 2_400_000 } as const;
  const flow = (ofiNormalised: number) => ({
    asOfMs: 1,
    ofiNormalised,
    depthImbalance1: undefined,
    depthImbalance5: undefined,
    windowCvd: 0,
  });

  it('scores RSI and %b extremes with the documented shape', () => {
    expect(rsiScore(30, 30, 70), 'at the oversold line').toBe(0.5);
    expect(rsiScore(0, 30, 70)).toBe(1);
    expect(rsiScore(50, 30, 70), 'neutral zone').toBe(0);
    expect(rsiScore(85, 30, 70)).toBeCloseTo(-0.75);
    expect(bandScore(-0.2)).toBeCloseTo(0.7);
    expect(bandScore(1.7), 'capped at −1').toBe(-1);
    expect(bandScore(0.5)).toBe(0);
  });

  it('scripted sequence: neutral, oversold unconfirmed, oversold confirmed, overbought confirmed', () => {
    const steps: FeatureSnapshot[] = [
      features({ indicators: { rsi14: scalar(50), bb20: bands }, spotPaise: 2_410_000 }),
      features({
        indicators: { rsi14: scalar(22), bb20: bands },
        spotPaise: 2_398_000,
        orderFlow: flow(-0.4),
      }),
      features({
        indicators: { rsi14: scalar(22), bb20: bands },
        spotPaise: 2_398_000,
        orderFlow: flow(0.35),
      }),
      features({
        indicators: { rsi14: scalar(78), bb20: bands },
        spotPaise: 2_421_000,
        orderFlow: flow(-0.3),
      }),
    ];
    const out = steps.map((f) => mr.evaluate(f));
    expect(out[0], 'no extreme').toEqual([]);
    expect(out[1], 'sellers still pressing: no fade').toEqual([]);
    expect(out[2]?.map((c) => c.component)).toEqual(['rsi-extreme', 'bollinger-extreme', 'order-flow']);
    expect(
      out[2]?.every((c) => c.score > 0),
      'oversold and buyers stepping in: long',
    ).toBe(true);
    expect(
      out[3]?.every((c) => c.score < 0),
      'overbought and sellers stepping in: short',
    ).toBe(true);
  });

  it('an imbalance under the minimum does not confirm; depth imbalance stands in for missing OFI', () => {
    const f = (depthImbalance5: number) =>
      features({
        indicators: { rsi14: scalar(20) },
        orderFlow: {
          asOfMs: 1,
          ofiNormalised: undefined,
          depthImbalance1: undefined,
          depthImbalance5,
          windowCvd: 0,
        },
      });
    expect(mr.evaluate(f(0.19)), 'under minImbalance 0.2').toEqual([]);
    expect(mr.evaluate(f(0.2)).length, 'at the minimum confirms').toBe(2);
    expect(DEFAULT_MEAN_REVERSION_PARAMS.minImbalance).toBe(0.2);
  });
});
