import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../core/clock.js';
import { type ErrorCode, isIfError } from '../../../core/errors.js';
import { DAY_MS, istToEpochMs } from '../../../core/time.js';
import { generateTotp, verifyTotp } from '../auth/totp.js';
import { AngelRestClient, type AngelRestClientOptions } from './client.js';
import {
  type FakeAngelServer,
  type FakeHandler,
  fail,
  gateway,
  ok,
  PATHS,
  settle,
  startFakeAngelServer,
} from './fixtures/fakeAngelServer.js';
import type { SessionChange } from './types.js';

const START = istToEpochMs(2026, 11, 24, 9, 0);
const TOTP_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const TOKENS = { jwtToken: 'jwt-1', refreshToken: 'refresh-1', feedToken: 'feed-1' };
const TOKENS_2 = { jwtToken: 'jwt-2', refreshToken: 'refresh-2', feedToken: 'feed-2' };

let server: FakeAngelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function expectCode(promise: Promise<unknown>, code: ErrorCode, why: string) {
  try {
    await promise;
  } catch (error) {
    expect(isIfError(error) ? error.code : error, why).toBe(code);
    return error;
  }
  throw new Error(`expected ${code}: ${why}`);
}

/** Logged in with TOKENS; every other path answered by `routes` (or 404 text). */
function handlerWith(routes: Record<string, FakeHandler>): FakeHandler {
  return (request) => {
    if (request.path === PATHS.login) return ok(TOKENS);
    const route = routes[request.path];
    return route ? route(request) : { status: 404, text: 'no route' };
  };
}

async function setup(
  routes: Record<string, FakeHandler>,
  options: Partial<AngelRestClientOptions> = {},
  login = true,
): Promise<{ client: AngelRestClient; clock: SimulatedClock; server: FakeAngelServer }> {
  server = await startFakeAngelServer(handlerWith(routes));
  const clock = new SimulatedClock(START);
  const client = new AngelRestClient({
    baseUrl: server.baseUrl,
    apiKey: 'api-key-1',
    clientCode: 'A123456',
    clock,
    retry: { maxAttempts: 1 },
    ...options,
  });
  if (login) await settle(clock, client.login({ pin: '1234', totp: '123456' }));
  return { client, clock, server };
}

describe('AngelRestClient: login and session', () => {
  it('logs in with the §3.1 headers and no Authorization, then holds the tokens for the feed client', async () => {
    const { client, server } = await setup({}, {}, false);
    const changes: SessionChange[] = [];
    client.onSessionChanged((change) => changes.push(change));
    const session = await client.login({ pin: '1234', totp: '654321' });

    const [request] = server.hits(PATHS.login);
    expect(request?.method).toBe('POST');
    expect(request?.body, 'MPIN goes in "password"').toEqual({
      clientcode: 'A123456',
      password: '1234',
      totp: '654321',
    });
    const h = request?.headers ?? {};
    expect(h['content-type']).toBe('application/json');
    expect(h.accept).toBe('application/json');
    expect(h['x-usertype']).toBe('USER');
    expect(h['x-sourceid']).toBe('WEB');
    expect(h['x-privatekey']).toBe('api-key-1');
    expect(h['x-clientlocalip'], 'IP/MAC headers are always sent').toBeTruthy();
    expect(h['x-clientpublicip']).toBeTruthy();
    expect(h['x-macaddress']).toBeTruthy();
    expect(h.authorization, 'login carries no bearer token').toBeUndefined();

    expect(session).toEqual({
      clientCode: 'A123456',
      apiKey: 'api-key-1',
      jwtToken: 'jwt-1',
      feedToken: 'feed-1',
      obtainedAtMs: START,
    });
    expect(client.session(), 'session() returns what the feed needs').toEqual(session);
    expect(changes, 'the feed client hears about the login').toEqual([{ kind: 'login', session }]);
  });

  it("computes the TOTP from the secret at the Clock's time", async () => {
    const { client, clock, server } = await setup({}, {}, false);
    server.setHandler((request) => {
      const body = request.body as { totp?: string };
      return verifyTotp(TOTP_SECRET, body.totp ?? '', clock.now()).valid
        ? ok(TOKENS)
        : fail('AB1050', 'Invalid totp');
    });
    await client.loginWithTotpSecret({ pin: '1234', totpSecret: TOTP_SECRET });
    expect((server.requests[0]?.body as { totp?: string } | undefined)?.totp).toBe(
      generateTotp(TOTP_SECRET, START),
    );
    expect(client.isLoggedIn()).toBe(true);
  });

  it('a bad TOTP (AB1050) is IF_ERR_BROKER_AUTH and leaves the client logged out', async () => {
    const { client, server } = await setup({}, {}, false);
    server.setHandler(() => fail('AB1050', 'Invalid totp'));
    const error = await expectCode(
      client.login({ pin: '1234', totp: '000000' }),
      'IF_ERR_BROKER_AUTH',
      'bad TOTP',
    );
    expect(isIfError(error) && error.params.brokerCode, 'broker code kept').toBe('AB1050');
    expect(client.session()).toBeUndefined();
  });

  it('login refusals under generic codes (AB1007) are still auth errors', async () => {
    const { client, server } = await setup({}, {}, false);
    server.setHandler(() => fail('AB1007', 'Your user id or password is invalid'));
    await expectCode(client.login({ pin: '1234', totp: '000000' }), 'IF_ERR_BROKER_AUTH', 'AB1007 at login');
  });

  it('secure calls before login fail fast without touching the network', async () => {
    const { client, server } = await setup({}, {}, false);
    await expectCode(client.getProfile(), 'IF_ERR_BROKER_SESSION', 'not logged in');
    expect(server.requests.length, 'nothing sent').toBe(0);
  });

  it('AG8001 → one refresh → the same call once more with the new jwt', async () => {
    const { client, clock, server } = await setup({
      [PATHS.profile]: (r) =>
        r.headers.authorization === 'Bearer jwt-2'
          ? ok({ clientcode: 'A123456', name: 'Test', exchanges: ['nse_fo'], products: ['NRML'] })
          : gateway('AG8001', 'Invalid Token'),
      [PATHS.refresh]: (r) =>
        (r.body as { refreshToken?: string }).refreshToken === 'refresh-1' &&
        r.headers.authorization === 'Bearer jwt-1'
          ? ok(TOKENS_2)
          : fail('AB8050', 'Invalid Refresh Token'),
    });
    const changes: SessionChange[] = [];
    client.onSessionChanged((c) => changes.push(c));
    const profile = await settle(clock, client.getProfile());
    expect(profile.clientCode).toBe('A123456');
    expect(server.requests.map((r) => r.path).slice(1), 'profile, refresh, profile').toEqual([
      PATHS.profile,
      PATHS.refresh,
      PATHS.profile,
    ]);
    expect(client.session()?.feedToken, 'new feed token').toBe('feed-2');
    expect(
      changes.map((c) => c.kind),
      'feed client is told to pick up new tokens',
    ).toEqual(['refresh']);
  });

  it('concurrent calls rejected with the same jwt share one refresh', async () => {
    const { client, clock, server } = await setup({
      [PATHS.rms]: (r) =>
        r.headers.authorization === 'Bearer jwt-2'
          ? ok({ net: '100.50' })
          : gateway('AG8002', 'Token Expired'),
      [PATHS.refresh]: () => ok(TOKENS_2),
    });
    const results = await settle(clock, Promise.all([client.getRms(), client.getRms()]));
    expect(results.map((r) => r.net)).toEqual([10050, 10050]);
    expect(server.hits(PATHS.refresh).length, 'exactly one generateTokens').toBe(1);
  });

  it('a failed refresh surfaces IF_ERR_BROKER_SESSION and tells listeners the session expired', async () => {
    const { client, clock, server } = await setup({
      [PATHS.orderBook]: () => gateway('AG8001', 'Invalid Token'),
      [PATHS.refresh]: () => fail('AB8051', 'Refresh Token Expired'),
    });
    const changes: SessionChange[] = [];
    client.onSessionChanged((c) => changes.push(c));
    await expectCode(settle(clock, client.getOrderBook()), 'IF_ERR_BROKER_SESSION', 'refresh refused');
    expect(server.hits(PATHS.orderBook).length, 'the call is not repeated after a failed refresh').toBe(1);
    expect(changes).toEqual([{ kind: 'expired' }]);
    expect(client.isLoggedIn()).toBe(false);
  });

  it('logout posts the client code and drops the session', async () => {
    const { client, clock, server } = await setup({
      [PATHS.logout]: () => ({ json: { status: true, message: 'SUCCESS', errorcode: '', data: '' } }),
    });
    await settle(clock, client.logout());
    expect(server.hits(PATHS.logout)[0]?.body).toEqual({ clientcode: 'A123456' });
    expect(client.session()).toBeUndefined();
  });
});

describe('AngelRestClient: failure classification and resilience', () => {
  it('403 plain text is IF_ERR_BROKER_RATE_LIMITED', async () => {
    const { client, clock } = await setup({
      [PATHS.positions]: () => ({ status: 403, text: 'Access denied because of exceeding access rate' }),
    });
    const error = await expectCode(
      settle(clock, client.getPositions()),
      'IF_ERR_BROKER_RATE_LIMITED',
      '403 text',
    );
    expect(isIfError(error) && error.params.source, 'the broker refused, not our limiter').toBe('broker');
  });

  it('an HTML 502 is IF_ERR_BROKER_UNAVAILABLE', async () => {
    const { client, clock } = await setup({
      [PATHS.profile]: () => ({
        status: 502,
        contentType: 'text/html',
        text: '<html><body>502 Bad Gateway</body></html>',
      }),
    });
    await expectCode(settle(clock, client.getProfile()), 'IF_ERR_BROKER_UNAVAILABLE', 'HTML 502');
  });

  it('a response slower than timeoutMs is IF_ERR_BROKER_TIMEOUT', async () => {
    const { client, clock } = await setup({ [PATHS.rms]: () => ({ hang: true }) }, { timeoutMs: 100 });
    await expectCode(settle(clock, client.getRms()), 'IF_ERR_BROKER_TIMEOUT', 'server never answers');
  });

  it('a refused connection is IF_ERR_BROKER_UNAVAILABLE', async () => {
    const { client, clock, server: s } = await setup({});
    await s.close();
    server = undefined;
    await expectCode(settle(clock, client.getProfile()), 'IF_ERR_BROKER_UNAVAILABLE', 'nothing listening');
  });

  it('idempotent reads retry transient failures with backoff on the Clock', async () => {
    let calls = 0;
    const { client, clock, server } = await setup(
      {
        [PATHS.rms]: () => {
          calls++;
          return calls < 3 ? { status: 502, text: 'Bad Gateway' } : ok({ net: '5.00' });
        },
      },
      { retry: { maxAttempts: 3, initialDelayMs: 200 } },
    );
    const before = clock.now();
    const rms = await settle(clock, client.getRms());
    expect(rms.net).toBe(500);
    expect(server.hits(PATHS.rms).length, 'two failures then success').toBe(3);
    expect(clock.now() - before, 'backoff 200 + 400 ms of simulated time').toBeGreaterThanOrEqual(600);
  });

  it('order writes are never retried, even on a transient failure', async () => {
    const { client, clock, server } = await setup(
      { [PATHS.placeOrder]: () => ({ status: 502, text: 'Bad Gateway' }) },
      { retry: { maxAttempts: 5, initialDelayMs: 10 } },
    );
    await expectCode(
      settle(
        clock,
        client.placeOrder({
          variety: 'NORMAL',
          tradingSymbol: 'NIFTY24NOV2625000CE',
          symbolToken: '43650',
          transactionType: 'BUY',
          exchange: 'NFO',
          orderType: 'LIMIT',
          productType: 'CARRYFORWARD',
          duration: 'DAY',
          price: 10105,
          quantity: 75,
        }),
      ),
      'IF_ERR_BROKER_UNAVAILABLE',
      'place order 502',
    );
    expect(server.hits(PATHS.placeOrder).length, 'a retry could duplicate the order').toBe(1);
  });

  it('the breaker opens after repeated transport failures and then refuses without calling', async () => {
    const { client, clock, server } = await setup(
      {
        [PATHS.profile]: () => ({ status: 503, contentType: 'text/html', text: '<html>down</html>' }),
        [PATHS.ltp]: () => ok({ exchange: 'NSE', tradingsymbol: 'SBIN-EQ', symboltoken: '3045', ltp: 191.5 }),
      },
      { breaker: { consecutiveFailures: 3, halfOpenAfterMs: 60_000 } },
    );
    for (let i = 0; i < 3; i++) {
      await expectCode(settle(clock, client.getProfile()), 'IF_ERR_BROKER_UNAVAILABLE', `failure ${i + 1}`);
    }
    await expectCode(settle(clock, client.getProfile()), 'IF_ERR_BROKER_CIRCUIT_OPEN', 'fourth call refused');
    await expectCode(
      settle(clock, client.getRms()),
      'IF_ERR_BROKER_CIRCUIT_OPEN',
      'same group (account) is open',
    );
    expect(server.hits(PATHS.profile).length, 'the open breaker did not call').toBe(3);
    expect(client.breakerStates().account).toBe('open');
    const ltp = await settle(
      clock,
      client.getLtp({ exchange: 'NSE', tradingSymbol: 'SBIN-EQ', symbolToken: '3045' }),
    );
    expect(ltp.ltp, 'another group still works').toBe(19150);
  });

  it('business refusals (the broker answered "no") do not open the breaker', async () => {
    const { client, clock, server } = await setup(
      { [PATHS.orderBook]: () => fail('AB1013', 'Order not found') },
      { breaker: { consecutiveFailures: 2 } },
    );
    for (let i = 0; i < 3; i++) {
      await expectCode(settle(clock, client.getOrderBook()), 'IF_ERR_BROKER_ORDER', `refusal ${i + 1}`);
      clock.advanceBy(2000);
    }
    expect(server.hits(PATHS.orderBook).length, 'every call reached the broker').toBe(3);
    expect(client.breakerStates().orderRead, 'a healthy broker saying no keeps the circuit closed').toBe(
      'closed',
    );
  });

  it('paces calls under the sliding window (1/s for the order book) using the Clock', async () => {
    const sentAt: number[] = [];
    let clockRef: SimulatedClock | undefined;
    const recordingFetch: typeof fetch = (input, init) => {
      if (String(input).endsWith(PATHS.orderBook) && clockRef) sentAt.push(clockRef.now());
      return fetch(input, init);
    };
    const { client, clock } = await setup({ [PATHS.orderBook]: () => ok(null) }, { fetch: recordingFetch });
    clockRef = clock;
    await settle(clock, Promise.all([client.getOrderBook(), client.getOrderBook(), client.getOrderBook()]));
    expect(sentAt.length).toBe(3);
    for (let i = 1; i < sentAt.length; i++) {
      const gap = (sentAt[i] ?? 0) - (sentAt[i - 1] ?? 0);
      expect(gap, `call ${i + 1} waited for the 1 s window (plus padding)`).toBeGreaterThanOrEqual(1000);
    }
  });

  it('gives up with IF_ERR_BROKER_RATE_LIMITED when the wait would exceed maxWaitMs', async () => {
    const { client, clock, server } = await setup(
      { [PATHS.positions]: () => ok(null) },
      { limits: { maxWaitMs: 500 } },
    );
    await settle(clock, client.getPositions());
    const error = await expectCode(
      settle(clock, client.getPositions()),
      'IF_ERR_BROKER_RATE_LIMITED',
      'would wait ~1 s',
    );
    expect(isIfError(error) && error.params.source, 'our own limiter refused').toBe('client');
    expect(server.hits(PATHS.positions).length, 'the refused call was not sent').toBe(1);
  });

  it('order writes share one 9/s bucket across place, modify and cancel', async () => {
    const sentAt: number[] = [];
    let clockRef: SimulatedClock | undefined;
    const recordingFetch: typeof fetch = (input, init) => {
      if (String(input).includes('/order/v1/') && clockRef) sentAt.push(clockRef.now());
      return fetch(input, init);
    };
    const ack = ok({ orderid: '1', uniqueorderid: 'u-1' });
    const { client, clock } = await setup(
      { [PATHS.cancelOrder]: () => ack, [PATHS.modifyOrder]: () => ack },
      { fetch: recordingFetch },
    );
    clockRef = clock;
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 5; i++) calls.push(client.cancelOrder({ variety: 'NORMAL', orderId: String(i) }));
    for (let i = 0; i < 5; i++) {
      calls.push(
        client.modifyOrder({
          variety: 'NORMAL',
          orderId: String(i),
          orderType: 'LIMIT',
          productType: 'CARRYFORWARD',
          duration: 'DAY',
          price: 10000,
          quantity: 75,
          tradingSymbol: 'X',
          symbolToken: '1',
          exchange: 'NFO',
        }),
      );
    }
    await settle(clock, Promise.all(calls));
    const firstSecond = sentAt.filter((t) => t < START + 1000).length;
    expect(firstSecond, 'only 9 of 10 writes fit the first second').toBe(9);
    expect(sentAt.length).toBe(10);
  });
});

describe('AngelRestClient: endpoints and parsing', () => {
  it("splits a long candle range by the interval's max days and merges the pieces", async () => {
    const bodies: Array<{ fromdate: string; todate: string; interval: string }> = [];
    const { client, clock, server } = await setup({
      [PATHS.candles]: (r) => {
        const body = r.body as { fromdate: string; todate: string; interval: string };
        bodies.push(body);
        const day = body.fromdate.slice(0, 10);
        // each piece returns its first candle, plus a duplicate of a shared candle
        return ok([
          [`${day}T09:15:00+05:30`, 100.05, 101, 99.5, 100.55, 1200],
          ['2026-01-01T09:15:00+05:30', 1, 1, 1, 1, 0],
        ]);
      },
    });
    const fromMs = istToEpochMs(2026, 1, 1, 9, 15);
    const toMs = fromMs + 75 * DAY_MS;
    const candles = await settle(
      clock,
      client.getCandles({ exchange: 'NSE', symbolToken: '99926000', interval: 'ONE_MINUTE', fromMs, toMs }),
    );
    expect(server.hits(PATHS.candles).length, '75 days at 30 days per request').toBe(3);
    expect(bodies[0]?.fromdate, 'IST yyyy-MM-dd HH:mm').toBe('2026-01-01 09:15');
    for (let i = 0; i < bodies.length; i++) {
      const b = bodies[i];
      if (b === undefined) continue;
      const span =
        Date.parse(`${b.todate.replace(' ', 'T')}:00Z`) - Date.parse(`${b.fromdate.replace(' ', 'T')}:00Z`);
      expect(span, `piece ${i} spans less than 30 days`).toBeLessThan(30 * DAY_MS);
      expect(b.interval).toBe('ONE_MINUTE');
      const next = bodies[i + 1];
      if (next) {
        const gap =
          Date.parse(`${next.fromdate.replace(' ', 'T')}:00Z`) -
          Date.parse(`${b.todate.replace(' ', 'T')}:00Z`);
        expect(gap, 'pieces are contiguous, one minute apart').toBe(60_000);
      }
    }
    expect(bodies.at(-1)?.todate).toBe('2026-03-17 09:15');
    const times = candles.map((c) => c.timeMs);
    expect(new Set(times).size, 'duplicates merged').toBe(times.length);
    expect(
      [...times].sort((a, b) => a - b),
      'sorted',
    ).toEqual(times);
    const first = candles.find((c) => c.timeMs === istToEpochMs(2026, 1, 31, 9, 15));
    expect(first, 'second piece starts on 31 Jan').toBeDefined();
    expect(first?.open, 'rupees → paise').toBe(10005);
    expect(first?.close).toBe(10055);
    expect(first?.volume).toBe(1200);
  });

  it('empty candle ranges (data: null) are an empty list', async () => {
    const { client, clock } = await setup({ [PATHS.candles]: () => ok(null) });
    const candles = await settle(
      clock,
      client.getCandles({
        exchange: 'NFO',
        symbolToken: '1',
        interval: 'ONE_DAY',
        fromMs: START,
        toMs: START + DAY_MS,
      }),
    );
    expect(candles).toEqual([]);
  });

  it('parses position rows where every value is a string, including "- 2235.80"', async () => {
    const { client, clock } = await setup({
      [PATHS.positions]: () =>
        ok([
          {
            exchange: 'NFO',
            symboltoken: '43650',
            producttype: 'CARRYFORWARD',
            tradingsymbol: 'NIFTY24NOV2625000CE',
            symbolname: 'NIFTY',
            instrumenttype: 'OPTIDX',
            priceden: '1.00',
            pricenum: '1.00',
            genden: '1.00',
            gennum: '1.00',
            precision: '2',
            multiplier: '-1',
            boardlotsize: '1',
            buyqty: '75',
            sellqty: '150',
            buyamount: '2235.80',
            sellamount: '0.00',
            symbolgroup: 'XX',
            strikeprice: '25000.00',
            optiontype: 'CE',
            expirydate: '24NOV2026',
            lotsize: '75',
            cfbuyqty: '0',
            cfsellqty: '0',
            cfbuyamount: '0.00',
            cfsellamount: '0.00',
            buyavgprice: '29.81',
            sellavgprice: '0.00',
            avgnetprice: '29.81',
            netvalue: '- 2235.80',
            netqty: '-75',
            totalbuyvalue: '2235.80',
            totalsellvalue: '0.00',
            cfbuyavgprice: '0.00',
            cfsellavgprice: '0.00',
            totalbuyavgprice: '29.81',
            totalsellavgprice: '0.00',
            netprice: '29.81',
          },
        ]),
    });
    const [position] = await settle(clock, client.getPositions());
    expect(position?.netValue, '"- 2235.80" is −₹2235.80').toBe(-223580);
    expect(position?.netQty).toBe(-75);
    expect(position?.buyQty).toBe(75);
    expect(position?.buyAvgPrice).toBe(2981);
    expect(position?.strikePrice, 'strike in rupees → paise').toBe(2_500_000);
    expect(position?.lotSize).toBe(75);
    expect(position?.multiplier).toBe(-1);
  });

  it('empty books (data: null) are empty lists', async () => {
    const { client, clock } = await setup({
      [PATHS.orderBook]: () => ok(null),
      [PATHS.tradeBook]: () => ({ json: { status: true, message: 'SUCCESS', errorcode: '', data: 'null' } }),
      [PATHS.positions]: () => ok(null),
    });
    expect(await settle(clock, client.getOrderBook()), 'order book').toEqual([]);
    expect(await settle(clock, client.getTradeBook()), 'trade book ("null" string)').toEqual([]);
    expect(await settle(clock, client.getPositions()), 'positions').toEqual([]);
  });

  it('parses order-book rows with mixed number/string typing', async () => {
    const { client, clock } = await setup({
      [PATHS.orderBook]: () =>
        ok([
          {
            variety: 'NORMAL',
            ordertype: 'LIMIT',
            producttype: 'CARRYFORWARD',
            duration: 'DAY',
            price: 194.0,
            triggerprice: 0.0,
            quantity: '75',
            disclosedquantity: '0',
            squareoff: 0.0,
            stoploss: 0.0,
            trailingstoploss: 0.0,
            tradingsymbol: 'NIFTY24NOV2625000CE',
            transactiontype: 'BUY',
            exchange: 'NFO',
            symboltoken: '43650',
            ordertag: 'if-abc',
            instrumenttype: 'OPTIDX',
            strikeprice: 25000.0,
            optiontype: 'CE',
            expirydate: '24NOV2026',
            lotsize: '75',
            cancelsize: '0',
            averageprice: 193.95,
            filledshares: '75',
            unfilledshares: '0',
            orderid: '201020000000080',
            text: '',
            status: 'complete',
            orderstatus: 'complete',
            updatetime: '24-Nov-2026 10:15:31',
            exchtime: '24-Nov-2026 10:15:31',
            exchorderupdatetime: '24-Nov-2026 10:15:31',
            fillid: '',
            filltime: '',
            parentorderid: '',
            uniqueorderid: '05ebf91b-bea4-4a1d-b0f2-4259606570e3',
            exchangeorderid: '1100000000048358',
          },
          {
            orderid: '201020000000081',
            quantity: 10,
            strikeprice: '-1',
            status: 'rejected',
            text: 'RMS:Margin Exceeds',
            price: '0',
          },
        ]),
    });
    const [filled, rejected] = await settle(clock, client.getOrderBook());
    expect(filled?.price).toBe(19400);
    expect(filled?.averagePrice).toBe(19395);
    expect(filled?.strikePrice).toBe(2_500_000);
    expect(filled?.quantity).toBe(75);
    expect(filled?.updateTimeMs).toBe(istToEpochMs(2026, 11, 24, 10, 15, 31));
    expect(filled?.uniqueOrderId).toBe('05ebf91b-bea4-4a1d-b0f2-4259606570e3');
    expect(rejected?.strikePrice, '"-1" means no strike').toBeUndefined();
    expect(rejected?.text).toBe('RMS:Margin Exceeds');
  });

  it('a malformed row is IF_ERR_BROKER_RESPONSE naming the field, never its value', async () => {
    const { client, clock } = await setup({
      [PATHS.orderBook]: () => ok([{ orderid: '1', quantity: 'lots', status: 'open' }]),
    });
    const error = await expectCode(
      settle(clock, client.getOrderBook()),
      'IF_ERR_BROKER_RESPONSE',
      'bad quantity',
    );
    expect(isIfError(error) && String(error.params.detail)).toContain('quantity');
  });

  it('getQuote splits 120 tokens into requests of at most 50 and parses FULL quotes in paise', async () => {
    const { client, clock, server } = await setup({
      [PATHS.quote]: (r) => {
        const body = r.body as { mode: string; exchangeTokens: Record<string, string[]> };
        const fetched = Object.entries(body.exchangeTokens).flatMap(([exchange, tokens]) =>
          tokens.map((token) => ({
            exchange,
            tradingSymbol: `SYM${token}`,
            symbolToken: token,
            ltp: 568.2,
            open: 567.4,
            high: 569.35,
            low: 566.1,
            close: 567.4,
            lastTradeQty: 1,
            exchFeedTime: '21-Jun-2023 10:46:10',
            exchTradeTime: '21-Jun-2023 10:46:09',
            netChange: 0.8,
            percentChange: 0.14,
            avgPrice: 567.83,
            tradeVolume: 3556150,
            opnInterest: 0,
            lowerCircuit: 510.7,
            upperCircuit: 624.1,
            totBuyQuan: 1059700,
            totSellQuan: 1186861,
            '52WeekLow': 430.7,
            '52WeekHigh': 629.55,
            depth: {
              buy: [{ price: 568.2, quantity: 511, orders: 2 }],
              sell: [{ price: 568.25, quantity: 1074, orders: 4 }],
            },
          })),
        );
        return ok({ fetched, unfetched: [] });
      },
    });
    const nse = Array.from({ length: 70 }, (_, i) => String(1000 + i));
    const nfo = Array.from({ length: 50 }, (_, i) => String(40000 + i));
    const result = await settle(clock, client.getQuote('FULL', { NSE: nse, NFO: nfo }));
    const sizes = server
      .hits(PATHS.quote)
      .map(
        (r) =>
          Object.values((r.body as { exchangeTokens: Record<string, string[]> }).exchangeTokens).flat()
            .length,
      );
    expect(sizes, 'three requests, none above 50 tokens').toEqual([50, 50, 20]);
    expect(result.fetched.length).toBe(120);
    const q = result.fetched[0];
    expect(q?.ltp).toBe(56820);
    expect(q?.week52High).toBe(62955);
    expect(q?.depth?.sell[0]?.price).toBe(56825);
    expect(q?.exchFeedTimeMs).toBe(istToEpochMs(2023, 6, 21, 10, 46, 10));
  });

  it('getQuote reports unfetched tokens', async () => {
    const { client, clock } = await setup({
      [PATHS.quote]: () =>
        ok({
          fetched: [],
          unfetched: [
            {
              exchange: 'NSE',
              symbolToken: '',
              message: 'Symbol token cannot be empty',
              errorCode: 'AB4018',
            },
          ],
        }),
    });
    const result = await settle(clock, client.getQuote('LTP', { NSE: ['1'] }));
    expect(result.unfetched[0]?.errorCode).toBe('AB4018');
  });

  it('placeOrder sends rupee strings and returns the acknowledgement', async () => {
    const { client, clock, server } = await setup({
      [PATHS.placeOrder]: () =>
        ok({ script: 'NIFTY24NOV2625000CE', orderid: '200910000000111', uniqueorderid: '34reqfachdfih' }),
    });
    const ack = await settle(
      clock,
      client.placeOrder({
        variety: 'NORMAL',
        tradingSymbol: 'NIFTY24NOV2625000CE',
        symbolToken: '43650',
        transactionType: 'BUY',
        exchange: 'NFO',
        orderType: 'LIMIT',
        productType: 'CARRYFORWARD',
        duration: 'DAY',
        price: 10105,
        quantity: 75,
        orderTag: 'if-1',
      }),
    );
    expect(ack).toEqual({
      orderId: '200910000000111',
      uniqueOrderId: '34reqfachdfih',
      script: 'NIFTY24NOV2625000CE',
    });
    const body = server.hits(PATHS.placeOrder)[0]?.body as Record<string, string>;
    expect(body.price, '10105 paise is "101.05"').toBe('101.05');
    expect(body.quantity).toBe('75');
    expect(body.triggerprice).toBe('0.00');
    expect(body.ordertag).toBe('if-1');
    expect(server.hits(PATHS.placeOrder)[0]?.headers.authorization).toBe('Bearer jwt-1');
  });

  it("placeOrder keeps the broker's error details (code and message)", async () => {
    const { client, clock } = await setup({ [PATHS.placeOrder]: () => fail('AB2020', 'Insufficient Funds') });
    const error = await expectCode(
      settle(
        clock,
        client.placeOrder({
          variety: 'NORMAL',
          tradingSymbol: 'X',
          symbolToken: '1',
          transactionType: 'SELL',
          exchange: 'NFO',
          orderType: 'LIMIT',
          productType: 'CARRYFORWARD',
          duration: 'DAY',
          price: 100,
          quantity: 75,
        }),
      ),
      'IF_ERR_BROKER_FUNDS',
      'AB2020',
    );
    expect(isIfError(error) && error.params).toMatchObject({
      brokerCode: 'AB2020',
      detail: 'Insufficient Funds',
    });
  });

  it('placeOrder refuses bad input before spending rate budget', async () => {
    const { client, server } = await setup({});
    const base = {
      variety: 'NORMAL',
      tradingSymbol: 'X',
      symbolToken: '1',
      transactionType: 'BUY',
      exchange: 'NFO',
      orderType: 'LIMIT',
      productType: 'CARRYFORWARD',
      duration: 'DAY',
      price: 100,
      quantity: 75,
    } as const;
    await expectCode(
      client.placeOrder({ ...base, orderTag: 'x'.repeat(20) }),
      'IF_ERR_VALIDATION',
      'tag too long',
    );
    await expectCode(client.placeOrder({ ...base, quantity: 0 }), 'IF_ERR_VALIDATION', 'zero quantity');
    await expectCode(client.placeOrder({ ...base, price: 10.5 }), 'IF_ERR_VALIDATION', 'fractional paise');
    await expectCode(client.placeOrder({ ...base, price: 0 }), 'IF_ERR_VALIDATION', 'limit without price');
    expect(server.hits(PATHS.placeOrder).length, 'nothing sent').toBe(0);
  });

  it('getOrderDetails puts the unique order id in the path', async () => {
    const { client, clock, server } = await setup({
      [`${PATHS.orderDetails}05ebf91b-bea4`]: () =>
        ok({ orderid: '1', uniqueorderid: '05ebf91b-bea4', quantity: '75', status: 'open' }),
    });
    const order = await settle(clock, client.getOrderDetails('05ebf91b-bea4'));
    expect(order.status).toBe('open');
    expect(server.requests.at(-1)?.method).toBe('GET');
  });

  it('getProfile accepts exchanges as an array (live) or a JSON string (docs)', async () => {
    const { client, clock, server } = await setup({
      [PATHS.profile]: () =>
        ok({
          clientcode: 'A123456',
          name: 'T',
          email: '',
          mobileno: '',
          exchanges: '["NSE","BSE"]',
          products: ['MARGIN', 'MIS'],
          lastlogintime: '',
          brokerid: 'B2C',
        }),
    });
    const profile = await settle(clock, client.getProfile());
    expect(profile.exchanges).toEqual(['NSE', 'BSE']);
    expect(profile.products).toEqual(['MARGIN', 'MIS']);
    expect(profile.broker).toBe('B2C');
    expect(server.hits(PATHS.profile)[0]?.method).toBe('GET');
  });

  it('getRms converts every amount to paise and keeps nulls as undefined', async () => {
    const { client, clock } = await setup({
      [PATHS.rms]: () =>
        ok({ net: '9999999999999.00', availablecash: '1234.56', m2munrealized: null, utilisedpayout: '' }),
    });
    const rms = await settle(clock, client.getRms());
    expect(rms.availableCash).toBe(123456);
    expect(rms.net).toBe(999999999999900);
    expect(rms.m2mUnrealized).toBeUndefined();
    expect(rms.utilisedPayout).toBeUndefined();
  });
});
