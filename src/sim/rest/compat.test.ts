/**
 * The project's own Angel One clients (src/brokers/angelone) against the simulator over real loopback
 * sockets, unchanged: the simulator is only faithful if the code that talks to Angel works against it.
 * Both sides run on one ScaledClock at speed 1 (simulated 25-Nov-2026 10:30 IST moving with wall time),
 * because the client paces its rate limits on its clock and the simulator enforces them on its own.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AngelOrderUpdatesClient, type OrderUpdate } from '../../brokers/angelone/orderupdates/index.js';
import { AngelRestClient } from '../../brokers/angelone/rest/index.js';
import { type Paise, isIfError } from '../../core/index.js';
import { ScaledClock } from '../../engine/clocks.js';
import { SimSessionStore } from '../auth/sessions.js';
import { type OrderFeed, attachOrderFeed } from '../orderfeed/index.js';
import { SimOrderEngine } from '../orders/index.js';
import { createSimRestApp } from './app.js';
import { SimRestFaults } from './faults.js';
import { FakeMarket, MARKET_OPEN_MS, OTHER_ACCOUNT, TEST_ACCOUNT } from './testkit.js';

interface Running {
  close(): Promise<void>;
}
const running: Running[] = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.close();
});

async function simulator(): Promise<{
  baseUrl: string;
  clock: ScaledClock;
  faults: SimRestFaults;
  feed: OrderFeed;
}> {
  const clock = new ScaledClock(MARKET_OPEN_MS, 1);
  const sessions = new SimSessionStore(clock);
  const market = new FakeMarket(clock);
  const orders = new SimOrderEngine({ clock, market, clientCode: TEST_ACCOUNT.clientCode });
  const faults = new SimRestFaults();
  const app = createSimRestApp({
    clock,
    sessions,
    accounts: [TEST_ACCOUNT, OTHER_ACCOUNT],
    market,
    orders,
    faults,
  });
  const feed = attachOrderFeed(app.server, { sessions, orders, timerClock: clock });
  await app.listen({ port: 0, host: '127.0.0.1' });
  running.push({
    close: async () => {
      await feed.close();
      await app.close();
      clock.clearAll();
    },
  });
  const { port } = app.server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, clock, faults, feed };
}

function restClient(baseUrl: string, clock: ScaledClock): AngelRestClient {
  return new AngelRestClient({
    baseUrl,
    apiKey: TEST_ACCOUNT.apiKey,
    clientCode: TEST_ACCOUNT.clientCode,
    clock,
    retry: { maxAttempts: 1 },
  });
}

describe('the Angel One REST client against the simulator', () => {
  it('logs in with a TOTP secret, reads profile, funds, quotes, LTP and candles', async () => {
    const sim = await simulator();
    const client = restClient(sim.baseUrl, sim.clock);
    const session = await client.loginWithTotpSecret({
      pin: TEST_ACCOUNT.pin,
      totpSecret: TEST_ACCOUNT.totpSecret,
    });
    expect(session.jwtToken.split('.'), 'a JWT-shaped token').toHaveLength(3);
    const profile = await client.getProfile();
    expect(profile, 'profile parsed').toMatchObject({ clientCode: TEST_ACCOUNT.clientCode });
    await client.getRms();
    const quote = await client.getQuote('FULL', { NFO: ['52101'], NSE: ['424242'] });
    expect(quote.fetched, 'one quote').toHaveLength(1);
    expect(quote.unfetched, 'the unknown token is unfetched').toHaveLength(1);
    const ltp = await client.getLtp({ exchange: 'NSE', tradingSymbol: 'SBIN-EQ', symbolToken: '3045' });
    expect(ltp, 'LTP in paise').toMatchObject({ ltp: 81_225 as Paise });
    const candles = await client.getCandles({
      exchange: 'NSE',
      symbolToken: '3045',
      interval: 'FIVE_MINUTE',
      fromMs: MARKET_OPEN_MS - 75 * 60_000,
      toMs: MARKET_OPEN_MS,
    });
    expect(candles.length, '09:15 to 10:30 in five-minute bars').toBe(16);
    expect(candles[0]?.timeMs, 'the first bar opens at 09:15 IST').toBe(MARKET_OPEN_MS - 75 * 60_000);
  });

  it('places, reads and cancels an order, and the order-status client sees AB00 then the updates', async () => {
    const sim = await simulator();
    const client = restClient(sim.baseUrl, sim.clock);
    await client.loginWithTotpSecret({ pin: TEST_ACCOUNT.pin, totpSecret: TEST_ACCOUNT.totpSecret });
    const tokens = client.session();
    if (tokens === undefined) throw new Error('no session after login');

    const updates: OrderUpdate[] = [];
    let wake: (() => void) | undefined;
    const updatesClient = new AngelOrderUpdatesClient({
      url: `${sim.baseUrl.replace('http', 'ws')}/smart-order-update`,
      credentials: () => ({
        jwtToken: tokens.jwtToken,
        apiKey: tokens.apiKey,
        clientCode: tokens.clientCode,
      }),
      clock: sim.clock,
    });
    running.push({ close: () => updatesClient.close() });
    updatesClient.onUpdate((update) => {
      updates.push(update);
      wake?.();
    });
    const until = async (n: number): Promise<void> => {
      while (updates.length < n) await new Promise<void>((resolve) => (wake = resolve));
    };
    updatesClient.start();
    await until(1);
    expect(updates[0]?.statusCode, 'the acknowledgement first').toBe('AB00');

    const ack = await client.placeOrder({
      variety: 'NORMAL',
      tradingSymbol: 'NIFTY01DEC2626000CE',
      symbolToken: '52101',
      transactionType: 'BUY',
      exchange: 'NFO',
      orderType: 'LIMIT',
      productType: 'CARRYFORWARD',
      duration: 'DAY',
      quantity: 65,
      price: 14_000,
      orderTag: 'compat-1',
    });
    await until(3);
    expect(
      updates.slice(1, 3).map((u) => u.statusCode),
      'open pending, then open',
    ).toEqual(['AB09', 'AB01']);
    expect(updates[2]?.order.orderId, 'the pushed order is the placed one').toBe(ack.orderId);
    expect(updates[2]?.order.pricePaise, 'rupees on the wire, paise in the client').toBe(14_000);

    const book = await client.getOrderBook();
    expect(
      book.map((o) => [o.orderId, o.status]),
      'the order book',
    ).toEqual([[ack.orderId, 'open']]);
    const details = await client.getOrderDetails(ack.uniqueOrderId);
    expect(details.orderId, 'details by uniqueorderid').toBe(ack.orderId);
    expect(await client.getTradeBook(), 'no fills yet: data null reads as empty').toEqual([]);
    expect(await client.getPositions(), 'flat: data null reads as empty').toEqual([]);

    await client.cancelOrder({ variety: 'NORMAL', orderId: ack.orderId });
    await until(4);
    expect(updates[3]?.statusCode, 'cancelled').toBe('AB02');
  });

  it('surfaces the simulator faults as the coded errors the client promises', async () => {
    const sim = await simulator();
    const client = restClient(sim.baseUrl, sim.clock);
    await client.loginWithTotpSecret({ pin: TEST_ACCOUNT.pin, totpSecret: TEST_ACCOUNT.totpSecret });
    const codeOf = async (call: () => Promise<unknown>): Promise<string> => {
      try {
        await call();
        return 'no error';
      } catch (error) {
        return isIfError(error) ? error.code : String(error);
      }
    };
    sim.faults.forceRateLimit(1, 'getRMS');
    expect(await codeOf(() => client.getRms()), '403 text is a rate limit').toBe(
      'IF_ERR_BROKER_RATE_LIMITED',
    );
    sim.faults.forceGatewayError(502, 1, 'getRMS');
    expect(await codeOf(() => client.getRms()), 'an HTML 502 is unavailability').toBe(
      'IF_ERR_BROKER_UNAVAILABLE',
    );
    sim.faults.forceInvalidToken(1);
    expect(await codeOf(() => client.getRms()), 'one forced AG8001 is healed by a refresh and retry').toBe(
      'no error',
    );
  });
});
