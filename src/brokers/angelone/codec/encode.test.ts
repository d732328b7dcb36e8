import { describe, expect, it } from 'vitest';
import { type ErrorCode, IfError } from '../../../core/index.js';
import { decodePacket } from './decode.js';
import { encodedSize, encodePacket, encodePacketInto } from './encode.js';
import { hexBytes } from './fixtures/frames.js';
import type { Depth20Packet, FeedPacket, LtpPacket, SnapQuotePacket } from './types.js';

const RELIANCE_LTP_HEX = `
  01 01 32 38 38 35 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 17 20 9a 00 00
  00 00 00 90 67 ea 8f 96 01 00 00 10 2a 02 00 00
  00 00 00`;

const LTP: LtpPacket = {
  subscriptionMode: 1,
  exchangeType: 1,
  token: '2885',
  sequenceNumber: 10_100_759,
  exchangeTimestamp: 1_746_171_226_000,
  exchangeTimeMs: 1_746_171_226_000,
  lastTradedPrice: 141_840,
};

const SNAP: SnapQuotePacket = {
  ...LTP,
  subscriptionMode: 3,
  lastTradedQuantity: 75,
  averageTradedPrice: 141_800,
  volumeTradedForTheDay: 1_000_000,
  totalBuyQuantity: 5_000.5,
  totalSellQuantity: 6_000,
  openPriceOfTheDay: 141_000,
  highPriceOfTheDay: 142_000,
  lowPriceOfTheDay: 140_500,
  closePrice: 141_200,
  lastTradedTimestamp: 1_746_171_225,
  lastTradedTimeMs: 1_746_171_225_000,
  openInterest: 0,
  openInterestChangePercentage: 0,
  bestFive: Array.from({ length: 10 }, (_, i) => ({
    buySellFlag: i < 5 ? 1 : 0,
    quantity: 10 * (i + 1),
    price: i < 5 ? 141_835 - 5 * i : 141_845 + 5 * (i - 5),
    numberOfOrders: i + 1,
  })),
  upperCircuitLimit: 155_000,
  lowerCircuitLimit: 127_000,
  fiftyTwoWeekHigh: 160_000,
  fiftyTwoWeekLow: 120_000,
};

const DEPTH: Depth20Packet = {
  subscriptionMode: 4,
  exchangeType: 1,
  token: '2885',
  exchangeTimestamp: 1_734_667_885_562,
  exchangeTimeMs: 1_734_667_885_562,
  packetReceivedTime: 0,
  buyDepth: Array.from({ length: 20 }, (_, i) => ({
    quantity: 10,
    price: 141_840 - 5 * i,
    numberOfOrders: 1,
  })),
  sellDepth: Array.from({ length: 20 }, (_, i) => ({
    quantity: 10,
    price: 141_845 + 5 * i,
    numberOfOrders: 1,
  })),
};

function codeOf(packet: unknown): { code: ErrorCode; field: unknown } {
  try {
    encodePacket(packet as FeedPacket);
  } catch (error) {
    if (error instanceof IfError) return { code: error.code, field: error.params['field'] };
    throw error;
  }
  throw new Error('expected encodePacket to reject');
}

describe('encodePacket', () => {
  it('reproduces the reference RELIANCE LTP vector byte for byte', () => {
    expect(Array.from(encodePacket(LTP)), '§1.6 vector').toEqual(Array.from(hexBytes(RELIANCE_LTP_HEX)));
  });

  it('writes frames of the exact mode size', () => {
    expect(encodePacket(LTP).length, 'LTP').toBe(51);
    expect(encodePacket({ ...SNAP, subscriptionMode: 2 } as FeedPacket).length, 'Quote').toBe(123);
    expect(encodePacket(SNAP).length, 'SnapQuote').toBe(379);
    expect(encodePacket(DEPTH).length, 'Depth-20').toBe(443);
    expect(encodedSize(DEPTH), 'encodedSize agrees').toBe(443);
  });

  it('NUL-pads the token even when the target buffer holds junk', () => {
    const target = new Uint8Array(100).fill(0xff);
    encodePacketInto(LTP, target, 10);
    const field = target.subarray(12, 37);
    expect(Array.from(field.subarray(0, 4)), 'ASCII digits').toEqual([0x32, 0x38, 0x38, 0x35]);
    expect(
      field.subarray(4).every((b) => b === 0),
      '21 NUL padding bytes',
    ).toBe(true);
    expect(decodePacket(target.subarray(10, 61)), 'decodes back').toEqual(LTP);
  });

  it('accepts the int64 extremes and int32/int16 extremes', () => {
    const edge = {
      ...LTP,
      sequenceNumber: Number.MIN_SAFE_INTEGER,
      lastTradedPrice: Number.MAX_SAFE_INTEGER,
    };
    expect(decodePacket(encodePacket(edge)), 'safe-integer edges survive').toEqual(edge);
    const depth: Depth20Packet = {
      ...DEPTH,
      buyDepth: DEPTH.buyDepth.map((r, i) =>
        i === 0 ? { quantity: 2 ** 31 - 1, price: -(2 ** 31), numberOfOrders: -0x8000 } : r,
      ),
    };
    expect(decodePacket(encodePacket(depth)), 'int32/int16 edges survive').toEqual(depth);
  });
});

describe('encodePacket rejects packets it cannot encode faithfully', () => {
  const cases: { name: string; packet: unknown; code: ErrorCode; field?: string }[] = [
    {
      name: '25-character token',
      packet: { ...LTP, token: '1234567890123456789012345' },
      code: 'IF_ERR_PACKET_TOKEN',
    },
    { name: 'empty token', packet: { ...LTP, token: '' }, code: 'IF_ERR_PACKET_TOKEN' },
    { name: 'token with a space', packet: { ...LTP, token: '28 85' }, code: 'IF_ERR_PACKET_TOKEN' },
    { name: 'non-ASCII token', packet: { ...LTP, token: '288é' }, code: 'IF_ERR_PACKET_TOKEN' },
    { name: 'token with NUL', packet: { ...LTP, token: '28\u000085' }, code: 'IF_ERR_PACKET_TOKEN' },
    { name: 'unknown mode', packet: { ...LTP, subscriptionMode: 9 }, code: 'IF_ERR_PACKET_MODE' },
    {
      name: 'unknown exchange type',
      packet: { ...LTP, exchangeType: 6 },
      code: 'IF_ERR_PACKET_FIELD',
      field: 'exchangeType',
    },
    {
      name: 'LTP of 2^53',
      packet: { ...LTP, lastTradedPrice: 2 ** 53 },
      code: 'IF_ERR_PACKET_FIELD',
      field: 'lastTradedPrice',
    },
    {
      name: 'fractional price',
      packet: { ...LTP, lastTradedPrice: 1.5 },
      code: 'IF_ERR_PACKET_FIELD',
      field: 'lastTradedPrice',
    },
    {
      name: 'NaN sequence number',
      packet: { ...LTP, sequenceNumber: Number.NaN },
      code: 'IF_ERR_PACKET_FIELD',
      field: 'sequenceNumber',
    },
    {
      name: 'exchangeTimeMs that disagrees with exchangeTimestamp',
      packet: { ...LTP, exchangeTimeMs: LTP.exchangeTimestamp + 1 },
      code: 'IF_ERR_PACKET_FIELD',
      field: 'exchangeTimeMs',
    },
    {
      name: 'lastTradedTimeMs that is not seconds × 1000',
      packet: { ...SNAP, lastTradedTimeMs: SNAP.lastTradedTimestamp },
      code: 'IF_ERR_PACKET_FIELD',
      field: 'lastTradedTimeMs',
    },
    {
      name: 'Infinity total buy quantity',
      packet: { ...SNAP, totalBuyQuantity: Number.POSITIVE_INFINITY },
      code: 'IF_ERR_PACKET_FIELD',
      field: 'totalBuyQuantity',
    },
    {
      name: 'NaN total sell quantity',
      packet: { ...SNAP, totalSellQuantity: Number.NaN },
      code: 'IF_ERR_PACKET_FIELD',
      field: 'totalSellQuantity',
    },
    {
      name: 'nine best-five records',
      packet: { ...SNAP, bestFive: SNAP.bestFive.slice(1) },
      code: 'IF_ERR_PACKET_FIELD',
      field: 'bestFive',
    },
    {
      name: 'best-five flag 2',
      packet: { ...SNAP, bestFive: SNAP.bestFive.map((r, i) => (i === 2 ? { ...r, buySellFlag: 2 } : r)) },
      code: 'IF_ERR_PACKET_FIELD',
      field: 'bestFive[2].buySellFlag',
    },
    {
      name: 'best-five order count above int16',
      packet: {
        ...SNAP,
        bestFive: SNAP.bestFive.map((r, i) => (i === 7 ? { ...r, numberOfOrders: 40_000 } : r)),
      },
      code: 'IF_ERR_PACKET_FIELD',
      field: 'bestFive[7].numberOfOrders',
    },
    {
      name: 'best-five quantity beyond 2^53',
      packet: { ...SNAP, bestFive: SNAP.bestFive.map((r, i) => (i === 4 ? { ...r, quantity: 2 ** 60 } : r)) },
      code: 'IF_ERR_PACKET_FIELD',
      field: 'bestFive[4].quantity',
    },
    {
      name: 'OI change that is not a number',
      packet: { ...SNAP, openInterestChangePercentage: '0.1' },
      code: 'IF_ERR_PACKET_FIELD',
      field: 'openInterestChangePercentage',
    },
    {
      name: 'depth quantity above int32',
      packet: {
        ...DEPTH,
        sellDepth: DEPTH.sellDepth.map((r, i) => (i === 19 ? { ...r, quantity: 2 ** 31 } : r)),
      },
      code: 'IF_ERR_PACKET_FIELD',
      field: 'sellDepth[19].quantity',
    },
    {
      name: 'depth price below int32',
      packet: {
        ...DEPTH,
        buyDepth: DEPTH.buyDepth.map((r, i) => (i === 0 ? { ...r, price: -(2 ** 31) - 1 } : r)),
      },
      code: 'IF_ERR_PACKET_FIELD',
      field: 'buyDepth[0].price',
    },
    {
      name: 'nineteen depth levels',
      packet: { ...DEPTH, buyDepth: DEPTH.buyDepth.slice(1) },
      code: 'IF_ERR_PACKET_FIELD',
      field: 'buyDepth',
    },
  ];

  for (const c of cases) {
    it(`rejects ${c.name} with ${c.code}`, () => {
      const reject = codeOf(c.packet);
      expect(reject.code, c.name).toBe(c.code);
      if (c.field !== undefined) expect(reject.field, 'names the field').toBe(c.field);
    });
  }

  it('rejects a target too small for the frame without writing past it', () => {
    const target = new Uint8Array(60);
    expect(() => encodePacketInto(LTP, target, 10), '10 + 51 > 60').toThrow(IfError);
    expect(
      target.every((b) => b === 0),
      'nothing written',
    ).toBe(true);
    expect(() => encodePacketInto(LTP, target, -1), 'negative offset').toThrow(IfError);
  });
});
