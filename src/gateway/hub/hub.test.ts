import { Registry } from 'prom-client';
import { beforeEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../core/clock.js';
import type { HubPrincipal } from './channels.js';
import type { HubConnection } from './connection.js';
import { type HubOptions, MarketHub } from './hub.js';
import type { HubTransport, TransportKind } from './transports.js';

const VIEWER: HubPrincipal = { userId: 'u-viewer', role: 'viewer' };
const TRADER: HubPrincipal = { userId: 'u-trader', role: 'trader' };
const START = Date.UTC(2026, 0, 5, 3, 45);
const RS = '\u001e';

/** Records what the hub writes; `buffered` stands in for a socket the client is not draining. */
class FakeTransport implements HubTransport {
  readonly supportsBinary: boolean;
  readonly inherentKeepAlive: boolean;
  readonly frames: Buffer[] = [];
  buffered = 0;
  closed = false;

  constructor(readonly kind: TransportKind = 'WebSockets') {
    this.supportsBinary = kind !== 'ServerSentEvents';
    this.inherentKeepAlive = kind === 'LongPolling';
  }

  send(data: Buffer): void {
    this.frames.push(data);
  }
  bufferedBytes(): number {
    return this.buffered;
  }
  idleSince(): number | undefined {
    return this.kind === 'LongPolling' ? START : undefined;
  }
  close(): void {
    this.closed = true;
  }

  /** every JSON record written so far, handshake reply included */
  records(): Record<string, unknown>[] {
    const text = Buffer.concat(this.frames).toString('utf8');
    return text
      .split(RS)
      .filter((record) => record.length > 0)
      .map((record) => JSON.parse(record) as Record<string, unknown>);
  }

  updates(): unknown[][] {
    return this.records()
      .filter((r) => r.type === 1 && r.target === 'update')
      .map((r) => r.arguments as unknown[]);
  }

  ofType(type: number): Record<string, unknown>[] {
    return this.records().filter((r) => r.type === type);
  }
}

function frame(message: object): Buffer {
  return Buffer.from(`${JSON.stringify(message)}${RS}`);
}

describe('MarketHub core', () => {
  let clock: SimulatedClock;

  beforeEach(() => {
    clock = new SimulatedClock(START);
  });

  function makeHub(options: Partial<HubOptions> = {}): MarketHub {
    const hub = new MarketHub({ authenticate: async () => VIEWER, clock, ...options });
    hub.start();
    return hub;
  }

  function connect(
    hub: MarketHub,
    principal: HubPrincipal = VIEWER,
    kind: TransportKind = 'WebSockets',
  ): { connection: HubConnection; transport: FakeTransport } {
    const connection = hub.createConnection(principal, 1);
    const transport = new FakeTransport(kind);
    connection.attach(transport);
    connection.receive(Buffer.from(`{"protocol":"json","version":1}${RS}`));
    return { connection, transport };
  }

  function invoke(connection: HubConnection, target: string, args: unknown[], invocationId?: string): void {
    connection.receive(frame({ type: 1, invocationId, target, arguments: args }));
  }

  describe('conflation', () => {
    it('keeps only the latest value per key for a blocked client while a free client gets each batch', () => {
      const hub = makeHub();
      const fast = connect(hub);
      const slow = connect(hub);
      invoke(fast.connection, 'subscribe', ['ticks:26000'], '0');
      invoke(slow.connection, 'subscribe', ['ticks:26000'], '0');
      slow.transport.buffered = 200_000; // above the 64 KiB high-water mark

      for (let ltp = 1; ltp <= 5; ltp++) {
        hub.publish('ticks:26000', '26000', { ltp });
        hub.publish('ticks:26000', 'other', { ltp: -ltp });
        clock.advanceBy(50);
      }
      expect(
        fast.transport.updates().map(([, p]) => p),
        'one batch per period reaches the free client',
      ).toEqual([
        { ltp: 1 },
        { ltp: -1 },
        { ltp: 2 },
        { ltp: -2 },
        { ltp: 3 },
        { ltp: -3 },
        { ltp: 4 },
        { ltp: -4 },
        { ltp: 5 },
        { ltp: -5 },
      ]);
      expect(slow.transport.updates(), 'nothing is written into a full socket').toEqual([]);
      expect(hub.stats().flushesDeferred, 'the blocked flush was deferred').toBeGreaterThan(0);

      slow.transport.buffered = 0;
      clock.advanceBy(50);
      expect(slow.transport.updates(), 'once drained, only the latest value per key is sent').toEqual([
        ['ticks:26000', { ltp: 5 }],
        ['ticks:26000', { ltp: -5 }],
      ]);
      expect(hub.stats().updatesConflated, 'each replaced pending value is counted').toBe(8);
    });

    it('sends at most one batch per flush interval, the first one without waiting', () => {
      const hub = makeHub({ flushIntervalMs: 50 });
      const { connection, transport } = connect(hub);
      invoke(connection, 'subscribe', ['signals'], '0');
      const written = (): number => transport.updates().length;

      hub.publish('signals', 's1', 1);
      clock.advanceBy(0);
      expect(written(), 'leading edge: the first update after a quiet spell leaves at once').toBe(1);
      clock.advanceBy(10);
      hub.publish('signals', 's2', 2);
      clock.advanceBy(39);
      expect(written(), 'a second batch waits for the period to end').toBe(1);
      clock.advanceBy(1);
      expect(written(), 'and leaves when it ends').toBe(2);
    });

    it('batches every update of one event-loop turn into one transport write when the interval is 0', () => {
      const hub = makeHub({ flushIntervalMs: 0 });
      const { connection, transport } = connect(hub);
      invoke(connection, 'subscribe', ['signals'], '0');
      const before = transport.frames.length;
      for (let i = 0; i < 10; i++) hub.publish('signals', `s${i}`, i);
      clock.advanceBy(0);
      expect(transport.frames.length - before, 'one write carries all ten records').toBe(1);
      expect(transport.updates()).toHaveLength(10);
    });

    it('drops a client whose send buffer stays above the limit for the grace period, with a Close', () => {
      const hub = makeHub({ maxBufferedBytes: 1_000_000, slowClientGraceMs: 10_000 });
      const { connection, transport } = connect(hub);
      transport.buffered = 2_000_000;
      clock.advanceBy(9_000);
      transport.buffered = 10; // drained once: the grace period starts again
      clock.advanceBy(1_000);
      transport.buffered = 2_000_000;
      clock.advanceBy(9_000);
      expect(connection.state, 'a buffer that drained in between restarts the grace period').toBe(
        'connected',
      );
      clock.advanceBy(2_000);
      expect(connection.state, 'ten seconds over the limit drops the client').toBe('closed');
      const [close] = transport.ofType(7);
      expect(close?.allowReconnect, 'a slow client may come back on a fresh connection').toBe(true);
      expect(String(close?.error)).toMatch(/^IF_ERR_HUB_SLOW_CLIENT: /);
      expect(transport.closed, 'the transport is closed after the Close message').toBe(true);
      const stats = hub.stats();
      expect(stats.closed.slow_client).toBe(1);
      expect(stats.dropped, 'a slow client counts as a drop').toBe(1);
    });

    it('drops a client whose distinct pending updates exceed the limit', () => {
      const hub = makeHub({ maxPendingUpdates: 3 });
      const { connection, transport } = connect(hub);
      invoke(connection, 'subscribe', ['signals'], '0');
      transport.buffered = 1_000_000;
      for (let i = 0; i < 4; i++) hub.publish('signals', `s${i}`, i);
      expect(connection.state, 'unique keys cannot be conflated, so the queue is capped').toBe('closed');
      expect(hub.stats().closed.pending_overflow).toBe(1);
      expect(String(transport.ofType(7)[0]?.error)).toMatch(/^IF_ERR_HUB_SLOW_CLIENT: /);
    });

    it('stops updates of a channel at unsubscribe, including ones still pending', () => {
      const hub = makeHub();
      const { connection, transport } = connect(hub);
      invoke(connection, 'subscribe', ['health'], '0');
      hub.publish('health', 'feed', 'up');
      invoke(connection, 'unsubscribe', ['health'], '1');
      hub.publish('health', 'feed', 'down');
      clock.advanceBy(100);
      expect(transport.updates(), 'neither the pending nor the later value arrives').toEqual([]);
      expect(hub.stats().channels, 'the empty channel is forgotten').toBe(0);
    });

    it('sends the snapshot of a channel to a new subscriber, superseded by newer live values', () => {
      const hub = makeHub({
        snapshot: (channel) =>
          channel === 'chain:NIFTY:2026-01-06'
            ? [
                ['25000CE', { ltp: 100 }],
                ['25000PE', { ltp: 90 }],
              ]
            : undefined,
      });
      const { connection, transport } = connect(hub);
      invoke(connection, 'subscribe', ['chain:NIFTY:2026-01-06'], '0');
      hub.publish('chain:NIFTY:2026-01-06', '25000CE', { ltp: 101 });
      clock.advanceBy(0);
      expect(transport.updates()).toEqual([
        ['chain:NIFTY:2026-01-06', { ltp: 101 }],
        ['chain:NIFTY:2026-01-06', { ltp: 90 }],
      ]);
    });

    it('fails subscribe without subscribing when the snapshot source throws, hiding the cause', () => {
      const hub = makeHub({
        snapshot: () => {
          throw new Error('cache unavailable at 10.0.0.7');
        },
      });
      const { connection, transport } = connect(hub);
      invoke(connection, 'subscribe', ['signals'], '0');
      expect(transport.ofType(3)).toEqual([
        {
          type: 3,
          invocationId: '0',
          error: "An unexpected error occurred invoking 'subscribe' on the server.",
        },
      ]);
      expect(hub.hasSubscribers('signals'), 'nothing half done').toBe(false);
    });

    it('counts an update that cannot be encoded and still sends the others', () => {
      const hub = makeHub();
      const { connection, transport } = connect(hub);
      invoke(connection, 'subscribe', ['signals'], '0');
      hub.publish('signals', 'bad', { big: 1n });
      hub.publish('signals', 'good', { ok: true });
      clock.advanceBy(0);
      expect(transport.updates()).toEqual([['signals', { ok: true }]]);
      expect(hub.stats().encodeFailures).toBe(1);
    });
  });

  describe('keep-alive and timeouts', () => {
    it('pings after 15 s without traffic, and not while updates flow', () => {
      const hub = makeHub();
      const { connection, transport } = connect(hub);
      invoke(connection, 'subscribe', ['signals'], '0');
      for (let i = 0; i < 20; i++) {
        hub.publish('signals', `s${i}`, i);
        connection.receive(frame({ type: 6 }));
        clock.advanceBy(1_000);
      }
      expect(transport.ofType(6), 'traffic every second needs no ping').toEqual([]);
      clock.advanceBy(15_000);
      expect(transport.ofType(6), 'a quiet connection gets a ping').toHaveLength(1);
    });

    it('closes a WebSocket client that sent nothing for 30 s, allowing reconnect', () => {
      const hub = makeHub();
      const { connection, transport } = connect(hub);
      clock.advanceBy(20_000);
      connection.receive(frame({ type: 6 }));
      clock.advanceBy(29_000);
      expect(connection.state, 'a ping 29 s ago keeps it open').toBe('connected');
      clock.advanceBy(1_000);
      expect(connection.state).toBe('closed');
      const [close] = transport.ofType(7);
      expect(String(close?.error)).toMatch(/^IF_ERR_HUB_CLIENT_TIMEOUT: /);
      expect(close?.allowReconnect).toBe(true);
      expect(hub.stats().closed.client_timeout).toBe(1);
    });

    it('neither pings nor times out long polling, which keeps itself alive; a missing poll ends it', () => {
      const hub = makeHub({ disconnectTimeoutMs: 60_000 });
      const { connection, transport } = connect(hub, VIEWER, 'LongPolling');
      clock.advanceBy(59_000);
      expect(transport.ofType(6), 'no pings on long polling').toEqual([]);
      expect(connection.state, 'no client timeout on long polling').toBe('connected');
      clock.advanceBy(1_000);
      expect(connection.closeReason, 'no poll for the disconnect timeout').toBe('poll_timeout');
    });

    it('cancels a handshake that does not arrive within 15 s', () => {
      const hub = makeHub();
      const connection = hub.createConnection(VIEWER, 1);
      const transport = new FakeTransport();
      connection.attach(transport);
      clock.advanceBy(15_000);
      expect(transport.records()).toEqual([{ error: 'Handshake was canceled.' }]);
      expect(connection.closeReason).toBe('handshake_timeout');
      expect(hub.stats().handshakeFailures).toBe(1);
    });

    it('reaps a negotiated connection that never attaches a transport', () => {
      const hub = makeHub();
      const connection = hub.createConnection(VIEWER, 1);
      clock.advanceBy(15_000);
      expect(connection.closeReason).toBe('unattached');
      expect(hub.findConnection(connection.token), 'it is gone from the registry').toBeUndefined();
    });
  });

  describe('handshake', () => {
    it('answers {} and processes messages that came in the same payload', () => {
      const hub = makeHub();
      const connection = hub.createConnection(VIEWER, 1);
      const transport = new FakeTransport();
      connection.attach(transport);
      const payload = `{"protocol":"json","version":1}${RS}{"type":1,"invocationId":"0","target":"subscribe","arguments":["signals"]}${RS}`;
      connection.receive(Buffer.from(payload.slice(0, 10)));
      expect(transport.frames, 'nothing until the separator arrives').toEqual([]);
      connection.receive(Buffer.from(payload.slice(10)));
      expect(transport.records()).toEqual([{}, { type: 3, invocationId: '0' }]);
    });

    it.each([
      [{ protocol: 'protobuf', version: 1 }, "The protocol 'protobuf' is not supported."],
      [
        { protocol: 'messagepack', version: 2 },
        "The server does not support version 2 of the 'messagepack' protocol.",
      ],
      [{ protocol: 'json', version: 3 }, "The server does not support version 3 of the 'json' protocol."],
    ])('refuses %j with the ASP.NET error text and closes', (request, error) => {
      const hub = makeHub();
      const connection = hub.createConnection(VIEWER, 1);
      const transport = new FakeTransport();
      connection.attach(transport);
      connection.receive(frame(request));
      expect(transport.records()).toEqual([{ error }]);
      expect(transport.closed).toBe(true);
      expect(connection.closeReason).toBe('handshake_failed');
    });

    it('refuses a binary protocol over Server-Sent Events', () => {
      // the default protocols include MessagePack, whose transfer format is Binary
      const hub = makeHub();
      const connection = hub.createConnection(VIEWER, 1);
      const transport = new FakeTransport('ServerSentEvents');
      connection.attach(transport);
      connection.receive(frame({ protocol: 'messagepack', version: 1 }));
      expect(String(transport.records()[0]?.error)).toContain("does not support 'Binary' transfer format");
      expect(transport.closed).toBe(true);
      expect(connection.closeReason).toBe('handshake_failed');
    });
  });

  describe('invocations', () => {
    function completions(transport: FakeTransport): Record<string, unknown>[] {
      return transport.ofType(3);
    }

    it('finds hub methods case-insensitively and completes a void call without result or error', () => {
      const hub = makeHub();
      const { connection, transport } = connect(hub);
      invoke(connection, 'SubScribe', ['ticks:99926000'], '7');
      expect(completions(transport)).toEqual([{ type: 3, invocationId: '7' }]);
      expect(hub.stats().subscriptions).toBe(1);
    });

    it('answers an unknown method with the ASP.NET message', () => {
      const hub = makeHub();
      const { connection, transport } = connect(hub);
      invoke(connection, 'placeOrder', [], '1');
      expect(completions(transport)).toEqual([
        { type: 3, invocationId: '1', error: "Unknown hub method 'placeOrder'" },
      ]);
    });

    it.each([
      ['orders', 'IF_ERR_HUB_FORBIDDEN'],
      ['ticks:NIFTY', 'IF_ERR_HUB_CHANNEL_INVALID'],
      [42, 'IF_ERR_HUB_ARGUMENTS'],
    ])('refuses subscribe(%j) for a viewer with a HubException carrying %s', (argument, code) => {
      const hub = makeHub();
      const { connection, transport } = connect(hub);
      invoke(connection, 'subscribe', [argument], '2');
      const [completion] = completions(transport);
      expect(String(completion?.error)).toMatch(
        new RegExp(
          `^An unexpected error occurred invoking 'subscribe' on the server\\. HubException: ${code}: `,
        ),
      );
      expect(hub.stats().subscriptions, 'nothing was subscribed').toBe(0);
    });

    it('lets a trader read orders, positions and risk', () => {
      const hub = makeHub();
      const { connection, transport } = connect(hub, TRADER);
      for (const [i, channel] of ['orders', 'positions', 'risk'].entries()) {
        invoke(connection, 'subscribe', [channel], String(i));
      }
      expect(completions(transport).every((c) => c.error === undefined)).toBe(true);
      expect(hub.stats().subscriptions).toBe(3);
    });

    it('never answers a call without an invocation id, even when it fails', () => {
      const hub = makeHub();
      const { connection, transport } = connect(hub);
      invoke(connection, 'subscribe', ['orders']);
      invoke(connection, 'nope', []);
      expect(completions(transport)).toEqual([]);
      expect(hub.stats().invocationErrors, 'the failures are still counted').toBe(2);
    });

    it('refuses a streaming invocation of a non-streaming method', () => {
      const hub = makeHub();
      const { connection, transport } = connect(hub);
      connection.receive(frame({ type: 4, invocationId: '3', target: 'subscribe', arguments: ['signals'] }));
      expect(completions(transport)).toEqual([
        {
          type: 3,
          invocationId: '3',
          error:
            "The client attempted to invoke the non-streaming 'subscribe' method with a streaming invocation.",
        },
      ]);
    });

    it('is idempotent: subscribing twice holds one subscription', () => {
      const hub = makeHub();
      const { connection } = connect(hub);
      invoke(connection, 'subscribe', ['signals'], '0');
      invoke(connection, 'subscribe', ['signals'], '1');
      expect(hub.stats().subscriptions).toBe(1);
    });

    it('caps subscriptions per connection', () => {
      const hub = makeHub({ maxSubscriptions: 2 });
      const { connection, transport } = connect(hub);
      for (const [i, token] of ['1', '2', '3'].entries())
        invoke(connection, 'subscribe', [`ticks:${token}`], `${i}`);
      expect(String(completions(transport)[2]?.error)).toContain('IF_ERR_HUB_TOO_MANY_SUBSCRIPTIONS');
    });

    it('closes the connection on a malformed message, without inviting a reconnect', () => {
      const hub = makeHub();
      const { connection, transport } = connect(hub);
      connection.receive(Buffer.from(`{"type":1,"target":`));
      expect(connection.state, 'an incomplete record just waits').toBe('connected');
      connection.receive(Buffer.from(`}${RS}`));
      expect(connection.closeReason).toBe('protocol_error');
      const [close] = transport.ofType(7);
      expect(String(close?.error)).toMatch(/^IF_ERR_HUB_PROTOCOL: /);
      expect(close?.allowReconnect).toBe(false);
    });

    it('ends the connection quietly when the client sends Close', () => {
      const hub = makeHub();
      const { connection, transport } = connect(hub);
      invoke(connection, 'subscribe', ['signals'], '0');
      connection.receive(frame({ type: 7 }));
      expect(connection.closeReason).toBe('client_close');
      expect(transport.ofType(7), 'no Close goes back').toEqual([]);
      expect(hub.hasSubscribers('signals'), 'its subscriptions are released').toBe(false);
    });
  });

  describe('lifecycle, limits and metrics', () => {
    it('sends every connection a Close that allows reconnecting at shutdown', () => {
      const hub = makeHub();
      const a = connect(hub);
      const b = connect(hub, TRADER, 'ServerSentEvents');
      hub.shutdown();
      for (const { transport } of [a, b]) {
        expect(transport.ofType(7)).toEqual([
          {
            type: 7,
            error: 'IF_ERR_HUB_SHUTDOWN: Hub is shutting down; reconnect shortly',
            allowReconnect: true,
          },
        ]);
      }
      expect(hub.stats().closed.shutdown).toBe(2);
    });

    it('limits open connections per user', () => {
      const hub = makeHub({ maxConnectionsPerUser: 2 });
      const first = hub.createConnection(VIEWER, 1);
      hub.createConnection(VIEWER, 1);
      expect(() => hub.createConnection(VIEWER, 1)).toThrowError(
        expect.objectContaining({ code: 'IF_ERR_HUB_TOO_MANY_CONNECTIONS' }),
      );
      expect(() => hub.createConnection(TRADER, 1), 'other users are not affected').not.toThrow();
      first.close('client_close');
      expect(() => hub.createConnection(VIEWER, 1), 'a closed connection frees its slot').not.toThrow();
    });

    it('rejects settings that would break the timers', () => {
      expect(() => new MarketHub({ authenticate: async () => VIEWER, keepAliveIntervalMs: 0 })).toThrowError(
        expect.objectContaining({ code: 'IF_ERR_CONFIG_INVALID' }),
      );
    });

    it('exposes its statistics as Prometheus metrics read at scrape time', async () => {
      const registry = new Registry();
      const hub = makeHub({ metrics: registry, maxPendingUpdates: 1 });
      const { connection, transport } = connect(hub);
      invoke(connection, 'subscribe', ['signals'], '0');
      transport.buffered = 1_000_000;
      hub.publish('signals', 'a', 1);
      hub.publish('signals', 'b', 2);
      const text = await registry.metrics();
      expect(text).toContain('indexflow_hub_published_total 2');
      expect(text).toContain('indexflow_hub_connections_closed_total{reason="pending_overflow"} 1');
      expect(text).toContain('indexflow_hub_connections{transport="WebSockets"} 0');
      hub.publish('signals', 'c', 3);
      expect(await registry.metrics(), 'counters keep counting between scrapes').toContain(
        'indexflow_hub_published_total 3',
      );
    });
  });
});
