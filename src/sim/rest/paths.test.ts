import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimRestFaults } from './faults.js';
import { canonicalPath } from './paths.js';

const QUOTE = '/rest/secure/angelbroking/market/v1/quote';

describe('canonicalPath', () => {
  it('maps every spelling SDKs and docs use onto the canonical route', () => {
    const cases: [string, string][] = [
      [QUOTE, QUOTE],
      [`${QUOTE}/`, QUOTE],
      [`/${QUOTE}`, QUOTE],
      ['rest/secure/angelbroking/margin/v1/batch', '/rest/secure/angelbroking/margin/v1/batch'],
      [`/order-service${QUOTE}`, QUOTE],
      [
        '/gtt-service/rest/secure/angelbroking/gtt/v1/createRule',
        '/rest/secure/angelbroking/gtt/v1/createRule',
      ],
      [`${QUOTE}?{"refreshToken":"x"}`, QUOTE],
      [
        '/rest/secure/angelbroking/order/v1/optionGreek',
        '/rest/secure/angelbroking/marketData/v1/optionGreek',
      ],
      ['/rest/secure/angelbroking/order/v1/OIBuildup/', '/rest/secure/angelbroking/marketData/v1/OIBuildup'],
      ['/', '/'],
    ];
    for (const [input, expected] of cases) expect(canonicalPath(input), input).toBe(expected);
  });

  it('is idempotent and never leaves a query, a doubled slash or a trailing slash', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('/', 'rest', 'secure', 'order-service', 'x', '?', 'a=b', '//')),
        (parts) => {
          const once = canonicalPath(parts.join(''));
          expect(canonicalPath(once), 'idempotent').toBe(once);
          expect(once.includes('?'), 'no query').toBe(false);
          expect(once.includes('//'), 'no doubled slash').toBe(false);
          expect(once === '/' || !once.endsWith('/'), 'no trailing slash').toBe(true);
        },
      ),
    );
  });
});

describe('SimRestFaults.decide', () => {
  it('matches string patterns by substring and RegExp patterns by test, consuming counted faults', () => {
    const faults = new SimRestFaults().forceRateLimit(1, /quote$/).forceGatewayError(503, 2, 'getProfile');
    expect(faults.decide('/rest/secure/angelbroking/user/v1/getProfile').gatewayError, 'first 503').toBe(503);
    expect(faults.decide(QUOTE).rateLimited, 'regexp match').toBe(true);
    expect(faults.decide(QUOTE).rateLimited, 'used up after one call').toBe(false);
    expect(faults.decide('/rest/secure/angelbroking/user/v1/getProfile').gatewayError, 'second 503').toBe(
      503,
    );
    expect(
      faults.decide('/rest/secure/angelbroking/user/v1/getProfile').gatewayError,
      'used up',
    ).toBeUndefined();
  });

  it('applies the largest matching delay and removes a delay set to 0', () => {
    const faults = new SimRestFaults().setDelay(100).setDelay(250, 'quote');
    expect(faults.decide(QUOTE).delayMs, 'largest matching delay').toBe(250);
    expect(faults.decide('/rest/secure/angelbroking/user/v1/getRMS').delayMs, 'only the global one').toBe(
      100,
    );
    faults.setDelay(0, 'quote');
    expect(faults.decide(QUOTE).delayMs, 'route delay removed').toBe(100);
    expect(() => faults.setDelay(-1), 'negative delay').toThrow(RangeError);
    expect(() => faults.forceInvalidToken(0), 'zero calls').toThrow(RangeError);
  });
});
