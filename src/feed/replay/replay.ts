import { createHash } from 'node:crypto';
import type { MarketCalendar } from '../../core/calendar/index.js';
import { SimulatedClock } from '../../core/clock.js';
import type { Instrument } from '../../core/instrument.js';
import { MessageBus } from '../../engine/bus.js';
import { Cache } from '../../engine/cache.js';
import { readRecording, readRecordingHeader, RecordKind } from '../../sim/recording/index.js';
import { type Candle, CandleBuilder } from '../candles/index.js';
import type { TickEvent } from '../events.js';
import { candleStage, instrumentLookup, MarketDataPipeline } from '../pipeline/index.js';
import type { TickRepository } from '../../storage/index.js';

export interface ReplayOutput {
  frames: number;
  /** published market events (ticks, quotes, depth, quality changes) */
  events: number;
  candles: number;
  /** sha-256 over every output event and closed candle, in order */
  hash: string;
}

export interface RecordingReplayOptions extends ReplayBaseOptions {
  instruments: Iterable<Instrument>;
}

/** The pipeline plus candles on a simulated clock, with every output hashed in order. */
class ReplayHarness {
  readonly clock: SimulatedClock;
  readonly pipeline: MarketDataPipeline;
  readonly candles: CandleBuilder;
  private readonly hash = createHash('sha256');
  events = 0;
  candleCount = 0;

  constructor(startMs: number, instruments: readonly Instrument[], options: ReplayBaseOptions) {
    this.clock = new SimulatedClock(startMs);
    const bus = new MessageBus();
    const emit = (topic: string, value: unknown) => {
      options.onOutput?.(topic, value);
      this.hash.update(topic);
      this.hash.update(JSON.stringify(value));
      this.hash.update('\n');
    };
    const candles = new CandleBuilder({
      calendar: options.calendar,
      onClosed: (candle: Candle) => {
        this.candleCount++;
        emit('candle', candle);
      },
    });
    this.candles = candles;
    this.pipeline = new MarketDataPipeline({
      bus,
      cache: new Cache(),
      clock: this.clock,
      calendar: options.calendar,
      instruments: instrumentLookup(instruments),
      stages: [candleStage(candles)],
    });
    for (const topic of ['market.tick', 'market.quote', 'market.depth', 'market.quality'] as const) {
      bus.subscribe(topic, (value: unknown) => {
        this.events++;
        emit(topic, value);
      });
    }
    this.pipeline.watch(instruments);
  }

  /** Moves simulated time to `atMs` (never backwards), firing timers and closing due candles. */
  advanceTo(atMs: number): void {
    if (atMs > this.clock.now()) this.clock.advanceTo(atMs);
    this.candles.onClock(this.clock.now());
  }

  /** Lets the last candles close, stops the pipeline, and returns the hash. */
  async finish(frames: number): Promise<ReplayOutput> {
    this.advanceTo(this.clock.now() + 16 * 60_000);
    await this.pipeline.stop();
    return { frames, events: this.events, candles: this.candleCount, hash: this.hash.digest('hex') };
  }
}

interface ReplayBaseOptions {
  calendar: MarketCalendar;
  /** sees every output in order (e.g. to persist or inspect); called before it is hashed */
  onOutput?: (topic: string, value: unknown) => void;
}

/**
 * Plays a recording made by `indexflow record` through the same pipeline as live (decode → normalise →
 * validate → enrich → cache → candles) on a simulated clock that jumps to each frame's receive time.
 * Nothing reads the wall clock, so the same file gives the same outputs byte for byte.
 */
export async function replayRecording(path: string, options: RecordingReplayOptions): Promise<ReplayOutput> {
  const header = await readRecordingHeader(path);
  const harness = new ReplayHarness(header.startTimeMs, [...options.instruments], options);
  await harness.pipeline.start();
  let frames = 0;
  try {
    for await (const frame of readRecording(path, { truncatedTail: 'ignore' })) {
      harness.advanceTo(frame.receivedAtMs);
      if (frame.kind !== RecordKind.BINARY) continue;
      frames++;
      harness.pipeline.onFrame(frame.payload, harness.clock.now());
    }
  } finally {
    await harness.pipeline.stop();
  }
  return harness.finish(frames);
}

export interface StoredTickReplayOptions extends ReplayBaseOptions {
  instruments: Iterable<Instrument>;
  tokens: readonly string[];
  fromMs: number;
  toMs: number;
}

/**
 * Replays ticks stored by the warehouse (exchange time in [fromMs, toMs)) through validate → enrich →
 * cache → candles, merged across tokens in receive order (ties by exchange time, token, sequence) so
 * the result does not depend on how the store pages them.
 */
export async function replayStoredTicks(
  ticks: TickRepository,
  options: StoredTickReplayOptions,
): Promise<ReplayOutput> {
  const stored: TickEvent[] = [];
  for (const token of options.tokens) {
    for await (const page of ticks.streamRange(token, options.fromMs, options.toMs)) stored.push(...page);
  }
  stored.sort(
    (a, b) =>
      a.receivedAtMs - b.receivedAtMs ||
      a.exchangeTimeMs - b.exchangeTimeMs ||
      (a.token < b.token ? -1 : a.token > b.token ? 1 : 0) ||
      a.sequence - b.sequence,
  );
  const harness = new ReplayHarness(
    stored[0]?.receivedAtMs ?? options.fromMs,
    [...options.instruments],
    options,
  );
  await harness.pipeline.start();
  try {
    for (const tick of stored) {
      harness.advanceTo(tick.receivedAtMs);
      harness.pipeline.onEvent(tick);
    }
  } finally {
    await harness.pipeline.stop();
  }
  return harness.finish(stored.length);
}
