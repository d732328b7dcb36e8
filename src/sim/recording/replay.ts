import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { IfError } from '../../core/errors.js';
import { type Logger, silentLogger } from '../../ops/logger.js';
import { type FrameHeader, readFrameHeader, type SnapshotProvider } from '../feed/index.js';
import { RecordKind } from './format.js';
import { readRecording, type TruncatedTail } from './reader.js';

/** Where replayed frames go: the smart-stream server satisfies this. */
export interface ReplaySink {
  /** offers the frame to the subscribers of its (exchangeType, token, mode); returns how many */
  publishFrame(frame: Uint8Array, header: FrameHeader): number;
  setSnapshotProvider?(provider: SnapshotProvider | undefined): void;
}

export interface ReplayOptions {
  path: string;
  sink: ReplaySink;
  /** paces the replay; use a wall clock (LiveClock) to serve real clients */
  clock: Clock;
  /** 1 = as recorded, 10 = ten times faster, 'max' = as fast as the sink takes them. Default 1. */
  speed?: number | 'max';
  /** at 'max', frames sent between yields to the event loop so sockets can drain; default 512 */
  batchFrames?: number;
  /** a recording cut off by a crash is played up to its last whole record by default ('ignore') */
  truncatedTail?: 'throw' | 'ignore';
  logger?: Logger;
}

export interface ReplayStats {
  framesRead: number;
  /** binary frames offered to at least one subscriber */
  framesPublished: number;
  /** binary frames nobody subscribed to */
  framesUnsubscribed: number;
  /** text frames (pongs, errors) and frames too short to carry a header */
  framesSkipped: number;
  /** socket deliveries (a frame with three subscribers counts three) */
  deliveries: number;
  /** receive time of the last frame played, epoch ms */
  lastReceivedAtMs: number | undefined;
  truncatedTail: TruncatedTail | undefined;
  stopped: boolean;
}

/**
 * Plays a recording of raw feed frames to the smart-stream server's subscribers, keeping the recorded
 * spacing (divided by `speed`) and order. Only binary frames are played; each goes to the subscribers of
 * the (exchangeType, token, mode) read from its first 27 bytes, so a client sees exactly the frames the
 * recorded client received for what it subscribed. The latest frame per pair is kept and offered to the
 * sink as the snapshot a new subscriber receives, until `stop()`.
 */
export class ReplaySource {
  private readonly latest = new Map<string, Uint8Array>();
  private readonly logger: Logger;
  private readonly counters: ReplayStats = {
    framesRead: 0,
    framesPublished: 0,
    framesUnsubscribed: 0,
    framesSkipped: 0,
    deliveries: 0,
    lastReceivedAtMs: undefined,
    truncatedTail: undefined,
    stopped: false,
  };
  private started = false;
  private sleeping: { timer: TimerHandle; wake: () => void } | undefined;

  constructor(private readonly options: ReplayOptions) {
    const speed = options.speed ?? 1;
    if (speed !== 'max' && !(speed > 0 && Number.isFinite(speed))) {
      throw new IfError('IF_ERR_VALIDATION', { detail: `replay speed must be > 0 or 'max', got ${speed}` });
    }
    this.logger = options.logger ?? silentLogger();
  }

  /** Plays the recording once; resolves when it ends or `stop()` is called. */
  async start(): Promise<ReplayStats> {
    if (this.started) throw new IfError('IF_ERR_VALIDATION', { detail: 'a ReplaySource plays only once' });
    this.started = true;
    const { sink, clock, path } = this.options;
    const speed = this.options.speed ?? 1;
    const batch = this.options.batchFrames ?? 512;
    sink.setSnapshotProvider?.((exchangeType, token, mode) =>
      this.latest.get(`${exchangeType}|${token}|${mode}`),
    );
    const records = readRecording(path, {
      truncatedTail: this.options.truncatedTail ?? 'ignore',
      onTruncatedTail: (tail) => {
        this.counters.truncatedTail = tail;
        this.logger.warn({ path, ...tail }, 'recording ends in a truncated record; replayed up to it');
      },
    });
    let origin: { recordMs: number; clockMs: number } | undefined;
    let sinceYield = 0;
    for await (const record of records) {
      if (this.counters.stopped) break;
      this.counters.framesRead++;
      const header = record.kind === RecordKind.BINARY ? readFrameHeader(record.payload) : undefined;
      if (header === undefined) {
        this.counters.framesSkipped++;
        continue;
      }
      if (speed === 'max') {
        if (++sinceYield >= batch) {
          sinceYield = 0;
          await yieldToEventLoop();
        }
      } else {
        origin ??= { recordMs: record.receivedAtMs, clockMs: clock.now() };
        const waitMs = origin.clockMs + (record.receivedAtMs - origin.recordMs) / speed - clock.now();
        if (waitMs > 0) await this.sleep(waitMs);
      }
      if (this.counters.stopped) break;
      this.latest.set(`${header.exchangeType}|${header.token}|${header.mode}`, record.payload);
      this.counters.lastReceivedAtMs = record.receivedAtMs;
      const offered = sink.publishFrame(record.payload, header);
      if (offered > 0) {
        this.counters.framesPublished++;
        this.counters.deliveries += offered;
      } else {
        this.counters.framesUnsubscribed++;
      }
    }
    return this.stats();
  }

  /** Ends the replay at the next frame (or at once if waiting) and withdraws the snapshots. */
  stop(): void {
    this.counters.stopped = true;
    this.options.sink.setSnapshotProvider?.(undefined);
    const sleeping = this.sleeping;
    if (sleeping !== undefined) {
      this.options.clock.clearTimer(sleeping.timer);
      sleeping.wake();
    }
  }

  stats(): ReplayStats {
    return { ...this.counters };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.sleeping = undefined;
        resolve();
      };
      this.sleeping = { timer: this.options.clock.setTimeout(wake, ms), wake };
    });
  }
}
