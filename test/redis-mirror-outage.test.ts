import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isIfError } from '../src/core/errors.js';
import { LiveClock } from '../src/engine/clocks.js';
import { RedisServerProcess, eventually, freePort } from '../src/messaging/redis/fixtures/redisServer.js';
import {
  type JsonObject,
  RedisStateMirror,
  type RedisStateMirrorOptions,
  RedisStateReader,
  type StateUpdate,
} from '../src/messaging/redis/index.js';

// Each test owns a private redis-server child without persistence, so a restart comes back empty (the
// worst case for a cache), and it can take Redis away without touching the shared server.

const KEYS = 200;
const PREFIX = 'outage:';
const FAST_RECONNECT = { initialDelayMs: 20, maxDelayMs: 200 };

let server: RedisServerProcess;
const clock = new LiveClock();
const cleanup: Array<() => Promise<void>> = [];

beforeAll(async () => {
  server = new RedisServerProcess(await freePort());
});

afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
  await server.stop();
});

afterAll(() => {
  clock.clearAll();
});

function mirrorAndReader(extra: Partial<RedisStateMirrorOptions> = {}) {
  const mirror = new RedisStateMirror({
    url: server.url,
    keyPrefix: PREFIX,
    flushIntervalMs: 20,
    clock,
    reconnect: FAST_RECONNECT,
    connectTimeoutMs: 500,
    ...extra,
  });
  const reader = new RedisStateReader({
    url: server.url,
    keyPrefix: PREFIX,
    reconnect: FAST_RECONNECT,
    callTimeoutMs: 500,
  });
  cleanup.push(
    () => mirror.stop(),
    () => reader.stop(),
  );
  return { mirror, reader };
}

const keyOf = (i: number) => `market:${i}`;

/** Updates every key from the event loop, as the engine's tick handler would, until stopped. */
function producer(mirror: RedisStateMirror) {
  let seq = 0;
  let running = true;
  let sets = 0;
  const step = () => {
    if (!running) return;
    seq++;
    for (let i = 0; i < KEYS; i++) {
      const returned: unknown = mirror.set(keyOf(i), { token: String(i), seq, lastPrice: 10_000 + seq });
      if (returned !== undefined) throw new Error('set returned something to wait for');
      sets++;
    }
    setImmediate(step);
  };
  setImmediate(step);
  cleanup.push(async () => {
    running = false;
  });
  return {
    sets: () => sets,
    stop: () => {
      running = false;
    },
  };
}

/** Every key in Redis equals the mirror's latest value of it. */
async function readerMatchesMirror(mirror: RedisStateMirror, reader: RedisStateReader): Promise<boolean> {
  const keys = allKeys();
  const seen = await reader.getMany(keys);
  return keys.every((key) => JSON.stringify(seen.get(key)) === JSON.stringify(mirror.latest(key)));
}

const allKeys = () => Array.from({ length: KEYS }, (_, i) => keyOf(i));

/**
 * A process following the mirror the documented way: re-read every key it holds on `resync`, the named
 * keys otherwise. Reads run one after another, so the view applies them in order.
 */
function follow(reader: RedisStateReader) {
  const view = new Map<string, JsonObject>();
  const updates: StateUpdate[] = [];
  let resyncs = 0;
  let chain = Promise.resolve();
  reader.subscribe((update) => {
    updates.push(update);
    if (update.resync) resyncs++;
    const keys = update.resync ? allKeys() : update.keys;
    chain = chain.then(async () => {
      try {
        const values = await reader.getMany(keys);
        for (const key of keys) {
          const value = values.get(key);
          if (value === undefined) view.delete(key);
          else view.set(key, value);
        }
      } catch {
        // Redis went away again; the resync after the next reconnect repairs the view
      }
    });
  });
  return { view, updates, resyncs: () => resyncs };
}

async function readError(reader: RedisStateReader): Promise<unknown> {
  try {
    await reader.get(keyOf(0));
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('RedisStateMirror with Redis down, lost and back (private redis-server)', () => {
  it('starts with Redis down (start resolves, degraded with the reason, set instant), writes every key once Redis is up', async () => {
    const { mirror, reader } = mirrorAndReader();
    await mirror.start(); // resolves although nothing listens on the port
    await reader.start();

    await eventually(() => mirror.health().state === 'degraded', 'degraded while Redis is down');
    expect(mirror.health().detail, 'says where and why').toBe(
      `redis unreachable at 127.0.0.1:${server.port}: ECONNREFUSED`,
    );
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < KEYS; i++) {
        expect(mirror.set(keyOf(i), { round, i }), 'set returns at once, nothing to await').toBeUndefined();
      }
    }
    expect(mirror.stats(), 'one value per key is held, whatever the number of sets').toMatchObject({
      keys: KEYS,
      dirty: KEYS,
      connected: false,
    });
    expect(isIfError(await readError(reader), 'IF_ERR_REDIS_UNAVAILABLE'), 'the reader fails fast').toBe(
      true,
    );

    await server.start();
    await eventually(
      () => mirror.health().state === 'running' && mirror.stats().dirty === 0 && !mirror.stats().flushing,
      'running with every key written',
    );
    expect(mirror.stats().resyncs, 'the first connect writes every key').toBeGreaterThanOrEqual(1);
    await eventually(() => reader.health().state === 'running', 'reader connected');
    expect(await readerMatchesMirror(mirror, reader), 'every key holds its latest value').toBe(true);
  });

  it('keeps credentials from the URL out of health and the error detail', async () => {
    const { mirror } = mirrorAndReader({ url: `redis://app:s3cr3t-pw@127.0.0.1:${server.port}` });
    await mirror.start();
    await eventually(() => mirror.health().state === 'degraded', 'degraded while Redis is down');
    expect(mirror.health().detail).toBe(`redis unreachable at 127.0.0.1:${server.port}: ECONNREFUSED`);
    expect(JSON.stringify(mirror.health()), 'no credential anywhere in health').not.toMatch(/s3cr3t|app:/);
  });

  it('survives Redis stopping mid-stream: degraded, no throw, bounded memory; full resync after restart', async () => {
    await server.start();
    const { mirror, reader } = mirrorAndReader();
    await mirror.start();
    await reader.start();
    const follower = follow(reader);
    await eventually(() => mirror.health().state === 'running' && follower.resyncs() >= 1, 'both connected');

    const feed = producer(mirror);
    await eventually(() => mirror.stats().flushes >= 3, 'streaming into Redis');

    await server.stop('SIGTERM');
    await eventually(
      () => mirror.health().state === 'degraded' && /ECONNREFUSED/.test(mirror.health().detail ?? ''),
      'degraded, naming the refused connection',
    );
    const setsAtOutage = feed.sets();
    await eventually(() => feed.sets() > setsAtOutage + 100 * KEYS, 'set keeps running while Redis is down');
    const during = mirror.stats();
    expect(during.keys, 'memory holds one value per key').toBe(KEYS);
    expect(during.dirty, 'dirty is bounded by the key count').toBeLessThanOrEqual(KEYS);
    expect(isIfError(await readError(reader), 'IF_ERR_REDIS_UNAVAILABLE'), 'reads fail fast, coded').toBe(
      true,
    );

    const mirrorResyncs = during.resyncs;
    const followerResyncs = follower.resyncs();
    await server.start(); // same port, empty: every key is gone
    await eventually(
      () => mirror.health().state === 'running' && mirror.stats().resyncs > mirrorResyncs,
      'running again after a full resync',
    );
    // notifications published while the follower was resubscribing are lost; its own resync covers them
    await eventually(
      () => follower.resyncs() > followerResyncs,
      'the follower is told to re-read everything',
    );
    feed.stop();
    await eventually(() => mirror.stats().dirty === 0 && !mirror.stats().flushing, 'the last sets written');
    await eventually(() => reader.health().state === 'running', 'reader reconnected');
    expect(await readerMatchesMirror(mirror, reader), 'a reader sees the latest value of every key').toBe(
      true,
    );
    await eventually(
      () =>
        allKeys().every(
          (key) => JSON.stringify(follower.view.get(key)) === JSON.stringify(mirror.latest(key)),
        ),
      'a follower that only reacts to notifications ends with the latest value of every key',
    );

    // pub/sub keeps order on one connection: once b's notification is in, a's duplicates would be too
    const heard = (key: string) => follower.updates.filter((u) => u.keys.includes(key)).length;
    mirror.set('marker:a', { n: 1 });
    await eventually(() => heard('marker:a') > 0, 'notified of a');
    mirror.set('marker:b', { n: 2 });
    await eventually(() => heard('marker:b') > 0, 'notified of b');
    expect(heard('marker:a'), 'one notification per flush after resubscribing, not one per reconnect').toBe(
      1,
    );
  });

  it('bounds a flush stuck on a hung server: one flush in flight, degraded, connection re-opened, resync on resume', async () => {
    await server.start();
    const { mirror, reader } = mirrorAndReader({ flushTimeoutMs: 300 });
    await mirror.start();
    await reader.start();
    await eventually(() => mirror.health().state === 'running', 'connected');
    const feed = producer(mirror);
    await eventually(() => mirror.stats().flushes >= 3, 'streaming into Redis');

    const before = mirror.stats();
    server.signal('SIGSTOP');
    await eventually(
      () => /flush timed out/.test(mirror.health().detail ?? ''),
      'degraded with the timed-out flush',
    );
    const hung = mirror.stats();
    expect(hung.busyTicks, 'ticks during the hung flush did not start another').toBeGreaterThan(
      before.busyTicks,
    );
    expect(hung.keys, 'memory holds one value per key').toBe(KEYS);
    expect(mirror.health().state).toBe('degraded');

    server.signal('SIGCONT');
    await eventually(
      () => mirror.health().state === 'running' && mirror.stats().resyncs > before.resyncs,
      'running again after a full resync',
    );
    feed.stop();
    await eventually(() => mirror.stats().dirty === 0 && !mirror.stats().flushing, 'the last sets written');
    expect(await readerMatchesMirror(mirror, reader), 'the reader sees the latest value of every key').toBe(
      true,
    );
  });
});
