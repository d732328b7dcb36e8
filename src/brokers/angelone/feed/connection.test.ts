import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../core/clock.js';
import { isIfError } from '../../../core/errors.js';
import type { FeedPacket } from '../codec/index.js';
import { type FeedConnectionEvent, type FeedCredentials, SmartStreamConnection } from './connection.js';
import type { SmartStreamConnectionOptions } from './connection.js';
import { eventually, ltpFrame, MockWsServer, settle } from './fixtures/mockWsServer.js';

/** 2026-11-25 09:30 IST, a Wednesday session */
const START_MS = Date.UTC(2026, 10, 25, 4, 0, 0);
const CREDENTIALS: FeedCredentials = {
  clientCode: 'A123456',
  feedToken: 'feed-1',
  jwtToken: 'jwt-1',
  apiKey: 'key-1',
};

let server: MockWsServer | undefined;
let connection: SmartStreamConnection | undefined;
let rawServer: Server | undefined;
const rawSockets = new Set<Socket>();

afterEach(async () => {
  await connection?.close();
  connection = undefined;
  await server?.close();
  server = undefined;
  for (const socket of rawSockets) socket.destroy();
  rawSockets.clear();
  if (rawServer !== undefined) {
    const closing = rawServer;
    await new Promise<void>((resolve) => closing.close(() => resolve()));
    rawServer = undefined;
  }
});

interface Harness {
  server: MockWsServer;
  connection: SmartStreamConnection;
  clock: SimulatedClock;
  events: FeedConnectionEvent[];
  packets: FeedPacket[];
  of<T extends FeedConnectionEvent['type']>(type: T): Extract<FeedConnectionEvent, { type: T }>[];
}

async function harness(
  serverOptions: Parameters<typeof MockWsServer.start>[0] = {},
  overrides: Partial<SmartStreamConnectionOptions> = {},
): Promise<Harness> {
  const started = await MockWsServer.start(serverOptions);
  server = started;
  const clock = new SimulatedClock(START_MS);
  const events: FeedConnectionEvent[] = [];
  const packets: FeedPacket[] = [];
  const created = new SmartStreamConnection({
    url: started.url,
    credentials: () => CREDENTIALS,
    clock,
    random: () => 0.5,
    onPacket: (packet) => packets.push(packet),
    ...overrides,
  });
  connection = created;
  created.onAny((event) => events.push(event));
  return {
    server: started,
    connection: created,
    clock,
    events,
    packets,
    of: <T extends FeedConnectionEvent['type']>(type: T) =>
      events.filter((e): e is Extract<FeedConnectionEvent, { type: T }> => e.type === type),
  };
}

async function openedHarness(
  serverOptions: Parameters<typeof MockWsServer.start>[0] = {},
  overrides: Partial<SmartStreamConnectionOptions> = {},
): Promise<Harness> {
  const h = await harness(serverOptions, overrides);
  h.connection.start();
  await eventually(() => h.connection.state === 'open', 'connection open');
  return h;
}

describe('SmartStreamConnection handshake', () => {
  it('sends the four WebSocket 2.0 headers with the JWT as a Bearer token', async () => {
    const h = await openedHarness();
    const headers = h.server.handshakes[0];
    expect(headers?.['authorization'], 'Authorization carries Bearer <jwt>').toBe('Bearer jwt-1');
    expect(headers?.['x-api-key'], 'x-api-key is the app key').toBe('key-1');
    expect(headers?.['x-client-code'], 'x-client-code is the account').toBe('A123456');
    expect(headers?.['x-feed-token'], 'x-feed-token is the feed token').toBe('feed-1');
    expect(h.of('open'), 'one open event for the owner to resubscribe on').toHaveLength(1);
  });

  it('does not double the Bearer prefix when the login response already carries it', async () => {
    const h = await openedHarness(
      {},
      { credentials: async () => ({ ...CREDENTIALS, jwtToken: 'Bearer jwt-9' }) },
    );
    expect(h.server.handshakes[0]?.['authorization'], 'a single Bearer prefix').toBe('Bearer jwt-9');
  });
});

describe('SmartStreamConnection heartbeat and stale watchdog', () => {
  it('sends text ping every pingIntervalMs and a pong keeps the socket alive past staleAfterMs', async () => {
    const h = await openedHarness();
    for (let i = 1; i <= 6; i++) {
      h.clock.advanceBy(10_000);
      await eventually(() => h.connection.stats().pongs === i, `pong ${i}`);
    }
    expect(h.server.pings(), 'one text ping per 10 s').toBe(6);
    expect(h.of('stale'), 'pongs count as liveness, so 60 s of them never go stale').toHaveLength(0);
    expect(h.connection.stats().opens, 'the socket was never recycled').toBe(1);
  });

  it('declares the socket stale after staleAfterMs of silence in market hours and keeps exactly one socket', async () => {
    const h = await openedHarness({ answerTextPing: false });
    h.clock.advanceBy(19_999);
    expect(h.of('stale'), 'not stale before staleAfterMs').toHaveLength(0);
    h.clock.advanceBy(1);
    expect(h.of('stale'), 'stale at exactly staleAfterMs of silence').toHaveLength(1);
    expect(h.of('stale')[0]?.silentForMs).toBe(20_000);
    expect(h.connection.state, 'stale while waiting to reconnect').toBe('stale');
    await eventually(() => h.server.clients.size === 0, 'the stale socket is terminated');

    const scheduled = h.of('reconnect-scheduled');
    expect(
      scheduled.map((e) => [e.reason, e.delayMs]),
      'one reconnect, first backoff step',
    ).toEqual([['stale', 1000]]);
    h.clock.advanceBy(1000);
    await eventually(() => h.connection.state === 'open', 'reopened');
    // a second stall and recycle must not leave the first replacement behind either
    h.clock.advanceBy(20_000);
    await eventually(() => h.server.clients.size === 0, 'second stale socket terminated');
    h.clock.advanceBy(1000);
    await eventually(() => h.connection.state === 'open', 'reopened again');
    await settle();

    expect(h.of('stale'), 'two stalls, two stale events').toHaveLength(2);
    expect(h.server.acceptedConnections, 'three sockets over the test').toBe(3);
    expect(h.server.maxConcurrentClients, 'never two sockets at once').toBe(1);
    expect(h.server.clients.size, 'exactly one socket now').toBe(1);
  });

  it('does not fire the watchdog outside market hours', async () => {
    const h = await openedHarness({ answerTextPing: false }, { isMarketOpen: () => false });
    for (let i = 0; i < 12; i++) h.clock.advanceBy(10_000);
    await settle();
    expect(h.of('stale'), 'two minutes of silence after the close is not a fault').toHaveLength(0);
    expect(h.connection.state, 'still open').toBe('open');
    expect(h.server.acceptedConnections, 'no reconnect').toBe(1);
  });

  it('fires once the market opens if the socket is still silent', async () => {
    let open = false;
    const h = await openedHarness({ answerTextPing: false }, { isMarketOpen: () => open });
    h.clock.advanceBy(60_000);
    expect(h.of('stale'), 'closed market: no stale').toHaveLength(0);
    open = true;
    h.clock.advanceBy(20_000);
    expect(h.of('stale'), 'the next check after the open finds the silence').toHaveLength(1);
  });
});

describe('SmartStreamConnection reconnect policy', () => {
  it('backs off 1, 2, 4, 8, 16, 30, 30 s with a fixed random, alerts after 5 failures and resets after a stable open', async () => {
    const refusals = 7;
    const h = await harness({
      decide: (_request, attempt) =>
        attempt <= refusals ? { accept: false, status: 503 } : { accept: true },
    });
    h.connection.start();
    const delays: number[] = [];
    for (let i = 1; i <= refusals; i++) {
      await eventually(() => h.of('reconnect-scheduled').length === i, `refusal ${i}`);
      const delay = h.of('reconnect-scheduled')[i - 1]?.delayMs ?? -1;
      delays.push(delay);
      expect(h.connection.state, 'backing off between attempts').toBe('backing-off');
      h.clock.advanceBy(delay);
    }
    expect(delays, 'exponential, capped at 30 s, jitter centred by random 0.5').toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
    expect(
      h.of('alert').map((e) => e.consecutiveFailures),
      'one alert, at the fifth failure',
    ).toEqual([5]);
    expect(
      h.of('error').every((e) => e.error.code === 'IF_ERR_BROKER_UNAVAILABLE'),
      'refusals surface as coded errors',
    ).toBe(true);

    await eventually(() => h.connection.state === 'open', 'eighth attempt accepted');
    h.clock.advanceBy(10_000);
    expect(h.of('recovered'), 'a connection that stays up clears the alert').toHaveLength(1);
    expect(h.connection.stats().consecutiveFailures, 'failures reset').toBe(0);
    h.server.dropAll();
    await eventually(() => h.of('reconnect-scheduled').length === refusals + 1, 'drop noticed');
    const afterReset = h.of('reconnect-scheduled')[refusals];
    expect([afterReset?.reason, afterReset?.delayMs], 'backoff starts again at 1 s').toEqual([
      'closed',
      1000,
    ]);
  });

  it('applies ±20 % jitter around the base delay', async () => {
    let draw = 0;
    const randoms = [0, 0.999_999];
    const h = await harness(
      { decide: () => ({ accept: false, status: 503 }) },
      { random: () => randoms[draw++ % 2] ?? 0.5 },
    );
    h.connection.start();
    await eventually(() => h.of('reconnect-scheduled').length === 1, 'first refusal');
    h.clock.advanceBy(h.of('reconnect-scheduled')[0]?.delayMs ?? 0);
    await eventually(() => h.of('reconnect-scheduled').length === 2, 'second refusal');
    const [first, second] = h.of('reconnect-scheduled').map((e) => e.delayMs);
    expect(first, 'random 0 → base − 20 %').toBe(800);
    expect(second, 'random ≈1 → base + 20 %').toBe(2400);
  });

  it('uses the slower cap outside market hours', async () => {
    const h = await harness(
      { decide: () => ({ accept: false, status: 503 }) },
      { isMarketOpen: () => false },
    );
    h.connection.start();
    for (let i = 1; i <= 8; i++) {
      await eventually(() => h.of('reconnect-scheduled').length === i, `refusal ${i}`);
      h.clock.advanceBy(h.of('reconnect-scheduled')[i - 1]?.delayMs ?? 0);
    }
    expect(
      h.of('reconnect-scheduled').map((e) => e.delayMs),
      '1, 2, …, 32 s, then capped at 60 s',
    ).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
    expect(h.connection.state, 'never gives up').not.toBe('closed');
  });

  it('reconnects when the server drops the socket, with a 1 s first delay', async () => {
    const h = await openedHarness();
    h.clock.advanceBy(10_000);
    h.server.dropAll();
    await eventually(() => h.connection.state === 'backing-off', 'drop noticed');
    expect(h.of('close').at(-1)?.wasOpen, 'close of an open socket').toBe(true);
    h.clock.advanceBy(1000);
    await eventually(() => h.connection.state === 'open', 'reopened');
    expect(h.of('open'), 'the owner is told to resubscribe again').toHaveLength(2);
    expect(h.server.maxConcurrentClients, 'one socket at a time').toBe(1);
  });

  it('gives up a handshake that does not complete within connectTimeoutMs and closes its TCP connection', async () => {
    const silent = createServer((socket) => {
      rawSockets.add(socket);
      // read (and ignore) the upgrade request so the client's FIN is noticed
      socket.resume();
      socket.on('close', () => rawSockets.delete(socket));
    });
    rawServer = silent;
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const clock = new SimulatedClock(START_MS);
    const events: FeedConnectionEvent[] = [];
    connection = new SmartStreamConnection({
      url: `ws://127.0.0.1:${port}/smart-stream`,
      credentials: () => CREDENTIALS,
      clock,
      random: () => 0.5,
    });
    connection.onAny((event) => events.push(event));
    connection.start();
    await eventually(() => rawSockets.size === 1, 'TCP connected, upgrade unanswered');
    clock.advanceBy(15_000);
    const scheduled = events.filter((e) => e.type === 'reconnect-scheduled');
    expect(
      scheduled.map((e) => (e.type === 'reconnect-scheduled' ? e.reason : '')),
      'timed out',
    ).toEqual(['timeout']);
    await eventually(() => rawSockets.size === 0, 'the half-open connection is closed by the client');
  });
});

describe('SmartStreamConnection handshake refusals', () => {
  it('401: emits IF_ERR_FEED_AUTH with x-error-message, asks the owner to refresh, waits 30 s, then uses fresh credentials', async () => {
    let feedToken = 'feed-old';
    let refreshes = 0;
    const h = await harness(
      {
        decide: (request) =>
          request.headers['x-feed-token'] === 'feed-new'
            ? { accept: true }
            : {
                accept: false,
                status: 401,
                headers: { 'x-error-message': 'Invalid Header - Invalid Feed Token' },
              },
      },
      {
        credentials: () => ({ ...CREDENTIALS, feedToken }),
        onAuthFailure: async () => {
          refreshes++;
          feedToken = 'feed-new';
        },
      },
    );
    h.connection.start();
    await eventually(() => h.of('reconnect-scheduled').length === 1, 'refusal handled');
    const error = h.of('error')[0]?.error;
    expect(isIfError(error, 'IF_ERR_FEED_AUTH'), 'typed auth error').toBe(true);
    expect(error?.params['detail'], 'carries the server reason').toBe('Invalid Header - Invalid Feed Token');
    expect(
      h.of('reconnect-scheduled')[0]?.delayMs,
      'at least 30 s before the next try',
    ).toBeGreaterThanOrEqual(30_000);
    await eventually(() => refreshes === 1, 'owner asked to refresh the session');

    h.clock.advanceBy(29_999);
    await settle();
    expect(h.server.handshakes, 'no attempt inside the 30 s pause').toHaveLength(1);
    h.clock.advanceBy(1);
    await eventually(() => h.connection.state === 'open', 'reconnected with the refreshed token');
    expect(h.server.handshakes[1]?.['x-feed-token'], 'fresh credentials on the retry').toBe('feed-new');
  });

  it('a credentials provider that throws counts as an auth failure: refresh requested, 30 s pause', async () => {
    let calls = 0;
    let refreshes = 0;
    const h = await harness(
      {},
      {
        credentials: () => {
          calls++;
          if (calls === 1) throw new Error('no session yet');
          return CREDENTIALS;
        },
        onAuthFailure: async () => {
          refreshes++;
        },
      },
    );
    h.connection.start();
    await eventually(() => h.of('reconnect-scheduled').length === 1, 'failure handled');
    expect(isIfError(h.of('error')[0]?.error, 'IF_ERR_FEED_AUTH'), 'typed auth error').toBe(true);
    expect(h.of('reconnect-scheduled')[0]?.delayMs, 'paced like a 401').toBeGreaterThanOrEqual(30_000);
    expect(h.server.handshakes, 'no handshake without credentials').toHaveLength(0);
    await eventually(() => refreshes === 1, 'refresh requested');
    h.clock.advanceBy(30_000);
    await eventually(() => h.connection.state === 'open', 'connected once credentials exist');
  });

  it('401 forever: at most one attempt per 30 s, one refresh per failure, never gives up', async () => {
    let refreshes = 0;
    const attemptTimes: number[] = [];
    const h = await harness(
      {
        decide: () => {
          attemptTimes.push(clockRef.now());
          return {
            accept: false,
            status: 401,
            headers: { 'x-error-message': 'Invalid Header - Invalid Auth token' },
          };
        },
      },
      {
        onAuthFailure: async () => {
          refreshes++;
        },
      },
    );
    const clockRef = h.clock;
    h.connection.start();
    for (let i = 1; i <= 6; i++) {
      await eventually(() => h.of('reconnect-scheduled').length === i, `refusal ${i}`);
      const scheduled = h.of('reconnect-scheduled')[i - 1];
      expect(scheduled?.reason).toBe('auth');
      // try to provoke a hot loop: time moves in small steps, and only the scheduled retry may connect
      for (let t = 0; t < 6; t++) h.clock.advanceBy(5_000);
      h.clock.advanceBy(Math.max(0, (scheduled?.delayMs ?? 0) - 30_000));
    }
    await eventually(() => h.of('reconnect-scheduled').length === 7, 'seventh refusal handled');
    await settle();
    expect(h.server.handshakes, 'seven attempts in 6 × 30 s, no more').toHaveLength(7);
    const gaps = attemptTimes.slice(1).map((t, i) => t - (attemptTimes[i] ?? 0));
    expect(Math.min(...gaps), 'no two attempts closer than 30 s').toBeGreaterThanOrEqual(30_000);
    await eventually(() => refreshes === 7, 'refreshes');
    expect(refreshes, 'one refresh per refusal').toBe(7);
    expect(h.connection.state, 'still trying').not.toBe('closed');
  });

  it('429: emits IF_ERR_FEED_RATE_LIMITED, backs off to the cap and leaves no TCP connection open', async () => {
    const h = await harness({
      decide: (_request, attempt) => (attempt === 1 ? { accept: false, status: 429 } : { accept: true }),
    });
    h.connection.start();
    await eventually(() => h.of('reconnect-scheduled').length === 1, '429 handled');
    expect(isIfError(h.of('error')[0]?.error, 'IF_ERR_FEED_RATE_LIMITED'), 'typed rate-limit error').toBe(
      true,
    );
    const delay = h.of('reconnect-scheduled')[0]?.delayMs ?? 0;
    expect(delay, 'first retry already waits the full cap').toBeGreaterThanOrEqual(30_000);
    await eventually(
      () => h.server.openTcpConnections() === 0,
      'the refused connection was closed by the client',
    );
    h.clock.advanceBy(delay - 1);
    await settle();
    expect(h.server.handshakes, 'nothing before the cap').toHaveLength(1);
    h.clock.advanceBy(1);
    await eventually(() => h.connection.state === 'open', 'reconnected after the pause');
    expect(h.server.openTcpConnections(), 'exactly the one live socket').toBe(1);
  });
});

describe('SmartStreamConnection frames', () => {
  it('delivers good packets around malformed and truncated frames and counts rejects by code', async () => {
    const h = await openedHarness();
    const good = ltpFrame('43650', 245_000);
    const unknownMode = new Uint8Array(51);
    unknownMode[0] = 9;
    const big = new Uint8Array(1024 * 1024);
    big[0] = 1;
    h.server.sendToAll(good);
    h.server.sendToAll(good.subarray(0, 30));
    h.server.sendToAll(ltpFrame('43651', 1_000));
    h.server.sendToAll(unknownMode);
    h.server.sendToAll(big);
    h.server.sendToAll(new Uint8Array(0));
    h.server.sendToAll(ltpFrame('43652', 2_000));
    await eventually(() => h.connection.stats().binaryFrames === 7, 'all frames read');

    expect(
      h.packets.map((p) => p.token),
      'every good frame delivered, in order',
    ).toEqual(['43650', '43651', '43652']);
    const stats = h.connection.stats();
    expect(stats.rejectedFrames, 'rejects counted by catalogue code').toEqual({
      IF_ERR_PACKET_SIZE: 3,
      IF_ERR_PACKET_MODE: 1,
    });
    expect(
      h.of('rejected-frame').map((e) => e.code),
      'each reject is an event',
    ).toHaveLength(4);
    expect(h.connection.state, 'bad frames do not cost the connection').toBe('open');
  });

  it('recycles the socket when rejects exceed the bad-frame limit', async () => {
    const h = await openedHarness({}, { badFrameLimit: { count: 3, windowMs: 60_000 } });
    for (let i = 0; i < 4; i++) h.server.sendToAll(new Uint8Array(10));
    await eventually(() => h.of('reconnect-scheduled').length === 1, 'recycled');
    expect(h.of('reconnect-scheduled')[0]?.reason).toBe('bad-frames');
  });

  it('surfaces E1001 and E1002 as typed IfError events and counts other text', async () => {
    const h = await openedHarness();
    h.server.sendToAll(
      '{"correlationID":"if00000001","errorCode":"E1002","errorMessage":"Invalid Request. Subscription Limit Exceeded"}',
    );
    h.server.sendToAll(
      '{"correlationID":"if00000002","errorCode":"E1001","errorMessage":"Invalid Request Payload."}',
    );
    // Angel's own documentation sample misses a comma; the code must still be recognised
    h.server.sendToAll(
      '{"correlationID":"if00000003","errorCode":"E1002""errorMessage":"Invalid Request. Subscription Limit Exceeded"}',
    );
    h.server.sendToAll('hello');
    h.server.sendToAll('{"unexpected":true}');
    await eventually(() => h.connection.stats().textFrames === 5, 'all text read');

    const errors = h.of('error');
    expect(
      errors.map((e) => e.error.code),
      'mapped to catalogue codes',
    ).toEqual([
      'IF_ERR_FEED_SUBSCRIPTION_LIMIT',
      'IF_ERR_FEED_INVALID_REQUEST',
      'IF_ERR_FEED_SUBSCRIPTION_LIMIT',
    ]);
    expect(
      errors.map((e) => e.correlationId),
      'correlation ids kept',
    ).toEqual(['if00000001', 'if00000002', 'if00000003']);
    expect(errors[0]?.error.params['brokerCode'], 'Angel code kept').toBe('E1002');
    expect(h.connection.stats().unknownText, 'anything else is counted').toBe(2);
    expect(h.connection.state, 'errors do not close the socket').toBe('open');
  });

  it('passes every frame to the raw tap with its receive time and survives throwing handlers', async () => {
    const taps: [string, number, number][] = [];
    let calls = 0;
    const h = await openedHarness(
      {},
      {
        onRawFrame: (kind, payload, at) =>
          taps.push([kind, typeof payload === 'string' ? payload.length : payload.byteLength, at]),
      },
    );
    h.connection.onPacket = () => {
      calls++;
      throw new Error('consumer bug');
    };
    h.connection.on('unknown-text', () => {
      throw new Error('listener bug');
    });
    h.server.sendToAll(ltpFrame('43650', 100));
    h.server.sendToAll('nonsense');
    h.server.sendToAll(ltpFrame('43651', 100));
    await eventually(() => calls === 2, 'both packets reached the throwing handler');
    expect(taps, 'binary and text frames tapped, stamped with clock time').toEqual([
      ['binary', 51, START_MS],
      ['text', 8, START_MS],
      ['binary', 51, START_MS],
    ]);
    expect(h.connection.state, 'throwing consumers do not break the socket').toBe('open');
  });
});

describe('SmartStreamConnection close', () => {
  it('leaves no pending timer and no socket when closed while open', async () => {
    const h = await openedHarness();
    h.clock.advanceBy(5_000);
    expect(h.clock.pendingTimers(), 'ping, watchdog and stable timers run while open').toBeGreaterThan(0);
    await h.connection.close();
    expect(h.clock.pendingTimers(), 'close clears every timer').toBe(0);
    await eventually(() => h.server.clients.size === 0, 'server sees the socket close');
    expect(h.connection.state).toBe('closed');
    h.clock.advanceBy(120_000);
    await settle();
    expect(h.server.handshakes, 'nothing reconnects after close').toHaveLength(1);
  });

  it('leaves no pending timer when closed while backing off or connecting', async () => {
    const h = await harness({ decide: () => ({ accept: false, status: 503 }) });
    h.connection.start();
    await eventually(() => h.connection.state === 'backing-off', 'backing off');
    await h.connection.close();
    expect(h.clock.pendingTimers(), 'reconnect timer cleared').toBe(0);

    h.connection.start();
    expect(h.connection.state).toBe('connecting');
    await h.connection.close();
    expect(h.clock.pendingTimers(), 'no timer left from the abandoned attempt').toBe(0);
    await settle();
    expect(h.clock.pendingTimers(), 'the abandoned attempt does not arm anything later').toBe(0);
    await eventually(() => h.server.openTcpConnections() === 0, 'no TCP connection left');
  });
});
