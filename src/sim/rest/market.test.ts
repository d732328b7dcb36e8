import { afterEach, describe, expect, it } from 'vitest';
import { istToEpochMs } from '../../core/time.js';
import { type Harness, SECURE, authHeaders, harness, login, securePost } from './harness.test-support.js';

let h: Harness;
afterEach(async () => {
  await h.app.close();
});

const FULL_KEYS = [
  'exchange',
  'tradingSymbol',
  'symbolToken',
  'ltp',
  'open',
  'high',
  'low',
  'close',
  'lastTradeQty',
  'exchFeedTime',
  'exchTradeTime',
  'netChange',
  'percentChange',
  'avgPrice',
  'tradeVolume',
  'opnInterest',
  'lowerCircuit',
  'upperCircuit',
  'totBuyQuan',
  'totSellQuan',
  '52WeekLow',
  '52WeekHigh',
  'depth',
];

describe('market/v1/quote', () => {
  it('answers FULL with camel-case keys in order, rupee floats and five depth levels a side', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    const res = await securePost(h, jwtToken, '/market/v1/quote', {
      mode: 'FULL',
      exchangeTokens: { NFO: ['52101'] },
    });
    const body = res.json();
    expect(body.status).toBe(true);
    expect(body.data.unfetched, 'nothing unfetched').toEqual([]);
    const item = body.data.fetched[0];
    expect(Object.keys(item), 'FULL key order').toEqual(FULL_KEYS);
    expect(item.ltp, 'rupees, not paise').toBe(145.6);
    expect(item.close, 'previous close in rupees').toBe(144.1);
    expect(item.netChange, 'ltp - close').toBe(1.5);
    expect(item.percentChange, 'two-decimal percent').toBe(1.04);
    expect(item.exchFeedTime, 'dd-Mon-yyyy HH:mm:ss IST').toBe('25-Nov-2026 10:30:00');
    expect(item.opnInterest).toBe(6_500_000);
    expect(item.depth.buy, 'five bids').toHaveLength(5);
    expect(item.depth.sell, 'five asks').toHaveLength(5);
    expect(item.depth.buy[0], 'best bid one tick below').toEqual({ price: 145.55, quantity: 650, orders: 3 });
    expect(item.depth.sell[0], 'best ask one tick above').toEqual({
      price: 145.65,
      quantity: 650,
      orders: 3,
    });
  });

  it('answers LTP and OHLC with only their fields, echoing the requested token', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    const ltp = (
      await securePost(h, jwtToken, '/market/v1/quote', { mode: 'LTP', exchangeTokens: { NSE: ['26000'] } })
    ).json().data.fetched[0];
    expect(ltp, 'LTP mode; the exchange-style index token resolves and is echoed').toEqual({
      exchange: 'NSE',
      tradingSymbol: 'Nifty 50',
      symbolToken: '26000',
      ltp: 26012.3,
    });
    h.clock.advanceBy(1_000);
    const ohlc = (
      await securePost(h, jwtToken, '/market/v1/quote', { mode: 'OHLC', exchangeTokens: { NSE: ['3045'] } })
    ).json().data.fetched[0];
    expect(Object.keys(ohlc), 'OHLC key order').toEqual([
      'exchange',
      'tradingSymbol',
      'symbolToken',
      'ltp',
      'open',
      'high',
      'low',
      'close',
    ]);
  });

  it('fills an index depth with zero rows rather than sending fewer than five', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    const item = (
      await securePost(h, jwtToken, '/market/v1/quote', {
        mode: 'FULL',
        exchangeTokens: { NSE: ['99926000'] },
      })
    ).json().data.fetched[0];
    expect(item.depth.buy, 'five zero bids').toEqual(Array(5).fill({ price: 0, quantity: 0, orders: 0 }));
    expect(item.tradeVolume, 'indices trade no volume').toBe(0);
  });

  it('lists empty tokens as unfetched with AB4018 and unknown ones with AB1018', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    const body = (
      await securePost(h, jwtToken, '/market/v1/quote', {
        mode: 'LTP',
        exchangeTokens: { NSE: ['3045', '', '424242'], NFO: ['3045'] },
      })
    ).json();
    expect(
      body.data.fetched.map((f: { symbolToken: string }) => f.symbolToken),
      'only the real token',
    ).toEqual(['3045']);
    expect(body.data.unfetched, 'unfetched items with their codes').toEqual([
      { exchange: 'NSE', symbolToken: '', message: 'Symbol token cannot be empty', errorCode: 'AB4018' },
      {
        exchange: 'NSE',
        symbolToken: '424242',
        message: 'Failed to get symbol details',
        errorCode: 'AB1018',
      },
      { exchange: 'NFO', symbolToken: '3045', message: 'Failed to get symbol details', errorCode: 'AB1018' },
    ]);
  });

  it('refuses more than 50 tokens in one request', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    const tokens = Array.from({ length: 51 }, () => '3045');
    const body = (
      await securePost(h, jwtToken, '/market/v1/quote', { mode: 'LTP', exchangeTokens: { NSE: tokens } })
    ).json();
    expect(body.status, '51 tokens is over the cap').toBe(false);
    expect(body.errorcode).toBe('AB1004');
    h.clock.advanceBy(1_000);
    const fifty = (
      await securePost(h, jwtToken, '/market/v1/quote', {
        mode: 'LTP',
        exchangeTokens: { NSE: tokens.slice(1) },
      })
    ).json();
    expect(fifty.data.fetched, 'exactly 50 is allowed').toHaveLength(50);
  });
});

describe('getLtpData and searchScrip', () => {
  it('answers getLtpData in rupees', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    const body = (
      await securePost(h, jwtToken, '/order/v1/getLtpData', {
        exchange: 'NSE',
        tradingsymbol: 'SBIN-EQ',
        symboltoken: '3045',
      })
    ).json();
    expect(body.data, 'ltp data fields in rupees').toEqual({
      exchange: 'NSE',
      tradingsymbol: 'SBIN-EQ',
      symboltoken: '3045',
      open: 811.25,
      high: 814.25,
      low: 809.25,
      close: 810.75,
      ltp: 812.25,
    });
  });

  it('finds trading symbols containing the search text on the exchange', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    const body = (
      await securePost(h, jwtToken, '/order/v1/searchScrip', { exchange: 'NFO', searchscrip: 'nifty01dec' })
    ).json();
    expect(body.data, 'both options of the expiry').toEqual([
      { exchange: 'NFO', tradingsymbol: 'NIFTY01DEC2626000CE', symboltoken: '52101' },
      { exchange: 'NFO', tradingsymbol: 'NIFTY01DEC2626000PE', symboltoken: '52102' },
    ]);
  });
});

describe('historical getCandleData', () => {
  const candles = (jwt: string, body: Record<string, unknown>) =>
    securePost(h, jwt, '/historical/v1/getCandleData', body);

  it('answers arrays of [timestamp +05:30, o, h, l, c, v] aligned to 09:15', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    const body = (
      await candles(jwtToken, {
        exchange: 'NFO',
        symboltoken: '52001',
        interval: 'ONE_HOUR',
        fromdate: '2026-11-20 09:15',
        todate: '2026-11-20 15:30',
      })
    ).json();
    expect(body.status).toBe(true);
    const stamps = body.data.map((row: unknown[]) => row[0]);
    expect(stamps, 'hourly bars from 09:15, the last one 15:15').toEqual([
      '2026-11-20T09:15:00+05:30',
      '2026-11-20T10:15:00+05:30',
      '2026-11-20T11:15:00+05:30',
      '2026-11-20T12:15:00+05:30',
      '2026-11-20T13:15:00+05:30',
      '2026-11-20T14:15:00+05:30',
      '2026-11-20T15:15:00+05:30',
    ]);
    for (const row of body.data as [string, number, number, number, number, number][]) {
      const [, open, high, low, close, volume] = row;
      expect(row, 'six elements').toHaveLength(6);
      expect(low, 'low is the lowest').toBeLessThanOrEqual(Math.min(open, close));
      expect(high, 'high is the highest').toBeGreaterThanOrEqual(Math.max(open, close));
      expect(Number.isInteger(Math.round(open * 20)), 'prices on the 0.05 tick').toBe(true);
      expect(volume, 'futures trade volume').toBeGreaterThan(0);
    }
  });

  it('is deterministic: the same request gives the same candles', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    const req = {
      exchange: 'NSE',
      symboltoken: '99926000',
      interval: 'FIVE_MINUTE',
      fromdate: '2026-11-02 09:15',
      todate: '2026-11-06 15:30',
    };
    const first = (await candles(jwtToken, req)).body;
    h.clock.advanceBy(1_000);
    const second = (await candles(jwtToken, req)).body;
    expect(second, 'seeded by token and date').toBe(first);
    const rows = JSON.parse(first).data as unknown[][];
    expect(rows, '5 sessions x 75 five-minute bars').toHaveLength(375);
    expect(
      rows.every((r) => r[5] === 0),
      'index volume is 0',
    ).toBe(true);
  });

  it("ends today's intraday candles at the model's last price and stamps daily bars at midnight", async () => {
    h = harness();
    const { jwtToken } = await login(h);
    const intraday = (
      await candles(jwtToken, {
        exchange: 'NSE',
        symboltoken: '3045',
        interval: 'ONE_MINUTE',
        fromdate: '2026-11-25 09:15',
        todate: '2026-11-25 15:30',
      })
    ).json().data as [string, number, number, number, number, number][];
    expect(intraday, '09:15 to 10:30 inclusive so far').toHaveLength(76);
    expect(intraday.at(-1)?.[0], 'the forming bar').toBe('2026-11-25T10:30:00+05:30');
    expect(intraday.at(-1)?.[4], "the last close is the model's LTP").toBe(812.25);
    expect(intraday[0]?.[1], "the first open is the model's open").toBe(811.25);
    h.clock.advanceBy(1_000);
    const daily = (
      await candles(jwtToken, {
        exchange: 'NSE',
        symboltoken: '3045',
        interval: 'ONE_DAY',
        fromdate: '2026-11-16 00:00',
        todate: '2026-11-25 23:59',
      })
    ).json().data as [string, number, number, number, number, number][];
    expect(
      daily.map((r) => r[0]),
      'trading days only (no weekend, no 24-Nov Gurpurb holiday), stamped at midnight',
    ).toEqual([
      '2026-11-16T00:00:00+05:30',
      '2026-11-17T00:00:00+05:30',
      '2026-11-18T00:00:00+05:30',
      '2026-11-19T00:00:00+05:30',
      '2026-11-20T00:00:00+05:30',
      '2026-11-23T00:00:00+05:30',
      '2026-11-25T00:00:00+05:30',
    ]);
    expect(daily.at(-2)?.[4], "the last session's close is the model's previous close").toBe(810.75);
  });

  it('refuses ranges beyond the interval maximum, bad date formats and unknown intervals', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    const base = { exchange: 'NSE', symboltoken: '3045' };
    const tooLong = (
      await candles(jwtToken, {
        ...base,
        interval: 'ONE_MINUTE',
        fromdate: '2026-10-01 09:15',
        todate: '2026-11-01 09:15',
      })
    ).json();
    expect(tooLong.status, 'ONE_MINUTE allows 30 days').toBe(false);
    expect(tooLong.errorcode, 'range error code').toBe('AB2001');
    h.clock.advanceBy(1_000);
    const fits = (
      await candles(jwtToken, {
        ...base,
        interval: 'ONE_MINUTE',
        fromdate: '2026-10-02 09:15',
        todate: '2026-11-01 09:15',
      })
    ).json();
    expect(fits.status, 'exactly 30 days is allowed').toBe(true);
    h.clock.advanceBy(1_000);
    const badDate = (
      await candles(jwtToken, {
        ...base,
        interval: 'ONE_DAY',
        fromdate: '2026-10-02T09:15',
        todate: '2026-11-01 09:15',
      })
    ).json();
    expect(badDate.errorcode, 'date must be yyyy-MM-dd HH:mm').toBe('AB2001');
    h.clock.advanceBy(1_000);
    const badInterval = (
      await candles(jwtToken, {
        ...base,
        interval: 'TWO_HOUR',
        fromdate: '2026-10-02 09:15',
        todate: '2026-11-01 09:15',
      })
    ).json();
    expect(badInterval.errorcode, 'no 2h interval exists').toBe('AB1004');
  });

  it('serves getOIData rows for derivatives in whole lots', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    const body = (
      await securePost(h, jwtToken, '/historical/v1/getOIData', {
        exchange: 'NFO',
        symboltoken: '52101',
        interval: 'THIRTY_MINUTE',
        fromdate: '2026-11-25 09:15',
        todate: '2026-11-25 15:30',
      })
    ).json();
    expect(body.data[0], 'time and oi').toEqual({
      time: '2026-11-25T09:15:00+05:30',
      oi: expect.any(Number),
    });
    expect(body.data.at(-1).oi, "the latest bar ends at the model's OI").toBe(6_500_000);
    for (const row of body.data) expect(row.oi % 65, 'OI moves in lots of 65').toBe(0);
  });
});

describe('instrument master', () => {
  it('serves the scrip master as one JSON array without auth, serialised once per day', async () => {
    h = harness();
    const first = await h.app.inject({ method: 'GET', url: '/OpenAPI_File/files/OpenAPIScripMaster.json' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type'], 'JSON content type').toMatch(/^application\/json/);
    const rows = first.json() as Record<string, unknown>[];
    expect(rows, 'one row per instrument').toHaveLength(5);
    expect(rows[1], 'every value a string, Angel field names').toEqual({
      token: '52001',
      symbol: 'NIFTY29DEC26FUT',
      name: 'NIFTY',
      expiry: '29DEC2026',
      strike: '-1.000000',
      lotsize: '65',
      instrumenttype: 'FUTIDX',
      exch_seg: 'NFO',
      tick_size: '5.000000',
    });
    await h.app.inject({ method: 'GET', url: '/OpenAPI_File/files/OpenAPIScripMaster.json' });
    expect(h.market.scripMasterCalls, 'cached serialisation within the day').toBe(1);
    h.clock.advanceTo(istToEpochMs(2026, 11, 26, 8, 0));
    await h.app.inject({ method: 'GET', url: '/OpenAPI_File/files/OpenAPIScripMaster.json' });
    expect(h.market.scripMasterCalls, 'regenerated on a new IST day').toBe(2);
  });
});

describe('GTT and stubs', () => {
  it('creates, lists and cancels a GTT rule', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    const created = (
      await securePost(h, jwtToken, '/gtt/v1/createRule', {
        tradingsymbol: 'SBIN-EQ',
        symboltoken: '3045',
        exchange: 'NSE',
        transactiontype: 'BUY',
        producttype: 'DELIVERY',
        price: 800,
        qty: 10,
        triggerprice: 805,
        disclosedqty: 0,
      })
    ).json().data;
    const list = (
      await securePost(h, jwtToken, '/gtt/v1/ruleList', { status: ['NEW', 'ACTIVE'], page: 1, count: 10 })
    ).json().data;
    expect(list, 'live answers an array').toHaveLength(1);
    expect(list[0].gttType, 'live extra fields').toBe('GENERIC');
    const cancelled = (
      await securePost(h, jwtToken, '/gtt/v1/cancelRule', {
        id: created.id,
        symboltoken: '3045',
        exchange: 'NSE',
      })
    ).json();
    expect(cancelled.data, 'cancel answers the id').toEqual({ id: created.id });
    const bad = (await securePost(h, jwtToken, '/gtt/v1/createRule', { exchange: 'NFO' })).json();
    expect(bad.errorcode, 'GTT is NSE/BSE only').toBe('AB9010');
  });

  it('answers the analytics and margin stubs in their documented shapes', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    const greeks = (
      await securePost(h, jwtToken, '/marketData/v1/optionGreek', { name: 'NIFTY', expirydate: '01DEC2026' })
    ).json();
    expect(greeks.data, 'an empty list of greeks').toEqual([]);
    const margin = (await securePost(h, jwtToken, '/margin/v1/batch', { positions: [] })).json();
    expect(Object.keys(margin.data.marginComponents), 'margin components').toEqual([
      'netPremium',
      'spanMargin',
      'marginBenefit',
      'deliveryMargin',
      'nonNFOMargin',
      'totOptionsPremium',
    ]);
    const holdings = await h.app.inject({
      method: 'GET',
      url: `${SECURE}/portfolio/v1/getAllHolding`,
      headers: authHeaders(jwtToken),
    });
    expect(holdings.json().data.holdings, 'no holdings').toEqual([]);
  });
});
