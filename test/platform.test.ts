import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { LiveClock } from '../src/engine/clocks.js';
import { type RunningPlatform, startPlatform } from '../src/engine/platform.js';
import { createClient } from 'redis';
import { marketStateKey, RedisStateReader } from '../src/messaging/redis/index.js';
import { silentLogger } from '../src/ops/logger.js';
import { RecordingWriter, RecordKind, readRecording } from '../src/sim/recording/index.js';

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function waitForAsync(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A signed-in viewer's fetch: every /api/v1 route takes a bearer token (the user is made in storage). */
async function viewerFetch(platform: RunningPlatform): Promise<(path: string) => Promise<Response>> {
  await platform.auth?.createUser('viewer1', 'a long viewer passphrase', 'viewer');
  const login = await fetch(`${platform.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'viewer1', password: 'a long viewer passphrase' }),
  });
  if (login.status !== 200) throw new Error(`viewer login failed with ${login.status}`);
  const { accessToken } = (await login.json()) as { accessToken: string };
  return (path) => fetch(`${platform.url}${path}`, { headers: { authorization: `Bearer ${accessToken}` } });
}

function totalPackets(platform: RunningPlatform): number {
  return Object.values(platform.feed.stats().packetsTotal).reduce((a, b) => a + b, 0);
}

describe('the all-in-one platform on the simulator', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function config(extra: Record<string, unknown> = {}) {
    const dataDir = mkdtempSync(join(tmpdir(), 'if-platform-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    return parseConfig({
      dataDir,
      server: { port: 0 },
      log: { level: 'silent' },
      sim: { speed: 5 },
      subscriptions: { strikesEachSide: 3 },
      ...extra,
    });
  }

  it('logs in with TOTP, loads the master, subscribes the near NIFTY and BANKNIFTY chains and is ready', async () => {
    const platform = await startPlatform(config(), silentLogger());
    cleanups.push(() => platform.close());

    const summary = platform.selection.summary;
    expect(Object.keys(summary), 'both default underlyings selected').toEqual(['NIFTY', 'BANKNIFTY']);
    expect(summary['NIFTY']?.contracts, '±3 strikes, calls and puts').toBe(14);
    expect(platform.selection.subscriptions.length, 'index + future + 14 options each').toBe(32);

    await waitFor(() => totalPackets(platform) > 50, 10_000, 'market data');
    const ready = await fetch(`${platform.url}/health/ready`);
    expect(ready.status, 'ready while the feed and the session run').toBe(200);
    const body = (await ready.json()) as { components: Record<string, { state: string }> };
    expect(body.components['feed']?.state).toBe('running');

    const metrics = await (await fetch(`${platform.url}/metrics`)).text();
    expect(metrics, 'packet counter per mode exported').toMatch(
      /indexflow_feed_packets_total\{mode="snap_quote"\} [1-9]/,
    );
    expect(metrics).toContain('indexflow_feed_reconnects_total 0');

    expect((await fetch(`${platform.url}/api/v1/feed`)).status, 'the API needs a token').toBe(401);
    const api = await viewerFetch(platform);
    const feed = (await (await api('/api/v1/feed')).json()) as { stats: { health: string } };
    expect(feed.stats.health).toBe('healthy');

    const niftyIndex = platform.instruments.indexInstrument('NIFTY');
    expect(niftyIndex, 'index row present in the simulator master').toBeDefined();
    const state = niftyIndex ? platform.pipeline.state(niftyIndex.exchangeType, niftyIndex.token) : undefined;
    expect(state?.tick?.lastPrice, 'the pipeline keeps the latest index tick in the cache').toBeGreaterThan(
      0,
    );
    expect(state?.quality, 'a live index is fresh').toBe('fresh');

    const chainResponse = await api('/api/v1/chains/NIFTY');
    expect(chainResponse.status, 'the near NIFTY chain is served').toBe(200);
    const chain = (await chainResponse.json()) as {
      rows: Array<{ strike: number; call?: { iv?: unknown } }>;
      summary: Record<string, unknown>;
    };
    expect(chain.rows.length, '±3 strikes around ATM').toBe(7);
    await waitForAsync(
      async () => {
        const live = (await (await api('/api/v1/chains/NIFTY')).json()) as typeof chain;
        const ivs = live.rows.map((r) => r.call?.iv).filter((iv): iv is number => typeof iv === 'number');
        return ivs.length > 0 && ivs.every((iv) => iv > 0.01 && iv < 2);
      },
      10_000,
      'implied volatilities on the live chain',
    );
    expect((await api('/api/v1/chains/NIFTY?expiry=soon')).status, 'bad expiry is a 400').toBe(400);
    expect((await api('/api/v1/chains/GOLD')).status, 'unknown underlying is a 404').toBe(404);

    const repositories = platform.storage.repositories();
    expect(repositories, 'SQLite storage opened under the data directory').toBeDefined();
    await waitForAsync(async () => ((await repositories?.ticks.count()) ?? 0) > 0, 10_000, 'ticks persisted');
    await waitForAsync(
      async () => ((await repositories?.candles.count()) ?? 0) > 0,
      10_000,
      'closed candles persisted',
    );
    expect(await repositories?.instruments.count(), 'subscribed instruments stored').toBe(32);
  });

  it('mirrors hot market state to Redis for other processes when REDIS_URL is set', async () => {
    const keyPrefix = `indexflow-test-${process.pid}-${Date.now()}:`;
    const platform = await startPlatform(
      config({ redis: { url: 'redis://127.0.0.1:6379', keyPrefix, flushIntervalMs: 50 } }),
      silentLogger(),
    );
    cleanups.push(() => platform.close());
    const reader = new RedisStateReader({ url: 'redis://127.0.0.1:6379', keyPrefix });
    await reader.start();
    cleanups.push(async () => {
      const client = createClient({ url: 'redis://127.0.0.1:6379' });
      await client.connect();
      const keys = await client.keys(`${keyPrefix}*`);
      if (keys.length > 0) await client.del(keys);
      await client.quit();
    });
    cleanups.push(() => reader.stop());
    const index = platform.instruments.indexInstrument('NIFTY');
    const key = marketStateKey(index?.token ?? '');
    let mirrored: Record<string, unknown> | undefined;
    await waitForAsync(
      async () => {
        // the reader connects in the background; until then reads fail fast with IF_ERR_REDIS_UNAVAILABLE
        mirrored = (await reader.get(key).catch(() => undefined)) as Record<string, unknown> | undefined;
        return mirrored !== undefined;
      },
      10_000,
      'the index state in Redis',
    );
    expect(mirrored?.['token'], 'the mirrored value is the index state').toBe(index?.token);
    expect(Number(mirrored?.['lastPrice']), 'with a last price in paise').toBeGreaterThan(0);
  });

  it('reports the feed degraded when its socket drops, and ready again after it reconnects', async () => {
    const platform = await startPlatform(
      config({ feed: { staleAfterMs: 1_000, pingIntervalMs: 300 } }),
      silentLogger(),
    );
    cleanups.push(() => platform.close());
    await waitFor(() => platform.feed.stats().health === 'healthy', 10_000, 'healthy feed');
    const healthSeen: string[] = [];
    const readinessSeen: boolean[] = [];
    platform.feed.on('health', (event) => {
      healthSeen.push(event.health);
      readinessSeen.push(platform.registry.readiness().ready);
    });
    const sim = platform.simulator;
    expect(sim, 'the simulator runs in-process').toBeDefined();
    sim?.feed.setFaults('all', { drop: true });
    sim?.feed.setFaults('default', {});
    await waitFor(() => platform.feed.stats().reconnects > 0, 10_000, 'a reconnect');
    await waitFor(() => platform.feed.stats().health === 'healthy', 15_000, 'recovery');
    expect(healthSeen[0], 'the drop was seen as a health change').not.toBe('healthy');
    expect(readinessSeen[0], 'readiness follows the feed').toBe(false);
    expect((await fetch(`${platform.url}/health/ready`)).status, 'ready again after recovery').toBe(200);
  });

  it('records raw frames and replays them through the simulator into the same client code', async () => {
    const recordingConfig = config();
    const file = join(recordingConfig.dataDir, 'session.ifrec');
    const writer = await RecordingWriter.create(file, { clock: new LiveClock() });
    const recorder = await startPlatform(recordingConfig, silentLogger(), {
      onRawFrame: (kind, payload, at) =>
        writer.append(kind === 'binary' ? RecordKind.BINARY : RecordKind.TEXT, payload, at),
    });
    await waitFor(() => totalPackets(recorder) > 100, 10_000, 'frames to record');
    await recorder.close();
    await writer.close();

    let recorded = 0;
    for await (const frame of readRecording(file)) if (frame.kind === RecordKind.BINARY) recorded++;
    expect(recorded, 'binary frames written').toBeGreaterThan(100);

    const replay = await startPlatform(
      config({ feed: { source: 'replay', replayFile: file, replaySpeed: 20 } }),
      silentLogger(),
    );
    cleanups.push(() => replay.close());
    await waitFor(() => totalPackets(replay) > 20, 15_000, 'replayed packets');
    expect(replay.feed.stats().rejectedFrames, 'replayed frames decode cleanly').toEqual({});
  });
});
