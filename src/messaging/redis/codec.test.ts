import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIfError } from '../../core/errors.js';
import { decodeUpdate, decodeValue, encodeUpdate, encodeValue, updatesChannel } from './codec.js';
import { describeRedisError, parseRedisUrl, reconnectDelayMs, resolveReconnectPolicy } from './connection.js';

describe('update notifications', () => {
  it('round-trip any key list and resync flag unchanged', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), fc.boolean(), (keys, resync) => {
        expect(decodeUpdate(encodeUpdate({ keys, resync }))).toEqual({ keys, resync });
      }),
    );
  });

  it('ignore messages that are not ours instead of throwing', () => {
    for (const junk of [
      '',
      'hello',
      '[]',
      'null',
      '{"v":2,"resync":false,"keys":[]}',
      '{"v":1,"keys":[1]}',
    ]) {
      expect(decodeUpdate(junk), `"${junk}" is not a notification`).toBeUndefined();
    }
  });

  it('go to <prefix>updates', () => {
    expect(updatesChannel('indexflow:')).toBe('indexflow:updates');
  });
});

describe('value serialization', () => {
  it('round-trips plain objects of numbers and strings', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string(),
          fc.oneof(fc.integer(), fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true })),
        ),
        (value) => {
          const text = encodeValue(value);
          expect(typeof text, 'a plain object always serializes').toBe('string');
          if (typeof text === 'string') expect(decodeValue(text)).toEqual(JSON.parse(JSON.stringify(value)));
        },
      ),
    );
  });

  it('refuses BigInt, cycles and non-objects, and drops undefined fields', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(encodeValue({ volume: 10n }), 'BigInt is not JSON').toBeInstanceOf(Error);
    expect(encodeValue(cyclic), 'a cycle is not JSON').toBeInstanceOf(Error);
    expect(encodeValue([1, 2]), 'an array is not a state object').toBeInstanceOf(Error);
    expect(encodeValue({ toJSON: () => 5 }), 'toJSON must still give an object').toBeInstanceOf(Error);
    expect(encodeValue({ a: 1, oi: undefined }), 'undefined fields vanish as in JSON').toBe('{"a":1}');
    expect(decodeValue('42'), 'a stored scalar is not a state object').toBeInstanceOf(Error);
    expect(decodeValue('{'), 'truncated JSON').toBeInstanceOf(Error);
  });
});

describe('redis URL and errors', () => {
  it('keeps the password out of the address and out of error descriptions', () => {
    const endpoint = parseRedisUrl('redis://app:hunter2secret@cache.internal:6380/2');
    expect(endpoint.address).toBe('cache.internal:6380');
    const error = new Error('WRONGPASS for hunter2secret');
    const detail = describeRedisError(endpoint, error);
    expect(detail, 'the password never appears').not.toContain('hunter2secret');
    expect(detail).toBe('redis unreachable at cache.internal:6380: WRONGPASS for [redacted]');
  });

  it('names the socket error code, also inside an AggregateError (localhost → ::1 and 127.0.0.1)', () => {
    const endpoint = parseRedisUrl('redis://localhost');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    expect(describeRedisError(endpoint, refused)).toBe('redis unreachable at localhost:6379: ECONNREFUSED');
    expect(describeRedisError(endpoint, new AggregateError([refused], ''))).toBe(
      'redis unreachable at localhost:6379: ECONNREFUSED',
    );
  });

  it('rejects a malformed URL with a coded error that does not echo it', () => {
    for (const url of ['not a url with secret', 'http://user:secret@host:1']) {
      let caught: unknown;
      try {
        parseRedisUrl(url);
      } catch (error) {
        caught = error;
      }
      expect(isIfError(caught, 'IF_ERR_CONFIG_INVALID'), 'a config error').toBe(true);
      expect(String(caught), 'the URL (and its secret) is not repeated').not.toContain('secret');
    }
  });

  it('backs off exponentially, never beyond the cap, never below half the base', () => {
    const policy = resolveReconnectPolicy({ initialDelayMs: 100, maxDelayMs: 5_000 });
    fc.assert(
      fc.property(
        fc.nat(1_000),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retries, random) => {
          const delay = reconnectDelayMs(retries, policy, random);
          const base = Math.min(5_000, 100 * 2 ** Math.min(retries, 30));
          expect(delay).toBeLessThanOrEqual(5_000);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(base / 2));
        },
      ),
    );
    expect(() => resolveReconnectPolicy({ initialDelayMs: 0 }), 'zero would hot-loop').toThrow();
  });
});
