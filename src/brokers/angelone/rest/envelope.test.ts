import { describe, expect, it } from 'vitest';
import { isIfError } from '../../../core/errors.js';
import { parseEnvelope, unwrapEnvelope } from './envelope.js';

const json = (body: unknown, httpStatus = 200) => ({
  httpStatus,
  contentType: 'application/json',
  bodyText: JSON.stringify(body),
  endpoint: 'test',
});

function errorOf(result: ReturnType<typeof parseEnvelope>) {
  if (result.ok) throw new Error('expected a failure');
  return result.error;
}

describe('SmartAPI response envelopes', () => {
  it('standard dialect success returns data', () => {
    const result = parseEnvelope(
      json({
        status: true,
        message: 'SUCCESS',
        errorcode: '',
        data: { jwtToken: 'a', refreshToken: 'b', feedToken: 'c' },
      }),
    );
    expect(result).toEqual({
      ok: true,
      message: 'SUCCESS',
      data: { jwtToken: 'a', refreshToken: 'b', feedToken: 'c' },
    });
  });

  it('accepts the docs\' string flags and "null" data', () => {
    const success = parseEnvelope(json({ status: 'true', message: 'SUCCESS', errorcode: '', data: 'null' }));
    expect(success, '"true" and "null" are a success with no data').toEqual({
      ok: true,
      data: null,
      message: 'SUCCESS',
    });
    const failure = errorOf(
      parseEnvelope(json({ message: 'Invalid totp', errorcode: 'AB1050', status: 'false', data: 'null' })),
    );
    expect(failure.code, '"false" is a failure').toBe('IF_ERR_BROKER_AUTH');
  });

  it("logout's empty-string data is no data", () => {
    expect(unwrapEnvelope(json({ status: true, message: 'SUCCESS', errorcode: '', data: '' }))).toBeNull();
  });

  it('business failures arrive with HTTP 200 and map through the code table (bad TOTP)', () => {
    const error = errorOf(
      parseEnvelope(json({ status: false, message: 'Invalid totp', errorcode: 'AB1050', data: null })),
    );
    expect(error.code).toBe('IF_ERR_BROKER_AUTH');
    expect(error.params.brokerCode).toBe('AB1050');
    expect(error.params.detail).toBe('Invalid totp');
  });

  it('gateway dialect (success/errorCode) for token problems', () => {
    const error = errorOf(
      parseEnvelope(json({ success: false, message: 'Invalid Token', errorCode: 'AG8001', data: '' })),
    );
    expect(error.code).toBe('IF_ERR_BROKER_SESSION');
    expect(error.params.brokerCode, 'camel-case errorCode is read').toBe('AG8001');
    const missing = errorOf(
      parseEnvelope(json({ success: false, message: 'Token missing', errorCode: 'AG8003', data: '' })),
    );
    expect(missing.params.brokerCode).toBe('AG8003');
  });

  it('gateway dialect success is a success', () => {
    expect(unwrapEnvelope(json({ success: true, message: 'SUCCESS', errorCode: '', data: [1] }))).toEqual([
      1,
    ]);
  });

  it('403 with the plain-text body is a rate limit, not an auth error', () => {
    const error = errorOf(
      parseEnvelope({
        httpStatus: 403,
        contentType: 'text/plain',
        bodyText: 'Access denied because of exceeding access rate',
        endpoint: 'getCandleData',
      }),
    );
    expect(error.code).toBe('IF_ERR_BROKER_RATE_LIMITED');
    expect(error.params.source).toBe('broker');
    const tooMany = errorOf(
      parseEnvelope({ httpStatus: 429, bodyText: 'Too Many Requests', endpoint: 'quote' }),
    );
    expect(tooMany.code, '429 too').toBe('IF_ERR_BROKER_RATE_LIMITED');
  });

  it('HTML or other 5xx pages are broker unavailability', () => {
    const error = errorOf(
      parseEnvelope({
        httpStatus: 502,
        contentType: 'text/html',
        bodyText: '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
        endpoint: 'getProfile',
      }),
    );
    expect(error.code).toBe('IF_ERR_BROKER_UNAVAILABLE');
    expect(error.message, 'the HTML is not copied into the message').not.toContain('<html>');
    const json500 = errorOf(
      parseEnvelope(json({ status: false, message: 'oops', errorcode: '', data: null }, 500)),
    );
    expect(json500.code, 'a coded-less JSON failure with 5xx').toBe('IF_ERR_BROKER_UNAVAILABLE');
  });

  it('a coded failure wins over the HTTP status (AG7002 may come with 403)', () => {
    const error = errorOf(
      parseEnvelope(
        json({ status: false, message: 'IP not whitelisted', errorcode: 'AG7002', data: null }, 403),
      ),
    );
    expect(error.code).toBe('IF_ERR_BROKER_STATIC_IP');
  });

  it('unparseable or shapeless 200 bodies are response errors', () => {
    expect(errorOf(parseEnvelope({ httpStatus: 200, bodyText: 'not json', endpoint: 'x' })).code).toBe(
      'IF_ERR_BROKER_RESPONSE',
    );
    expect(errorOf(parseEnvelope({ httpStatus: 200, bodyText: '', endpoint: 'x' })).code, 'empty body').toBe(
      'IF_ERR_BROKER_RESPONSE',
    );
    expect(errorOf(parseEnvelope(json([1, 2]))).code, 'array body').toBe('IF_ERR_BROKER_RESPONSE');
    expect(errorOf(parseEnvelope(json({ data: 1 }))).code, 'no status flag').toBe('IF_ERR_BROKER_RESPONSE');
  });

  it('a failure without an error code is a rejection with the broker message', () => {
    const error = errorOf(
      parseEnvelope(json({ status: false, message: 'Order rejected by RMS', errorcode: '', data: null })),
    );
    expect(error.code).toBe('IF_ERR_BROKER_REJECTED');
    expect(error.params.detail).toBe('Order rejected by RMS');
  });

  it('unwrapEnvelope throws the coded error', () => {
    try {
      unwrapEnvelope(json({ status: false, message: 'Insufficient Funds', errorcode: 'AB2020', data: null }));
      expect.unreachable();
    } catch (error) {
      expect(isIfError(error, 'IF_ERR_BROKER_FUNDS')).toBe(true);
    }
  });
});
