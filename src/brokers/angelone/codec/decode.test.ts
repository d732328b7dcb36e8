import { describe, expect, it } from 'vitest';
import { type ErrorCode, IfError } from '../../../core/index.js';
import { decodePacket, tryDecodePacket } from './decode.js';
import { embedded, FrameWriter, hexBytes } from './fixtures/frames.js';
import type { Depth20Packet, LtpPacket, QuotePacket, SnapQuotePacket } from './types.js';

/** Reference §1.6 test vector: RELIANCE 2885 on nse_cm, LTP packet. */
const RELIANCE_LTP = hexBytes(`
  01 01 32 38 38 35 00 00 00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00 00 00 00 17 20 9a 00 00
  00 00 00 90 67 ea 8f 96 01 00 00 10 2a 02 00 00
  00 00 00`);

function ltpFrame(fields: { token?: string; ltp?: number | bigint; exchange?: number } = {}): FrameWriter {
  return new FrameWriter(51)
    .u8(0, 1)
    .u8(1, fields.exchange ?? 2)
    .token(fields.token ?? '35003')
    .i64(27, 1)
    .i64(35, 1_734_666_469_000)
    .i64(43, fields.ltp ?? 12_345);
}

/** Quote golden frame written field by field at the documented offsets. */
function quoteGolden(): FrameWriter {
  return new FrameWriter(123)
    .u8(0, 2)
    .u8(1, 2)
    .token('43210')
    .i64(27, 123_456_789_012)
    .i64(35, 1_734_666_469_000)
    .i64(43, 3_000_000_000)
    .i64(51, 75)
    .i64(59, 2_999_000_000)
    .i64(67, 123_456_789)
    .f64(75, 1_234_567)
    .f64(83, 7_654_321.5)
    .i64(91, 2_990_000_000)
    .i64(99, 3_010_000_000)
    .i64(107, 2_980_000_000)
    .i64(115, 2_995_000_000);
}

const SNAP_BEST_FIVE = [
  { buySellFlag: 1, quantity: 150, price: 24_400_05, numberOfOrders: 3 },
  { buySellFlag: 1, quantity: 75, price: 24_400_00, numberOfOrders: 1 },
  { buySellFlag: 1, quantity: 300, price: 24_399_95, numberOfOrders: 4 },
  { buySellFlag: 1, quantity: 1_275, price: 24_399_90, numberOfOrders: 12 },
  { buySellFlag: 1, quantity: 0, price: 0, numberOfOrders: 0 },
  { buySellFlag: 0, quantity: 225, price: 24_400_10, numberOfOrders: 2 },
  { buySellFlag: 0, quantity: 75, price: 24_400_15, numberOfOrders: 1 },
  { buySellFlag: 0, quantity: 600, price: 24_400_20, numberOfOrders: 7 },
  { buySellFlag: 0, quantity: 75, price: 24_400_25, numberOfOrders: 1 },
  { buySellFlag: 0, quantity: 4_500_000_000, price: 24_400_30, numberOfOrders: 32_767 },
];

function snapGolden(): FrameWriter {
  const w = new FrameWriter(379)
    .u8(0, 3)
    .u8(1, 13)
    .token('99926000')
    .i64(27, -42)
    .i64(35, 1_734_667_885_000)
    .i64(43, 2_440_010)
    .i64(51, 75)
    .i64(59, 2_439_980)
    .i64(67, 9_876_543_210)
    .f64(75, 123_456.25)
    .f64(83, 654_321.75)
    .i64(91, 2_430_000)
    .i64(99, 2_450_000)
    .i64(107, 2_420_000)
    .i64(115, 2_435_000)
    .i64(123, 1_734_667_800)
    .i64(131, 12_345_600)
    .f64(139, 0.10423)
    .i64(347, 2_678_500)
    .i64(355, 5)
    .i64(363, 2_650_000)
    .i64(371, 0);
  SNAP_BEST_FIVE.forEach((r, i) => {
    const at = 147 + i * 20;
    w.i16(at, r.buySellFlag)
      .i64(at + 2, r.quantity)
      .i64(at + 10, r.price)
      .i16(at + 18, r.numberOfOrders);
  });
  return w;
}

function depthGolden(): FrameWriter {
  const w = new FrameWriter(443)
    .u8(0, 4)
    .u8(1, 1)
    .token('2885')
    .i64(27, 1_734_667_885_562)
    // The dummy "packet received time" is 0 live; a distinct value proves which bytes feed which field.
    .i64(35, 7);
  for (let i = 0; i < 20; i++) {
    w.i32(43 + i * 10, 100 + i)
      .i32(47 + i * 10, 141_840 - 5 * i)
      .i16(51 + i * 10, i + 1);
    w.i32(243 + i * 10, 200 + i)
      .i32(247 + i * 10, 141_845 + 5 * i)
      .i16(251 + i * 10, 2 * i + 1);
  }
  w.i32(43 + 19 * 10, 2_147_483_647).i16(51 + 19 * 10, -1);
  return w;
}

function rejectOf(bytes: Uint8Array): { code: ErrorCode; params: IfError['params'] } {
  try {
    decodePacket(bytes);
  } catch (error) {
    if (error instanceof IfError) return { code: error.code, params: error.params };
    throw error;
  }
  throw new Error('expected decodePacket to reject');
}

describe('decodePacket golden vectors', () => {
  it('decodes the reference RELIANCE LTP vector exactly', () => {
    const expected: LtpPacket = {
      subscriptionMode: 1,
      exchangeType: 1,
      token: '2885',
      sequenceNumber: 10_100_759,
      exchangeTimestamp: 1_746_171_226_000,
      exchangeTimeMs: 1_746_171_226_000,
      lastTradedPrice: 141_840,
    };
    expect(decodePacket(RELIANCE_LTP), 'every field of the §1.6 vector').toEqual(expected);
  });

  it('decodes every field of a Quote frame written at the documented offsets', () => {
    const expected: QuotePacket = {
      subscriptionMode: 2,
      exchangeType: 2,
      token: '43210',
      sequenceNumber: 123_456_789_012,
      exchangeTimestamp: 1_734_666_469_000,
      exchangeTimeMs: 1_734_666_469_000,
      lastTradedPrice: 3_000_000_000,
      lastTradedQuantity: 75,
      averageTradedPrice: 2_999_000_000,
      volumeTradedForTheDay: 123_456_789,
      totalBuyQuantity: 1_234_567,
      totalSellQuantity: 7_654_321.5,
      openPriceOfTheDay: 2_990_000_000,
      highPriceOfTheDay: 3_010_000_000,
      lowPriceOfTheDay: 2_980_000_000,
      closePrice: 2_995_000_000,
    };
    expect(decodePacket(quoteGolden().bytes), 'every Quote field').toEqual(expected);
  });

  it('decodes every field of a SnapQuote frame, normalising last-traded seconds to ms', () => {
    const expected: SnapQuotePacket = {
      subscriptionMode: 3,
      exchangeType: 13,
      token: '99926000',
      sequenceNumber: -42,
      exchangeTimestamp: 1_734_667_885_000,
      exchangeTimeMs: 1_734_667_885_000,
      lastTradedPrice: 2_440_010,
      lastTradedQuantity: 75,
      averageTradedPrice: 2_439_980,
      volumeTradedForTheDay: 9_876_543_210,
      totalBuyQuantity: 123_456.25,
      totalSellQuantity: 654_321.75,
      openPriceOfTheDay: 2_430_000,
      highPriceOfTheDay: 2_450_000,
      lowPriceOfTheDay: 2_420_000,
      closePrice: 2_435_000,
      lastTradedTimestamp: 1_734_667_800,
      lastTradedTimeMs: 1_734_667_800_000,
      openInterest: 12_345_600,
      openInterestChangePercentage: 0.10423,
      bestFive: SNAP_BEST_FIVE,
      upperCircuitLimit: 2_678_500,
      lowerCircuitLimit: 5,
      fiftyTwoWeekHigh: 2_650_000,
      fiftyTwoWeekLow: 0,
    };
    expect(decodePacket(snapGolden().bytes), 'every SnapQuote field').toEqual(expected);
  });

  it('decodes every field of a Depth-20 frame', () => {
    const buyDepth = Array.from({ length: 20 }, (_, i) => ({
      quantity: i === 19 ? 2_147_483_647 : 100 + i,
      price: 141_840 - 5 * i,
      numberOfOrders: i === 19 ? -1 : i + 1,
    }));
    const sellDepth = Array.from({ length: 20 }, (_, i) => ({
      quantity: 200 + i,
      price: 141_845 + 5 * i,
      numberOfOrders: 2 * i + 1,
    }));
    const expected: Depth20Packet = {
      subscriptionMode: 4,
      exchangeType: 1,
      token: '2885',
      exchangeTimestamp: 1_734_667_885_562,
      exchangeTimeMs: 1_734_667_885_562,
      packetReceivedTime: 7,
      buyDepth,
      sellDepth,
    };
    expect(decodePacket(depthGolden().bytes), 'every Depth-20 field').toEqual(expected);
  });

  it('decodes a frame that is a view into a larger buffer (byteOffset ≠ 0), as ws delivers', () => {
    for (const offset of [1, 3, 8, 4093]) {
      const view = embedded(snapGolden().bytes, offset);
      expect(view.byteOffset, 'the frame really is offset').toBe(offset);
      expect(decodePacket(view), `same packet at byteOffset ${offset}`).toEqual(
        decodePacket(snapGolden().bytes),
      );
    }
    const pooled = Buffer.concat([Buffer.alloc(5, 0xff), Buffer.from(RELIANCE_LTP)]).subarray(5);
    expect(decodePacket(pooled).token, 'a Buffer slice decodes like a Uint8Array').toBe('2885');
  });
});

describe('decodePacket avoids the official SDK decoder bugs (reference §5)', () => {
  it('stops the token at the first NUL and keeps no JSON quotes (JS SDK bug 1)', () => {
    const packet = decodePacket(RELIANCE_LTP);
    expect(packet.token, 'token is the bare digits').toBe('2885');
    expect(packet.token.includes('"'), 'no quote characters').toBe(false);
    expect(packet.token.length, 'no NUL padding kept').toBe(4);
  });

  it('reads LTP-mode LTP as int64, so values above 2^31 are right (JS SDK bug 2)', () => {
    const packet = decodePacket(ltpFrame({ ltp: 3_000_000_000 }).bytes);
    expect(packet.subscriptionMode, 'an LTP packet').toBe(1);
    if (packet.subscriptionMode !== 1) return;
    expect(packet.lastTradedPrice, 'the SDK would give -1294967296').toBe(3_000_000_000);
  });

  it('reads open-interest change % as a double (Python SDK bug 1)', () => {
    const packet = decodePacket(snapGolden().f64(139, 0.104).bytes);
    if (packet.subscriptionMode !== 3) throw new Error('expected SnapQuote');
    expect(packet.openInterestChangePercentage, 'a small double, not 4.6e18').toBe(0.104);
  });

  it('takes the Depth-20 exchange timestamp from bytes 27–35 (Python SDK bug 2)', () => {
    const packet = decodePacket(depthGolden().bytes);
    if (packet.subscriptionMode !== 4) throw new Error('expected Depth-20');
    expect(packet.exchangeTimestamp, 'bytes 27–35').toBe(1_734_667_885_562);
    expect(packet.packetReceivedTime, 'bytes 35–43 are the dummy field').toBe(7);
  });
});

describe('decodePacket numeric edges', () => {
  it('decodes signed int64 across the whole safe range', () => {
    const cases = [
      0,
      1,
      -1,
      2 ** 31,
      -(2 ** 31) - 1,
      2 ** 32,
      -(2 ** 32),
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
    ];
    for (const value of cases) {
      const packet = decodePacket(ltpFrame({ ltp: value }).bytes);
      if (packet.subscriptionMode !== 1) throw new Error('expected LTP');
      expect(packet.lastTradedPrice, `int64 ${value}`).toBe(value);
    }
  });

  it('rejects int64 values just outside the safe range, naming the field', () => {
    for (const value of [2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)]) {
      const reject = rejectOf(ltpFrame({ ltp: value }).bytes);
      expect(reject.code, `int64 ${value}`).toBe('IF_ERR_PACKET_FIELD');
      expect(reject.params['field'], 'the field is named').toBe('lastTradedPrice');
    }
    const bestFive = rejectOf(snapGolden().i64(147 + 3 * 20 + 10, 2n ** 60n).bytes);
    expect(bestFive.params['field'], 'best-five fields are named by index').toBe('bestFive[3].price');
  });

  it('keeps whatever double the garbage OI-change field holds, NaN and Infinity included', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, -0, 4.6e18]) {
      const packet = decodePacket(snapGolden().f64(139, value).bytes);
      if (packet.subscriptionMode !== 3) throw new Error('expected SnapQuote');
      expect(Object.is(packet.openInterestChangePercentage, value), `OI change ${value} kept`).toBe(true);
    }
  });
});

describe('decodePacket rejects malformed frames with catalogue codes', () => {
  const cases: { name: string; bytes: () => Uint8Array; code: ErrorCode; field?: string }[] = [
    { name: 'empty frame', bytes: () => new Uint8Array(0), code: 'IF_ERR_PACKET_SIZE' },
    {
      name: 'truncated LTP (50 bytes)',
      bytes: () => RELIANCE_LTP.subarray(0, 50),
      code: 'IF_ERR_PACKET_SIZE',
    },
    {
      name: 'LTP with a trailing byte',
      bytes: () => new FrameWriter(52).u8(0, 1).bytes,
      code: 'IF_ERR_PACKET_SIZE',
    },
    { name: 'Quote-sized SnapQuote', bytes: () => quoteGolden().u8(0, 3).bytes, code: 'IF_ERR_PACKET_SIZE' },
    {
      name: 'Depth of 442 bytes',
      bytes: () => depthGolden().bytes.subarray(0, 442),
      code: 'IF_ERR_PACKET_SIZE',
    },
    { name: 'mode 0', bytes: () => ltpFrame().u8(0, 0).bytes, code: 'IF_ERR_PACKET_MODE' },
    { name: 'mode 5', bytes: () => ltpFrame().u8(0, 5).bytes, code: 'IF_ERR_PACKET_MODE' },
    { name: 'mode 0xff', bytes: () => ltpFrame().u8(0, 0xff).bytes, code: 'IF_ERR_PACKET_MODE' },
    {
      name: 'text pong frame bytes',
      bytes: () => new TextEncoder().encode('pong'),
      code: 'IF_ERR_PACKET_MODE',
    },
    {
      name: 'exchange type 6',
      bytes: () => ltpFrame({ exchange: 6 }).bytes,
      code: 'IF_ERR_PACKET_FIELD',
      field: 'exchangeType',
    },
    {
      name: 'exchange type 0',
      bytes: () => ltpFrame({ exchange: 0 }).bytes,
      code: 'IF_ERR_PACKET_FIELD',
      field: 'exchangeType',
    },
    {
      name: 'NaN total buy quantity',
      bytes: () => quoteGolden().f64(75, Number.NaN).bytes,
      code: 'IF_ERR_PACKET_FIELD',
      field: 'totalBuyQuantity',
    },
    {
      name: 'Infinity total sell quantity',
      bytes: () => snapGolden().f64(83, Number.POSITIVE_INFINITY).bytes,
      code: 'IF_ERR_PACKET_FIELD',
      field: 'totalSellQuantity',
    },
    {
      name: '-Infinity total buy quantity in a SnapQuote',
      bytes: () => snapGolden().f64(75, Number.NEGATIVE_INFINITY).bytes,
      code: 'IF_ERR_PACKET_FIELD',
      field: 'totalBuyQuantity',
    },
    {
      name: 'best-five flag 2',
      bytes: () => snapGolden().i16(147 + 3 * 20, 2).bytes,
      code: 'IF_ERR_PACKET_FIELD',
      field: 'bestFive[3].buySellFlag',
    },
    {
      name: 'best-five flag -1',
      bytes: () => snapGolden().i16(147, -1).bytes,
      code: 'IF_ERR_PACKET_FIELD',
      field: 'bestFive[0].buySellFlag',
    },
    {
      name: 'depth timestamp beyond 2^53',
      bytes: () => depthGolden().i64(27, 2n ** 62n).bytes,
      code: 'IF_ERR_PACKET_FIELD',
      field: 'exchangeTimestamp',
    },
    { name: 'empty token', bytes: () => ltpFrame({ token: '' }).bytes, code: 'IF_ERR_PACKET_TOKEN' },
    {
      name: 'token with no NUL in 25 bytes',
      bytes: () => ltpFrame({ token: '1234567890123456789012345' }).bytes,
      code: 'IF_ERR_PACKET_TOKEN',
    },
    {
      name: 'token with a space',
      bytes: () => ltpFrame({ token: '12 34' }).bytes,
      code: 'IF_ERR_PACKET_TOKEN',
    },
    { name: 'token with DEL', bytes: () => ltpFrame({ token: '12\x7f' }).bytes, code: 'IF_ERR_PACKET_TOKEN' },
    {
      name: 'token with a non-ASCII byte',
      bytes: () => ltpFrame().u8(3, 0xc3).bytes,
      code: 'IF_ERR_PACKET_TOKEN',
    },
    {
      name: 'token with junk after the NUL',
      bytes: () => ltpFrame({ token: '2885' }).u8(20, 0x31).bytes,
      code: 'IF_ERR_PACKET_TOKEN',
    },
    {
      name: 'long token with junk after the NUL',
      bytes: () => ltpFrame({ token: '1234567890ABC' }).u8(26, 0x31).bytes,
      code: 'IF_ERR_PACKET_TOKEN',
    },
  ];

  for (const c of cases) {
    it(`rejects ${c.name} with ${c.code}`, () => {
      const reject = rejectOf(c.bytes());
      expect(reject.code, c.name).toBe(c.code);
      if (c.field !== undefined) expect(reject.params['field'], 'names the field').toBe(c.field);
      const result = tryDecodePacket(c.bytes());
      expect(result.ok, 'tryDecodePacket rejects too').toBe(false);
      if (!result.ok) {
        expect(result.code, 'with the same code').toBe(c.code);
        expect(result.detail.length, 'and a reason').toBeGreaterThan(0);
      }
    });
  }

  it('reports size, mode and expected size for a truncated frame', () => {
    expect(rejectOf(RELIANCE_LTP.subarray(0, 50)).params, 'message params').toEqual({
      size: 50,
      mode: 1,
      expected: 51,
    });
  });
});

describe('tokens', () => {
  it('accepts 24-character tokens, the most a 25-byte NUL-terminated field holds', () => {
    const token = 'ABCDEFGHIJKLMNOPQRSTUVWX';
    expect(decodePacket(ltpFrame({ token }).bytes).token, '24 characters').toBe(token);
  });

  it('decodes thousands of distinct tokens correctly through the intern cache, twice', () => {
    const tokens = Array.from({ length: 12_000 }, (_, i) => (i % 3 === 0 ? `9992${i}` : `${i + 1}`));
    tokens.push('123456789', '1234567890123', 'NIFTY24DEC24400CE');
    const frames = tokens.map((token) => ltpFrame({ token }).bytes);
    for (let round = 0; round < 2; round++) {
      const wrong = tokens.filter((token, i) => decodePacket(frames[i] ?? new Uint8Array(0)).token !== token);
      expect(wrong, `round ${round}: every token decodes to itself`).toEqual([]);
    }
  });

  it('does not confuse a short token with a longer one sharing its first 8 bytes', () => {
    expect(decodePacket(ltpFrame({ token: '12345678' }).bytes).token, '8 chars').toBe('12345678');
    expect(decodePacket(ltpFrame({ token: '123456789' }).bytes).token, '9 chars').toBe('123456789');
    expect(decodePacket(ltpFrame({ token: '12345678' }).bytes).token, '8 chars again').toBe('12345678');
  });
});

describe('tryDecodePacket', () => {
  it('returns the same packet as decodePacket on success', () => {
    const result = tryDecodePacket(snapGolden().bytes);
    expect(result, 'ok with the packet').toEqual({ ok: true, packet: decodePacket(snapGolden().bytes) });
  });

  it('recovers after a reject: the next good frame decodes normally', () => {
    expect(tryDecodePacket(ltpFrame({ ltp: 2n ** 60n }).bytes).ok, 'bad frame').toBe(false);
    expect(tryDecodePacket(RELIANCE_LTP), 'good frame after it').toEqual({
      ok: true,
      packet: decodePacket(RELIANCE_LTP),
    });
  });
});
