import type { OrderStatusCode, OrderStatusData, OrderUpdateEvent } from '../orders/index.js';

/** The order-status socket's path (wss://tns.angelone.in/smart-order-update). */
export const ORDER_FEED_PATH = '/smart-order-update';

/**
 * `orderData` of the AB00 acknowledgement: every field present and empty, typed as in real updates
 * (numbers 0, quantity strings "0"); `strikeprice` is 0 here, not the -1 of non-option orders (§2).
 */
export const EMPTY_ORDER_DATA = {
  variety: '',
  ordertype: '',
  ordertag: '',
  producttype: '',
  price: 0,
  triggerprice: 0,
  quantity: '0',
  disclosedquantity: '0',
  duration: '',
  squareoff: 0,
  stoploss: 0,
  trailingstoploss: 0,
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
  averageprice: 0,
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
} as const;

export interface OrderFeedMessage {
  'user-id': string;
  'status-code': '200';
  'order-status': OrderStatusCode | 'AB00';
  'error-message': string;
  orderData: OrderStatusData | typeof EMPTY_ORDER_DATA;
}

/** The first message on every connection. */
export function acknowledgement(clientCode: string): string {
  const message: OrderFeedMessage = {
    'user-id': clientCode,
    'status-code': '200',
    'order-status': 'AB00',
    'error-message': '',
    orderData: EMPTY_ORDER_DATA,
  };
  return JSON.stringify(message);
}

const ORDER_DATA_KEYS = Object.keys(EMPTY_ORDER_DATA) as (keyof OrderStatusData)[];

/**
 * One order update in the envelope's key order. `orderData` is rebuilt in the documented field order so
 * the bytes do not depend on how the engine happened to build its object; the rejection reason travels
 * in `orderData.text`.
 */
export function updateMessage(event: OrderUpdateEvent): string {
  const orderData: Record<string, unknown> = {};
  for (const key of ORDER_DATA_KEYS) orderData[key] = event.orderData[key];
  const message = {
    'user-id': event.clientCode,
    'status-code': '200',
    'order-status': event.orderStatusCode,
    'error-message': '',
    orderData,
  };
  return JSON.stringify(message);
}
