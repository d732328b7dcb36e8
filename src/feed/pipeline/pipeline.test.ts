import { describe, expect, it } from 'vitest';
import {
  type BestFiveRecord,
  decodePacket,
  encodePacket,
  type LtpPacket,
  type SnapQuotePacket,
} from '../../brokers/angelone/codec/index.js';
import { createMarketCalendar } from '../../core/calendar/index.js';
import { SimulatedClock } from '../../core/clock.js';
import type { Instrument } from '../../core/instrument.js';
import { istToEpochMs } from '../../core/time.js';
import { MessageBus } from '../../engine/bus.js';
import { Cache } from '../../engine/cache.js';
import { createMetricsRegistry } from '../../ops/metrics.js';
import type { DataQualityEvent, MarketEvent } from '../events.js';
import { type InstrumentMarketState, MARKET_NAMESPACE, marketKey } from '../state/index.js';
import { NIFTY_25000_CE, NIFTY_INDEX, niftyOption, OPEN_MS } from '../validate/testkit.js';
import { instrumentLookup, MarketDataPipeline, type MarketDataPipelineOptions } from './pipeline.js';

const calendar = createMarketCalendar();
const NIFTY_25500_PE = niftyOption('45002', 25_500, 'PE');
const INSTRUMENTS: Instrument[] = [NIFTY_INDEX, NIFTY_25000_CE, NIFTY_25500_PE];

function setup(options: Partial<MarketDataPipelineOptions> = {}) {
  const bus = new MessageBus();
  const cache = new Cache();
  const clock = new SimulatedClock(OPEN_MS);
  const pipeline = new MarketDataPipeline({
    bus,
    cache,
    clock,
    calendar,
    instruments: instrumentLookup(INSTRUMENTS),
    ...options,
  });
  const published: Array<MarketEvent | DataQualityEvent> = [];
  bus.subscribe('market.tick', (e) => published.push(e));
  bus.subscribe('market.quote', (e) => published.push(e));
  bus.subscribe('market.depth', (e) => published.push(e));
  bus.subscribe('market.quality', (e) => published.push(e));
  const stateOf = (instrument: Instrument) =>
    cache.get<InstrumentMarketState>(MARKET_NAMESPACE, marketKey(instrument.exchangeType, instrument.token));
  return { bus, cache, clock, pipeline, published, stateOf };
}

function bestFive(ltp: number): BestFiveRecord[] {
  const records: BestFiveRecord[] = [];
  for (let i = 0; i < 5; i++)
    records.push({ buySellFlag: 1, quantity: 65, price: ltp - 5 * (i + 1), numberOfOrders: 1 });
  for (let i = 0; i < 5; i++)
    records.push({ buySellFlag: 0, quantity: 65, price: ltp + 5 * (i + 1), numberOfOrders: 1 });
  return records;
}

function snap(instrument: Instrument, sequenceNumber: number, timeMs: number, ltp = 12_345): SnapQuotePacket {
  const lastTradedTimestamp = Math.floor(timeMs / 1000);
  return decodePacket(
    encodePacket({
      subscriptionMode: 3,
      exchangeType: instrument.exchangeType as 1 | 2,
      token: instrument.token,
      sequenceNumber,
      exchangeTimestamp: timeMs,
      exchangeTimeMs: timeMs,
      lastTradedPrice: ltp,
      lastTradedQuantity: 65,
      averageTradedPrice: ltp,
      volumeTradedForTheDay: 1_000 + sequenceNumber,
      totalBuyQuantity: 1_000,
      totalSellQuantity: 1_000,
      openPriceOfTheDay: ltp,
      highPriceOfTheDay: ltp,
      lowPriceOfTheDay: ltp,
      closePrice: ltp,
      lastTradedTimestamp,
      lastTradedTimeMs: lastTradedTimestamp * 1000,
      openInterest: 10_000,
      openInterestChangePercentage: 0,
      bestFive: bestFive(ltp),
      upperCircuitLimit: ltp * 10,
      lowerCircuitLimit: 5,
      fiftyTwoWeekHigh: 0,
      fiftyTwoWeekLow: 0,
    }),
  ) as SnapQuotePacket;
}

function ltp(instrument: Instrument, sequenceNumber: number, timeMs: number, price: number): LtpPacket {
  return {
    subscriptionMode: 1,
    exchangeType: instrument.exchangeType as 1 | 2,
    token: instrument.token,
    sequenceNumber,
    exchangeTimestamp: timeMs,
    exchangeTimeMs: timeMs,
    lastTradedPrice: price,
  };
}

const kinds = (events: ReadonlyArray<MarketEvent | DataQualityEvent>): string[] =>
  events.map((e) => ('type' in e ? e.type : `quality:${e.quality}`));

describe('MarketDataPipeline — flow', () => {
  it('publishes a SnapQuote as tick, quote and depth after the first-update quality change is cached', () => {
    const { pipeline, published, stateOf } = setup();
    pipeline.onPacket(snap(NIFTY_25000_CE, 100, OPEN_MS), OPEN_MS + 3);
    expect(kinds(published), 'market events, then the quality change').toEqual([
      'tick',
      'quote',
      'depth',
      'quality:fresh',
    ]);
    expect(stateOf(NIFTY_25000_CE)?.quality, 'quality in the cache').toBe('fresh');
    expect(pipeline.stats().accepted, 'accepted per type').toEqual({ tick: 1, quote: 1, depth: 1 });
  });

  it('writes the whole packet to the cache before the first handler runs (cache, then publish)', () => {
    const { bus, pipeline, stateOf } = setup();
    const seen: string[] = [];
    bus.subscribe('market.tick', (tick) => {
      const state = stateOf(NIFTY_25000_CE);
      seen.push(state?.tick === tick ? 'tick is cached' : 'tick NOT cached');
      seen.push(state?.quote?.sequence === tick.sequence ? 'same packet’s quote cached' : 'quote missing');
      seen.push(state?.depth?.sequence === tick.sequence ? 'same packet’s depth cached' : 'depth missing');
    });
    bus.subscribe('market.quality', (change) => {
      seen.push(
        stateOf(NIFTY_25000_CE)?.quality === change.quality ? 'quality cached' : 'quality NOT cached',
      );
    });
    pipeline.onPacket(snap(NIFTY_25000_CE, 100, OPEN_MS), OPEN_MS + 3);
    pipeline.onPacket(snap(NIFTY_25000_CE, 101, OPEN_MS + 1000), OPEN_MS + 1003);
    expect(seen, 'every handler saw the new state').toEqual([
      'tick is cached',
      'same packet’s quote cached',
      'same packet’s depth cached',
      'quality cached',
      'tick is cached',
      'same packet’s quote cached',
      'same packet’s depth cached',
    ]);
  });

  it('decodes raw frames and counts undecodable ones by error code', () => {
    const { pipeline, published } = setup();
    const frame = encodePacket(snap(NIFTY_25000_CE, 100, OPEN_MS));
    pipeline.onFrame(frame, OPEN_MS + 1);
    pipeline.onFrame(frame.subarray(0, 100), OPEN_MS + 2);
    expect(
      kinds(published).filter((k) => !k.startsWith('quality')),
      'the good frame only',
    ).toEqual(['tick', 'quote', 'depth']);
    expect(pipeline.stats().rejectedFrames, 'truncated frame counted').toEqual({ IF_ERR_PACKET_SIZE: 1 });
  });

  it('drops packets of unknown instruments and counts them', () => {
    const { pipeline, published } = setup();
    pipeline.onPacket(ltp({ ...NIFTY_25000_CE, token: '999' }, 1, OPEN_MS, 100), OPEN_MS);
    expect(published, 'nothing published').toEqual([]);
    expect(pipeline.stats().unknownInstrument, 'counted').toBe(1);
    expect(pipeline.stats().validation.dropped['unknown-instrument'], 'as a drop reason').toBe(1);
  });

  it('publishes nothing for a duplicate packet and keeps the first one in the cache', () => {
    const { pipeline, published, stateOf } = setup();
    const packet = snap(NIFTY_25000_CE, 100, OPEN_MS);
    pipeline.onPacket(packet, OPEN_MS + 1);
    const before = stateOf(NIFTY_25000_CE)?.tick;
    published.length = 0;
    pipeline.onPacket(packet, OPEN_MS + 2);
    expect(published, 'duplicate dropped').toEqual([]);
    expect(stateOf(NIFTY_25000_CE)?.tick, 'state unchanged').toBe(before);
    expect(pipeline.stats().validation.dropped.duplicate, 'three events dropped').toBe(3);
  });

  it('judges a SnapQuote’s tick against the circuit limits carried by the same packet', () => {
    const { pipeline, published } = setup();
    pipeline.onPacket(snap(NIFTY_25000_CE, 100, OPEN_MS, 1_000), OPEN_MS);
    published.length = 0;
    // The band widened in this packet (upper 10 × 50,000); the old one (10,000) would have dropped the tick.
    pipeline.onPacket(snap(NIFTY_25000_CE, 101, OPEN_MS + 1000, 50_000), OPEN_MS + 1000);
    expect(kinds(published), 'all three accepted').toEqual(['tick', 'quote', 'depth']);
  });

  it('zeroes index sequence numbers and sets option moneyness from the index’s last price', () => {
    const { pipeline, stateOf } = setup();
    pipeline.onPacket(ltp(NIFTY_INDEX, 123_456, OPEN_MS, 2_500_000), OPEN_MS);
    pipeline.onPacket(snap(NIFTY_25500_PE, 10, OPEN_MS), OPEN_MS);
    expect(stateOf(NIFTY_INDEX)?.tick?.sequence, 'index sequence is meaningless').toBe(0);
    expect(stateOf(NIFTY_25500_PE)?.context, 'K/S = 1.02: put ITM').toMatchObject({
      moneyness: 'itm',
      spotPaise: 2_500_000,
      underlying: 'NIFTY',
    });
    expect(stateOf(NIFTY_25500_PE)?.context.daysToExpiry, 'a week to the 17-Mar close').toBeCloseTo(
      (istToEpochMs(2026, 3, 17, 15, 30) - OPEN_MS) / 86_400_000,
      12,
    );
  });

  it('processes a packet fed in re-entrantly by a handler without mixing up the two', () => {
    const { bus, pipeline, stateOf } = setup();
    let fed = false;
    bus.subscribe('market.tick', (tick) => {
      if (fed || tick.token !== NIFTY_25000_CE.token) return;
      fed = true;
      pipeline.onPacket(snap(NIFTY_25500_PE, 7, OPEN_MS), OPEN_MS);
    });
    pipeline.onPacket(snap(NIFTY_25000_CE, 100, OPEN_MS), OPEN_MS);
    expect(stateOf(NIFTY_25000_CE)?.depth?.token, 'outer packet complete').toBe(NIFTY_25000_CE.token);
    expect(stateOf(NIFTY_25500_PE)?.depth?.token, 'inner packet complete').toBe(NIFTY_25500_PE.token);
    expect(pipeline.stats().accepted, 'six events').toEqual({ tick: 2, quote: 2, depth: 2 });
  });
});

describe('MarketDataPipeline — quality over time', () => {
  it('publishes stale from its own clock timer during market hours, and fresh again on the next update', async () => {
    const { clock, pipeline, published, stateOf } = setup({
      validation: { staleAfterMs: 30_000 },
      staleCheckIntervalMs: 1_000,
    });
    await pipeline.start();
    pipeline.onPacket(snap(NIFTY_25000_CE, 100, OPEN_MS), OPEN_MS);
    published.length = 0;
    clock.advanceBy(29_000);
    expect(published, '29 s: nothing yet').toEqual([]);
    clock.advanceBy(1_000);
    expect(published, '30 s of silence').toEqual([
      expect.objectContaining({ quality: 'stale', previous: 'fresh', atMs: OPEN_MS + 30_000 }),
    ]);
    expect(stateOf(NIFTY_25000_CE)?.quality, 'cached').toBe('stale');
    pipeline.onPacket(snap(NIFTY_25000_CE, 101, OPEN_MS + 31_000), OPEN_MS + 31_000);
    expect(kinds(published).at(-1), 'fresh again').toBe('quality:fresh');
    await pipeline.stop();
    expect(clock.pendingTimers(), 'stop cancels the stale timer').toBe(0);
  });

  it('does not go stale after the close', async () => {
    const close = istToEpochMs(2026, 3, 10, 15, 29, 50);
    const { clock, pipeline, stateOf } = setup({ validation: { staleAfterMs: 30_000 } });
    clock.advanceTo(close);
    await pipeline.start();
    pipeline.onPacket(snap(NIFTY_25000_CE, 100, close), close);
    clock.advanceBy(3_600_000);
    expect(stateOf(NIFTY_25000_CE)?.quality, 'an hour after the close').toBe('fresh');
    await pipeline.stop();
  });

  it('marks a watched instrument that never sends anything stale', () => {
    const { clock, pipeline, published, stateOf } = setup({ validation: { staleAfterMs: 5_000 } });
    pipeline.watch([NIFTY_25500_PE]);
    expect(stateOf(NIFTY_25500_PE), 'record exists before any data').toMatchObject({
      tick: undefined,
      updates: 0,
    });
    clock.advanceBy(5_000);
    expect(pipeline.checkStale(), 'one instrument went stale').toBe(1);
    expect(published, 'its quality event').toEqual([
      expect.objectContaining({ token: NIFTY_25500_PE.token, quality: 'stale', previous: undefined }),
    ]);
  });

  it('flags a sequence gap as gapped, but not the jump after a feed reconnect', () => {
    const { pipeline, published } = setup();
    pipeline.onPacket(snap(NIFTY_25000_CE, 100, OPEN_MS), OPEN_MS);
    pipeline.onFeedReconnect();
    pipeline.onPacket(snap(NIFTY_25000_CE, 150, OPEN_MS + 9_000), OPEN_MS + 9_000);
    expect(
      kinds(published).filter((k) => k.startsWith('quality')),
      'no gap after reconnect',
    ).toEqual(['quality:fresh']);
    pipeline.onPacket(snap(NIFTY_25000_CE, 155, OPEN_MS + 10_000), OPEN_MS + 10_000);
    expect(kinds(published).at(-1), 'a real gap later').toBe('quality:gapped');
  });
});

describe('MarketDataPipeline — stages and metrics', () => {
  it('runs extra stages after caching and before publishing, and survives a throwing stage', () => {
    const order: string[] = [];
    const { bus, pipeline, stateOf } = setup({
      stages: [
        {
          name: 'candles',
          onEvent: (event, state) => {
            order.push(
              `stage ${event.type} cached=${state.tick === event || state.quote === event || state.depth === event}`,
            );
          },
        },
        {
          name: 'broken',
          onEvent: () => {
            throw new Error('boom');
          },
        },
      ],
    });
    bus.subscribe('market.tick', () => order.push('bus tick'));
    pipeline.onPacket(snap(NIFTY_25000_CE, 100, OPEN_MS), OPEN_MS);
    expect(order, 'stages for every event, then the bus').toEqual([
      'stage tick cached=true',
      'stage quote cached=true',
      'stage depth cached=true',
      'bus tick',
    ]);
    expect(pipeline.stats().stageErrors, 'each throw counted').toBe(3);
    expect(stateOf(NIFTY_25000_CE)?.updates, 'state still complete').toBe(3);
  });

  it('reads no timer without a registry', () => {
    let reads = 0;
    const { pipeline } = setup({ latencySampleEvery: 1, hrNow: () => ++reads });
    for (let s = 1; s <= 10; s++) pipeline.onPacket(snap(NIFTY_25000_CE, s, OPEN_MS + s), OPEN_MS + s);
    expect(reads, 'metrics off means no hrtime reads').toBe(0);
  });

  it('samples stage latencies one packet in N and exports drops, flags and qualities', async () => {
    const registry = createMetricsRegistry({ defaults: false });
    let now = 0;
    const { pipeline } = setup({ metrics: registry, latencySampleEvery: 4, hrNow: () => (now += 0.001) });
    for (let s = 1; s <= 8; s++) pipeline.onPacket(snap(NIFTY_25000_CE, s, OPEN_MS + s), OPEN_MS + s);
    pipeline.onPacket(snap(NIFTY_25000_CE, 8, OPEN_MS + 8), OPEN_MS + 9);
    pipeline.onPacket(ltp(NIFTY_25000_CE, 9, OPEN_MS + 9, 0), OPEN_MS + 9);
    pipeline.onFrame(new Uint8Array(7), OPEN_MS + 10);
    const text = await registry.metrics();
    expect(text, 'packets 4 and 8 of 11 inputs timed (1 in 4)').toContain(
      'indexflow_market_stage_seconds_count{stage="validate"} 2',
    );
    expect(text, 'every stage timed at the same rate').toContain(
      'indexflow_market_stage_seconds_count{stage="publish"} 2',
    );
    expect(text, 'one microsecond per stage with the fake timer').toContain(
      'indexflow_market_stage_seconds_sum{stage="normalise"} 0.000002',
    );
    expect(text, 'duplicates by reason').toContain(
      'indexflow_market_events_dropped_total{reason="duplicate"} 3',
    );
    expect(text, 'zero price flagged').toContain(
      'indexflow_market_events_flagged_total{reason="zero-price"} 1',
    );
    expect(text, 'bad frame by code').toContain(
      'indexflow_market_frames_rejected_total{code="IF_ERR_PACKET_MODE"} 1',
    );
    expect(text, 'accepted ticks').toContain('indexflow_market_events_total{type="tick"} 9');
    expect(text, 'quality gauge').toContain('indexflow_market_instruments{quality="fresh"} 1');
  });

  it('reports running health with quality counts once started', async () => {
    const { pipeline } = setup();
    expect(pipeline.health().state, 'not started').toBe('stopped');
    await pipeline.start();
    pipeline.onPacket(snap(NIFTY_25000_CE, 1, OPEN_MS), OPEN_MS);
    expect(pipeline.health(), 'running').toMatchObject({
      state: 'running',
      facts: { instruments: 1, fresh: 1 },
    });
    await pipeline.stop();
  });
});

describe('instrumentLookup', () => {
  it('finds instruments by exchange type and token', () => {
    const lookup = instrumentLookup(INSTRUMENTS);
    expect(lookup(2, NIFTY_25000_CE.token), 'NFO contract').toBe(NIFTY_25000_CE);
    expect(lookup(1, NIFTY_25000_CE.token), 'same token on another exchange').toBeUndefined();
  });
});
