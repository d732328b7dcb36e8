/**
 * Angel One SmartAPI WebSocket 2.0 ("SmartStream") binary packets, field for field.
 * Field names are the camelCase forms of the names in shared/reference/angelone-smartapi.md §1.6–1.7.
 * Prices are the wire integers: paise for every exchange except cde_fo (13), where the unit is 1e-7 rupee
 * (see `priceDivisor`). Both timestamps are kept as the wire gives them, plus an epoch-ms form.
 */

export const SubscriptionMode = { LTP: 1, QUOTE: 2, SNAP_QUOTE: 3, DEPTH_20: 4 } as const;
export type SubscriptionMode = (typeof SubscriptionMode)[keyof typeof SubscriptionMode];

/** Exact packet size in bytes per mode; anything else is rejected. */
export const PACKET_SIZE = { 1: 51, 2: 123, 3: 379, 4: 443 } as const satisfies Record<
  SubscriptionMode,
  number
>;

export const ExchangeType = {
  NSE_CM: 1,
  NSE_FO: 2,
  BSE_CM: 3,
  BSE_FO: 4,
  MCX_FO: 5,
  NCX_FO: 7,
  CDE_FO: 13,
} as const;
export type ExchangeType = (typeof ExchangeType)[keyof typeof ExchangeType];

/** Divide a wire price by this to get rupees. */
export function priceDivisor(exchangeType: number): number {
  return exchangeType === ExchangeType.CDE_FO ? 10_000_000 : 100;
}

interface PacketHeader {
  exchangeType: ExchangeType;
  /** instrument token, ASCII, as sent (without NUL padding) */
  token: string;
}

export interface LtpPacket extends PacketHeader {
  subscriptionMode: typeof SubscriptionMode.LTP;
  /** meaningless for indices (the exchange sends 0 or junk) */
  sequenceNumber: number;
  /** epoch milliseconds, as on the wire */
  exchangeTimestamp: number;
  /** normalised epoch ms (equal to exchangeTimestamp; kept for symmetry with lastTradedTimeMs) */
  exchangeTimeMs: number;
  /** paise (1e-7 rupee for cde_fo) */
  lastTradedPrice: number;
}

export interface QuotePacketFields {
  lastTradedQuantity: number;
  /** paise */
  averageTradedPrice: number;
  volumeTradedForTheDay: number;
  /** a double on the wire */
  totalBuyQuantity: number;
  /** a double on the wire */
  totalSellQuantity: number;
  openPriceOfTheDay: number;
  highPriceOfTheDay: number;
  lowPriceOfTheDay: number;
  /** previous day's close, paise */
  closePrice: number;
}

export interface QuotePacket extends Omit<LtpPacket, 'subscriptionMode'>, QuotePacketFields {
  subscriptionMode: typeof SubscriptionMode.QUOTE;
}

/** One of the ten 20-byte best-five records, in wire order (server sends 5 buys then 5 sells). */
export interface BestFiveRecord {
  /** 1 = buy, 0 = sell */
  buySellFlag: number;
  quantity: number;
  /** paise */
  price: number;
  numberOfOrders: number;
}

export interface SnapQuotePacket extends Omit<LtpPacket, 'subscriptionMode'>, QuotePacketFields {
  subscriptionMode: typeof SubscriptionMode.SNAP_QUOTE;
  /** epoch seconds, as on the wire (a different unit from exchangeTimestamp) */
  lastTradedTimestamp: number;
  /** normalised epoch ms */
  lastTradedTimeMs: number;
  openInterest: number;
  /** documented by Angel as a dummy field carrying garbage; a double on the wire */
  openInterestChangePercentage: number;
  /** the ten records exactly as on the wire; use bestBids/bestAsks to route by flag */
  bestFive: BestFiveRecord[];
  upperCircuitLimit: number;
  lowerCircuitLimit: number;
  fiftyTwoWeekHigh: number;
  fiftyTwoWeekLow: number;
}

/** One 10-byte depth-20 record. */
export interface DepthRecord {
  quantity: number;
  /** paise */
  price: number;
  numberOfOrders: number;
}

export interface Depth20Packet extends PacketHeader {
  subscriptionMode: typeof SubscriptionMode.DEPTH_20;
  /** epoch ms, as on the wire */
  exchangeTimestamp: number;
  exchangeTimeMs: number;
  /** documented dummy ("packet received time"), live value 0 */
  packetReceivedTime: number;
  /** 20 records, best first */
  buyDepth: DepthRecord[];
  /** 20 records, best first */
  sellDepth: DepthRecord[];
}

export type FeedPacket = LtpPacket | QuotePacket | SnapQuotePacket | Depth20Packet;
