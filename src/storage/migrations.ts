import {
  type CreateTableBuilder,
  type Kysely,
  type Migration,
  type MigrationProvider,
  type MigrationResult,
  Migrator,
} from 'kysely';
import { IfError } from '../core/errors.js';
import type { DialectName, StorageDatabase } from './database.js';

/**
 * Migrations live in code, not in files on disk, so the compiled `dist/` carries them. Names sort in
 * the order they run; later issues append (`0002_outbox_inbox`, `0003_signals`, …) and never edit a
 * migration that has shipped.
 *
 * One schema serves both dialects: BIGINT (INTEGER affinity in SQLite) for ms and paise, TEXT for
 * strings, dates and JSON. Only the surrogate key differs, because SQLite needs exactly
 * `INTEGER PRIMARY KEY` to make a column the rowid.
 */
function withId<T extends string>(
  dialect: DialectName,
  builder: CreateTableBuilder<T, never>,
): CreateTableBuilder<T, 'id'> {
  return dialect === 'sqlite'
    ? builder.addColumn('id', 'integer', (c) => c.primaryKey())
    : builder.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity());
}

// Migrations must not depend on today's table types, which later migrations change.
type AnyDb = Kysely<unknown>;

function marketData(dialect: DialectName): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('instruments')
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('exchange', 'text', (c) => c.notNull())
        .addColumn('exchange_type', 'integer', (c) => c.notNull())
        .addColumn('symbol', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('instrument_type', 'text', (c) => c.notNull())
        .addColumn('expiry', 'text')
        .addColumn('strike_paise', 'bigint')
        .addColumn('option_type', 'text')
        .addColumn('lot_size', 'integer', (c) => c.notNull())
        .addColumn('tick_size_paise', 'bigint', (c) => c.notNull())
        .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('instruments_pk', ['token', 'exchange'])
        .execute();
      await db.schema
        .createIndex('instruments_name_expiry_idx')
        .on('instruments')
        .columns(['name', 'expiry'])
        .execute();

      await withId(dialect, db.schema.createTable('ticks'))
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('exchange_type', 'integer', (c) => c.notNull())
        .addColumn('exchange_time_ms', 'bigint', (c) => c.notNull())
        .addColumn('received_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('sequence', 'bigint', (c) => c.notNull())
        .addColumn('last_price', 'bigint', (c) => c.notNull())
        .addColumn('last_quantity', 'bigint', (c) => c.notNull())
        .addColumn('volume', 'bigint', (c) => c.notNull())
        .addColumn('average_price', 'bigint', (c) => c.notNull())
        .addColumn('open_interest', 'bigint')
        .addColumn('last_trade_time_ms', 'bigint')
        .execute();
      // Replay reads one token in exchange-time order; with `sequence` in the key the index serves the sort.
      await db.schema
        .createIndex('ticks_token_time_idx')
        .on('ticks')
        .columns(['token', 'exchange_time_ms', 'sequence'])
        .execute();
      // Retention deletes by age across all tokens; without this index every purge scans the table.
      await db.schema.createIndex('ticks_time_idx').on('ticks').column('exchange_time_ms').execute();

      await withId(dialect, db.schema.createTable('candles'))
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('interval', 'text', (c) => c.notNull())
        .addColumn('start_ms', 'bigint', (c) => c.notNull())
        .addColumn('end_ms', 'bigint', (c) => c.notNull())
        .addColumn('open', 'bigint', (c) => c.notNull())
        .addColumn('high', 'bigint', (c) => c.notNull())
        .addColumn('low', 'bigint', (c) => c.notNull())
        .addColumn('close', 'bigint', (c) => c.notNull())
        .addColumn('volume', 'bigint', (c) => c.notNull())
        .addColumn('open_interest', 'bigint')
        .addColumn('trades', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('candles_token_interval_start_uq')
        .on('candles')
        .columns(['token', 'interval', 'start_ms'])
        .unique()
        .execute();
      await db.schema.createIndex('candles_start_idx').on('candles').column('start_ms').execute();

      await withId(dialect, db.schema.createTable('chain_snapshots'))
        .addColumn('underlying', 'text', (c) => c.notNull())
        .addColumn('expiry', 'text', (c) => c.notNull())
        .addColumn('taken_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('spot_paise', 'bigint')
        .addColumn('forward_paise', 'bigint')
        .addColumn('payload', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('chain_snapshots_key_idx')
        .on('chain_snapshots')
        .columns(['underlying', 'expiry', 'taken_at_ms'])
        .execute();
      await db.schema
        .createIndex('chain_snapshots_time_idx')
        .on('chain_snapshots')
        .column('taken_at_ms')
        .execute();
    },
    async down(db: AnyDb) {
      for (const table of ['chain_snapshots', 'candles', 'ticks', 'instruments']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}

/**
 * Users and their refresh tokens. `disabled` is an integer 0/1 because SQLite has no boolean. Refresh
 * tokens are stored as sha-256 hex of the opaque value only; `family_id` ties every rotation of one login
 * together so that reuse of a revoked token can revoke the whole family.
 */
function users(dialect: DialectName): Migration {
  return {
    async up(db: AnyDb) {
      await withId(dialect, db.schema.createTable('users'))
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await withId(dialect, db.schema.createTable('refresh_tokens'))
        .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('family_id', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at_ms', 'bigint')
        .addColumn('replaced_by', 'bigint')
        .execute();
      await db.schema
        .createIndex('refresh_tokens_family_idx')
        .on('refresh_tokens')
        .column('family_id')
        .execute();
    },
    async down(db: AnyDb) {
      await db.schema.dropTable('refresh_tokens').ifExists().execute();
      await db.schema.dropTable('users').ifExists().execute();
    },
  };
}

/**
 * Orders (latest state per order plus its append-only transition trail), signals, the audit log of human
 * and admin actions, and broker credentials (sealed blobs only; see src/ops/secrets). Whole domain
 * objects are kept as JSON text in `body`; the columns beside it are copies for filtering and indexing.
 */
function ordersSignalsAudit(dialect: DialectName): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('orders')
        .addColumn('order_id', 'text', (c) => c.primaryKey())
        .addColumn('client_order_id', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('route', 'text')
        .addColumn('strategy', 'text')
        .addColumn('signal_id', 'text')
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('orders_status_idx').on('orders').column('status').execute();
      await db.schema.createIndex('orders_created_idx').on('orders').column('created_at_ms').execute();

      // The primary key is what makes the trail insert-only: a second row for one (order, seq) fails.
      await db.schema
        .createTable('order_events')
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('client_order_id', 'text', (c) => c.notNull())
        .addColumn('from_status', 'text')
        .addColumn('to_status', 'text', (c) => c.notNull())
        .addColumn('cause', 'text', (c) => c.notNull())
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('order_events_pk', ['order_id', 'seq'])
        .execute();

      await db.schema
        .createTable('signals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('strategy', 'text', (c) => c.notNull())
        .addColumn('underlying', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('signals_created_idx').on('signals').column('created_at_ms').execute();

      await withId(dialect, db.schema.createTable('audit_log'))
        .addColumn('at_ms', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at_ms').execute();

      await db.schema
        .createTable('broker_credentials')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('ciphertext', 'text', (c) => c.notNull())
        .addColumn('iv', 'text', (c) => c.notNull())
        .addColumn('auth_tag', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: AnyDb) {
      for (const table of ['broker_credentials', 'audit_log', 'signals', 'order_events', 'orders']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}

/** Every migration for the dialect, keyed by name (Kysely runs them in name order). */
export function storageMigrations(dialect: DialectName): Record<string, Migration> {
  return {
    '0001_market_data': marketData(dialect),
    '0002_users': users(dialect),
    '0003_orders_signals_audit': ordersSignalsAudit(dialect),
  };
}

export const MIGRATION_TABLE = 'indexflow_migration';
export const MIGRATION_LOCK_TABLE = 'indexflow_migration_lock';

function migrator(database: StorageDatabase): Migrator {
  const migrations = storageMigrations(database.dialect);
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  return new Migrator({
    db: database.db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
}

export interface MigrationReport {
  /** names of the migrations this call ran (empty when already up to date) */
  applied: string[];
}

function failure(database: StorageDatabase, results: readonly MigrationResult[] | undefined, error: unknown) {
  const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? '(before any migration)';
  const detail = error instanceof Error ? error.message : String(error);
  return new IfError(
    'IF_ERR_STORAGE_MIGRATION',
    { migration: failed, detail: `${detail} (${database.target})` },
    { cause: error },
  );
}

/**
 * Brings the schema up to date. Safe to call on every start and from several processes at once: the
 * Migrator holds a lock (an advisory lock on PostgreSQL) and skips migrations already recorded.
 */
export async function migrateToLatest(database: StorageDatabase): Promise<MigrationReport> {
  const { error, results } = await migrator(database).migrateToLatest();
  if (error !== undefined) throw failure(database, results, error);
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** Rolls every migration back (tests and `indexflow` maintenance only: it drops all tables). */
export async function migrateDownToEmpty(database: StorageDatabase): Promise<MigrationReport> {
  const m = migrator(database);
  const applied: string[] = [];
  for (;;) {
    const { error, results } = await m.migrateDown();
    if (error !== undefined) throw failure(database, results, error);
    const done = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    if (done.length === 0) return { applied };
    applied.push(...done);
  }
}
