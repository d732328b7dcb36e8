import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IfError } from '../../../core/index.js';
import { decodePacket, tryDecodePacket } from './decode.js';
import { encodePacket, encodePacketInto } from './encode.js';
import { embedded } from './fixtures/frames.js';
import type {
  BestFiveRecord,
  Depth20Packet,
  DepthRecord,
  FeedPacket,
  LtpPacket,
  QuotePacket,
  SnapQuotePacket,
} from './types.js';

const EXCHANGES = [1, 2, 3, 4, 5, 7, 13] as const;
const PACKET_CODES = [
  'IF_ERR_PACKET_SIZE',
  'IF_ERR_PACKET_MODE',
  'IF_ERR_PACKET_FIELD',
  'IF_ERR_PACKET_TOKEN',
];
const SIZES = { 1: 51, 2: 123, 3: 379, 4: 443 } as const;

// ------------------------------------------------------------------------------------------------
// Packet arbitraries (packet → bytes → packet)

const tokenArb = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 24,
});
const exchangeArb = fc.constantFrom(...EXCHANGES);
/** Safe integers, with the edges and 32-bit boundaries drawn more often than uniform sampling would. */
const int64Arb = fc.oneof(
  fc.maxSafeInteger(),
  fc.integer(),
  fc.constantFrom(
    0,
    -1,
    2 ** 31,
    2 ** 32 - 1,
    2 ** 32,
    -(2 ** 32),
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
  ),
);
const int32Arb = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const int16Arb = fc.integer({ min: -0x8000, max: 0x7fff });
const finiteArb = fc.double({ noNaN: true, noDefaultInfinity: true });
/** Timestamps whose ×1000 form is what decode produces. */
const secondsArb = fc.integer({ min: -(2 ** 42), max: 2 ** 42 });

const ltpArb: fc.Arbitrary<LtpPacket> = fc
  .record({
    exchangeType: exchangeArb,
    token: tokenArb,
    sequenceNumber: int64Arb,
    ts: int64Arb,
    ltp: int64Arb,
  })
  .map((r) => ({
    subscriptionMode: 1,
    exchangeType: r.exchangeType,
    token: r.token,
    sequenceNumber: r.sequenceNumber,
    exchangeTimestamp: r.ts,
    exchangeTimeMs: r.ts,
    lastTradedPrice: r.ltp,
  }));

const quoteFieldsArb = fc.record({
  lastTradedQuantity: int64Arb,
  averageTradedPrice: int64Arb,
  volumeTradedForTheDay: int64Arb,
  totalBuyQuantity: finiteArb,
  totalSellQuantity: finiteArb,
  openPriceOfTheDay: int64Arb,
  highPriceOfTheDay: int64Arb,
  lowPriceOfTheDay: int64Arb,
  closePrice: int64Arb,
});

const quoteArb: fc.Arbitrary<QuotePacket> = fc
  .tuple(ltpArb, quoteFieldsArb)
  .map(([ltp, quote]) => ({ ...ltp, ...quote, subscriptionMode: 2 }));

const bestFiveArb: fc.Arbitrary<BestFiveRecord[]> = fc.array(
  fc.record({
    buySellFlag: fc.constantFrom(0, 1),
    quantity: int64Arb,
    price: int64Arb,
    numberOfOrders: int16Arb,
  }),
  { minLength: 10, maxLength: 10 },
);

const snapArb: fc.Arbitrary<SnapQuotePacket> = fc
  .tuple(
    ltpArb,
    quoteFieldsArb,
    fc.record({
      lastTradedTimestamp: secondsArb,
      openInterest: int64Arb,
      openInterestChangePercentage: fc.double(),
      bestFive: bestFiveArb,
      upperCircuitLimit: int64Arb,
      lowerCircuitLimit: int64Arb,
      fiftyTwoWeekHigh: int64Arb,
      fiftyTwoWeekLow: int64Arb,
    }),
  )
  .map(([ltp, quote, snap]) => ({
    ...ltp,
    ...quote,
    ...snap,
    subscriptionMode: 3,
    lastTradedTimeMs: snap.lastTradedTimestamp * 1000,
  }));

const depthSideArb: fc.Arbitrary<DepthRecord[]> = fc.array(
  fc.record({ quantity: int32Arb, price: int32Arb, numberOfOrders: int16Arb }),
  { minLength: 20, maxLength: 20 },
);

const depthArb: fc.Arbitrary<Depth20Packet> = fc
  .record({
    exchangeType: exchangeArb,
    token: tokenArb,
    ts: int64Arb,
    packetReceivedTime: int64Arb,
    buyDepth: depthSideArb,
    sellDepth: depthSideArb,
  })
  .map((r) => ({
    subscriptionMode: 4,
    exchangeType: r.exchangeType,
    token: r.token,
    exchangeTimestamp: r.ts,
    exchangeTimeMs: r.ts,
    packetReceivedTime: r.packetReceivedTime,
    buyDepth: r.buyDepth,
    sellDepth: r.sellDepth,
  }));

const packetArb: fc.Arbitrary<FeedPacket> = fc.oneof(ltpArb, quoteArb, snapArb, depthArb);

// ------------------------------------------------------------------------------------------------
// Valid-frame arbitrary (bytes → packet → bytes): random bytes with only the constrained fields fixed.

const INT64_OFFSETS: Record<1 | 2 | 3 | 4, number[]> = {
  1: [27, 35, 43],
  2: [27, 35, 43, 51, 59, 67, 91, 99, 107, 115],
  3: [
    27,
    35,
    43,
    51,
    59,
    67,
    91,
    99,
    107,
    115,
    123,
    131,
    347,
    355,
    363,
    371,
    ...Array.from({ length: 10 }, (_, i) => [149 + 20 * i, 157 + 20 * i]).flat(),
  ],
  4: [27, 35],
};

const validFrameArb: fc.Arbitrary<Uint8Array> = fc
  .constantFrom(1, 2, 3, 4)
  .chain((mode) =>
    fc.tuple(
      fc.constant(mode as 1 | 2 | 3 | 4),
      fc.uint8Array({ minLength: SIZES[mode as 1 | 2 | 3 | 4], maxLength: SIZES[mode as 1 | 2 | 3 | 4] }),
      exchangeArb,
      tokenArb,
    ),
  )
  .map(([mode, raw, exchange, token]) => {
    const bytes = Uint8Array.from(raw);
    const view = new DataView(bytes.buffer);
    view.setUint8(0, mode);
    view.setUint8(1, exchange);
    for (let i = 0; i < 25; i++) view.setUint8(2 + i, i < token.length ? token.charCodeAt(i) : 0);
    // Fold each int64's high word into ±(2^21 − 1) so the value is a safe integer.
    for (const at of INT64_OFFSETS[mode]) view.setInt32(at + 4, view.getInt32(at + 4, true) % 0x200000, true);
    if (mode === 2 || mode === 3) {
      for (const at of [75, 83]) {
        // Clear one exponent bit: an all-ones exponent (NaN/Infinity) becomes a finite double.
        view.setUint8(at + 7, view.getUint8(at + 7) & 0xbf);
      }
    }
    if (mode === 3) {
      for (let i = 0; i < 10; i++) view.setInt16(147 + 20 * i, view.getInt16(147 + 20 * i, true) & 1, true);
    }
    return bytes;
  });

/** Arbitrary bytes, plus frames with a plausible mode byte and exact size so field checks get exercised. */
const fuzzFrameArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 500 }),
  fc.constantFrom(1, 2, 3, 4).chain((mode) =>
    fc
      .uint8Array({ minLength: SIZES[mode as 1 | 2 | 3 | 4], maxLength: SIZES[mode as 1 | 2 | 3 | 4] })
      .map((b) => {
        const bytes = Uint8Array.from(b);
        bytes[0] = mode;
        return bytes;
      }),
  ),
  validFrameArb.chain((frame) =>
    fc.tuple(fc.nat({ max: frame.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([at, value]) => {
      const bytes = Uint8Array.from(frame);
      bytes[at] = value;
      return bytes;
    }),
  ),
);

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

describe('codec round-trip properties', () => {
  it('decode(encode(p)) deep-equals p for every encodable packet of all four modes', () => {
    fc.assert(
      fc.property(packetArb, (packet) => {
        const bytes = encodePacket(packet);
        expect(bytes.length, 'frame size matches the mode').toBe(SIZES[packet.subscriptionMode]);
        expect(decodePacket(bytes), 'decode inverts encode').toEqual(packet);
      }),
      { numRuns: 400 },
    );
  });

  it('encode(decode(b)) reproduces every valid frame byte for byte, garbage OI-change doubles included', () => {
    fc.assert(
      fc.property(validFrameArb, (frame) => {
        const packet = decodePacket(frame);
        expect(bytesEqual(encodePacket(packet), frame), 'encode inverts decode byte for byte').toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('encodePacketInto writes the same bytes as encodePacket at any offset, touching nothing else', () => {
    fc.assert(
      fc.property(packetArb, fc.nat({ max: 64 }), (packet, offset) => {
        const expected = encodePacket(packet);
        const target = new Uint8Array(offset + expected.length + 8).fill(0xee);
        const written = encodePacketInto(packet, target, offset);
        expect(written, 'returns the frame size').toBe(expected.length);
        expect(bytesEqual(target.subarray(offset, offset + written), expected), 'same bytes').toBe(true);
        expect(
          target.subarray(0, offset).every((v) => v === 0xee) &&
            target.subarray(offset + written).every((v) => v === 0xee),
          'bytes outside the frame untouched',
        ).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('decoder robustness on arbitrary bytes', () => {
  it('decodePacket returns a packet or throws an IfError with a packet code, never anything else', () => {
    fc.assert(
      fc.property(fuzzFrameArb, (bytes) => {
        try {
          decodePacket(bytes);
        } catch (error) {
          expect(error, 'only IfError escapes').toBeInstanceOf(IfError);
          if (error instanceof IfError) expect(PACKET_CODES, 'a packet code').toContain(error.code);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('tryDecodePacket never throws and agrees with decodePacket on outcome and code', () => {
    fc.assert(
      fc.property(fuzzFrameArb, (bytes) => {
        const result = tryDecodePacket(bytes);
        let thrown: IfError | undefined;
        try {
          decodePacket(bytes);
        } catch (error) {
          if (error instanceof IfError) thrown = error;
          else throw error;
        }
        expect(result.ok, 'ok exactly when decodePacket succeeds').toBe(thrown === undefined);
        if (!result.ok) expect(result.code, 'same code as the thrown error').toBe(thrown?.code);
      }),
      { numRuns: 1000 },
    );
  });

  it('decodes a frame at any byteOffset exactly as the same bytes at offset 0', () => {
    fc.assert(
      fc.property(fuzzFrameArb, fc.integer({ min: 1, max: 4100 }), (bytes, offset) => {
        const view = embedded(bytes, offset);
        expect(tryDecodePacket(view), 'offset does not change the outcome').toEqual(tryDecodePacket(bytes));
      }),
      { numRuns: 500 },
    );
  });
});

describe('garbage OI-change doubles', () => {
  it('round-trips NaN payloads, infinities and -0 in the OI-change field byte for byte, also once optimised', () => {
    const patterns = [
      [0x7ff00000, 0x00000001], // signalling NaN
      [0x7ff80000, 0x00000000], // quiet NaN
      [0xfff8dead, 0xbeef0001], // negative NaN with payload
      [0x7ff00000, 0x00000000], // +Infinity
      [0xfff00000, 0x00000000], // -Infinity
      [0x80000000, 0x00000000], // -0
    ] as const;
    const sample = fc.sample(snapArb, { numRuns: 1, seed: 1 })[0];
    if (sample === undefined) throw new Error('no sample');
    const base = encodePacket(sample);
    const check = (): void => {
      for (const [hi, lo] of patterns) {
        const frame = Uint8Array.from(base);
        const view = new DataView(frame.buffer);
        view.setUint32(139, lo, true);
        view.setUint32(143, hi, true);
        const again = encodePacket(decodePacket(frame));
        expect(bytesEqual(again, frame), `OI change bits ${hi.toString(16)}${lo.toString(16)}`).toBe(true);
      }
    };
    check();
    // Give the JIT a reason to optimise both directions, then check the optimised code keeps the bits.
    for (let i = 0; i < 20_000; i++) encodePacket(decodePacket(base));
    check();
  });
});
