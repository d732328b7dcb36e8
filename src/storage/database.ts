import BetterSqlite3 from 'better-sqlite3';
import { type DialectAdapter, Kysely, PostgresDialect, SqliteAdapter, SqliteDialect } from 'kysely';
import pg from 'pg';
import { IfError } from '../core/errors.js';
import type { Logger } from '../ops/logger.js';
import type { StorageTables } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

/** An open database: the Kysely instance, which dialect it speaks, and how to close it. */
export interface StorageDatabase {
  readonly db: Kysely<StorageTables>;
  readonly dialect: DialectName;
  /** where it points, safe to log: the SQLite path, or the PostgreSQL URL with its password redacted */
  readonly target: string;
  close(): Promise<void>;
}

export interface CreateDatabaseOptions {
  /** a `postgres://` or `postgresql://` URL selects PostgreSQL; unset selects SQLite */
  databaseUrl?: string;
  /** SQLite file path (or `:memory:`), used when `databaseUrl` is unset */
  sqliteFile?: string;
  logger?: Logger;
  /** PostgreSQL pool size (default 10) */
  poolSize?: number;
  /** how long SQLite waits for a lock held by another connection, ms (default 5000) */
  sqliteBusyTimeoutMs?: number;
}

const PG_INT8_OID = 20;

/**
 * pg returns int8 (BIGINT, COUNT(*)) as strings because JS numbers cannot hold every int8. Our ms and
 * paise values are far below 2^53, so parse them to numbers, and fail the query rather than silently
 * round a value that is not.
 */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`int8 value ${text} is outside the safe integer range of a JS number`);
  }
  return value;
}

// Per pool rather than pg.types.setTypeParser, so other pg users in the process keep their own parsing.
const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === PG_INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format),
};

/**
 * The URL with its password (in the user info or a `password` query parameter) replaced by `***`.
 * Text that does not parse as a URL shows only what cannot hold a secret.
 */
export function redactDatabaseUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password !== '') url.password = '***';
    if (url.searchParams.has('password')) url.searchParams.set('password', '***');
    return url.toString();
  } catch {
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(raw);
    // No scheme: maybe a libpq keyword string (`host=… password=…`); show none of it.
    if (scheme === null) return '(not a URL; not shown)';
    // Keep the scheme and what follows the last `@`, minus any query string.
    const at = raw.lastIndexOf('@');
    const rest = (at >= 0 ? raw.slice(at + 1) : raw.slice(scheme[0].length)).split('?')[0] ?? '';
    return `${scheme[0]}${at >= 0 ? '***@' : ''}${rest}`;
  }
}

/** Checks a PostgreSQL URL without echoing its password; returns the redacted form for logs. */
function checkPostgresUrl(raw: string): string {
  const safe = redactDatabaseUrl(raw);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // No `cause`: Node's URL TypeError carries the full input, password included.
    throw new IfError('IF_ERR_STORAGE_URL', { url: safe, detail: 'not a valid URL' });
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new IfError('IF_ERR_STORAGE_URL', {
      url: safe,
      detail: `unsupported scheme "${url.protocol}"; use postgres:// (or leave it unset for SQLite)`,
    });
  }
  if (url.hostname === '' && !url.searchParams.has('host')) {
    throw new IfError('IF_ERR_STORAGE_URL', { url: safe, detail: 'no host' });
  }
  return safe;
}

function openPostgres(url: string, options: CreateDatabaseOptions): StorageDatabase {
  const target = checkPostgresUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    // A dead server must fail a flush promptly so the batch writer can back off and retry.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'indexflow',
    types: pgTypes,
  });
  // A client losing its server (restart, failover, network) emits 'error'; with no listener that is an
  // uncaught exception that ends the process. pg-pool listens only while a client is idle, and Kysely
  // not at all while it holds one (mid-transaction), so every client gets a listener of its own. The
  // query in progress still fails with the error, and the pool discards the broken client on release.
  pool.on('error', (error) => {
    options.logger?.warn({ err: error, target }, 'idle PostgreSQL connection failed');
  });
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      options.logger?.debug({ err: error, target }, 'PostgreSQL connection failed');
    });
  });
  const db = new Kysely<StorageTables>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    dialect: 'postgres',
    target,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

/**
 * SQLite runs DDL inside transactions, but Kysely's adapter says it does not, so its Migrator would apply
 * a migration statement by statement: a process killed halfway (kill -9, power loss) leaves tables
 * without the migration's record, and every later start fails on "table already exists". Saying so lets
 * the Migrator run each migration batch in one transaction, as it does on PostgreSQL.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class TransactionalDdlSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

function openSqlite(file: string, options: CreateDatabaseOptions): StorageDatabase {
  let database: BetterSqlite3.Database;
  try {
    database = new BetterSqlite3(file);
  } catch (error) {
    throw new IfError(
      'IF_ERR_STORAGE_UNAVAILABLE',
      { target: file, detail: error instanceof Error ? error.message : String(error) },
      { cause: error },
    );
  }
  // WAL lets readers run beside the writer.
  database.pragma('journal_mode = WAL');
  // FULL: a committed order intent survives a power loss, not only a killed process. With NORMAL the
  // last commits of the WAL may vanish, and a restart could reissue a client order id the broker already
  // holds. Ticks and candles are written in batches, so one fsync per commit is cheap.
  database.pragma('synchronous = FULL');
  database.pragma(`busy_timeout = ${Math.trunc(options.sqliteBusyTimeoutMs ?? 5_000)}`);
  // Checkpoints are where WAL mode fsyncs, on the main thread. Every 10,000 pages (~40 MB of WAL)
  // instead of the default 1,000 measured about 2x the tick insert rate here, with fewer, longer stalls.
  database.pragma('wal_autocheckpoint = 10000');
  // The tick index takes one leaf page per token per batch; 32 MB keeps those hot (default is 2 MB).
  database.pragma('cache_size = -32768');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<StorageTables>({ dialect: new TransactionalDdlSqliteDialect({ database }) });
  let closed = false;
  return {
    db,
    dialect: 'sqlite',
    target: file,
    async close() {
      if (closed) return;
      closed = true;
      // Kysely's SQLite driver closes the better-sqlite3 handle on destroy.
      await db.destroy();
    },
  };
}

/**
 * Opens the store chosen by configuration: PostgreSQL for a `postgres://` URL, SQLite otherwise.
 * Nothing is connected yet for PostgreSQL (the pool connects on first use); run `migrateToLatest` next.
 */
export function createDatabase(options: CreateDatabaseOptions): StorageDatabase {
  const url = options.databaseUrl?.trim();
  if (url !== undefined && url !== '') return openPostgres(url, options);
  if (options.sqliteFile === undefined || options.sqliteFile === '') {
    throw new IfError('IF_ERR_CONFIG_INVALID', {
      key: 'storage.sqliteFile',
      detail: 'required when storage.databaseUrl is not set',
    });
  }
  return openSqlite(options.sqliteFile, options);
}
