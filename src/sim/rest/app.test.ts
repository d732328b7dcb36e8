import { afterEach, describe, expect, it } from 'vitest';
import { generateTotp } from '../../brokers/angelone/auth/index.js';
import { DAY_MS } from '../../core/time.js';
import {
  type Harness,
  LOGIN_PATH,
  SECURE,
  authHeaders,
  baseHeaders,
  harness,
  login,
  secureGet,
  securePost,
} from './harness.test-support.js';
import { OTHER_ACCOUNT, TEST_ACCOUNT, totpNow } from './testkit.js';

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

let h: Harness;
afterEach(async () => {
  await h.app.close();
});

function loginWith(payload: Record<string, unknown>, apiKey = TEST_ACCOUNT.apiKey) {
  return h.app.inject({ method: 'POST', url: LOGIN_PATH, headers: baseHeaders(apiKey), payload });
}

describe('loginByPassword', () => {
  it('logs in with client code, MPIN and a TOTP generated from the account secret', async () => {
    h = harness();
    const res = await loginWith({
      clientcode: TEST_ACCOUNT.clientCode,
      password: TEST_ACCOUNT.pin,
      totp: totpNow(TEST_ACCOUNT, h.clock),
      state: 'abc',
    });
    expect(res.statusCode, 'login answers HTTP 200').toBe(200);
    const body = res.json();
    expect(Object.keys(body), 'standard envelope keys in live order').toEqual([
      'status',
      'message',
      'errorcode',
      'data',
    ]);
    expect(body.status).toBe(true);
    expect(body.message).toBe('SUCCESS');
    expect(body.errorcode).toBe('');
    expect(Object.keys(body.data), 'login data fields').toEqual([
      'jwtToken',
      'refreshToken',
      'feedToken',
      'state',
    ]);
    expect(body.data.jwtToken, 'jwt is JWT-shaped').toMatch(JWT_SHAPE);
    expect(body.data.refreshToken, 'refresh token is JWT-shaped').toMatch(JWT_SHAPE);
    expect(body.data.feedToken, 'feed token is JWT-shaped').toMatch(JWT_SHAPE);
    expect(body.data.state, 'state is echoed back').toBe('abc');
  });

  it('accepts the TOTP of the previous 30 s step but not one two steps old', async () => {
    h = harness();
    const previous = generateTotp(TEST_ACCOUNT.totpSecret, h.clock.now() - 30_000);
    const ok = await loginWith({
      clientcode: TEST_ACCOUNT.clientCode,
      password: TEST_ACCOUNT.pin,
      totp: previous,
    });
    expect(ok.json().status, 'a code from one step back is within ±1 step').toBe(true);
    h.clock.advanceBy(1_000);
    const stale = generateTotp(TEST_ACCOUNT.totpSecret, h.clock.now() - 90_000);
    const res = await loginWith({
      clientcode: TEST_ACCOUNT.clientCode,
      password: TEST_ACCOUNT.pin,
      totp: stale,
    });
    expect(res.json().errorcode, 'three steps back is refused').toBe('AB1050');
  });

  it('answers a wrong TOTP with exactly the live AB1050 body on HTTP 200', async () => {
    h = harness();
    const res = await loginWith({
      clientcode: TEST_ACCOUNT.clientCode,
      password: TEST_ACCOUNT.pin,
      totp: '000000',
    });
    expect(res.statusCode, 'business errors are HTTP 200').toBe(200);
    expect(res.body, 'byte-identical to the recorded live response').toBe(
      '{"status":false,"message":"Invalid totp","errorcode":"AB1050","data":null}',
    );
  });

  it('answers a wrong MPIN with AB1000 and does not check the TOTP first', async () => {
    h = harness();
    const res = await loginWith({
      clientcode: TEST_ACCOUNT.clientCode,
      password: '9999',
      totp: totpNow(TEST_ACCOUNT, h.clock),
    });
    expect(res.json(), 'bad MPIN is an AB1000 credential error').toEqual({
      status: false,
      message: 'Invalid Email Or Password',
      errorcode: 'AB1000',
      data: null,
    });
  });

  it('refuses an unknown or foreign API key in the gateway dialect (AG8004)', async () => {
    h = harness();
    const payload = {
      clientcode: TEST_ACCOUNT.clientCode,
      password: TEST_ACCOUNT.pin,
      totp: totpNow(TEST_ACCOUNT, h.clock),
    };
    const unknown = await loginWith(payload, 'nope');
    expect(unknown.body, 'unknown key').toBe(
      '{"success":false,"message":"Invalid API Key","errorCode":"AG8004","data":""}',
    );
    const foreign = await loginWith(payload, OTHER_ACCOUNT.apiKey);
    expect(foreign.json().errorCode, "another client's key cannot log this client in").toBe('AG8004');
  });
});

describe('generateTokens and logout', () => {
  it('issues new tokens for a refresh token; the old jwt then stops working', async () => {
    h = harness();
    const first = await login(h);
    const res = await h.app.inject({
      method: 'POST',
      url: '/rest/auth/angelbroking/jwt/v1/generateTokens',
      headers: authHeaders(first.jwtToken),
      payload: { refreshToken: first.refreshToken },
    });
    const body = res.json();
    expect(body.status, 'refresh succeeds').toBe(true);
    expect(Object.keys(body.data), 'refresh data fields').toEqual(['jwtToken', 'refreshToken', 'feedToken']);
    expect(body.data.jwtToken, 'a new jwt').not.toBe(first.jwtToken);
    const old = await secureGet(h, first.jwtToken, '/user/v1/getProfile');
    expect(old.json().errorCode, 'the replaced jwt is invalid').toBe('AG8001');
    const fresh = await secureGet(h, body.data.jwtToken, '/user/v1/getProfile');
    expect(fresh.json().status, 'the new jwt works').toBe(true);
  });

  it('answers AB8050 for an unknown refresh token and AB8051 for one past IST midnight', async () => {
    h = harness();
    const tokens = await login(h);
    const refresh = (refreshToken: string) =>
      h.app.inject({
        method: 'POST',
        url: '/rest/auth/angelbroking/jwt/v1/generateTokens',
        headers: authHeaders(tokens.jwtToken),
        payload: { refreshToken },
      });
    expect((await refresh('garbage')).json().errorcode, 'unknown refresh token').toBe('AB8050');
    h.clock.advanceBy(DAY_MS);
    expect((await refresh(tokens.refreshToken)).json().errorcode, 'expired refresh token').toBe('AB8051');
  });

  it('logout answers data "" and ends the session', async () => {
    h = harness();
    const tokens = await login(h);
    const res = await securePost(h, tokens.jwtToken, '/user/v1/logout', {
      clientcode: TEST_ACCOUNT.clientCode,
    });
    expect(res.body, 'logout body as documented').toBe(
      '{"status":true,"message":"SUCCESS","errorcode":"","data":""}',
    );
    const after = await secureGet(h, tokens.jwtToken, '/user/v1/getProfile');
    expect(after.json().errorCode, 'the logged-out jwt is invalid').toBe('AG8001');
  });
});

describe('gateway auth dialect on /rest/secure', () => {
  it('answers a missing Authorization header with AG8003 "Token missing"', async () => {
    h = harness();
    const res = await h.app.inject({
      method: 'GET',
      url: `${SECURE}/user/v1/getProfile`,
      headers: baseHeaders(TEST_ACCOUNT.apiKey),
    });
    expect(res.statusCode, 'gateway errors are HTTP 200').toBe(200);
    expect(res.body, 'gateway dialect: success/errorCode, data ""').toBe(
      '{"success":false,"message":"Token missing","errorCode":"AG8003","data":""}',
    );
  });

  it('answers an unknown jwt with the exact AG8001 body', async () => {
    h = harness();
    const res = await secureGet(h, 'eyJhbGciOiJIUzUxMiJ9.e30.c2ln', '/user/v1/getProfile');
    expect(res.statusCode).toBe(200);
    expect(res.body, 'byte-identical to the recorded live response').toBe(
      '{"success":false,"message":"Invalid Token","errorCode":"AG8001","data":""}',
    );
  });

  it('answers AG8001 once the session passes IST midnight', async () => {
    h = harness();
    const tokens = await login(h);
    expect(
      (await secureGet(h, tokens.jwtToken, '/user/v1/getProfile')).json().status,
      'valid before midnight',
    ).toBe(true);
    h.clock.advanceBy(DAY_MS);
    expect(
      (await secureGet(h, tokens.jwtToken, '/user/v1/getProfile')).json().errorCode,
      'expired after',
    ).toBe('AG8001');
  });

  it('answers AG8004 when X-PrivateKey does not belong to the session client', async () => {
    h = harness();
    const tokens = await login(h);
    const res = await h.app.inject({
      method: 'GET',
      url: `${SECURE}/user/v1/getProfile`,
      headers: authHeaders(tokens.jwtToken, OTHER_ACCOUNT.apiKey),
    });
    expect(res.json(), 'gateway dialect with AG8004').toEqual({
      success: false,
      message: 'Invalid API Key',
      errorCode: 'AG8004',
      data: '',
    });
  });

  it('accepts a bare jwt without the Bearer prefix', async () => {
    h = harness();
    const tokens = await login(h);
    const res = await h.app.inject({
      method: 'GET',
      url: `${SECURE}/user/v1/getProfile`,
      headers: { ...baseHeaders(TEST_ACCOUNT.apiKey), authorization: tokens.jwtToken },
    });
    expect(res.json().status, 'raw jwt in Authorization works').toBe(true);
  });
});

describe('getProfile and getRMS', () => {
  it('serves exchanges and products as real arrays, as live does', async () => {
    h = harness();
    const tokens = await login(h);
    const body = (await secureGet(h, tokens.jwtToken, '/user/v1/getProfile')).json();
    expect(body.data.clientcode).toBe(TEST_ACCOUNT.clientCode);
    expect(body.data.exchanges, 'exchanges is an array').toEqual([
      'nse_fo',
      'nse_cm',
      'cde_fo',
      'ncx_fo',
      'bse_fo',
      'bse_cm',
      'mcx_fo',
    ]);
    expect(body.data.products, 'products is an array').toEqual(['MARGIN', 'MIS', 'NRML', 'CNC', 'CO', 'BO']);
  });

  it('serves every RMS figure as a string', async () => {
    h = harness();
    const tokens = await login(h);
    const body = (await secureGet(h, tokens.jwtToken, '/user/v1/getRMS')).json();
    expect(body.status).toBe(true);
    expect(Object.keys(body.data)).toContain('availablecash');
    for (const [key, value] of Object.entries(body.data))
      expect(typeof value, `${key} is a string`).toBe('string');
  });
});

describe('path handling (§3.1)', () => {
  it('accepts a trailing slash, doubled slashes, alias prefixes and a junk query string', async () => {
    h = harness();
    const tokens = await login(h);
    const quote = { mode: 'LTP', exchangeTokens: { NSE: ['3045'] } };
    const variants = [
      `${SECURE}/market/v1/quote/`,
      `/order-service${SECURE}/market/v1/quote`,
      `//rest/secure/angelbroking/market/v1/quote`,
    ];
    for (const url of variants) {
      const res = await h.app.inject({
        method: 'POST',
        url,
        headers: authHeaders(tokens.jwtToken),
        payload: quote,
      });
      expect(res.json().status, `${url} reaches the quote route`).toBe(true);
      h.clock.advanceBy(1_000);
    }
    const junk = encodeURIComponent(JSON.stringify({ refreshToken: 'x' }));
    const res = await h.app.inject({
      method: 'GET',
      url: `${SECURE}/user/v1/getProfile?${junk}`,
      headers: authHeaders(tokens.jwtToken),
    });
    expect(res.json().status, 'the Python SDK query string on GET is ignored').toBe(true);
  });

  it("maps the docs' order/v1/putCallRatio and the /gtt-service prefix onto the SDK routes", async () => {
    h = harness();
    const tokens = await login(h);
    const pcr = await h.app.inject({
      method: 'GET',
      url: `${SECURE}/order/v1/putCallRatio`,
      headers: authHeaders(tokens.jwtToken),
    });
    expect(pcr.json().data, 'PCR from the model: put OI / call OI over the nearest expiry').toEqual([
      { pcr: 1.2, tradingSymbol: 'NIFTY29DEC26FUT' },
    ]);
    const gtt = await h.app.inject({
      method: 'POST',
      url: `/gtt-service${SECURE}/gtt/v1/createRule`,
      headers: authHeaders(tokens.jwtToken),
      payload: {
        tradingsymbol: 'SBIN-EQ',
        symboltoken: '3045',
        exchange: 'NSE',
        transactiontype: 'BUY',
        producttype: 'DELIVERY',
        price: '800',
        qty: '10',
        triggerprice: '805',
        disclosedqty: '0',
      },
    });
    expect(gtt.json().data, 'createRule answers the new rule id').toEqual({ id: 1_000_001 });
  });

  it('answers 404 for unknown routes and 400 for a body that is not JSON', async () => {
    h = harness();
    const tokens = await login(h);
    const missing = await secureGet(h, tokens.jwtToken, '/nothing/here');
    expect(missing.statusCode, 'unknown route').toBe(404);
    const bad = await h.app.inject({
      method: 'POST',
      url: `${SECURE}/market/v1/quote`,
      headers: authHeaders(tokens.jwtToken),
      payload: '{"mode":',
    });
    expect(bad.statusCode, 'malformed JSON').toBe(400);
    expect(bad.json().status, 'still the standard envelope').toBe(false);
  });
});

describe('rate limits (§3.4)', () => {
  it('rejects the 11th quote within one second with 403 text/plain, and accepts again a second later', async () => {
    h = harness();
    const tokens = await login(h);
    const quote = () =>
      securePost(h, tokens.jwtToken, '/market/v1/quote', { mode: 'LTP', exchangeTokens: { NSE: ['3045'] } });
    for (let i = 1; i <= 10; i++) {
      h.clock.advanceBy(50);
      const res = await quote();
      expect(res.statusCode, `quote ${i} of 10 is within 10/s`).toBe(200);
    }
    h.clock.advanceBy(50);
    const rejected = await quote();
    expect(rejected.statusCode, 'the 11th in the window is refused').toBe(403);
    expect(rejected.headers['content-type'], 'rate-limit body is plain text').toMatch(/^text\/plain/);
    expect(rejected.body, 'the live text, not JSON').toBe('Access denied because of exceeding access rate');
    h.clock.advanceBy(1_000);
    expect((await quote()).statusCode, 'the sliding window has moved on').toBe(200);
  });

  it('counts place, modify and cancel in one 9/s bucket', async () => {
    h = harness();
    const tokens = await login(h);
    const place = () =>
      securePost(h, tokens.jwtToken, '/order/v1/placeOrder', {
        variety: 'NORMAL',
        tradingsymbol: 'SBIN-EQ',
        symboltoken: '3045',
        transactiontype: 'BUY',
        exchange: 'NSE',
        ordertype: 'LIMIT',
        producttype: 'INTRADAY',
        duration: 'DAY',
        price: '800',
        quantity: '1',
      });
    const placed = (await place()).json().data.orderid as string;
    for (let i = 0; i < 4; i++) await place();
    for (let i = 0; i < 3; i++) {
      const res = await securePost(h, tokens.jwtToken, '/order/v1/modifyOrder', {
        variety: 'NORMAL',
        orderid: placed,
        ordertype: 'LIMIT',
        producttype: 'INTRADAY',
        duration: 'DAY',
        price: String(801 + i),
        quantity: '1',
      });
      expect(res.statusCode, `modify ${i} fits the shared bucket`).toBe(200);
    }
    const ninth = await securePost(h, tokens.jwtToken, '/order/v1/cancelOrder', {
      variety: 'NORMAL',
      orderid: placed,
    });
    expect(ninth.statusCode, 'the 9th order write is allowed').toBe(200);
    const tenth = await securePost(h, tokens.jwtToken, '/order/v1/cancelOrder', {
      variety: 'NORMAL',
      orderid: placed,
    });
    expect(tenth.statusCode, 'the 10th order write in a second is refused').toBe(403);
    const other = await secureGet(h, tokens.jwtToken, '/order/v1/getOrderBook');
    expect(other.statusCode, 'other buckets are unaffected').toBe(200);
  });

  it('counts per client code: another account has its own budget', async () => {
    h = harness();
    const mine = await login(h);
    const theirs = await login(h, OTHER_ACCOUNT);
    const book = (jwt: string, apiKey: string) =>
      h.app.inject({
        method: 'GET',
        url: `${SECURE}/order/v1/getOrderBook`,
        headers: authHeaders(jwt, apiKey),
      });
    expect((await book(mine.jwtToken, TEST_ACCOUNT.apiKey)).statusCode).toBe(200);
    expect((await book(mine.jwtToken, TEST_ACCOUNT.apiKey)).statusCode, 'getOrderBook is 1/s').toBe(403);
    expect(
      (await book(theirs.jwtToken, OTHER_ACCOUNT.apiKey)).statusCode,
      'a different client is not limited',
    ).toBe(200);
  });
});

describe('static-IP allow-list', () => {
  it('refuses order writes from an unregistered source address with AG7002, and only order writes', async () => {
    h = harness({ staticIpAllowList: ['10.1.1.1'] });
    const tokens = await login(h);
    const order = {
      variety: 'NORMAL',
      tradingsymbol: 'SBIN-EQ',
      symboltoken: '3045',
      transactiontype: 'BUY',
      exchange: 'NSE',
      ordertype: 'LIMIT',
      producttype: 'INTRADAY',
      duration: 'DAY',
      price: '800',
      quantity: '1',
    };
    const foreign = await securePost(h, tokens.jwtToken, '/order/v1/placeOrder', order, '10.9.9.9');
    expect(foreign.body, 'gateway dialect AG7002').toBe(
      '{"success":false,"message":"Unregistered IP","errorCode":"AG7002","data":""}',
    );
    const registered = await securePost(h, tokens.jwtToken, '/order/v1/placeOrder', order, '10.1.1.1');
    expect(registered.json().status, 'the registered address may trade').toBe(true);
    const read = await h.app.inject({
      method: 'GET',
      url: `${SECURE}/order/v1/getOrderBook`,
      headers: authHeaders(tokens.jwtToken),
      remoteAddress: '10.9.9.9',
    });
    expect(read.json().status, 'reads are not restricted').toBe(true);
  });
});
