import { describe, expect, it } from 'vitest';
import { NIFTY_CE, NIFTY_FUT } from './fixtures/fakeMarket.js';
import { CLIENT, optionOrder, placeOk, row, setup } from './fixtures/harness.js';
import { POSITION_FIELDS, RMS_FIELDS, TRADE_BOOK_FIELDS } from './types.js';

const CE = NIFTY_CE.token;

/** Reference §2: the order-status socket's orderData typing, which order-book rows share. */
const ORDER_DATA_TYPES = {
  variety: 'string',
  ordertype: 'string',
  ordertag: 'string',
  producttype: 'string',
  price: 'number',
  triggerprice: 'number',
  quantity: 'string',
  disclosedquantity: 'string',
  duration: 'string',
  squareoff: 'number',
  stoploss: 'number',
  trailingstoploss: 'number',
  tradingsymbol: 'string',
  transactiontype: 'string',
  exchange: 'string',
  symboltoken: 'string',
  instrumenttype: 'string',
  strikeprice: 'number',
  optiontype: 'string',
  expirydate: 'string',
  lotsize: 'string',
  cancelsize: 'string',
  averageprice: 'number',
  filledshares: 'string',
  unfilledshares: 'string',
  orderid: 'string',
  text: 'string',
  status: 'string',
  orderstatus: 'string',
  updatetime: 'string',
  exchtime: 'string',
  exchorderupdatetime: 'string',
  fillid: 'string',
  filltime: 'string',
  parentorderid: 'string',
} as const;

const BOOK_ROW_TYPES = { ...ORDER_DATA_TYPES, uniqueorderid: 'string', exchangeorderid: 'string' } as const;

function typesOf(value: object): Record<string, string> {
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, typeof v]));
}

const ANGEL_TIME = /^\d{2}-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{4} \d{2}:\d{2}:\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function roundTrip() {
  const h = setup();
  h.market.setBook(CE, { asks: [[10000, 65]], bids: [[10990, 65]], ltp: 10000 });
  const buy = placeOk(h.engine, optionOrder({ ordertag: 'strat-1' }));
  h.clock.advanceBy(61_000);
  const sell = placeOk(h.engine, optionOrder({ transactiontype: 'SELL', price: '109.90' }));
  return { ...h, buy, sell };
}

describe('order book and order-status typing', () => {
  it("order-book rows carry exactly Angel's fields: prices as numbers, quantities as strings", () => {
    const { engine, buy } = roundTrip();
    const r = row(engine, buy.orderid);
    expect(typesOf(r), 'every field present with its documented type').toEqual(BOOK_ROW_TYPES);
    expect(r.strikeprice, 'strike in rupees for an option').toBe(24000);
    expect([r.optiontype, r.expirydate, r.lotsize, r.instrumenttype]).toEqual([
      'CE',
      '24NOV2026',
      '65',
      'OPTIDX',
    ]);
    expect(r.updatetime, 'DD-Mon-YYYY HH:mm:ss').toMatch(ANGEL_TIME);
    expect(r.exchorderupdatetime).toMatch(ANGEL_TIME);
    expect(r.filltime, 'the latest fill, as HH:mm:ss').toBe('10:00:00');
    expect(r.exchangeorderid, 'the exchange id once the exchange has the order').toMatch(/^\d{16}$/);
  });

  it('a non-option row has strikeprice -1 and empty option fields', () => {
    const { engine, market } = setup();
    market.setBook(NIFTY_FUT.token, { ltp: 2_400_000 });
    const { orderid } = placeOk(
      engine,
      optionOrder({ symboltoken: NIFTY_FUT.token, tradingsymbol: NIFTY_FUT.symbol, price: '23990.00' }),
    );
    const r = row(engine, orderid);
    expect([r.strikeprice, r.optiontype, r.instrumenttype]).toEqual([-1, '', 'FUTIDX']);
  });

  it('order-status events carry exactly the §2 orderData fields, and the last one matches the book', () => {
    const { engine, events, buy, sell } = roundTrip();
    expect(events.length, 'events were emitted').toBeGreaterThan(0);
    for (const event of events) {
      expect(typesOf(event.orderData), `typing of ${event.orderStatusCode}`).toEqual(ORDER_DATA_TYPES);
      expect(event.clientCode).toBe(CLIENT);
      expect(event.orderData.status, 'status and orderstatus agree').toBe(event.orderData.orderstatus);
    }
    for (const { orderid } of [buy, sell]) {
      const last = events.filter((e) => e.orderData.orderid === orderid).at(-1);
      const { uniqueorderid: _u, exchangeorderid: _e, ...bookFields } = row(engine, orderid);
      expect(last?.orderData, 'cache then publish: the last event is the book row').toEqual(bookFields);
    }
  });

  it('the time is IST: 10:00 IST is 04:30 UTC', () => {
    const { engine, buy } = roundTrip();
    expect(row(engine, buy.orderid).exchtime).toBe('25-Nov-2026 10:00:00');
  });

  it('orderDetails finds a row by uniqueorderid, only for its own client', () => {
    const { engine, buy } = roundTrip();
    expect(engine.orderDetails(buy.uniqueorderid)).toEqual(row(engine, buy.orderid));
    expect(engine.orderDetails(buy.uniqueorderid, 'OTHER01')).toBeUndefined();
    expect(engine.orderDetails('no-such-id')).toBeUndefined();
  });
});

describe('trade book, positions and RMS typing', () => {
  it('trade-book rows have the documented fields, every value a string', () => {
    const { engine, buy } = roundTrip();
    const trades = engine.tradeBook();
    expect(trades, 'one fill per order').toHaveLength(2);
    for (const trade of trades) {
      expect(Object.keys(trade)).toEqual([...TRADE_BOOK_FIELDS]);
      expect(
        Object.values(trade).every((v) => typeof v === 'string'),
        'all strings',
      ).toBe(true);
    }
    expect(trades[0]).toMatchObject({
      orderid: buy.orderid,
      fillprice: '100.00',
      fillsize: '65',
      tradevalue: '6500.00',
      filltime: '10:00:00',
      strikeprice: '24000.00',
      symbolgroup: 'XX',
      marketlot: '65',
    });
  });

  it('a round trip leaves a flat position with realised P&L, every value a string', () => {
    const { engine } = roundTrip();
    const positions = engine.positions();
    expect(positions, 'one instrument and product').toHaveLength(1);
    const p = positions[0];
    expect(Object.keys(p ?? {})).toEqual([...POSITION_FIELDS]);
    expect(
      Object.values(p ?? {}).every((v) => typeof v === 'string'),
      'all strings',
    ).toBe(true);
    expect(p).toMatchObject({
      netqty: '0',
      buyqty: '65',
      sellqty: '65',
      buyamount: '6500.00',
      sellamount: '7143.50',
      buyavgprice: '100.00',
      sellavgprice: '109.90',
      netvalue: '643.50',
      realised: '643.50',
      unrealised: '0.00',
      producttype: 'CARRYFORWARD',
    });
  });

  it('an open long shows unrealised P&L at the LTP and a negative net value', () => {
    const { engine, market } = setup();
    market.setBook(CE, { asks: [[10000, 65]], ltp: 10000 });
    placeOk(engine, optionOrder());
    market.setBook(CE, { ltp: 10450 });
    expect(engine.positions()[0]).toMatchObject({
      netqty: '65',
      netvalue: '-6500.00',
      avgnetprice: '100.00',
      ltp: '104.50',
      unrealised: '292.50',
      realised: '0.00',
    });
  });

  it('negativeAmountStyle "spaced" writes negatives as the documented sample does', () => {
    const { engine, market } = setup({ negativeAmountStyle: 'spaced' });
    market.setBook(CE, { asks: [[10000, 65]], ltp: 10000 });
    placeOk(engine, optionOrder());
    expect(engine.positions()[0]?.netvalue).toBe('- 6500.00');
  });

  it('RMS debits premium for a bought option and credits realised P&L after the sale, all strings', () => {
    const h = setup();
    h.market.setBook(CE, { asks: [[10000, 65]], bids: [[10990, 65]], ltp: 10000 });
    placeOk(h.engine, optionOrder());
    const holding = h.engine.rms();
    expect(Object.keys(holding)).toEqual([...RMS_FIELDS]);
    expect(
      Object.values(holding).every((v) => typeof v === 'string'),
      'all strings',
    ).toBe(true);
    expect(holding).toMatchObject({
      availablecash: '1000000.00',
      utilisedoptionpremium: '6500.00',
      utiliseddebits: '6500.00',
      net: '993500.00',
    });
    placeOk(h.engine, optionOrder({ transactiontype: 'SELL', price: '109.90' }));
    expect(h.engine.rms()).toMatchObject({
      utilisedoptionpremium: '0.00',
      m2mrealized: '643.50',
      net: '1000643.50',
    });
  });

  it('a short future blocks SPAN and exposure margin and marks its loss', () => {
    const { engine, market } = setup();
    market.setBook(NIFTY_FUT.token, { bids: [[2_400_000, 65]], ltp: 2_400_000 });
    placeOk(
      engine,
      optionOrder({
        symboltoken: NIFTY_FUT.token,
        tradingsymbol: NIFTY_FUT.symbol,
        transactiontype: 'SELL',
        price: '24000.00',
      }),
    );
    market.setBook(NIFTY_FUT.token, { ltp: 2_410_000 });
    expect(engine.rms(), '65 × 24100 = 15,66,500 notional; 9% SPAN, 3% exposure; −6,500 M2M').toMatchObject({
      utilisedspan: '140985.00',
      utilisedexposure: '46995.00',
      m2munrealized: '-6500.00',
      net: '805520.00',
    });
  });
});

describe('ids', () => {
  function run(seed?: number) {
    const h = setup(seed === undefined ? {} : { seed });
    h.market.setBook(CE, { asks: [[10000, 65]], ltp: 10000 });
    const ids = [placeOk(h.engine, optionOrder()), placeOk(h.engine, optionOrder({ price: '99.00' }))];
    h.engine.cancel({ variety: 'NORMAL', orderid: ids[1]?.orderid });
    return { ids, events: h.events, book: h.engine.orderBook(), trades: h.engine.tradeBook() };
  }

  it('the same calls at the same times give the same ids, rows and events', () => {
    expect(run(), 'replay equals the live run').toEqual(run());
  });

  it('order ids are 15 digits: IST YYMMDD then a sequence; uniqueorderids are UUID-shaped', () => {
    const { ids } = run();
    expect(ids.map((r) => r.orderid)).toEqual(['261125000000001', '261125000000002']);
    for (const { uniqueorderid } of ids) expect(uniqueorderid).toMatch(UUID);
    expect(new Set(ids.map((r) => r.uniqueorderid)).size, 'distinct').toBe(2);
  });

  it('the seed changes uniqueorderids but not order ids; a prefix replaces the date', () => {
    const a = run(1).ids;
    const b = run(2).ids;
    expect(b.map((r) => r.orderid)).toEqual(a.map((r) => r.orderid));
    expect(b[0]?.uniqueorderid).not.toBe(a[0]?.uniqueorderid);
    const h = setup({ orderIdPrefix: '200910' });
    h.market.setBook(CE, { ltp: 10000 });
    expect(placeOk(h.engine, optionOrder()).orderid).toBe('200910000000001');
  });

  it('rejects malformed options at construction', () => {
    expect(() => setup({ orderIdPrefix: '2009' })).toThrow(RangeError);
    expect(() => setup({ mppPercent: -1 })).toThrow(RangeError);
    expect(() => setup({ startingCashPaise: 1.5 })).toThrow(RangeError);
  });
});

describe('listeners', () => {
  it('a throwing listener neither stops the others nor leaves the order half-done', () => {
    const seen: unknown[] = [];
    const { engine, market } = setup({ onListenerError: (error) => seen.push(error) });
    const received: string[] = [];
    engine.onOrderUpdate(() => {
      throw new Error('listener bug');
    });
    engine.onOrderUpdate((event) => received.push(event.orderStatusCode));
    market.setBook(CE, { asks: [[10000, 65]], ltp: 10000 });
    const { orderid } = placeOk(engine, optionOrder());
    expect(row(engine, orderid).status, 'the order completed').toBe('complete');
    expect(received, 'the healthy listener got every event').toEqual(['AB09', 'AB05']);
    expect(seen, 'each failure was reported').toHaveLength(2);
  });

  it('without an error handler the first listener error is rethrown after the state is complete', () => {
    const { engine, market } = setup();
    engine.onOrderUpdate(() => {
      throw new Error('listener bug');
    });
    market.setBook(CE, { asks: [[10000, 65]], ltp: 10000 });
    expect(() => engine.place(optionOrder()), 'the caller sees the bug').toThrow('listener bug');
    expect(engine.orderBook()[0]?.status, 'the order is complete regardless').toBe('complete');
  });

  it('unsubscribing stops delivery', () => {
    const { engine, market } = setup();
    const received: string[] = [];
    const off = engine.onOrderUpdate((event) => received.push(event.orderStatusCode));
    off();
    market.setBook(CE, { ltp: 10000 });
    placeOk(engine, optionOrder({ price: '99.00' }));
    expect(received).toEqual([]);
  });

  it('a listener may place an order from inside an event; events stay in order', () => {
    const { engine, market, events } = setup();
    market.setBook(CE, { asks: [[10000, 130]], ltp: 10000 });
    let placed = false;
    engine.onOrderUpdate((event) => {
      if (!placed && event.orderStatusCode === 'AB05') {
        placed = true;
        placeOk(engine, optionOrder());
      }
    });
    placeOk(engine, optionOrder());
    expect(events.map((e) => [e.orderData.orderid.slice(-1), e.orderStatusCode])).toEqual([
      ['1', 'AB09'],
      ['1', 'AB05'],
      ['2', 'AB09'],
      ['2', 'AB05'],
    ]);
  });
});
