import { type Kysely, sql } from 'kysely';
import { RETENTION_COLUMNS, type StorageTables } from './schema.js';

export const DAY_MS = 86_400_000;

/** Days to keep, per table (the `storage.retentionDays` config section). */
export interface RetentionDays {
  ticks: number;
  candles: number;
  chainSnapshots: number;
}

/** Rows deleted, per table. */
export interface PurgeResult {
  ticks: number;
  candles: number;
  chainSnapshots: number;
}

export interface PurgeOptions {
  /** rows per DELETE (default 5,000) */
  chunkRows?: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Deletes rows of `table` whose age column is `< cutoffMs`, a chunk at a time. better-sqlite3 runs on
 * the main thread, so one DELETE of a week of ticks would stall the event loop for seconds; chunks of a
 * few thousand rows with a yield between them keep each stall to milliseconds. On PostgreSQL the chunks
 * keep each transaction (and its locks and WAL) small.
 */
export async function deleteOlderThan(
  db: Kysely<StorageTables>,
  table: keyof typeof RETENTION_COLUMNS,
  cutoffMs: number,
  chunkRows = 5_000,
): Promise<number> {
  if (!Number.isSafeInteger(cutoffMs))
    throw new RangeError(`cutoffMs must be a safe integer, got ${cutoffMs}`);
  const column = RETENTION_COLUMNS[table];
  let total = 0;
  for (;;) {
    const result = await sql`delete from ${sql.table(table)} where id in (select id from ${sql.table(table)}
      where ${sql.ref(column)} < ${cutoffMs} limit ${chunkRows})`.execute(db);
    const deleted = Number(result.numAffectedRows ?? 0n);
    total += deleted;
    if (deleted < chunkRows) return total;
    await yieldToEventLoop();
  }
}

/**
 * Applies retention at `nowMs` (epoch ms): each table keeps the rows of its last `retentionDays` days
 * (by exchange time for ticks, start for candles, snapshot time for chains). Instruments are kept.
 */
export async function purgeOlderThan(
  db: Kysely<StorageTables>,
  nowMs: number,
  retentionDays: RetentionDays,
  options: PurgeOptions = {},
): Promise<PurgeResult> {
  const chunk = options.chunkRows ?? 5_000;
  return {
    ticks: await deleteOlderThan(db, 'ticks', nowMs - retentionDays.ticks * DAY_MS, chunk),
    candles: await deleteOlderThan(db, 'candles', nowMs - retentionDays.candles * DAY_MS, chunk),
    chainSnapshots: await deleteOlderThan(
      db,
      'chain_snapshots',
      nowMs - retentionDays.chainSnapshots * DAY_MS,
      chunk,
    ),
  };
}
