import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../core/clock.js';
import { istToEpochMs } from '../../core/time.js';
import { SimSessionStore } from '../auth/sessions.js';
import { createMarketModel, type SimMarketModel } from '../market/index.js';
import { SimOrderEngine } from '../orders/index.js';
import { createSimRestApp } from './app.js';
import { type RestTarget, login, securePost } from './harness.test-support.js';
import { SimRestFaults } from './faults.js';
import { OTHER_ACCOUNT, TEST_ACCOUNT } from './testkit.js';

/** The REST API over the simulator's real market model (createMarketModel), not the test fake. */
const START = istToEpochMs(2026, 11, 25, 10, 0);

let h: RestTarget;
let model: SimMarketModel;
afterEach(async () => {
  await h.app.close();
});

function start(): void {
  const clock = new SimulatedClock(START - 60_000);
  model = createMarketModel({ seed: 7, startMs: clock.now(), underlyings: ['NIFTY'], strikesEachSide: 3 });
  clock.advanceTo(START);
  model.advanceTo(START);
  const sessions = new SimSessionStore(clock);
  const orders = new SimOrderEngine({ clock, market: model, clientCode: TEST_ACCOUNT.clientCode });
  const faults = new SimRestFaults();
  const app = createSimRestApp({
    clock,
    sessions,
    accounts: [TEST_ACCOUNT, OTHER_ACCOUNT],
    market: model,
    orders,
    faults,
  });
  h = { app, clock };
}

describe('REST over the real market model', () => {
  it('serves the model instrument master and quotes its options', async () => {
    start();
    const master = await h.app.inject({ method: 'GET', url: '/OpenAPI_File/files/OpenAPIScripMaster.json' });
    const rows = master.json() as Record<string, string>[];
    expect(rows.length, 'one row per model instrument').toBe(model.instruments.length);
    const option = model.instruments.find((i) => i.kind === 'option');
    if (option === undefined) throw new Error('the model lists no options');
    const { jwtToken } = await login(h);
    const quote = (
      await securePost(h, jwtToken, '/market/v1/quote', {
        mode: 'FULL',
        exchangeTokens: { NFO: [option.token] },
      })
    ).json();
    const item = quote.data.fetched[0];
    expect(item.tradingSymbol, 'the model symbol').toBe(option.symbol);
    expect(item.ltp, 'rupees: the model state in paise / 100').toBe(
      (model.state(option.token)?.lastTradedPrice ?? 0) / 100,
    );
    expect(item.depth.buy, 'five levels').toHaveLength(5);
  });

  it('computes optionGreek rows from the model smile, all strings, deltas with the right signs', async () => {
    start();
    const { jwtToken } = await login(h);
    const expiry = model.optionExpiries('NIFTY')[0] ?? '';
    const [y, m, d] = expiry.split('-');
    const months = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
    const expirydate = `${d}${months[Number(m) - 1]}${y}`;
    const body = (
      await securePost(h, jwtToken, '/marketData/v1/optionGreek', { name: 'NIFTY', expirydate })
    ).json();
    expect(body.data.length, 'both sides of 7 strikes').toBe(14);
    for (const row of body.data as Record<string, string>[]) {
      for (const [key, value] of Object.entries(row))
        expect(typeof value, `${key} is a string`).toBe('string');
      const delta = Number(row.delta);
      if (row.optionType === 'CE') expect(delta > 0 && delta < 1, `call delta ${delta} in (0, 1)`).toBe(true);
      else expect(delta < 0 && delta > -1, `put delta ${delta} in (-1, 0)`).toBe(true);
      expect(Number(row.impliedVolatility), 'IV in percent').toBeGreaterThan(1);
      expect(Number(row.theta), 'long options lose value by the day').toBeLessThan(0);
    }
  });

  it("ends the index's daily history at the model's previous close", async () => {
    start();
    const { jwtToken } = await login(h);
    const body = (
      await securePost(h, jwtToken, '/historical/v1/getCandleData', {
        exchange: 'NSE',
        symboltoken: '99926000',
        interval: 'ONE_DAY',
        fromdate: '2026-11-01 00:00',
        todate: '2026-11-25 15:30',
      })
    ).json();
    const rows = body.data as [string, number, number, number, number, number][];
    expect(rows.at(-1)?.[0], 'today last').toBe('2026-11-25T00:00:00+05:30');
    expect(rows.at(-2)?.[0], 'the 24th was a holiday').toBe('2026-11-23T00:00:00+05:30');
    expect(rows.at(-2)?.[4], "the previous session closes at the model's previous close").toBe(
      (model.state('99926000')?.close ?? 0) / 100,
    );
  });
});
