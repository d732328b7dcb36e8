import { describe, expect, it } from 'vitest';
import type { Candle } from '../feed/candles/index.js';
import type { DataQuality, TickEvent } from '../feed/events.js';
import type { ChainSnapshot, ChainSummary } from '../options/index.js';
import { SignalConfigSchema } from './config.js';
import { SignalEngine, type SignalEngineEvent, type SignalIndicatorPeriods } from './engine.js';
import { row, side } from './fixtures.js';

const T0 = 1_700_000_000_000;
const PERIODS: SignalIndicatorPeriods = {
  emaFast: 3,
  emaSlow: 5,
  superTrend: { period: 3, multiplier: 1 },
  rsi: 3,
  bollinger: { period: 5, multiplier: 2 },
  atr: 3,
};

function candle(i: number, close: number, token = '26000'): Candle {
  return {
    token,
    interval: '1s',
    startMs: T0 + i * 1000,
    endMs: T0 + (i + 1) * 1000,
    open: close - 100,
    high: close + 200,
    low: close - 200,
    close,
    volume: 0,
    openInterest: undefined,
    closed: true,
  } as Candle;
}

/** A bullish chain: ATM call long build-up, put short build-up; CE1 is the 0.45-delta call. */
function chain(): ChainSnapshot {
  const summary = { atmStrike: 2_400_000, pcr: {}, smile: {} } as unknown as ChainSummary;
  return {
    summary,
    rows: [
      row(
        2_400_000,
        side('CE1', 0.45, { buildUp: 'long-build-up' }),
        side('PE1', -0.45, { buildUp: 'short-build-up' }),
      ),
    ],
  };
}

function setup(quality: DataQuality | 'unknown' = 'fresh') {
  const events: SignalEngineEvent[] = [];
  const config = SignalConfigSchema.parse({
    strategies: {
      meanReversion: { enabled: false },
      ivRegime: { enabled: false },
      trend: { oiWindow: 'day' },
    },
  });
  const engine = new SignalEngine({
    underlyings: [{ underlying: 'NIFTY', indexToken: '26000' }],
    market: { chain: () => chain(), quality: () => (quality === 'unknown' ? undefined : quality) },
    config: () => config,
    interval: '1s',
    periods: PERIODS,
    onEvent: (e) => events.push(e),
  });
  return { engine, events };
}

function tick(token: string, lastPrice: number, atMs: number): TickEvent {
  return {
    type: 'tick',
    token,
    exchangeType: 2,
    exchangeTimeMs: atMs,
    receivedAtMs: atMs,
    sequence: 1,
    lastPrice,
    lastQuantity: 65,
    volume: 1000,
    averagePrice: lastPrice,
    openInterest: undefined,
    lastTradeTimeMs: atMs,
  } as TickEvent;
}

/** A steady rise of 0.1% a candle from 24,000: EMAs fan out bullish and SuperTrend turns up. */
function rally(engine: SignalEngine, n: number): void {
  for (let i = 0; i < n; i++) engine.onCandle(candle(i, Math.round(2_400_000 * 1.001 ** i)));
}

describe('SignalEngine', () => {
  it('a scripted rally with confirming OI fires one long trend signal on the 0.45-delta call', () => {
    const { engine, events } = setup();
    rally(engine, 20);
    const fired = events.filter((e) => e.type === 'new');
    expect(fired.length, 'one active signal per (strategy, underlying), however long the rally').toBe(1);
    const signal = fired[0]?.signal;
    expect(signal?.direction).toBe('long');
    expect(signal?.instrument.token, 'picked from the chain rows').toBe('CE1');
    expect(
      signal?.contributions.map((c) => c.component),
      'fires once SuperTrend has warmed (before the slow EMA), confirmed by OI',
    ).toEqual(expect.arrayContaining(['supertrend', 'oi-build-up']));
    expect(signal?.stopPaise ?? 0, 'stop below entry on a bought option').toBeLessThan(
      signal?.entryPaise ?? 0,
    );
    expect(engine.activeSignals().length).toBe(1);
  });

  it('prices of the chosen instrument close the signal at its target, after which it can fire again', () => {
    const { engine, events } = setup();
    rally(engine, 20);
    const signal = engine.activeSignals()[0];
    if (signal === undefined) throw new Error('expected an active signal');
    engine.onMarketEvent(tick('PE1', signal.targetPaise + 1_000, signal.createdAtMs + 1));
    expect(engine.activeSignals().length, 'a tick of another instrument changes nothing').toBe(1);
    engine.onMarketEvent(tick('CE1', signal.targetPaise, signal.createdAtMs + 2));
    const closed = events.find((e) => e.type === 'closed');
    expect(closed?.signal.status, 'target touched').toBe('target-hit');
    expect(engine.activeSignals().length).toBe(0);
    engine.onCandle(candle(20, Math.round(2_400_000 * 1.001 ** 20)));
    expect(events.filter((e) => e.type === 'new').length, 'the slot is free again').toBe(2);
  });

  it('the clock expires a signal at the end of its validity', () => {
    const { engine, events } = setup();
    rally(engine, 20);
    const signal = engine.activeSignals()[0];
    if (signal === undefined) throw new Error('expected an active signal');
    engine.onClock(signal.validUntilMs - 1);
    expect(engine.activeSignals().length, 'still valid a ms before').toBe(1);
    engine.onClock(signal.validUntilMs);
    expect(events.at(-1)?.signal.status).toBe('expired');
  });

  it('unknown data quality fails closed: no signal, counted as quality-unknown', () => {
    const { engine, events } = setup('unknown');
    rally(engine, 20);
    expect(events, 'no quality report for the index or the option').toEqual([]);
    expect(engine.stats.noSignal['quality-unknown'] ?? 0).toBeGreaterThan(0);
  });

  it('candles of other tokens or intervals, and warming indicators, do not fire', () => {
    const { engine, events } = setup();
    for (let i = 0; i < 20; i++) engine.onCandle(candle(i, 2_400_000 + i * 2_400, '99999'));
    rally(engine, 3);
    expect(events, 'other tokens are ignored and 3 candles do not warm the EMAs').toEqual([]);
  });

  it('warm-up history fills the indicators without firing; the next live candle can fire', () => {
    const { engine, events } = setup();
    const history = Array.from({ length: 20 }, (_, i) => candle(i, Math.round(2_400_000 * 1.001 ** i)));
    expect(engine.warmUp('26000', history), 'every closed candle of the index applies').toBe(20);
    expect(engine.warmUp('26000', history), 'a replayed history is late and skipped').toBe(0);
    expect(engine.warmUp('99999', history), 'not an index the engine trades').toBe(0);
    expect(events, 'warm-up never evaluates').toEqual([]);
    expect(engine.stats.warmedUp).toEqual({ NIFTY: 20 });
    engine.onCandle(candle(20, Math.round(2_400_000 * 1.001 ** 20)));
    expect(
      events.map((e) => e.type),
      'the first live candle sees warm indicators',
    ).toEqual(['new']);
  });

  it('keeps the latest refusal per strategy and underlying with its detail', () => {
    const { engine } = setup('stale');
    rally(engine, 20);
    expect(engine.stats.lastRefusal['trend:NIFTY']).toMatchObject({ reason: 'stale-data' });
    expect(engine.stats.lastRefusal['trend:NIFTY']?.detail).toContain('26000');
  });
});
