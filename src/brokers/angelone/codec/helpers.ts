import type { BestFiveRecord, SnapQuotePacket } from './types.js';

const BUY = 1;
const SELL = 0;

function levels(packet: SnapQuotePacket, flag: number): BestFiveRecord[] {
  const out: BestFiveRecord[] = [];
  for (const record of packet.bestFive) {
    // The server zero-fills levels that have no orders; they are not part of the book.
    if (record.buySellFlag === flag && (record.quantity !== 0 || record.price !== 0)) out.push(record);
  }
  return out;
}

/**
 * Buy levels of a SnapQuote in wire order (best first), chosen by the buy/sell flag (1 = buy) rather
 * than by position; empty levels (zero quantity and price) are skipped. Prices in wire units (paise).
 */
export function bestBids(packet: SnapQuotePacket): BestFiveRecord[] {
  return levels(packet, BUY);
}

/**
 * Sell levels of a SnapQuote in wire order (best first), chosen by the buy/sell flag (0 = sell) rather
 * than by position; empty levels (zero quantity and price) are skipped. Prices in wire units (paise).
 */
export function bestAsks(packet: SnapQuotePacket): BestFiveRecord[] {
  return levels(packet, SELL);
}
