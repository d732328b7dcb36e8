import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../core/clock.js';
import { isIfError } from '../../core/errors.js';
import { RecordKind, type RecordedFrame } from './format.js';
import { readRecording, readRecordingHeader, type TruncatedTail } from './reader.js';
import { RecordingWriter } from './writer.js';

const START = Date.UTC(2026, 10, 25, 3, 45);
let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'indexflow-rec-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(
  path: string,
  options?: Parameters<typeof readRecording>[1],
): Promise<RecordedFrame[]> {
  const out: RecordedFrame[] = [];
  for await (const frame of readRecording(path, options)) out.push(frame);
  return out;
}

async function collectUntilError(path: string): Promise<{ frames: RecordedFrame[]; error: unknown }> {
  const frames: RecordedFrame[] = [];
  try {
    for await (const frame of readRecording(path)) frames.push(frame);
  } catch (error) {
    return { frames, error };
  }
  return { frames, error: undefined };
}

interface Input {
  kind: RecordKind;
  payload: Uint8Array;
  receivedAtMs: number;
}

function frames(count: number): Input[] {
  return Array.from({ length: count }, (_, i) => {
    const payload = new Uint8Array(51 + (i % 400));
    payload.fill(i & 0xff);
    payload[0] = 1 + (i % 4);
    return {
      kind: i % 10 === 9 ? RecordKind.TEXT : RecordKind.BINARY,
      payload,
      receivedAtMs: START + i * 0.25,
    };
  });
}

async function write(
  path: string,
  inputs: Input[],
  clock = new SimulatedClock(START),
): Promise<RecordingWriter> {
  const writer = await RecordingWriter.create(path, {
    clock,
    metadata: { source: 'test' },
    chunkBytes: 4096,
  });
  for (const input of inputs) writer.append(input.kind, input.payload, input.receivedAtMs);
  await writer.close();
  return writer;
}

describe('recording round trip', () => {
  it('reads back exactly the frames, kinds and receive times written, with the header', async () => {
    const path = join(dir, 'a.ifrec');
    const inputs = frames(5000);
    const writer = await write(path, inputs);
    const read = await collect(path);
    expect(read.length, 'every record back').toBe(inputs.length);
    read.forEach((frame, i) => {
      const input = inputs[i];
      expect(frame.kind, `kind of ${i}`).toBe(input?.kind);
      expect(frame.receivedAtMs, `time of ${i} to the µs`).toBeCloseTo(input?.receivedAtMs ?? 0, 6);
      expect(Buffer.from(frame.payload).equals(Buffer.from(input?.payload ?? [])), `payload of ${i}`).toBe(
        true,
      );
    });
    const header = await readRecordingHeader(path);
    expect(header.startTimeMs, 'start time').toBe(START);
    expect(header.metadata, 'metadata').toEqual({ source: 'test' });
    expect(writer.stats().bytesWritten, 'stats agree with the file').toBe((await stat(path)).size);
  });

  it('property: any frames with any receive times (including backwards) round-trip', async () => {
    const frameArb = fc.record({
      kind: fc.constantFrom(RecordKind.BINARY, RecordKind.TEXT),
      payload: fc.uint8Array({ maxLength: 600 }),
      // µs-resolution times within a day either side of the start, in any order
      receivedAtMs: fc.integer({ min: -86_400_000_000, max: 86_400_000_000 }).map((us) => START + us / 1000),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(frameArb, { maxLength: 60 }), async (inputs) => {
        const path = join(dir, `p${run++}.ifrec`);
        await write(path, inputs);
        const read = await collect(path);
        expect(read.length, 'count').toBe(inputs.length);
        read.forEach((frame, i) => {
          expect(frame.kind, 'kind').toBe(inputs[i]?.kind);
          expect(Math.round(frame.receivedAtMs * 1000), 'time in µs').toBe(
            Math.round((inputs[i]?.receivedAtMs ?? 0) * 1000),
          );
          expect(Buffer.from(frame.payload).equals(Buffer.from(inputs[i]?.payload ?? [])), 'payload').toBe(
            true,
          );
        });
      }),
      { numRuns: 60 },
    );
  });

  it('stores text frames given as strings as UTF-8', async () => {
    const path = join(dir, 't.ifrec');
    const clock = new SimulatedClock(START);
    const writer = await RecordingWriter.create(path, { clock });
    writer.append(RecordKind.TEXT, 'pong');
    writer.append(RecordKind.TEXT, '{"errorCode":"E1001","note":"₹"}', START + 5);
    await writer.close();
    const read = await collect(path);
    expect(
      read.map((f) => Buffer.from(f.payload).toString('utf8')),
      'text back',
    ).toEqual(['pong', '{"errorCode":"E1001","note":"₹"}']);
    expect(read[0]?.receivedAtMs, 'default receive time is clock.now()').toBe(START);
  });

  it('writes 200,000 frames arriving in socket-sized batches, flushing full chunks and on the clock', async () => {
    const path = join(dir, 'fast.ifrec');
    const clock = new SimulatedClock(START);
    // The pending-bytes cap is above the whole run so the outcome never depends on disk speed (a loaded CI
    // machine); how fast the writer is belongs in a benchmark, not here.
    const writer = await RecordingWriter.create(path, {
      clock,
      flushIntervalMs: 100,
      chunkBytes: 64 * 1024,
      maxPendingBytes: 256 * 1024 * 1024,
    });
    const frame = new Uint8Array(379).fill(3);
    const count = 200_000;
    let refused = 0;
    for (let i = 0; i < count; i++) {
      if (!writer.append(RecordKind.BINARY, frame, START + i / 50)) refused++;
      // Frames arrive in socket-read batches; the event loop turns between them, as it does live.
      if (i % 2000 === 1999) {
        clock.advanceBy(100);
        await setImmediate();
      }
    }
    expect(refused, 'no append refused').toBe(0);
    await writer.close();
    expect(writer.stats(), 'nothing dropped or pending').toMatchObject({
      records: count,
      droppedRecords: 0,
      bytesPending: 0,
    });
    let n = 0;
    for await (const record of readRecording(path)) {
      if (record.payload.length !== 379) throw new Error(`record ${n} has ${record.payload.length} bytes`);
      n++;
    }
    expect(n, 'all records on disk').toBe(count);
  });

  it('drops and counts records beyond maxPendingBytes instead of growing without bound', async () => {
    const path = join(dir, 'bounded.ifrec');
    const clock = new SimulatedClock(START);
    const writer = await RecordingWriter.create(path, { clock, chunkBytes: 1024, maxPendingBytes: 4096 });
    const frame = new Uint8Array(443);
    let accepted = 0;
    for (let i = 0; i < 100; i++) if (writer.append(RecordKind.BINARY, frame, START)) accepted++;
    await writer.close();
    expect(writer.stats().droppedRecords, 'some dropped').toBe(100 - accepted);
    expect(accepted, 'bounded by the limit').toBeLessThanOrEqual(Math.ceil(4096 / 443));
    expect((await collect(path)).length, 'the accepted ones are intact').toBe(accepted);
  });

  it('refuses to overwrite an existing recording unless asked', async () => {
    const path = join(dir, 'exists.ifrec');
    await write(path, frames(3));
    await expect(RecordingWriter.create(path, { clock: new SimulatedClock(START) }), 'wx').rejects.toThrow();
    const again = await RecordingWriter.create(path, { clock: new SimulatedClock(START), overwrite: true });
    await again.close();
    expect(await collect(path), 'overwritten, empty').toEqual([]);
  });

  it('drops appends after close and rejects invalid input with coded errors', async () => {
    const path = join(dir, 'closed.ifrec');
    const writer = await write(path, frames(2));
    expect(writer.append(RecordKind.BINARY, new Uint8Array(51)), 'closed writer drops').toBe(false);
    expect(writer.stats().droppedRecords, 'counted').toBe(1);
    const open = await RecordingWriter.create(join(dir, 'v.ifrec'), { clock: new SimulatedClock(START) });
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      try {
        open.append(RecordKind.BINARY, new Uint8Array(1), bad);
        expect.unreachable(`receive time ${bad} accepted`);
      } catch (error) {
        expect(isIfError(error, 'IF_ERR_VALIDATION'), `time ${bad} rejected`).toBe(true);
      }
    }
    await open.close();
  });
});

describe('recording validation', () => {
  it('rejects a file with bad magic, naming offset 0', async () => {
    const path = join(dir, 'bad.ifrec');
    await writeFile(path, Buffer.from('this is not a recording at all, no'));
    const { error } = await collectUntilError(path);
    expect(isIfError(error, 'IF_ERR_RECORDING_INVALID'), 'coded error').toBe(true);
    expect(String((error as Error).message), 'names the offset').toContain('offset 0');
    await expect(readRecordingHeader(path), 'header reader agrees').rejects.toThrow(/offset 0/);
  });

  it('rejects an unknown version and a truncated header', async () => {
    const path = join(dir, 'v.ifrec');
    await write(path, frames(1));
    const bytes = await readFile(path);
    bytes.writeUInt16LE(99, 8);
    await writeFile(path, bytes);
    expect(isIfError((await collectUntilError(path)).error, 'IF_ERR_RECORDING_INVALID'), 'version 99').toBe(
      true,
    );
    await writeFile(path, bytes.subarray(0, 12));
    expect(isIfError((await collectUntilError(path)).error, 'IF_ERR_RECORDING_INVALID'), 'short header').toBe(
      true,
    );
  });

  it('a truncated last record: earlier records are returned, then IF_ERR_RECORDING_INVALID names its offset', async () => {
    const pristine = join(dir, 'whole.ifrec');
    const inputs = frames(50);
    await write(pristine, inputs);
    const bytes = await readFile(pristine);
    const full = bytes.length;
    const lastLength = inputs[49]?.payload.length ?? 0;
    // cut inside the payload, inside the length field, and right after the kind byte
    for (const cut of [10, lastLength + 2, lastLength + 5]) {
      const path = join(dir, `cut-${cut}.ifrec`);
      await writeFile(path, bytes.subarray(0, full - cut));
      const { frames: read, error } = await collectUntilError(path);
      expect(read.length, `cut ${cut}: 49 whole records first`).toBe(49);
      expect(isIfError(error, 'IF_ERR_RECORDING_INVALID'), `cut ${cut}: then a coded error`).toBe(true);
      expect(String((error as Error).message), `cut ${cut}: naming the offset`).toMatch(/offset \d+/);
    }
  });

  it("truncatedTail 'ignore' returns the whole records and reports the cut through the callback", async () => {
    const path = join(dir, 'cut2.ifrec');
    const inputs = frames(20);
    await write(path, inputs);
    const full = (await stat(path)).size;
    await truncate(path, full - 3);
    const tails: TruncatedTail[] = [];
    const read = await collect(path, {
      truncatedTail: 'ignore',
      onTruncatedTail: (tail) => tails.push(tail),
    });
    expect(read.length, 'whole records').toBe(19);
    // kind + a 2-byte varint (250 µs → zigzag 500) + length + payload
    const lastSize = 1 + 2 + 4 + (inputs[19]?.payload.length ?? 0);
    expect(tails, 'one report with the offset of the cut record').toEqual([
      { offset: full - lastSize, bytesPresent: lastSize - 3 },
    ]);
  });

  it('rejects corruption in the middle (unknown kind) naming its offset, after the records before it', async () => {
    const path = join(dir, 'mid.ifrec');
    const inputs = frames(3);
    await write(path, inputs);
    const bytes = await readFile(path);
    const header = await readRecordingHeader(path);
    const second = header.dataOffset + 1 + 1 + 4 + (inputs[0]?.payload.length ?? 0);
    bytes[second] = 7;
    await writeFile(path, bytes);
    const { frames: read, error } = await collectUntilError(path);
    expect(read.length, 'the first record').toBe(1);
    expect(String((error as Error).message), 'names the offset').toContain(`offset ${second}`);
  });

  it('reads correctly across tiny read buffers (records split between reads)', async () => {
    const path = join(dir, 'small.ifrec');
    const inputs = frames(300);
    await write(path, inputs);
    const read = await collect(path, { readBytes: 7 });
    expect(read.length, 'all').toBe(300);
    expect(
      Buffer.from(read[299]?.payload ?? []).equals(Buffer.from(inputs[299]?.payload ?? [])),
      'last intact',
    ).toBe(true);
  });
});
