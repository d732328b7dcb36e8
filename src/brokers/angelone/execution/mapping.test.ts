import { describe, expect, it } from 'vitest';
import { IfError, isIfError } from '../../../core/errors.js';
import { paise } from '../../../core/money.js';
import { istToEpochMs } from '../../../core/time.js';
import { isClientOrderId, type Order } from '../../../execution/orders/index.js';
import { limitSpec, newOrder } from '../../../execution/orders/testkit.js';
import type { AngelOrder, AngelTrade } from '../rest/index.js';
import {
  ANGEL_STATUS_TO_REPORT,
  angelReportStatus,
  fillTimeMs,
  modifyRequest,
  orderLookup,
  orderWriteError,
  pickRow,
  placeRequest,
  unsupportedReason,
} from './mapping.js';

function row(overrides: Partial<AngelOrder> = {}): AngelOrder {
  return {
    orderId: '261125000000001',
    uniqueOrderId: 'u-1',
    exchangeOrderId: '1000000000000001',
    parentOrderId: '',
    variety: 'NORMAL',
    orderType: 'LIMIT',
    productType: 'INTRADAY',
    duration: 'DAY',
    transactionType: 'BUY',
    exchange: 'NFO',
    tradingSymbol: 'NIFTY27JAN2625000CE',
    symbolToken: '43215',
    instrumentType: 'OPTIDX',
    optionType: 'CE',
    expiryDate: '27JAN2026',
    strikePrice: paise(2_500_000),
    price: paise(10_000),
    triggerPrice: paise(0),
    averagePrice: paise(0),
    squareOff: undefined,
    stopLoss: undefined,
    trailingStopLoss: undefined,
    quantity: 130,
    disclosedQuantity: 0,
    filledShares: 0,
    unfilledShares: 130,
    cancelSize: 0,
    lotSize: 65,
    orderTag: 'IF2601200000001',
    status: 'open',
    orderStatus: 'open',
    text: '',
    updateTimeMs: undefined,
    exchTimeMs: undefined,
    exchOrderUpdateTimeMs: undefined,
    ...overrides,
  };
}

function trade(fillId: string, fillSize: number, fillPrice: number, orderId = '261125000000001'): AngelTrade {
  return {
    orderId,
    fillId,
    fillTime: '10:15:30',
    fillPrice: paise(fillPrice),
    fillSize,
    tradeValue: paise(fillPrice * fillSize),
    transactionType: 'BUY',
    exchange: 'NFO',
    productType: 'INTRADAY',
    tradingSymbol: 'NIFTY27JAN2625000CE',
    instrumentType: 'OPTIDX',
    strikePrice: paise(2_500_000),
    optionType: 'CE',
    expiryDate: '27JAN2026',
    marketLot: 65,
  };
}

const NOW = istToEpochMs(2026, 1, 20, 11, 0);

describe('Angel status mapping', () => {
  it('maps every status the reference and the order-status codes name; working states are open', () => {
    const expected: Record<string, string> = {
      open: 'open',
      'open pending': 'open',
      'trigger pending': 'open',
      'validation pending': 'open',
      'modify pending': 'open',
      modified: 'open',
      'cancel pending': 'open',
      'after market order req received': 'open',
      complete: 'filled',
      cancelled: 'cancelled',
      rejected: 'rejected',
    };
    for (const [status, ours] of Object.entries(expected)) {
      expect(angelReportStatus(status), status).toBe(ours);
    }
    expect(angelReportStatus('  Trigger  Pending '), 'case and spacing do not matter').toBe('open');
    expect(Object.values(ANGEL_STATUS_TO_REPORT), 'Angel has no expired state').not.toContain('expired');
  });

  it('refuses an unknown status instead of guessing a state', () => {
    let error: unknown;
    try {
      angelReportStatus('lost in space');
    } catch (caught) {
      error = caught;
    }
    expect(isIfError(error, 'IF_ERR_BROKER_RESPONSE'), 'a typed response error').toBe(true);
  });
});

describe('order write errors', () => {
  const order = newOrder();
  const cases: Array<[string, IfError, boolean]> = [
    ['AB2000 lot size', new IfError('IF_ERR_BROKER_REJECTED', { brokerCode: 'AB2000', detail: 'x' }), true],
    ['AB2020 funds', new IfError('IF_ERR_BROKER_FUNDS', { brokerCode: 'AB2020', detail: 'x' }), true],
    ['AG7002 static IP', new IfError('IF_ERR_BROKER_STATIC_IP', { brokerCode: 'AG7002' }), true],
    [
      'gateway 403',
      new IfError('IF_ERR_BROKER_RATE_LIMITED', { endpoint: 'placeOrder', source: 'broker' }),
      true,
    ],
    [
      'our limiter',
      new IfError('IF_ERR_BROKER_RATE_LIMITED', { endpoint: 'placeOrder', source: 'client' }),
      true,
    ],
    ['breaker open', new IfError('IF_ERR_BROKER_CIRCUIT_OPEN', { endpoint: 'placeOrder' }), true],
    ['token dead', new IfError('IF_ERR_BROKER_SESSION', { brokerCode: 'AG8001', detail: 'x' }), true],
    ['timeout', new IfError('IF_ERR_BROKER_TIMEOUT', { endpoint: 'placeOrder', ms: 7000 }), false],
    ['5xx / reset', new IfError('IF_ERR_BROKER_UNAVAILABLE', { endpoint: 'placeOrder', detail: 'x' }), false],
    [
      'AB1004 try later',
      new IfError('IF_ERR_BROKER_UNAVAILABLE', { brokerCode: 'AB1004', detail: 'x' }),
      false,
    ],
    ['unreadable 200', new IfError('IF_ERR_BROKER_RESPONSE', { endpoint: 'placeOrder', detail: 'x' }), false],
  ];
  for (const [name, error, refused] of cases) {
    it(`${name}: ${refused ? 'refused (order rejected)' : 'outcome unknown (reconcile)'}`, () => {
      const mapped = orderWriteError(error, 'submit', order);
      expect(mapped instanceof IfError && mapped.code, 'the code is kept').toBe(error.code);
      expect(mapped instanceof IfError && mapped.params.refused, 'refusal flag').toBe(
        refused ? true : undefined,
      );
      expect(mapped instanceof IfError && mapped.params.brokerCode, "Angel's code is kept").toBe(
        error.params.brokerCode,
      );
      expect(mapped instanceof IfError && mapped.params.clientOrderId, 'names the order').toBe(
        order.clientOrderId,
      );
    });
  }

  it('a non-IfError passes through untouched (outcome unknown)', () => {
    const error = new TypeError('fetch failed');
    expect(orderWriteError(error, 'cancel', order)).toBe(error);
  });
});

describe('requests', () => {
  it('a stop-loss limit goes as variety STOPLOSS with rupee prices from paise, tagged with the client id', () => {
    const order = newOrder(
      limitSpec({
        side: 'SELL',
        pricing: {
          type: 'STOPLOSS_LIMIT',
          limitPricePaise: paise(9_505),
          triggerPricePaise: paise(9_550),
        },
        product: 'CARRYFORWARD',
      }),
    );
    expect(placeRequest(order)).toEqual({
      variety: 'STOPLOSS',
      tradingSymbol: 'NIFTY27JAN2625000CE',
      symbolToken: '43215',
      transactionType: 'SELL',
      exchange: 'NFO',
      orderType: 'STOPLOSS_LIMIT',
      productType: 'CARRYFORWARD',
      duration: 'DAY',
      quantity: 130,
      price: 9_505,
      triggerPrice: 9_550,
      orderTag: order.clientOrderId,
    });
  });

  it('a modification repeats the order with the changed fields (quantity is the new total)', () => {
    const order = newOrder();
    expect(modifyRequest(order, 'B7', { quantity: 195 })).toMatchObject({
      variety: 'NORMAL',
      orderId: 'B7',
      orderType: 'LIMIT',
      price: 10_000,
      quantity: 195,
      duration: 'DAY',
    });
    expect(modifyRequest(order, 'B7', { limitPricePaise: paise(10_050) }).price, 'new price').toBe(10_050);
  });

  it('MARKET, STOPLOSS_MARKET and IOC are named as barred; LIMIT DAY is fine', () => {
    const market: Order = newOrder(limitSpec({ pricing: { type: 'MARKET' } }));
    const ioc: Order = newOrder(limitSpec({ timeInForce: 'IOC' }));
    expect(unsupportedReason(market)).toMatch(/MARKET/);
    expect(unsupportedReason(ioc)).toMatch(/IOC/);
    expect(unsupportedReason(newOrder())).toBeUndefined();
  });
});

describe('order lookups', () => {
  it('a partly filled row carries its trade-book fills with Angel ids and IST fill times', () => {
    const lookup = orderLookup(
      row({ filledShares: 65, unfilledShares: 65 }),
      [trade('F1', 65, 10_000), trade('X9', 65, 9_000, 'other')],
      isClientOrderId,
      NOW,
    );
    expect(lookup.clientOrderId).toBe('IF2601200000001');
    expect(lookup.report).toEqual({
      found: true,
      brokerOrderId: '261125000000001',
      status: 'open',
      quantity: 130,
      filledQuantity: 65,
      pricing: { type: 'LIMIT', limitPricePaise: 10_000 },
    });
    expect(lookup.fills, 'only this order’s trades').toEqual([
      { fillId: 'F1', quantity: 65, pricePaise: 10_000, atMs: istToEpochMs(2026, 1, 20, 10, 15, 30) },
    ]);
  });

  it('a rejected row carries the reason; a foreign tag has no client order id', () => {
    const lookup = orderLookup(
      row({ status: 'rejected', text: 'RMS:Margin Exceeds', orderTag: 'manual' }),
      [],
      isClientOrderId,
      NOW,
    );
    expect(lookup.report).toMatchObject({ status: 'rejected', reason: 'RMS:Margin Exceeds' });
    expect(lookup.clientOrderId).toBeUndefined();
  });

  it('of two rows with one tag, the working one is reported', () => {
    const rejected = row({ orderId: '2', status: 'rejected' });
    const open = row({ orderId: '1', status: 'open' });
    expect(pickRow([rejected, open])?.orderId).toBe('1');
    expect(pickRow([])).toBeUndefined();
  });

  it('an unreadable fill time falls back to now', () => {
    expect(fillTimeMs('', NOW)).toBe(NOW);
    expect(fillTimeMs('25:00:00', NOW)).toBe(NOW);
  });
});
