import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, Migrator, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase } from './database.js';
import { describeStoreContract, tick } from './fixtures/storeContract.js';
import { migrateToLatest } from './migrations.js';
import { createRepositories } from './repositories.js';

const dir = mkdtempSync(join(tmpdir(), 'indexflow-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreContract({
  name: 'sqlite',
  open: async () => createDatabase({ sqliteFile: join(dir, 'contract.sqlite') }),
  databaseUrl: () => undefined,
});

describe('sqlite specifics', () => {
  it('opens a file in WAL mode with synchronous=FULL (order intents survive power loss) and a busy timeout', async () => {
    const database = createDatabase({ sqliteFile: join(dir, 'pragmas.sqlite'), sqliteBusyTimeoutMs: 1_234 });
    try {
      const { rows } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(database.db);
      expect(rows[0]?.journal_mode, 'WAL lets readers run beside the writer').toBe('wal');
      const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(database.db);
      expect(sync.rows[0]?.synchronous, '2 = FULL').toBe(2);
      const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(database.db);
      expect(busy.rows[0]?.timeout).toBe(1_234);
      expect(database.dialect).toBe('sqlite');
    } finally {
      await database.close();
    }
  });

  it('works in memory too (same schema, same repositories)', async () => {
    const database = createDatabase({ sqliteFile: ':memory:' });
    try {
      await migrateToLatest(database);
      const repos = createRepositories(database.db, database.dialect);
      await repos.ticks.insertMany([tick()]);
      expect(await repos.ticks.range('43650', 0, Number.MAX_SAFE_INTEGER)).toStrictEqual([tick()]);
    } finally {
      await database.close();
    }
  });

  it('a migration that stops halfway leaves no table behind, so the next start runs it whole', async () => {
    // A process killed mid-migration (test/crash-placement.test.ts does it) must not leave tables without
    // the migration's record: every later start would fail on "table already exists".
    const database = createDatabase({ sqliteFile: join(dir, 'halfway.sqlite') });
    try {
      let stopHalfway = true;
      const migrator = new Migrator({
        db: database.db,
        provider: {
          getMigrations: async () => ({
            '0001_two_tables': {
              async up(db: Kysely<unknown>) {
                await db.schema.createTable('first_half').addColumn('id', 'integer').execute();
                if (stopHalfway) throw new Error('stopped halfway');
                await db.schema.createTable('second_half').addColumn('id', 'integer').execute();
              },
            },
          }),
        },
      });
      const tables = async () =>
        (
          await sql<{
            name: string;
          }>`select name from sqlite_master where type = 'table' and name like '%_half' order by name`.execute(
            database.db,
          )
        ).rows.map((row) => row.name);
      expect((await migrator.migrateToLatest()).error, 'the migration failed').toBeDefined();
      expect(await tables(), 'its first statement was rolled back with it').toEqual([]);
      stopHalfway = false;
      expect((await migrator.migrateToLatest()).error, 'run again, it applies').toBeUndefined();
      expect(await tables()).toEqual(['first_half', 'second_half']);
    } finally {
      await database.close();
    }
  });

  it('closing twice is harmless', async () => {
    const database = createDatabase({ sqliteFile: ':memory:' });
    await database.close();
    await expect(database.close()).resolves.toBeUndefined();
  });
});
