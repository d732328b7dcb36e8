import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DataQuality, ValidationReason } from '../events.js';

/** What the pipeline metrics read at scrape time; all counts are cumulative. */
export interface PipelineMetricsSource {
  dropped(): Readonly<Record<ValidationReason, number>>;
  flagged(): Readonly<Record<ValidationReason, number>>;
  acceptedByType(): Readonly<Record<'tick' | 'quote' | 'depth', number>>;
  rejectedFrames(): ReadonlyMap<string, number>;
  stageErrors(): number;
  qualities(): Readonly<Record<DataQuality, number>>;
}

/** Pipeline stages with a latency histogram; a packet's stages run in this order. */
export const PIPELINE_STAGES = ['decode', 'normalise', 'validate', 'cache', 'publish'] as const;
export type PipelineStageName = (typeof PIPELINE_STAGES)[number];

/** Per-stage histograms, one child per stage so a sample costs no label lookup. */
export type StageTimers = Readonly<Record<PipelineStageName, { observe(seconds: number): void }>>;

const NAMES = [
  'indexflow_market_events_total',
  'indexflow_market_events_dropped_total',
  'indexflow_market_events_flagged_total',
  'indexflow_market_frames_rejected_total',
  'indexflow_market_stage_errors_total',
  'indexflow_market_instruments',
  'indexflow_market_stage_seconds',
] as const;

/** 100 ns … 1 ms: a healthy stage is well under a microsecond, a GC pause shows up at the top. */
const STAGE_BUCKETS = [1e-7, 2.5e-7, 5e-7, 1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 1e-4, 1e-3];

/**
 * Registers the market-data pipeline metrics and returns the stage timers. Counters and gauges copy the
 * pipeline's plain counters at scrape time (nothing on the tick path touches prom-client); only the
 * sampled stage latencies are observed live. Re-registering replaces an earlier pipeline's metrics.
 */
export function registerPipelineMetrics(registry: Registry, source: PipelineMetricsSource): StageTimers {
  for (const name of NAMES) registry.removeSingleMetric(name);
  const exported = new Map<string, number>();
  // prom-client counters only go up; add what grew since the last scrape
  const advance = (counter: Counter<string>, key: string, total: number, labels: Record<string, string>) => {
    const delta = total - (exported.get(key) ?? 0);
    if (delta <= 0) return;
    exported.set(key, total);
    counter.inc(labels, delta);
  };
  const advanceAll = (
    counter: Counter<string>,
    prefix: string,
    label: string,
    totals: Record<string, number>,
  ) => {
    for (const [value, total] of Object.entries(totals))
      advance(counter, `${prefix}:${value}`, total, { [label]: value });
  };

  new Counter({
    name: 'indexflow_market_events_total',
    help: 'Market events accepted by validation and published, by type',
    labelNames: ['type'],
    registers: [registry],
    collect() {
      advanceAll(this, 'events', 'type', source.acceptedByType());
    },
  });
  new Counter({
    name: 'indexflow_market_events_dropped_total',
    help: 'Market events dropped by validation, by reason',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      advanceAll(this, 'dropped', 'reason', source.dropped());
    },
  });
  new Counter({
    name: 'indexflow_market_events_flagged_total',
    help: 'Market events accepted with a flag (and instruments gone stale), by reason',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      advanceAll(this, 'flagged', 'reason', source.flagged());
    },
  });
  new Counter({
    name: 'indexflow_market_frames_rejected_total',
    help: 'Raw frames the pipeline could not decode, by error code',
    labelNames: ['code'],
    registers: [registry],
    collect() {
      for (const [code, total] of source.rejectedFrames()) advance(this, `rejected:${code}`, total, { code });
    },
  });
  new Counter({
    name: 'indexflow_market_stage_errors_total',
    help: 'Exceptions thrown by extra pipeline stages (caught; the event is still published)',
    registers: [registry],
    collect() {
      advance(this, 'stageErrors', source.stageErrors(), {});
    },
  });
  new Gauge({
    name: 'indexflow_market_instruments',
    help: 'Instruments by data quality',
    labelNames: ['quality'],
    registers: [registry],
    collect() {
      for (const [quality, count] of Object.entries(source.qualities())) this.set({ quality }, count);
    },
  });
  const histogram = new Histogram({
    name: 'indexflow_market_stage_seconds',
    help: 'Time per packet in each pipeline stage, sampled (one packet in latencySampleEvery)',
    labelNames: ['stage'],
    buckets: STAGE_BUCKETS,
    registers: [registry],
  });
  return {
    decode: histogram.labels({ stage: 'decode' }),
    normalise: histogram.labels({ stage: 'normalise' }),
    validate: histogram.labels({ stage: 'validate' }),
    cache: histogram.labels({ stage: 'cache' }),
    publish: histogram.labels({ stage: 'publish' }),
  };
}
