/**
 * The on-disk layout of a feed recording (version 1). All integers little-endian.
 *
 * Header (24 bytes + metadata):
 *   0  8 B  magic `IFREC\r\n\x1a` — the CR LF and SUB bytes catch files mangled by text-mode copies
 *   8  u16  version (1)
 *  10  u16  flags (0; reserved)
 *  12  f64  start time, epoch ms
 *  20  u32  metadata length in bytes
 *  24  ...  metadata: UTF-8 JSON object
 *
 * Records, back to back until the end of the file:
 *   u8      kind: 1 = binary frame, 2 = text frame
 *   varint  receive time as a zigzag LEB128 delta in **microseconds** from the previous record (the first
 *           record's delta is from the header start time). Microseconds keep sub-millisecond receive
 *           times for latency studies; a delta costs 1–3 bytes at feed rates instead of 8.
 *   u32     payload length
 *   ...     payload (the frame exactly as received; text frames as UTF-8)
 *
 * There is no per-record checksum: the format guards against truncation (a crash mid-write) and
 * mis-framing (unknown kind, absurd length), not against bit rot.
 */

export const RECORDING_MAGIC = Buffer.from([0x49, 0x46, 0x52, 0x45, 0x43, 0x0d, 0x0a, 0x1a]);
export const RECORDING_VERSION = 1;
export const HEADER_FIXED_BYTES = 24;
/** Larger payloads are treated as corruption: no feed frame comes near this. */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
/** Metadata beyond this is treated as corruption. */
export const MAX_METADATA_BYTES = 1024 * 1024;
/** kind (1) + longest delta varint we write (8) + length (4) */
export const MAX_RECORD_PREFIX_BYTES = 13;
/** |delta| above this (about 71 years in µs) is rejected so the zigzag value stays a safe integer. */
export const MAX_DELTA_US = 2 ** 51;

export const RecordKind = { BINARY: 1, TEXT: 2 } as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

export function isRecordKind(value: number): value is RecordKind {
  return value === RecordKind.BINARY || value === RecordKind.TEXT;
}

/** One frame read back from a recording. */
export interface RecordedFrame {
  /** epoch ms (fractional below 1 ms when recorded with sub-ms precision) */
  receivedAtMs: number;
  kind: RecordKind;
  /** the frame bytes; for text frames, UTF-8 */
  payload: Uint8Array;
}

export interface RecordingHeader {
  version: number;
  /** epoch ms */
  startTimeMs: number;
  metadata: Record<string, unknown>;
  /** file offset of the first record */
  dataOffset: number;
}

/** Epoch ms → integer µs (epoch µs stay below 2^53 until the year 2255). */
export function toMicros(ms: number): number {
  return Math.round(ms * 1000);
}

/**
 * Writes `value` (|value| ≤ MAX_DELTA_US) as zigzag LEB128 at `offset`; returns the new offset.
 * Arithmetic rather than bit operators because JS bit operators truncate to 32 bits.
 */
export function writeZigzagVarint(target: Uint8Array, offset: number, value: number): number {
  let rest = value >= 0 ? value * 2 : -value * 2 - 1;
  let at = offset;
  while (rest >= 0x80) {
    target[at++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  target[at++] = rest;
  return at;
}

export type VarintRead = { value: number; next: number } | 'need-more' | 'too-long';

/** Reads a zigzag LEB128 value written by `writeZigzagVarint`. */
export function readZigzagVarint(source: Uint8Array, offset: number, end: number): VarintRead {
  let result = 0;
  let scale = 1;
  for (let at = offset; at < end; at++) {
    const byte = source[at] ?? 0;
    result += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) {
      const value = result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      return { value, next: at + 1 };
    }
    scale *= 0x80;
    if (at - offset >= 7) return 'too-long';
  }
  return 'need-more';
}
