import { describe, expect, it } from 'vitest';
import { buildSignal, type CompositeConfig, compositeScore } from './composite.js';
import { features } from './fixtures.js';
import type { PickInstrument } from './instrumentPicker.js';
import type { Contribution } from './types.js';

const config: CompositeConfig = {
  threshold: 0.3,
  minAgreement: 0.6,
  stopAtrMultiple: 1,
  targetAtrMultiple: 2,
  validityMs: 60_000,
};
const c = (component: string, score: number, weight: number): Contribution => ({
  component,
  score,
  weight,
  value: score,
  reason: component,
});
const option: PickInstrument = (direction) => ({
  type: 'picked',
  side: 'BUY',
  instrument: {
    token: direction === 'long' ? 'CE1' : 'PE1',
    symbol: 'X',
    kind: 'option',
    strikePaise: 2_400_000,
    optionType: direction === 'long' ? 'CE' : 'PE',
    delta: direction === 'long' ? 0.5 : -0.5,
  },
  entryPaise: 10_000,
  tickSizePaise: 5,
});

describe('compositeScore', () => {
  it('weights scores and measures agreement', () => {
    const s = compositeScore([c('a', 1, 0.6), c('b', -0.5, 0.4)]);
    expect(s?.score, 'score is Σw·s / Σw = (0.6 − 0.2) / 1').toBeCloseTo(0.4);
    expect(s?.agreement, 'agreement is |Σw·s| / Σw·|s| = 0.4 / 0.8').toBeCloseTo(0.5);
    expect(s?.confidence, 'confidence is |score| × agreement').toBeCloseTo(0.2);
  });
  it('is undefined when no weight is positive', () => {
    expect(compositeScore([c('a', 1, 0)]), 'nothing to weight').toBeUndefined();
  });
});

describe('buildSignal', () => {
  it('fires a long CE signal with ATR×|delta| stop and target in whole ticks', () => {
    const r = buildSignal('trend', features(), [c('a', 0.8, 1), c('b', 0.6, 1)], config, option);
    expect(r.type).toBe('signal');
    if (r.type !== 'signal') return;
    expect(r.direction, 'positive score is long').toBe('long');
    expect(r.instrument.optionType).toBe('CE');
    expect(r.stopPaise, 'entry − 1 × 4000 × 0.5').toBe(8_000);
    expect(r.targetPaise, 'entry + 2 × 4000 × 0.5').toBe(14_000);
    expect(r.score).toBeCloseTo(0.7);
    expect(r.confidence, 'full agreement leaves confidence = |score|').toBeCloseTo(0.7);
    expect(r.validUntilMs - r.createdAtMs, 'validity window from config').toBe(60_000);
    expect(r.contributions, 'contributions are kept for audit').toHaveLength(2);
    expect(r.status).toBe('active');
  });

  it('a short signal buys the PE, whose price also gains upward', () => {
    const r = buildSignal('trend', features(), [c('a', -0.9, 1)], config, option);
    expect(r.type === 'signal' && r.direction, 'negative score is short').toBe('short');
    expect(r.type === 'signal' && r.targetPaise > r.entryPaise, 'bought put gains as its premium rises').toBe(
      true,
    );
  });

  it('a short future has its stop above and target below the entry', () => {
    const fut: PickInstrument = () => ({
      type: 'picked',
      side: 'SELL',
      instrument: { token: 'FUT', symbol: 'NIFTYFUT', kind: 'future', delta: 1 },
      entryPaise: 2_400_000,
      tickSizePaise: 10,
    });
    const r = buildSignal('trend', features(), [c('a', -0.9, 1)], config, fut);
    expect(r.type === 'signal' && [r.stopPaise, r.targetPaise], 'stop +4000, target −8000').toEqual([
      2_404_000, 2_392_000,
    ]);
  });

  it('refuses below the threshold (boundary: exactly the threshold fires)', () => {
    const below = buildSignal('t', features(), [c('a', 0.29, 1)], config, option);
    expect(below.type === 'no-signal' && below.reason).toBe('below-threshold');
    const at = buildSignal('t', features(), [c('a', 0.3, 1)], config, option);
    expect(at.type, '|score| = threshold fires').toBe('signal');
  });

  it('refuses conflicting components even when the net score clears the threshold', () => {
    const r = buildSignal(
      't',
      features(),
      [c('a', 1, 1), c('b', -1, 0.5)],
      { ...config, threshold: 0.3 },
      option,
    );
    expect(r.type === 'no-signal' && r.reason, 'agreement 0.5/1.5 ≈ 0.33 < 0.6').toBe('conflicting');
  });

  it.each([
    ['stale', 'stale-data'],
    ['gapped', 'gapped-data'],
  ] as const)('refuses when the underlying is %s, before anything else', (quality, reason) => {
    const r = buildSignal('t', features({ quality: { '26000': quality, CE1: 'fresh' } }), [], config, option);
    expect(r.type === 'no-signal' && r.reason, 'quality is checked first').toBe(reason);
  });

  it('fails closed when quality is missing for the underlying or the picked instrument', () => {
    const noUnderlying = buildSignal('t', features({ quality: {} }), [c('a', 1, 1)], config, option);
    expect(noUnderlying.type === 'no-signal' && noUnderlying.reason).toBe('quality-unknown');
    const noOption = buildSignal(
      't',
      features({ quality: { '26000': 'fresh' } }),
      [c('a', 1, 1)],
      config,
      option,
    );
    expect(noOption.type === 'no-signal' && noOption.reason, 'the chosen option must be known fresh').toBe(
      'quality-unknown',
    );
  });

  it('refuses when the chosen instrument is gapped', () => {
    const f = features({ quality: { '26000': 'fresh', CE1: 'gapped' } });
    const r = buildSignal('t', f, [c('a', 1, 1)], config, option);
    expect(r.type === 'no-signal' && r.reason).toBe('gapped-data');
  });

  it('refuses out-of-range contributions, missing ATR and no instrument', () => {
    const bad = buildSignal('t', features(), [c('a', 1.5, 1)], config, option);
    expect(bad.type === 'no-signal' && bad.reason, 'score outside −1..1').toBe('invalid-contribution');
    const noAtr = buildSignal('t', features({ atrPaise: undefined }), [c('a', 1, 1)], config, option);
    expect(noAtr.type === 'no-signal' && noAtr.reason).toBe('no-atr');
    const none = buildSignal('t', features(), [c('a', 1, 1)], config, () => ({
      type: 'not-picked',
      detail: 'x',
    }));
    expect(none.type === 'no-signal' && none.reason).toBe('no-instrument');
  });

  it('refuses a stop that would be at or below zero', () => {
    const r = buildSignal('t', features({ atrPaise: 40_000 }), [c('a', 1, 1)], config, option);
    expect(r.type === 'no-signal' && r.reason, 'entry 10000 − 20000 is not a price').toBe('invalid-levels');
  });
});
