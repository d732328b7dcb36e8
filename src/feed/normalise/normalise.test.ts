import { describe, expect, it } from 'vitest';
import {
  type BestFiveRecord,
  type Depth20Packet,
  type DepthRecord,
  decodePacket,
  encodePacket,
  type FeedPacket,
  type QuotePacket,
  type SnapQuotePacket,
} from '../../brokers/angelone/codec/index.js';
import { hexBytes } from '../../brokers/angelone/codec/fixtures/frames.js';
import type { MarketEvent } from '../events.js';
import { normaliseInto, normalisePacket, wirePriceToPaise } from './normalise.js';

const RECEIVED = 1_746_171_226_123;
const TS = 1_746_171_226_000;

/** Goes through the wire so the packets are exactly what the decoder hands the pipeline. */
function wire<P extends FeedPacket>(packet: P): P {
  return decodePacket(encodePacket(packet)) as P;
}

function quotePacket(fields: Partial<QuotePacket> = {}): QuotePacket {
  return {
    subscriptionMode: 2,
    exchangeType: 2,
    token: '35003',
    sequenceNumber: 42,
    exchangeTimestamp: TS,
    exchangeTimeMs: TS,
    lastTradedPrice: 12_345,
    lastTradedQuantity: 75,
    averageTradedPrice: 12_300,
    volumeTradedForTheDay: 1_234_500,
    totalBuyQuantity: 450_000,
    totalSellQuantity: 390_000,
    openPriceOfTheDay: 11_000,
    highPriceOfTheDay: 13_000,
    lowPriceOfTheDay: 10_500,
    closePrice: 11_800,
    ...fields,
  };
}

function record(
  buySellFlag: number,
  price: number,
  quantity: number,
  numberOfOrders: number,
): BestFiveRecord {
  return { buySellFlag, quantity, price, numberOfOrders };
}

function snapPacket(fields: Partial<SnapQuotePacket> = {}): SnapQuotePacket {
  const { subscriptionMode: _, ...quote } = quotePacket();
  return {
    ...quote,
    subscriptionMode: 3,
    lastTradedTimestamp: 1_746_171_220,
    lastTradedTimeMs: 1_746_171_220_000,
    openInterest: 2_000_000,
    openInterestChangePercentage: 0.25,
    // Flags interleaved and one empty (zero-filled) level per side: routing must follow the flag.
    bestFive: [
      record(1, 12_340, 750, 3),
      record(0, 12_350, 150, 1),
      record(1, 12_335, 300, 2),
      record(0, 12_355, 600, 4),
      record(1, 0, 0, 0),
      record(0, 0, 0, 0),
      record(1, 12_330, 75, 1),
      record(0, 12_360, 225, 2),
      record(1, 12_325, 1_500, 9),
      record(0, 12_365, 75, 1),
    ],
    upperCircuitLimit: 60_000,
    lowerCircuitLimit: 5,
    fiftyTwoWeekHigh: 90_000,
    fiftyTwoWeekLow: 0,
    ...fields,
  };
}

function depthRecords(start: number, step: number, filled: number): DepthRecord[] {
  return Array.from({ length: 20 }, (_, i) =>
    i < filled
      ? { quantity: 10 * (i + 1), price: start + i * step, numberOfOrders: i + 1 }
      : { quantity: 0, price: 0, numberOfOrders: 0 },
  );
}

describe('normalisePacket — LTP', () => {
  it('turns the reference LTP test vector (RELIANCE 2885) into one tick with golden values', () => {
    const packet = decodePacket(
      hexBytes(`01 01 32 38 38 35 00 00 00 00 00 00 00 00 00 00
                00 00 00 00 00 00 00 00 00 00 00 17 20 9a 00 00
                00 00 00 90 67 ea 8f 96 01 00 00 10 2a 02 00 00
                00 00 00`),
    );
    expect(normalisePacket(packet, RECEIVED), 'golden tick from reference §1.6').toEqual([
      {
        type: 'tick',
        token: '2885',
        exchangeType: 1,
        exchangeTimeMs: 1_746_171_226_000,
        receivedAtMs: RECEIVED,
        sequence: 10_100_759,
        lastPrice: 141_840,
        lastQuantity: 0,
        volume: 0,
        averagePrice: 0,
        openInterest: undefined,
        lastTradeTimeMs: undefined,
      },
    ]);
  });

  it('zeroes the sequence of instruments that have none (indices)', () => {
    const packet = wire(quotePacket({ token: '99926000', exchangeType: 1, sequenceNumber: 987_654 }));
    const events = normalisePacket(packet, RECEIVED, { sequenceless: true });
    expect(
      events.map((e) => e.sequence),
      'junk index sequence replaced by 0 on every event',
    ).toEqual([0, 0]);
  });
});

describe('normalisePacket — Quote', () => {
  it('emits a tick and a quote without book or circuits, prices in paise', () => {
    const [tick, quote, ...rest] = normalisePacket(wire(quotePacket()), RECEIVED);
    expect(rest, 'exactly two events').toEqual([]);
    expect(tick, 'tick carries day totals but no OI').toEqual({
      type: 'tick',
      token: '35003',
      exchangeType: 2,
      exchangeTimeMs: TS,
      receivedAtMs: RECEIVED,
      sequence: 42,
      lastPrice: 12_345,
      lastQuantity: 75,
      volume: 1_234_500,
      averagePrice: 12_300,
      openInterest: undefined,
      lastTradeTimeMs: undefined,
    });
    expect(quote, 'quote has OHLC and totals, an empty book').toEqual({
      type: 'quote',
      token: '35003',
      exchangeType: 2,
      exchangeTimeMs: TS,
      receivedAtMs: RECEIVED,
      sequence: 42,
      lastPrice: 12_345,
      bidPrice: 0,
      bidQuantity: 0,
      askPrice: 0,
      askQuantity: 0,
      totalBuyQuantity: 450_000,
      totalSellQuantity: 390_000,
      open: 11_000,
      high: 13_000,
      low: 10_500,
      previousClose: 11_800,
      volume: 1_234_500,
      openInterest: undefined,
      upperCircuit: undefined,
      lowerCircuit: undefined,
    });
  });
});

describe('normalisePacket — SnapQuote', () => {
  const events = normalisePacket(wire(snapPacket()), RECEIVED);
  const [tick, quote, depth] = events;

  it('emits tick, quote and depth in that order', () => {
    expect(
      events.map((e) => e.type),
      'one of each',
    ).toEqual(['tick', 'quote', 'depth']);
  });

  it('converts last-traded time from seconds to ms and carries OI on the tick', () => {
    expect(tick, 'tick fields').toMatchObject({
      lastTradeTimeMs: 1_746_171_220_000,
      openInterest: 2_000_000,
      exchangeTimeMs: TS,
    });
  });

  it('takes the best bid and ask by flag, with circuits and OI on the quote', () => {
    expect(quote, 'top of book and limits').toMatchObject({
      bidPrice: 12_340,
      bidQuantity: 750,
      askPrice: 12_350,
      askQuantity: 150,
      openInterest: 2_000_000,
      upperCircuit: 60_000,
      lowerCircuit: 5,
    });
  });

  it('routes best-five levels by flag, keeps wire order and skips zero-filled levels', () => {
    expect(depth, 'golden depth').toEqual({
      type: 'depth',
      token: '35003',
      exchangeType: 2,
      exchangeTimeMs: TS,
      receivedAtMs: RECEIVED,
      sequence: 42,
      bids: [
        { price: 12_340, quantity: 750, orders: 3 },
        { price: 12_335, quantity: 300, orders: 2 },
        { price: 12_330, quantity: 75, orders: 1 },
        { price: 12_325, quantity: 1_500, orders: 9 },
      ],
      asks: [
        { price: 12_350, quantity: 150, orders: 1 },
        { price: 12_355, quantity: 600, orders: 4 },
        { price: 12_360, quantity: 225, orders: 2 },
        { price: 12_365, quantity: 75, orders: 1 },
      ],
    });
  });

  it('leaves never-traded time, missing circuits and an empty book undefined or empty', () => {
    const empty = Array.from({ length: 10 }, (_, i) => record(i < 5 ? 1 : 0, 0, 0, 0));
    const [t, q, d] = normalisePacket(
      wire(
        snapPacket({
          lastTradedTimestamp: 0,
          lastTradedTimeMs: 0,
          upperCircuitLimit: 0,
          lowerCircuitLimit: 0,
          bestFive: empty,
        }),
      ),
      RECEIVED,
    );
    expect(t, 'never traded').toMatchObject({ lastTradeTimeMs: undefined });
    expect(q, 'index-like packet: no limits, no book').toMatchObject({
      upperCircuit: undefined,
      lowerCircuit: undefined,
      bidPrice: 0,
      askPrice: 0,
    });
    expect(d, 'no levels').toMatchObject({ bids: [], asks: [] });
  });
});

describe('normalisePacket — Depth-20', () => {
  it('emits one depth event with filled levels best first and no sequence', () => {
    const packet: Depth20Packet = wire({
      subscriptionMode: 4,
      exchangeType: 1,
      token: '2885',
      exchangeTimestamp: 1_734_667_885_562,
      exchangeTimeMs: 1_734_667_885_562,
      packetReceivedTime: 0,
      buyDepth: depthRecords(141_800, -5, 3),
      sellDepth: depthRecords(141_805, 5, 2),
    });
    expect(normalisePacket(packet, RECEIVED), 'golden depth-20').toEqual([
      {
        type: 'depth',
        token: '2885',
        exchangeType: 1,
        exchangeTimeMs: 1_734_667_885_562,
        receivedAtMs: RECEIVED,
        sequence: 0,
        bids: [
          { price: 141_800, quantity: 10, orders: 1 },
          { price: 141_795, quantity: 20, orders: 2 },
          { price: 141_790, quantity: 30, orders: 3 },
        ],
        asks: [
          { price: 141_805, quantity: 10, orders: 1 },
          { price: 141_810, quantity: 20, orders: 2 },
        ],
      },
    ]);
  });
});

describe('normalisePacket — cde_fo prices', () => {
  it('converts 1e-7-rupee units to paise, rounding, on every price but no quantity', () => {
    // USDINR 83.2555 rupees = 832,555,000 wire units = 8,325.55 paise → 8,326.
    const unit = 100_000;
    const packet = wire(
      snapPacket({
        exchangeType: 13,
        lastTradedPrice: 832_555_000,
        averageTradedPrice: 832_500_000,
        openPriceOfTheDay: 830_000_000,
        highPriceOfTheDay: 835_000_000,
        lowPriceOfTheDay: 829_000_000,
        closePrice: 831_000_000,
        upperCircuitLimit: 900_000_000,
        lowerCircuitLimit: 760_000_000,
        bestFive: snapPacket().bestFive.map((r) => ({ ...r, price: r.price * unit })),
      }),
    );
    const [tick, quote, depth] = normalisePacket(packet, RECEIVED);
    expect(tick, 'tick prices').toMatchObject({ lastPrice: 8_326, averagePrice: 8_325, lastQuantity: 75 });
    expect(quote, 'quote prices').toMatchObject({
      lastPrice: 8_326,
      open: 8_300,
      high: 8_350,
      low: 8_290,
      previousClose: 8_310,
      upperCircuit: 9_000,
      lowerCircuit: 7_600,
      bidPrice: 12_340,
      bidQuantity: 750,
    });
    expect(depth?.type === 'depth' ? depth.bids[0] : undefined, 'depth prices').toEqual({
      price: 12_340,
      quantity: 750,
      orders: 3,
    });
  });

  it('leaves other exchanges’ prices alone', () => {
    expect(wirePriceToPaise(832_555, 2), 'nse_fo is already paise').toBe(832_555);
    expect(wirePriceToPaise(832_555_000, 13), 'cde_fo rounds to paise').toBe(8_326);
  });
});

describe('normaliseInto', () => {
  it('appends to the caller’s array and returns the count, so the array can be reused', () => {
    const out: MarketEvent[] = [];
    expect(normaliseInto(wire(snapPacket()), RECEIVED, out), 'SnapQuote count').toBe(3);
    expect(normaliseInto(wire(quotePacket()), RECEIVED, out), 'Quote count').toBe(2);
    expect(
      out.map((e) => e.type),
      'appended in order',
    ).toEqual(['tick', 'quote', 'depth', 'tick', 'quote']);
  });

  it('creates new event objects per packet (events are immutable once published)', () => {
    const packet = wire(quotePacket());
    const [first] = normalisePacket(packet, RECEIVED);
    const [second] = normalisePacket(packet, RECEIVED);
    expect(first, 'equal content').toEqual(second);
    expect(first, 'distinct objects').not.toBe(second);
  });
});
