import { Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** A registry with Node's default process metrics (event-loop lag, GC, RSS) prefixed `indexflow_`. */
export function createMetricsRegistry(options: { defaults?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.defaults ?? true) collectDefaultMetrics({ register: registry, prefix: 'indexflow_' });
  return registry;
}
