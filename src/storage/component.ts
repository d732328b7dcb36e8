import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Config } from '../config/index.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { IfError } from '../core/errors.js';
import type { Component, ComponentHealth, ComponentState } from '../engine/lifecycle.js';
import type { TickEvent } from '../feed/events.js';
import type { Logger } from '../ops/logger.js';
import { BatchWriter } from './batchWriter.js';
import { type CandleRecord, candleProblem } from './candles.js';
import { type ChainSnapshotInput, chainSnapshotProblem } from './chainSnapshots.js';
import { createDatabase, type StorageDatabase } from './database.js';
import { migrateToLatest } from './migrations.js';
import { createRepositories, inTransaction, type Repositories } from './repositories.js';
import { DAY_MS, type PurgeResult, purgeOlderThan } from './retention.js';
import { tickProblem } from './ticks.js';

export interface StorageWriters {
  /** absent when `storage.persistTicks` is off */
  ticks: BatchWriter<TickEvent> | undefined;
  candles: BatchWriter<CandleRecord>;
  chainSnapshots: BatchWriter<ChainSnapshotInput>;
}

export interface StorageComponentOptions {
  storage: Config['storage'];
  /** the SQLite file lives here (created if missing) when no database URL is set */
  dataDir: string;
  /** flush intervals, retry backoff and the daily retention run use this clock */
  clock: Clock;
  logger?: Logger;
  /**
   * Whether readiness waits on storage (default false): the fast path runs through a database outage,
   * buffering writes, so market data alone need not take the engine out of service.
   */
  critical?: boolean;
  /** items each writer holds at most while the database fails (see BatchWriterOptions.maxBuffered) */
  maxBuffered?: number;
  /** how often retention runs, ms (default one day); the first run starts with the component */
  retentionIntervalMs?: number;
}

interface Open {
  database: StorageDatabase;
  repositories: Repositories;
  writers: StorageWriters;
  retentionTimer: TimerHandle;
}

/**
 * The storage adapter as an engine component: opens the configured database, migrates it, exposes the
 * repositories and batch writers, applies retention daily, and reports health (degraded while writes
 * fail or retention failed last time).
 */
export class StorageComponent implements Component {
  readonly name = 'storage';
  readonly critical: boolean;
  private state: ComponentState = 'created';
  private detail: string | undefined;
  private open: Open | undefined;
  private retentionRun: Promise<PurgeResult> | undefined;
  private lastRetention: { atMs: number; result: PurgeResult } | undefined;
  private retentionError: string | undefined;

  constructor(private readonly options: StorageComponentOptions) {
    this.critical = options.critical ?? false;
  }

  async start(): Promise<void> {
    if (this.state !== 'created' && this.state !== 'stopped' && this.state !== 'failed') return;
    this.state = 'starting';
    this.detail = undefined;
    const { storage, logger } = this.options;
    let database: StorageDatabase | undefined;
    try {
      const usePostgres = storage.databaseUrl !== undefined && storage.databaseUrl.trim() !== '';
      if (!usePostgres) mkdirSync(this.options.dataDir, { recursive: true });
      database = createDatabase({
        databaseUrl: storage.databaseUrl,
        sqliteFile: join(this.options.dataDir, storage.sqliteFile),
        logger,
      });
      await this.ping(database);
      const { applied } = await migrateToLatest(database);
      if (applied.length > 0) logger?.info({ applied, target: database.target }, 'storage migrated');
      const writers = this.createWriters(database);
      const retentionTimer = this.options.clock.setInterval(
        () => this.retentionInBackground(),
        this.options.retentionIntervalMs ?? DAY_MS,
      );
      this.open = {
        database,
        repositories: createRepositories(database.db, database.dialect),
        writers,
        retentionTimer,
      };
      this.state = 'running';
      logger?.info({ dialect: database.dialect, target: database.target }, 'storage ready');
      this.retentionInBackground();
    } catch (error) {
      this.state = 'failed';
      this.detail = error instanceof Error ? error.message : String(error);
      await database?.close().catch(() => undefined);
      throw error;
    }
  }

  async stop(): Promise<void> {
    const open = this.open;
    if (open === undefined) {
      if (this.state !== 'failed') this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    this.open = undefined;
    this.options.clock.clearTimer(open.retentionTimer);
    await this.retentionRun?.catch(() => undefined);
    const { ticks, candles, chainSnapshots } = open.writers;
    await Promise.all([ticks?.close(), candles.close(), chainSnapshots.close()]);
    await open.database.close();
    this.state = 'stopped';
  }

  health(): ComponentHealth {
    const open = this.open;
    if (open === undefined || this.state !== 'running') {
      return this.detail === undefined ? { state: this.state } : { state: this.state, detail: this.detail };
    }
    const facts: Record<string, string | number | boolean> = { dialect: open.database.dialect };
    const problems: string[] = [];
    const { ticks, candles, chainSnapshots } = open.writers;
    const writers: Array<[string, { health(): ComponentHealth } | undefined]> = [
      ['ticks', ticks],
      ['candles', candles],
      ['chainSnapshots', chainSnapshots],
    ];
    for (const [key, writer] of writers) {
      if (writer === undefined) continue;
      const h = writer.health();
      if (h.facts !== undefined) {
        for (const [fact, value] of Object.entries(h.facts)) facts[`${key}.${fact}`] = value;
      }
      if (h.state !== 'running' && h.detail !== undefined) problems.push(h.detail);
    }
    if (this.lastRetention !== undefined) facts['retention.lastRunAtMs'] = this.lastRetention.atMs;
    if (this.retentionError !== undefined) problems.push(`retention failed: ${this.retentionError}`);
    if (problems.length > 0) return { state: 'degraded', detail: problems.join('; '), facts };
    return { state: 'running', facts };
  }

  /** The repositories; throws IF_ERR_STORAGE_UNAVAILABLE unless the component is running. */
  repositories(): Repositories {
    return this.openOrThrow().repositories;
  }

  /** The batch writers; throws IF_ERR_STORAGE_UNAVAILABLE unless the component is running. */
  writers(): StorageWriters {
    return this.openOrThrow().writers;
  }

  /** The open database (for transactions across repositories); throws unless running. */
  database(): StorageDatabase {
    return this.openOrThrow().database;
  }

  /** Hot path: queues a tick for the warehouse (a no-op when ticks are not persisted or not started). */
  recordTick(tick: TickEvent): void {
    this.open?.writers.ticks?.enqueue(tick);
  }

  recordCandle(candle: CandleRecord): void {
    this.open?.writers.candles.enqueue(candle);
  }

  recordChainSnapshot(snapshot: ChainSnapshotInput): void {
    this.open?.writers.chainSnapshots.enqueue(snapshot);
  }

  /** Applies retention now (the daily timer calls this too); one run at a time. */
  runRetention(): Promise<PurgeResult> {
    const open = this.openOrThrow();
    if (this.retentionRun !== undefined) return this.retentionRun;
    const nowMs = this.options.clock.now();
    const run = purgeOlderThan(open.database.db, nowMs, this.options.storage.retentionDays)
      .then((result) => {
        this.lastRetention = { atMs: nowMs, result };
        this.retentionError = undefined;
        this.options.logger?.info({ ...result }, 'storage retention applied');
        return result;
      })
      .catch((error: unknown) => {
        this.retentionError = error instanceof Error ? error.message : String(error);
        throw error;
      })
      .finally(() => {
        this.retentionRun = undefined;
      });
    this.retentionRun = run;
    return run;
  }

  private retentionInBackground(): void {
    if (this.open === undefined) return;
    this.runRetention().catch((error: unknown) => {
      this.options.logger?.warn({ err: error }, 'storage retention failed; will retry at the next run');
    });
  }

  private async ping(database: StorageDatabase): Promise<void> {
    try {
      await sql`select 1`.execute(database.db);
    } catch (error) {
      throw new IfError(
        'IF_ERR_STORAGE_UNAVAILABLE',
        { target: database.target, detail: error instanceof Error ? error.message : String(error) },
        { cause: error },
      );
    }
  }

  private createWriters(database: StorageDatabase): StorageWriters {
    const { storage, clock, logger, maxBuffered } = this.options;
    const common = {
      clock,
      batchSize: storage.batchSize,
      flushIntervalMs: storage.flushIntervalMs,
      ...(maxBuffered === undefined ? {} : { maxBuffered }),
      ...(logger === undefined ? {} : { logger }),
    };
    return {
      ticks: storage.persistTicks
        ? new BatchWriter<TickEvent>({
            ...common,
            name: 'ticks',
            check: tickProblem,
            write: (batch) => inTransaction(database, (r) => r.ticks.insertMany(batch)),
          })
        : undefined,
      candles: new BatchWriter<CandleRecord>({
        ...common,
        name: 'candles',
        check: candleProblem,
        write: (batch) => inTransaction(database, (r) => r.candles.upsertMany(batch)),
      }),
      chainSnapshots: new BatchWriter<ChainSnapshotInput>({
        ...common,
        name: 'chainSnapshots',
        check: chainSnapshotProblem,
        write: (batch) => inTransaction(database, (r) => r.chainSnapshots.insertMany(batch)),
      }),
    };
  }

  private openOrThrow(): Open {
    if (this.open === undefined) {
      throw new IfError('IF_ERR_STORAGE_UNAVAILABLE', {
        target: 'storage',
        detail: `component is ${this.state}`,
      });
    }
    return this.open;
  }
}
