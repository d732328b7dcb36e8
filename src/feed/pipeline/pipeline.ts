/**
 * The market-data pipeline of the fast path: raw frame or decoded packet → normalise → validate →
 * enrich → market state in the Cache → extra stages → bus (`market.tick`, `market.quote`,
 * `market.depth`, `market.quality`).
 *
 * Cache, then publish, per packet: every event of a packet is validated, enriched and written to the
 * market state, and every extra stage has run, before the first of them is published. A handler of
 * `market.tick` therefore already sees the same packet's quote and depth in the cache, and the candles
 * built from it.
 *
 * Extra stages (candles, order flow) register as `PipelineStage`s rather than as bus subscribers: they
 * run synchronously in registration order after the state is cached and before publishing, so whatever
 * they keep (e.g. the forming candle) is current when bus handlers run. Consumers that only react
 * (hub fan-out, storage) subscribe to the bus topics instead.
 *
 * Latency metrics time one packet in `latencySampleEvery` (default 64): timing every packet (five timer
 * reads and five histogram observations) measured ~2.5× the cost of the whole pipeline (bench/pipeline.ts:
 * ~300k instead of ~750k packets/s). Without a registry there are no timer reads at all.
 */

import { performance } from 'node:perf_hooks';
import type { FeedPacket } from '../../brokers/angelone/codec/index.js';
import { tryDecodePacket } from '../../brokers/angelone/codec/index.js';
import type { MarketCalendar } from '../../core/calendar/index.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { IfError } from '../../core/errors.js';
import type { Instrument } from '../../core/instrument.js';
import type { MessageBus } from '../../engine/bus.js';
import type { Cache } from '../../engine/cache.js';
import type { Component, ComponentHealth } from '../../engine/lifecycle.js';
import type { Logger } from '../../ops/logger.js';
import type { Registry } from '../../ops/metrics.js';
import { Enricher, type EnrichmentSlot, type MoneynessBands } from '../enrich/index.js';
import type { DataQualityEvent, DepthEvent, MarketEvent, QuoteEvent, TickEvent } from '../events.js';
import { type NormaliseOptions, normaliseInto } from '../normalise/index.js';
import { type InstrumentMarketState, MarketStateStore } from '../state/index.js';
import {
  type ValidationSlot,
  Validator,
  type ValidatorConfig,
  type ValidatorStats,
} from '../validate/index.js';
import { registerPipelineMetrics, type StageTimers } from './metrics.js';

declare module '../../engine/bus.js' {
  interface BusTopics {
    /** accepted ticks, after the market state is cached */
    'market.tick': TickEvent;
    /** accepted quotes (top of book, OHLC), after the market state is cached */
    'market.quote': QuoteEvent;
    /** accepted depth snapshots, after the market state is cached */
    'market.depth': DepthEvent;
    /** per-instrument data quality changes (fresh / stale / gapped) */
    'market.quality': DataQualityEvent;
  }
}

/** Finds the instrument of a packet; tokens are unique only within an exchange type. */
export type InstrumentLookup = (exchangeType: number, token: string) => Instrument | undefined;

/** A lookup over a fixed set of instruments (e.g. the instrument master's). */
export function instrumentLookup(instruments: Iterable<Instrument>): InstrumentLookup {
  const byExchange = new Map<number, Map<string, Instrument>>();
  for (const instrument of instruments) {
    let byToken = byExchange.get(instrument.exchangeType);
    if (byToken === undefined) {
      byToken = new Map();
      byExchange.set(instrument.exchangeType, byToken);
    }
    byToken.set(instrument.token, instrument);
  }
  return (exchangeType, token) => byExchange.get(exchangeType)?.get(token);
}

/** An extra synchronous stage, run for each accepted event after caching and before publishing. */
export interface PipelineStage {
  readonly name: string;
  /** must not throw for ordinary input; a throw is caught, counted and logged, and publishing goes on */
  onEvent(event: MarketEvent, state: InstrumentMarketState): void;
}

export interface MarketDataPipelineOptions {
  bus: MessageBus;
  cache: Cache;
  /** engine clock: stale checks run on its timers and at its time */
  clock: Clock;
  calendar: MarketCalendar;
  instruments: InstrumentLookup;
  validation?: Partial<ValidatorConfig>;
  moneyness?: Partial<MoneynessBands>;
  /** which underlying an instrument's trades are the spot of; see EnricherOptions.spotOf */
  spotOf?: (instrument: Instrument) => string | undefined;
  /** how often `start()` schedules stale checks, engine ms; default 1000 */
  staleCheckIntervalMs?: number;
  stages?: readonly PipelineStage[];
  /** no registry, no metrics and no timer reads */
  metrics?: Registry;
  /** time one packet in this many (a power of two); default 64 */
  latencySampleEvery?: number;
  /** monotonic high-resolution ms, for latency metrics only; default performance.now */
  hrNow?: () => number;
  logger?: Logger;
}

export interface PipelineStats {
  /** packets that reached normalisation (known instruments) */
  packets: number;
  /** packets whose token the lookup did not know */
  unknownInstrument: number;
  /** accepted and published events by type */
  accepted: { tick: number; quote: number; depth: number };
  /** undecodable frames by error code (onFrame only) */
  rejectedFrames: Record<string, number>;
  stageErrors: number;
  validation: ValidatorStats;
}

interface Entry {
  readonly validation: ValidationSlot;
  readonly enrichment: EnrichmentSlot;
  readonly state: InstrumentMarketState;
  readonly normalise: NormaliseOptions | undefined;
}

const SEQUENCELESS: NormaliseOptions = Object.freeze({ sequenceless: true });
const MAX_EXCHANGE_TYPE = 255;
const NOT_TIMED = -1;

export class MarketDataPipeline implements Component {
  readonly name = 'market-data';
  readonly critical = true;

  private readonly bus: MessageBus;
  private readonly clock: Clock;
  private readonly lookup: InstrumentLookup;
  private readonly validator: Validator;
  private readonly enricher: Enricher;
  private readonly store: MarketStateStore;
  private readonly stages: PipelineStage[];
  private readonly logger: Logger | undefined;
  private readonly staleCheckIntervalMs: number;
  /** entries by exchange type (an array index) then token */
  private readonly entries: Array<Map<string, Entry> | undefined> = [];
  private readonly timers: StageTimers | undefined;
  private readonly hrNow: () => number;
  private readonly sampleMask: number;
  private sampleCounter = 0;

  // Reused per packet; `busy` guards against a bus handler feeding a packet back in re-entrantly.
  private readonly events: MarketEvent[] = [];
  private readonly accepted = new Uint8Array(4);
  private busy = false;
  private readonly pendingQuality: DataQualityEvent[] = [];

  private packets = 0;
  private unknown = 0;
  private readonly acceptedCounts = { tick: 0, quote: 0, depth: 0 };
  private readonly rejected = new Map<string, number>();
  private stageErrorCount = 0;
  private staleTimer: TimerHandle | undefined;
  private running = false;

  constructor(options: MarketDataPipelineOptions) {
    this.bus = options.bus;
    this.clock = options.clock;
    this.lookup = options.instruments;
    this.logger = options.logger;
    this.stages = [...(options.stages ?? [])];
    this.store = new MarketStateStore(options.cache);
    this.validator = new Validator({
      ...options.validation,
      calendar: options.calendar,
      onQualityChange: (event) => this.onQualityChange(event),
    });
    this.enricher = new Enricher({
      calendar: options.calendar,
      ...(options.moneyness ? { moneyness: options.moneyness } : {}),
      ...(options.spotOf ? { spotOf: options.spotOf } : {}),
    });
    this.staleCheckIntervalMs = options.staleCheckIntervalMs ?? 1000;
    if (!(this.staleCheckIntervalMs > 0)) {
      throw new IfError('IF_ERR_CONFIG_INVALID', {
        key: 'pipeline.staleCheckIntervalMs',
        detail: `must be > 0, got ${this.staleCheckIntervalMs}`,
      });
    }
    const every = options.latencySampleEvery ?? 64;
    if (!Number.isInteger(every) || every < 1 || (every & (every - 1)) !== 0) {
      throw new IfError('IF_ERR_CONFIG_INVALID', {
        key: 'pipeline.latencySampleEvery',
        detail: `must be a power of two, got ${every}`,
      });
    }
    this.sampleMask = every - 1;
    this.hrNow = options.hrNow ?? (() => performance.now());
    this.timers =
      options.metrics === undefined
        ? undefined
        : registerPipelineMetrics(options.metrics, {
            dropped: () => this.validator.stats().dropped,
            flagged: () => this.validator.stats().flagged,
            acceptedByType: () => this.acceptedCounts,
            rejectedFrames: () => this.rejected,
            stageErrors: () => this.stageErrorCount,
            qualities: () => this.validator.stats().qualities,
          });
  }

  /** Adds an extra stage after the built-in ones (see the module comment for when to use one). */
  addStage(stage: PipelineStage): void {
    this.stages.push(stage);
  }

  /** One binary WS 2.0 frame received at engine time `receivedAtMs`; undecodable frames are counted. */
  onFrame(bytes: Uint8Array, receivedAtMs: number): void {
    const start = this.sampleStart();
    const result = tryDecodePacket(bytes);
    if (!result.ok) {
      this.rejected.set(result.code, (this.rejected.get(result.code) ?? 0) + 1);
      return;
    }
    if (start === NOT_TIMED) {
      this.process(result.packet, receivedAtMs, NOT_TIMED);
      return;
    }
    const decoded = this.hrNow();
    this.timers?.decode.observe((decoded - start) / 1000);
    this.process(result.packet, receivedAtMs, decoded);
  }

  /** One decoded packet received at engine time `receivedAtMs`. */
  onPacket(packet: FeedPacket, receivedAtMs: number): void {
    this.process(packet, receivedAtMs, this.sampleStart());
  }

  /** Tell the pipeline the feed reconnected (see Validator.onFeedReconnect). */
  onFeedReconnect(): void {
    this.validator.onFeedReconnect();
  }

  /**
   * Starts tracking instruments before they send anything (the subscribed set), so one that stays
   * silent goes stale, and its market-state record exists from the start.
   */
  watch(instruments: Iterable<Instrument>): void {
    const now = this.clock.now();
    for (const instrument of instruments) {
      const entry = this.entryOf(instrument.exchangeType, instrument.token, instrument);
      if (entry !== undefined) this.validator.watch(instrument, now);
    }
  }

  /** Runs the stale check at engine time `nowMs` and publishes the resulting quality changes. */
  checkStale(nowMs: number = this.clock.now()): number {
    const count = this.validator.checkStale(nowMs);
    this.flushQuality();
    return count;
  }

  /** The cached market state of an instrument, if it has been seen or watched. */
  state(exchangeType: number, token: string): InstrumentMarketState | undefined {
    return this.store.get(exchangeType, token);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.staleTimer = this.clock.setInterval(() => this.checkStale(), this.staleCheckIntervalMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.staleTimer !== undefined) this.clock.clearTimer(this.staleTimer);
    this.staleTimer = undefined;
  }

  health(): ComponentHealth {
    const v = this.validator.stats();
    const facts = {
      instruments: v.instruments,
      fresh: v.qualities.fresh,
      stale: v.qualities.stale,
      gapped: v.qualities.gapped,
      packets: this.packets,
    };
    return this.running ? { state: 'running', facts } : { state: 'stopped', facts };
  }

  stats(): PipelineStats {
    return {
      packets: this.packets,
      unknownInstrument: this.unknown,
      accepted: { ...this.acceptedCounts },
      rejectedFrames: Object.fromEntries(this.rejected),
      stageErrors: this.stageErrorCount,
      validation: this.validator.stats(),
    };
  }

  private sampleStart(): number {
    if (this.timers === undefined) return NOT_TIMED;
    return (++this.sampleCounter & this.sampleMask) === 0 ? this.hrNow() : NOT_TIMED;
  }

  /**
   * An already-normalised event — a tick stored by the warehouse, replayed — through the same
   * validate → enrich → cache → stages → publish steps as live packets.
   */
  onEvent(event: MarketEvent): void {
    const entry = this.entryOf(event.exchangeType, event.token, undefined);
    if (entry === undefined) {
      this.unknown++;
      this.validator.countUnknownInstrument();
      return;
    }
    this.run(entry, undefined, event, 0, NOT_TIMED);
  }

  private process(packet: FeedPacket, receivedAtMs: number, start: number): void {
    const entry = this.entryOf(packet.exchangeType, packet.token, undefined);
    if (entry === undefined) {
      this.unknown++;
      this.validator.countUnknownInstrument();
      return;
    }
    this.packets++;
    this.run(entry, packet, undefined, receivedAtMs, start);
  }

  /** Either a packet to normalise or one ready event; both arguments avoid a closure per packet. */
  private run(
    entry: Entry,
    packet: FeedPacket | undefined,
    ready: MarketEvent | undefined,
    receivedAtMs: number,
    start: number,
  ): void {
    const nested = this.busy;
    const events = nested ? [] : this.events;
    const accepted = nested ? new Uint8Array(4) : this.accepted;
    events.length = 0;
    this.busy = true;
    try {
      let n = 0;
      if (packet !== undefined) n = normaliseInto(packet, receivedAtMs, events, entry.normalise);
      else if (ready !== undefined) {
        events.push(ready);
        n = 1;
      }
      let t = start;
      if (t !== NOT_TIMED) t = this.lap('normalise', t);

      // Validated last to first so a SnapQuote's quote, with the packet's own circuit limits, is judged
      // (and its limits learnt) before the packet's tick is checked against them.
      const validator = this.validator;
      for (let i = n - 1; i >= 0; i--) {
        const event = events[i];
        accepted[i] =
          event !== undefined && validator.validate(entry.validation, event).action !== 'drop' ? 1 : 0;
      }
      if (t !== NOT_TIMED) t = this.lap('validate', t);

      const state = entry.state;
      for (let i = 0; i < n; i++) {
        const event = events[i];
        if (event === undefined || accepted[i] === 0) continue;
        this.enricher.enrich(entry.enrichment, event);
        this.store.apply(state, event);
      }
      if (this.stages.length > 0) this.runStages(events, accepted, n, state);
      if (t !== NOT_TIMED) t = this.lap('cache', t);

      const bus = this.bus;
      for (let i = 0; i < n; i++) {
        const event = events[i];
        if (event === undefined || accepted[i] === 0) continue;
        if (event.type === 'tick') {
          this.acceptedCounts.tick++;
          bus.publish('market.tick', event);
        } else if (event.type === 'quote') {
          this.acceptedCounts.quote++;
          bus.publish('market.quote', event);
        } else {
          this.acceptedCounts.depth++;
          bus.publish('market.depth', event);
        }
      }
      if (this.pendingQuality.length > 0) this.flushQuality();
      if (t !== NOT_TIMED) this.lap('publish', t);
    } finally {
      this.busy = nested;
      // Drop references so the scratch array does not keep the last packet's events alive.
      if (!nested) events.length = 0;
    }
  }

  private runStages(
    events: readonly MarketEvent[],
    accepted: Uint8Array,
    n: number,
    state: InstrumentMarketState,
  ): void {
    for (const stage of this.stages) {
      for (let i = 0; i < n; i++) {
        const event = events[i];
        if (event === undefined || accepted[i] === 0) continue;
        try {
          stage.onEvent(event, state);
        } catch (error) {
          this.stageErrorCount++;
          this.logger?.error({ err: error, stage: stage.name, token: event.token }, 'pipeline stage failed');
        }
      }
    }
  }

  private lap(stage: 'normalise' | 'validate' | 'cache' | 'publish', since: number): number {
    const now = this.hrNow();
    this.timers?.[stage].observe((now - since) / 1000);
    return now;
  }

  private entryOf(exchangeType: number, token: string, known: Instrument | undefined): Entry | undefined {
    const byToken = this.entries[exchangeType];
    const found = byToken?.get(token);
    if (found !== undefined) return found;
    if (exchangeType < 0 || exchangeType > MAX_EXCHANGE_TYPE) return undefined;
    const instrument = known ?? this.lookup(exchangeType, token);
    if (instrument === undefined) return undefined;
    const enrichment = this.enricher.slot(instrument);
    const entry: Entry = {
      validation: this.validator.slot(instrument),
      enrichment,
      state: this.store.open(instrument, enrichment.context),
      normalise: instrument.kind === 'index' ? SEQUENCELESS : undefined,
    };
    if (byToken === undefined) {
      const map = new Map<string, Entry>([[token, entry]]);
      this.entries[exchangeType] = map;
    } else byToken.set(token, entry);
    return entry;
  }

  private onQualityChange(event: DataQualityEvent): void {
    const entry = this.entries[event.exchangeType]?.get(event.token);
    if (entry !== undefined) this.store.setQuality(entry.state, event.quality);
    this.pendingQuality.push(event);
  }

  private flushQuality(): void {
    const pending = this.pendingQuality;
    if (pending.length === 0) return;
    // Copy first: a handler may feed packets that queue more changes.
    const batch = pending.splice(0);
    for (const event of batch) this.bus.publish('market.quality', event);
  }
}
