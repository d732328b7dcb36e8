import type { Instrument } from '../../core/instrument.js';
import {
  DURATIONS,
  type Duration,
  type ModifyOrderBody,
  ORDER_EXCHANGES,
  ORDER_TYPES,
  type OrderFailure,
  type OrderType,
  PRODUCT_TYPES,
  type PlaceOrderBody,
  type ProductType,
  TRANSACTION_TYPES,
  type TransactionType,
  VARIETIES,
  type Variety,
} from './types.js';

/**
 * Angel error codes the order engine answers with. Where the official table (reference §3.3) has a code
 * for the problem it is used; other input problems get AB2000 ("Error not specified"), which clients map
 * to a permanent rejection. AB1004 is avoided on purpose: it says "try after sometime", and our clients
 * retry it.
 */
export const ANGEL_ORDER_ERRORS = {
  invalidVariety: 'AB1008',
  symbolNotFound: 'AB1009',
  invalidProductType: 'AB1012',
  orderNotFound: 'AB1013',
  notSpecified: 'AB2000',
  roboBlocked: 'AB2002',
  ordertagLength: 'AB4008',
} as const;

/** A variety the engine accepts (ROBO is refused the way Angel refuses it today). */
export type AcceptedVariety = Exclude<Variety, 'ROBO'>;

/** A place request that passed every check Angel makes before it hands out an order id. */
export interface OrderSpec {
  instrument: Instrument;
  variety: AcceptedVariety;
  side: TransactionType;
  ordertype: OrderType;
  producttype: ProductType;
  duration: Duration;
  quantity: number;
  /** limit price in paise; 0 for MARKET and STOPLOSS_MARKET until the engine prices them */
  pricePaise: number;
  /** trigger in paise for stop-loss orders, else 0 */
  triggerPaise: number;
  disclosedQuantity: number;
  /** rupees, echoed back in order rows (bracket-order fields; unused by the engine) */
  squareoff: number;
  stoploss: number;
  trailingstoploss: number;
  ordertag: string;
}

export type Parsed<T> = { ok: true; value: T } | OrderFailure;

/** JSON bodies arrive untyped: anything but an object is refused before a field is read. */
export function requireObject(body: unknown): OrderFailure | undefined {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) return undefined;
  return orderFailure(ANGEL_ORDER_ERRORS.notSpecified, 'Invalid request: the body must be a JSON object');
}

export function orderFailure(errorcode: string, message: string): OrderFailure {
  return { ok: false, errorcode, message };
}

const DERIVATIVE_EXCHANGES = new Set<string>(['NFO', 'BFO', 'MCX', 'CDS', 'NCDEX']);
const COMMODITY_EXCHANGES = new Set<string>(['MCX', 'NCDEX']);
/** Products Angel offers per segment: NRML/MIS for derivatives, CNC/MIS/margin delivery for cash. */
const DERIVATIVE_PRODUCTS = new Set<ProductType>(['CARRYFORWARD', 'INTRADAY']);
const CASH_PRODUCTS = new Set<ProductType>(['DELIVERY', 'INTRADAY', 'MARGIN']);

function oneOf<T extends string>(values: readonly T[], value: unknown): T | undefined {
  return typeof value === 'string' && (values as readonly string[]).includes(value)
    ? (value as T)
    : undefined;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** A decimal number from a JSON string or number; undefined when it is neither. */
function decimal(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) return undefined;
  return Number(text);
}

/** The received value for messages: `(missing)` when absent, cut short so a client cannot echo a novel. */
function shown(value: unknown): string {
  if (value === undefined || value === null || value === '') return '(missing)';
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function rupeesText(paise: number): string {
  return (paise / 100).toFixed(2);
}

/** Rupees to exact integer paise; undefined when the value has a fraction of a paisa. */
function exactPaise(rupees: number): number | undefined {
  const scaled = rupees * 100;
  const rounded = Math.round(scaled);
  return Math.abs(scaled - rounded) < 1e-6 ? rounded : undefined;
}

export function parseVariety(value: unknown): Parsed<AcceptedVariety> {
  const variety = oneOf(VARIETIES, value);
  if (variety === undefined) {
    return orderFailure(ANGEL_ORDER_ERRORS.invalidVariety, `Invalid Order Variety: ${shown(value)}`);
  }
  if (variety === 'ROBO') return orderFailure(ANGEL_ORDER_ERRORS.roboBlocked, 'ROBO order is block');
  return { ok: true, value: variety };
}

/** Stop-loss order types go with variety STOPLOSS, plain ones with NORMAL; AMO carries either. */
function checkVarietyMatchesType(variety: AcceptedVariety, ordertype: OrderType): OrderFailure | undefined {
  const stop = ordertype === 'STOPLOSS_LIMIT' || ordertype === 'STOPLOSS_MARKET';
  if (variety === 'NORMAL' && stop) {
    return orderFailure(
      ANGEL_ORDER_ERRORS.invalidVariety,
      `Invalid Order Variety: ordertype ${ordertype} needs variety STOPLOSS, not NORMAL`,
    );
  }
  if (variety === 'STOPLOSS' && !stop) {
    return orderFailure(
      ANGEL_ORDER_ERRORS.invalidVariety,
      `Invalid Order Variety: variety STOPLOSS needs ordertype STOPLOSS_LIMIT or STOPLOSS_MARKET, not ${ordertype}`,
    );
  }
  return undefined;
}

export function parseOrderType(value: unknown): Parsed<OrderType> {
  const ordertype = oneOf(ORDER_TYPES, value);
  if (ordertype === undefined) {
    return orderFailure(
      ANGEL_ORDER_ERRORS.notSpecified,
      `Invalid ordertype ${shown(value)}: use MARKET, LIMIT, STOPLOSS_LIMIT or STOPLOSS_MARKET`,
    );
  }
  return { ok: true, value: ordertype };
}

export function parseDuration(value: unknown, instrument: Instrument): Parsed<Duration> {
  const duration = oneOf(DURATIONS, value);
  if (duration === undefined) {
    return orderFailure(ANGEL_ORDER_ERRORS.notSpecified, `Invalid duration ${shown(value)}: use DAY or IOC`);
  }
  if (duration === 'IOC' && COMMODITY_EXCHANGES.has(instrument.exchange)) {
    return orderFailure(
      ANGEL_ORDER_ERRORS.notSpecified,
      `IOC orders are not allowed on ${instrument.exchange} (commodities take DAY only)`,
    );
  }
  return { ok: true, value: duration };
}

export function parseQuantity(value: unknown, instrument: Instrument): Parsed<number> {
  const quantity = decimal(value);
  if (quantity === undefined || !Number.isSafeInteger(quantity) || quantity <= 0) {
    return orderFailure(
      ANGEL_ORDER_ERRORS.notSpecified,
      `Invalid quantity ${shown(value)}: it must be a positive whole number of units`,
    );
  }
  const lot = Math.max(1, instrument.lotSize);
  if (quantity % lot !== 0) {
    return orderFailure(
      ANGEL_ORDER_ERRORS.notSpecified,
      `${instrument.symbol} order quantity ${quantity} is not a multiple of lot size ${lot}`,
    );
  }
  return { ok: true, value: quantity };
}

/** A positive price on the instrument's tick grid, in paise; `what` names the field in messages. */
function parseTickPrice(value: unknown, instrument: Instrument, what: string): Parsed<number> {
  const rupees = decimal(value);
  if (rupees === undefined || rupees <= 0) {
    return orderFailure(
      ANGEL_ORDER_ERRORS.notSpecified,
      `Invalid ${what} ${shown(value)}: a ${what} above zero is required for this order type`,
    );
  }
  const paise = exactPaise(rupees);
  const tick = Math.max(1, instrument.tickSizePaise);
  if (paise === undefined || paise % tick !== 0) {
    return orderFailure(
      ANGEL_ORDER_ERRORS.notSpecified,
      `${instrument.symbol} ${what} ${shown(value)} is not a multiple of tick size ${rupeesText(tick)}`,
    );
  }
  return { ok: true, value: paise };
}

/** Limit price and trigger for an order type; market-priced parts stay 0 for the engine to fill in. */
export function parsePrices(
  ordertype: OrderType,
  price: unknown,
  triggerprice: unknown,
  instrument: Instrument,
): Parsed<{ pricePaise: number; triggerPaise: number }> {
  let pricePaise = 0;
  let triggerPaise = 0;
  if (ordertype === 'LIMIT' || ordertype === 'STOPLOSS_LIMIT') {
    const parsed = parseTickPrice(price, instrument, 'price');
    if (!parsed.ok) return parsed;
    pricePaise = parsed.value;
  }
  if (ordertype === 'STOPLOSS_LIMIT' || ordertype === 'STOPLOSS_MARKET') {
    const parsed = parseTickPrice(triggerprice, instrument, 'triggerprice');
    if (!parsed.ok) return parsed;
    triggerPaise = parsed.value;
  }
  return { ok: true, value: { pricePaise, triggerPaise } };
}

function parseDisclosed(value: unknown, quantity: number): Parsed<number> {
  if (isAbsent(value)) return { ok: true, value: 0 };
  const disclosed = decimal(value);
  if (disclosed === undefined || !Number.isSafeInteger(disclosed) || disclosed < 0 || disclosed > quantity) {
    return orderFailure(
      ANGEL_ORDER_ERRORS.notSpecified,
      `Invalid disclosedquantity ${shown(value)}: it must be a whole number from 0 to the quantity ${quantity}`,
    );
  }
  return { ok: true, value: disclosed };
}

/** An optional rupee field that is only echoed back (squareoff, stoploss, trailing stop loss). */
function echoedRupees(value: unknown): number {
  const parsed = decimal(value);
  return parsed === undefined ? 0 : parsed;
}

/**
 * Checks a placeOrder body the way Angel does before it assigns an order id, in Angel's apparent order:
 * variety, ordertag, instrument, side, order type, product, duration, quantity, prices. `lookup` resolves
 * a symbol token (either index-token style) to an instrument.
 */
export function parsePlaceBody(
  body: PlaceOrderBody,
  lookup: (token: string) => Instrument | undefined,
): Parsed<OrderSpec> {
  const notObject = requireObject(body);
  if (notObject) return notObject;
  const variety = parseVariety(body.variety);
  if (!variety.ok) return variety;

  let ordertag = '';
  if (!isAbsent(body.ordertag)) {
    const tag = textOf(body.ordertag);
    if (tag === undefined) {
      return orderFailure(ANGEL_ORDER_ERRORS.notSpecified, 'Invalid ordertag: it must be a string');
    }
    if (tag.length >= 20) {
      return orderFailure(
        ANGEL_ORDER_ERRORS.ordertagLength,
        `ordertag length should be less than 20 characters (got ${tag.length})`,
      );
    }
    ordertag = tag;
  }

  const exchange = oneOf(ORDER_EXCHANGES, body.exchange);
  if (exchange === undefined) {
    return orderFailure(ANGEL_ORDER_ERRORS.notSpecified, `Invalid exchange ${shown(body.exchange)}`);
  }
  const token = textOf(body.symboltoken);
  const instrument = token === undefined || token === '' ? undefined : lookup(token);
  if (instrument === undefined) {
    return orderFailure(
      ANGEL_ORDER_ERRORS.symbolNotFound,
      `Symbol Not Found: token ${shown(body.symboltoken)}`,
    );
  }
  if (instrument.kind === 'index') {
    return orderFailure(
      ANGEL_ORDER_ERRORS.symbolNotFound,
      `Symbol Not Found: ${instrument.symbol} is an index and cannot be traded`,
    );
  }
  if (instrument.exchange !== exchange) {
    return orderFailure(
      ANGEL_ORDER_ERRORS.symbolNotFound,
      `Symbol Not Found: token ${instrument.token} is on ${instrument.exchange}, not ${exchange}`,
    );
  }
  if (textOf(body.tradingsymbol) !== instrument.symbol) {
    return orderFailure(
      ANGEL_ORDER_ERRORS.symbolNotFound,
      `Symbol Not Found: tradingsymbol ${shown(body.tradingsymbol)} does not match token ${instrument.token} (${instrument.symbol})`,
    );
  }

  const side = oneOf(TRANSACTION_TYPES, body.transactiontype);
  if (side === undefined) {
    return orderFailure(
      ANGEL_ORDER_ERRORS.notSpecified,
      `Invalid transactiontype ${shown(body.transactiontype)}: use BUY or SELL`,
    );
  }

  const ordertype = parseOrderType(body.ordertype);
  if (!ordertype.ok) return ordertype;
  const mismatch = checkVarietyMatchesType(variety.value, ordertype.value);
  if (mismatch) return mismatch;

  const producttype = oneOf(PRODUCT_TYPES, body.producttype);
  if (producttype === undefined) {
    return orderFailure(
      ANGEL_ORDER_ERRORS.invalidProductType,
      `Invalid Product Type: ${shown(body.producttype)}`,
    );
  }
  const allowed = DERIVATIVE_EXCHANGES.has(instrument.exchange) ? DERIVATIVE_PRODUCTS : CASH_PRODUCTS;
  if (!allowed.has(producttype)) {
    return orderFailure(
      ANGEL_ORDER_ERRORS.invalidProductType,
      `Invalid Product Type: ${producttype} is not offered on ${instrument.exchange} (use ${[...allowed].join(', ')})`,
    );
  }

  const duration = parseDuration(body.duration, instrument);
  if (!duration.ok) return duration;

  const quantity = parseQuantity(body.quantity, instrument);
  if (!quantity.ok) return quantity;

  const prices = parsePrices(ordertype.value, body.price, body.triggerprice, instrument);
  if (!prices.ok) return prices;

  const disclosed = parseDisclosed(body.disclosedquantity, quantity.value);
  if (!disclosed.ok) return disclosed;

  return {
    ok: true,
    value: {
      instrument,
      variety: variety.value,
      side,
      ordertype: ordertype.value,
      producttype,
      duration: duration.value,
      quantity: quantity.value,
      pricePaise: prices.value.pricePaise,
      triggerPaise: prices.value.triggerPaise,
      disclosedQuantity: disclosed.value,
      squareoff: echoedRupees(body.squareoff),
      stoploss: echoedRupees(body.stoploss),
      trailingstoploss: echoedRupees(body.trailingStopLoss ?? body.trailingstoploss),
      ordertag,
    },
  };
}

/** What a modification may change. */
export interface OrderChange {
  ordertype: OrderType;
  duration: Duration;
  quantity: number;
  pricePaise: number;
  triggerPaise: number;
  disclosedQuantity: number;
}

/**
 * Checks a modifyOrder body against the order it targets. Fields left out keep their values; the
 * instrument, side and product cannot change (Angel wants a new order or a position conversion for that).
 */
export function parseModifyBody(
  body: ModifyOrderBody,
  current: {
    instrument: Instrument;
    variety: AcceptedVariety;
    producttype: ProductType;
    ordertype: OrderType;
    duration: Duration;
    quantity: number;
    pricePaise: number;
    triggerPaise: number;
    disclosedQuantity: number;
    filled: number;
  },
): Parsed<OrderChange> {
  const { instrument } = current;
  if (!isAbsent(body.variety)) {
    const variety = parseVariety(body.variety);
    if (!variety.ok) return variety;
  }
  if (!isAbsent(body.symboltoken) && textOf(body.symboltoken) !== instrument.token) {
    return orderFailure(
      ANGEL_ORDER_ERRORS.notSpecified,
      `An order's instrument cannot be modified (order is for token ${instrument.token})`,
    );
  }
  if (!isAbsent(body.tradingsymbol) && textOf(body.tradingsymbol) !== instrument.symbol) {
    return orderFailure(
      ANGEL_ORDER_ERRORS.notSpecified,
      `An order's instrument cannot be modified (order is for ${instrument.symbol})`,
    );
  }
  if (!isAbsent(body.exchange) && body.exchange !== instrument.exchange) {
    return orderFailure(
      ANGEL_ORDER_ERRORS.notSpecified,
      `An order's exchange cannot be modified (order is on ${instrument.exchange})`,
    );
  }
  if (!isAbsent(body.producttype)) {
    const producttype = oneOf(PRODUCT_TYPES, body.producttype);
    if (producttype === undefined) {
      return orderFailure(
        ANGEL_ORDER_ERRORS.invalidProductType,
        `Invalid Product Type: ${shown(body.producttype)}`,
      );
    }
    if (producttype !== current.producttype) {
      return orderFailure(
        ANGEL_ORDER_ERRORS.notSpecified,
        `An order's producttype cannot be modified (${current.producttype}); convert the position instead`,
      );
    }
  }

  let ordertype = current.ordertype;
  if (!isAbsent(body.ordertype)) {
    const parsed = parseOrderType(body.ordertype);
    if (!parsed.ok) return parsed;
    ordertype = parsed.value;
  }
  const mismatch = checkVarietyMatchesType(current.variety, ordertype);
  if (mismatch) return mismatch;

  let duration = current.duration;
  if (!isAbsent(body.duration)) {
    const parsed = parseDuration(body.duration, instrument);
    if (!parsed.ok) return parsed;
    duration = parsed.value;
  }

  let quantity = current.quantity;
  if (!isAbsent(body.quantity)) {
    const parsed = parseQuantity(body.quantity, instrument);
    if (!parsed.ok) return parsed;
    quantity = parsed.value;
  }
  if (quantity <= current.filled) {
    return orderFailure(
      ANGEL_ORDER_ERRORS.notSpecified,
      `Modified quantity ${quantity} must exceed the ${current.filled} units already filled`,
    );
  }

  const priceInput = isAbsent(body.price) ? rupeesText(current.pricePaise) : body.price;
  const triggerInput = isAbsent(body.triggerprice) ? rupeesText(current.triggerPaise) : body.triggerprice;
  const prices = parsePrices(ordertype, priceInput, triggerInput, instrument);
  if (!prices.ok) return prices;

  let disclosedQuantity = Math.min(current.disclosedQuantity, quantity);
  if (!isAbsent(body.disclosedquantity)) {
    const parsed = parseDisclosed(body.disclosedquantity, quantity);
    if (!parsed.ok) return parsed;
    disclosedQuantity = parsed.value;
  }

  return {
    ok: true,
    value: {
      ordertype,
      duration,
      quantity,
      pricePaise: prices.value.pricePaise,
      triggerPaise: prices.value.triggerPaise,
      disclosedQuantity,
    },
  };
}
