/**
 * The wire shapes of Angel One's order system as the simulator serves them (reference §2 and §3.7–3.8).
 * Field names and the string-vs-number typing are Angel's, not ours: order rows mix numbers (prices) and
 * strings (quantities); trade-book, position and RMS rows are all strings.
 */

export const VARIETIES = ['NORMAL', 'STOPLOSS', 'AMO', 'ROBO'] as const;
export type Variety = (typeof VARIETIES)[number];

export const TRANSACTION_TYPES = ['BUY', 'SELL'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export const ORDER_TYPES = ['MARKET', 'LIMIT', 'STOPLOSS_LIMIT', 'STOPLOSS_MARKET'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

export const PRODUCT_TYPES = ['DELIVERY', 'CARRYFORWARD', 'MARGIN', 'INTRADAY', 'BO'] as const;
export type ProductType = (typeof PRODUCT_TYPES)[number];

export const DURATIONS = ['DAY', 'IOC'] as const;
export type Duration = (typeof DURATIONS)[number];

export const ORDER_EXCHANGES = ['NSE', 'BSE', 'NFO', 'BFO', 'MCX', 'CDS', 'NCDEX'] as const;
export type OrderExchange = (typeof ORDER_EXCHANGES)[number];

/**
 * Order states as the order book and the order-status socket spell them. The first six are states an
 * order rests in; `open pending`, `modify pending` and `modified` only pass by in order-status events.
 */
export const ORDER_STATUS = {
  open: 'open',
  complete: 'complete',
  cancelled: 'cancelled',
  rejected: 'rejected',
  triggerPending: 'trigger pending',
  amoReceived: 'after market order req received',
  openPending: 'open pending',
  modifyPending: 'modify pending',
  modified: 'modified',
} as const;
export type OrderStatus = (typeof ORDER_STATUS)[keyof typeof ORDER_STATUS];

/** The order-status socket's `order-status` codes (reference §2). AB00 is the connection ack. */
export const ORDER_STATUS_CODE = {
  connected: 'AB00',
  open: 'AB01',
  cancelled: 'AB02',
  rejected: 'AB03',
  modified: 'AB04',
  complete: 'AB05',
  amoReceived: 'AB06',
  amoCancelled: 'AB07',
  amoModified: 'AB08',
  openPending: 'AB09',
  triggerPending: 'AB10',
  modifyPending: 'AB11',
} as const;
export type OrderStatusCode = (typeof ORDER_STATUS_CODE)[keyof typeof ORDER_STATUS_CODE];

/**
 * `orderData` of an order-status message, field for field and type for type as reference §2 lists them.
 * Prices are rupees (numbers); quantities are strings; times are `25-Oct-2023 23:53:21` in IST.
 */
export interface OrderStatusData {
  variety: string;
  ordertype: string;
  ordertag: string;
  producttype: string;
  price: number;
  triggerprice: number;
  quantity: string;
  disclosedquantity: string;
  duration: string;
  squareoff: number;
  stoploss: number;
  trailingstoploss: number;
  tradingsymbol: string;
  transactiontype: string;
  exchange: string;
  symboltoken: string;
  instrumenttype: string;
  /** strike in rupees for options, -1 otherwise */
  strikeprice: number;
  optiontype: string;
  /** `DDMMMYYYY`, empty for cash */
  expirydate: string;
  lotsize: string;
  cancelsize: string;
  averageprice: number;
  filledshares: string;
  unfilledshares: string;
  orderid: string;
  /** rejection or cancellation reason, empty otherwise */
  text: string;
  status: OrderStatus;
  orderstatus: OrderStatus;
  updatetime: string;
  /** empty until the exchange has the order */
  exchtime: string;
  exchorderupdatetime: string;
  fillid: string;
  /** `HH:mm:ss` of the latest fill, empty before one */
  filltime: string;
  parentorderid: string;
}

/** One row of getOrderBook and of `order/v1/details/{uniqueorderid}`: the socket fields plus two ids. */
export interface OrderBookRow extends OrderStatusData {
  uniqueorderid: string;
  /** empty until the exchange has the order */
  exchangeorderid: string;
}

/** What the order-status socket server pushes; `clientCode` says whose order it is (the `user-id`). */
export interface OrderUpdateEvent {
  clientCode: string;
  orderStatusCode: OrderStatusCode;
  orderData: OrderStatusData;
}

export type OrderUpdateListener = (event: OrderUpdateEvent) => void;

export const TRADE_BOOK_FIELDS = [
  'exchange',
  'producttype',
  'tradingsymbol',
  'instrumenttype',
  'symbolgroup',
  'strikeprice',
  'optiontype',
  'expirydate',
  'marketlot',
  'precision',
  'multiplier',
  'tradevalue',
  'transactiontype',
  'fillprice',
  'fillsize',
  'orderid',
  'fillid',
  'filltime',
] as const;
/** One getTradeBook row; every value a string (`filltime` is `13:27:53`). */
export type TradeBookRow = Record<(typeof TRADE_BOOK_FIELDS)[number], string>;

/**
 * getPosition fields in the documented order, then `ltp`, `realised` and `unrealised`, which live
 * responses carry beyond the documented list.
 */
export const POSITION_FIELDS = [
  'exchange',
  'symboltoken',
  'producttype',
  'tradingsymbol',
  'symbolname',
  'instrumenttype',
  'priceden',
  'pricenum',
  'genden',
  'gennum',
  'precision',
  'multiplier',
  'boardlotsize',
  'buyqty',
  'sellqty',
  'buyamount',
  'sellamount',
  'symbolgroup',
  'strikeprice',
  'optiontype',
  'expirydate',
  'lotsize',
  'cfbuyqty',
  'cfsellqty',
  'cfbuyamount',
  'cfsellamount',
  'buyavgprice',
  'sellavgprice',
  'avgnetprice',
  'netvalue',
  'netqty',
  'totalbuyvalue',
  'totalsellvalue',
  'cfbuyavgprice',
  'cfsellavgprice',
  'totalbuyavgprice',
  'totalsellavgprice',
  'netprice',
  'ltp',
  'realised',
  'unrealised',
] as const;
/** One getPosition row; every value a string, amounts in rupees with two decimals. */
export type PositionRow = Record<(typeof POSITION_FIELDS)[number], string>;

export const RMS_FIELDS = [
  'net',
  'availablecash',
  'availableintradaypayin',
  'availablelimitmargin',
  'collateral',
  'm2munrealized',
  'm2mrealized',
  'utiliseddebits',
  'utilisedspan',
  'utilisedoptionpremium',
  'utilisedholdingsales',
  'utilisedexposure',
  'utilisedturnover',
  'utilisedpayout',
] as const;
/** getRMS `data`; every value a string in rupees. */
export type RmsData = Record<(typeof RMS_FIELDS)[number], string>;

/**
 * placeOrder body as it arrives. Every field is `unknown` because this is the boundary: Angel accepts
 * strings (the documented form) and numbers (what the Java SDK sends), and anything else must be refused
 * here with Angel's error code rather than trusted.
 */
export interface PlaceOrderBody {
  variety?: unknown;
  tradingsymbol?: unknown;
  symboltoken?: unknown;
  transactiontype?: unknown;
  exchange?: unknown;
  ordertype?: unknown;
  producttype?: unknown;
  duration?: unknown;
  price?: unknown;
  triggerprice?: unknown;
  quantity?: unknown;
  squareoff?: unknown;
  stoploss?: unknown;
  /** the docs spell it camel-case in the place body */
  trailingStopLoss?: unknown;
  trailingstoploss?: unknown;
  disclosedquantity?: unknown;
  ordertag?: unknown;
  scripconsent?: unknown;
}

/** modifyOrder body; fields left out keep the order's current values. */
export interface ModifyOrderBody {
  variety?: unknown;
  orderid?: unknown;
  ordertype?: unknown;
  producttype?: unknown;
  duration?: unknown;
  price?: unknown;
  quantity?: unknown;
  triggerprice?: unknown;
  disclosedquantity?: unknown;
  tradingsymbol?: unknown;
  symboltoken?: unknown;
  exchange?: unknown;
}

export interface CancelOrderBody {
  variety?: unknown;
  orderid?: unknown;
}

/** An Angel business error: the REST layer wraps it as `{status:false, message, errorcode, data:null}`. */
export interface OrderFailure {
  ok: false;
  errorcode: string;
  message: string;
}

export type PlaceOrderResult =
  | { ok: true; orderid: string; uniqueorderid: string; script: string }
  | OrderFailure;

export type OrderActionResult = { ok: true; orderid: string; uniqueorderid: string } | OrderFailure;
