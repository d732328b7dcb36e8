import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  decodePacket,
  encodePacket,
  type ExchangeType,
  type FeedPacket,
} from '../../brokers/angelone/codec/index.js';
import { SimulatedClock } from '../../core/clock.js';
import type { FrameHeader } from '../feed/index.js';
import {
  authHeaders,
  FakeMarket,
  FIRST_OPTION,
  NIFTY_INDEX,
  NIFTY_INDEX_ALIAS,
  RELIANCE,
  startTestHost,
  subscribeRequest,
  TestClient,
  type TestHost,
} from '../feed/testkit.js';
import { RecordKind } from './format.js';
import { type ReplaySink, ReplaySource } from './replay.js';
import { RecordingWriter } from './writer.js';

const START = Date.UTC(2026, 10, 25, 3, 45);
let dir = '';
let host: TestHost | undefined;
const clients: TestClient[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'indexflow-replay-'));
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await host?.close();
  host = undefined;
  await rm(dir, { recursive: true, force: true });
});

function ltp(token: string, sequenceNumber: number, exchangeType: ExchangeType = 2): Uint8Array {
  const packet: FeedPacket = {
    subscriptionMode: 1,
    exchangeType,
    token,
    sequenceNumber,
    exchangeTimestamp: START,
    exchangeTimeMs: START,
    lastTradedPrice: 10_000 + sequenceNumber,
  };
  return encodePacket(packet);
}

function quoteOf(token: string, sequenceNumber: number): Uint8Array {
  return encodePacket({
    subscriptionMode: 2,
    exchangeType: 2,
    token,
    sequenceNumber,
    exchangeTimestamp: START,
    exchangeTimeMs: START,
    lastTradedPrice: 10_000,
    lastTradedQuantity: 75,
    averageTradedPrice: 9_990,
    volumeTradedForTheDay: 7_500,
    totalBuyQuantity: 1_500,
    totalSellQuantity: 1_200,
    openPriceOfTheDay: 9_900,
    highPriceOfTheDay: 10_200,
    lowPriceOfTheDay: 9_700,
    closePrice: 9_950,
  });
}

interface Entry {
  atMs: number;
  frame: Uint8Array | string;
}

async function record(name: string, entries: Entry[]): Promise<string> {
  const path = join(dir, name);
  const writer = await RecordingWriter.create(path, { clock: new SimulatedClock(START), startTimeMs: START });
  for (const entry of entries) {
    const kind = typeof entry.frame === 'string' ? RecordKind.TEXT : RecordKind.BINARY;
    writer.append(kind, entry.frame, START + entry.atMs);
  }
  await writer.close();
  return path;
}

/** A sink that subscribes to everything and notes when each frame arrived. */
class NotingSink implements ReplaySink {
  readonly seen: { atMs: number; token: string; seq: number }[] = [];
  constructor(
    private readonly clock: SimulatedClock,
    private readonly wanted: (header: FrameHeader) => boolean = () => true,
  ) {}
  publishFrame(frame: Uint8Array, header: FrameHeader): number {
    if (!this.wanted(header)) return 0;
    const packet = decodePacket(frame);
    this.seen.push({
      atMs: this.clock.now(),
      token: header.token,
      seq: packet.subscriptionMode === 4 ? -1 : packet.sequenceNumber,
    });
    return 1;
  }
}

/** Steps a SimulatedClock 1 ms at a time whenever the replay is asleep, until it finishes. */
async function drive(clock: SimulatedClock, run: Promise<unknown>): Promise<void> {
  let finished = false;
  void run.finally(() => {
    finished = true;
  });
  while (!finished) {
    await vi.waitFor(
      () => {
        if (!finished && clock.pendingTimers() === 0) throw new Error('replay busy');
      },
      { interval: 1, timeout: 10_000 },
    );
    if (!finished) clock.advanceBy(1);
  }
  await run;
}

describe('ReplaySource pacing', () => {
  it('keeps the recorded spacing divided by speed, in recorded order, and skips text frames', async () => {
    const path = await record('paced.ifrec', [
      { atMs: 0, frame: ltp('50000', 1) },
      { atMs: 10, frame: ltp('50001', 2) },
      { atMs: 10, frame: ltp('50000', 3) },
      { atMs: 12, frame: 'pong' },
      { atMs: 36, frame: ltp('50002', 4) },
      { atMs: 100, frame: ltp('50000', 5) },
    ]);
    const clock = new SimulatedClock(START + 1_000_000);
    const sink = new NotingSink(clock);
    const replay = new ReplaySource({ path, sink, clock, speed: 2 });
    const run = replay.start();
    await drive(clock, run);
    const t0 = START + 1_000_000;
    expect(
      sink.seen.map((s) => [s.atMs - t0, s.seq]),
      'at recorded offsets / 2 and in recorded order',
    ).toEqual([
      [0, 1],
      [5, 2],
      [5, 3],
      [18, 4],
      [50, 5],
    ]);
    expect(replay.stats(), 'counts').toMatchObject({ framesRead: 6, framesPublished: 5, framesSkipped: 1 });
  });

  it("'max' speed plays every frame in order without waiting on the clock", async () => {
    const entries = Array.from({ length: 2000 }, (_, i) => ({ atMs: i * 1000, frame: ltp('50000', i) }));
    const path = await record('max.ifrec', entries);
    const clock = new SimulatedClock(START);
    const sink = new NotingSink(clock);
    const stats = await new ReplaySource({ path, sink, clock, speed: 'max' }).start();
    expect(
      sink.seen.map((s) => s.seq),
      'all, in order',
    ).toEqual(entries.map((_, i) => i));
    expect(clock.now(), 'no simulated time needed').toBe(START);
    expect(stats.framesPublished, 'counted').toBe(2000);
  });

  it('counts frames nobody subscribed to instead of sending them', async () => {
    const path = await record('filter.ifrec', [
      { atMs: 0, frame: ltp('50000', 1) },
      { atMs: 1, frame: ltp('50001', 2) },
      { atMs: 2, frame: ltp('50000', 3) },
    ]);
    const clock = new SimulatedClock(START);
    const sink = new NotingSink(clock, (header) => header.token === '50000');
    const stats = await new ReplaySource({ path, sink, clock, speed: 'max' }).start();
    expect(
      sink.seen.map((s) => s.seq),
      'only the subscribed token',
    ).toEqual([1, 3]);
    expect(stats.framesUnsubscribed, 'the other counted').toBe(1);
  });

  it('stop() ends a replay that is waiting for its next frame', async () => {
    const path = await record('stop.ifrec', [
      { atMs: 0, frame: ltp('50000', 1) },
      { atMs: 60_000, frame: ltp('50000', 2) },
    ]);
    const clock = new SimulatedClock(START);
    const sink = new NotingSink(clock);
    const replay = new ReplaySource({ path, sink, clock, speed: 1 });
    const run = replay.start();
    await vi.waitFor(() => expect(clock.pendingTimers(), 'asleep before frame 2').toBe(1), { interval: 1 });
    replay.stop();
    const stats = await run;
    expect(stats.stopped, 'stopped').toBe(true);
    expect(sink.seen.length, 'frame 2 never sent').toBe(1);
    expect(clock.pendingTimers(), 'its timer cancelled').toBe(0);
  });

  it('plays a crash-truncated recording up to its last whole record and reports the cut', async () => {
    const path = await record('cut.ifrec', [
      { atMs: 0, frame: ltp('50000', 1) },
      { atMs: 1, frame: ltp('50000', 2) },
    ]);
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 20));
    const clock = new SimulatedClock(START);
    const sink = new NotingSink(clock);
    const stats = await new ReplaySource({ path, sink, clock, speed: 'max' }).start();
    expect(
      sink.seen.map((s) => s.seq),
      'the whole record',
    ).toEqual([1]);
    expect(stats.truncatedTail?.offset, 'cut reported').toBeGreaterThan(0);
  });

  it('rejects a speed that is not positive', () => {
    const clock = new SimulatedClock(START);
    expect(
      () => new ReplaySource({ path: 'x', sink: new NotingSink(clock), clock, speed: 0 }),
      'speed 0',
    ).toThrow();
  });
});

describe('ReplaySource into the smart-stream server', () => {
  it('delivers recorded frames only for subscribed (token, mode) pairs, in order, under the subscribed alias', async () => {
    host = await startTestHost();
    const client = await TestClient.connect(host.url, authHeaders(host));
    clients.push(client);
    const opt = String(FIRST_OPTION);
    client.send(subscribeRequest(1, [{ exchangeType: 2, tokens: [opt] }]));
    client.send(subscribeRequest(1, [{ exchangeType: 1, tokens: [NIFTY_INDEX_ALIAS] }]));
    await client.until(() => client.binary.length === 2);
    const snapshots = client.binary.length;
    const path = await record('live.ifrec', [
      { atMs: 0, frame: ltp(opt, 11) },
      { atMs: 1, frame: ltp(RELIANCE, 12, 1) },
      { atMs: 2, frame: ltp(NIFTY_INDEX, 13, 1) },
      { atMs: 3, frame: quoteOf(opt, 14) },
      { atMs: 4, frame: 'pong' },
      { atMs: 5, frame: ltp(String(FIRST_OPTION + 1), 15) },
      { atMs: 6, frame: ltp(opt, 16) },
    ]);
    const stats = await new ReplaySource({
      path,
      sink: host.server,
      clock: host.clock,
      speed: 'max',
    }).start();
    await client.until(() => client.binary.length === snapshots + 3);
    await client.barrier();
    const got = client.binary.slice(snapshots).map((frame) => {
      const packet = decodePacket(frame);
      return `${packet.token}/${packet.subscriptionMode}/${packet.subscriptionMode === 4 ? '' : packet.sequenceNumber}`;
    });
    expect(got, 'option LTP ×2 and the index under 26000; RELIANCE, Quote and other tokens filtered').toEqual(
      [`${opt}/1/11`, `${NIFTY_INDEX_ALIAS}/1/13`, `${opt}/1/16`],
    );
    expect(stats, 'counts').toMatchObject({ framesPublished: 3, framesUnsubscribed: 3, framesSkipped: 1 });
  });

  it('serves the latest replayed frame as the snapshot for a token the model does not know', async () => {
    host = await startTestHost({ acceptUnknownTokens: true }, { market: new FakeMarket(START, 0) });
    const path = await record('snap.ifrec', [
      { atMs: 0, frame: ltp('60001', 1) },
      { atMs: 1000, frame: ltp('60001', 2) },
    ]);
    const clock = new SimulatedClock(START);
    const replay = new ReplaySource({ path, sink: host.server, clock, speed: 1 });
    const run = replay.start();
    await vi.waitFor(() => expect(clock.pendingTimers(), 'frame 1 played, waiting for 2').toBe(1), {
      interval: 1,
    });
    const client = await TestClient.connect(host.url, authHeaders(host));
    clients.push(client);
    client.send(subscribeRequest(1, [{ exchangeType: 2, tokens: ['60001'] }]));
    await client.until(() => client.binary.length === 1);
    expect(decodePacket(client.binary[0] ?? new Uint8Array()), 'snapshot = frame 1').toMatchObject({
      token: '60001',
      sequenceNumber: 1,
    });
    clock.advanceBy(1000);
    await run;
    await client.until(() => client.binary.length === 2);
    expect(decodePacket(client.binary[1] ?? new Uint8Array()), 'then frame 2 live').toMatchObject({
      sequenceNumber: 2,
    });
  });
});
