import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../core/clock.js';
import { isIfError } from '../../../core/errors.js';
import { ExchangeType, SubscriptionMode } from '../codec/index.js';
import { type FeedClientEvent, SmartStreamClient, type SmartStreamClientOptions } from './client.js';
import {
  eventually,
  ltpFrame,
  MockWsServer,
  type MockWsServerOptions,
  settle,
} from './fixtures/mockWsServer.js';
import type { SubscriptionPair } from './subscriptions.js';

const START_MS = Date.UTC(2026, 10, 25, 4, 0, 0);
const CREDENTIALS = { clientCode: 'A123456', feedToken: 'feed-1', jwtToken: 'jwt-1', apiKey: 'key-1' };

let server: MockWsServer | undefined;
let client: SmartStreamClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

interface Harness {
  server: MockWsServer;
  client: SmartStreamClient;
  clock: SimulatedClock;
  events: FeedClientEvent[];
  of<T extends FeedClientEvent['type']>(type: T): Extract<FeedClientEvent, { type: T }>[];
}

async function harness(
  serverOptions: MockWsServerOptions = {},
  overrides: Partial<SmartStreamClientOptions> = {},
): Promise<Harness> {
  const started = await MockWsServer.start(serverOptions);
  server = started;
  const clock = new SimulatedClock(START_MS);
  const created = new SmartStreamClient({
    url: started.url,
    credentials: () => CREDENTIALS,
    clock,
    random: () => 0.5,
    ...overrides,
  });
  client = created;
  const events: FeedClientEvent[] = [];
  created.onAny((event) => events.push(event));
  return {
    server: started,
    client: created,
    clock,
    events,
    of: <T extends FeedClientEvent['type']>(type: T) =>
      events.filter((e): e is Extract<FeedClientEvent, { type: T }> => e.type === type),
  };
}

interface Request {
  correlationID: string;
  action: number;
  params: { mode: number; tokenList: { exchangeType: number; tokens: string[] }[] };
}

function parsed(texts: string[]): Request[] {
  return texts.map((text) => JSON.parse(text) as Request);
}

/** `mode|exchangeType|token` keys a server connection ends up subscribed to, applying requests in order. */
function serverSideSet(target: MockWsServer, connection: number): Set<string> {
  const set = new Set<string>();
  for (const request of parsed(target.requests(connection))) {
    for (const entry of request.params.tokenList) {
      for (const token of entry.tokens) {
        const key = `${request.params.mode}|${entry.exchangeType}|${token}`;
        if (request.action === 1) set.add(key);
        else set.delete(key);
      }
    }
  }
  return set;
}

function tokenCount(texts: string[]): number {
  return parsed(texts).reduce(
    (sum, r) => sum + r.params.tokenList.reduce((s, entry) => s + entry.tokens.length, 0),
    0,
  );
}

function ltp(count: number, from = 40_000): SubscriptionPair[] {
  return Array.from({ length: count }, (_, i) => ({
    exchangeType: ExchangeType.NSE_FO,
    token: String(from + i),
    mode: SubscriptionMode.LTP,
  }));
}

describe('SmartStreamClient subscriptions', () => {
  it('opens one connection for a small set and sends requests grouped by mode and exchange type', async () => {
    const h = await harness();
    expect(h.server.handshakes, 'no connection before there is something to subscribe').toHaveLength(0);
    h.client.subscribe([
      { exchangeType: ExchangeType.NSE_CM, token: '26000', mode: SubscriptionMode.LTP },
      { exchangeType: ExchangeType.NSE_FO, token: '43650', mode: SubscriptionMode.SNAP_QUOTE },
      { exchangeType: ExchangeType.BSE_CM, token: '99919000', mode: SubscriptionMode.LTP },
      { exchangeType: ExchangeType.NSE_CM, token: '26009', mode: SubscriptionMode.LTP },
      { exchangeType: ExchangeType.NSE_FO, token: '43651', mode: SubscriptionMode.SNAP_QUOTE },
    ]);
    await eventually(() => h.server.requests().length === 2, 'two requests');
    const requests = parsed(h.server.requests());
    expect(
      requests.map((r) => [r.action, r.params.mode, r.params.tokenList]),
      'one message per mode, tokens grouped by exchange type',
    ).toEqual([
      [
        1,
        1,
        [
          { exchangeType: 1, tokens: ['26000', '26009'] },
          { exchangeType: 3, tokens: ['99919000'] },
        ],
      ],
      [1, 3, [{ exchangeType: 2, tokens: ['43650', '43651'] }]],
    ]);
    expect(
      requests.every((r) => /^[0-9a-z]{10}$/.test(r.correlationID)),
      '10-character alphanumeric correlation ids',
    ).toBe(true);
    expect(h.server.handshakes, 'a single connection').toHaveLength(1);
    expect(h.client.currentHealth, 'healthy once the needed connection is open').toBe('healthy');
    expect(
      h.client.stats().connections.map((c) => c.state),
      'unused connections stay closed',
    ).toEqual(['open', 'closed', 'closed']);
    expect([...(h.client.instruments.get('1:26000') ?? [])], 'canonical map').toEqual([1]);
  });

  it('sends only the delta to an open connection', async () => {
    const h = await harness();
    h.client.subscribe(ltp(3));
    await eventually(() => h.server.requests().length === 1, 'initial subscribe');
    const change = h.client.subscribe(ltp(5));
    expect(change, 'two new pairs, duplicates ignored').toEqual({ changed: 2, total: 5 });
    await eventually(() => h.server.requests().length === 2, 'delta subscribe');
    expect(parsed(h.server.requests())[1]?.params.tokenList, 'only the new tokens').toEqual([
      { exchangeType: 2, tokens: ['40003', '40004'] },
    ]);
    h.client.unsubscribe(ltp(1));
    await eventually(() => h.server.requests().length === 3, 'unsubscribe');
    const last = parsed(h.server.requests())[2];
    expect([last?.action, last?.params.tokenList], 'unsubscribe names the mode and token').toEqual([
      0,
      [{ exchangeType: 2, tokens: ['40000'] }],
    ]);
  });

  it('shards 1000 pairs per connection over three sockets and refuses pair 3001 without changing state', async () => {
    const h = await harness();
    h.client.subscribe(ltp(2500));
    await eventually(() => tokenCount(h.server.requests()) === 2500, 'all 2500 sent');
    expect(h.server.acceptedConnections, 'three sockets').toBe(3);
    const sets = [0, 1, 2].map((i) => serverSideSet(h.server, i));
    expect(sets.map((s) => s.size).sort(), '1000 + 1000 + 500').toEqual([1000, 1000, 500]);
    expect(new Set(sets.flatMap((s) => [...s])).size, 'disjoint: each pair on exactly one socket').toBe(2500);
    expect(
      parsed(h.server.requests()).every((r) => tokenCount([JSON.stringify(r)]) <= 500),
      'messages chunked to 500 tokens',
    ).toBe(true);

    h.client.subscribe(ltp(500, 50_000));
    await eventually(() => tokenCount(h.server.requests()) === 3000, 'filled to 3000');
    const sent = h.server.requests().length;
    let thrown: unknown;
    try {
      h.client.subscribe(ltp(1, 60_000));
    } catch (error) {
      thrown = error;
    }
    expect(isIfError(thrown, 'IF_ERR_FEED_CAPACITY'), 'typed capacity error').toBe(true);
    await settle();
    expect(h.client.subscriptions(), 'state unchanged').toHaveLength(3000);
    expect(h.server.requests(), 'nothing sent for the refused pair').toHaveLength(sent);
    expect(h.server.maxConcurrentClients, 'never more than Angel’s three sockets').toBe(3);
    expect(
      h.client.stats().connections.map((c) => c.pairs),
      'per-connection counts',
    ).toEqual([1000, 1000, 1000]);
  });

  it('after a drop resubscribes exactly the current set: no history replay, unsubscribed pairs not resent', async () => {
    const h = await harness();
    const a = { exchangeType: ExchangeType.NSE_FO, token: '1001', mode: SubscriptionMode.LTP } as const;
    const b = { exchangeType: ExchangeType.NSE_FO, token: '1002', mode: SubscriptionMode.LTP } as const;
    const c = {
      exchangeType: ExchangeType.NSE_FO,
      token: '1003',
      mode: SubscriptionMode.SNAP_QUOTE,
    } as const;
    const d = { exchangeType: ExchangeType.NSE_CM, token: '2001', mode: SubscriptionMode.QUOTE } as const;
    h.client.subscribe([a, b, c]);
    await eventually(() => h.server.requests(0).length === 2, 'first subscribe');
    h.client.unsubscribe([b]);
    h.client.subscribe([d]);
    h.client.unsubscribe([d]);
    await eventually(() => h.server.requests(0).length === 5, 'history on the first socket');

    h.server.dropAll();
    await eventually(() => h.client.connections()[0]?.state === 'backing-off', 'drop noticed');
    expect(h.client.currentHealth, 'no open connection: down').toBe('down');
    h.clock.advanceBy(1000);
    await eventually(() => h.server.requests(1).length === 2, 'resubscribed on the new socket');
    await settle();
    const replay = parsed(h.server.requests(1));
    expect(
      replay.every((r) => r.action === 1),
      'only subscribes, no replayed unsubscribes',
    ).toBe(true);
    expect([...serverSideSet(h.server, 1)].sort(), 'exactly the current set').toEqual([
      '1|2|1001',
      '3|2|1003',
    ]);
    expect(h.server.requests(1), 'nothing else sent').toHaveLength(2);
    expect(h.client.currentHealth, 'healthy again').toBe('healthy');
    expect(h.server.maxConcurrentClients, 'one socket at a time').toBe(1);
  });

  it('closes a connection left with no subscriptions and reopens it when needed', async () => {
    const h = await harness();
    h.client.subscribe(ltp(2));
    await eventually(() => h.client.currentHealth === 'healthy', 'open');
    h.client.unsubscribe(ltp(2));
    await eventually(() => h.server.clients.size === 0, 'socket closed');
    expect(h.client.currentHealth, 'nothing subscribed: idle').toBe('idle');
    h.client.subscribe(ltp(1, 70_000));
    await eventually(() => h.server.requests(1).length === 1, 'reopened and subscribed');
    expect([...serverSideSet(h.server, 1)], 'only the new pair').toEqual(['1|2|70000']);
  });
});

describe('SmartStreamClient errors and health', () => {
  it('E1002 marks the refused pairs as failed and surfaces a typed error with the connection', async () => {
    const h = await harness({
      respond: (text) => {
        if (text === 'ping') return undefined;
        const request = JSON.parse(text) as Request;
        return JSON.stringify({
          correlationID: request.correlationID,
          errorCode: 'E1002',
          errorMessage: 'Invalid Request. Subscription Limit Exceeded',
        });
      },
    });
    h.client.subscribe(ltp(3));
    await eventually(() => h.of('subscription-failed').length === 1, 'refusal surfaced');
    const failed = h.of('subscription-failed')[0];
    expect(failed?.connection, 'on connection 0').toBe(0);
    expect(isIfError(failed?.error, 'IF_ERR_FEED_SUBSCRIPTION_LIMIT'), 'typed error').toBe(true);
    expect(
      failed?.pairs.map((p) => p.token),
      'the pairs of that request',
    ).toEqual(['40000', '40001', '40002']);
    expect(h.client.stats().failedSubscriptions, 'counted').toBe(3);
    expect(h.client.currentHealth, 'open but refused: degraded').toBe('degraded');
    expect(
      h.of('error').map((e) => [e.connection, e.error.code]),
      'the error event names the connection',
    ).toEqual([[0, 'IF_ERR_FEED_SUBSCRIPTION_LIMIT']]);
    h.client.unsubscribe(ltp(3));
    expect(h.client.stats().failedSubscriptions, 'unsubscribing clears the mark').toBe(0);
  });

  it('an E1002 without a correlation id is still surfaced, with no pairs guessed', async () => {
    const h = await harness({
      respond: (text) =>
        text === 'ping'
          ? undefined
          : '{"errorCode":"E1002","errorMessage":"Invalid Request. Subscription Limit Exceeded"}',
    });
    h.client.subscribe(ltp(2));
    await eventually(() => h.of('subscription-failed').length === 1, 'surfaced');
    expect(h.of('subscription-failed')[0]?.pairs, 'no pairs attributed without an id').toEqual([]);
    expect(h.client.stats().failedSubscriptions, 'nothing marked on a guess').toBe(0);
  });

  it('a stale connection is recycled, counted and reported in health', async () => {
    const registry = new Registry();
    const h = await harness({ answerTextPing: false }, { registry });
    h.client.subscribe(ltp(2));
    await eventually(() => h.client.currentHealth === 'healthy', 'open');
    h.clock.advanceBy(20_000);
    expect(
      h.of('stale').map((e) => e.connection),
      'stale on connection 0',
    ).toEqual([0]);
    expect(h.client.currentHealth, 'stale: not healthy').toBe('down');
    expect(h.client.stats().connections[0]?.state).toBe('stale');
    h.clock.advanceBy(1000);
    await eventually(() => h.client.currentHealth === 'healthy', 'recovered');
    await eventually(() => h.server.requests(1).length === 1, 'resubscribed');
    const stats = h.client.stats();
    expect([stats.staleEvents, stats.reconnects], 'one stale event, one reconnect').toEqual([1, 1]);
    const text = await registry.metrics();
    expect(text, 'stale counter exported').toMatch(/^indexflow_feed_stale_total 1$/m);
    expect(text, 'reconnect counter exported').toMatch(/^indexflow_feed_reconnects_total 1$/m);
    expect(
      h.of('health').map((e) => e.health),
      'health transitions',
    ).toEqual(['down', 'healthy', 'down', 'healthy']);
  });

  it('401 on several connections asks the owner for one session refresh at a time', async () => {
    let refreshes = 0;
    let finish: () => void = () => undefined;
    const h = await harness(
      {
        decide: () => ({
          accept: false,
          status: 401,
          headers: { 'x-error-message': 'Invalid Header - Invalid Auth token' },
        }),
      },
      {
        onAuthFailure: () => {
          refreshes++;
          return new Promise<void>((resolve) => {
            finish = resolve;
          });
        },
      },
    );
    h.client.subscribe(ltp(1500));
    await eventually(() => h.of('reconnect-scheduled').length === 2, 'both connections refused');
    await settle();
    expect(refreshes, 'one refresh for two refusals').toBe(1);
    expect(
      h.of('error').map((e) => e.error.code),
      'each refusal surfaced',
    ).toEqual(['IF_ERR_FEED_AUTH', 'IF_ERR_FEED_AUTH']);
    finish();
  });
});

describe('SmartStreamClient data path and metrics', () => {
  it('delivers packets with their connection, measures packets/s per mode and exports metrics', async () => {
    const registry = new Registry();
    const received: [string, number][] = [];
    const h = await harness(
      {},
      { registry, onPacket: (packet, _at, connection) => received.push([packet.token, connection]) },
    );
    h.client.subscribe(ltp(2));
    await eventually(() => h.server.requests().length === 1, 'subscribed');
    h.server.sendToAll(ltpFrame('40000', 100));
    h.server.sendToAll(ltpFrame('40001', 100));
    h.server.sendToAll(ltpFrame('40001', 100).subarray(0, 7));
    h.server.sendToAll(ltpFrame('40000', 101));
    await eventually(() => received.length === 3, 'packets delivered');
    expect(received, 'token and connection index').toEqual([
      ['40000', 0],
      ['40001', 0],
      ['40000', 0],
    ]);
    h.clock.advanceBy(1000);
    const stats = h.client.stats();
    expect(stats.packetsPerSecond, 'three LTP packets in the last complete second').toEqual({
      ltp: 3,
      quote: 0,
      snap_quote: 0,
      depth_20: 0,
    });
    expect(stats.rejectedFrames, 'the short frame counted by reason').toEqual({ IF_ERR_PACKET_SIZE: 1 });
    h.clock.advanceBy(1000);
    expect(h.client.stats().packetsPerSecond.ltp, 'a quiet second reads 0').toBe(0);

    const text = await registry.metrics();
    expect(text).toMatch(/^indexflow_feed_packets_total\{mode="ltp"\} 3$/m);
    expect(text).toMatch(/^indexflow_feed_rejected_frames_total\{reason="IF_ERR_PACKET_SIZE"\} 1$/m);
    expect(text).toMatch(/^indexflow_feed_connections\{state="open"\} 1$/m);
    expect(text).toMatch(/^indexflow_feed_connections\{state="closed"\} 2$/m);
    expect(text).toMatch(/^indexflow_feed_subscriptions 2$/m);
    h.server.sendToAll(ltpFrame('40001', 102));
    await eventually(() => received.length === 4, 'one more packet');
    expect(await registry.metrics(), 'counters keep counting across scrapes').toMatch(
      /^indexflow_feed_packets_total\{mode="ltp"\} 4$/m,
    );
  });

  it('close() clears every timer and socket and refuses further use', async () => {
    const h = await harness();
    h.client.subscribe(ltp(1500));
    await eventually(() => h.client.currentHealth === 'healthy', 'two connections open');
    h.clock.advanceBy(5000);
    await h.client.close();
    expect(h.clock.pendingTimers(), 'no timer left').toBe(0);
    await eventually(() => h.server.clients.size === 0, 'server sees both sockets close');
    expect(() => h.client.subscribe(ltp(1)), 'closed for good').toThrow(/not connected/);
    h.clock.advanceBy(120_000);
    await settle();
    expect(h.server.acceptedConnections, 'nothing reconnects').toBe(2);
  });
});
