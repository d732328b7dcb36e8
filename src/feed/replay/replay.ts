import { createHash } from 'node:crypto';
import type { MarketCalendar } from '../../core/calendar/index.js';
import { SimulatedClock } from '../../core/clock.js';
import type { Instrument } from '../../core/instrument.js';
import { MessageBus } from '../../engine/bus.js';
import { Cache } from '../../engine/cache.js';
import { readRecording, readRecordingHeader, RecordKind } from '../../sim/recording/index.js';
import { type Candle, CandleBuilder } from '../candles/index.js';
import { instrumentLookup, MarketDataPipeline } from '../pipeline/index.js';

export interface ReplayOutput {
  frames: number;
  /** published market events (ticks, quotes, depth, quality changes) */
  events: number;
  candles: number;
  /** sha-256 over every output event and closed candle, in order */
  hash: string;
}

export interface RecordingReplayOptions {
  instruments: Iterable<Instrument>;
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
  const clock = new SimulatedClock(header.startTimeMs);
  const bus = new MessageBus();
  const hash = createHash('sha256');
  let events = 0;
  let candleCount = 0;
  const emit = (topic: string, value: unknown) => {
    options.onOutput?.(topic, value);
    hash.update(topic);
    hash.update(JSON.stringify(value));
    hash.update('\n');
  };
  const candles = new CandleBuilder({
    calendar: options.calendar,
    onClosed: (candle: Candle) => {
      candleCount++;
      emit('candle', candle);
    },
  });
  const instruments = [...options.instruments];
  const pipeline = new MarketDataPipeline({
    bus,
    cache: new Cache(),
    clock,
    calendar: options.calendar,
    instruments: instrumentLookup(instruments),
    stages: [
      {
        name: 'candles',
        onEvent: (event, state) => {
          if (event.type === 'tick') candles.onTick(event, state.instrument.exchange);
        },
      },
    ],
  });
  for (const topic of ['market.tick', 'market.quote', 'market.depth', 'market.quality'] as const) {
    bus.subscribe(topic, (value: unknown) => {
      events++;
      emit(topic, value);
    });
  }
  pipeline.watch(instruments);
  await pipeline.start();
  let frames = 0;
  try {
    for await (const frame of readRecording(path, { truncatedTail: 'ignore' })) {
      if (frame.receivedAtMs > clock.now()) clock.advanceTo(frame.receivedAtMs);
      candles.onClock(clock.now());
      if (frame.kind !== RecordKind.BINARY) continue;
      frames++;
      pipeline.onFrame(frame.payload, clock.now());
    }
    // let the last candles of the recording close
    const end = clock.now() + 16 * 60_000;
    clock.advanceTo(end);
    candles.onClock(end);
  } finally {
    await pipeline.stop();
  }
  return { frames, events, candles: candleCount, hash: hash.digest('hex') };
}
