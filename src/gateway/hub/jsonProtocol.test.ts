import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HANDSHAKE_OK, handshakeError, parseHandshake } from './handshake.js';
import { jsonProtocol } from './jsonProtocol.js';
import type { HubMessage } from './protocol.js';

const RS = '\u001e';
const LIMIT = 32 * 1024;

function text(buffer: Buffer): string {
  return buffer.toString('utf8');
}

describe('JSON hub protocol', () => {
  it('writes golden records: one JSON object and 0x1E, absent fields left out', () => {
    expect(text(jsonProtocol.write({ type: 6 }))).toBe(`{"type":6}${RS}`);
    expect(text(jsonProtocol.write({ type: 3, invocationId: '0' })), 'void completion').toBe(
      `{"type":3,"invocationId":"0"}${RS}`,
    );
    expect(text(jsonProtocol.write({ type: 3, invocationId: '1', result: null })), 'null is a value').toBe(
      `{"type":3,"invocationId":"1","result":null}${RS}`,
    );
    expect(
      text(jsonProtocol.write({ type: 1, target: 'update', arguments: ['signals', { id: 's1' }] })),
    ).toBe(`{"type":1,"target":"update","arguments":["signals",{"id":"s1"}]}${RS}`);
    expect(text(jsonProtocol.write({ type: 7, error: 'bye', allowReconnect: true }))).toBe(
      `{"type":7,"error":"bye","allowReconnect":true}${RS}`,
    );
  });

  it('reassembles records split at any byte boundary into the same messages (property)', () => {
    const message: fc.Arbitrary<HubMessage> = fc.oneof(
      fc.record({
        type: fc.constant(1 as const),
        invocationId: fc.string(),
        target: fc.string({ minLength: 1 }),
        arguments: fc.array(fc.oneof(fc.string(), fc.integer(), fc.boolean())),
      }),
      fc.constant({ type: 6 as const }),
      fc.record({ type: fc.constant(5 as const), invocationId: fc.string() }),
      fc.record({ type: fc.constant(7 as const), error: fc.string(), allowReconnect: fc.boolean() }),
    );
    fc.assert(
      fc.property(
        fc.array(message, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (messages, cuts) => {
          const wire = Buffer.concat(messages.map((m) => jsonProtocol.write(m)));
          const points = [...new Set(cuts.map((c) => (wire.length === 0 ? 0 : c % wire.length)))].sort(
            (a, b) => a - b,
          );
          const received: HubMessage[] = [];
          let carry = Buffer.alloc(0);
          let from = 0;
          for (const to of [...points, wire.length]) {
            const { messages: parsed, rest } = jsonProtocol.parse(
              Buffer.concat([carry, wire.subarray(from, to)]),
              LIMIT,
            );
            received.push(...parsed);
            carry = Buffer.from(rest);
            from = to;
          }
          expect(received).toEqual(messages);
          expect(carry.length, 'nothing is left over').toBe(0);
        },
      ),
    );
  });

  it('skips message types it does not know, as the clients do', () => {
    const { messages } = jsonProtocol.parse(Buffer.from(`{"type":42,"x":1}${RS}{"type":6}${RS}`), LIMIT);
    expect(messages).toEqual([{ type: 6 }]);
  });

  it('ignores unknown properties of known messages', () => {
    const { messages } = jsonProtocol.parse(Buffer.from(`{"type":6,"future":true}${RS}`), LIMIT);
    expect(messages.map((m) => m.type)).toEqual([6]);
  });

  it.each([
    ['not JSON', `{type:1}${RS}`],
    ['an array', `[1,2]${RS}`],
    ['no type', `{"target":"x"}${RS}`],
    ['an invocation without a target', `{"type":1,"arguments":[]}${RS}`],
    ['arguments that are not an array', `{"type":1,"target":"x","arguments":"a"}${RS}`],
  ])('rejects %s with IF_ERR_HUB_PROTOCOL', (_name, wire) => {
    expect(() => jsonProtocol.parse(Buffer.from(wire), LIMIT)).toThrowError(
      expect.objectContaining({ code: 'IF_ERR_HUB_PROTOCOL' }),
    );
  });

  it('rejects a message over the size limit, complete or still arriving', () => {
    const big = `{"type":1,"target":"x","arguments":["${'a'.repeat(100)}"]}`;
    expect(() => jsonProtocol.parse(Buffer.from(`${big}${RS}`), 64)).toThrowError(
      expect.objectContaining({ code: 'IF_ERR_HUB_PROTOCOL' }),
    );
    expect(() => jsonProtocol.parse(Buffer.from(big), 64), 'no separator yet').toThrowError(
      expect.objectContaining({ code: 'IF_ERR_HUB_PROTOCOL' }),
    );
  });
});

describe('handshake', () => {
  it('waits for the separator, then returns the request and any bytes after it', () => {
    expect(parseHandshake(Buffer.from('{"protocol":"json"'), LIMIT)).toBeUndefined();
    const parsed = parseHandshake(Buffer.from(`{"protocol":"json","version":1}${RS}{"type":6}${RS}`), LIMIT);
    expect(parsed?.request).toEqual({ protocol: 'json', version: 1 });
    expect(text(parsed?.rest ?? Buffer.alloc(0))).toBe(`{"type":6}${RS}`);
  });

  it('rejects a request without protocol or version', () => {
    expect(() => parseHandshake(Buffer.from(`{"protocol":"json"}${RS}`), LIMIT)).toThrowError(
      expect.objectContaining({ code: 'IF_ERR_HUB_PROTOCOL' }),
    );
  });

  it('answers with the golden bytes', () => {
    expect([...HANDSHAKE_OK], 'success is {} and 0x1E').toEqual([0x7b, 0x7d, 0x1e]);
    expect(text(handshakeError('nope'))).toBe(`{"error":"nope"}${RS}`);
  });
});
