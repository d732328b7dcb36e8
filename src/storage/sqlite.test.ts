import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
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
  it('opens a file in WAL mode with synchronous=NORMAL and a busy timeout', async () => {
    const database = createDatabase({ sqliteFile: join(dir, 'pragmas.sqlite'), sqliteBusyTimeoutMs: 1_234 });
    try {
      const { rows } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(database.db);
      expect(rows[0]?.journal_mode, 'WAL lets readers run beside the writer').toBe('wal');
      const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(database.db);
      expect(sync.rows[0]?.synchronous, '1 = NORMAL').toBe(1);
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

  it('closing twice is harmless', async () => {
    const database = createDatabase({ sqliteFile: ':memory:' });
    await database.close();
    await expect(database.close()).resolves.toBeUndefined();
  });
});
