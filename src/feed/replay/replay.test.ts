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
import { replayRecording } from './replay.js';

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
});
