import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { type RawData, WebSocket } from 'ws';
import { SimulatedClock } from '../src/core/clock.js';
import {
  type HubPluginOptions,
  type HubPrincipal,
  hubPlugin,
  type MarketHub,
} from '../src/gateway/hub/index.js';

/**
 * Exact bytes on the wire, read by raw clients (ws, node:http) rather than a SignalR client that would
 * forgive small deviations; and a client that really stops reading its socket.
 */

const RS = '\u001e';
const VIEWER: HubPrincipal = { userId: 'viewer-1', role: 'viewer' };
const authenticate = async (token: string): Promise<HubPrincipal | undefined> =>
  token === 'viewer-token' ? VIEWER : undefined;

const servers: FastifyInstance[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await Promise.all(servers.splice(0).map((app) => app.close()));
});

async function startServer(
  options: Partial<HubPluginOptions> = {},
): Promise<{ hub: MarketHub; base: string }> {
  const plugin = hubPlugin({ authenticate, ...options });
  const app = Fastify({ logger: false, forceCloseConnections: true });
  servers.push(app);
  await app.register(plugin);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { hub: plugin.hub, base: `127.0.0.1:${port}/hubs/market` };
}

async function negotiate(base: string): Promise<string> {
  const response = await fetch(`http://${base}/negotiate?negotiateVersion=1`, {
    method: 'POST',
    headers: { authorization: 'Bearer viewer-token' },
  });
  const body = (await response.json()) as { connectionToken: string };
  return body.connectionToken;
}

interface Frame {
  bytes: Buffer;
  binary: boolean;
}

/** A WebSocket client that hands out every frame it receives, in order. */
class RawClient {
  private readonly frames: Frame[] = [];
  private readonly waiters: ((frame: Frame) => void)[] = [];
  readonly closed: Promise<number>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data: RawData, binary: boolean) => {
      const bytes = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      const waiter = this.waiters.shift();
      if (waiter !== undefined) waiter({ bytes, binary });
      else this.frames.push({ bytes, binary });
    });
    this.closed = new Promise((resolve) => socket.on('close', (code) => resolve(code)));
  }

  static async open(url: string): Promise<RawClient> {
    const socket = new WebSocket(url);
    sockets.push(socket);
    const client = new RawClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  next(): Promise<Frame> {
    const frame = this.frames.shift();
    if (frame !== undefined) return Promise.resolve(frame);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  send(text: string): void {
    this.socket.send(text);
  }
}

/** Asserts one text frame holding exactly `expected` (which ends in 0x1E). */
async function expectFrame(client: RawClient, expected: string, why: string): Promise<void> {
  const frame = await client.next();
  expect(frame.binary, `${why}: JSON travels in text frames`).toBe(false);
  expect(frame.bytes.toString('hex'), why).toBe(Buffer.from(expected, 'utf8').toString('hex'));
  expect(frame.bytes.at(-1), `${why}: ends with the record separator`).toBe(0x1e);
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('golden frames over a raw WebSocket', () => {
  it('handshake, completion, update, hub error, ping and shutdown Close are byte-exact', async () => {
    const clock = new SimulatedClock(Date.UTC(2026, 0, 5, 3, 45));
    const { hub, base } = await startServer({ clock });
    const token = await negotiate(base);
    // Browsers cannot set headers on a WebSocket; the token rides in the query instead.
    const client = await RawClient.open(`ws://${base}?id=${token}&access_token=viewer-token`);

    client.send(`{"protocol":"json","version":1}${RS}`);
    const handshake = await client.next();
    expect([...handshake.bytes], 'the handshake reply is exactly {} 0x1E').toEqual([0x7b, 0x7d, 0x1e]);

    client.send(`{"type":1,"invocationId":"0","target":"subscribe","arguments":["signals"]}${RS}`);
    await expectFrame(
      client,
      `{"type":3,"invocationId":"0"}${RS}`,
      'a void method completes with neither result nor error',
    );

    hub.publish('signals', 'sig-1', { id: 'sig-1', direction: 'long', confidence: 0.72 });
    clock.advanceBy(0);
    await expectFrame(
      client,
      `{"type":1,"target":"update","arguments":["signals",{"id":"sig-1","direction":"long","confidence":0.72}]}${RS}`,
      'update(channel, payload) is a non-blocking invocation without invocationId',
    );

    client.send(`{"type":1,"invocationId":"1","target":"nope","arguments":[]}${RS}`);
    await expectFrame(
      client,
      `{"type":3,"invocationId":"1","error":"Unknown hub method 'nope'"}${RS}`,
      'unknown method',
    );

    client.send(`{"type":1,"invocationId":"2","target":"subscribe","arguments":["risk"]}${RS}`);
    await expectFrame(
      client,
      `{"type":3,"invocationId":"2","error":"An unexpected error occurred invoking 'subscribe' on the server. HubException: IF_ERR_HUB_FORBIDDEN: Role viewer may not subscribe to risk"}${RS}`,
      'a refused channel is a HubException in the ASP.NET format',
    );

    clock.advanceBy(15_000);
    await expectFrame(client, `{"type":6}${RS}`, 'a ping after 15 s of silence');

    await servers[0]?.close();
    servers.length = 0;
    await expectFrame(
      client,
      `{"type":7,"error":"IF_ERR_HUB_SHUTDOWN: Hub is shutting down; reconnect shortly","allowReconnect":true}${RS}`,
      'shutdown tells the client to reconnect',
    );
    expect(await client.closed, 'then a normal closure, which clients do not report as an error').toBe(1000);
  });

  it('answers a WebSocket upgrade with plain HTTP refusals before upgrading', async () => {
    const { base } = await startServer();
    const token = await negotiate(base);
    const refusal = (url: string, headers: Record<string, string> = {}): Promise<number> =>
      new Promise((resolve) => {
        const socket = new WebSocket(url, { headers });
        sockets.push(socket);
        socket.on('unexpected-response', (_request, response: IncomingMessage) =>
          resolve(response.statusCode ?? 0),
        );
        socket.on('open', () => resolve(101));
        socket.on('error', () => {});
      });
    expect(await refusal(`ws://${base}?id=${token}`), 'no token').toBe(401);
    expect(await refusal(`ws://${base}?id=unknown&access_token=viewer-token`), 'unknown id').toBe(404);
    expect(
      await refusal(`ws://${base}?id=${token}`, { authorization: 'Bearer viewer-token' }),
      'header auth',
    ).toBe(101);
    expect(
      await refusal(`ws://${base}?id=${token}&access_token=viewer-token`),
      'a second socket for one id',
    ).toBe(409);
  });
});

describe('golden frames over Server-Sent Events', () => {
  it('opens with a comment line and frames each payload as data lines ending in a blank line', async () => {
    const { base } = await startServer();
    const token = await negotiate(base);
    const chunks: Buffer[] = [];
    let notify: () => void = () => {};
    const response = await new Promise<IncomingMessage>((resolve) => {
      const request = httpRequest(`http://${base}?id=${token}&access_token=viewer-token`, {
        headers: { accept: 'text/event-stream' },
      });
      request.on('response', resolve);
      request.end();
    });
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      notify();
    });
    const received = async (length: number): Promise<string> => {
      while (Buffer.concat(chunks).length < length) await new Promise<void>((resolve) => (notify = resolve));
      return Buffer.concat(chunks).toString('utf8');
    };
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream');
    expect(response.headers['cache-control']).toBe('no-cache,no-store');
    expect(await received(3), 'a comment first, so the client sees the stream open').toBe(':\r\n');

    await fetch(`http://${base}?id=${token}`, {
      method: 'POST',
      headers: { authorization: 'Bearer viewer-token', 'content-type': 'text/plain;charset=UTF-8' },
      body: `{"protocol":"json","version":1}${RS}`,
    });
    const expected = `:\r\ndata: {}${RS}\r\n\r\n`;
    expect(await received(expected.length)).toBe(expected);
    response.destroy();
  });
});

describe('a client that stops reading its socket', () => {
  function padded(seq: number): { seq: number; pad: string } {
    return { seq, pad: 'x'.repeat(256 * 1024) };
  }

  async function subscribedClient(base: string): Promise<RawClient> {
    const token = await negotiate(base);
    const client = await RawClient.open(`ws://${base}?id=${token}&access_token=viewer-token`);
    client.send(`{"protocol":"json","version":1}${RS}`);
    await client.next();
    client.send(`{"type":1,"invocationId":"0","target":"subscribe","arguments":["ticks:99926000"]}${RS}`);
    await client.next();
    return client;
  }

  it('gets only the latest value of what was published while it was blocked', async () => {
    const { hub, base } = await startServer({ highWaterMarkBytes: 16 * 1024 });
    const client = await subscribedClient(base);
    client.socket.pause();

    // Publish until the kernel buffers are full and the hub starts holding updates back.
    let seq = 0;
    while (hub.stats().flushesDeferred === 0) {
      expect(seq, 'the socket fills up eventually').toBeLessThan(2_000);
      hub.publish('ticks:99926000', 'nifty', padded(++seq));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const blockedAfter = seq;
    for (let i = 0; i < 100; i++) hub.publish('ticks:99926000', 'nifty', padded(++seq));
    const last = seq;
    await settle();
    expect(hub.stats().pendingUpdates, 'one pending value stands for all of them').toBe(1);

    client.socket.resume();
    const received: number[] = [];
    while (received.at(-1) !== last) {
      const frame = await client.next();
      for (const record of frame.bytes.toString('utf8').split(RS)) {
        if (record.length === 0) continue;
        const message = JSON.parse(record) as { type: number; arguments?: [string, { seq: number }] };
        if (message.type === 1 && message.arguments !== undefined) received.push(message.arguments[1].seq);
      }
    }
    const skipped = received.filter((s) => s > blockedAfter && s < last);
    expect(skipped, 'nothing published while blocked arrives except the latest value').toEqual([]);
    expect(received.length, 'far fewer values than were published').toBeLessThan(last);
    expect(hub.stats().updatesConflated).toBeGreaterThanOrEqual(100);
  });

  it('is dropped with a Close after its buffer stays over the limit for the grace period', async () => {
    const clock = new SimulatedClock(Date.UTC(2026, 0, 5, 3, 45));
    const limit = 256 * 1024;
    const { hub, base } = await startServer({
      clock,
      highWaterMarkBytes: limit,
      maxBufferedBytes: limit,
      slowClientGraceMs: 10_000,
      keepAliveIntervalMs: 3_600_000,
      clientTimeoutMs: 3_600_000,
    });
    const client = await subscribedClient(base);
    client.socket.pause();

    let seq = 0;
    while (hub.stats().flushesDeferred === 0) {
      expect(seq, 'the socket fills up eventually').toBeLessThan(2_000);
      hub.publish('ticks:99926000', 'nifty', padded(++seq));
      clock.advanceBy(50);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    // Simulated seconds from the first held-back flush to the drop: the grace period, plus up to one
    // heartbeat (1 s) before the check first sees the full buffer.
    let seconds = 0;
    while (hub.stats().dropped === 0) {
      expect(seconds, 'dropped within grace + one heartbeat').toBeLessThan(11);
      clock.advanceBy(1_000);
      seconds++;
      await settle();
    }
    expect(seconds, 'not before the grace period is over').toBeGreaterThanOrEqual(10);
    expect(hub.stats().closed.slow_client, 'dropped as a slow client').toBe(1);

    client.socket.resume();
    const expected = `{"type":7,"error":"IF_ERR_HUB_SLOW_CLIENT: Client dropped as too slow: send buffer above ${limit} bytes for 10000 ms","allowReconnect":true}${RS}`;
    for (;;) {
      const frame = await client.next();
      const text = frame.bytes.toString('utf8');
      if (!text.startsWith('{"type":7')) continue;
      expect(text, 'the Close says why and invites a reconnect').toBe(expected);
      break;
    }
    expect(await client.closed).toBe(1000);
  });
});
