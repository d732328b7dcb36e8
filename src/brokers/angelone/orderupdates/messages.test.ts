import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { istToEpochMs } from '../../../core/time.js';
import { ORDER_STATUS_MEANING, type OrderStatusCode, parseAngelTime, parseOrderUpdate } from './messages.js';

const EMPTY_ORDER_DATA = {
  variety: '',
  ordertype: '',
  ordertag: '',
  producttype: '',
  price: 0.0,
  triggerprice: 0.0,
  quantity: '0',
  disclosedquantity: '0',
  duration: '',
  squareoff: 0.0,
  stoploss: 0.0,
  trailingstoploss: 0.0,
  tradingsymbol: '',
  transactiontype: '',
  exchange: '',
  symboltoken: '',
  instrumenttype: '',
  strikeprice: 0,
  optiontype: '',
  expirydate: '',
  lotsize: '0',
  cancelsize: '0',
  averageprice: 0.0,
  filledshares: '0',
  unfilledshares: '0',
  orderid: '',
  text: '',
  status: '',
  orderstatus: '',
  updatetime: '',
  exchtime: '',
  exchorderupdatetime: '',
  fillid: '',
  filltime: '',
  parentorderid: '',
};

/** The shape of §2, with Angel's mixed typing. */
const COMPLETE = {
  'user-id': 'A123456',
  'status-code': '200',
  'order-status': 'AB05',
  'error-message': '',
  orderData: {
    variety: 'NORMAL',
    ordertype: 'LIMIT',
    ordertag: 'if-7f3a',
    producttype: 'CARRYFORWARD',
    price: 101.05,
    triggerprice: 0,
    quantity: '75',
    disclosedquantity: '0',
    duration: 'DAY',
    squareoff: 0,
    stoploss: 0,
    trailingstoploss: 0,
    tradingsymbol: 'NIFTY01DEC2624500CE',
    transactiontype: 'BUY',
    exchange: 'NFO',
    symboltoken: '43650',
    instrumenttype: 'OPTIDX',
    strikeprice: 24500,
    optiontype: 'CE',
    expirydate: '01DEC2026',
    lotsize: '75',
    cancelsize: '0',
    averageprice: '101.05',
    filledshares: '75',
    unfilledshares: '0',
    orderid: '261125000123456',
    text: '',
    status: 'complete',
    orderstatus: 'complete',
    updatetime: '25-Nov-2026 10:15:30',
    exchtime: '25-Nov-2026 10:15:29',
    exchorderupdatetime: '25-Nov-2026 10:15:29',
    fillid: '5123',
    filltime: '10:15:29',
    parentorderid: '',
  },
};

describe('parseOrderUpdate', () => {
  it('parses the AB00 acknowledgement with its all-empty orderData', () => {
    const result = parseOrderUpdate(
      JSON.stringify({
        'user-id': 'A123456',
        'status-code': '200',
        'order-status': 'AB00',
        'error-message': '',
        orderData: EMPTY_ORDER_DATA,
      }),
      1,
    );
    expect(result.ok, 'accepted').toBe(true);
    if (!result.ok) return;
    expect([result.update.statusCode, result.update.meaning], 'AB00 means connected').toEqual([
      'AB00',
      'connected',
    ]);
    expect(result.update.order.orderId, 'no order in the acknowledgement').toBe('');
    expect(result.update.order.strikePricePaise, 'strike 0 is "no strike"').toBeUndefined();
    expect(result.update.order.updateTimeMs, 'empty time').toBeUndefined();
  });

  it('types a complete order: paise prices, numeric quantities, IST times, raw kept', () => {
    const result = parseOrderUpdate(JSON.stringify(COMPLETE), 42);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { update } = result;
    expect([update.statusCode, update.meaning, update.userId, update.envelopeStatus]).toEqual([
      'AB05',
      'complete',
      'A123456',
      '200',
    ]);
    const order = update.order;
    expect(order.pricePaise, 'number 101.05 rupees → 10105 paise').toBe(10_105);
    expect(order.averagePricePaise, 'string "101.05" rupees → 10105 paise').toBe(10_105);
    expect(order.strikePricePaise, 'strike in paise').toBe(2_450_000);
    expect(
      [order.quantity, order.filledQuantity, order.unfilledQuantity, order.lotSize],
      'strings → numbers',
    ).toEqual([75, 75, 0, 75]);
    expect(order.updateTimeMs, 'IST wall time → epoch ms').toBe(istToEpochMs(2026, 11, 25, 10, 15, 30));
    expect(order.parentOrderId, 'empty parent → undefined').toBeUndefined();
    expect(order.orderTag).toBe('if-7f3a');
    expect(order.raw, 'the orderData exactly as received').toEqual(COMPLETE.orderData);
    expect(update.receivedAtMs).toBe(42);
  });

  it('maps every documented status code to its meaning', () => {
    for (const code of Object.keys(ORDER_STATUS_MEANING) as OrderStatusCode[]) {
      const result = parseOrderUpdate(JSON.stringify({ ...COMPLETE, 'order-status': code }), 0);
      expect(result.ok && result.update.meaning, code).toBe(ORDER_STATUS_MEANING[code]);
    }
  });

  it('tolerates numbers where strings are documented and vice versa, and missing fields', () => {
    const result = parseOrderUpdate(
      JSON.stringify({
        'user-id': 'A1',
        'status-code': 200,
        'order-status': 'AB03',
        orderData: {
          price: '99.5',
          quantity: 150,
          strikeprice: -1,
          symboltoken: 43650,
          text: 'RMS: margin shortfall',
        },
      }),
      0,
    );
    expect(result.ok, 'accepted').toBe(true);
    if (!result.ok) return;
    expect(result.update.envelopeStatus).toBe('200');
    expect(result.update.order.pricePaise).toBe(9950);
    expect(result.update.order.quantity).toBe(150);
    expect(result.update.order.symbolToken, 'number token → string').toBe('43650');
    expect(result.update.order.strikePricePaise, 'strike -1 means not an option').toBeUndefined();
    expect(result.update.order.text).toBe('RMS: margin shortfall');
  });

  it('rejects corrupt messages with a reason instead of letting them in', () => {
    const cases: [string, string][] = [
      ['not json', 'not JSON'],
      [JSON.stringify({ ...COMPLETE, 'order-status': 'AB12' }), 'unknown order-status'],
      [JSON.stringify({ 'user-id': 'A1' }), 'order-status'],
      [JSON.stringify({ ...COMPLETE, orderData: { ...COMPLETE.orderData, quantity: 'abc' } }), 'quantity'],
      [JSON.stringify({ ...COMPLETE, orderData: { ...COMPLETE.orderData, quantity: '-5' } }), 'quantity'],
      [
        JSON.stringify({ ...COMPLETE, orderData: { ...COMPLETE.orderData, filledshares: '1.5' } }),
        'filledshares',
      ],
      [JSON.stringify({ ...COMPLETE, orderData: { ...COMPLETE.orderData, price: 'NaN' } }), 'price'],
      [JSON.stringify({ ...COMPLETE, orderData: { ...COMPLETE.orderData, price: 1e300 } }), 'price'],
    ];
    for (const [message, reason] of cases) {
      const result = parseOrderUpdate(message, 0);
      expect(result.ok, message).toBe(false);
      if (!result.ok) expect(result.detail, message).toContain(reason);
    }
  });

  it('property: never throws, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc
            .record({
              'order-status': fc.constantFrom('AB00', 'AB05', 'ab01'),
              orderData: fc.dictionary(fc.string(), fc.jsonValue()),
            })
            .map((o) => JSON.stringify(o)),
        ),
        (text) => {
          expect(() => parseOrderUpdate(text, 0)).not.toThrow();
        },
      ),
    );
  });
});

describe('parseAngelTime', () => {
  it('reads "DD-Mon-YYYY HH:MM:SS" as IST and refuses anything else', () => {
    expect(parseAngelTime('25-Oct-2023 23:53:21'), 'the documented example').toBe(
      istToEpochMs(2023, 10, 25, 23, 53, 21),
    );
    expect(parseAngelTime(''), 'empty').toBeUndefined();
    expect(parseAngelTime('2023-10-25 23:53:21'), 'another format').toBeUndefined();
    expect(parseAngelTime('25-Foo-2023 23:53:21'), 'bad month').toBeUndefined();
  });
});
