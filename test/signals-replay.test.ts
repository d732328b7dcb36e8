import { describe, expect, it } from 'vitest';
import type { FeedPacket } from '../src/brokers/angelone/index.js';
import { InstrumentStore } from '../src/brokers/angelone/instruments/index.js';
import { createMarketCalendar } from '../src/core/calendar/index.js';
import { SimulatedClock } from '../src/core/clock.js';
import type { Instrument } from '../src/core/instrument.js';
import { istToEpochMs } from '../src/core/time.js';
import { MessageBus } from '../src/engine/bus.js';
import { Cache } from '../src/engine/cache.js';
import { CandleBuilder } from '../src/feed/candles/index.js';
import type { MarketEvent } from '../src/feed/events.js';
import { candleStage, instrumentLookup, MarketDataPipeline } from '../src/feed/pipeline/index.js';
import { black76 } from '../src/options/index.js';
import { ChainRegistry } from '../src/options/chain/index.js';
import { type Signal, SignalConfigSchema, SignalEngine } from '../src/signals/index.js';

/**
 * Strategy decisions on scripted markets, replayed through the real kernel: packets → pipeline (normalise,
 * validate, cache) → candles → option chain (IV, delta) → signal engine, on a simulated clock. Option
 * prices come from Black-76 at a flat 14 % vol, so the chain's IVs and deltas are real solves.
 */

const DAY = { y: 2026, m: 3, d: 10 }; // a Tuesday, a trading day
const START = istToEpochMs(DAY.y, DAY.m, DAY.d, 10, 0, 0);
const EXPIRY = '2026-03-17';
const EXPIRY_MS = istToEpochMs(2026, 3, 17, 15, 30, 0);
const STRIKES = [24_800, 24_900, 25_000, 25_100, 25_200, 25_300, 25_400, 25_500, 25_600, 25_700, 25_800];
const VOL = 0.14;

function instruments(): Instrument[] {
  const list: Instrument[] = [
    {
      token: '99926000',
      symbol: 'NIFTY',
      name: 'NIFTY',
      exchange: 'NSE',
      exchangeType: 1,
      kind: 'index',
      instrumentType: 'AMXIDX',
      lotSize: 1,
      tickSizePaise: 5,
    },
    {
      token: '50000',
      symbol: 'NIFTY31MAR26FUT',
      name: 'NIFTY',
      exchange: 'NFO',
      exchangeType: 2,
      kind: 'future',
      instrumentType: 'FUTIDX',
      expiry: '2026-03-31',
      lotSize: 65,
      tickSizePaise: 10,
    },
  ];
  let token = 60_000;
  for (const strike of STRIKES) {
    for (const optionType of ['CE', 'PE'] as const) {
      list.push({
        token: String(token++),
        symbol: `NIFTY17MAR26${strike}${optionType}`,
        name: 'NIFTY',
        exchange: 'NFO',
        exchangeType: 2,
        kind: 'option',
        instrumentType: 'OPTIDX',
        expiry: EXPIRY,
        strikePaise: strike * 100,
        optionType,
        lotSize: 65,
        tickSizePaise: 5,
      });
    }
  }
  return list;
}

interface Script {
  /** index level (rupees) at minute `m` */
  spot(m: number): number;
  /** OI of an option at minute `m` */
  oi(instrument: Instrument, m: number): number;
  /** false: the index stops ticking at minute `m` (a dead feed) */
  indexAlive?(m: number): boolean;
}

const roundTick = (rupees: number): number => Math.max(5, Math.round((rupees * 100) / 5) * 5);

function packet(instrument: Instrument, seq: number, atMs: number, spot: number, oi: number): FeedPacket {
  if (instrument.kind === 'index') {
    return {
      subscriptionMode: 1,
      exchangeType: 1,
      token: instrument.token,
      sequenceNumber: 0,
      exchangeTimestamp: atMs,
      exchangeTimeMs: atMs,
      lastTradedPrice: roundTick(spot),
    };
  }
  const years = (EXPIRY_MS - atMs) / (365 * 86_400_000);
  const price =
    instrument.kind === 'future'
      ? roundTick(spot * 1.003)
      : roundTick(
          black76({
            forward: spot,
            strike: (instrument.strikePaise ?? 0) / 100,
            timeYears: years,
            rate: 0.065,
            vol: VOL,
            isCall: instrument.optionType === 'CE',
          }),
        );
  const tick = instrument.tickSizePaise;
  const bestFive = [];
  for (const [flag, sign] of [
    [1, -1],
    [0, 1],
  ] as const) {
    for (let level = 0; level < 5; level++) {
      bestFive.push({
        buySellFlag: flag,
        quantity: instrument.lotSize * 20,
        price: Math.max(tick, price + sign * tick * (level + 1)),
        numberOfOrders: 10,
      });
    }
  }
  return {
    subscriptionMode: 3,
    exchangeType: 2,
    token: instrument.token,
    sequenceNumber: seq,
    exchangeTimestamp: atMs,
    exchangeTimeMs: atMs,
    lastTradedPrice: price,
    lastTradedQuantity: instrument.lotSize,
    averageTradedPrice: price,
    volumeTradedForTheDay: 100_000 + seq * instrument.lotSize,
    totalBuyQuantity: 500_000,
    totalSellQuantity: 500_000,
    openPriceOfTheDay: price,
    highPriceOfTheDay: price * 2,
    lowPriceOfTheDay: tick,
    closePrice: price,
    lastTradedTimestamp: Math.floor(atMs / 1000),
    lastTradedTimeMs: Math.floor(atMs / 1000) * 1000,
    openInterest: oi,
    openInterestChangePercentage: 0,
    bestFive,
    upperCircuitLimit: price * 10,
    lowerCircuitLimit: tick,
    fiftyTwoWeekHigh: price * 3,
    fiftyTwoWeekLow: tick,
  } as FeedPacket;
}

/** Replays `minutes` of the script (every instrument every 5 s) and returns the engine's signals. */
function replay(script: Script, minutes: number, rules: unknown = {}) {
  const calendar = createMarketCalendar();
  const clock = new SimulatedClock(START);
  const list = instruments();
  const store = new InstrumentStore(list);
  const chains = ChainRegistry.fromInstruments(
    store,
    calendar,
    { underlyings: ['NIFTY'], expiries: 1, nowMs: START },
    { smileFit: 'external' },
  );
  const config = SignalConfigSchema.parse(rules);
  const events: Signal[] = [];
  let pipeline: MarketDataPipeline | undefined;
  const exchangeTypeOf = new Map(list.map((i) => [i.token, i.exchangeType] as const));
  const engine = new SignalEngine({
    underlyings: [
      {
        underlying: 'NIFTY',
        indexToken: '99926000',
        future: { token: '50000', exchangeType: 2, tickSizePaise: 10 },
      },
    ],
    interval: '1m',
    config: () => config,
    market: {
      chain: (underlying) => chains.chain(underlying)?.snapshot(),
      quality: (token) => {
        const type = exchangeTypeOf.get(token);
        return type === undefined ? undefined : pipeline?.state(type, token)?.quality;
      },
    },
    onEvent: (event) => events.push(event.signal),
  });
  const candles = new CandleBuilder({ calendar, intervals: ['1m'], onClosed: (c) => engine.onCandle(c) });
  pipeline = new MarketDataPipeline({
    bus: new MessageBus(),
    cache: new Cache(),
    clock,
    calendar,
    instruments: instrumentLookup(list),
    stages: [
      candleStage(candles),
      { name: 'chains', onEvent: (event: MarketEvent) => chains.onEvent(event) },
      { name: 'signals', onEvent: (event: MarketEvent) => engine.onMarketEvent(event) },
    ],
  });
  pipeline.watch(list);
  const seq = new Map<string, number>();
  for (let t = 0; t <= minutes * 60; t += 5) {
    const atMs = START + t * 1000;
    clock.advanceTo(atMs);
    const m = t / 60;
    const spot = script.spot(m);
    for (const instrument of list) {
      if (instrument.kind === 'index' && script.indexAlive?.(m) === false) continue;
      const n = (seq.get(instrument.token) ?? 0) + 1;
      seq.set(instrument.token, n);
      pipeline.onPacket(packet(instrument, n, atMs, spot, script.oi(instrument, m)), atMs);
    }
    candles.onClock(atMs);
    chains.refresh(atMs);
    engine.onClock(atMs);
  }
  return { events, stats: engine.stats };
}

/** Writers add calls as the market falls and puts as it rises: OI follows the option's own price. */
function oiFollowing(spot: (m: number) => number) {
  return (instrument: Instrument, m: number): number => {
    if (instrument.kind !== 'option') return 0;
    const move = spot(m) - spot(0);
    const bullishForSide = instrument.optionType === 'CE' ? move : -move;
    // Calls: price up and OI up (long build-up) in a rally; puts: price down and OI up (short build-up).
    return 1_000_000 + Math.round(Math.abs(bullishForSide) * 2_000) + Math.round(m * 1_000);
  };
}

const trendOnly = {
  strategies: { meanReversion: { enabled: false }, ivRegime: { enabled: false } },
};

describe('strategies replayed through the kernel on scripted markets', () => {
  it('a steady rally with OI building fires one long trend signal on a near-ATM call', () => {
    const spot = (m: number) => 25_300 + m * 6; // +6 points a minute
    const { events, stats } = replay({ spot, oi: oiFollowing(spot) }, 45, trendOnly);
    const fired = events.filter((s) => s.status === 'active');
    expect(fired.length, `refusals: ${JSON.stringify(stats.noSignal)}`).toBeGreaterThanOrEqual(1);
    const first = fired[0];
    expect(first?.direction).toBe('long');
    expect(first?.instrument.optionType, 'a long view buys a call').toBe('CE');
    expect(Math.abs(first?.instrument.delta ?? 0), 'in the picker band').toBeGreaterThan(0.3);
    expect(first?.contributions.map((c) => c.component)).toContain('oi-build-up');
    expect(first?.contributions.find((c) => c.component === 'oi-build-up')?.reason).toContain('recent');
  });

  it('a falling market fires short: the put is bought', () => {
    const spot = (m: number) => 25_300 - m * 6;
    const { events } = replay({ spot, oi: oiFollowing(spot) }, 45, trendOnly);
    const first = events.find((s) => s.status === 'active');
    expect(first?.direction).toBe('short');
    expect(first?.instrument.optionType).toBe('PE');
  });

  it('the same rally with the index feed dead after 20 minutes stops firing: stale data refuses', () => {
    const spot = (m: number) => 25_300 + m * 6;
    const { events, stats } = replay({ spot, oi: oiFollowing(spot), indexAlive: (m) => m < 20 }, 45, {
      ...trendOnly,
      composite: { validityMs: 60_000 },
    });
    const late = events.filter((s) => s.createdAtMs > START + 21 * 60_000 && s.status === 'active');
    expect(late, 'no new signal once the index is silent').toEqual([]);
    expect(stats.lastRefusal['trend:NIFTY'], 'the engine says why').toBeDefined();
  });

  it('a flat market proposes nothing', () => {
    const spot = () => 25_300;
    const { events, stats } = replay({ spot, oi: oiFollowing(spot) }, 40, trendOnly);
    expect(events).toEqual([]);
    expect(stats.evaluations).toBeGreaterThan(0);
  });
});
