import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../core/clock.js';
import { gatewayHub } from '../app.js';
import { type Fixture, gatewayFixture, T0 } from '../testkit.js';

const CHAIN = 'chain:NIFTY:2026-03-03';

interface StreamEvent {
  event: string;
  data: { channel: string; key: string; payload: Record<string, unknown> };
}

/** Reads a fetch body as text as it arrives; `until` waits for the text to satisfy a condition. */
function streamReader(response: Response) {
  const body = response.body;
  if (body === null) throw new Error('no response body');
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  return {
    async until(done: (text: string) => boolean, what: string): Promise<string> {
      while (!done(text)) {
        const chunk = await reader.read();
        if (chunk.done) throw new Error(`stream ended before ${what}; got ${JSON.stringify(text)}`);
        text += decoder.decode(chunk.value, { stream: true });
      }
      return text;
    },
    get text(): string {
      return text;
    },
    cancel: () => reader.cancel(),
  };
}

function updates(text: string): StreamEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event: update\n'))
    .map((block) => ({ event: 'update', data: JSON.parse(block.slice('event: update\ndata: '.length)) }));
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('SSE streams of hub channels at /api/v1/stream/:channel (real HTTP over loopback)', () => {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function serve(hubSettings: Record<string, unknown> = {}) {
    const hubClock = new SimulatedClock(T0);
    const f: Fixture = await gatewayFixture({
      hub: {
        clock: hubClock,
        snapshot: (channel) =>
          channel === CHAIN
            ? [
                ['22500', { strike: 22_500, ltp: 100 }],
                ['summary', { atmStrike: 22_500 }],
              ]
            : undefined,
        ...hubSettings,
      },
    });
    cleanups.push(() => f.close());
    // fetch (undici) opens a spare connection when a streamed body is cancelled; it never sends a request,
    // so the server does not count it idle and close() would wait for its headers timeout.
    cleanups.push(() => f.app.server.closeAllConnections());
    await f.app.listen({ port: 0, host: '127.0.0.1' });
    const address = f.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const hub = gatewayHub(f.app);
    if (hub === undefined) throw new Error('no hub');
    return { f, hub, hubClock, port: address.port, url: `http://127.0.0.1:${address.port}` };
  }

  it('sends the snapshot, then conflated updates from hub.publish, keep-alive pings, and unsubscribes on disconnect', async () => {
    const { f, hub, hubClock, url } = await serve();
    const token = await f.token('viewer1');
    const response = await fetch(`${url}/api/v1/stream/${CHAIN}?access_token=${token}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('content-security-policy'), 'security headers survive the hijack').toContain(
      "default-src 'self'",
    );
    const stream = streamReader(response);
    cleanups.push(() => stream.cancel().catch(() => undefined));
    await stream.until((t) => t.includes('retry: 3000\n'), 'the retry hint');
    expect(hub.hasSubscribers(CHAIN), 'the stream is a hub subscriber').toBe(true);

    hubClock.advanceBy(1);
    await stream.until((t) => updates(t).length === 2, 'the snapshot');
    expect(
      updates(stream.text).map((e) => e.data),
      'snapshot rows then summary',
    ).toEqual([
      { channel: CHAIN, key: '22500', payload: { strike: 22_500, ltp: 100 } },
      { channel: CHAIN, key: 'summary', payload: { atmStrike: 22_500 } },
    ]);

    // Publishers need no change: the same publish that feeds hub clients feeds the stream.
    hubClock.advanceBy(100);
    hub.publish(CHAIN, '22500', { strike: 22_500, ltp: 101 });
    hub.publish(CHAIN, '22500', { strike: 22_500, ltp: 102 });
    hub.publish('chain:NIFTY:2026-03-10', '22500', { strike: 22_500, ltp: 1 });
    hubClock.advanceBy(1);
    await stream.until((t) => updates(t).length === 3, 'the update');
    expect(updates(stream.text)[2]?.data.payload, 'conflated to the latest value per key').toEqual({
      strike: 22_500,
      ltp: 102,
    });

    // Idle for 15 s after the last write: the next heartbeat (each second) sends a ping.
    for (let s = 0; s < 16; s++) hubClock.advanceBy(1_000);
    await stream.until((t) => t.includes(': ping\n\n'), 'a keep-alive ping');
    expect(hub.stats().closed.client_timeout, 'a silent SSE client is not timed out').toBe(0);

    await stream.cancel();
    await waitUntil(() => !hub.hasSubscribers(CHAIN), 'the subscription to end with the connection');
  });

  it('takes the token from the Authorization header too and leaves no connection behind when closed', async () => {
    const { f, hub, url } = await serve();
    const controller = new AbortController();
    const response = await fetch(`${url}/api/v1/stream/signals`, {
      headers: { authorization: `Bearer ${await f.token('viewer1')}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    await streamReader(response).until((t) => t.includes(': open'), 'the opening comment');
    expect(hub.stats().connectionsByTransport.ServerSentEvents).toBe(1);
    controller.abort();
    await waitUntil(() => hub.stats().connections === 0, 'the connection to close');
    expect(hub.stats().closed.transport_closed).toBe(1);
  });

  it('refuses with 401, 403 and 400 before any stream starts, with the hub channel rules', async () => {
    const { f, url } = await serve();
    const viewer = await f.token('viewer1');
    const trader = await f.token('trader1');
    const cases: [string, string | undefined, number, string][] = [
      ['signals', undefined, 401, 'IF_ERR_AUTH_REQUIRED'],
      ['signals', 'forged.token.here', 401, 'IF_ERR_AUTH_REQUIRED'],
      ['orders', viewer, 403, 'IF_ERR_HUB_FORBIDDEN'],
      ['positions', viewer, 403, 'IF_ERR_HUB_FORBIDDEN'],
      ['bogus', viewer, 400, 'IF_ERR_HUB_CHANNEL_INVALID'],
      ['ticks:abc', viewer, 400, 'IF_ERR_HUB_CHANNEL_INVALID'],
      ['chain:NIFTY:2026-02-30', viewer, 400, 'IF_ERR_HUB_CHANNEL_INVALID'],
    ];
    for (const [channel, token, status, code] of cases) {
      const query = token === undefined ? '' : `?access_token=${token}`;
      const response = await fetch(`${url}/api/v1/stream/${channel}${query}`);
      expect(response.status, `${channel} with ${token === viewer ? 'viewer' : (token ?? 'no token')}`).toBe(
        status,
      );
      expect(((await response.json()) as { error: { code: string } }).error.code, channel).toBe(code);
    }
    const allowed = await fetch(`${url}/api/v1/stream/orders?access_token=${trader}`);
    expect(allowed.status, 'a trader may stream orders').toBe(200);
    await allowed.body?.cancel();
  });

  it('drops a client that stops reading, as the hub drops a slow hub client', async () => {
    const { f, hub, hubClock, port } = await serve({
      maxBufferedBytes: 256 * 1024,
      highWaterMarkBytes: 1,
      slowClientGraceMs: 2_000,
    });
    const token = await f.token('viewer1');
    const socket: Socket = connect(port, '127.0.0.1');
    cleanups.push(() => socket.destroy());
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `GET /api/v1/stream/signals HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n\r\n`,
    );
    // The client reads nothing from here on: the kernel buffers fill, then the server's send buffer grows.
    socket.pause();
    await waitUntil(() => hub.hasSubscribers('signals'), 'the stream to subscribe');

    const text = 'x'.repeat(512 * 1024);
    for (let i = 0; i < 64; i++) hub.publish('signals', `signal-${i}`, { id: i, text });
    hubClock.advanceBy(1);
    expect(hub.stats().updatesSent, 'all 64 updates written in one batch').toBe(64);
    for (let s = 0; s < 5 && hub.stats().closed.slow_client === 0; s++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      hubClock.advanceBy(1_000);
    }
    expect(hub.stats().closed.slow_client, 'dropped after the grace period').toBe(1);
    expect(hub.hasSubscribers('signals')).toBe(false);
  }, 20_000);
});
