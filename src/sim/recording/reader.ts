import { type FileHandle, open } from 'node:fs/promises';
import { IfError } from '../../core/errors.js';
import {
  HEADER_FIXED_BYTES,
  MAX_METADATA_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_RECORD_PREFIX_BYTES,
  RECORDING_MAGIC,
  RECORDING_VERSION,
  type RecordedFrame,
  type RecordingHeader,
  isRecordKind,
  readZigzagVarint,
} from './format.js';

export interface TruncatedTail {
  /** file offset where the incomplete record starts */
  offset: number;
  /** bytes of it present in the file */
  bytesPresent: number;
}

export interface ReadRecordingOptions {
  /**
   * What to do when the file ends inside a record — what a crash during recording leaves behind.
   * Every complete record before it is yielded first in both cases.
   * - `'throw'` (default): then throw IF_ERR_RECORDING_INVALID naming the offset, so a caller that
   *   did not opt in never mistakes a cut-off session for a whole one;
   * - `'ignore'`: end normally after calling `onTruncatedTail`.
   */
  truncatedTail?: 'throw' | 'ignore';
  onTruncatedTail?: (tail: TruncatedTail) => void;
  /** bytes read per disk read; default 1 MiB */
  readBytes?: number;
}

function invalid(path: string, detail: string): IfError {
  return new IfError('IF_ERR_RECORDING_INVALID', { path, detail });
}

async function readExactly(handle: FileHandle, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

async function readHeaderFrom(handle: FileHandle, path: string): Promise<RecordingHeader> {
  const fixed = await readExactly(handle, HEADER_FIXED_BYTES, 0);
  if (
    fixed.length < RECORDING_MAGIC.length ||
    !fixed.subarray(0, RECORDING_MAGIC.length).equals(RECORDING_MAGIC)
  ) {
    throw invalid(path, 'bad magic at offset 0 (not an Indexflow recording)');
  }
  if (fixed.length < HEADER_FIXED_BYTES) {
    throw invalid(path, `header truncated at offset ${fixed.length} (need ${HEADER_FIXED_BYTES} bytes)`);
  }
  const version = fixed.readUInt16LE(8);
  if (version !== RECORDING_VERSION) {
    throw invalid(path, `unsupported version ${version} at offset 8 (this build reads ${RECORDING_VERSION})`);
  }
  const startTimeMs = fixed.readDoubleLE(12);
  if (!Number.isFinite(startTimeMs)) throw invalid(path, 'start time at offset 12 is not finite');
  const metadataLength = fixed.readUInt32LE(20);
  if (metadataLength > MAX_METADATA_BYTES) {
    throw invalid(path, `metadata length ${metadataLength} at offset 20 exceeds ${MAX_METADATA_BYTES}`);
  }
  const metadataBytes = await readExactly(handle, metadataLength, HEADER_FIXED_BYTES);
  if (metadataBytes.length < metadataLength) {
    throw invalid(path, `metadata truncated at offset ${HEADER_FIXED_BYTES + metadataBytes.length}`);
  }
  let metadata: unknown;
  try {
    metadata = JSON.parse(metadataBytes.toString('utf8'));
  } catch {
    throw invalid(path, `metadata at offset ${HEADER_FIXED_BYTES} is not JSON`);
  }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw invalid(path, `metadata at offset ${HEADER_FIXED_BYTES} is not a JSON object`);
  }
  return {
    version,
    startTimeMs,
    metadata: metadata as Record<string, unknown>,
    dataOffset: HEADER_FIXED_BYTES + metadataLength,
  };
}

/** Reads and validates only the header of a recording. */
export async function readRecordingHeader(path: string): Promise<RecordingHeader> {
  const handle = await open(path, 'r');
  try {
    return await readHeaderFrom(handle, path);
  } finally {
    await handle.close();
  }
}

/**
 * Streams the records of a recording in file order. Corruption (bad magic, unknown version or record
 * kind, absurd length, overlong varint) throws IF_ERR_RECORDING_INVALID naming the offset; a truncated
 * last record is handled per `options.truncatedTail`. Payloads are views into read buffers that are
 * never reused, so they stay valid after the next record is read.
 */
export async function* readRecording(
  path: string,
  options: ReadRecordingOptions = {},
): AsyncGenerator<RecordedFrame, void, undefined> {
  const readBytes = options.readBytes ?? 1024 * 1024;
  const handle = await open(path, 'r');
  try {
    const header = await readHeaderFrom(handle, path);
    let fileOffset = header.dataOffset;
    let buffer: Buffer = Buffer.alloc(0);
    /** file offset of buffer[0] */
    let bufferStart = fileOffset;
    let at = 0;
    let eof = false;
    let timeUs = Math.round(header.startTimeMs * 1000);

    const refill = async (need: number): Promise<void> => {
      const keep = buffer.subarray(at);
      const next = Buffer.allocUnsafe(Math.max(readBytes, need) + keep.length);
      keep.copy(next, 0);
      let filled = keep.length;
      while (filled < next.length) {
        const { bytesRead } = await handle.read(next, filled, next.length - filled, fileOffset);
        if (bytesRead === 0) {
          eof = true;
          break;
        }
        filled += bytesRead;
        fileOffset += bytesRead;
        if (filled - keep.length >= need) break;
      }
      bufferStart += at;
      buffer = next.subarray(0, filled);
      at = 0;
    };

    for (;;) {
      if (at >= buffer.length) {
        if (eof) return;
        await refill(1);
        if (buffer.length === 0) return;
      }
      const recordOffset = bufferStart + at;
      const kind = buffer[at] ?? 0;
      if (!isRecordKind(kind)) throw invalid(path, `unknown record kind ${kind} at offset ${recordOffset}`);
      const varint = readZigzagVarint(buffer, at + 1, buffer.length);
      if (varint === 'too-long')
        throw invalid(path, `receive-time varint too long at offset ${recordOffset + 1}`);
      if (varint === 'need-more' || varint.next + 4 > buffer.length) {
        if (!eof) {
          await refill(MAX_RECORD_PREFIX_BYTES);
          continue;
        }
        reportTruncated(path, options, recordOffset, buffer.length - at);
        return;
      }
      const lengthAt = varint.next;
      const length = buffer.readUInt32LE(lengthAt);
      if (length > MAX_PAYLOAD_BYTES) {
        throw invalid(
          path,
          `record length ${length} at offset ${bufferStart + lengthAt} exceeds ${MAX_PAYLOAD_BYTES}`,
        );
      }
      const payloadAt = lengthAt + 4;
      if (payloadAt + length > buffer.length) {
        if (!eof) {
          await refill(payloadAt + length - at);
          continue;
        }
        reportTruncated(path, options, recordOffset, buffer.length - at);
        return;
      }
      timeUs += varint.value;
      at = payloadAt + length;
      yield { receivedAtMs: timeUs / 1000, kind, payload: buffer.subarray(payloadAt, at) };
    }
  } finally {
    await handle.close();
  }
}

function reportTruncated(
  path: string,
  options: ReadRecordingOptions,
  offset: number,
  bytesPresent: number,
): void {
  options.onTruncatedTail?.({ offset, bytesPresent });
  if ((options.truncatedTail ?? 'throw') === 'throw') {
    throw invalid(path, `last record truncated at offset ${offset} (${bytesPresent} bytes present)`);
  }
}
