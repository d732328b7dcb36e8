import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../../core/errors.js';
import { ANGEL_ERROR_CODES, brokerError, ifCodeForBrokerCode, sanitizeBrokerText } from './errorCodes.js';

const range = (prefix: string, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);

/** Every code listed in reference §3.3. */
const REFERENCE_CODES = [
  'AG8001',
  'AG8002',
  'AG8003',
  'AG8004',
  'AG7002',
  'AB8050',
  'AB8051',
  ...range('AB', 1000, 1018),
  'AB1031',
  'AB1032',
  'AB1050',
  'AB2000',
  'AB2001',
  'AB2002',
  'AB2020',
  'AB4008',
  'AB4018',
  ...range('AB', 9000, 9018),
];

describe('Angel error-code table', () => {
  it('maps every code of reference §3.3 to a catalogued IF_ERR_BROKER_* code', () => {
    for (const code of REFERENCE_CODES) {
      expect(Object.hasOwn(ANGEL_ERROR_CODES, code), `${code} is in the table`).toBe(true);
      const ours = ifCodeForBrokerCode(code);
      expect(Object.hasOwn(ERROR_CATALOGUE, ours), `${code} → ${ours} exists in the catalogue`).toBe(true);
      expect(ours.startsWith('IF_ERR_BROKER_'), `${code} maps to a broker error`).toBe(true);
    }
    expect(Object.keys(ANGEL_ERROR_CODES).length, 'no codes beyond the reference list').toBe(
      REFERENCE_CODES.length,
    );
  });

  it('classifies the codes users act on differently', () => {
    const expected: Record<string, string> = {
      AG8001: 'IF_ERR_BROKER_SESSION',
      AG8002: 'IF_ERR_BROKER_SESSION',
      AG8003: 'IF_ERR_BROKER_SESSION',
      AB8050: 'IF_ERR_BROKER_SESSION',
      AB8051: 'IF_ERR_BROKER_SESSION',
      AG8004: 'IF_ERR_BROKER_API_KEY',
      AG7002: 'IF_ERR_BROKER_STATIC_IP',
      AB1050: 'IF_ERR_BROKER_AUTH',
      AB1000: 'IF_ERR_BROKER_AUTH',
      AB2020: 'IF_ERR_BROKER_FUNDS',
      AB1006: 'IF_ERR_BROKER_PERMISSION',
      AB1004: 'IF_ERR_BROKER_UNAVAILABLE',
      AB2001: 'IF_ERR_BROKER_UNAVAILABLE',
      AB4008: 'IF_ERR_BROKER_INPUT',
      AB1013: 'IF_ERR_BROKER_ORDER',
    };
    for (const [code, ours] of Object.entries(expected)) expect(ifCodeForBrokerCode(code), code).toBe(ours);
  });

  it('treats unknown codes as plain rejections and keeps the broker code in params', () => {
    expect(ifCodeForBrokerCode('AB7777')).toBe('IF_ERR_BROKER_REJECTED');
    const error = brokerError('AB7777', 'Something new', 'placeOrder');
    expect(error.code).toBe('IF_ERR_BROKER_REJECTED');
    expect(error.params.brokerCode, 'broker code kept for support tickets').toBe('AB7777');
    expect(error.params.detail).toBe('Something new');
  });

  it('renders every mapped error without unfilled template slots', () => {
    for (const code of REFERENCE_CODES) {
      const error = brokerError(code, 'msg', 'getProfile');
      expect(error.message, `${code} message is complete`).not.toMatch(/\{\w+\}/);
    }
  });

  it('redacts token-shaped text a gateway might echo and caps the length', () => {
    const jwt = 'eyJhbGciOiJIUzUxMiJ9.eyJ1c2VybmFtZSI6IkExMjMifQ.c2lnbmF0dXJlc2lnbmF0dXJl';
    expect(sanitizeBrokerText(`Invalid Token ${jwt}`)).toBe('Invalid Token [redacted]');
    expect(sanitizeBrokerText('x'.repeat(500)).length, 'capped').toBeLessThanOrEqual(201);
  });
});
