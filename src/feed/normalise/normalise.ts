/**
 * Decoded Angel One packets → canonical market events (src/feed/events.ts).
 *
 * Hot path: every packet passes through here. Each event kind is built by exactly one object literal
 * (one V8 hidden class per kind, whatever the packet mode), and `normaliseInto` appends to a caller's
 * reusable array so the only allocations are the events themselves (and the level objects of a depth
 * event). Events are fresh objects, not reused scratch, because handlers may keep them (candles, storage
 * batches). Measured against a variant that overwrote three scratch events per packet (same feed as
 * bench/pipeline.ts): fresh events cost ~60 ns more per packet, ~5% of the whole pipeline, which does not
 * pay for events that change under a handler's feet.
 */

import type {
  BestFiveRecord,
  Depth20Packet,
  DepthRecord,
  FeedPacket,
  LtpPacket,
  QuotePacket,
  SnapQuotePacket,
} from '../../brokers/angelone/codec/index.js';
import type { DepthEvent, DepthLevel, MarketEvent, QuoteEvent, TickEvent } from '../events.js';

/** cde_fo (exchange type 13) prices are in 1e-7 rupee; paise are 1e-2 rupee. */
const CDE_FO = 13;
const CDE_UNITS_PER_PAISA = 100_000;
const BUY_FLAG = 1;

export interface NormaliseOptions {
  /**
   * Set for instruments whose sequence number is meaningless (indices: the exchange sends 0 or junk);
   * events then carry sequence 0, which validation reads as "no sequence".
   */
  sequenceless?: boolean;
}

/** A wire price in paise: unchanged except for cde_fo, whose 1e-7-rupee units are rounded to paise. */
export function wirePriceToPaise(value: number, exchangeType: number): number {
  return exchangeType === CDE_FO ? Math.round(value / CDE_UNITS_PER_PAISA) : value;
}

function tick(
  packet: LtpPacket | QuotePacket | SnapQuotePacket,
  receivedAtMs: number,
  sequence: number,
  lastQuantity: number,
  volume: number,
  averagePrice: number,
  openInterest: number | undefined,
  lastTradeTimeMs: number | undefined,
): TickEvent {
  const exchangeType = packet.exchangeType;
  return {
    type: 'tick',
    token: packet.token,
    exchangeType,
    exchangeTimeMs: packet.exchangeTimestamp,
    receivedAtMs,
    sequence,
    lastPrice: wirePriceToPaise(packet.lastTradedPrice, exchangeType),
    lastQuantity,
    volume,
    averagePrice,
    openInterest,
    lastTradeTimeMs,
  };
}

function quote(
  packet: QuotePacket | SnapQuotePacket,
  receivedAtMs: number,
  sequence: number,
  bid: BestFiveRecord | undefined,
  ask: BestFiveRecord | undefined,
  openInterest: number | undefined,
  upperCircuit: number | undefined,
  lowerCircuit: number | undefined,
): QuoteEvent {
  const exchangeType = packet.exchangeType;
  return {
    type: 'quote',
    token: packet.token,
    exchangeType,
    exchangeTimeMs: packet.exchangeTimestamp,
    receivedAtMs,
    sequence,
    lastPrice: wirePriceToPaise(packet.lastTradedPrice, exchangeType),
    bidPrice: bid === undefined ? 0 : wirePriceToPaise(bid.price, exchangeType),
    bidQuantity: bid === undefined ? 0 : bid.quantity,
    askPrice: ask === undefined ? 0 : wirePriceToPaise(ask.price, exchangeType),
    askQuantity: ask === undefined ? 0 : ask.quantity,
    totalBuyQuantity: packet.totalBuyQuantity,
    totalSellQuantity: packet.totalSellQuantity,
    open: wirePriceToPaise(packet.openPriceOfTheDay, exchangeType),
    high: wirePriceToPaise(packet.highPriceOfTheDay, exchangeType),
    low: wirePriceToPaise(packet.lowPriceOfTheDay, exchangeType),
    previousClose: wirePriceToPaise(packet.closePrice, exchangeType),
    volume: packet.volumeTradedForTheDay,
    openInterest,
    upperCircuit,
    lowerCircuit,
  };
}

function depth(
  packet: SnapQuotePacket | Depth20Packet,
  receivedAtMs: number,
  sequence: number,
  bids: DepthLevel[],
  asks: DepthLevel[],
): DepthEvent {
  return {
    type: 'depth',
    token: packet.token,
    exchangeType: packet.exchangeType,
    exchangeTimeMs: packet.exchangeTimestamp,
    receivedAtMs,
    sequence,
    bids,
    asks,
  };
}

function level(price: number, quantity: number, orders: number): DepthLevel {
  return { price, quantity, orders };
}

/** Best-five levels of one side, routed by the buy/sell flag; the server zero-fills empty levels. */
function bestFiveSide(records: readonly BestFiveRecord[], flag: number, exchangeType: number): DepthLevel[] {
  const out: DepthLevel[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (r === undefined || r.buySellFlag !== flag || (r.quantity === 0 && r.price === 0)) continue;
    out.push(level(wirePriceToPaise(r.price, exchangeType), r.quantity, r.numberOfOrders));
  }
  return out;
}

function firstOfSide(records: readonly BestFiveRecord[], flag: number): BestFiveRecord | undefined {
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (r !== undefined && r.buySellFlag === flag && (r.quantity !== 0 || r.price !== 0)) return r;
  }
  return undefined;
}

function depth20Side(records: readonly DepthRecord[], exchangeType: number): DepthLevel[] {
  const out: DepthLevel[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (r === undefined || (r.quantity === 0 && r.price === 0)) continue;
    out.push(level(wirePriceToPaise(r.price, exchangeType), r.quantity, r.numberOfOrders));
  }
  return out;
}

/**
 * Appends the events of one packet to `out` and returns how many: LTP → tick; Quote → tick, quote;
 * SnapQuote → tick, quote, depth (best five routed by flag); Depth-20 → depth. Prices in paise, times
 * in epoch ms (`receivedAtMs` is the engine clock at arrival).
 */
export function normaliseInto(
  packet: FeedPacket,
  receivedAtMs: number,
  out: MarketEvent[],
  options?: NormaliseOptions,
): number {
  const sequenceless = options?.sequenceless === true;
  switch (packet.subscriptionMode) {
    case 1: {
      const sequence = sequenceless ? 0 : packet.sequenceNumber;
      out.push(tick(packet, receivedAtMs, sequence, 0, 0, 0, undefined, undefined));
      return 1;
    }
    case 2: {
      const sequence = sequenceless ? 0 : packet.sequenceNumber;
      const exchangeType = packet.exchangeType;
      out.push(
        tick(
          packet,
          receivedAtMs,
          sequence,
          packet.lastTradedQuantity,
          packet.volumeTradedForTheDay,
          wirePriceToPaise(packet.averageTradedPrice, exchangeType),
          undefined,
          undefined,
        ),
        quote(packet, receivedAtMs, sequence, undefined, undefined, undefined, undefined, undefined),
      );
      return 2;
    }
    case 3: {
      const sequence = sequenceless ? 0 : packet.sequenceNumber;
      const exchangeType = packet.exchangeType;
      const records = packet.bestFive;
      // Angel sends last-traded time in seconds but exchange time in ms; 0 means never traded.
      const lastTraded = packet.lastTradedTimestamp;
      // An upper circuit of 0 means "none sent" (indices); the lower one may legitimately be tiny.
      const hasCircuit = packet.upperCircuitLimit > 0;
      out.push(
        tick(
          packet,
          receivedAtMs,
          sequence,
          packet.lastTradedQuantity,
          packet.volumeTradedForTheDay,
          wirePriceToPaise(packet.averageTradedPrice, exchangeType),
          packet.openInterest,
          lastTraded > 0 ? lastTraded * 1000 : undefined,
        ),
        quote(
          packet,
          receivedAtMs,
          sequence,
          firstOfSide(records, BUY_FLAG),
          firstOfSide(records, 1 - BUY_FLAG),
          packet.openInterest,
          hasCircuit ? wirePriceToPaise(packet.upperCircuitLimit, exchangeType) : undefined,
          hasCircuit ? wirePriceToPaise(packet.lowerCircuitLimit, exchangeType) : undefined,
        ),
        depth(
          packet,
          receivedAtMs,
          sequence,
          bestFiveSide(records, BUY_FLAG, exchangeType),
          bestFiveSide(records, 1 - BUY_FLAG, exchangeType),
        ),
      );
      return 3;
    }
    case 4: {
      const exchangeType = packet.exchangeType;
      out.push(
        depth(
          packet,
          receivedAtMs,
          0,
          depth20Side(packet.buyDepth, exchangeType),
          depth20Side(packet.sellDepth, exchangeType),
        ),
      );
      return 1;
    }
  }
}

/** The events of one packet in a new array (see {@link normaliseInto}, which reuses the caller's array). */
export function normalisePacket(
  packet: FeedPacket,
  receivedAtMs: number,
  options?: NormaliseOptions,
): MarketEvent[] {
  const out: MarketEvent[] = [];
  normaliseInto(packet, receivedAtMs, out, options);
  return out;
}
