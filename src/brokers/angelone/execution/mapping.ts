import { type ErrorCode, IfError, isIfError } from '../../../core/errors.js';
import { type Paise, paise } from '../../../core/money.js';
import { istMidnight } from '../../../core/time.js';
import type { BrokerFill, BrokerOrderLookup } from '../../../execution/ports.js';
import type {
  BrokerOrderReport,
  ClientOrderId,
  ModifyRequest,
  Order,
  OrderPricing,
} from '../../../execution/orders/index.js';
import type {
  AngelOrder,
  AngelTrade,
  CancelOrderRequest,
  ModifyOrderRequest,
  OrderVariety,
  PlaceOrderRequest,
} from '../rest/index.js';

/** The venue name our errors carry. */
export const ANGEL_VENUE = 'Angel One';

type ReportStatus = Extract<BrokerOrderReport, { found: true }>['status'];

/**
 * Angel's order-book `status` text (lower case) → our report status. Angel has no "expired": DAY orders
 * still working at the close come back as `cancelled`. Every transient OMS state of a working order
 * (pending validation, a modification or cancel on its way) is `open`: the order still rests at the venue.
 * Statuses outside the table are refused (`angelReportStatus` throws), so an unknown state is never
 * guessed into a terminal or a working one.
 */
export const ANGEL_STATUS_TO_REPORT: Readonly<Record<string, ReportStatus>> = {
  open: 'open',
  'open pending': 'open',
  'trigger pending': 'open',
  'validation pending': 'open',
  'put order req received': 'open',
  'modify pending': 'open',
  'modify validation pending': 'open',
  modified: 'open',
  'not modified': 'open',
  'cancel pending': 'open',
  'not cancelled': 'open',
  'after market order req received': 'open',
  'amo req received': 'open',
  'modify after market order req received': 'open',
  complete: 'filled',
  cancelled: 'cancelled',
  'cancelled after market order': 'cancelled',
  'amo cancelled': 'cancelled',
  rejected: 'rejected',
};

/** Our report status for an order-book row's `status`; throws IF_ERR_BROKER_RESPONSE for an unknown one. */
export function angelReportStatus(status: string): ReportStatus {
  const key = status.trim().toLowerCase().replace(/\s+/g, ' ');
  const mapped = ANGEL_STATUS_TO_REPORT[key];
  if (mapped === undefined) {
    throw new IfError('IF_ERR_BROKER_RESPONSE', {
      endpoint: 'getOrderBook',
      detail: `unknown order status "${status.slice(0, 60)}"; refusing to guess the order's state`,
    });
  }
  return mapped;
}

/**
 * Failures after which the request certainly did not take effect: Angel (or its gateway) answered with a
 * refusal, or the request never left (our validation, our rate limiter, an open breaker, no session).
 * Everything else — a timeout, a dropped connection, a 5xx or an "internal error, try later" code, an
 * answer we could not read — leaves the outcome unknown, and the order must be reconciled by its tag.
 */
const REFUSED_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'IF_ERR_BROKER_REJECTED',
  'IF_ERR_BROKER_ORDER',
  'IF_ERR_BROKER_INPUT',
  'IF_ERR_BROKER_FUNDS',
  'IF_ERR_BROKER_PERMISSION',
  'IF_ERR_BROKER_STATIC_IP',
  'IF_ERR_BROKER_API_KEY',
  'IF_ERR_BROKER_AUTH',
  // the gateway checks the token before the OMS sees the order (and the client refreshes once first)
  'IF_ERR_BROKER_SESSION',
  // Angel's 403 comes from the gateway, before the OMS; ours never sent the request
  'IF_ERR_BROKER_RATE_LIMITED',
  'IF_ERR_BROKER_CIRCUIT_OPEN',
  'IF_ERR_VALIDATION',
]);

export type AngelOperation = 'submit' | 'modify' | 'cancel';

/**
 * The error an order write failed with, in the execution-port convention: a refusal keeps its code and
 * broker code and gains `refused: true`; any other failure keeps its code without `refused`.
 */
export function orderWriteError(error: unknown, operation: AngelOperation, order: Order): unknown {
  if (!isIfError(error)) return error;
  const refused = REFUSED_CODES.has(error.code);
  const params = {
    ...error.params,
    operation,
    clientOrderId: order.clientOrderId,
    ...(refused ? { refused: true, source: 'broker' } : {}),
  };
  return new IfError(error.code, params, { cause: error });
}

/** A refusal of ours: the request was not sent (MARKET/IOC, no broker order id yet). */
export function localRefusal(operation: AngelOperation, order: Order, detail: string): IfError {
  return new IfError('IF_ERR_EXECUTION_UNSUPPORTED', {
    venue: ANGEL_VENUE,
    operation,
    clientOrderId: order.clientOrderId,
    detail,
    refused: true,
    source: 'local',
  });
}

/** Why Angel cannot take this order from an algo, or undefined when it can. */
export function unsupportedReason(order: Order): string | undefined {
  if (order.pricing.type === 'MARKET' || order.pricing.type === 'STOPLOSS_MARKET') {
    return `${order.pricing.type} orders are barred for algos; send a LIMIT with a protection band`;
  }
  if (order.timeInForce === 'IOC') return 'IOC orders are barred for algos; send DAY';
  return undefined;
}

function varietyOf(pricing: OrderPricing): OrderVariety {
  return pricing.type === 'STOPLOSS_LIMIT' || pricing.type === 'STOPLOSS_MARKET' ? 'STOPLOSS' : 'NORMAL';
}

/** placeOrder body for a LIMIT or STOPLOSS_LIMIT order (check `unsupportedReason` first). */
export function placeRequest(order: Order): PlaceOrderRequest {
  const { instrument, pricing } = order;
  const request: PlaceOrderRequest = {
    variety: varietyOf(pricing),
    tradingSymbol: instrument.symbol,
    symbolToken: instrument.token,
    transactionType: order.side,
    exchange: instrument.exchange,
    orderType: pricing.type,
    productType: order.product,
    duration: 'DAY',
    quantity: order.quantity,
    orderTag: order.clientOrderId,
  };
  if ('limitPricePaise' in pricing) request.price = pricing.limitPricePaise;
  if ('triggerPricePaise' in pricing) request.triggerPrice = pricing.triggerPricePaise;
  return request;
}

/**
 * modifyOrder body: Angel wants the whole order again, so absent fields keep the order's values.
 * `quantity` is the new total (Angel refuses one at or below what has filled).
 */
export function modifyRequest(
  order: Order,
  brokerOrderId: string,
  change: ModifyRequest,
): ModifyOrderRequest {
  const { instrument, pricing } = order;
  const request: ModifyOrderRequest = {
    variety: varietyOf(pricing),
    orderId: brokerOrderId,
    orderType: pricing.type,
    productType: order.product,
    duration: 'DAY',
    price: change.limitPricePaise ?? ('limitPricePaise' in pricing ? pricing.limitPricePaise : 0),
    quantity: change.quantity ?? order.quantity,
    tradingSymbol: instrument.symbol,
    symbolToken: instrument.token,
    exchange: instrument.exchange,
  };
  const trigger =
    change.triggerPricePaise ?? ('triggerPricePaise' in pricing ? pricing.triggerPricePaise : undefined);
  if (trigger !== undefined) request.triggerPrice = trigger;
  return request;
}

export function cancelRequest(order: Order, brokerOrderId: string): CancelOrderRequest {
  return { variety: varietyOf(order.pricing), orderId: brokerOrderId };
}

/** The broker order id a modify or cancel needs, from whichever state the order is in. */
export function brokerOrderIdOf(order: Order): string | undefined {
  return 'brokerOrderId' in order && order.brokerOrderId !== undefined && order.brokerOrderId !== ''
    ? order.brokerOrderId
    : undefined;
}

function isPositivePaise(value: number | undefined): value is Paise {
  return value !== undefined && Number.isSafeInteger(value) && value > 0;
}

/** The row's pricing when its prices make sense for its type; undefined otherwise (then ours stands). */
export function rowPricing(row: AngelOrder): OrderPricing | undefined {
  const { price, triggerPrice } = row;
  switch (row.orderType) {
    case 'LIMIT':
      return isPositivePaise(price) ? { type: 'LIMIT', limitPricePaise: price } : undefined;
    case 'STOPLOSS_LIMIT':
      return isPositivePaise(price) && isPositivePaise(triggerPrice)
        ? { type: 'STOPLOSS_LIMIT', limitPricePaise: price, triggerPricePaise: triggerPrice }
        : undefined;
    case 'MARKET':
      return { type: 'MARKET' };
    case 'STOPLOSS_MARKET':
      return isPositivePaise(triggerPrice)
        ? { type: 'STOPLOSS_MARKET', triggerPricePaise: triggerPrice }
        : undefined;
    default:
      return undefined;
  }
}

const FILL_TIME = /^(\d{1,2}):(\d{2}):(\d{2})$/;

/** Angel's trade-book `filltime` (`13:27:53`, IST, the day of `nowMs`) as epoch ms; `nowMs` when unreadable. */
export function fillTimeMs(fillTime: string, nowMs: number): number {
  const match = FILL_TIME.exec(fillTime.trim());
  if (match === null) return nowMs;
  const [, h, m, s] = match;
  const ms = ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000;
  return ms < 86_400_000 ? istMidnight(nowMs) + ms : nowMs;
}

export function brokerFill(trade: AngelTrade, nowMs: number): BrokerFill {
  return {
    fillId: trade.fillId,
    quantity: trade.fillSize,
    pricePaise: paise(trade.fillPrice),
    atMs: fillTimeMs(trade.fillTime, nowMs),
  };
}

/**
 * One order-book row with its trade-book fills as a lookup. `filledQuantity` is Angel's `filledshares`
 * (the order's truth); when the trade book lags it differs from the sum of `fills`, and the state
 * machine then refuses the report until the missing fills are applied.
 */
export function orderLookup(
  row: AngelOrder,
  trades: readonly AngelTrade[],
  isOwnTag: (tag: string) => boolean,
  nowMs: number,
): BrokerOrderLookup {
  const fills = trades.filter((t) => t.orderId === row.orderId).map((t) => brokerFill(t, nowMs));
  const status = angelReportStatus(row.status);
  const fromFills = fills.reduce((sum, f) => sum + f.quantity, 0);
  const filledQuantity = row.filledShares ?? (status === 'filled' ? row.quantity : fromFills);
  const pricing = rowPricing(row);
  const reason = row.text.trim();
  const report: BrokerOrderReport = {
    found: true,
    brokerOrderId: row.orderId,
    status,
    quantity: row.quantity,
    filledQuantity,
    ...(pricing === undefined ? {} : { pricing }),
    ...(reason === '' ? {} : { reason }),
  };
  return {
    clientOrderId: isOwnTag(row.orderTag) ? (row.orderTag as ClientOrderId) : undefined,
    report,
    fills,
  };
}

/**
 * The row to report when several carry one tag (which only a double send could cause): a row that still
 * works or has fills beats a rejected one, then the latest.
 */
export function pickRow(rows: readonly AngelOrder[]): AngelOrder | undefined {
  let best: AngelOrder | undefined;
  const rank = (row: AngelOrder) => (row.status.trim().toLowerCase() === 'rejected' ? 0 : 1);
  for (const row of rows) {
    if (
      best === undefined ||
      rank(row) > rank(best) ||
      (rank(row) === rank(best) && row.orderId > best.orderId)
    ) {
      best = row;
    }
  }
  return best;
}
