import { describe, expect, it } from 'vitest';
import { isIfError } from '../../core/errors.js';
import { SERIES_OPEN_MS } from './fixtures/series.js';
import { IndicatorSet, type IndicatorSpec, indicatorName, type SeriesCandle } from './set.js';

const SPECS: readonly IndicatorSpec[] = [
  { kind: 'sma', period: 2 },
  { kind: 'ema', period: 2, name: 'fast' },
  { kind: 'vwap' },
  { kind: 'macd', fast: 2, slow: 3, signal: 2 },
  { kind: 'bollinger', period: 2, multiplier: 2 },
  { kind: 'supertrend', period: 2, multiplier: 3 },
  { kind: 'rsi', period: 2 },
  { kind: 'atr', period: 2 },
];

function candle(
  token: string,
  minute: number,
  close: number,
  extra: Partial<SeriesCandle> = {},
): SeriesCandle {
  return {
    token,
    interval: '1m',
    closed: true,
    startMs: SERIES_OPEN_MS + minute * 60_000,
    open: close,
    high: close + 10,
    low: close - 10,
    close,
    volume: 100,
    ...extra,
  };
}

function smaOf(set: IndicatorSet, token: string): number | undefined {
  const reading = set.reading(token, '1m', 'sma(2)');
  return reading?.kind === 'sma' ? reading.value : undefined;
}

describe('indicatorName', () => {
  it('names a spec by kind and parameters unless it has a name', () => {
    expect(SPECS.map(indicatorName), 'default names').toEqual([
      'sma(2)',
      'fast',
      'vwap',
      'macd(2,3,2)',
      'bollinger(2,2)',
      'supertrend(2,3)',
      'rsi(2)',
      'atr(2)',
    ]);
  });
});

describe('IndicatorSet', () => {
  it('keeps separate indicators per token and per interval', () => {
    const set = new IndicatorSet({ indicators: SPECS });
    set.onCandle(candle('A', 0, 100));
    set.onCandle(candle('A', 1, 200));
    set.onCandle(candle('B', 0, 1_000));
    set.onCandle(candle('B', 1, 3_000));
    set.onCandle({ ...candle('A', 0, 900), interval: '5m' });
    expect(smaOf(set, 'A'), 'A 1m: (100 + 200) / 2').toBe(150);
    expect(smaOf(set, 'B'), 'B 1m: (1000 + 3000) / 2').toBe(2_000);
    expect(set.snapshot('A', '5m')?.count, 'A 5m is its own series').toBe(1);
    expect(set.snapshot('C', '1m'), 'unseen token').toBeUndefined();
  });

  it('shows a forming candle, then commits its closed version once', () => {
    const set = new IndicatorSet({ indicators: SPECS });
    set.onCandle(candle('A', 0, 100));
    set.onCandle(candle('A', 1, 300, { closed: false }));
    expect(smaOf(set, 'A'), 'forming: (100 + 300) / 2').toBe(200);
    set.onCandle(candle('A', 1, 500, { closed: false }));
    expect(set.snapshot('A', '1m')?.forming, 'snapshot says forming').toBe(true);
    set.onCandle(candle('A', 1, 200));
    const snap = set.snapshot('A', '1m');
    expect([smaOf(set, 'A'), snap?.forming, snap?.count], 'closed: (100 + 200) / 2, two candles').toEqual([
      150,
      false,
      2,
    ]);
    expect(
      snap?.readings.map((r) => r.name),
      'readings in spec order',
    ).toEqual(set.names);
  });

  it('ignores a candle at or before the last closed one (a duplicate, or a forming one come late)', () => {
    const set = new IndicatorSet({ indicators: SPECS });
    set.onCandle(candle('A', 0, 100));
    set.onCandle(candle('A', 1, 200));
    expect(set.onCandle(candle('A', 1, 999)), 'duplicate closed').toBe(false);
    expect(set.onCandle(candle('A', 0, 999, { closed: false })), 'stale forming').toBe(false);
    expect(smaOf(set, 'A'), 'unchanged').toBe(150);
    expect(set.stats, 'counted').toMatchObject({ candles: 4, applied: 2, ignoredLate: 2 });
  });

  it('follows only the configured intervals and, when told, closed candles only', () => {
    const set = new IndicatorSet({ indicators: SPECS, intervals: ['5m'], forming: false });
    expect(set.onCandle(candle('A', 0, 100)), '1m is not followed').toBe(false);
    expect(set.onCandle({ ...candle('A', 0, 100), interval: '5m', closed: false }), 'forming').toBe(false);
    expect(set.onCandle({ ...candle('A', 0, 100), interval: '5m' }), 'closed 5m').toBe(true);
    expect(set.stats, 'every candle lands in one counter').toEqual({
      candles: 3,
      applied: 1,
      ignoredLate: 0,
      ignoredInterval: 1,
      ignoredForming: 1,
    });
  });

  it('forgets a removed token', () => {
    const set = new IndicatorSet({ indicators: SPECS });
    set.onCandle(candle('A', 0, 100));
    set.remove('A');
    expect(set.snapshot('A', '1m'), 'gone').toBeUndefined();
  });

  it('rejects a duplicate name or bad parameters when built, with IF_ERR_VALIDATION', () => {
    const bad: IndicatorSpec[][] = [
      [
        { kind: 'sma', period: 2 },
        { kind: 'sma', period: 2 },
      ],
      [{ kind: 'rsi', period: 0 }],
      [{ kind: 'macd', fast: 26, slow: 12, signal: 9 }],
      [{ kind: 'supertrend', period: 10, multiplier: -1 }],
    ];
    for (const indicators of bad) {
      let error: unknown;
      try {
        new IndicatorSet({ indicators });
      } catch (e) {
        error = e;
      }
      expect(isIfError(error, 'IF_ERR_VALIDATION'), JSON.stringify(indicators)).toBe(true);
    }
  });
});
