import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePacket, SubscriptionMode } from '../../brokers/angelone/codec/index.js';
import { parseScripMaster } from '../../brokers/angelone/instruments/index.js';
import { createMarketCalendar } from '../../core/calendar/index.js';
import { SimulatedClock } from '../../core/clock.js';
import type { Instrument } from '../../core/instrument.js';
import { istToEpochMs } from '../../core/time.js';
import { buildPacket } from '../../sim/feed/index.js';
import { createMarketModel } from '../../sim/market/index.js';
import { RecordingWriter, RecordKind } from '../../sim/recording/index.js';
import { createDatabase, createRepositories, migrateToLatest } from '../../storage/index.js';
import type { Candle } from '../candles/index.js';
import type { TickEvent } from '../events.js';
import { replayRecording, replayStoredTicks } from './replay.js';

describe('replaying a recording through the pipeline', () => {
  const calendar = createMarketCalendar();
  let dir = '';
  let file = '';
  let tamperedFile = '';
  let instruments: Instrument[] = [];

  /** A 3-minute simulated session recorded frame by frame, as `indexflow record` would store it. */
  async function record(path: string, skipFrame?: number): Promise<void> {
    const start = istToEpochMs(2026, 11, 25, 10, 0);
    const clock = new SimulatedClock(start);
    const market = createMarketModel({
      seed: 7,
      startMs: start,
      calendar,
      underlyings: ['NIFTY'],
      strikesEachSide: 3,
    });
    instruments = parseScripMaster(market.scripMaster()).instruments;
    const writer = await RecordingWriter.create(path, { clock, startTimeMs: start });
    let n = 0;
    for (let t = start + 250; t <= start + 180_000; t += 250) {
      clock.advanceTo(t);
      for (const token of market.advanceTo(t)) {
        const state = market.state(token);
        const instrument = market.instrument(token);
        if (!state || !instrument) continue;
        const mode = instrument.kind === 'index' ? SubscriptionMode.QUOTE : SubscriptionMode.SNAP_QUOTE;
        const packet = buildPacket(state, mode, token, instrument.exchangeType as 1 | 2);
        if (n++ === skipFrame) continue;
        writer.append(RecordKind.BINARY, encodePacket(packet), t + (n % 7));
      }
    }
    await writer.close();
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'if-replay-'));
    file = join(dir, 'session.ifrec');
    tamperedFile = join(dir, 'tampered.ifrec');
    await record(file);
    await record(tamperedFile, 500);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same events and candles, byte for byte, every time', async () => {
    const first = await replayRecording(file, { instruments, calendar });
    const second = await replayRecording(file, { instruments, calendar });
    expect(first.frames, 'the recording has frames').toBeGreaterThan(1000);
    expect(first.events, 'ticks, quotes and depth came out').toBeGreaterThan(first.frames);
    expect(first.candles, 'closed candles came out').toBeGreaterThan(0);
    expect(second, 'same input, same output').toEqual(first);
  });

  it('notices a different input (the hash is not constant)', async () => {
    const original = await replayRecording(file, { instruments, calendar });
    const tampered = await replayRecording(tamperedFile, { instruments, calendar });
    expect(tampered.frames, 'one frame fewer').toBe(original.frames - 1);
    expect(tampered.hash).not.toBe(original.hash);
  });

  it('replays stored ticks to the same candles the recording produced, deterministically', async () => {
    const ticks: TickEvent[] = [];
    const liveCandles: Candle[] = [];
    await replayRecording(file, {
      instruments,
      calendar,
      onOutput: (topic, value) => {
        if (topic === 'market.tick') ticks.push(value as TickEvent);
        if (topic === 'candle') liveCandles.push(value as Candle);
      },
    });
    const database = createDatabase({ sqliteFile: join(dir, 'warehouse.sqlite') });
    try {
      await migrateToLatest(database);
      const repos = createRepositories(database.db, database.dialect);
      await repos.ticks.insertMany(ticks);
      const tokens = [...new Set(ticks.map((t) => t.token))];
      const fromMs = Math.min(...ticks.map((t) => t.exchangeTimeMs));
      const toMs = Math.max(...ticks.map((t) => t.exchangeTimeMs)) + 1;
      const storedCandles: Candle[] = [];
      const first = await replayStoredTicks(repos.ticks, {
        instruments,
        calendar,
        tokens,
        fromMs,
        toMs,
        onOutput: (topic, value) => {
          if (topic === 'candle') storedCandles.push(value as Candle);
        },
      });
      const second = await replayStoredTicks(repos.ticks, { instruments, calendar, tokens, fromMs, toMs });
      expect(first.frames, 'every stored tick replayed').toBe(ticks.length);
      expect(second.hash, 'same stored input, same output').toBe(first.hash);
      const key = (c: Candle) => `${c.token}|${c.interval}|${c.startMs}`;
      const sorted = (list: Candle[]) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
      expect(sorted(storedCandles), 'the warehouse rebuilds the live candles exactly').toEqual(
        sorted(liveCandles),
      );
    } finally {
      await database.close();
    }
  });
});
