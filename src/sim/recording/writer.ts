import { type FileHandle, open } from 'node:fs/promises';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { IfError } from '../../core/errors.js';
import {
  HEADER_FIXED_BYTES,
  MAX_DELTA_US,
  MAX_PAYLOAD_BYTES,
  MAX_RECORD_PREFIX_BYTES,
  RECORDING_MAGIC,
  RECORDING_VERSION,
  type RecordKind,
  isRecordKind,
  toMicros,
  writeZigzagVarint,
} from './format.js';

export interface RecordingWriterOptions {
  /** drives the periodic flush and supplies receive times that callers leave out */
  clock: Clock;
  /** epoch ms written to the header; default `clock.now()` */
  startTimeMs?: number;
  /** free-form JSON stored in the header (instrument list, client version, …); never put secrets here */
  metadata?: Record<string, unknown>;
  /** default 1000 */
  flushIntervalMs?: number;
  /** size of the in-memory chunks records are packed into; default 256 KiB */
  chunkBytes?: number;
  /**
   * Bytes allowed to wait for the disk; beyond it records are dropped and counted rather than letting
   * memory grow without bound when the disk cannot keep up. Default 64 MiB.
   */
  maxPendingBytes?: number;
  /** replace an existing file; by default an existing file is an error so a recording is never clobbered */
  overwrite?: boolean;
}

export interface RecordingWriterStats {
  records: number;
  droppedRecords: number;
  /** bytes handed to the OS, header included */
  bytesWritten: number;
  /** bytes buffered in memory, not yet written */
  bytesPending: number;
}

/**
 * Appends feed frames to a recording file (format in format.ts). `append` is synchronous and never waits
 * for the disk: records are packed into memory chunks, full chunks and a periodic flush hand them to
 * the OS with one `writev` per batch, so a feed handler can call it per frame.
 */
export class RecordingWriter {
  private chunk: Buffer;
  private used = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private writing: Promise<void> | undefined;
  private lastUs: number;
  private records = 0;
  private dropped = 0;
  private written: number;
  private failure: unknown;
  private closed = false;
  private readonly timer: TimerHandle;
  private readonly chunkBytes: number;
  private readonly maxPendingBytes: number;

  private constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
    private readonly clock: Clock,
    startTimeMs: number,
    headerBytes: number,
    options: RecordingWriterOptions,
  ) {
    this.chunkBytes = options.chunkBytes ?? 256 * 1024;
    this.maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
    this.chunk = Buffer.allocUnsafe(this.chunkBytes);
    this.lastUs = toMicros(startTimeMs);
    this.written = headerBytes;
    this.timer = clock.setInterval(() => {
      this.flush().catch(() => {
        // kept in `failure`; surfaced by flush() and close()
      });
    }, options.flushIntervalMs ?? 1000);
  }

  /** Creates the file and writes its header before resolving. */
  static async create(path: string, options: RecordingWriterOptions): Promise<RecordingWriter> {
    const startTimeMs = options.startTimeMs ?? options.clock.now();
    if (!Number.isFinite(startTimeMs)) {
      throw new IfError('IF_ERR_VALIDATION', { detail: `recording start time ${startTimeMs} is not finite` });
    }
    const metadata = Buffer.from(JSON.stringify(options.metadata ?? {}), 'utf8');
    const header = Buffer.alloc(HEADER_FIXED_BYTES + metadata.length);
    RECORDING_MAGIC.copy(header, 0);
    header.writeUInt16LE(RECORDING_VERSION, 8);
    header.writeUInt16LE(0, 10);
    header.writeDoubleLE(startTimeMs, 12);
    header.writeUInt32LE(metadata.length, 20);
    metadata.copy(header, HEADER_FIXED_BYTES);
    const handle = await open(path, options.overwrite ? 'w' : 'wx');
    try {
      await writeAll(handle, [header]);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new RecordingWriter(handle, path, options.clock, startTimeMs, header.length, options);
  }

  /**
   * Appends one frame. Returns false when the record was dropped (writer closed or failed, or too much
   * is waiting for the disk). `receivedAtMs` defaults to `clock.now()`.
   */
  append(kind: RecordKind, payload: Uint8Array | string, receivedAtMs = this.clock.now()): boolean {
    if (!isRecordKind(kind)) {
      throw new IfError('IF_ERR_VALIDATION', { detail: `record kind ${String(kind)} is not 1 or 2` });
    }
    if (this.closed || this.failure !== undefined) {
      this.dropped++;
      return false;
    }
    const length = typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.byteLength;
    if (length > MAX_PAYLOAD_BYTES) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `frame of ${length} bytes exceeds the recording limit of ${MAX_PAYLOAD_BYTES}`,
      });
    }
    const us = toMicros(receivedAtMs);
    const delta = us - this.lastUs;
    if (!Number.isFinite(delta) || Math.abs(delta) > MAX_DELTA_US) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `receive time ${receivedAtMs} is not a usable epoch ms`,
      });
    }
    const size = MAX_RECORD_PREFIX_BYTES + length;
    if (this.pendingBytes + this.used + size > this.maxPendingBytes) {
      this.dropped++;
      return false;
    }
    if (this.used + size > this.chunk.length) {
      this.sealChunk();
      if (size > this.chunk.length) this.chunk = Buffer.allocUnsafe(size);
    }
    const chunk = this.chunk;
    let at = this.used;
    chunk[at++] = kind;
    at = writeZigzagVarint(chunk, at, delta);
    chunk.writeUInt32LE(length, at);
    at += 4;
    if (typeof payload === 'string') at += chunk.write(payload, at, 'utf8');
    else {
      chunk.set(payload, at);
      at += length;
    }
    this.used = at;
    this.lastUs = us;
    this.records++;
    if (this.used >= this.chunk.length - MAX_RECORD_PREFIX_BYTES) {
      this.sealChunk();
      void this.pump().catch(() => {
        // kept in `failure`
      });
    }
    return true;
  }

  /** Hands everything appended so far to the OS; rejects if a write has failed. */
  async flush(): Promise<void> {
    this.sealChunk();
    while (this.writing !== undefined || this.pending.length > 0) await this.pump();
    if (this.failure !== undefined) throw this.failure;
  }

  /** Flushes, then closes the file. Further appends are dropped. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearTimer(this.timer);
    try {
      await this.flush();
    } finally {
      await this.handle.close();
    }
  }

  stats(): RecordingWriterStats {
    return {
      records: this.records,
      droppedRecords: this.dropped,
      bytesWritten: this.written,
      bytesPending: this.pendingBytes + this.used,
    };
  }

  get filePath(): string {
    return this.path;
  }

  private sealChunk(): void {
    if (this.used === 0) return;
    // The sealed bytes go to the disk queue as they are; a fresh chunk avoids copying them.
    const sealed = this.chunk.subarray(0, this.used);
    this.pending.push(sealed);
    this.pendingBytes += sealed.length;
    this.chunk = Buffer.allocUnsafe(this.chunkBytes);
    this.used = 0;
  }

  private pump(): Promise<void> {
    if (this.writing !== undefined) return this.writing;
    if (this.pending.length === 0) return Promise.resolve();
    this.writing = (async () => {
      try {
        while (this.pending.length > 0 && this.failure === undefined) {
          const batch = this.pending;
          this.pending = [];
          let bytes = 0;
          for (const buffer of batch) bytes += buffer.length;
          try {
            await writeAll(this.handle, batch);
            this.written += bytes;
          } catch (error) {
            this.failure = error;
          } finally {
            this.pendingBytes -= bytes;
          }
        }
        if (this.failure !== undefined) {
          // After a failed write the file's tail is unknown; later records cannot be placed after it.
          this.pending = [];
          this.pendingBytes = 0;
        }
      } finally {
        this.writing = undefined;
      }
    })();
    return this.writing;
  }
}

/** `writev` may write less than asked (disk full, signals); loop until every byte is out. */
async function writeAll(handle: FileHandle, buffers: Buffer[]): Promise<void> {
  let rest = buffers;
  while (rest.length > 0) {
    const { bytesWritten } = await handle.writev(rest);
    let skip = bytesWritten;
    const next: Buffer[] = [];
    for (const buffer of rest) {
      if (skip >= buffer.length) {
        skip -= buffer.length;
        continue;
      }
      next.push(skip > 0 ? buffer.subarray(skip) : buffer);
      skip = 0;
    }
    if (bytesWritten === 0 && next.length > 0) throw new Error('writev wrote 0 bytes');
    rest = next;
  }
}
