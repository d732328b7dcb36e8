import { describe, expect, it } from 'vitest';
import { features } from '../fixtures.js';
import type { FeatureSnapshot } from '../types.js';
import {
  bandScore,
  DEFAULT_MEAN_REVERSION_PARAMS,
  meanReversionStrategy,
  rsiScore,
} from './meanReversion.js';
import { DEFAULT_IV_REGIME_PARAMS, ivRegime, ivRegimeStrategy } from './ivRegime.js';
import { DEFAULT_TREND_PARAMS, trendStrategy } from './trend.js';

const scalar = (value: number) => ({ kind: 'scalar', value }) as const;
const st = (direction: 'bullish' | 'bearish') =>
  ({ kind: 'supertrend', value: 2_390_000, direction }) as const;

describe('trend strategy', () => {
  // These scripts read the day-level build-up labels; the recent window is tested on its own below.
  const trend = trendStrategy({ ...DEFAULT_TREND_PARAMS, oiWindow: 'day' });
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
    const loose = trendStrategy({ ...DEFAULT_TREND_PARAMS, oiWindow: 'day', requireOiConfirmation: false });
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

describe('trend strategy on the recent OI window', () => {
  it('reads the recent build-up, not the day label', () => {
    const trend = trendStrategy();
    const f = (chain: FeatureSnapshot['chain']) =>
      features({
        indicators: { ema9: scalar(2_402_400), ema21: scalar(2_400_000), supertrend: st('bullish') },
        chain,
      });
    expect(
      trend.evaluate(f({ atmCallBuildUp: 'long-build-up', atmPutBuildUp: 'short-build-up' })),
      'the day label alone does not confirm',
    ).toEqual([]);
    const out = trend.evaluate(f({ recentCallBuildUp: 'long-build-up', recentPutBuildUp: 'short-build-up' }));
    expect(out.find((c) => c.component === 'oi-build-up')?.reason).toContain('(recent)');
  });
});

describe('IV-regime strategy', () => {
  const strategy = ivRegimeStrategy();
  const trending = (over: Partial<FeatureSnapshot>, direction: 'bullish' | 'bearish' = 'bullish') =>
    features({
      indicators: {
        ema9: scalar(direction === 'bullish' ? 2_402_400 : 2_397_600),
        ema21: scalar(2_400_000),
        supertrend: st(direction),
      },
      ...over,
    });

  it('reads the regime from IV rank first, then from IV over realised vol', () => {
    expect(ivRegime(features({ chain: { ivRank: 85 } }), DEFAULT_IV_REGIME_PARAMS)).toMatchObject({
      regime: 'rich',
      basis: 'iv-rank',
      strength: 0.75,
    });
    expect(ivRegime(features({ chain: { ivRank: 50 } }), DEFAULT_IV_REGIME_PARAMS)?.regime).toBe('normal');
    expect(
      ivRegime(features({ chain: { atmIv: 0.1 }, realizedVol: 0.16 }), DEFAULT_IV_REGIME_PARAMS),
      'IV/RV 0.625 ≤ 0.85',
    ).toMatchObject({ regime: 'cheap', basis: 'iv-rv' });
    expect(
      ivRegime(features({ chain: { atmIv: 0.1 } }), DEFAULT_IV_REGIME_PARAMS),
      'no RV yet',
    ).toBeUndefined();
  });

  it('rich premium in an up-trend sells a spread: long view, sell-premium structure', () => {
    const f = trending({ chain: { ivRank: 90 } });
    const out = strategy.evaluate(f);
    expect(out.map((c) => [c.component, Math.sign(c.score)])).toEqual([
      ['trend', 1],
      ['iv-regime', 1],
    ]);
    expect(strategy.structure?.(f)).toBe('sell-premium');
  });

  it('cheap premium in a down-trend buys: short view, buy-premium structure', () => {
    const f = trending({ chain: { atmIv: 0.1 }, realizedVol: 0.2 }, 'bearish');
    expect(strategy.evaluate(f).every((c) => c.score < 0)).toBe(true);
    expect(strategy.structure?.(f)).toBe('buy-premium');
  });

  it('proposes nothing in a normal regime or when the EMAs disagree with SuperTrend', () => {
    expect(strategy.evaluate(trending({ chain: { ivRank: 50 } }))).toEqual([]);
    const disagree = features({
      indicators: { ema9: scalar(2_397_600), ema21: scalar(2_400_000), supertrend: st('bullish') },
      chain: { ivRank: 90 },
    });
    expect(strategy.evaluate(disagree)).toEqual([]);
  });
});
