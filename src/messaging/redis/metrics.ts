import { Counter, Gauge, type Registry } from 'prom-client';
import type { RedisMirrorStats } from './mirror.js';

const NAMES = [
  'indexflow_redis_mirror_flushes_total',
  'indexflow_redis_mirror_keys_written_total',
  'indexflow_redis_mirror_flush_failures_total',
  'indexflow_redis_mirror_resyncs_total',
  'indexflow_redis_mirror_rejected_values_total',
  'indexflow_redis_mirror_connected',
  'indexflow_redis_mirror_dirty_keys',
  'indexflow_redis_mirror_keys',
] as const;

/**
 * Registers the mirror's metrics. As with the feed metrics, `set` never touches prom-client: the mirror
 * keeps plain counters and the metrics copy them at scrape time. Re-registering replaces an earlier
 * mirror's metrics in the same registry.
 */
export function registerRedisMirrorMetrics(registry: Registry, stats: () => RedisMirrorStats): void {
  for (const name of NAMES) registry.removeSingleMetric(name);
  const exported = new Map<string, number>();
  // prom-client counters only go up; add what grew since the last scrape
  const advance = (counter: Counter<string>, key: keyof RedisMirrorStats, total: number) => {
    const delta = total - (exported.get(key) ?? 0);
    if (delta <= 0) return;
    exported.set(key, total);
    counter.inc(delta);
  };
  const counter = (name: string, help: string, key: keyof RedisMirrorStats & string) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const value = stats()[key];
        if (typeof value === 'number') advance(this, key, value);
      },
    });

  counter('indexflow_redis_mirror_flushes_total', 'Successful flushes of dirty keys to Redis', 'flushes');
  counter(
    'indexflow_redis_mirror_keys_written_total',
    'Keys written to Redis (after conflation)',
    'keysWritten',
  );
  counter(
    'indexflow_redis_mirror_flush_failures_total',
    'Flushes that failed or timed out (their keys are retried)',
    'flushFailures',
  );
  counter(
    'indexflow_redis_mirror_resyncs_total',
    'Full rewrites of every key after a (re)connect',
    'resyncs',
  );
  counter(
    'indexflow_redis_mirror_rejected_values_total',
    'Values that could not be serialized to JSON and were dropped',
    'rejectedValues',
  );
  new Gauge({
    name: 'indexflow_redis_mirror_connected',
    help: '1 while the mirror has a ready Redis connection, else 0',
    registers: [registry],
    collect() {
      this.set(stats().connected ? 1 : 0);
    },
  });
  new Gauge({
    name: 'indexflow_redis_mirror_dirty_keys',
    help: 'Keys changed since their last successful write (bounded by the number of keys)',
    registers: [registry],
    collect() {
      this.set(stats().dirty);
    },
  });
  new Gauge({
    name: 'indexflow_redis_mirror_keys',
    help: 'Distinct keys the mirror holds the latest value of',
    registers: [registry],
    collect() {
      this.set(stats().keys);
    },
  });
}
