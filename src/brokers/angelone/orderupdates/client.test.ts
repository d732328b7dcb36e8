import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../core/clock.js';
import { isIfError } from '../../../core/errors.js';
import { eventually, MockWsServer, type MockWsServerOptions, settle } from '../feed/fixtures/mockWsServer.js';
import {
  AngelOrderUpdatesClient,
  type AngelOrderUpdatesClientOptions,
  type OrderUpdate,
  type OrderUpdatesEvent,
} from './index.js';

const START_MS = Date.UTC(2026, 10, 25, 4, 0, 0);

let server: MockWsServer | undefined;
let client: AngelOrderUpdatesClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

function message(status: string, orderid = '', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    'user-id': 'A123456',
    'status-code': '200',
    'order-status': status,
    'error-message': '',
    orderData: {
      orderid,
      ordertag: orderid === '' ? '' : `tag-${orderid}`,
      price: 101.05,
      quantity: '75',
      filledshares: status === 'AB05' ? '75' : '0',
      unfilledshares: status === 'AB05' ? '0' : '75',
      strikeprice: orderid === '' ? 0 : 24500,
      ...extra,
    },
  });
}

interface Harness {
  server: MockWsServer;
  client: AngelOrderUpdatesClient;
  clock: SimulatedClock;
  events: OrderUpdatesEvent[];
  updates: OrderUpdate[];
  of<T extends OrderUpdatesEvent['type']>(type: T): Extract<OrderUpdatesEvent, { type: T }>[];
}

async function harness(
  serverOptions: MockWsServerOptions = { greet: () => message('AB00') },
  overrides: Partial<AngelOrderUpdatesClientOptions> = {},
): Promise<Harness> {
  const started = await MockWsServer.start(serverOptions);
  server = started;
  const clock = new SimulatedClock(START_MS);
  const created = new AngelOrderUpdatesClient({
    url: started.url,
    credentials: () => ({ jwtToken: 'jwt-1', apiKey: 'key-1', clientCode: 'A123456', feedToken: 'feed-1' }),
    clock,
    random: () => 0.5,
    ...overrides,
  });
  client = created;
  const events: OrderUpdatesEvent[] = [];
  const updates: OrderUpdate[] = [];
  created.onAny((event) => events.push(event));
  created.onUpdate((update) => updates.push(update));
  return {
    server: started,
    client: created,
    clock,
    events,
    updates,
    of: <T extends OrderUpdatesEvent['type']>(type: T) =>
      events.filter((e): e is Extract<OrderUpdatesEvent, { type: T }> => e.type === type),
  };
}

describe('AngelOrderUpdatesClient', () => {
  it('connects with a Bearer JWT, receives AB00, then typed order updates', async () => {
    const h = await harness();
    h.client.start();
    await eventually(() => h.updates.length === 1, 'AB00');
    const headers = h.server.handshakes[0];
    expect(headers?.['authorization'], 'Bearer <jwt>').toBe('Bearer jwt-1');
    expect([headers?.['x-api-key'], headers?.['x-client-code']], 'the JS SDK headers too').toEqual([
      'key-1',
      'A123456',
    ]);
    expect(h.updates[0]?.meaning, 'acknowledgement first').toBe('connected');

    h.server.sendToAll(message('AB09', '1001'));
    h.server.sendToAll(message('AB01', '1001'));
    h.server.sendToAll(message('AB05', '1001'));
    await eventually(() => h.updates.length === 4, 'three updates');
    expect(
      h.updates.map((u) => [u.statusCode, u.meaning]),
      'in order, typed',
    ).toEqual([
      ['AB00', 'connected'],
      ['AB09', 'open-pending'],
      ['AB01', 'open'],
      ['AB05', 'complete'],
    ]);
    const complete = h.updates[3];
    expect(
      [complete?.order.orderId, complete?.order.pricePaise, complete?.order.filledQuantity],
      'paise and numbers',
    ).toEqual(['1001', 10_105, 75]);
    expect(h.client.stats().byStatus, 'counted per code').toEqual({ AB00: 1, AB09: 1, AB01: 1, AB05: 1 });
  });

  it('streams updates through an async iterator that ends on close', async () => {
    const h = await harness();
    const seen: string[] = [];
    const consumer = (async () => {
      for await (const update of h.client.updates()) seen.push(update.statusCode);
    })();
    h.client.start();
    await eventually(() => h.updates.length === 1, 'AB00');
    h.server.sendToAll(message('AB01', '7'));
    h.server.sendToAll(message('AB02', '7'));
    await eventually(() => seen.length === 3, 'iterator caught up');
    await h.client.close();
    await consumer;
    expect(seen, 'the iterator saw the same stream and then finished').toEqual(['AB00', 'AB01', 'AB02']);
    expect(h.clock.pendingTimers(), 'close leaves no timer').toBe(0);
  });

  it('bounds each iterator buffer: the oldest updates are dropped and counted', async () => {
    const h = await harness();
    const iterator = h.client.updates({ bufferSize: 2 });
    h.client.start();
    await eventually(() => h.updates.length === 1, 'AB00');
    for (let i = 1; i <= 4; i++) h.server.sendToAll(message('AB01', String(i)));
    await eventually(() => h.updates.length === 5, 'all received');
    expect(h.client.stats().droppedUpdates, '5 arrived, 2 fit').toBe(3);
    expect(h.of('overflow'), 'each drop reported').toHaveLength(3);
    const first = await iterator.next();
    const second = await iterator.next();
    expect([first.value?.order.orderId, second.value?.order.orderId], 'the newest two remain').toEqual([
      '3',
      '4',
    ]);
    await iterator.return?.();
    expect(h.client.stats().droppedUpdates, 'a finished consumer no longer buffers').toBe(3);
  });

  it('reconnects after a drop with the feed backoff and receives AB00 again', async () => {
    const h = await harness();
    h.client.start();
    await eventually(() => h.updates.length === 1, 'first AB00');
    h.clock.advanceBy(10_000);
    h.server.dropAll();
    await eventually(() => h.of('reconnect-scheduled').length === 1, 'drop noticed');
    expect(h.of('reconnect-scheduled')[0]?.delayMs, 'first backoff step').toBe(1000);
    h.clock.advanceBy(1000);
    await eventually(() => h.updates.length === 2, 'second AB00');
    h.server.sendToAll(message('AB03', '9', { text: 'RMS rejected' }));
    await eventually(() => h.updates.length === 3, 'update after reconnect');
    expect(h.updates.map((u) => u.meaning)).toEqual(['connected', 'connected', 'rejected']);
    expect(h.server.maxConcurrentClients, 'one socket at a time').toBe(1);
  });

  it('sends a text ping and a protocol ping every 10 s; either answer keeps it alive', async () => {
    const h = await harness({ greet: () => message('AB00'), answerTextPing: false });
    h.client.start();
    await eventually(() => h.client.state === 'open', 'open');
    for (let i = 1; i <= 4; i++) {
      h.clock.advanceBy(10_000);
      await eventually(() => h.server.pings() === i, `ping ${i}`);
      await settle();
    }
    expect(h.of('stale'), 'protocol pongs count as liveness').toHaveLength(0);
    expect(h.client.stats().opens).toBe(1);
  });

  it('403 (expired token) asks the owner to refresh and retries no sooner than 30 s', async () => {
    let refreshes = 0;
    const h = await harness(
      {
        greet: () => message('AB00'),
        decide: (_request, attempt) => (attempt === 1 ? { accept: false, status: 403 } : { accept: true }),
      },
      {
        onAuthFailure: async () => {
          refreshes++;
        },
      },
    );
    h.client.start();
    await eventually(() => h.of('reconnect-scheduled').length === 1, 'refusal handled');
    const error = h.of('error')[0]?.error;
    expect(isIfError(error, 'IF_ERR_BROKER_SESSION'), 'typed session error').toBe(true);
    expect(error?.params['brokerCode'], 'expired').toBe('HTTP 403 (expired)');
    await eventually(() => refreshes === 1, 'refresh requested');
    h.clock.advanceBy(29_999);
    await settle();
    expect(h.server.handshakes, 'paced').toHaveLength(1);
    h.clock.advanceBy(1);
    await eventually(() => h.updates.length === 1, 'connected after the pause');
    expect(h.server.openTcpConnections(), 'the refused connection did not leak').toBe(1);
  });

  it('429 backs off to the cap; corrupt messages are rejected without closing the socket', async () => {
    const h = await harness({
      greet: () => message('AB00'),
      decide: (_request, attempt) => (attempt === 1 ? { accept: false, status: 429 } : { accept: true }),
    });
    h.client.start();
    await eventually(() => h.of('reconnect-scheduled').length === 1, '429 handled');
    expect(isIfError(h.of('error')[0]?.error, 'IF_ERR_BROKER_RATE_LIMITED'), 'typed').toBe(true);
    expect(h.of('reconnect-scheduled')[0]?.delayMs).toBeGreaterThanOrEqual(30_000);
    h.clock.advanceBy(30_000);
    await eventually(() => h.updates.length === 1, 'connected');
    h.server.sendToAll('garbage');
    h.server.sendToAll(message('AB05', '1', { quantity: 'lots' }));
    h.server.sendToAll(new Uint8Array([1, 2, 3]));
    h.server.sendToAll(message('AB05', '2'));
    await eventually(() => h.updates.length === 2, 'the good update after the bad ones');
    expect(
      h.of('rejected-message').map((e) => e.error.code),
      'each bad message reported',
    ).toEqual(['IF_ERR_BROKER_RESPONSE', 'IF_ERR_BROKER_RESPONSE', 'IF_ERR_BROKER_RESPONSE']);
    expect(h.client.state).toBe('open');
  });
});
