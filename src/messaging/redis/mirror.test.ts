import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../core/clock.js';
import { isIfError } from '../../core/errors.js';
import { createMetricsRegistry } from '../../ops/metrics.js';
import type { StateUpdate } from './codec.js';
import type { RedisClient } from './connection.js';
import { createRedisConnection } from './connection.js';
import { eventually } from './fixtures/redisServer.js';
import { RedisStateMirror, RedisStateReader, createRedisStateMirror, marketStateKey } from './index.js';

// The shared server; every test writes under its own prefix and deletes it afterwards.
const SHARED_URL = 'redis://127.0.0.1:6379';
const INTERVAL = 100;

let admin: ReturnType<typeof createClient>;
const cleanup: Array<() => Promise<void>> = [];
const prefixes: string[] = [];

beforeAll(async () => {
  admin = createClient({ url: SHARED_URL });
  await admin.connect();
});

afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
  for (const prefix of prefixes.splice(0)) {
    const keys: string[] = [];
    for await (const batch of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) keys.push(...batch);
    if (keys.length > 0) await admin.del(keys);
  }
});

afterAll(() => {
  admin.destroy();
});

interface Harness {
  prefix: string;
  clock: SimulatedClock;
  mirror: RedisStateMirror;
  reader: RedisStateReader;
  /** moves the simulated clock to the next flush tick and waits until that flush has finished */
  flush(): Promise<void>;
}

async function harness(
  extra: Partial<ConstructorParameters<typeof RedisStateMirror>[0]> = {},
): Promise<Harness> {
  const prefix = `test:redis-mirror:${randomUUID()}:`;
  prefixes.push(prefix);
  const clock = new SimulatedClock(1_700_000_000_000);
  const mirror = new RedisStateMirror({
    url: SHARED_URL,
    keyPrefix: prefix,
    flushIntervalMs: INTERVAL,
    clock,
    ...extra,
  });
  const reader = new RedisStateReader({ url: SHARED_URL, keyPrefix: prefix });
  cleanup.push(
    () => mirror.stop(),
    () => reader.stop(),
  );
  await mirror.start();
  await reader.start();
  await eventually(() => mirror.health().state === 'running', 'mirror connected');
  await eventually(() => reader.health().state === 'running', 'reader connected');
  const flush = async () => {
    // a flush starts synchronously inside the tick, so `flushing` is already set when advanceBy returns
    clock.advanceBy(INTERVAL);
    await eventually(() => !mirror.stats().flushing, 'the flush finished');
  };
  return { prefix, clock, mirror, reader, flush };
}

describe('RedisStateMirror against the shared Redis', () => {
  it('writes a set value at the next flush, where a reader in another connection reads it back', async () => {
    const h = await harness();
    const state = { token: '99926000', lastPrice: 2_450_055, volume: 1_200, underlying: 'NIFTY' };
    h.mirror.set(marketStateKey('99926000'), state);
    expect(
      await h.reader.get(marketStateKey('99926000')),
      'nothing is written before the tick',
    ).toBeUndefined();

    await h.flush();
    expect(h.mirror.stats()).toMatchObject({ flushes: 1, keysWritten: 1, dirty: 0 });
    expect(await h.reader.get(marketStateKey('99926000')), 'the reader sees the flushed state').toEqual(
      state,
    );
    const raw = await admin.get(`${h.prefix}market:99926000`);
    expect(raw, 'stored as JSON at <prefix><key>').toBe(JSON.stringify(state));
    const many = await h.reader.getMany([marketStateKey('99926000'), marketStateKey('404')]);
    expect([...many.keys()], 'getMany returns found keys only').toEqual([marketStateKey('99926000')]);
  });

  it('conflates: many sets of one key between ticks cost one write of the last value', async () => {
    const h = await harness();
    const updates: StateUpdate[] = [];
    h.reader.subscribe((update) => updates.push(update));
    await eventually(() => updates.length === 1, 'the subscription is live (first call is a resync)');

    for (let seq = 1; seq <= 10_000; seq++) h.mirror.set('market:1', { seq, lastPrice: 100 + seq });
    h.mirror.set('market:2', { seq: 1 });
    expect(h.mirror.stats(), 'two keys held, two dirty, whatever the number of sets').toMatchObject({
      keys: 2,
      dirty: 2,
    });
    await h.flush();

    expect(h.mirror.stats(), 'one flush wrote two keys').toMatchObject({ flushes: 1, keysWritten: 2 });
    expect(await h.reader.get('market:1'), 'the last value won').toEqual({ seq: 10_000, lastPrice: 10_100 });
    await eventually(() => updates.length === 2, 'one notification for the flush');
    expect(updates[1], 'each changed key is named once').toEqual({
      keys: ['market:1', 'market:2'],
      resync: false,
    });
  });

  it('notifies subscribers of changed keys; an unsubscribed listener hears no more', async () => {
    const h = await harness();
    const first: StateUpdate[] = [];
    const second: StateUpdate[] = [];
    const unsubscribe = h.reader.subscribe((update) => first.push(update));
    h.reader.subscribe((update) => second.push(update));
    await eventually(() => first.length === 1 && second.length === 1, 'both listeners live');
    expect(first[0], 'the first call tells the listener to read everything').toEqual({
      keys: [],
      resync: true,
    });

    h.mirror.set('market:11', { ltp: 1 });
    h.mirror.set('market:12', { ltp: 2 });
    await h.flush();
    await eventually(() => first.length === 2, 'first listener notified');
    expect(first[1]).toEqual({ keys: ['market:11', 'market:12'], resync: false });
    const values = await h.reader.getMany(first[1]?.keys ?? []);
    expect(Object.fromEntries(values), 'the notified keys read back').toEqual({
      'market:11': { ltp: 1 },
      'market:12': { ltp: 2 },
    });

    unsubscribe();
    h.mirror.set('market:11', { ltp: 3 });
    await h.flush();
    await eventually(() => second.length === 3, 'the remaining listener hears the next flush');
    expect(first.length, 'the removed listener was not called for the same message').toBe(2);
  });

  it('deletes keys in Redis and names them in the notification', async () => {
    const h = await harness();
    h.mirror.set('market:5', { ltp: 5 });
    await h.flush();
    h.mirror.delete('market:5');
    await h.flush();
    expect(await h.reader.get('market:5'), 'deleted in Redis').toBeUndefined();
    expect(h.mirror.stats()).toMatchObject({ keys: 0, keysDeleted: 1 });
  });

  it('drops a value JSON cannot carry (BigInt) without throwing, deletes its stale copy, writes the rest', async () => {
    const h = await harness();
    h.mirror.set('market:7', { volume: 1 });
    await h.flush();
    expect(() => h.mirror.set('market:7', { volume: 2n }), 'set never throws').not.toThrow();
    h.mirror.set('market:8', { volume: 3, openInterest: undefined });
    await h.flush();
    expect(h.mirror.stats().rejectedValues).toBe(1);
    expect(await h.reader.get('market:7'), 'no stale value left behind').toBeUndefined();
    expect(await h.reader.get('market:8'), 'undefined fields are dropped, as JSON does').toEqual({
      volume: 3,
    });
  });

  it('reports a value someone else wrote that is not a JSON object as IF_ERR_REDIS_VALUE', async () => {
    const h = await harness();
    await admin.set(`${h.prefix}market:foreign`, 'not json');
    const error = await h.reader.get('market:foreign').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isIfError(error, 'IF_ERR_REDIS_VALUE'), 'a coded error naming the key').toBe(true);
  });

  it('exports its counters and gauges at scrape time', async () => {
    const metrics = createMetricsRegistry({ defaults: false });
    const h = await harness({ metrics });
    h.mirror.set('market:1', { a: 1 });
    h.mirror.set('market:2', { a: 2 });
    h.mirror.set('market:3', { a: 3 });
    const before = await metrics.getMetricsAsJSON();
    expect(before.find((m) => m.name === 'indexflow_redis_mirror_dirty_keys')?.values[0]?.value).toBe(3);
    await h.flush();
    const text = await metrics.metrics();
    expect(text).toContain('indexflow_redis_mirror_flushes_total 1');
    expect(text).toContain('indexflow_redis_mirror_keys_written_total 3');
    expect(text).toContain('indexflow_redis_mirror_flush_failures_total 0');
    expect(text).toContain('indexflow_redis_mirror_connected 1');
    expect(text).toContain('indexflow_redis_mirror_dirty_keys 0');
  });

  it('keeps set synchronous and non-throwing while its client is broken, then recovers on its own', async () => {
    let captured: RedisClient | undefined;
    const h = await harness({
      createClient: (endpoint, options) => {
        captured = createRedisConnection(endpoint, options);
        return captured;
      },
    });
    const client = captured;
    if (client === undefined) throw new Error('the mirror made no client');

    // 1. a command path that throws synchronously (a library bug, say): the flush must absorb it
    const realMulti = client.multi.bind(client);
    client.multi = () => {
      throw new Error('multi exploded');
    };
    for (let i = 0; i < 1_000; i++)
      expect(h.mirror.set(`market:${i % 10}`, { i }), 'returns nothing, synchronously').toBeUndefined();
    await h.flush();
    expect(h.mirror.stats(), 'the failed flush keeps its keys dirty').toMatchObject({
      flushFailures: 1,
      dirty: 10,
    });
    expect(h.mirror.health()).toMatchObject({
      state: 'degraded',
      detail: expect.stringContaining('multi exploded'),
    });
    client.multi = realMulti;

    // 2. the client destroyed behind the mirror's back: commands now reject, isOpen is false
    client.destroy();
    for (let i = 0; i < 100_000; i++) expect(h.mirror.set(`market:${i % 10}`, { i })).toBeUndefined();
    expect(h.mirror.stats(), 'still one entry per key').toMatchObject({ keys: 10, dirty: 10 });
    h.clock.advanceBy(INTERVAL); // the tick notices the closed client and dials again
    await eventually(() => h.mirror.stats().connected, 'reconnected by itself');
    await eventually(async () => {
      h.clock.advanceBy(INTERVAL);
      const value = await h.reader.get('market:9');
      return value?.['i'] === 99_999;
    }, 'the latest values reach Redis');
    expect(h.mirror.health().state).toBe('running');
  });

  it('is off when the config has no URL, and on with the configured prefix and interval otherwise', () => {
    const clock = new SimulatedClock(0);
    expect(createRedisStateMirror({ keyPrefix: 'x:', flushIntervalMs: 100 }, { clock })).toBeUndefined();
    const mirror = createRedisStateMirror(
      { url: SHARED_URL, keyPrefix: 'x:', flushIntervalMs: 100 },
      { clock },
    );
    expect(mirror?.health().state, 'built but not started').toBe('created');
    expect(mirror?.critical, 'Redis is optional to the engine').toBe(false);
  });
});
