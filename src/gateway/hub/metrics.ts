import { Counter, Gauge, type Registry } from '../../ops/metrics.js';
import type { HubStats } from './hub.js';
import { CLOSE_REASONS } from './settings.js';
import { ALL_TRANSPORTS } from './transports.js';

type CounterField =
  | 'published'
  | 'updatesSent'
  | 'updatesConflated'
  | 'flushesDeferred'
  | 'encodeFailures'
  | 'bytesSent'
  | 'bytesReceived'
  | 'messagesReceived'
  | 'invocationErrors'
  | 'authFailures'
  | 'handshakeFailures';

const COUNTERS: readonly [CounterField, string, string][] = [
  ['published', 'indexflow_hub_published_total', 'publish() calls'],
  ['updatesSent', 'indexflow_hub_updates_sent_total', 'update invocations written to clients'],
  ['updatesConflated', 'indexflow_hub_updates_conflated_total', 'pending updates replaced by a newer value'],
  ['flushesDeferred', 'indexflow_hub_flushes_deferred_total', 'flushes put off because a socket was full'],
  ['encodeFailures', 'indexflow_hub_encode_failures_total', 'updates whose payload could not be encoded'],
  ['bytesSent', 'indexflow_hub_sent_bytes_total', 'bytes handed to transports'],
  ['bytesReceived', 'indexflow_hub_received_bytes_total', 'bytes received from clients'],
  ['messagesReceived', 'indexflow_hub_messages_received_total', 'hub messages received from clients'],
  ['invocationErrors', 'indexflow_hub_invocation_errors_total', 'hub method calls answered with an error'],
  ['authFailures', 'indexflow_hub_auth_failures_total', 'requests refused for a missing or bad token'],
  ['handshakeFailures', 'indexflow_hub_handshake_failures_total', 'failed or timed-out handshakes'],
];

/**
 * Registers the hub's metrics. Values are read from `stats()` at scrape time, so publishing costs
 * nothing extra on the hot path.
 */
export function registerHubMetrics(registry: Registry, stats: () => HubStats): void {
  for (const [field, name, help] of COUNTERS) {
    let reported = 0;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const value = stats()[field];
        if (value > reported) this.inc(value - reported);
        reported = value;
      },
    });
  }

  const closedReported = new Map<string, number>();
  new Counter({
    name: 'indexflow_hub_connections_closed_total',
    help: 'connections closed, by reason (slow_client, client_timeout, … are drops)',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      const closed = stats().closed;
      for (const reason of CLOSE_REASONS) {
        const value = closed[reason];
        const before = closedReported.get(reason) ?? 0;
        if (value > before) this.inc({ reason }, value - before);
        else if (before === 0) this.inc({ reason }, 0);
        closedReported.set(reason, value);
      }
    },
  });

  new Gauge({
    name: 'indexflow_hub_connections',
    help: 'connections past the handshake, by transport',
    labelNames: ['transport'],
    registers: [registry],
    collect() {
      const byTransport = stats().connectionsByTransport;
      for (const transport of ALL_TRANSPORTS) this.set({ transport }, byTransport[transport]);
    },
  });

  const gauges: readonly [keyof HubStats, string, string][] = [
    ['subscriptions', 'indexflow_hub_subscriptions', '(connection, channel) subscriptions'],
    ['channels', 'indexflow_hub_channels', 'channels with at least one subscriber'],
    ['pendingUpdates', 'indexflow_hub_pending_updates', 'updates waiting in conflation buffers'],
    ['connecting', 'indexflow_hub_connecting', 'negotiated connections not yet past the handshake'],
  ];
  for (const [field, name, help] of gauges) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const value = stats()[field];
        if (typeof value === 'number') this.set(value);
      },
    });
  }
}
