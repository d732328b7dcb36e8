import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IfError } from '../../core/errors.js';
import type { AuditLog } from '../../ops/audit.js';
import { EpochMsQuery, errorResponses } from '../schemas.js';

const AuditEntrySchema = z
  .object({
    id: z.number().int(),
    atMs: z.number().int().describe('epoch ms'),
    actor: z.string().describe('username, or system'),
    action: z.string().describe('e.g. order.place, risk.kill, user.add, credentials.put'),
    target: z.string().describe("order id, username, … or ''"),
    outcome: z.string().describe('ok, or the IF_ERR_* code that refused it'),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  })
  .meta({ id: 'AuditEntry' });

/** Admin: `GET /api/v1/audit`, newest first. */
export function auditRoutes(audit: AuditLog | undefined): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/audit',
      {
        config: { role: 'admin' },
        schema: {
          tags: ['admin'],
          summary: 'The audit trail of admin and order actions, newest first',
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(1000).default(100),
            actor: z.string().min(1).max(64).optional(),
            action: z.string().min(1).max(64).optional(),
            fromMs: EpochMsQuery.optional().describe('entries at or after this time (epoch ms)'),
          }),
          response: {
            200: z.object({ entries: z.array(AuditEntrySchema) }),
            ...errorResponses(400, 401, 403, 503),
          },
        },
      },
      async (request) => {
        if (audit === undefined) {
          throw new IfError('IF_ERR_UNAVAILABLE', { what: 'the audit log', detail: 'no audit store' });
        }
        const { limit, actor, action, fromMs } = request.query;
        const entries = await audit.list({
          limit,
          ...(actor !== undefined ? { actor } : {}),
          ...(action !== undefined ? { action } : {}),
          ...(fromMs !== undefined ? { fromMs } : {}),
        });
        return { entries: entries.map((e) => ({ ...e, details: { ...e.details } })) };
      },
    );
  };
}
