/**
 * Decoder for Angel One WebSocket 2.0 binary packets (reference §1.5–1.7).
 *
 * This is a hand-written hot path on purpose. Every market-data frame passes through it, so it reads
 * fields straight off a cached DataView at fixed offsets, builds each packet as one object literal (one
 * hidden class per mode), decodes int64 as two 32-bit reads rather than getBigInt64 (measured ~4.5×
 * faster per field), and interns tokens so the common case allocates no string. The official
 * smartapi-javascript SDK builds fresh binary-parser parsers for every message and stringifies every
 * field. Measured with `npm run bench -- decode` (Node 20, one Xeon core): SnapQuote ~5 M
 * packets/s, ~170× the SDK; LTP and Quote ~190–250×; Depth-20 ~75×, bound by allocating its 40
 * record objects (~3 KB per packet), which the DepthRecord[] shape requires. Re-run the bench after
 * any change here.
 *
 * Validation is strict and happens at this boundary (STYLE: fail fast on corrupt data): the exact size
 * per mode, a known exchange type, a NUL-terminated and NUL-padded visible-ASCII token, int64 values in
 * the safe-integer range, finite buy/sell totals and best-five flags of 0 or 1. The one exception is
 * openInterestChangePercentage, which Angel documents as a garbage field: whatever double it holds is
 * kept, so encode(decode(b)) reproduces b byte for byte.
 */

import { type ErrorCode, IfError } from '../../../core/index.js';
import {
  type BestFiveRecord,
  type Depth20Packet,
  type DepthRecord,
  type ExchangeType,
  type FeedPacket,
  type LtpPacket,
  PACKET_SIZE,
  type QuotePacket,
  type SnapQuotePacket,
} from './types.js';

/** Outcome of {@link tryDecodePacket}: the packet, or the catalogue code and a human-readable reason. */
export type DecodeResult = { ok: true; packet: FeedPacket } | { ok: false; code: ErrorCode; detail: string };

const TWO_POW_32 = 4294967296;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const TOKEN_OFFSET = 2;
/** 25 bytes on the wire; the last must be NUL, so at most 24 characters. */
const TOKEN_FIELD_BYTES = 25;
const BEST_FIVE_OFFSET = 147;
const BEST_FIVE_RECORD_BYTES = 20;
const BEST_FIVE_RECORDS = 10;
const DEPTH_BUY_OFFSET = 43;
const DEPTH_SELL_OFFSET = 243;
const DEPTH_RECORD_BYTES = 10;
const DEPTH_RECORDS = 20;

/** Exchange-type byte → valid? Indexed by the byte so the check is one load. */
const KNOWN_EXCHANGE = new Uint8Array(256);
for (const code of [1, 2, 3, 4, 5, 7, 13]) KNOWN_EXCHANGE[code] = 1;

// ---------------------------------------------------------------------------------------------------
// Reject state. Decoding is synchronous and JS is single-threaded, so one module-level slot is enough
// and lets the hot path report a reject without allocating an Error (or anything else) until the caller
// asks for it.

const NO_FAULT = -1;
let rejectCode: ErrorCode = 'IF_ERR_INTERNAL';
let rejectField = '';
let rejectDetail = '';
/** Packet-relative offset of the first int64 outside the safe range, or NO_FAULT. */
let int64Fault = NO_FAULT;

function reject(code: ErrorCode, field: string, detail: string): undefined {
  rejectCode = code;
  rejectField = field;
  rejectDetail = detail;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// A DataView over the whole underlying ArrayBuffer, reused while frames keep arriving in the same
// buffer: ws hands out Buffers that are slices of one read chunk, so this saves an allocation per frame.

let cachedBuffer: ArrayBufferLike = new ArrayBuffer(0);
let cachedView: DataView<ArrayBufferLike> = new DataView(cachedBuffer);

function viewOf(bytes: Uint8Array): DataView<ArrayBufferLike> {
  const buffer = bytes.buffer;
  if (buffer !== cachedBuffer) {
    cachedBuffer = buffer;
    cachedView = new DataView(buffer);
  }
  return cachedView;
}

/** Signed little-endian int64 at absolute byte `at` as a number; records a fault if not a safe integer. */
function int64(view: DataView, base: number, rel: number): number {
  const at = base + rel;
  const value = view.getInt32(at + 4, true) * TWO_POW_32 + view.getUint32(at, true);
  // The sum is exact inside ±2^53 and rounding is monotonic, so this comparison is exact as well.
  if (value > MAX_SAFE || value < -MAX_SAFE) {
    if (int64Fault === NO_FAULT) int64Fault = rel;
    return 0;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------
// Tokens. Instrument tokens repeat on every tick and nearly all are at most 8 characters (scrip-master
// ids such as 35003 or 99926000), so decoded strings are interned in a direct-mapped cache keyed by the
// first two little-endian 32-bit words of the token field. A hit is seven reads and two compares, with
// no per-byte work and no allocation; the cached string was validated when it was inserted, and equal
// bytes are equally valid. Longer tokens and misses take the byte-by-byte path.

const TOKEN_CACHE_BITS = 12;
const TOKEN_CACHE_SLOTS = 1 << TOKEN_CACHE_BITS;
/** 0xFFFFFFFF can never start a valid token, so empty slots never match. */
const tokenKeyLo = new Int32Array(TOKEN_CACHE_SLOTS).fill(-1);
const tokenKeyHi = new Int32Array(TOKEN_CACHE_SLOTS).fill(-1);
const tokenStrings: string[] = new Array<string>(TOKEN_CACHE_SLOTS).fill('');

function readToken(view: DataView, base: number): string | undefined {
  const start = base + TOKEN_OFFSET;
  const lo = view.getInt32(start, true);
  const hi = view.getInt32(start + 4, true);
  const rest =
    view.getInt32(start + 8, true) |
    view.getInt32(start + 12, true) |
    view.getInt32(start + 16, true) |
    view.getInt32(start + 20, true) |
    view.getUint8(start + 24);
  if (rest !== 0) return readTokenSlow(view, start);
  const slot = (Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca77)) >>> (32 - TOKEN_CACHE_BITS);
  if (tokenKeyLo[slot] === lo && tokenKeyHi[slot] === hi) {
    const cached = tokenStrings[slot];
    if (cached !== undefined) return cached;
  }
  const token = readTokenSlow(view, start);
  if (token !== undefined) {
    tokenKeyLo[slot] = lo;
    tokenKeyHi[slot] = hi;
    tokenStrings[slot] = token;
  }
  return token;
}

/** Validates and decodes the 25-byte token field starting at absolute byte `start`. */
function readTokenSlow(view: DataView, start: number): string | undefined {
  let length = 0;
  let token = '';
  for (; length < TOKEN_FIELD_BYTES; length++) {
    const c = view.getUint8(start + length);
    if (c === 0) break;
    // Visible ASCII only: tokens are scrip-master ids; a space or control byte means corruption.
    if (c < 0x21 || c > 0x7e) {
      return reject(
        'IF_ERR_PACKET_TOKEN',
        'token',
        `byte 0x${c.toString(16)} at position ${length} is not visible ASCII (0x21–0x7e)`,
      );
    }
    token += String.fromCharCode(c);
  }
  if (length === 0) return reject('IF_ERR_PACKET_TOKEN', 'token', 'token is empty');
  if (length === TOKEN_FIELD_BYTES) {
    return reject('IF_ERR_PACKET_TOKEN', 'token', 'token is not NUL-terminated within 25 bytes');
  }
  for (let i = length + 1; i < TOKEN_FIELD_BYTES; i++) {
    if (view.getUint8(start + i) !== 0) {
      return reject('IF_ERR_PACKET_TOKEN', 'token', `padding byte at position ${i} is not NUL`);
    }
  }
  return token;
}

// ---------------------------------------------------------------------------------------------------
// Per-mode decoders. Only SnapQuote can fail here (a bad best-five flag); int64 range faults are
// recorded in int64Fault and checked once per packet, so the common path has no early exits.

function decodeLtp(view: DataView, base: number, exchangeType: ExchangeType, token: string): LtpPacket {
  const exchangeTimestamp = int64(view, base, 35);
  return {
    subscriptionMode: 1,
    exchangeType,
    token,
    sequenceNumber: int64(view, base, 27),
    exchangeTimestamp,
    exchangeTimeMs: exchangeTimestamp,
    lastTradedPrice: int64(view, base, 43),
  };
}

function decodeQuote(view: DataView, base: number, exchangeType: ExchangeType, token: string): QuotePacket {
  const exchangeTimestamp = int64(view, base, 35);
  return {
    subscriptionMode: 2,
    exchangeType,
    token,
    sequenceNumber: int64(view, base, 27),
    exchangeTimestamp,
    exchangeTimeMs: exchangeTimestamp,
    lastTradedPrice: int64(view, base, 43),
    lastTradedQuantity: int64(view, base, 51),
    averageTradedPrice: int64(view, base, 59),
    volumeTradedForTheDay: int64(view, base, 67),
    totalBuyQuantity: view.getFloat64(base + 75, true),
    totalSellQuantity: view.getFloat64(base + 83, true),
    openPriceOfTheDay: int64(view, base, 91),
    highPriceOfTheDay: int64(view, base, 99),
    lowPriceOfTheDay: int64(view, base, 107),
    closePrice: int64(view, base, 115),
  };
}

function decodeBestFive(view: DataView, base: number): BestFiveRecord[] | undefined {
  const records: BestFiveRecord[] = new Array<BestFiveRecord>(BEST_FIVE_RECORDS);
  let at = BEST_FIVE_OFFSET;
  for (let i = 0; i < BEST_FIVE_RECORDS; i++, at += BEST_FIVE_RECORD_BYTES) {
    const buySellFlag = view.getInt16(base + at, true);
    if (buySellFlag !== 0 && buySellFlag !== 1) {
      return reject(
        'IF_ERR_PACKET_FIELD',
        `bestFive[${i}].buySellFlag`,
        `is ${buySellFlag}, expected 0 or 1`,
      );
    }
    records[i] = {
      buySellFlag,
      quantity: int64(view, base, at + 2),
      price: int64(view, base, at + 10),
      numberOfOrders: view.getInt16(base + at + 18, true),
    };
  }
  return records;
}

function decodeSnapQuote(
  view: DataView,
  base: number,
  exchangeType: ExchangeType,
  token: string,
): SnapQuotePacket | undefined {
  const bestFive = decodeBestFive(view, base);
  if (bestFive === undefined) return undefined;
  const exchangeTimestamp = int64(view, base, 35);
  const lastTradedTimestamp = int64(view, base, 123);
  return {
    subscriptionMode: 3,
    exchangeType,
    token,
    sequenceNumber: int64(view, base, 27),
    exchangeTimestamp,
    exchangeTimeMs: exchangeTimestamp,
    lastTradedPrice: int64(view, base, 43),
    lastTradedQuantity: int64(view, base, 51),
    averageTradedPrice: int64(view, base, 59),
    volumeTradedForTheDay: int64(view, base, 67),
    totalBuyQuantity: view.getFloat64(base + 75, true),
    totalSellQuantity: view.getFloat64(base + 83, true),
    openPriceOfTheDay: int64(view, base, 91),
    highPriceOfTheDay: int64(view, base, 99),
    lowPriceOfTheDay: int64(view, base, 107),
    closePrice: int64(view, base, 115),
    // Angel sends last-traded time in seconds but exchange time in ms.
    lastTradedTimestamp,
    lastTradedTimeMs: lastTradedTimestamp * 1000,
    openInterest: int64(view, base, 131),
    openInterestChangePercentage: view.getFloat64(base + 139, true),
    bestFive,
    upperCircuitLimit: int64(view, base, 347),
    lowerCircuitLimit: int64(view, base, 355),
    fiftyTwoWeekHigh: int64(view, base, 363),
    fiftyTwoWeekLow: int64(view, base, 371),
  };
}

/** 20 depth records from absolute byte `at`. */
function decodeDepthSide(view: DataView, at: number): DepthRecord[] {
  // Allocation-bound: 20 objects per side are most of a Depth-20 decode (see bench/decode.ts).
  const records = new Array<DepthRecord>(DEPTH_RECORDS);
  for (let i = 0; i < DEPTH_RECORDS; i++, at += DEPTH_RECORD_BYTES) {
    records[i] = {
      quantity: view.getInt32(at, true),
      price: view.getInt32(at + 4, true),
      numberOfOrders: view.getInt16(at + 8, true),
    };
  }
  return records;
}

function decodeDepth20(
  view: DataView,
  base: number,
  exchangeType: ExchangeType,
  token: string,
): Depth20Packet {
  // Bytes 27–34 hold the exchange time and 35–42 the dummy receive time (the Python SDK reads 35–42 twice).
  const exchangeTimestamp = int64(view, base, 27);
  return {
    subscriptionMode: 4,
    exchangeType,
    token,
    exchangeTimestamp,
    exchangeTimeMs: exchangeTimestamp,
    packetReceivedTime: int64(view, base, 35),
    buyDepth: decodeDepthSide(view, base + DEPTH_BUY_OFFSET),
    sellDepth: decodeDepthSide(view, base + DEPTH_SELL_OFFSET),
  };
}

// ---------------------------------------------------------------------------------------------------

const INT64_FIELD_NAMES: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  1: { 27: 'sequenceNumber', 35: 'exchangeTimestamp', 43: 'lastTradedPrice' },
  2: {
    27: 'sequenceNumber',
    35: 'exchangeTimestamp',
    43: 'lastTradedPrice',
    51: 'lastTradedQuantity',
    59: 'averageTradedPrice',
    67: 'volumeTradedForTheDay',
    91: 'openPriceOfTheDay',
    99: 'highPriceOfTheDay',
    107: 'lowPriceOfTheDay',
    115: 'closePrice',
  },
  3: {
    27: 'sequenceNumber',
    35: 'exchangeTimestamp',
    43: 'lastTradedPrice',
    51: 'lastTradedQuantity',
    59: 'averageTradedPrice',
    67: 'volumeTradedForTheDay',
    91: 'openPriceOfTheDay',
    99: 'highPriceOfTheDay',
    107: 'lowPriceOfTheDay',
    115: 'closePrice',
    123: 'lastTradedTimestamp',
    131: 'openInterest',
    347: 'upperCircuitLimit',
    355: 'lowerCircuitLimit',
    363: 'fiftyTwoWeekHigh',
    371: 'fiftyTwoWeekLow',
  },
  4: { 27: 'exchangeTimestamp', 35: 'packetReceivedTime' },
};

function int64FieldName(mode: number, rel: number): string {
  if (mode === 3 && rel >= BEST_FIVE_OFFSET && rel < BEST_FIVE_OFFSET + BEST_FIVE_RECORDS * 20) {
    const index = Math.floor((rel - BEST_FIVE_OFFSET) / BEST_FIVE_RECORD_BYTES);
    const part = (rel - BEST_FIVE_OFFSET) % BEST_FIVE_RECORD_BYTES === 2 ? 'quantity' : 'price';
    return `bestFive[${index}].${part}`;
  }
  return INT64_FIELD_NAMES[mode]?.[rel] ?? `int64 at byte ${rel}`;
}

/** Decodes one frame, or returns undefined with the reject state set. */
function decodeOrReject(bytes: Uint8Array): FeedPacket | undefined {
  const size = bytes.byteLength;
  if (size === 0) return reject('IF_ERR_PACKET_SIZE', '', 'empty');
  const view = viewOf(bytes);
  const base = bytes.byteOffset;
  const mode = view.getUint8(base);
  if (mode < 1 || mode > 4) return reject('IF_ERR_PACKET_MODE', '', '');
  if (size !== PACKET_SIZE[mode as 1 | 2 | 3 | 4]) return reject('IF_ERR_PACKET_SIZE', '', '');
  const exchangeType = view.getUint8(base + 1);
  if (KNOWN_EXCHANGE[exchangeType] !== 1) {
    return reject('IF_ERR_PACKET_FIELD', 'exchangeType', `unknown exchange type ${exchangeType}`);
  }
  const token = readToken(view, base);
  if (token === undefined) return undefined;
  const exchange = exchangeType as ExchangeType;

  int64Fault = NO_FAULT;
  let packet: FeedPacket | undefined;
  if (mode === 3) {
    packet = decodeSnapQuote(view, base, exchange, token);
    if (packet === undefined) return undefined;
    if (!Number.isFinite(packet.totalBuyQuantity) || !Number.isFinite(packet.totalSellQuantity)) {
      return rejectTotals(packet);
    }
  } else if (mode === 1) {
    packet = decodeLtp(view, base, exchange, token);
  } else if (mode === 2) {
    packet = decodeQuote(view, base, exchange, token);
    if (!Number.isFinite(packet.totalBuyQuantity) || !Number.isFinite(packet.totalSellQuantity)) {
      return rejectTotals(packet);
    }
  } else {
    packet = decodeDepth20(view, base, exchange, token);
  }
  if (int64Fault !== NO_FAULT) {
    const rel = int64Fault;
    const at = base + rel;
    const hi = view.getInt32(at + 4, true);
    const lo = view.getUint32(at, true);
    const hex = `0x${(hi >>> 0).toString(16).padStart(8, '0')}${lo.toString(16).padStart(8, '0')}`;
    return reject(
      'IF_ERR_PACKET_FIELD',
      int64FieldName(mode, rel),
      `int64 ${hex} is outside the safe-integer range`,
    );
  }
  return packet;
}

function rejectTotals(packet: Pick<QuotePacket, 'totalBuyQuantity' | 'totalSellQuantity'>): undefined {
  const field = Number.isFinite(packet.totalBuyQuantity) ? 'totalSellQuantity' : 'totalBuyQuantity';
  const value = field === 'totalBuyQuantity' ? packet.totalBuyQuantity : packet.totalSellQuantity;
  return reject('IF_ERR_PACKET_FIELD', field, `double ${value} is not finite`);
}

function rejectParams(bytes: Uint8Array): Record<string, string | number> {
  switch (rejectCode) {
    case 'IF_ERR_PACKET_SIZE': {
      const mode = bytes.byteLength === 0 ? 'none' : viewOf(bytes).getUint8(bytes.byteOffset);
      const expected =
        typeof mode === 'number' && mode >= 1 && mode <= 4
          ? PACKET_SIZE[mode as 1 | 2 | 3 | 4]
          : '51, 123, 379 or 443';
      return { size: bytes.byteLength, mode, expected };
    }
    case 'IF_ERR_PACKET_MODE':
      return { mode: viewOf(bytes).getUint8(bytes.byteOffset) };
    case 'IF_ERR_PACKET_FIELD':
      return { field: rejectField, detail: rejectDetail };
    default:
      return { detail: rejectDetail };
  }
}

/**
 * Decodes one binary WebSocket 2.0 frame (51/123/379/443 bytes, little-endian). `bytes` may be a view
 * into a larger buffer. Throws IfError IF_ERR_PACKET_SIZE / _MODE / _FIELD / _TOKEN on malformed input.
 */
export function decodePacket(bytes: Uint8Array): FeedPacket {
  const packet = decodeOrReject(bytes);
  if (packet === undefined) throw new IfError(rejectCode, rejectParams(bytes));
  return packet;
}

/**
 * Like {@link decodePacket} but never throws and allocates no Error on reject, so a feed can count
 * rejects per code cheaply.
 */
export function tryDecodePacket(bytes: Uint8Array): DecodeResult {
  // A TypeError from a non-Uint8Array argument is a programming error and still propagates;
  // every malformed byte sequence ends up in the reject branch.
  const packet = decodeOrReject(bytes);
  if (packet !== undefined) return { ok: true, packet };
  const params = rejectParams(bytes);
  return { ok: false, code: rejectCode, detail: renderDetail(params) };
}

function renderDetail(params: Record<string, string | number>): string {
  switch (rejectCode) {
    case 'IF_ERR_PACKET_SIZE':
      return `packet of ${params['size']} bytes does not match mode ${params['mode']} (${params['expected']} bytes)`;
    case 'IF_ERR_PACKET_MODE':
      return `unknown subscription mode ${params['mode']}`;
    case 'IF_ERR_PACKET_FIELD':
      return `${params['field']}: ${params['detail']}`;
    default:
      return `token: ${params['detail']}`;
  }
}
