import { Counter, Gauge, type Registry } from 'prom-client';
import { SOCKET_STATES, type SocketState } from './socket.js';

/** What the metrics read at scrape time; all counts are cumulative. */
export interface FeedMetricsSource {
  packetsByMode(): Record<string, number>;
  rejectedByReason(): Record<string, number>;
  reconnects(): number;
  staleEvents(): number;
  connectionStates(): SocketState[];
  subscriptions(): number;
}

const NAMES = [
  'indexflow_feed_packets_total',
  'indexflow_feed_rejected_frames_total',
  'indexflow_feed_reconnects_total',
  'indexflow_feed_stale_total',
  'indexflow_feed_connections',
  'indexflow_feed_subscriptions',
] as const;

/**
 * Registers the feed metrics. Nothing on the tick path touches prom-client: the feed keeps plain
 * counters and each metric copies them in its `collect` at scrape time (STYLE: metrics never block the
 * market-data thread). Re-registering replaces an earlier feed's metrics in the same registry.
 */
export function registerFeedMetrics(registry: Registry, source: FeedMetricsSource): void {
  for (const name of NAMES) registry.removeSingleMetric(name);
  const exported = new Map<string, number>();
  // prom-client counters only go up; add what grew since the last scrape
  const advance = (counter: Counter<string>, key: string, total: number, labels?: Record<string, string>) => {
    const delta = total - (exported.get(key) ?? 0);
    if (delta <= 0) return;
    exported.set(key, total);
    if (labels === undefined) counter.inc(delta);
    else counter.inc(labels, delta);
  };

  new Counter({
    name: 'indexflow_feed_packets_total',
    help: 'Market-data packets decoded, by subscription mode',
    labelNames: ['mode'],
    registers: [registry],
    collect() {
      for (const [mode, total] of Object.entries(source.packetsByMode()))
        advance(this, `packets:${mode}`, total, { mode });
    },
  });
  new Counter({
    name: 'indexflow_feed_rejected_frames_total',
    help: 'Binary frames rejected by the decoder, by reason code',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      for (const [reason, total] of Object.entries(source.rejectedByReason()))
        advance(this, `rejected:${reason}`, total, { reason });
    },
  });
  new Counter({
    name: 'indexflow_feed_reconnects_total',
    help: 'Feed reconnects scheduled (after a close, failure, refusal or stale socket)',
    registers: [registry],
    collect() {
      advance(this, 'reconnects', source.reconnects());
    },
  });
  new Counter({
    name: 'indexflow_feed_stale_total',
    help: 'Feed sockets declared stale by the watchdog',
    registers: [registry],
    collect() {
      advance(this, 'stale', source.staleEvents());
    },
  });
  new Gauge({
    name: 'indexflow_feed_connections',
    help: 'Feed connections by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const counts = new Map<SocketState, number>(SOCKET_STATES.map((state) => [state, 0]));
      for (const state of source.connectionStates()) counts.set(state, (counts.get(state) ?? 0) + 1);
      for (const [state, count] of counts) this.set({ state }, count);
    },
  });
  new Gauge({
    name: 'indexflow_feed_subscriptions',
    help: 'Subscribed (token, mode) pairs',
    registers: [registry],
    collect() {
      this.set(source.subscriptions());
    },
  });
}
