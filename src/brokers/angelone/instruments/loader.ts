import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../../core/clock.js';
import { IfError } from '../../../core/errors.js';
import type { Instrument } from '../../../core/instrument.js';
import { istDateKey } from '../../../core/time.js';
import { type Logger, silentLogger } from '../../../ops/logger.js';
import { parseScripMaster } from './master.js';
import { InstrumentStore } from './store.js';

/** Angel's public scrip master (reference §3.13); no auth, tens of MB, regenerated daily. */
export const ANGEL_SCRIP_MASTER_URL =
  'https://margincalculator.angelbroking.com/OpenAPI_File/files/OpenAPIScripMaster.json';

const CACHE_FILE = /^scrip-master-(\d{4}-\d{2}-\d{2})\.json$/;

export interface MasterDownloadProgress {
  receivedBytes: number;
  /** from Content-Length, when the server sends it */
  totalBytes: number | undefined;
}

export interface InstrumentMasterLoaderOptions {
  /** where `scrip-master-YYYY-MM-DD.json` files live (e.g. `<INDEXFLOW_DATA_DIR>/instruments`) */
  cacheDir: string;
  /** the IST day of `clock.now()` names the cache file */
  clock: Clock;
  /** defaults to Angel's URL; point it at the simulator in tests and sim runs */
  url?: string;
  fetch?: typeof globalThis.fetch;
  logger?: Logger;
  /** abort the download when no bytes arrive for this long (wall time); default 30 s */
  stallTimeoutMs?: number;
  /** called as bytes arrive */
  onProgress?: (progress: MasterDownloadProgress) => void;
  /** how many daily cache files to keep; default 3 */
  keepFiles?: number;
}

export type MasterSource = 'cache' | 'download' | 'stale-cache';

export interface LoadedMasterRows {
  rows: unknown[];
  source: MasterSource;
  /** the IST date the file was cached for */
  dateKey: string;
  path: string;
}

export interface LoadedMaster extends LoadedMasterRows {
  instruments: Instrument[];
  rejected: number;
}

function parseRows(text: string): unknown[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error('master is not a JSON array');
  if (parsed.length === 0) throw new Error('master is empty');
  return parsed;
}

function reason(error: unknown): string {
  if (error instanceof IfError) return error.message;
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    const code =
      typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined;
    return code ? `${error.message} (${code})` : error.message;
  }
  return 'unknown error';
}

/**
 * Fetches the scrip master at most once per IST day: today's cache file is reused; otherwise the file
 * is downloaded (with byte progress), validated, written atomically and older files pruned. When the
 * download fails, the newest older cache is used with a warning, since yesterday's contracts beat none.
 */
export class InstrumentMasterLoader {
  private readonly url: string;
  private readonly fetchFn: typeof globalThis.fetch;
  private readonly log: Logger;

  constructor(private readonly options: InstrumentMasterLoaderOptions) {
    this.url = options.url ?? ANGEL_SCRIP_MASTER_URL;
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.log = (options.logger ?? silentLogger()).child({ component: 'instrument-master' });
  }

  /** Path of the cache file for an IST date key. */
  cachePath(dateKey: string): string {
    return join(this.options.cacheDir, `scrip-master-${dateKey}.json`);
  }

  /** The raw rows, from today's cache, a fresh download, or (on failure) an older cache. */
  async loadRows(): Promise<LoadedMasterRows> {
    const dateKey = istDateKey(this.options.clock.now());
    const path = this.cachePath(dateKey);
    await mkdir(this.options.cacheDir, { recursive: true });

    const cached = await this.readCache(path);
    if (cached !== undefined) {
      this.log.info({ path, rows: cached.length }, "instrument master from today's cache");
      return { rows: cached, source: 'cache', dateKey, path };
    }

    try {
      const text = await this.download();
      const rows = parseRows(text);
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, text);
      await rename(tmp, path);
      await this.prune();
      this.log.info(
        { path, rows: rows.length, bytes: Buffer.byteLength(text) },
        'instrument master downloaded',
      );
      return { rows, source: 'download', dateKey, path };
    } catch (error) {
      const why = reason(error);
      for (const older of await this.olderCaches(dateKey)) {
        const rows = await this.readCache(older.path);
        if (rows === undefined) continue;
        this.log.warn(
          { path: older.path, cachedFor: older.dateKey, reason: why },
          'instrument master download failed; using an older cached copy',
        );
        return { rows, source: 'stale-cache', dateKey: older.dateKey, path: older.path };
      }
      throw new IfError(
        'IF_ERR_INSTRUMENT_MASTER',
        { detail: `download failed (${why}) and no cached copy exists` },
        { cause: error },
      );
    }
  }

  /** Rows parsed into instruments (bad rows counted in `rejected`). */
  async load(): Promise<LoadedMaster> {
    const loaded = await this.loadRows();
    const { instruments, rejected } = parseScripMaster(loaded.rows);
    if (instruments.length === 0) {
      throw new IfError('IF_ERR_INSTRUMENT_MASTER', { detail: `no usable rows in ${loaded.path}` });
    }
    if (rejected > 0)
      this.log.warn({ rejected, accepted: instruments.length }, 'instrument master rows rejected');
    return { ...loaded, instruments, rejected };
  }

  /** The master as an indexed store. */
  async loadStore(): Promise<{ store: InstrumentStore; master: LoadedMaster }> {
    const master = await this.load();
    return { store: new InstrumentStore(master.instruments), master };
  }

  private async readCache(path: string): Promise<unknown[] | undefined> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return undefined;
    }
    try {
      return parseRows(text);
    } catch (error) {
      this.log.warn({ path, reason: reason(error) }, 'ignoring unreadable instrument master cache');
      return undefined;
    }
  }

  private async cacheFiles(): Promise<Array<{ dateKey: string; path: string }>> {
    let names: string[];
    try {
      names = await readdir(this.options.cacheDir);
    } catch {
      return [];
    }
    const files: Array<{ dateKey: string; path: string }> = [];
    for (const name of names) {
      const match = CACHE_FILE.exec(name);
      if (match?.[1] !== undefined)
        files.push({ dateKey: match[1], path: join(this.options.cacheDir, name) });
    }
    return files.sort((a, b) => (a.dateKey < b.dateKey ? 1 : a.dateKey > b.dateKey ? -1 : 0));
  }

  /** Cache files for days before `dateKey`, newest first. */
  private async olderCaches(dateKey: string): Promise<Array<{ dateKey: string; path: string }>> {
    return (await this.cacheFiles()).filter((f) => f.dateKey < dateKey);
  }

  private async prune(): Promise<void> {
    const keep = Math.max(1, this.options.keepFiles ?? 3);
    for (const stale of (await this.cacheFiles()).slice(keep)) {
      await rm(stale.path, { force: true });
    }
  }

  private async download(): Promise<string> {
    const stallMs = this.options.stallTimeoutMs ?? 30_000;
    const controller = new AbortController();
    // Network time is wall time: a stalled socket is detected by the real timer, not the engine clock.
    let timer = setTimeout(() => controller.abort(), stallMs);
    const resetTimer = () => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(), stallMs);
    };
    try {
      const response = await this.fetchFn(this.url, {
        headers: { Accept: 'application/json' },
        signal: controller.signal,
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const length = Number(response.headers.get('content-length'));
      const totalBytes = Number.isFinite(length) && length > 0 ? length : undefined;
      const body = response.body;
      if (body === null) throw new Error('empty response body');
      const reader = body.getReader();
      const chunks: Uint8Array[] = [];
      let receivedBytes = 0;
      this.options.onProgress?.({ receivedBytes, totalBytes });
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        resetTimer();
        chunks.push(value);
        receivedBytes += value.byteLength;
        this.options.onProgress?.({ receivedBytes, totalBytes });
      }
      return Buffer.concat(chunks).toString('utf8');
    } catch (error) {
      if (controller.signal.aborted) throw new Error(`download stalled for ${stallMs} ms`);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
