import Fastify, { type FastifyInstance } from 'fastify';
import type { ComponentRegistry } from '../engine/lifecycle.js';
import type { Registry } from '../ops/metrics.js';

export interface GatewayDeps {
  registry: ComponentRegistry;
  metrics: Registry;
  /** extra JSON views mounted under /api/v1 (e.g. feed statistics) */
  views?: Record<string, () => unknown>;
}

/**
 * The HTTP face of the engine. This first cut serves health, metrics and read-only views; the
 * gateway issue grows it into the full REST API, SignalR-compatible hub and dashboard.
 */
export function createGateway(deps: GatewayDeps): FastifyInstance {
  const app = Fastify({ logger: false });

  app.get('/health/live', async () => ({ status: 'live' }));

  app.get('/health/ready', async (_request, reply) => {
    const report = deps.registry.readiness();
    reply.code(report.ready ? 200 : 503);
    return { status: report.ready ? 'ready' : 'not-ready', components: report.components };
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', deps.metrics.contentType);
    return deps.metrics.metrics();
  });

  for (const [name, view] of Object.entries(deps.views ?? {})) {
    app.get(`/api/v1/${name}`, async () => view());
  }

  return app;
}
