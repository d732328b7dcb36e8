import { Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { type ComponentHealth, ComponentRegistry } from '../engine/lifecycle.js';
import { createMetricsRegistry } from '../ops/metrics.js';
import { createGateway } from './app.js';

describe('gateway health and metrics', () => {
  it('reports readiness per component and serves Prometheus text', async () => {
    const registry = new ComponentRegistry();
    let state: ComponentHealth['state'] = 'running';
    registry.add({
      name: 'feed',
      critical: true,
      start: async () => {},
      stop: async () => {},
      health: () => ({ state, detail: state === 'running' ? undefined : 'stale' }),
    });
    const metrics = createMetricsRegistry({ defaults: false });
    new Counter({ name: 'indexflow_test_total', help: 'test', registers: [metrics] }).inc(3);
    const app = createGateway({ registry, metrics, views: { 'feed/stats': () => ({ packets: 5 }) } });

    expect((await app.inject('/health/live')).statusCode).toBe(200);
    const ready = await app.inject('/health/ready');
    expect(ready.statusCode, 'ready while the feed runs').toBe(200);
    state = 'degraded';
    const notReady = await app.inject('/health/ready');
    expect(notReady.statusCode, 'not ready when the feed is degraded').toBe(503);
    expect(notReady.json().components.feed.detail).toBe('stale');
    const text = (await app.inject('/metrics')).body;
    expect(text).toContain('indexflow_test_total 3');
    const view = await app.inject('/api/v1/feed/stats');
    expect(view.statusCode, 'without a user store no API route can be authorised: fail closed').toBe(503);
    expect(view.json().error.code).toBe('IF_ERR_UNAVAILABLE');
    await app.close();
  });
});
