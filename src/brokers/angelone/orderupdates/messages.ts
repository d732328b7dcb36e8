import { z } from 'zod';
import { type Paise, rupeesToPaise } from '../../../core/money.js';
import { istToEpochMs } from '../../../core/time.js';

/** Angel's `order-status` codes (reference §2) and what each means. */
export const ORDER_STATUS_MEANING = {
  AB00: 'connected',
  AB01: 'open',
  AB02: 'cancelled',
  AB03: 'rejected',
  AB04: 'modified',
  AB05: 'complete',
  AB06: 'amo-received',
  AB07: 'amo-cancelled',
  AB08: 'amo-modify-received',
  AB09: 'open-pending',
  AB10: 'trigger-pending',
  AB11: 'modify-pending',
} as const;

export type OrderStatusCode = keyof typeof ORDER_STATUS_MEANING;
export type OrderUpdateMeaning = (typeof ORDER_STATUS_MEANING)[OrderStatusCode];

/** An order as the order-status socket reports it, typed: prices in paise, quantities as numbers. */
export interface OrderUpdateOrder {
  orderId: string;
  /** Angel's uniqueorderid when sent */
  uniqueOrderId: string | undefined;
  parentOrderId: string | undefined;
  /** our tag (ordertag), how we match an update to our own order */
  orderTag: string;
  variety: string;
  orderType: string;
  productType: string;
  duration: string;
  transactionType: string;
  exchange: string;
  tradingSymbol: string;
  symbolToken: string;
  instrumentType: string;
  optionType: string;
  expiryDate: string;
  /** paise; undefined for non-options (Angel sends -1, and 0 in the AB00 acknowledgement) */
  strikePricePaise: Paise | undefined;
  pricePaise: Paise;
  triggerPricePaise: Paise;
  averagePricePaise: Paise;
  squareOffPaise: Paise;
  stopLossPaise: Paise;
  trailingStopLossPaise: Paise;
  /** units, not lots */
  quantity: number;
  disclosedQuantity: number;
  filledQuantity: number;
  unfilledQuantity: number;
  cancelledQuantity: number;
  lotSize: number;
  /** Angel's `status` text (e.g. "complete", "rejected") */
  status: string;
  orderStatus: string;
  /** rejection reason, when any */
  text: string;
  /** as sent, e.g. "25-Oct-2023 23:53:21" (IST) */
  updateTime: string;
  /** epoch ms parsed from updateTime, undefined when empty or in another format */
  updateTimeMs: number | undefined;
  exchangeTime: string;
  exchangeTimeMs: number | undefined;
  exchangeOrderUpdateTime: string;
  fillId: string;
  fillTime: string;
  /** the orderData object exactly as received */
  raw: Readonly<Record<string, unknown>>;
}

interface OrderUpdateBase {
  /** the envelope's `user-id` (client code) */
  userId: string;
  /** the envelope's `status-code` as sent (normally "200") */
  envelopeStatus: string;
  errorMessage: string;
  order: OrderUpdateOrder;
  /** clock time the message arrived */
  receivedAtMs: number;
}

/** One order-status message. `statusCode` and `meaning` always agree. AB00 carries an empty order. */
export type OrderUpdate = {
  [C in OrderStatusCode]: OrderUpdateBase & { statusCode: C; meaning: (typeof ORDER_STATUS_MEANING)[C] };
}[OrderStatusCode];

// Angel mixes strings and numbers for the same kind of field (quantity "65", price 101.05, strikeprice
// -1), sends "" or nulls in the AB00 acknowledgement, and may switch types between releases: accept
// either form and normalise here, once, at the boundary.
const text = z
  .union([z.string(), z.number(), z.boolean(), z.null()])
  .optional()
  .transform((value) => (value === undefined || value === null ? '' : String(value).trim()));

const decimal = z
  .union([z.number(), z.string(), z.null()])
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value === null) return 0;
    const parsed = typeof value === 'number' ? value : value.trim() === '' ? 0 : Number(value.trim());
    // beyond ±1e12 rupees a value is corrupt, and paise of it would no longer be exact integers
    if (!Number.isFinite(parsed) || Math.abs(parsed) > 1e12) {
      ctx.addIssue({ code: 'custom', message: `not a plausible number: ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return parsed;
  });

const count = decimal.transform((value, ctx) => {
  if (!Number.isSafeInteger(value) || value < 0) {
    ctx.addIssue({ code: 'custom', message: `not a non-negative whole quantity: ${value}` });
    return z.NEVER;
  }
  return value;
});

const orderDataSchema = z.looseObject({
  variety: text,
  ordertype: text,
  ordertag: text,
  producttype: text,
  price: decimal,
  triggerprice: decimal,
  quantity: count,
  disclosedquantity: count,
  duration: text,
  squareoff: decimal,
  stoploss: decimal,
  trailingstoploss: decimal,
  tradingsymbol: text,
  transactiontype: text,
  exchange: text,
  symboltoken: text,
  instrumenttype: text,
  strikeprice: decimal,
  optiontype: text,
  expirydate: text,
  lotsize: count,
  cancelsize: count,
  averageprice: decimal,
  filledshares: count,
  unfilledshares: count,
  orderid: text,
  uniqueorderid: text,
  text: text,
  status: text,
  orderstatus: text,
  updatetime: text,
  exchtime: text,
  exchorderupdatetime: text,
  fillid: text,
  filltime: text,
  parentorderid: text,
});

const envelopeSchema = z.object({
  'user-id': text,
  'status-code': text,
  'order-status': z.string(),
  'error-message': text,
  orderData: z.union([z.record(z.string(), z.unknown()), z.null()]).optional(),
});

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const ANGEL_TIME = /^(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2})$/;

/** Epoch ms of Angel's IST timestamp "25-Oct-2023 23:53:21"; undefined for anything else. */
export function parseAngelTime(value: string): number | undefined {
  const match = ANGEL_TIME.exec(value);
  if (match === null) return undefined;
  const [, day, mon, year, hour, minute, second] = match;
  const month = MONTHS[(mon ?? '').toLowerCase()];
  if (month === undefined) return undefined;
  const ms = istToEpochMs(Number(year), month, Number(day), Number(hour), Number(minute), Number(second));
  return Number.isFinite(ms) ? ms : undefined;
}

function isStatusCode(value: string): value is OrderStatusCode {
  return Object.hasOwn(ORDER_STATUS_MEANING, value);
}

function issuesText(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

export type OrderUpdateParse = { ok: true; update: OrderUpdate } | { ok: false; detail: string };

/** Parses one text frame of the order-status socket. Never throws. */
export function parseOrderUpdate(message: string, receivedAtMs: number): OrderUpdateParse {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { ok: false, detail: `not JSON: ${message.slice(0, 80)}` };
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return { ok: false, detail: issuesText(envelope.error) };
  const statusCode = envelope.data['order-status'].trim().toUpperCase();
  if (!isStatusCode(statusCode))
    return { ok: false, detail: `unknown order-status ${JSON.stringify(statusCode)}` };
  const raw = envelope.data.orderData ?? {};
  const data = orderDataSchema.safeParse(raw);
  if (!data.success) return { ok: false, detail: `orderData ${issuesText(data.error)}` };
  const d = data.data;
  const optional = (value: string) => (value === '' ? undefined : value);
  const order: OrderUpdateOrder = {
    orderId: d.orderid,
    uniqueOrderId: optional(d.uniqueorderid),
    parentOrderId: optional(d.parentorderid),
    orderTag: d.ordertag,
    variety: d.variety,
    orderType: d.ordertype,
    productType: d.producttype,
    duration: d.duration,
    transactionType: d.transactiontype,
    exchange: d.exchange,
    tradingSymbol: d.tradingsymbol,
    symbolToken: d.symboltoken,
    instrumentType: d.instrumenttype,
    optionType: d.optiontype,
    expiryDate: d.expirydate,
    // REST and order-status prices are rupees (the WS feed's are paise)
    strikePricePaise: d.strikeprice > 0 ? rupeesToPaise(d.strikeprice) : undefined,
    pricePaise: rupeesToPaise(d.price),
    triggerPricePaise: rupeesToPaise(d.triggerprice),
    averagePricePaise: rupeesToPaise(d.averageprice),
    squareOffPaise: rupeesToPaise(d.squareoff),
    stopLossPaise: rupeesToPaise(d.stoploss),
    trailingStopLossPaise: rupeesToPaise(d.trailingstoploss),
    quantity: d.quantity,
    disclosedQuantity: d.disclosedquantity,
    filledQuantity: d.filledshares,
    unfilledQuantity: d.unfilledshares,
    cancelledQuantity: d.cancelsize,
    lotSize: d.lotsize,
    status: d.status,
    orderStatus: d.orderstatus,
    text: d.text,
    updateTime: d.updatetime,
    updateTimeMs: parseAngelTime(d.updatetime),
    exchangeTime: d.exchtime,
    exchangeTimeMs: parseAngelTime(d.exchtime),
    exchangeOrderUpdateTime: d.exchorderupdatetime,
    fillId: d.fillid,
    fillTime: d.filltime,
    raw,
  };
  const base: OrderUpdateBase = {
    userId: envelope.data['user-id'],
    envelopeStatus: envelope.data['status-code'],
    errorMessage: envelope.data['error-message'],
    order,
    receivedAtMs,
  };
  // the mapped type pairs each code with its meaning; TS cannot follow that through a lookup
  const update = { ...base, statusCode, meaning: ORDER_STATUS_MEANING[statusCode] } as OrderUpdate;
  return { ok: true, update };
}
