import type { AddressInfo } from 'node:net';
import {
  HttpTransportType,
  type HubConnection,
  HubConnectionBuilder,
  HubConnectionState,
  LogLevel,
} from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type HubPluginOptions,
  type HubPrincipal,
  hubPlugin,
  type MarketHub,
} from '../src/gateway/hub/index.js';

/**
 * The hub against the official @microsoft/signalr Node client, over each transport it offers. If these
 * pass, browser and Node SignalR clients connect unchanged.
 */

const USERS: Record<string, HubPrincipal> = {
  'viewer-token': { userId: 'viewer-1', role: 'viewer' },
  'trader-token': { userId: 'trader-1', role: 'trader' },
};
const authenticate = async (token: string): Promise<HubPrincipal | undefined> => USERS[token];

interface Server {
  app: FastifyInstance;
  hub: MarketHub;
  port: number;
  url: string;
}

const servers: FastifyInstance[] = [];
const clients: HubConnection[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.stop()));
  await Promise.all(servers.splice(0).map((app) => app.close()));
});

async function startServer(port = 0, options: Partial<HubPluginOptions> = {}): Promise<Server> {
  const plugin = hubPlugin({ authenticate, ...options });
  // The fetch client can leave a connection open that never carries a request; Node's server.close()
  // would wait for its 60 s headers timeout, so the test servers cut such sockets at close.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  servers.push(app);
  await app.register(plugin);
  await app.listen({ host: '127.0.0.1', port });
  const actual = (app.server.address() as AddressInfo).port;
  return { app, hub: plugin.hub, port: actual, url: `http://127.0.0.1:${actual}/hubs/market` };
}

function client(
  url: string,
  transport: HttpTransportType,
  token: string | undefined,
  configure: (builder: HubConnectionBuilder) => HubConnectionBuilder = (b) => b,
): HubConnection {
  const builder = new HubConnectionBuilder()
    .withUrl(url, token === undefined ? { transport } : { transport, accessTokenFactory: () => token })
    .configureLogging(LogLevel.None);
  const connection = configure(builder).build();
  clients.push(connection);
  return connection;
}

/** Resolves with the first `update(channel, payload)` call that matches. */
function nextUpdate(
  connection: HubConnection,
  match: (channel: string, payload: unknown) => boolean = () => true,
): Promise<[string, unknown]> {
  return new Promise((resolve) => {
    const handler = (channel: string, payload: unknown): void => {
      if (!match(channel, payload)) return;
      connection.off('update', handler);
      resolve([channel, payload]);
    };
    connection.on('update', handler);
  });
}

const TRANSPORTS = [
  ['WebSockets', HttpTransportType.WebSockets],
  ['ServerSentEvents', HttpTransportType.ServerSentEvents],
  ['LongPolling', HttpTransportType.LongPolling],
] as const;

describe.each(TRANSPORTS)('official SignalR client over %s', (kind, transport) => {
  it('connects, subscribes and receives update(channel, payload)', async () => {
    const server = await startServer();
    const connection = client(server.url, transport, 'viewer-token');
    await connection.start();
    expect(server.hub.stats().connectionsByTransport[kind], 'the chosen transport is in use').toBe(1);

    await connection.invoke('subscribe', 'chain:NIFTY:2026-01-06');
    const received = nextUpdate(connection);
    const payload = { strike: '25000', ce: { ltp: '101.50', iv: 0.1342, oi: 120_450 } };
    server.hub.publish('chain:NIFTY:2026-01-06', '25000', payload);
    expect(await received, 'the payload arrives intact').toEqual(['chain:NIFTY:2026-01-06', payload]);

    await connection.invoke('unsubscribe', 'chain:NIFTY:2026-01-06');
    expect(server.hub.stats().subscriptions).toBe(0);
  });

  it('is refused without a valid token', async () => {
    const server = await startServer();
    for (const token of [undefined, 'stolen-token']) {
      const connection = client(server.url, transport, token);
      await expect(connection.start(), `token ${token}`).rejects.toThrow(/401/);
      expect(connection.state).toBe(HubConnectionState.Disconnected);
    }
    expect(server.hub.stats().connectionsOpened, 'no connection state was allocated').toBe(0);
    expect(server.hub.stats().authFailures).toBe(2);
  });

  it('refuses a channel the role may not read with a hub error, and allows it for a trader', async () => {
    const server = await startServer();
    const viewer = client(server.url, transport, 'viewer-token');
    await viewer.start();
    await expect(viewer.invoke('subscribe', 'orders')).rejects.toThrow(
      /HubException: IF_ERR_HUB_FORBIDDEN: /,
    );
    expect(viewer.state, 'a refused call leaves the connection up').toBe(HubConnectionState.Connected);

    const trader = client(server.url, transport, 'trader-token');
    await trader.start();
    await trader.invoke('subscribe', 'orders');
    const received = nextUpdate(trader);
    server.hub.publish('orders', 'ord-1', { id: 'ord-1', status: 'open' });
    expect(await received).toEqual(['orders', { id: 'ord-1', status: 'open' }]);
  });

  it('reconnects with withAutomaticReconnect after the server restarts on the same port', async () => {
    const first = await startServer();
    const connection = client(first.url, transport, 'viewer-token', (builder) =>
      builder.withAutomaticReconnect({
        nextRetryDelayInMilliseconds: (context) => (context.previousRetryCount < 200 ? 50 : null),
      }),
    );
    // Subscriptions live with a connection, so a client subscribes again once it is back.
    connection.onreconnected(() => {
      void connection.invoke('subscribe', 'signals');
    });
    await connection.start();
    await connection.invoke('subscribe', 'signals');
    const firstId = connection.connectionId;

    const reconnecting = new Promise<Error | undefined>((resolve) => connection.onreconnecting(resolve));
    const reconnected = new Promise<void>((resolve) => connection.onreconnected(() => resolve()));
    await first.app.close();
    servers.splice(servers.indexOf(first.app), 1);
    const why = await reconnecting;
    expect(first.hub.stats().closed.shutdown, 'the hub closed the connection with allowReconnect').toBe(1);
    if (kind !== 'LongPolling') {
      expect(why?.message, 'the Close message reached the client').toContain('IF_ERR_HUB_SHUTDOWN');
    }
    // Long polling gets the Close only in a poll held at that moment; a poll arriving once Fastify is
    // closing is refused by its router, and the client reconnects on that error instead.

    const second = await startServer(first.port);
    await reconnected;
    expect(connection.connectionId, 'a reconnect is a new connection').not.toBe(firstId);
    await waitFor(() => second.hub.hasSubscribers('signals'));
    const received = nextUpdate(connection);
    second.hub.publish('signals', 'sig-1', { id: 'sig-1' });
    expect(await received).toEqual(['signals', { id: 'sig-1' }]);
  });
});

/** Polls a condition that some other event loop turn makes true (no wall-clock assertions). */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('conflation with the official client', () => {
  it('delivers only the latest value of a key published faster than the client is flushed', async () => {
    const server = await startServer();
    const connection = client(server.url, HttpTransportType.WebSockets, 'viewer-token');
    await connection.start();
    await connection.invoke('subscribe', 'ticks:99926000');
    const seen: unknown[] = [];
    connection.on('update', (_channel: string, payload: { key: string }) => {
      if (payload.key === 'nifty') seen.push(payload);
    });
    const sentinel = nextUpdate(connection, (_c, p) => (p as { key: string }).key === 'sentinel');

    // One synchronous burst: the engine never waits for the socket, and no flush can run in between.
    for (let ltp = 1; ltp <= 1000; ltp++)
      server.hub.publish('ticks:99926000', 'nifty', { key: 'nifty', ltp });
    await nextUpdate(connection, (_c, p) => (p as { ltp?: number }).ltp === 1000);
    server.hub.publish('ticks:99926000', 'sentinel', { key: 'sentinel' });
    await sentinel;

    expect(seen, 'only the last of 1000 values reached the client').toEqual([{ key: 'nifty', ltp: 1000 }]);
    expect(server.hub.stats().updatesConflated).toBe(999);
  });

  it('still serves a normal client while skipNegotiation connects straight to the WebSocket', async () => {
    const server = await startServer();
    const connection = client(server.url, HttpTransportType.WebSockets, 'viewer-token', (builder) =>
      builder.withUrl(server.url, {
        transport: HttpTransportType.WebSockets,
        skipNegotiation: true,
        accessTokenFactory: () => 'viewer-token',
      }),
    );
    await connection.start();
    await connection.invoke('subscribe', 'health');
    const received = nextUpdate(connection);
    server.hub.publish('health', 'feed', { state: 'running' });
    expect(await received).toEqual(['health', { state: 'running' }]);
  });
});

describe.each([
  ['WebSockets', HttpTransportType.WebSockets],
  ['LongPolling', HttpTransportType.LongPolling],
] as const)('official client with MessagePackHubProtocol over %s', (kind, transport) => {
  it('connects, subscribes, receives update(channel, payload) and gets hub errors', async () => {
    const server = await startServer();
    const connection = client(server.url, transport, 'viewer-token', (builder) =>
      builder.withHubProtocol(new MessagePackHubProtocol()),
    );
    await connection.start();
    expect(server.hub.stats().connectionsByTransport[kind], 'the chosen transport is in use').toBe(1);

    await connection.invoke('subscribe', 'chain:NIFTY:2026-01-06');
    const received = nextUpdate(connection);
    const payload = {
      strike: '25000',
      ce: { ltp: '101.50', iv: 0.1342, oi: 120_450, greeks: [0.52, -0.0041, 12] },
      ts: 1_767_584_700_000,
      halted: false,
    };
    server.hub.publish('chain:NIFTY:2026-01-06', '25000', payload);
    expect(await received, 'the payload arrives intact').toEqual(['chain:NIFTY:2026-01-06', payload]);

    await expect(connection.invoke('subscribe', 'orders')).rejects.toThrow(
      /HubException: IF_ERR_HUB_FORBIDDEN: /,
    );
    expect(connection.state, 'a refused call leaves the connection up').toBe(HubConnectionState.Connected);

    await connection.invoke('unsubscribe', 'chain:NIFTY:2026-01-06');
    expect(server.hub.stats().subscriptions).toBe(0);
    await connection.stop();
    await waitFor(() => server.hub.stats().connectionsByTransport[kind] === 0);
  });

  it('is told to reconnect by the Close the server sends when it shuts down', async () => {
    const server = await startServer();
    const connection = client(server.url, transport, 'viewer-token', (builder) =>
      builder.withHubProtocol(new MessagePackHubProtocol()).withAutomaticReconnect([10_000]),
    );
    await connection.start();
    const reconnecting = new Promise<void>((resolve) => connection.onreconnecting(() => resolve()));
    await server.app.close();
    await reconnecting;
    expect(connection.state).toBe(HubConnectionState.Reconnecting);
  });
});

describe('MessagePack over Server-Sent Events', () => {
  it('is refused at the handshake, while negotiate offers Binary only on WebSockets and long polling', async () => {
    const server = await startServer();
    const response = await fetch(`${server.url}/negotiate?negotiateVersion=1`, {
      method: 'POST',
      headers: { Authorization: 'Bearer viewer-token' },
    });
    const body = (await response.json()) as {
      availableTransports: { transport: string; transferFormats: string[] }[];
    };
    expect(body.availableTransports).toEqual([
      { transport: 'WebSockets', transferFormats: ['Text', 'Binary'] },
      { transport: 'ServerSentEvents', transferFormats: ['Text'] },
      { transport: 'LongPolling', transferFormats: ['Text', 'Binary'] },
    ]);

    // The official client never picks SSE for a binary protocol, so a raw client asks for it.
    const negotiated = (await (
      await fetch(`${server.url}/negotiate?negotiateVersion=1`, {
        method: 'POST',
        headers: { Authorization: 'Bearer viewer-token' },
      })
    ).json()) as { connectionToken: string };
    const id = encodeURIComponent(negotiated.connectionToken);
    const stream = await fetch(`${server.url}?id=${id}&access_token=viewer-token`, {
      headers: { Accept: 'text/event-stream' },
    });
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    await fetch(`${server.url}?id=${id}`, {
      method: 'POST',
      headers: { Authorization: 'Bearer viewer-token', 'Content-Type': 'text/plain' },
      body: '{"protocol":"messagepack","version":1}\u001e',
    });
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    expect(text).toContain(
      `data: {"error":"Cannot use the 'messagepack' protocol on the current transport. The transport does not support 'Binary' transfer format."}\u001e`,
    );
    expect(server.hub.stats().connections).toBe(0);
  });
});
