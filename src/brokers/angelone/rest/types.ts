import type { Paise } from '../../../core/money.js';

/** What the market-data and order-status sockets need from a logged-in session. */
export interface AngelSessionTokens {
  clientCode: string;
  apiKey: string;
  jwtToken: string;
  feedToken: string;
  /** epoch ms (client Clock) when these tokens were obtained */
  obtainedAtMs: number;
}

export type SessionChange =
  | { kind: 'login'; session: AngelSessionTokens }
  | { kind: 'refresh'; session: AngelSessionTokens }
  | { kind: 'logout' }
  /** the broker refused the refresh token (e.g. after IST midnight): log in again */
  | { kind: 'expired' };

export interface AngelProfile {
  clientCode: string;
  name: string;
  email: string;
  mobileNo: string;
  /** lower-case segment names as Angel sends them, e.g. `nse_fo` */
  exchanges: string[];
  products: string[];
  lastLoginTime: string;
  broker: string;
}

/** Funds and margins; every amount in paise, undefined when Angel sent null or "". */
export interface AngelRms {
  net: Paise | undefined;
  availableCash: Paise | undefined;
  availableIntradayPayin: Paise | undefined;
  availableLimitMargin: Paise | undefined;
  collateral: Paise | undefined;
  m2mUnrealized: Paise | undefined;
  m2mRealized: Paise | undefined;
  utilisedDebits: Paise | undefined;
  utilisedSpan: Paise | undefined;
  utilisedOptionPremium: Paise | undefined;
  utilisedHoldingSales: Paise | undefined;
  utilisedExposure: Paise | undefined;
  utilisedTurnover: Paise | undefined;
  utilisedPayout: Paise | undefined;
}

export const CANDLE_INTERVALS = [
  'ONE_MINUTE',
  'THREE_MINUTE',
  'FIVE_MINUTE',
  'TEN_MINUTE',
  'FIFTEEN_MINUTE',
  'THIRTY_MINUTE',
  'ONE_HOUR',
  'ONE_DAY',
] as const;
export type CandleInterval = (typeof CANDLE_INTERVALS)[number];

/** The most days one getCandleData request may span, per interval (reference §3.11). */
export const CANDLE_MAX_DAYS: Record<CandleInterval, number> = {
  ONE_MINUTE: 30,
  THREE_MINUTE: 60,
  FIVE_MINUTE: 100,
  TEN_MINUTE: 100,
  FIFTEEN_MINUTE: 200,
  THIRTY_MINUTE: 200,
  ONE_HOUR: 400,
  ONE_DAY: 2000,
};

export interface CandleRequest {
  /** NSE, NFO, BSE, BFO, MCX */
  exchange: string;
  symbolToken: string;
  interval: CandleInterval;
  /** inclusive start, epoch ms (read at minute resolution in IST) */
  fromMs: number;
  /** inclusive end, epoch ms */
  toMs: number;
}

export interface AngelCandle {
  /** candle open time, epoch ms */
  timeMs: number;
  open: Paise;
  high: Paise;
  low: Paise;
  close: Paise;
  /** 0 for indices */
  volume: number;
}

export type QuoteMode = 'LTP' | 'OHLC' | 'FULL';

/** Tokens per exchange, e.g. `{ NSE: ['99926000'], NFO: ['43650'] }`. */
export type ExchangeTokens = Readonly<Record<string, readonly string[]>>;

export interface DepthLevel {
  price: Paise;
  quantity: number;
  orders: number;
}

/** One quote; OHLC fields from mode OHLC up, the rest only in FULL. Prices in paise. */
export interface AngelQuote {
  exchange: string;
  tradingSymbol: string;
  symbolToken: string;
  ltp: Paise;
  open?: Paise | undefined;
  high?: Paise | undefined;
  low?: Paise | undefined;
  /** previous session close */
  close?: Paise | undefined;
  lastTradeQty?: number | undefined;
  exchFeedTimeMs?: number | undefined;
  exchTradeTimeMs?: number | undefined;
  netChange?: Paise | undefined;
  percentChange?: number | undefined;
  avgPrice?: Paise | undefined;
  tradeVolume?: number | undefined;
  openInterest?: number | undefined;
  lowerCircuit?: Paise | undefined;
  upperCircuit?: Paise | undefined;
  totBuyQuan?: number | undefined;
  totSellQuan?: number | undefined;
  week52Low?: Paise | undefined;
  week52High?: Paise | undefined;
  depth?: { buy: DepthLevel[]; sell: DepthLevel[] } | undefined;
}

export interface AngelUnfetched {
  exchange: string;
  symbolToken: string;
  message: string;
  errorCode: string;
}

export interface AngelQuoteResult {
  fetched: AngelQuote[];
  unfetched: AngelUnfetched[];
}

export interface LtpRequest {
  exchange: string;
  tradingSymbol: string;
  symbolToken: string;
}

export interface AngelLtp {
  exchange: string;
  tradingSymbol: string;
  symbolToken: string;
  open: Paise | undefined;
  high: Paise | undefined;
  low: Paise | undefined;
  close: Paise | undefined;
  ltp: Paise;
}

export type OrderVariety = 'NORMAL' | 'STOPLOSS' | 'ROBO' | 'AMO';
export type TransactionType = 'BUY' | 'SELL';
export type OrderType = 'MARKET' | 'LIMIT' | 'STOPLOSS_LIMIT' | 'STOPLOSS_MARKET';
export type ProductType = 'DELIVERY' | 'CARRYFORWARD' | 'MARGIN' | 'INTRADAY' | 'BO';
export type OrderDuration = 'DAY' | 'IOC';

export interface PlaceOrderRequest {
  variety: OrderVariety;
  tradingSymbol: string;
  symbolToken: string;
  transactionType: TransactionType;
  exchange: string;
  orderType: OrderType;
  productType: ProductType;
  duration: OrderDuration;
  /** units (not lots) */
  quantity: number;
  /** limit price in paise; omit (or 0) for MARKET */
  price?: Paise | number | undefined;
  triggerPrice?: Paise | number | undefined;
  squareOff?: Paise | number | undefined;
  stopLoss?: Paise | number | undefined;
  trailingStopLoss?: Paise | number | undefined;
  disclosedQuantity?: number | undefined;
  /** at most 19 characters (Angel rejects 20+ with AB4008) */
  orderTag?: string | undefined;
  /** "yes" for surveillance scrips */
  scripConsent?: 'yes' | undefined;
}

export interface ModifyOrderRequest {
  variety: OrderVariety;
  orderId: string;
  orderType: OrderType;
  productType: ProductType;
  duration: OrderDuration;
  price: Paise | number;
  quantity: number;
  tradingSymbol: string;
  symbolToken: string;
  exchange: string;
  triggerPrice?: Paise | number | undefined;
  disclosedQuantity?: number | undefined;
}

export interface CancelOrderRequest {
  variety: OrderVariety;
  orderId: string;
}

/** Acceptance only: the real state comes from the order book or the order-status socket. */
export interface OrderAck {
  orderId: string;
  uniqueOrderId: string;
  script?: string | undefined;
}

export interface AngelOrder {
  orderId: string;
  uniqueOrderId: string;
  exchangeOrderId: string;
  parentOrderId: string;
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
  /** Angel's expiry text as sent (e.g. `25NOV2026`), "" when none */
  expiryDate: string;
  /** undefined for non-options (Angel sends "-1") */
  strikePrice: Paise | undefined;
  price: Paise | undefined;
  triggerPrice: Paise | undefined;
  averagePrice: Paise | undefined;
  squareOff: Paise | undefined;
  stopLoss: Paise | undefined;
  trailingStopLoss: Paise | undefined;
  quantity: number;
  disclosedQuantity: number | undefined;
  filledShares: number | undefined;
  unfilledShares: number | undefined;
  cancelSize: number | undefined;
  lotSize: number | undefined;
  orderTag: string;
  /** lower-case OMS status (`open`, `complete`, `rejected`, `cancelled`, `trigger pending`, …) */
  status: string;
  orderStatus: string;
  /** rejection reason or exchange text */
  text: string;
  updateTimeMs: number | undefined;
  exchTimeMs: number | undefined;
  exchOrderUpdateTimeMs: number | undefined;
}

export interface AngelTrade {
  orderId: string;
  fillId: string;
  /** Angel's `filltime` as sent (`13:27:53`, IST, today) */
  fillTime: string;
  fillPrice: Paise;
  fillSize: number;
  tradeValue: Paise | undefined;
  transactionType: string;
  exchange: string;
  productType: string;
  tradingSymbol: string;
  instrumentType: string;
  strikePrice: Paise | undefined;
  optionType: string;
  expiryDate: string;
  marketLot: number | undefined;
}

/** One position row; Angel sends every value as a string, parsed here (amounts in paise). */
export interface AngelPosition {
  exchange: string;
  symbolToken: string;
  productType: string;
  tradingSymbol: string;
  symbolName: string;
  instrumentType: string;
  optionType: string;
  expiryDate: string;
  strikePrice: Paise | undefined;
  lotSize: number | undefined;
  boardLotSize: number | undefined;
  precision: number | undefined;
  multiplier: number | undefined;
  priceNum: number | undefined;
  priceDen: number | undefined;
  genNum: number | undefined;
  genDen: number | undefined;
  buyQty: number;
  sellQty: number;
  netQty: number;
  cfBuyQty: number | undefined;
  cfSellQty: number | undefined;
  buyAmount: Paise | undefined;
  sellAmount: Paise | undefined;
  cfBuyAmount: Paise | undefined;
  cfSellAmount: Paise | undefined;
  buyAvgPrice: Paise | undefined;
  sellAvgPrice: Paise | undefined;
  avgNetPrice: Paise | undefined;
  netValue: Paise | undefined;
  netPrice: Paise | undefined;
  totalBuyValue: Paise | undefined;
  totalSellValue: Paise | undefined;
  cfBuyAvgPrice: Paise | undefined;
  cfSellAvgPrice: Paise | undefined;
  totalBuyAvgPrice: Paise | undefined;
  totalSellAvgPrice: Paise | undefined;
}
