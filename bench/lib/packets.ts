/**
 * Realistic feed packets for benchmarks: NIFTY-option-like values, varied tokens and prices so the
 * decoder sees a spread of inputs rather than one frame in a hot cache line.
 */

import {
  type BestFiveRecord,
  type Depth20Packet,
  type DepthRecord,
  decodePacket,
  encodePacket,
  type FeedPacket,
  type LtpPacket,
  type QuotePacket,
  type SnapQuotePacket,
} from '../../src/brokers/angelone/index.js';
import { SeededRandom } from '../../src/core/index.js';

export type ModeName = 'LTP' | 'Quote' | 'SnapQuote' | 'Depth20';

function ltp(rng: SeededRandom, i: number): LtpPacket {
  const ts = 1_746_171_226_000 + i * 1000;
  return {
    subscriptionMode: 1,
    exchangeType: 2,
    token: String(35_000 + rng.int(0, 9_999)),
    sequenceNumber: 10_100_759 + i,
    exchangeTimestamp: ts,
    exchangeTimeMs: ts,
    lastTradedPrice: rng.int(5, 2_500_000),
  };
}

function quote(rng: SeededRandom, i: number): QuotePacket {
  const base = ltp(rng, i);
  const price = base.lastTradedPrice;
  return {
    ...base,
    subscriptionMode: 2,
    lastTradedQuantity: 75 * rng.int(1, 20),
    averageTradedPrice: price + rng.int(-500, 500),
    volumeTradedForTheDay: rng.int(0, 50_000_000),
    totalBuyQuantity: rng.int(0, 5_000_000),
    totalSellQuantity: rng.int(0, 5_000_000),
    openPriceOfTheDay: price + rng.int(-1000, 1000),
    highPriceOfTheDay: price + rng.int(0, 2000),
    lowPriceOfTheDay: Math.max(5, price - rng.int(0, 2000)),
    closePrice: price + rng.int(-3000, 3000),
  };
}

function snapQuote(rng: SeededRandom, i: number): SnapQuotePacket {
  const q = quote(rng, i);
  const lastTradedTimestamp = Math.floor(q.exchangeTimestamp / 1000) - rng.int(0, 5);
  const bestFive: BestFiveRecord[] = [];
  for (let level = 0; level < 5; level++) {
    bestFive.push({
      buySellFlag: 1,
      quantity: 75 * rng.int(1, 400),
      price: q.lastTradedPrice - 5 * (level + 1),
      numberOfOrders: rng.int(1, 300),
    });
  }
  for (let level = 0; level < 5; level++) {
    bestFive.push({
      buySellFlag: 0,
      quantity: 75 * rng.int(1, 400),
      price: q.lastTradedPrice + 5 * (level + 1),
      numberOfOrders: rng.int(1, 300),
    });
  }
  return {
    ...q,
    subscriptionMode: 3,
    lastTradedTimestamp,
    lastTradedTimeMs: lastTradedTimestamp * 1000,
    openInterest: rng.int(0, 20_000_000),
    openInterestChangePercentage: rng.next(),
    bestFive,
    upperCircuitLimit: q.closePrice * 2,
    lowerCircuitLimit: 5,
    fiftyTwoWeekHigh: q.highPriceOfTheDay + 10_000,
    fiftyTwoWeekLow: 0,
  };
}

function depthSide(rng: SeededRandom, price: number, step: number): DepthRecord[] {
  const side: DepthRecord[] = [];
  for (let level = 0; level < 20; level++) {
    side.push({
      quantity: rng.int(1, 100_000),
      price: price + step * level,
      numberOfOrders: rng.int(1, 500),
    });
  }
  return side;
}

function depth20(rng: SeededRandom, i: number): Depth20Packet {
  const ts = 1_734_667_885_562 + i;
  const price = rng.int(10_000, 500_000);
  return {
    subscriptionMode: 4,
    exchangeType: 1,
    token: String(rng.int(1, 30_000)),
    exchangeTimestamp: ts,
    exchangeTimeMs: ts,
    packetReceivedTime: 0,
    buyDepth: depthSide(rng, price - 5, -5),
    sellDepth: depthSide(rng, price + 5, 5),
  };
}

const BUILDERS: Record<ModeName, (rng: SeededRandom, i: number) => FeedPacket> = {
  LTP: ltp,
  Quote: quote,
  SnapQuote: snapQuote,
  Depth20: depth20,
};

export const MODE_NAMES: readonly ModeName[] = ['LTP', 'Quote', 'SnapQuote', 'Depth20'];

/**
 * `count` packets of one mode, deterministic for a given seed. They are passed through
 * decode(encode(p)) so all share the decoder's hidden classes: objects built with spreads and mixed
 * Smi/double values end up on several V8 maps, which makes any consumer (the encoder included)
 * megamorphic and several times slower, and that would measure the sample builder, not the codec.
 */
export function samplePackets(mode: ModeName, count: number, seed = 42): FeedPacket[] {
  const rng = new SeededRandom(seed);
  const build = BUILDERS[mode];
  return Array.from({ length: count }, (_, i) => decodePacket(encodePacket(build(rng, i))));
}

/**
 * The same packets as wire frames, each a Buffer slice of one shared pool at a non-zero offset, the
 * way ws delivers them.
 */
export function sampleFrames(mode: ModeName, count: number, seed = 42): Buffer[] {
  const encoded = samplePackets(mode, count, seed).map(encodePacket);
  const total = encoded.reduce((sum, frame) => sum + frame.byteLength + 3, 0);
  const pool = Buffer.alloc(total);
  const frames: Buffer[] = [];
  let at = 0;
  for (const frame of encoded) {
    at += 3;
    pool.set(frame, at);
    frames.push(pool.subarray(at, at + frame.byteLength));
    at += frame.byteLength;
  }
  return frames;
}
