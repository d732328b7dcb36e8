import { describe, expect, it } from 'vitest';
import { istToEpochMs } from '../../core/time.js';
import { CRUDE_FUT, NIFTY_CE, NIFTY_FUT, NIFTY_INDEX, SBIN } from './fixtures/fakeMarket.js';
import { CLIENT, codesFor, optionOrder, placeOk, row, setup } from './fixtures/harness.js';
import type { PlaceOrderBody } from './types.js';

const CE = NIFTY_CE.token;

describe('matching against the displayed book', () => {
  it('a BUY LIMIT above the best ask fills across ask levels up to their quantities and rests the rest', () => {
    const { engine, market, events } = setup();
    market.setBook(CE, {
      bids: [[9990, 65]],
      asks: [
        [10000, 65],
        [10005, 65],
        [10020, 130],
      ],
      ltp: 10000,
    });
    const { orderid } = placeOk(engine, optionOrder({ price: '100.10', quantity: '260' }));

    const r = row(engine, orderid);
    expect(r.status, 'a partly filled DAY order stays open').toBe('open');
    expect(r.filledshares, 'two levels of 65 are at or below 100.10').toBe('130');
    expect(r.unfilledshares, 'the remainder rests').toBe('130');
    expect(r.averageprice, 'fills at the level prices, not the limit').toBe(100.025);
    expect(
      market.trades.map((t) => [t.pricePaise, t.quantity]),
      'each fill is recorded with the model',
    ).toEqual([
      [10000, 65],
      [10005, 65],
    ]);
    expect(codesFor(events, orderid), 'open pending, then open with the partial fill').toEqual([
      'AB09',
      'AB01',
    ]);
  });

  it('a resting order fills on a later tick when the ask comes down to its price', () => {
    const { engine, market, events } = setup();
    market.setBook(CE, { asks: [[10000, 65]], ltp: 10000 });
    const { orderid } = placeOk(engine, optionOrder({ price: '100.10', quantity: '260' }));
    expect(row(engine, orderid).filledshares, 'only 65 shown at first').toBe('65');

    market.setBook(CE, { asks: [[10010, 500]] });
    engine.onMarketUpdate(CE);

    const r = row(engine, orderid);
    expect(r.status, 'the rest fills once enough is offered at the limit').toBe('complete');
    expect(r.filledshares).toBe('260');
    expect(r.averageprice, '65 at 100.00 and 195 at 100.10').toBe(100.075);
    expect(codesFor(events, orderid), 'the completion is reported').toEqual(['AB09', 'AB01', 'AB05']);
  });

  it('a SELL LIMIT at or below the best bid fills against the bids, best first', () => {
    const { engine, market } = setup();
    market.setBook(CE, {
      bids: [
        [9995, 65],
        [10000, 65],
        [9980, 65],
      ],
      ltp: 10000,
    });
    const { orderid } = placeOk(
      engine,
      optionOrder({ transactiontype: 'SELL', price: '99.95', quantity: '195' }),
    );
    const r = row(engine, orderid);
    expect(r.filledshares, 'the 99.80 bid is below the limit').toBe('130');
    expect(
      market.trades.map((t) => t.pricePaise),
      'best bid first even when the model lists it second',
    ).toEqual([10000, 9995]);
  });

  it('a LIMIT away from the touch rests without trading', () => {
    const { engine, market } = setup();
    market.setBook(CE, { bids: [[9900, 65]], asks: [[10000, 65]], ltp: 9950 });
    const { orderid } = placeOk(engine, optionOrder({ price: '99.50' }));
    expect(row(engine, orderid).status, 'no ask at or below 99.50').toBe('open');
    expect(market.trades, 'nothing traded').toHaveLength(0);
  });

  it('two orders in one book snapshot cannot both take the same displayed lots', () => {
    const { engine, market } = setup();
    market.setBook(CE, { asks: [[10000, 65]], ltp: 10000 });
    const first = placeOk(engine, optionOrder());
    const second = placeOk(engine, optionOrder());
    expect(row(engine, first.orderid).status, 'the first order takes the lot').toBe('complete');
    expect(row(engine, second.orderid).filledshares, 'the lot is gone for the second').toBe('0');

    engine.onMarketUpdate(CE);
    expect(row(engine, second.orderid).filledshares, 'the same snapshot does not refill it on re-check').toBe(
      '0',
    );

    market.setBook(CE, { asks: [[10000, 65]] });
    engine.onMarketUpdate(CE);
    expect(row(engine, second.orderid).status, 'a new snapshot offers new lots').toBe('complete');
  });

  it('a model that lowers its book after our trades is not double-counted', () => {
    const { engine, market } = setup({ consumeOnTrade: true });
    market.setBook(CE, { asks: [[10000, 130]], ltp: 10000 });
    const a = placeOk(engine, optionOrder());
    const b = placeOk(engine, optionOrder());
    const c = placeOk(engine, optionOrder());
    expect(row(engine, a.orderid).status, 'first lot').toBe('complete');
    expect(row(engine, b.orderid).status, 'second lot: 130 shown covers two orders').toBe('complete');
    expect(row(engine, c.orderid).filledshares, 'nothing is left for a third').toBe('0');
  });

  it('20-level depth is used when the model fills it', () => {
    const { engine, market } = setup();
    market.setBook(CE, { asks: [[10000, 65]], ltp: 10000 });
    const state = market.state(CE);
    if (state === undefined) throw new Error('fake market lost its token');
    state.asks20 = [
      { price: 10000, quantity: 65, orders: 1 },
      { price: 10100, quantity: 65, orders: 1 },
    ];
    const { orderid } = placeOk(engine, optionOrder({ price: '101.00', quantity: '130' }));
    expect(row(engine, orderid).status, 'the second lot sits on level six or deeper').toBe('complete');
  });
});

describe('IOC', () => {
  it('fills what the book offers now and cancels the rest', () => {
    const { engine, market, events } = setup();
    market.setBook(CE, { asks: [[10000, 65]], ltp: 10000 });
    const { orderid } = placeOk(engine, optionOrder({ duration: 'IOC', quantity: '130' }));
    const r = row(engine, orderid);
    expect(r.status, 'IOC never rests').toBe('cancelled');
    expect(r.filledshares, 'the available lot fills').toBe('65');
    expect(r.cancelsize, 'the rest is cancelled').toBe('65');
    expect(codesFor(events, orderid)).toEqual(['AB09', 'AB02']);

    market.setBook(CE, { asks: [[10000, 500]] });
    engine.onMarketUpdate(CE);
    expect(row(engine, orderid).filledshares, 'a cancelled IOC does not fill later').toBe('65');
  });

  it('with nothing to match it is cancelled whole', () => {
    const { engine, market } = setup();
    market.setBook(CE, { asks: [[10100, 65]], ltp: 10000 });
    const { orderid } = placeOk(engine, optionOrder({ duration: 'IOC' }));
    const r = row(engine, orderid);
    expect([r.status, r.filledshares, r.cancelsize], 'cancelled, nothing filled').toEqual([
      'cancelled',
      '0',
      '65',
    ]);
  });
});

describe('market orders (market price protection)', () => {
  it("a MARKET BUY becomes a LIMIT at the best ask plus Angel's MPP and rests what the band cannot fill", () => {
    const { engine, market } = setup();
    market.setBook(CE, {
      asks: [
        [10000, 65],
        [10200, 65],
        [10300, 65],
      ],
      ltp: 10000,
    });
    const { orderid } = placeOk(engine, optionOrder({ ordertype: 'MARKET', price: '0', quantity: '195' }));
    const r = row(engine, orderid);
    expect(r.ordertype, 'Angel converts market orders to limit orders').toBe('LIMIT');
    expect(r.price, 'index option above ₹50: 2.5% over the 100.00 ask').toBe(102.5);
    expect(r.filledshares, '100.00 and 102.00 are inside the band, 103.00 is not').toBe('130');
    expect(r.status, 'the remainder rests at the protected price').toBe('open');
  });

  it('a fixed mppPercent overrides the table, and a SELL is moved down and rounded inward to the tick', () => {
    const { engine, market } = setup({ mppPercent: 1 });
    market.setBook(CE, { bids: [[10005, 65]], ltp: 10005 });
    const { orderid } = placeOk(
      engine,
      optionOrder({ ordertype: 'MARKET', transactiontype: 'SELL', price: '0' }),
    );
    const r = row(engine, orderid);
    expect(r.price, '1% under 100.05 is 99.0495; inward to the 0.05 tick is 99.05').toBe(99.05);
    expect(r.status, 'it sells at the bid').toBe('complete');
    expect(r.averageprice).toBe(100.05);
  });

  it('falls back to the LTP when there is no opposite quote', () => {
    const { engine, market } = setup({ mppPercent: 2 });
    market.setBook(CE, { ltp: 5000 });
    const { orderid } = placeOk(engine, optionOrder({ ordertype: 'MARKET', price: '0' }));
    expect(row(engine, orderid).price, '2% over the 50.00 LTP').toBe(51);
  });

  it('with no quote and no trade the market order is rejected in the book', () => {
    const { engine, events } = setup();
    const result = engine.place(optionOrder({ ordertype: 'MARKET', price: '0' }));
    expect(result.ok, 'the OMS accepts the request; the rejection shows in the book').toBe(true);
    if (!result.ok) return;
    const r = row(engine, result.orderid);
    expect(r.status).toBe('rejected');
    expect(r.text, 'the reason is given').toMatch(/No market price/);
    expect(codesFor(events, result.orderid)).toEqual(['AB03']);
  });

  it('a MARKET order is kept inside the circuit band', () => {
    const { engine, market } = setup();
    market.setBook(CE, { asks: [[10000, 65]], ltp: 10000, upperCircuit: 10100, lowerCircuit: 5000 });
    const { orderid } = placeOk(engine, optionOrder({ ordertype: 'MARKET', price: '0' }));
    expect(row(engine, orderid).price, '102.50 would break the 101.00 upper circuit').toBe(101);
  });
});

describe('stop-loss orders', () => {
  it('STOPLOSS_LIMIT waits in trigger pending until the LTP crosses the trigger, then fills', () => {
    const { engine, market, events } = setup();
    market.setBook(CE, { asks: [[10000, 65]], ltp: 10000 });
    const { orderid } = placeOk(
      engine,
      optionOrder({ variety: 'STOPLOSS', ordertype: 'STOPLOSS_LIMIT', triggerprice: '105', price: '106' }),
    );
    expect(row(engine, orderid).status).toBe('trigger pending');
    expect(
      market.trades,
      'a waiting stop does not trade even though the ask is below its limit',
    ).toHaveLength(0);

    market.setBook(CE, { asks: [[10450, 65]], ltp: 10440 });
    engine.onMarketUpdate(CE);
    expect(row(engine, orderid).status, 'LTP 104.40 is below the 105 trigger').toBe('trigger pending');

    market.setBook(CE, { asks: [[10550, 65]], ltp: 10500 });
    engine.onMarketUpdate(CE);
    const r = row(engine, orderid);
    expect(r.status, 'LTP reached the trigger').toBe('complete');
    expect(r.averageprice).toBe(105.5);
    expect(codesFor(events, orderid)).toEqual(['AB09', 'AB10', 'AB01', 'AB05']);
  });

  it('STOPLOSS_MARKET is priced at the trigger less the MPP buffer and sells when the LTP falls through', () => {
    const { engine, market } = setup();
    market.setBook(CE, { bids: [[9995, 65]], ltp: 10000 });
    const { orderid } = placeOk(
      engine,
      optionOrder({
        variety: 'STOPLOSS',
        ordertype: 'STOPLOSS_MARKET',
        transactiontype: 'SELL',
        triggerprice: '95',
        price: '0',
      }),
    );
    const waiting = row(engine, orderid);
    expect(waiting.ordertype, 'keeps its type').toBe('STOPLOSS_MARKET');
    expect(waiting.price, 'protected limit: 95 less 2.5% is 92.625, inward to the tick 92.65').toBe(92.65);

    expect(engine.modify({ orderid, triggerprice: '96' }).ok, 'moving the trigger').toBe(true);
    expect(row(engine, orderid).price, 're-prices the protection from the new trigger: 93.60').toBe(93.6);

    market.setBook(CE, { bids: [[9480, 65]], ltp: 9590 });
    engine.onMarketUpdate(CE);
    expect(row(engine, orderid).averageprice, 'sold at the bid, inside the protection').toBe(94.8);
  });

  it('the exchange rejects a stop BUY whose trigger is not above the LTP', () => {
    const { engine, market } = setup();
    market.setBook(CE, { ltp: 10000 });
    const { orderid } = placeOk(
      engine,
      optionOrder({ variety: 'STOPLOSS', ordertype: 'STOPLOSS_LIMIT', triggerprice: '100', price: '101' }),
    );
    const r = row(engine, orderid);
    expect(r.status).toBe('rejected');
    expect(r.text).toMatch(/above the last traded price/);
  });

  it('the exchange rejects a stop-loss SELL whose limit is above its trigger', () => {
    const { engine, market } = setup();
    market.setBook(CE, { ltp: 10000 });
    const { orderid } = placeOk(
      engine,
      optionOrder({
        variety: 'STOPLOSS',
        ordertype: 'STOPLOSS_LIMIT',
        transactiontype: 'SELL',
        triggerprice: '95',
        price: '96',
      }),
    );
    expect(row(engine, orderid).text).toMatch(/must not be above its trigger/);
  });
});

describe('modify', () => {
  it("repricing an open order re-matches it: modify pending, modified, then the order's new state", () => {
    const { engine, market, events } = setup();
    market.setBook(CE, { asks: [[10000, 65]], ltp: 10000 });
    const { orderid, uniqueorderid } = placeOk(engine, optionOrder({ price: '99.00' }));

    const result = engine.modify({
      variety: 'NORMAL',
      orderid,
      ordertype: 'LIMIT',
      producttype: 'CARRYFORWARD',
      duration: 'DAY',
      price: '100.00',
      quantity: '65',
      tradingsymbol: NIFTY_CE.symbol,
      symboltoken: CE,
      exchange: 'NFO',
    });
    expect(result, 'modify answers with both ids').toEqual({ ok: true, orderid, uniqueorderid });
    const r = row(engine, orderid);
    expect([r.status, r.price], 'now crosses the ask and fills').toEqual(['complete', 100]);
    expect(codesFor(events, orderid)).toEqual(['AB09', 'AB01', 'AB11', 'AB04', 'AB05']);
  });

  it('a modified quantity must stay above what has filled', () => {
    const { engine, market } = setup();
    market.setBook(CE, { asks: [[10000, 65]], ltp: 10000 });
    const { orderid } = placeOk(engine, optionOrder({ quantity: '130' }));
    const result = engine.modify({ orderid, quantity: '65' });
    expect(result.ok ? '' : result.errorcode, 'cannot shrink to the filled 65').toBe('AB2000');
    expect(row(engine, orderid).quantity, 'the order is untouched').toBe('130');

    const grow = engine.modify({ orderid, quantity: '195' });
    expect(grow.ok, 'growing is fine').toBe(true);
    expect(row(engine, orderid).unfilledshares).toBe('130');
  });

  it('a trigger-pending order can move its trigger and keeps waiting', () => {
    const { engine, market, events } = setup();
    market.setBook(CE, { ltp: 10000 });
    const { orderid } = placeOk(
      engine,
      optionOrder({ variety: 'STOPLOSS', ordertype: 'STOPLOSS_LIMIT', triggerprice: '105', price: '106' }),
    );
    const result = engine.modify({ orderid, variety: 'STOPLOSS', triggerprice: '103', price: '104' });
    expect(result.ok).toBe(true);
    const r = row(engine, orderid);
    expect([r.status, r.triggerprice, r.price]).toEqual(['trigger pending', 103, 104]);
    expect(codesFor(events, orderid).slice(-3), 'ends back in trigger pending').toEqual([
      'AB11',
      'AB04',
      'AB10',
    ]);
  });

  it('an order cannot change instrument, side-bound product or variety family', () => {
    const { engine, market } = setup();
    market.setBook(CE, { ltp: 10000 });
    const { orderid } = placeOk(engine, optionOrder({ price: '99.00' }));
    const codes = [
      engine.modify({ orderid, symboltoken: NIFTY_FUT.token }),
      engine.modify({ orderid, producttype: 'INTRADAY' }),
      engine.modify({ orderid, producttype: 'NOPE' }),
      engine.modify({ orderid, ordertype: 'STOPLOSS_LIMIT', triggerprice: '98' }),
      engine.modify({ orderid, price: '99.03' }),
    ].map((r) => (r.ok ? 'ok' : r.errorcode));
    expect(codes).toEqual(['AB2000', 'AB2000', 'AB1012', 'AB1008', 'AB2000']);
  });
});

describe('cancel', () => {
  it('cancelling a partly filled open order reports AB02 with the unfilled rest as cancelsize', () => {
    const { engine, market, events } = setup();
    market.setBook(CE, { asks: [[10000, 65]], ltp: 10000 });
    const { orderid, uniqueorderid } = placeOk(engine, optionOrder({ quantity: '195' }));
    expect(engine.cancel({ variety: 'NORMAL', orderid })).toEqual({ ok: true, orderid, uniqueorderid });
    const r = row(engine, orderid);
    expect([r.status, r.filledshares, r.cancelsize, r.unfilledshares]).toEqual([
      'cancelled',
      '65',
      '130',
      '130',
    ]);
    expect(codesFor(events, orderid).at(-1)).toBe('AB02');

    market.setBook(CE, { asks: [[10000, 500]] });
    engine.onMarketUpdate(CE);
    expect(row(engine, orderid).filledshares, 'a cancelled order does not fill').toBe('65');
  });

  it('complete, cancelled and rejected orders can be neither modified nor cancelled', () => {
    const { engine, market } = setup({ startingCashPaise: 1_000_000 });
    market.setBook(CE, { asks: [[10000, 65]], ltp: 10000 });
    const complete = placeOk(engine, optionOrder({ price: '100.00', quantity: '65' }));
    const cancelled = placeOk(engine, optionOrder({ price: '50.00', quantity: '65' }));
    engine.cancel({ variety: 'NORMAL', orderid: cancelled.orderid });
    const rejected = placeOk(engine, optionOrder({ price: '100.00', quantity: '650' }));
    expect(
      [complete, cancelled, rejected].map(({ orderid }) => row(engine, orderid).status),
      'one order in each terminal state (RMS rejects ₹65,000 of premium on ₹10,000 of cash)',
    ).toEqual(['complete', 'cancelled', 'rejected']);

    for (const { orderid } of [complete, cancelled, rejected]) {
      const modify = engine.modify({ orderid, price: '101.00' });
      const cancel = engine.cancel({ variety: 'NORMAL', orderid });
      expect(modify.ok ? 'ok' : modify.errorcode, `modify of ${row(engine, orderid).status}`).toBe('AB2000');
      expect(cancel.ok ? 'ok' : cancel.errorcode, `cancel of ${row(engine, orderid).status}`).toBe('AB2000');
    }
  });

  it('unknown order ids and other clients’ orders are not found (AB1013)', () => {
    const { engine, market } = setup();
    market.setBook(CE, { ltp: 10000 });
    const { orderid } = placeOk(engine, optionOrder({ price: '90.00' }));
    const results = [
      engine.modify({ orderid: '261125999999999', price: '91' }),
      engine.cancel({ variety: 'NORMAL', orderid: '261125999999999' }),
      engine.cancel({ variety: 'NORMAL' }),
      engine.cancel({ variety: 'NORMAL', orderid }, 'OTHER01'),
      engine.modify({ orderid, price: '91' }, 'OTHER01'),
    ];
    expect(results.map((r) => (r.ok ? 'ok' : r.errorcode))).toEqual([
      'AB1013',
      'AB1013',
      'AB1013',
      'AB1013',
      'AB1013',
    ]);
    expect(row(engine, orderid).status, 'another client cannot touch the order').toBe('open');
    expect(engine.orderBook('OTHER01'), 'and does not see it').toEqual([]);
  });
});

describe('after-market orders and the session', () => {
  const before = istToEpochMs(2026, 11, 25, 8, 0, 0);
  const open = istToEpochMs(2026, 11, 25, 9, 15, 0);

  it('an order placed while the market is closed waits as an AMO and goes live at the next open', () => {
    const { engine, market, clock, events } = setup({ startMs: before });
    market.setBook(CE, { asks: [[10000, 65]], ltp: 10000 });
    const { orderid } = placeOk(engine, optionOrder());
    const waiting = row(engine, orderid);
    expect(waiting.status).toBe('after market order req received');
    expect([waiting.exchtime, waiting.exchangeorderid], 'not at the exchange yet').toEqual(['', '']);
    expect(market.trades, 'no trading before the open').toHaveLength(0);

    clock.advanceTo(open);
    engine.sync();
    const live = row(engine, orderid);
    expect(live.status, 'activated at the open and matched').toBe('complete');
    expect(live.exchtime, 'reached the exchange at 09:15').toBe('25-Nov-2026 09:15:00');
    expect(codesFor(events, orderid)).toEqual(['AB06', 'AB09', 'AB05']);
  });

  it('an AMO can be modified (AB08) and cancelled (AB07) before the open', () => {
    const { engine, market, clock, events } = setup({ startMs: before });
    market.setBook(CE, { asks: [[10000, 65]], ltp: 10000 });
    const { orderid } = placeOk(engine, optionOrder({ price: '99.00' }));
    expect(engine.modify({ orderid, price: '98.00' }).ok).toBe(true);
    expect(row(engine, orderid).price).toBe(98);
    expect(engine.cancel({ variety: 'NORMAL', orderid }).ok).toBe(true);
    expect(row(engine, orderid).status).toBe('cancelled');
    expect(codesFor(events, orderid)).toEqual(['AB06', 'AB08', 'AB07']);

    clock.advanceTo(open);
    engine.sync();
    expect(row(engine, orderid).status, 'a cancelled AMO never goes live').toBe('cancelled');
  });

  it('an AMO market order is priced from the book at the open', () => {
    const { engine, market, clock } = setup({ startMs: before, mppPercent: 1 });
    market.setBook(CE, { ltp: 10000, close: 10000 });
    const { orderid } = placeOk(engine, optionOrder({ ordertype: 'MARKET', price: '0' }));
    expect(row(engine, orderid).ordertype, 'still a market order while it waits').toBe('MARKET');
    clock.advanceTo(open);
    market.setBook(CE, { asks: [[11000, 65]], ltp: 11000 });
    engine.onMarketUpdate(CE);
    const r = row(engine, orderid);
    expect([r.ordertype, r.price, r.status], '1% over the 110.00 ask at the open').toEqual([
      'LIMIT',
      111.1,
      'complete',
    ]);
  });

  it('DAY orders still working at the close are cancelled', () => {
    const { engine, market, clock, events } = setup({ startMs: istToEpochMs(2026, 11, 25, 15, 0, 0) });
    market.setBook(CE, { asks: [[10000, 65]], ltp: 10000 });
    const limit = placeOk(engine, optionOrder({ price: '99.00' }));
    const stop = placeOk(
      engine,
      optionOrder({ variety: 'STOPLOSS', ordertype: 'STOPLOSS_LIMIT', triggerprice: '105', price: '106' }),
    );
    clock.advanceTo(istToEpochMs(2026, 11, 25, 15, 30, 0));
    engine.sync();
    for (const { orderid } of [limit, stop]) {
      const r = row(engine, orderid);
      expect([r.status, r.cancelsize], `order ${orderid} expires at the close`).toEqual(['cancelled', '65']);
      expect(codesFor(events, orderid).at(-1)).toBe('AB02');
    }
  });

  it('orders left working overnight expire even when nobody watched the close', () => {
    const { engine, market, clock } = setup({ startMs: istToEpochMs(2026, 11, 25, 15, 0, 0) });
    market.setBook(CE, { asks: [[10000, 65]], ltp: 10000 });
    const { orderid } = placeOk(engine, optionOrder({ price: '99.00' }));
    clock.advanceTo(istToEpochMs(2026, 11, 26, 10, 0, 0));
    market.setBook(CE, { asks: [[9900, 65]], ltp: 9900 });
    engine.onMarketUpdate(CE);
    const r = row(engine, orderid);
    expect(r.status, 'yesterday’s DAY order does not trade today').toBe('cancelled');
    expect(market.trades).toHaveLength(0);
  });
});

describe('validation (Angel error codes; no order is created)', () => {
  const cases: Array<[string, PlaceOrderBody, string]> = [
    ['unknown symbol token', optionOrder({ symboltoken: '999999' }), 'AB1009'],
    [
      'trading symbol not matching the token',
      optionOrder({ tradingsymbol: 'NIFTY24NOV2624000PE' }),
      'AB1009',
    ],
    ['token on another exchange', optionOrder({ exchange: 'BFO' }), 'AB1009'],
    [
      'an index (exchange-style token)',
      optionOrder({
        symboltoken: '26000',
        tradingsymbol: NIFTY_INDEX.symbol,
        exchange: 'NSE',
        producttype: 'INTRADAY',
      }),
      'AB1009',
    ],
    ['unknown exchange', optionOrder({ exchange: 'LSE' }), 'AB2000'],
    ['unknown variety', optionOrder({ variety: 'BRACKET' }), 'AB1008'],
    ['ROBO (blocked by Angel)', optionOrder({ variety: 'ROBO', producttype: 'BO' }), 'AB2002'],
    [
      'NORMAL variety with a stop-loss order type',
      optionOrder({ ordertype: 'STOPLOSS_LIMIT', triggerprice: '99' }),
      'AB1008',
    ],
    ['STOPLOSS variety with a LIMIT order type', optionOrder({ variety: 'STOPLOSS' }), 'AB1008'],
    ['unknown product type', optionOrder({ producttype: 'NRML' }), 'AB1012'],
    ['DELIVERY on a derivatives exchange', optionOrder({ producttype: 'DELIVERY' }), 'AB1012'],
    ['BO product without ROBO', optionOrder({ producttype: 'BO' }), 'AB1012'],
    ['ordertag of 20 characters', optionOrder({ ordertag: 'x'.repeat(20) }), 'AB4008'],
    ['lower-case transaction type', optionOrder({ transactiontype: 'buy' }), 'AB2000'],
    ['unknown order type', optionOrder({ ordertype: 'SL' }), 'AB2000'],
    ['unknown duration', optionOrder({ duration: 'GTC' }), 'AB2000'],
    ['IOC on a commodity exchange', optionOrder({ duration: 'IOC', price: '6000' }, CRUDE_FUT), 'AB2000'],
    ['quantity not a multiple of the lot', optionOrder({ quantity: '100' }), 'AB2000'],
    ['zero quantity', optionOrder({ quantity: '0' }), 'AB2000'],
    ['negative quantity', optionOrder({ quantity: '-65' }), 'AB2000'],
    ['fractional quantity', optionOrder({ quantity: '65.5' }), 'AB2000'],
    ['missing quantity', optionOrder({ quantity: undefined }), 'AB2000'],
    ['price off the tick', optionOrder({ price: '100.02' }), 'AB2000'],
    ['price with a fraction of a paisa', optionOrder({ price: '100.051' }), 'AB2000'],
    ['LIMIT price of zero', optionOrder({ price: '0' }), 'AB2000'],
    ['LIMIT with a negative price', optionOrder({ price: '-100' }), 'AB2000'],
    ['LIMIT with a non-numeric price', optionOrder({ price: 'abc' }), 'AB2000'],
    [
      'stop-loss without a trigger',
      optionOrder({ variety: 'STOPLOSS', ordertype: 'STOPLOSS_LIMIT', triggerprice: '0' }),
      'AB2000',
    ],
    ['disclosed quantity above the quantity', optionOrder({ disclosedquantity: '130' }), 'AB2000'],
  ];

  it.each(cases)('%s is refused with the documented or generic code', (_name, body, code) => {
    const { engine, events } = setup();
    const result = engine.place(body);
    expect(result.ok, 'refused before an order id is given').toBe(false);
    if (result.ok) return;
    expect(result.errorcode).toBe(code);
    expect(result.message.length, 'the message says what is wrong').toBeGreaterThan(10);
    expect(engine.orderBook(), 'no order row').toEqual([]);
    expect(events, 'no order event').toEqual([]);
  });

  it('names the lot size and the quantity when the quantity is off the lot', () => {
    const { engine } = setup();
    const result = engine.place(
      optionOrder({ quantity: '130', symboltoken: NIFTY_FUT.token, tradingsymbol: NIFTY_FUT.symbol }),
    );
    expect(result.ok, '130 is two lots of 65').toBe(true);
    const bad = engine.place(optionOrder({ quantity: '100' }));
    expect(bad.ok ? '' : bad.message).toBe(
      'NIFTY24NOV2624000CE order quantity 100 is not a multiple of lot size 65',
    );
  });

  it('a body that is not a JSON object is refused (AB2000) instead of crashing', () => {
    const { engine } = setup();
    for (const junk of [null, [], 'variety=NORMAL', 42]) {
      const body = junk as unknown as PlaceOrderBody;
      const results = [engine.place(body), engine.modify(body), engine.cancel(body)];
      expect(
        results.map((r) => (r.ok ? 'ok' : r.errorcode)),
        `body ${JSON.stringify(junk)}`,
      ).toEqual(['AB2000', 'AB2000', 'AB2000']);
    }
  });

  it('an ordertag of 19 characters is accepted and echoed', () => {
    const { engine, market } = setup();
    market.setBook(CE, { ltp: 10000 });
    const { orderid } = placeOk(engine, optionOrder({ ordertag: 't'.repeat(19) }));
    expect(row(engine, orderid).ordertag).toBe('t'.repeat(19));
  });

  it('numbers are accepted where the docs show strings, as the Java SDK sends them', () => {
    const { engine, market } = setup();
    market.setBook(SBIN.token, { asks: [[80000, 10]], ltp: 80000 });
    const { orderid, script } = placeOk(
      engine,
      optionOrder({ price: 800, quantity: 10, symboltoken: 3045 }, SBIN),
    );
    expect(script, 'the response names the script').toBe('SBIN-EQ');
    expect(row(engine, orderid).status).toBe('complete');
  });
});

describe('RMS (funds)', () => {
  it('an option BUY beyond free cash is accepted, then rejected by RMS in the book', () => {
    const { engine, market, events } = setup({ startingCashPaise: 1_000_000 });
    market.setBook(CE, { asks: [[20000, 65]], ltp: 20000 });
    const { orderid } = placeOk(engine, optionOrder({ price: '200.00' }));
    const r = row(engine, orderid);
    expect(r.status).toBe('rejected');
    expect(r.text, 'Angel’s RMS wording with required and available margin').toBe(
      `RMS:Margin Exceeds,Required:13000.00, Available:10000.00 for entity account-${CLIENT} across exchange across segment across product`,
    );
    expect(codesFor(events, orderid)).toEqual(['AB03']);
    expect(market.trades, 'nothing traded').toHaveLength(0);
  });

  it('a working order blocks its margin until it fills or is cancelled', () => {
    const { engine, market } = setup({ startingCashPaise: 10_000_000 });
    market.setBook(CE, { asks: [[10000, 65]], ltp: 10000 });
    const { orderid } = placeOk(engine, optionOrder({ price: '90.00' }));
    expect(engine.rms().net, '₹1,00,000 less 65 × ₹90 blocked').toBe('94150.00');
    engine.cancel({ variety: 'NORMAL', orderid });
    expect(engine.rms().net, 'released on cancel').toBe('100000.00');
  });

  it('a SELL that only closes a long option needs no margin', () => {
    const { engine, market } = setup({ startingCashPaise: 700_000 });
    market.setBook(CE, { asks: [[10000, 65]], bids: [[9900, 65]], ltp: 10000 });
    placeOk(engine, optionOrder());
    const sell = placeOk(engine, optionOrder({ transactiontype: 'SELL', price: '99.00' }));
    expect(row(engine, sell.orderid).status, 'closing a long is always allowed').toBe('complete');
    const short = placeOk(engine, optionOrder({ transactiontype: 'SELL', price: '99.00' }));
    expect(row(engine, short.orderid).status, 'a naked short needs SPAN margin the account lacks').toBe(
      'rejected',
    );
  });
});
