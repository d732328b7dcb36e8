import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ComponentRegistry } from '../../engine/lifecycle.js';
import type { Registry } from '../../ops/metrics.js';

/** Liveness, readiness and Prometheus metrics: open, for local operations (bind the gateway accordingly). */
export function opsRoutes(registry: ComponentRegistry, metrics: Registry): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/health/live',
      {
        schema: {
          tags: ['ops'],
          summary: 'Liveness: 200 while the process runs',
          response: { 200: z.object({ status: z.literal('live') }) },
        },
      },
      async () => ({ status: 'live' as const }),
    );

    app.get(
      '/health/ready',
      {
        schema: {
          tags: ['ops'],
          summary: 'Readiness: 200 when every critical component runs, else 503',
          response: {
            200: ReadySchema,
            503: ReadySchema,
          },
        },
      },
      async (_request, reply) => {
        const report = registry.readiness();
        reply.code(report.ready ? 200 : 503);
        return {
          status: report.ready ? ('ready' as const) : ('not-ready' as const),
          components: report.components,
        };
      },
    );

    app.get(
      '/metrics',
      { schema: { tags: ['ops'], summary: 'Prometheus text exposition (indexflow_* and process metrics)' } },
      async (_request, reply) => {
        reply.header('content-type', metrics.contentType);
        return metrics.metrics();
      },
    );
  };
}

const ReadySchema = z.object({
  status: z.enum(['ready', 'not-ready']),
  components: z
    .record(
      z.string(),
      z.object({
        state: z.string().describe('starting, running, degraded, stopping, stopped or failed'),
        critical: z.boolean(),
        detail: z.string().optional(),
        facts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
      }),
    )
    .describe('per component'),
});
