import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, harness, login, secureGet, securePost } from './harness.test-support.js';

let h: Harness;
afterEach(async () => {
  await h.app.close();
});

const BUY_CE = {
  variety: 'NORMAL',
  tradingsymbol: 'NIFTY01DEC2626000CE',
  symboltoken: '52101',
  transactiontype: 'BUY',
  exchange: 'NFO',
  ordertype: 'LIMIT',
  producttype: 'CARRYFORWARD',
  duration: 'DAY',
  price: '140',
  quantity: '65',
  squareoff: '0',
  stoploss: '0',
};

describe('orders over REST', () => {
  it('answers empty books, trades and positions with data null', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    for (const path of ['/order/v1/getOrderBook', '/order/v1/getTradeBook', '/order/v1/getPosition']) {
      const body = (await secureGet(h, jwtToken, path)).json();
      expect(body, `${path} when empty`).toEqual({
        status: true,
        message: 'SUCCESS',
        errorcode: '',
        data: null,
      });
    }
  });

  it('places an order and shows it in the order book and by uniqueorderid with mixed typing', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    const placed = (await securePost(h, jwtToken, '/order/v1/placeOrder', BUY_CE)).json();
    expect(placed.status, 'accepted').toBe(true);
    expect(Object.keys(placed.data), 'place data fields in live order').toEqual([
      'script',
      'orderid',
      'uniqueorderid',
    ]);
    expect(placed.data.script).toBe('NIFTY01DEC2626000CE');
    expect(placed.data.uniqueorderid, 'uniqueorderid is a UUID').toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );

    const book = (await secureGet(h, jwtToken, '/order/v1/getOrderBook')).json();
    expect(book.data, 'one row').toHaveLength(1);
    const row = book.data[0];
    expect(row.orderid).toBe(placed.data.orderid);
    expect(row.status, 'a limit below the ask rests').toBe('open');
    expect(row.price, 'price is a number').toBe(140);
    expect(row.quantity, 'quantity is a string').toBe('65');
    expect(row.strikeprice, 'strike in rupees').toBe(26000);

    const details = (await secureGet(h, jwtToken, `/order/v1/details/${placed.data.uniqueorderid}`)).json();
    expect(details.data, 'details is the same row').toEqual(row);
    const unknown = (
      await secureGet(h, jwtToken, '/order/v1/details/00000000-0000-4000-8000-000000000000')
    ).json();
    expect(unknown.errorcode, 'unknown uniqueorderid').toBe('AB1013');
  });

  it('passes the engine rejection codes through the standard envelope', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    const res = await securePost(h, jwtToken, '/order/v1/placeOrder', { ...BUY_CE, variety: 'WEIRD' });
    expect(res.statusCode, 'HTTP 200 for business errors').toBe(200);
    expect(res.json(), 'AB1008 for an unknown variety').toMatchObject({
      status: false,
      errorcode: 'AB1008',
      data: null,
    });
  });

  it('fills a marketable order and serves trade book and positions with every value a string', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    const placed = (
      await securePost(h, jwtToken, '/order/v1/placeOrder', { ...BUY_CE, price: '146' })
    ).json();
    expect(placed.status).toBe(true);
    h.clock.advanceBy(1_000);
    const book = (await secureGet(h, jwtToken, '/order/v1/getOrderBook')).json();
    expect(book.data[0].status, 'crossed the ask and filled').toBe('complete');

    const trades = (await secureGet(h, jwtToken, '/order/v1/getTradeBook')).json();
    expect(trades.data, 'one fill').toHaveLength(1);
    for (const [key, value] of Object.entries(trades.data[0]))
      expect(typeof value, `trade ${key} is a string`).toBe('string');

    const positions = (await secureGet(h, jwtToken, '/order/v1/getPosition')).json();
    expect(positions.data, 'one position').toHaveLength(1);
    const position = positions.data[0];
    for (const [key, value] of Object.entries(position))
      expect(typeof value, `position ${key} is a string`).toBe('string');
    expect(position.netqty, 'long one lot').toBe('65');

    const rms = (await secureGet(h, jwtToken, '/user/v1/getRMS')).json();
    for (const [key, value] of Object.entries(rms.data))
      expect(typeof value, `rms ${key} is a string`).toBe('string');
  });

  it('modifies and cancels an open order', async () => {
    h = harness();
    const { jwtToken } = await login(h);
    const placed = (await securePost(h, jwtToken, '/order/v1/placeOrder', BUY_CE)).json().data;
    const modified = (
      await securePost(h, jwtToken, '/order/v1/modifyOrder', {
        variety: 'NORMAL',
        orderid: placed.orderid,
        ordertype: 'LIMIT',
        producttype: 'CARRYFORWARD',
        duration: 'DAY',
        price: '141',
        quantity: '65',
        tradingsymbol: 'NIFTY01DEC2626000CE',
        symboltoken: '52101',
        exchange: 'NFO',
      })
    ).json();
    expect(modified.data, 'modify answers both ids').toEqual({
      orderid: placed.orderid,
      uniqueorderid: placed.uniqueorderid,
    });
    const cancelled = (
      await securePost(h, jwtToken, '/order/v1/cancelOrder', { variety: 'NORMAL', orderid: placed.orderid })
    ).json();
    expect(cancelled.data, 'cancel answers both ids').toEqual({
      orderid: placed.orderid,
      uniqueorderid: placed.uniqueorderid,
    });
    h.clock.advanceBy(1_000);
    const book = (await secureGet(h, jwtToken, '/order/v1/getOrderBook')).json();
    expect(book.data[0].status).toBe('cancelled');
    expect(book.data[0].price, 'the modified price').toBe(141);
  });
});
