/**
 * Encoder for Angel One WebSocket 2.0 binary packets: the exact inverse of decode.ts. The simulator
 * emits every frame through it, so it writes straight into a DataView and validates as it goes.
 *
 * A packet is encodable only if decoding the bytes gives the same packet back: int64 fields must be safe
 * integers, int32/int16 fields must fit, buy/sell totals must be finite, the derived fields
 * (exchangeTimeMs, lastTradedTimeMs) must agree with the wire fields, and the token must be 1–24
 * visible-ASCII characters. Anything else is rejected with IF_ERR_PACKET_FIELD / _TOKEN / _MODE.
 * (-0 in an integer field is written as 0.)
 *
 * Speed depends on the packets sharing V8 hidden classes: build each mode with one object literal in
 * the field order of types.ts, as decodePacket does. Packets assembled with spreads and mixed Smi/double
 * values land on several maps and measured up to 8× slower here (bench/lib/packets.ts).
 */

import { IfError } from '../../../core/index.js';
import type {
  BestFiveRecord,
  Depth20Packet,
  DepthRecord,
  FeedPacket,
  LtpPacket,
  QuotePacket,
  SnapQuotePacket,
} from './types.js';
import { PACKET_SIZE } from './types.js';

const TWO_POW_32 = 4294967296;
const TOKEN_FIELD_BYTES = 25;
const MAX_TOKEN_CHARS = TOKEN_FIELD_BYTES - 1;
const BEST_FIVE_RECORDS = 10;
const DEPTH_RECORDS = 20;

const KNOWN_EXCHANGE = new Uint8Array(256);
for (const code of [1, 2, 3, 4, 5, 7, 13]) KNOWN_EXCHANGE[code] = 1;

/** Field names for error messages, built once so the hot loop never formats strings. */
function recordFieldNames(side: string, count: number, fields: readonly string[]): string[][] {
  return Array.from({ length: count }, (_, i) => fields.map((field) => `${side}[${i}].${field}`));
}
const BEST_FIVE_NAMES = recordFieldNames('bestFive', BEST_FIVE_RECORDS, [
  'quantity',
  'price',
  'numberOfOrders',
]);
const DEPTH_NAMES: Readonly<Record<'buyDepth' | 'sellDepth', string[][]>> = {
  buyDepth: recordFieldNames('buyDepth', DEPTH_RECORDS, ['quantity', 'price', 'numberOfOrders']),
  sellDepth: recordFieldNames('sellDepth', DEPTH_RECORDS, ['quantity', 'price', 'numberOfOrders']),
};

function nameOf(names: readonly (readonly string[])[], index: number, field: number): string {
  return names[index]?.[field] ?? 'unknown field';
}

function fieldError(field: string, detail: string): IfError {
  return new IfError('IF_ERR_PACKET_FIELD', { field, detail });
}

/** `field` is a name, or a table of record field names with `index`/`column` picking one lazily. */
type FieldRef = string | readonly (readonly string[])[];

function fieldName(field: FieldRef, index: number, column: number): string {
  return typeof field === 'string' ? field : nameOf(field, index, column);
}

function writeInt64(view: DataView, at: number, value: number, field: FieldRef, index = 0, column = 0): void {
  if (!Number.isSafeInteger(value)) {
    throw fieldError(fieldName(field, index, column), `${String(value)} is not a safe integer`);
  }
  const hi = Math.floor(value / TWO_POW_32);
  view.setInt32(at + 4, hi, true);
  view.setUint32(at, value - hi * TWO_POW_32, true);
}

function writeInt32(
  view: DataView,
  at: number,
  value: number,
  field: FieldRef,
  index: number,
  column: number,
): void {
  if (!Number.isInteger(value) || value > 0x7fffffff || value < -0x80000000) {
    throw fieldError(
      fieldName(field, index, column),
      `${String(value)} does not fit a signed 32-bit integer`,
    );
  }
  view.setInt32(at, value, true);
}

function writeInt16(
  view: DataView,
  at: number,
  value: number,
  field: FieldRef,
  index: number,
  column: number,
): void {
  if (!Number.isInteger(value) || value > 0x7fff || value < -0x8000) {
    throw fieldError(
      fieldName(field, index, column),
      `${String(value)} does not fit a signed 16-bit integer`,
    );
  }
  view.setInt16(at, value, true);
}

function writeFiniteDouble(view: DataView, at: number, value: number, field: string): void {
  if (!Number.isFinite(value)) throw fieldError(field, `${String(value)} is not a finite number`);
  view.setFloat64(at, value, true);
}

function writeHeader(view: DataView, at: number, packet: FeedPacket): void {
  const exchangeType: number = packet.exchangeType;
  if (!Number.isInteger(exchangeType) || KNOWN_EXCHANGE[exchangeType] !== 1) {
    throw fieldError('exchangeType', `unknown exchange type ${String(exchangeType)}`);
  }
  view.setUint8(at, packet.subscriptionMode);
  view.setUint8(at + 1, exchangeType);
  const token = packet.token;
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_CHARS) {
    throw new IfError('IF_ERR_PACKET_TOKEN', {
      detail: `token must be 1 to ${MAX_TOKEN_CHARS} characters, got ${typeof token === 'string' ? token.length : typeof token}`,
    });
  }
  const start = at + 2;
  let i = 0;
  for (; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) {
      throw new IfError('IF_ERR_PACKET_TOKEN', {
        detail: `character code ${c} at position ${i} is not visible ASCII (0x21–0x7e)`,
      });
    }
    view.setUint8(start + i, c);
  }
  // The target may be a reused buffer: clear the padding rather than trust it.
  for (; i < TOKEN_FIELD_BYTES; i++) view.setUint8(start + i, 0);
}

function checkDerived(field: string, actual: number, expected: number): void {
  if (!Object.is(actual, expected)) {
    throw fieldError(field, `${String(actual)} disagrees with the wire field (expected ${String(expected)})`);
  }
}

function writeLtpFields(view: DataView, at: number, packet: LtpPacket | QuotePacket | SnapQuotePacket): void {
  writeInt64(view, at + 27, packet.sequenceNumber, 'sequenceNumber');
  writeInt64(view, at + 35, packet.exchangeTimestamp, 'exchangeTimestamp');
  checkDerived('exchangeTimeMs', packet.exchangeTimeMs, packet.exchangeTimestamp);
  writeInt64(view, at + 43, packet.lastTradedPrice, 'lastTradedPrice');
}

function writeQuoteFields(view: DataView, at: number, packet: QuotePacket | SnapQuotePacket): void {
  writeInt64(view, at + 51, packet.lastTradedQuantity, 'lastTradedQuantity');
  writeInt64(view, at + 59, packet.averageTradedPrice, 'averageTradedPrice');
  writeInt64(view, at + 67, packet.volumeTradedForTheDay, 'volumeTradedForTheDay');
  writeFiniteDouble(view, at + 75, packet.totalBuyQuantity, 'totalBuyQuantity');
  writeFiniteDouble(view, at + 83, packet.totalSellQuantity, 'totalSellQuantity');
  writeInt64(view, at + 91, packet.openPriceOfTheDay, 'openPriceOfTheDay');
  writeInt64(view, at + 99, packet.highPriceOfTheDay, 'highPriceOfTheDay');
  writeInt64(view, at + 107, packet.lowPriceOfTheDay, 'lowPriceOfTheDay');
  writeInt64(view, at + 115, packet.closePrice, 'closePrice');
}

function writeBestFive(view: DataView, at: number, records: readonly BestFiveRecord[]): void {
  if (!Array.isArray(records) || records.length !== BEST_FIVE_RECORDS) {
    throw fieldError('bestFive', `must hold exactly ${BEST_FIVE_RECORDS} records`);
  }
  for (let i = 0; i < BEST_FIVE_RECORDS; i++, at += 20) {
    const record = records[i];
    if (record === undefined) throw fieldError(`bestFive[${i}]`, 'is missing');
    const flag = record.buySellFlag;
    if (flag !== 0 && flag !== 1) {
      throw fieldError(`bestFive[${i}].buySellFlag`, `is ${String(flag)}, expected 0 or 1`);
    }
    view.setInt16(at, flag, true);
    writeInt64(view, at + 2, record.quantity, BEST_FIVE_NAMES, i, 0);
    writeInt64(view, at + 10, record.price, BEST_FIVE_NAMES, i, 1);
    writeInt16(view, at + 18, record.numberOfOrders, BEST_FIVE_NAMES, i, 2);
  }
}

function writeSnapQuoteTail(view: DataView, at: number, packet: SnapQuotePacket): void {
  writeInt64(view, at + 123, packet.lastTradedTimestamp, 'lastTradedTimestamp');
  checkDerived('lastTradedTimeMs', packet.lastTradedTimeMs, packet.lastTradedTimestamp * 1000);
  writeInt64(view, at + 131, packet.openInterest, 'openInterest');
  const oiChange = packet.openInterestChangePercentage;
  // A garbage field on the wire: any double (even NaN) is carried, but it must be a number.
  if (typeof oiChange !== 'number') throw fieldError('openInterestChangePercentage', 'is not a number');
  view.setFloat64(at + 139, oiChange, true);
  writeBestFive(view, at + 147, packet.bestFive);
  writeInt64(view, at + 347, packet.upperCircuitLimit, 'upperCircuitLimit');
  writeInt64(view, at + 355, packet.lowerCircuitLimit, 'lowerCircuitLimit');
  writeInt64(view, at + 363, packet.fiftyTwoWeekHigh, 'fiftyTwoWeekHigh');
  writeInt64(view, at + 371, packet.fiftyTwoWeekLow, 'fiftyTwoWeekLow');
}

function writeDepthSide(
  view: DataView,
  at: number,
  records: readonly DepthRecord[],
  side: 'buyDepth' | 'sellDepth',
): void {
  if (!Array.isArray(records) || records.length !== DEPTH_RECORDS) {
    throw fieldError(side, `must hold exactly ${DEPTH_RECORDS} records`);
  }
  const names = DEPTH_NAMES[side];
  for (let i = 0; i < DEPTH_RECORDS; i++, at += 10) {
    const record = records[i];
    if (record === undefined) throw fieldError(`${side}[${i}]`, 'is missing');
    writeInt32(view, at, record.quantity, names, i, 0);
    writeInt32(view, at + 4, record.price, names, i, 1);
    writeInt16(view, at + 8, record.numberOfOrders, names, i, 2);
  }
}

function writeDepth20(view: DataView, at: number, packet: Depth20Packet): void {
  writeInt64(view, at + 27, packet.exchangeTimestamp, 'exchangeTimestamp');
  checkDerived('exchangeTimeMs', packet.exchangeTimeMs, packet.exchangeTimestamp);
  writeInt64(view, at + 35, packet.packetReceivedTime, 'packetReceivedTime');
  writeDepthSide(view, at + 43, packet.buyDepth, 'buyDepth');
  writeDepthSide(view, at + 243, packet.sellDepth, 'sellDepth');
}

/** Wire size in bytes of `packet`; throws IF_ERR_PACKET_MODE for an unknown subscriptionMode. */
export function encodedSize(packet: FeedPacket): number {
  const mode: number = packet.subscriptionMode;
  if (mode !== 1 && mode !== 2 && mode !== 3 && mode !== 4) {
    throw new IfError('IF_ERR_PACKET_MODE', { mode: String(mode) });
  }
  return PACKET_SIZE[mode];
}

let cachedBuffer: ArrayBufferLike = new ArrayBuffer(0);
let cachedView: DataView<ArrayBufferLike> = new DataView(cachedBuffer);

/**
 * Writes `packet` into `target` at byte `offset` and returns the number of bytes written
 * (51/123/379/443). Throws IfError if the packet cannot be encoded or does not fit; on throw the bytes in
 * [offset, offset + size) are unspecified.
 */
export function encodePacketInto(packet: FeedPacket, target: Uint8Array, offset: number): number {
  const size = encodedSize(packet);
  if (!Number.isInteger(offset) || offset < 0 || offset + size > target.byteLength) {
    throw new IfError('IF_ERR_VALIDATION', {
      detail: `a ${size}-byte packet does not fit at offset ${offset} of a ${target.byteLength}-byte target`,
    });
  }
  const buffer = target.buffer;
  if (buffer !== cachedBuffer) {
    cachedBuffer = buffer;
    cachedView = new DataView(buffer);
  }
  const view = cachedView;
  const at = target.byteOffset + offset;
  writeHeader(view, at, packet);
  switch (packet.subscriptionMode) {
    case 1:
      writeLtpFields(view, at, packet);
      break;
    case 2:
      writeLtpFields(view, at, packet);
      writeQuoteFields(view, at, packet);
      break;
    case 3:
      writeLtpFields(view, at, packet);
      writeQuoteFields(view, at, packet);
      writeSnapQuoteTail(view, at, packet);
      break;
    default:
      writeDepth20(view, at, packet);
  }
  return size;
}

/**
 * Encodes `packet` into a new frame of exactly its mode's size; the inverse of decodePacket.
 * The frame is a Buffer slice of Node's shared allocation pool (as Buffer.allocUnsafe gives, and as ws
 * delivers received frames): honour byteOffset/byteLength and never use `.buffer` on its own.
 */
export function encodePacket(packet: FeedPacket): Uint8Array {
  // A Uint8Array over 64 bytes gets its own off-heap backing store, measured at ~300–400 ns per frame;
  // a pool slice costs a fraction of that and ws sends a Buffer without converting it. Every byte of the
  // frame is written below, so no stale pool bytes leak out.
  const frame = Buffer.allocUnsafe(encodedSize(packet));
  encodePacketInto(packet, frame, 0);
  return frame;
}
