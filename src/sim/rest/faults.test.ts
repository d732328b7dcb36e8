import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Harness,
  SECURE,
  authHeaders,
  harness,
  login,
  secureGet,
  securePost,
} from './harness.test-support.js';

let h: Harness;
afterEach(async () => {
  await h.app.close();
});

/** Lets I/O and promise callbacks run until `condition` holds (bounded; not a timing assertion). */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1_000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  if (!condition()) throw new Error(`never happened: ${what}`);
}

describe('SimRestFaults', () => {
  it('delays answers on the matching route until the timer clock passes the delay', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    h.faults.setDelay(500, 'market/v1/quote');
    let answered = false;
    const pending = securePost(h, jwtToken, '/market/v1/quote', {
      mode: 'LTP',
      exchangeTokens: { NSE: ['3045'] },
    }).then((res) => {
      answered = true;
      return res;
    });
    await until(() => h.clock.pendingTimers() === 1, 'the delay timer is armed');
    h.clock.advanceBy(499);
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered, 'not answered before the delay has passed').toBe(false);
    h.clock.advanceBy(1);
    expect((await pending).json().status, 'answered normally after the delay').toBe(true);
    const profile = await secureGet(h, jwtToken, '/user/v1/getProfile');
    expect(profile.json().status, 'other routes are not delayed').toBe(true);
    expect(h.clock.pendingTimers(), 'no timer for an undelayed route').toBe(0);
  });

  it('forces the 403 text/plain rate-limit answer for the next N matching calls', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    h.faults.forceRateLimit(1, 'getProfile');
    const forced = await secureGet(h, jwtToken, '/user/v1/getProfile');
    expect(forced.statusCode, 'forced rate limit').toBe(403);
    expect(forced.headers['content-type']).toMatch(/^text\/plain/);
    expect(forced.body).toBe('Access denied because of exceeding access rate');
    h.clock.advanceBy(1_000);
    expect((await secureGet(h, jwtToken, '/user/v1/getProfile')).statusCode, 'only one call was forced').toBe(
      200,
    );
  });

  it('forces HTML 502 and 503 gateway pages', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    h.faults.forceGatewayError(502, 1).forceGatewayError(503, 1);
    const first = await secureGet(h, jwtToken, '/user/v1/getProfile');
    expect(first.statusCode, 'first forced error').toBe(502);
    expect(first.headers['content-type'], 'an HTML page, not JSON').toMatch(/^text\/html/);
    expect(first.body).toContain('<h1>502 Bad Gateway</h1>');
    const second = await secureGet(h, jwtToken, '/user/v1/getProfile');
    expect(second.statusCode, 'second forced error').toBe(503);
    const third = await secureGet(h, jwtToken, '/user/v1/getProfile');
    expect(third.json().status, 'faults used up').toBe(true);
  });

  it('forces AG8001 for the next N secure calls with a valid session, leaving public routes alone', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    h.faults.forceInvalidToken(2);
    expect((await secureGet(h, jwtToken, '/user/v1/getProfile')).body, 'first forced').toBe(
      '{"success":false,"message":"Invalid Token","errorCode":"AG8001","data":""}',
    );
    const master = await h.app.inject({ method: 'GET', url: '/OpenAPI_File/files/OpenAPIScripMaster.json' });
    expect(master.statusCode, 'the instrument master needs no token and consumes no fault').toBe(200);
    expect((await secureGet(h, jwtToken, '/user/v1/getRMS')).json().errorCode, 'second forced').toBe(
      'AG8001',
    );
    h.clock.advanceBy(1_000);
    expect(
      (await secureGet(h, jwtToken, '/user/v1/getProfile')).json().status,
      'then the session works',
    ).toBe(true);
  });

  it('never answers a hung call: the connection drops when the hold ends', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.app.server.address() as AddressInfo;
    h.faults.hang(7_000, 'getProfile', 1);
    let outcome: string | undefined;
    const req = httpRequest(
      { host: '127.0.0.1', port, path: `${SECURE}/user/v1/getProfile`, headers: authHeaders(jwtToken) },
      (res) => {
        outcome = `response ${res.statusCode}`;
        res.resume();
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      outcome = error.code ?? error.message;
    });
    req.end();
    await until(() => h.clock.pendingTimers() === 1, 'the request is held');
    expect(outcome, 'no answer while held').toBeUndefined();
    h.clock.advanceBy(7_000);
    await until(() => outcome !== undefined, 'the client sees the drop');
    expect(outcome, 'the socket is dropped without a response').toBe('ECONNRESET');
    const next = await secureGet(h, jwtToken, '/user/v1/getProfile');
    expect(next.json().status, 'the hang applied to one call only').toBe(true);
  });

  it('releases delayed requests when the app closes, so close() never waits on a stopped clock', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    h.faults.setDelay(60_000);
    const pending = secureGet(h, jwtToken, '/user/v1/getProfile');
    await until(() => h.clock.pendingTimers() === 1, 'the delay timer is armed');
    await h.app.close();
    expect((await pending).statusCode, 'the held request was answered on close').toBe(200);
  });

  it('reset switches every fault off', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    h.faults.forceRateLimit().forceGatewayError(503).forceInvalidToken(5).setDelay(1_000);
    h.faults.reset();
    expect(
      (await secureGet(h, jwtToken, '/user/v1/getProfile')).json().status,
      'plain answer after reset',
    ).toBe(true);
  });
});
