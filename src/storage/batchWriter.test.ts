import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../core/clock.js';
import { BatchWriter, type BatchWriterOptions } from './batchWriter.js';

/**
 * The writer's queueing, retry and bounding logic against a sink the test controls. (The same writer
 * against real SQLite and PostgreSQL is in the store contract suite.)
 */
class Sink {
  readonly written: number[][] = [];
  readonly attempts: Array<{ atMs: number; batch: number[] }> = [];
  failing = false;
  /** when set, writes wait for `release()` */
  hold = false;
  concurrent = 0;
  maxConcurrent = 0;
  private pending: Array<() => void> = [];

  constructor(private readonly clock: SimulatedClock) {}

  readonly write = async (batch: readonly number[]): Promise<void> => {
    this.attempts.push({ atMs: this.clock.now(), batch: [...batch] });
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    try {
      if (this.hold) await new Promise<void>((resolve) => this.pending.push(resolve));
      if (this.failing) throw new Error('database is down');
      this.written.push([...batch]);
    } finally {
      this.concurrent--;
    }
  };

  release(): void {
    for (const resolve of this.pending.splice(0)) resolve();
  }

  all(): number[] {
    return this.written.flat();
  }
}

function setup(overrides: Partial<BatchWriterOptions<number>> = {}) {
  const clock = new SimulatedClock(1_000_000);
  const sink = new Sink(clock);
  const writer = new BatchWriter<number>({
    name: 'test',
    clock,
    batchSize: 2,
    flushIntervalMs: 1_000,
    maxBuffered: 4,
    write: sink.write,
    ...overrides,
  });
  return { clock, sink, writer };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('BatchWriter', () => {
  it('refuses invalid items at enqueue (counted), never throwing even when the check throws', async () => {
    const { writer, sink } = setup({
      check: (n) => {
        if (n === 13) throw new Error('unlucky');
        return n < 0 ? 'negative' : undefined;
      },
    });
    expect(() => {
      writer.enqueue(-1);
      writer.enqueue(13);
      writer.enqueue(1);
    }, 'enqueue never throws').not.toThrow();
    await writer.close();
    expect(sink.all(), 'only the valid item reached the database').toEqual([1]);
    expect(writer.stats()).toMatchObject({ rejected: 2, lastRejection: 'check threw: unlucky' });
  });

  it('writes one batch at a time, however fast items arrive', async () => {
    const { writer, sink } = setup({ maxBuffered: 1_000, batchSize: 10 });
    sink.hold = true;
    for (let i = 0; i < 100; i++) {
      writer.enqueue(i);
      if (i % 7 === 0) await Promise.resolve();
      if (i % 20 === 0) sink.release();
    }
    sink.hold = false;
    sink.release();
    await writer.close();
    expect(sink.maxConcurrent, 'never two writes at once').toBe(1);
    expect(sink.all(), 'everything, in order').toEqual(range(0, 100));
  });

  it('over its bound drops the oldest queued item, never one whose write is in progress', async () => {
    const { writer, sink } = setup();
    sink.hold = true;
    writer.enqueue(1);
    writer.enqueue(2);
    await Promise.resolve(); // the full batch [1, 2] starts writing
    expect(sink.attempts.map((a) => a.batch)).toEqual([[1, 2]]);
    for (const n of [3, 4, 5, 6, 7]) writer.enqueue(n);
    expect(writer.stats(), '3 went (oldest queued); 1 and 2 are being written').toMatchObject({
      dropped: 1,
      queued: 6,
    });
    sink.hold = false;
    sink.release();
    await writer.flush();
    expect(sink.all(), 'the write in progress succeeded, 3 was dropped').toEqual([1, 2, 4, 5, 6, 7]);
  });

  it('when a write in progress fails, its batch rejoins as the oldest items and is dropped first', async () => {
    const { writer, sink } = setup();
    sink.hold = true;
    sink.failing = true;
    writer.enqueue(1);
    writer.enqueue(2);
    await Promise.resolve();
    for (const n of [3, 4, 5, 6, 7]) writer.enqueue(n);
    sink.release();
    await writer.idle();
    expect(writer.stats(), '[1, 2] failed; 6 held > 4, so 1 and 2 go too').toMatchObject({
      dropped: 3,
      queued: 4,
      failedFlushes: 1,
    });
    sink.hold = false;
    sink.failing = false;
    await writer.flush();
    expect(sink.all()).toEqual([4, 5, 6, 7]);
  });

  it('retries with exponential backoff up to the cap, holding new items behind the failed batch', async () => {
    const { writer, sink, clock } = setup({ retryInitialMs: 250, retryMaxMs: 1_000, maxBuffered: 100 });
    sink.failing = true;
    const t0 = clock.now();
    writer.enqueue(1);
    writer.enqueue(2);
    await writer.idle();
    // Step time in small increments: a retry is scheduled only once the failed write has settled.
    for (let step = 1; step <= 20; step++) {
      clock.advanceBy(250);
      await writer.idle();
      if (step <= 5) writer.enqueue(10 + step);
    }
    expect(
      sink.attempts.map((a) => a.atMs - t0),
      'attempts after 250, 500, 1000, 1000, 1000 ms; the interval does not cut a backoff short',
    ).toEqual([0, 250, 750, 1_750, 2_750, 3_750, 4_750]);
    expect(sink.attempts[1]?.batch, 'a retry writes the failed batch first').toEqual([1, 2]);
    expect(writer.health()).toMatchObject({ state: 'degraded' });
    expect(writer.health().detail).toContain('database is down');
    sink.failing = false;
    clock.advanceBy(1_000);
    await writer.idle();
    expect(sink.all(), 'recovered: everything once, in order').toEqual([1, 2, 11, 12, 13, 14, 15]);
    expect(writer.health().state).toBe('running');
  });

  it('flush() writes a partial batch now and cuts a backoff short', async () => {
    const { writer, sink } = setup({ maxBuffered: 10 });
    writer.enqueue(1);
    await writer.flush();
    expect(sink.all(), 'partial batch written without the interval').toEqual([1]);
    sink.failing = true;
    writer.enqueue(2);
    await writer.flush();
    sink.failing = false;
    await writer.flush();
    expect(sink.all(), 'retried at once, not after the backoff').toEqual([1, 2]);
  });

  it('close() writes what is left; if the database fails then, it abandons (counted) instead of hanging', async () => {
    const ok = setup({ maxBuffered: 10 });
    ok.writer.enqueue(1);
    await ok.writer.close();
    expect(ok.sink.all()).toEqual([1]);
    ok.writer.enqueue(2);
    expect(ok.writer.stats(), 'enqueue after close is refused').toMatchObject({ rejected: 1, queued: 0 });
    expect(ok.writer.health().state).toBe('stopped');
    expect(ok.clock.pendingTimers(), 'no timers left behind').toBe(0);

    const down = setup({ maxBuffered: 10 });
    down.sink.failing = true;
    for (let i = 0; i < 5; i++) down.writer.enqueue(i);
    await down.writer.close();
    expect(down.writer.stats()).toMatchObject({ abandoned: 5, written: 0, queued: 0 });
  });

  it('reports a write stuck in progress as degraded', async () => {
    const { writer, sink, clock } = setup({ stallAfterMs: 5_000 });
    sink.hold = true;
    writer.enqueue(1);
    writer.enqueue(2);
    await Promise.resolve();
    expect(writer.health().state).toBe('running');
    clock.advanceBy(5_001);
    expect(writer.health()).toMatchObject({ state: 'degraded' });
    sink.release();
    await writer.close();
  });

  it('rejects settings that could not bound the buffer', () => {
    const clock = new SimulatedClock(0);
    const write = async () => undefined;
    const make = (batchSize: number, maxBuffered: number) => () =>
      new BatchWriter<number>({ name: 'x', clock, batchSize, flushIntervalMs: 1, maxBuffered, write });
    expect(make(10, 19), 'below two batches').toThrow(RangeError);
    expect(make(0, 10)).toThrow(RangeError);
    expect(make(10, 20)).not.toThrow();
  });
});
