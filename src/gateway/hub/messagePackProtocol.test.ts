import { NullLogger } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../core/clock.js';
import { isIfError } from '../../core/errors.js';
import { MarketHub } from './hub.js';
import { messagePackProtocol, readVarInt, writeVarInt } from './messagePackProtocol.js';
import type { HubMessage } from './protocol.js';
import type { HubTransport, TransportKind } from './transports.js';

const LIMIT = 32 * 1024;

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

function ascii(text: string): string {
  return Buffer.from(text, 'ascii').toString('hex');
}

function protocolError(run: () => unknown): boolean {
  try {
    run();
    return false;
  } catch (error) {
    return isIfError(error, 'IF_ERR_HUB_PROTOCOL');
  }
}

/** Feeds `wire` to the parser in pieces cut at `points`, carrying incomplete tails like a connection does. */
function parseInPieces(wire: Buffer, points: readonly number[]): HubMessage[] {
  const received: HubMessage[] = [];
  let carry = Buffer.alloc(0);
  let from = 0;
  for (const to of [...points, wire.length]) {
    const { messages, rest } = messagePackProtocol.parse(
      Buffer.concat([carry, wire.subarray(from, to)]),
      LIMIT,
    );
    received.push(...messages);
    carry = Buffer.from(rest);
    from = to;
  }
  expect(carry.length, 'nothing is left over once every byte has arrived').toBe(0);
  return received;
}

describe('VarInt length prefix', () => {
  it('matches the examples of HubProtocol.md', () => {
    expect(writeVarInt(0x35)).toEqual(hex('35'));
    // 5248 = 0x1480: low 7 bits first with the "more" bit, then 0x29
    expect(writeVarInt(5248)).toEqual(hex('80 29'));
    expect(writeVarInt(0x7fffffff), 'the largest length takes 5 bytes').toEqual(hex('ff ff ff ff 07'));
    expect(readVarInt(hex('80 29'), 0)).toEqual({ value: 5248, size: 2 });
    expect(readVarInt(hex('ff ff ff ff 07'), 0)).toEqual({ value: 0x7fffffff, size: 5 });
    expect(readVarInt(hex('ff ff'), 0), 'incomplete').toBeUndefined();
  });

  it('refuses a prefix of 2 GB or more and one longer than 5 bytes', () => {
    expect(protocolError(() => readVarInt(hex('ff ff ff ff 08'), 0))).toBe(true);
    expect(protocolError(() => readVarInt(hex('ff ff ff ff ff 01'), 0))).toBe(true);
  });

  it('round-trips every length up to 2^31 - 1 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (n) => {
        const bytes = writeVarInt(n);
        expect(readVarInt(Buffer.concat([hex('aa'), bytes, hex('bb')]), 1)).toEqual({
          value: n,
          size: bytes.length,
        });
      }),
    );
  });
});

describe('MessagePack hub protocol', () => {
  it('writes golden frames: VarInt length, then the array ASP.NET writes', () => {
    // Ping is always exactly 0x91 0x06 (HubProtocol.md), after its 1-byte length.
    expect(messagePackProtocol.write({ type: 6 })).toEqual(hex('02 91 06'));
    // [1, {}, nil, "update", ["signals", {"id": "s1"}], []]: 28 bytes
    expect(
      messagePackProtocol.write({ type: 1, target: 'update', arguments: ['signals', { id: 's1' }] }),
    ).toEqual(
      hex(
        `1c 96 01 80 c0 a6 ${ascii('update')} 92 a7 ${ascii('signals')} 81 a2 ${ascii('id')} a2 ${ascii('s1')} 90`,
      ),
    );
    // Completion resultKind: 2 void (no result item), 1 error, 3 value (null is a value)
    expect(messagePackProtocol.write({ type: 3, invocationId: '0' })).toEqual(hex('06 94 03 80 a1 30 02'));
    expect(messagePackProtocol.write({ type: 3, invocationId: '1', error: 'Error' })).toEqual(
      hex(`0c 95 03 80 a1 31 01 a5 ${ascii('Error')}`),
    );
    expect(messagePackProtocol.write({ type: 3, invocationId: 'xyz', result: 42 })).toEqual(
      hex(`09 95 03 80 a3 ${ascii('xyz')} 03 2a`),
    );
    expect(messagePackProtocol.write({ type: 3, invocationId: '2', result: null })).toEqual(
      hex('07 95 03 80 a1 32 03 c0'),
    );
    // Close: [7, error|nil, allowReconnect]
    expect(messagePackProtocol.write({ type: 7, error: 'bye', allowReconnect: true })).toEqual(
      hex(`07 93 07 a3 ${ascii('bye')} c3`),
    );
    expect(messagePackProtocol.write({ type: 7 })).toEqual(hex('04 93 07 c0 c2'));
  });

  it('encodes numbers as @msgpack/msgpack does: integers compact, fractions as float64', () => {
    const frame = messagePackProtocol.write({ type: 1, target: 'u', arguments: [1, -1, 300, 0.5] });
    // 22 bytes: 96 01 80 c0 a1 75 94 | 01 ff cd012c cb3fe0000000000000 | 90
    expect(frame).toEqual(hex('16 96 01 80 c0 a1 75 94 01 ff cd 01 2c cb 3f e0 00 00 00 00 00 00 90'));
  });

  it('parses the 5-item Invocation the JS client sends, with and without an id', () => {
    // [1, {}, "xyz", "method", [42]]
    const withId = hex(`10 95 01 80 a3 ${ascii('xyz')} a6 ${ascii('method')} 91 2a`);
    expect(messagePackProtocol.parse(withId, LIMIT).messages).toEqual([
      { type: 1, invocationId: 'xyz', target: 'method', arguments: [42] },
    ]);
    const nonBlocking = hex(`0d 95 01 80 c0 a6 ${ascii('method')} 91 2a`);
    expect(messagePackProtocol.parse(nonBlocking, LIMIT).messages).toEqual([
      { type: 1, target: 'method', arguments: [42] },
    ]);
    const withHeaders = hex(
      `0e 96 01 81 a1 ${ascii('k')} a1 ${ascii('v')} c0 a1 ${ascii('m')} 90 91 a1 ${ascii('s')}`,
    );
    expect(messagePackProtocol.parse(withHeaders, LIMIT).messages).toEqual([
      { type: 1, headers: { k: 'v' }, target: 'm', arguments: [], streamIds: ['s'] },
    ]);
  });

  it('parses several messages in one payload and keeps an incomplete tail', () => {
    const wire = Buffer.concat([
      messagePackProtocol.write({ type: 6 }),
      messagePackProtocol.write({ type: 5, invocationId: '9' }),
    ]);
    expect(messagePackProtocol.parse(wire, LIMIT).messages).toEqual([
      { type: 6 },
      { type: 5, invocationId: '9' },
    ]);
    const { messages, rest } = messagePackProtocol.parse(wire.subarray(0, wire.length - 1), LIMIT);
    expect(messages).toEqual([{ type: 6 }]);
    expect(rest, 'the tail after the 3-byte ping').toEqual(wire.subarray(3, wire.length - 1));
  });

  it('skips message types it does not know, as clients do', () => {
    const wire = Buffer.concat([hex('03 92 63 01'), messagePackProtocol.write({ type: 6 })]);
    expect(messagePackProtocol.parse(wire, LIMIT).messages).toEqual([{ type: 6 }]);
  });

  it('refuses malformed messages and oversize lengths before their body arrives', () => {
    const bad = [
      hex('00'), // empty body
      hex('01 c1'), // not MessagePack (0xc1 is never used)
      hex('02 a1 78'), // not an array
      hex('04 92 06 01 ff'), // a byte after the array inside the declared length
      hex('04 93 01 80 c0'), // invocation with too few items
      hex(`07 95 01 80 c0 a1 ${ascii('m')} 2a`), // arguments not an array
      hex('05 94 03 80 a1 30 09'), // unknown result kind
      hex(`0a 95 01 81 a1 ${ascii('k')} 01 c0 a1 ${ascii('m')} 90`), // header value not a string
    ];
    for (const input of bad) {
      expect(
        protocolError(() => messagePackProtocol.parse(input, LIMIT)),
        input.toString('hex'),
      ).toBe(true);
    }
    // 40,000 bytes announced: refused from the prefix alone
    expect(
      protocolError(() => messagePackProtocol.parse(Buffer.concat([writeVarInt(40_000), hex('96')]), LIMIT)),
    ).toBe(true);
  });

  it('reassembles frames split at any byte boundary into the same messages (property)', () => {
    const value = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.integer(),
      fc.double({ noNaN: true }),
      fc.boolean(),
      fc.constant(null),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.oneof(fc.string(), fc.integer())),
    );
    const message: fc.Arbitrary<HubMessage> = fc.oneof(
      fc.record(
        {
          type: fc.constant(1 as const),
          invocationId: fc.string(),
          target: fc.string({ minLength: 1 }),
          arguments: fc.array(value, { maxLength: 4 }),
        },
        { requiredKeys: ['type', 'target', 'arguments'] },
      ),
      fc.constant({ type: 6 as const }),
      fc.record({ type: fc.constant(3 as const), invocationId: fc.string(), error: fc.string() }),
      fc.record({ type: fc.constant(3 as const), invocationId: fc.string(), result: value }),
      fc.record({ type: fc.constant(5 as const), invocationId: fc.string() }),
      fc.record({ type: fc.constant(7 as const), error: fc.string(), allowReconnect: fc.boolean() }),
    );
    fc.assert(
      fc.property(
        fc.array(message, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (messages, cuts) => {
          const wire = Buffer.concat(messages.map((m) => messagePackProtocol.write(m)));
          const points = [...new Set(cuts.map((c) => (wire.length === 0 ? 0 : c % wire.length)))].sort(
            (a, b) => a - b,
          );
          expect(parseInPieces(wire, points)).toEqual(messages);
        },
      ),
    );
  });

  describe('against the official @microsoft/signalr-protocol-msgpack codec', () => {
    const official = new MessagePackHubProtocol();

    it('parses what the official client writes', () => {
      const written = [
        official.writeMessage({
          type: 1,
          headers: {},
          invocationId: '0',
          target: 'subscribe',
          arguments: ['x'],
        }),
        official.writeMessage({ type: 1, headers: {}, target: 'subscribe', arguments: ['y'] }),
        official.writeMessage({ type: 6 }),
        official.writeMessage({ type: 5, headers: {}, invocationId: '3' }),
        official.writeMessage({ type: 7 }),
      ].map((buffer) => Buffer.from(buffer));
      expect(parseInPieces(Buffer.concat(written), [])).toEqual([
        { type: 1, invocationId: '0', target: 'subscribe', arguments: ['x'] },
        { type: 1, target: 'subscribe', arguments: ['y'] },
        { type: 6 },
        { type: 5, invocationId: '3' },
        { type: 7 },
      ]);
    });

    it('is understood by the official client', () => {
      const payload = { strike: '25000', ce: { ltp: '101.50', iv: 0.1342, oi: 120_450 } };
      const wire = Buffer.concat([
        messagePackProtocol.write({
          type: 1,
          target: 'update',
          arguments: ['chain:NIFTY:2026-01-06', payload],
        }),
        messagePackProtocol.write({ type: 3, invocationId: '0' }),
        messagePackProtocol.write({ type: 3, invocationId: '1', error: 'nope' }),
        messagePackProtocol.write({ type: 6 }),
        messagePackProtocol.write({ type: 7, error: 'bye', allowReconnect: true }),
      ]);
      const bytes = wire.buffer.slice(wire.byteOffset, wire.byteOffset + wire.length) as ArrayBuffer;
      const parsed = official.parseMessages(bytes, NullLogger.instance);
      expect(parsed).toMatchObject([
        { type: 1, target: 'update', arguments: ['chain:NIFTY:2026-01-06', payload] },
        { type: 3, invocationId: '0' },
        { type: 3, invocationId: '1', error: 'nope' },
        { type: 6 },
        { type: 7, error: 'bye', allowReconnect: true },
      ]);
      expect((parsed[1] as { result?: unknown }).result, 'a void completion has no result').toBeUndefined();
    });
  });
});

/** A transport that keeps what the hub writes and whether it asked for binary frames. */
class RecordingTransport implements HubTransport {
  readonly supportsBinary: boolean;
  readonly inherentKeepAlive: boolean;
  readonly frames: { data: Buffer; binary: boolean }[] = [];
  closed = false;

  constructor(readonly kind: TransportKind) {
    this.supportsBinary = kind !== 'ServerSentEvents';
    this.inherentKeepAlive = kind === 'LongPolling';
  }
  send(data: Buffer, binary: boolean): void {
    this.frames.push({ data, binary });
  }
  bufferedBytes(): number {
    return 0;
  }
  idleSince(): number | undefined {
    return undefined;
  }
  close(): void {
    this.closed = true;
  }
}

describe.each(['WebSockets', 'LongPolling'] as const)('MarketHub with MessagePack over %s', (kind) => {
  it('handshakes in JSON, then subscribes, gets update(channel, payload), pings and closes in MessagePack', () => {
    const clock = new SimulatedClock(Date.UTC(2026, 0, 5, 3, 45));
    const hub = new MarketHub({ authenticate: async () => undefined, clock, flushIntervalMs: 0 });
    hub.start();
    const connection = hub.createConnection({ userId: 'u-1', role: 'viewer' }, 1);
    const transport = new RecordingTransport(kind);
    connection.attach(transport);
    // The handshake request is JSON text even for MessagePack; a first message may share its payload.
    connection.receive(
      Buffer.concat([
        Buffer.from('{"protocol":"messagepack","version":1}\u001e'),
        messagePackProtocol.write({
          type: 1,
          invocationId: '0',
          target: 'subscribe',
          arguments: ['signals'],
        }),
      ]),
    );
    expect(transport.frames[0], 'the handshake reply is {} + 0x1E in a binary frame').toEqual({
      data: Buffer.from('{}\u001e'),
      binary: true,
    });
    const messagesFrom = (from: number): HubMessage[] =>
      messagePackProtocol.parse(Buffer.concat(transport.frames.slice(from).map((f) => f.data)), LIMIT)
        .messages;
    expect(messagesFrom(1)).toEqual([{ type: 3, invocationId: '0' }]);

    hub.publish('signals', 's-1', { id: 's-1', score: 0.75, legs: [1, 2] });
    clock.advanceBy(1);
    expect(messagesFrom(2)).toEqual([
      { type: 1, target: 'update', arguments: ['signals', { id: 's-1', score: 0.75, legs: [1, 2] }] },
    ]);
    expect(transport.frames.every((f) => f.binary)).toBe(true);

    connection.receive(
      messagePackProtocol.write({ type: 1, invocationId: '1', target: 'subscribe', arguments: ['orders'] }),
    );
    const [refusal] = messagesFrom(3);
    expect(refusal).toMatchObject({ type: 3, invocationId: '1' });
    expect(String((refusal as { error?: string }).error)).toMatch(/HubException: IF_ERR_HUB_FORBIDDEN: /);

    connection.receive(messagePackProtocol.write({ type: 6 }));
    expect(connection.state).toBe('connected');
    connection.receive(messagePackProtocol.write({ type: 7 }));
    expect(connection.closeReason).toBe('client_close');
    expect(transport.closed).toBe(true);
    hub.stop();
  });

  it('closes a connection that sends malformed MessagePack with a Close it can read', () => {
    const clock = new SimulatedClock(Date.UTC(2026, 0, 5, 3, 45));
    const hub = new MarketHub({ authenticate: async () => undefined, clock });
    hub.start();
    const connection = hub.createConnection({ userId: 'u-1', role: 'viewer' }, 1);
    const transport = new RecordingTransport(kind);
    connection.attach(transport);
    connection.receive(Buffer.from('{"protocol":"messagepack","version":1}\u001e'));
    connection.receive(hex('02 a1 78'));
    const [close] = messagePackProtocol.parse(transport.frames[1]?.data ?? Buffer.alloc(0), LIMIT).messages;
    expect(close).toMatchObject({ type: 7, allowReconnect: false });
    expect(String((close as { error?: string }).error)).toMatch(/^IF_ERR_HUB_PROTOCOL: /);
    expect(connection.closeReason).toBe('protocol_error');
    hub.stop();
  });
});
