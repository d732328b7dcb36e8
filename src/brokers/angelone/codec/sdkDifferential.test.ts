import { describe, expect, it } from 'vitest';
import { MODE_NAMES, sampleFrames } from '../../../../bench/lib/packets.js';
import { loadSdkDecoder } from '../../../../bench/lib/smartapiSdk.js';
import { decodePacket } from './decode.js';
import { FrameWriter } from './fixtures/frames.js';
import type { FeedPacket } from './types.js';

/** Our packet in the official JS SDK's output shape, with its token-quoting bug applied. */
function inSdkShape(p: FeedPacket): Record<string, unknown> {
  const s = (n: number): string => String(n);
  const head = {
    subscription_mode: s(p.subscriptionMode),
    exchange_type: s(p.exchangeType),
    token: JSON.stringify(p.token),
  };
  if (p.subscriptionMode === 4) {
    const side = (records: typeof p.buyDepth) =>
      records.map((r) => ({ quantity: s(r.quantity), price: s(r.price), no_of_orders: s(r.numberOfOrders) }));
    return {
      ...head,
      exchange_timestamp: s(p.exchangeTimestamp),
      packet_received_time: s(p.packetReceivedTime),
      depth_twenty_buy_data: side(p.buyDepth),
      depth_twenty_sell_data: side(p.sellDepth),
    };
  }
  const ltp = {
    ...head,
    sequence_number: s(p.sequenceNumber),
    exchange_timestamp: s(p.exchangeTimestamp),
    last_traded_price: s(p.lastTradedPrice),
  };
  if (p.subscriptionMode === 1) return ltp;
  const quote = {
    ...ltp,
    last_traded_quantity: s(p.lastTradedQuantity),
    avg_traded_price: s(p.averageTradedPrice),
    vol_traded: s(p.volumeTradedForTheDay),
    total_buy_quantity: s(p.totalBuyQuantity),
    total_sell_quantity: s(p.totalSellQuantity),
    open_price_day: s(p.openPriceOfTheDay),
    high_price_day: s(p.highPriceOfTheDay),
    low_price_day: s(p.lowPriceOfTheDay),
    close_price: s(p.closePrice),
  };
  if (p.subscriptionMode === 2) return quote;
  const five = (records: typeof p.bestFive) =>
    records.map((r) => ({
      flag: s(r.buySellFlag),
      quantity: s(r.quantity),
      price: s(r.price),
      no_of_orders: s(r.numberOfOrders),
    }));
  return {
    ...quote,
    last_traded_timestamp: s(p.lastTradedTimestamp),
    open_interest: s(p.openInterest),
    open_interest_change: s(p.openInterestChangePercentage),
    best_5_buy_data: five(p.bestFive.slice(0, 5)),
    best_5_sell_data: five(p.bestFive.slice(5)),
    upper_circuit: s(p.upperCircuitLimit),
    lower_circuit: s(p.lowerCircuitLimit),
    fiftytwo_week_high: s(p.fiftyTwoWeekHigh),
    fiftytwo_week_low: s(p.fiftyTwoWeekLow),
  };
}

describe('differential check against the official smartapi-javascript@1.0.27 decoder', () => {
  const sdkDecode = loadSdkDecoder();

  it('agrees field for field on realistic frames of all four modes, apart from its token quoting', () => {
    for (const mode of MODE_NAMES) {
      for (const frame of sampleFrames(mode, 8, 7)) {
        expect(sdkDecode(frame), `${mode}: the SDK reads the same values`).toEqual(
          inSdkShape(decodePacket(frame)),
        );
      }
    }
  });

  it('confirms the SDK bugs this decoder avoids: quoted token and int32 LTP in LTP mode', () => {
    const frame = new FrameWriter(51)
      .u8(0, 1)
      .u8(1, 1)
      .token('2885')
      .i64(27, 1)
      .i64(35, 2)
      .i64(43, 3_000_000_000);
    const sdk = sdkDecode(Buffer.from(frame.bytes));
    expect(sdk['token'], 'SDK keeps JSON quotes').toBe('"2885"');
    expect(sdk['last_traded_price'], 'SDK wraps at 2^31').toBe('-1294967296');
    const ours = decodePacket(frame.bytes);
    expect(ours.token, 'ours: bare token').toBe('2885');
    expect(ours.subscriptionMode === 1 && ours.lastTradedPrice, 'ours: full int64').toBe(3_000_000_000);
  });
});
