import { createServer, type Server, type Socket, connect } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../src/core/clock.js';
import type { TickEvent } from '../src/feed/events.js';
import {
  BatchWriter,
  createDatabase,
  createRepositories,
  inTransaction,
  migrateToLatest,
  type StorageDatabase,
  storageMigrations,
} from '../src/storage/index.js';
import { createTestPostgresDatabase, type TestPostgresDatabase } from '../src/storage/fixtures/postgres.js';
import { describeStoreContract, T0, tick } from '../src/storage/fixtures/storeContract.js';

let server: TestPostgresDatabase;
beforeAll(async () => {
  server = await createTestPostgresDatabase();
});
afterAll(async () => {
  await server?.drop();
});

describeStoreContract({
  name: 'postgres',
  open: async () => createDatabase({ databaseUrl: server.url }),
  databaseUrl: () => server.url,
});

/** A TCP relay in front of the real server that can be cut and restored: a database outage on demand. */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async up(): Promise<void> {
    const relay = createServer((client) => {
      const upstream = connect(5432, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => relay.listen(this.port, '127.0.0.1', resolve));
    const address = relay.address();
    if (address !== null && typeof address === 'object') this.port = address.port;
    this.server = relay;
  }

  async down(): Promise<void> {
    const relay = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (relay !== undefined) await new Promise<void>((resolve) => relay.close(() => resolve()));
  }
}

describe('postgres specifics', () => {
  let database: StorageDatabase;
  beforeAll(async () => {
    database = createDatabase({ databaseUrl: server.url });
    await migrateToLatest(database);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('returns int8 as exact JS numbers and refuses to round one beyond 2^53', async () => {
    const { rows } = await sql<{ big: number; n: number }>`select 9007199254740991::int8 as big, count(*) as n
      from (values (1), (2)) v(x)`.execute(database.db);
    expect(rows[0], 'int8 and count(*) parse to numbers').toStrictEqual({ big: 9_007_199_254_740_991, n: 2 });
    const unsafe = await sql`select 9007199254740993::int8 as v`.execute(database.db).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(unsafe, 'an int8 a number cannot hold fails the query instead of rounding').toBeInstanceOf(
      RangeError,
    );
  });

  it('runs concurrent migrations from two pools once (advisory lock)', async () => {
    const other = await createTestPostgresDatabase('indexflow_test_mig');
    const a = createDatabase({ databaseUrl: other.url });
    const b = createDatabase({ databaseUrl: other.url });
    try {
      const [ra, rb] = await Promise.all([migrateToLatest(a), migrateToLatest(b)]);
      expect([...ra.applied, ...rb.applied], 'exactly one of them applied the migrations').toEqual(
        Object.keys(storageMigrations('postgres')),
      );
    } finally {
      await a.close();
      await b.close();
      await other.drop();
    }
  });

  it('keeps writing after the server kills every connection mid-stream (the pool reconnects)', async () => {
    const clock = new SimulatedClock(T0);
    const repos = createRepositories(database.db, database.dialect);
    await database.db.deleteFrom('ticks').execute();
    const writer = new BatchWriter<TickEvent>({
      name: 'ticks',
      clock,
      batchSize: 20,
      flushIntervalMs: 1_000,
      retryInitialMs: 100,
      write: (batch) => inTransaction(database, (r) => r.ticks.insertMany(batch)),
    });
    for (let i = 0; i < 40; i++) writer.enqueue(tick({ sequence: i }));
    await writer.idle();
    await server.terminateConnections();
    for (let i = 40; i < 100; i++) writer.enqueue(tick({ sequence: i }));
    await writer.idle();
    // A write on a killed connection fails once; its retry gets a fresh connection.
    clock.advanceBy(1_000);
    await writer.idle();
    await writer.close();
    const stored = (await repos.ticks.range('43650', 0, T0 + 1)).map((t) => t.sequence);
    expect(stored, 'every tick stored exactly once').toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('rides out a database outage: the hot path keeps enqueueing, writes resume when it is back', async () => {
    const relay = new Relay();
    await relay.up();
    const url = new URL(server.url);
    url.port = String(relay.port);
    const viaRelay = createDatabase({ databaseUrl: url.toString() });
    const clock = new SimulatedClock(T0);
    const writer = new BatchWriter<TickEvent>({
      name: 'ticks',
      clock,
      batchSize: 50,
      flushIntervalMs: 1_000,
      retryInitialMs: 100,
      retryMaxMs: 400,
      write: (batch) => inTransaction(viaRelay, (r) => r.ticks.insertMany(batch)),
    });
    try {
      await database.db.deleteFrom('ticks').execute();
      for (let i = 0; i < 50; i++) writer.enqueue(tick({ sequence: i }));
      await writer.idle();
      expect(writer.stats().written).toBe(50);

      await relay.down();
      for (let i = 50; i < 300; i++) writer.enqueue(tick({ sequence: i }));
      await writer.idle();
      clock.advanceBy(1_000);
      await writer.idle();
      const during = writer.health();
      expect(during.state, 'degraded while the database is unreachable').toBe('degraded');
      expect(writer.stats().queued, 'every tick is still held').toBe(250);

      await relay.up();
      clock.advanceBy(1_000);
      await writer.idle();
      await writer.flush();
      expect(writer.health().state, 'running again').toBe('running');
      const stored = (
        await createRepositories(database.db, database.dialect).ticks.range('43650', 0, T0 + 1)
      ).map((t) => t.sequence);
      expect(stored, 'all 300 stored exactly once, in order').toEqual(
        Array.from({ length: 300 }, (_, i) => i),
      );
    } finally {
      await writer.close();
      await viaRelay.close();
      await relay.down();
    }
  });
});
