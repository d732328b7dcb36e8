import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../core/clock.js';
import { isIfError } from '../../../core/errors.js';
import { DAY_MS, istToEpochMs } from '../../../core/time.js';
import { createLogger } from '../../../ops/logger.js';
import { sampleMaster } from './fixtures/scripRows.js';
import { InstrumentMasterLoader, type MasterDownloadProgress } from './loader.js';

type Mode = 'ok' | 'down' | 'html';

let dir: string;
let server: Server;
let url: string;
let mode: Mode;
let hits: number;
const body = JSON.stringify(sampleMaster());

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'indexflow-master-'));
  mode = 'ok';
  hits = 0;
  server = createServer((_req, res) => {
    hits++;
    if (mode === 'down') {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('Service Unavailable');
      return;
    }
    if (mode === 'html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>maintenance</html>');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    // several writes so the client sees the body arrive in pieces
    const third = Math.ceil(body.length / 3);
    res.write(body.slice(0, third));
    res.write(body.slice(third, 2 * third));
    res.end(body.slice(2 * third));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/OpenAPIScripMaster.json`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

// 23:30 IST on 23 Nov is still the 23rd in IST although it is the 23rd 18:00 UTC; the cache key is IST.
const DAY1 = istToEpochMs(2026, 11, 23, 23, 30);

describe('InstrumentMasterLoader', () => {
  it("downloads once per IST day, reporting byte progress, and reuses today's cache", async () => {
    const clock = new SimulatedClock(DAY1);
    const progress: MasterDownloadProgress[] = [];
    const loader = new InstrumentMasterLoader({
      cacheDir: dir,
      clock,
      url,
      onProgress: (p) => progress.push(p),
    });

    const first = await loader.load();
    expect(first.source).toBe('download');
    expect(first.dateKey, 'named by the IST date').toBe('2026-11-23');
    expect(first.path).toBe(join(dir, 'scrip-master-2026-11-23.json'));
    expect(first.instruments.length).toBe(sampleMaster().length);
    expect(first.rejected).toBe(0);
    expect(await readFile(first.path, 'utf8'), 'the cache holds the downloaded JSON').toBe(body);
    const last = progress.at(-1);
    expect(last?.receivedBytes, 'progress reaches the full size').toBe(Buffer.byteLength(body));
    expect(last?.totalBytes, 'total from Content-Length').toBe(Buffer.byteLength(body));
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]?.receivedBytes ?? 0, 'progress never goes backwards').toBeGreaterThanOrEqual(
        progress[i - 1]?.receivedBytes ?? 0,
      );
    }

    clock.advanceBy(20 * 60_000); // 23:50 IST, same day
    const second = await loader.load();
    expect(second.source).toBe('cache');
    expect(hits, 'no second download the same day').toBe(1);
  });

  it('downloads again on the next IST day and prunes old files', async () => {
    const clock = new SimulatedClock(DAY1);
    const loader = new InstrumentMasterLoader({ cacheDir: dir, clock, url, keepFiles: 2 });
    for (let day = 0; day < 4; day++) {
      const loaded = await loader.loadRows();
      expect(loaded.source, `day ${day} downloads`).toBe('download');
      clock.advanceBy(DAY_MS);
    }
    expect((await readdir(dir)).sort(), 'only the newest two days kept').toEqual([
      'scrip-master-2026-11-25.json',
      'scrip-master-2026-11-26.json',
    ]);
  });

  it('falls back to the newest older cache with a warning when the download fails', async () => {
    await writeFile(join(dir, 'scrip-master-2026-11-20.json'), JSON.stringify(sampleMaster().slice(0, 2)));
    await writeFile(join(dir, 'scrip-master-2026-11-22.json'), body);
    await writeFile(join(dir, 'scrip-master-2026-11-21.json'), '{corrupt');
    mode = 'down';
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString('utf8'));
        cb();
      },
    });
    const loader = new InstrumentMasterLoader({
      cacheDir: dir,
      clock: new SimulatedClock(DAY1),
      url,
      logger: createLogger({ level: 'warn' }, sink),
    });
    const loaded = await loader.load();
    expect(loaded.source).toBe('stale-cache');
    expect(loaded.dateKey, 'the newest older copy').toBe('2026-11-22');
    expect(loaded.instruments.length).toBe(sampleMaster().length);
    expect(lines.join(''), 'a warning says an older copy is in use').toContain('older cached copy');
  });

  it('treats a non-JSON 200 (maintenance page) as a failed download', async () => {
    await writeFile(join(dir, 'scrip-master-2026-11-22.json'), body);
    mode = 'html';
    const loader = new InstrumentMasterLoader({ cacheDir: dir, clock: new SimulatedClock(DAY1), url });
    const loaded = await loader.loadRows();
    expect(loaded.source).toBe('stale-cache');
    expect(await readdir(dir), 'the bad body was not cached').not.toContain('scrip-master-2026-11-23.json');
  });

  it('replaces an unreadable cache file for today', async () => {
    await writeFile(join(dir, 'scrip-master-2026-11-23.json'), '[truncated');
    const loader = new InstrumentMasterLoader({ cacheDir: dir, clock: new SimulatedClock(DAY1), url });
    const loaded = await loader.loadRows();
    expect(loaded.source).toBe('download');
    expect(await readFile(loaded.path, 'utf8')).toBe(body);
  });

  it('fails with IF_ERR_INSTRUMENT_MASTER when the download fails and nothing is cached', async () => {
    mode = 'down';
    const loader = new InstrumentMasterLoader({
      cacheDir: join(dir, 'fresh'),
      clock: new SimulatedClock(DAY1),
      url,
    });
    try {
      await loader.loadRows();
      expect.unreachable('must fail without a cache');
    } catch (error) {
      expect(isIfError(error, 'IF_ERR_INSTRUMENT_MASTER'), 'coded error').toBe(true);
      expect(String(error instanceof Error ? error.message : '')).toContain('HTTP 503');
    }
  });

  it('builds a store from the loaded master', async () => {
    const loader = new InstrumentMasterLoader({ cacheDir: dir, clock: new SimulatedClock(DAY1), url });
    const { store } = await loader.loadStore();
    expect(store.indexInstrument('NIFTY')?.token).toBe('99926000');
  });
});
