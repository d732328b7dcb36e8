import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../ops/logger.js';
import type { AuditEntry, AuditLog } from '../ops/audit.js';
import { refusalCode } from './errors.js';
import { principalOf } from './guard.js';

export type AuditDetails = AuditEntry['details'];

interface Note {
  target?: string;
  details?: AuditDetails;
}

const notes = new WeakMap<FastifyRequest, Note>();

/**
 * What an audited route acted on and small facts about it (never secrets), for the entry the audit hook
 * writes after the response. Later calls add to earlier ones.
 */
export function auditNote(request: FastifyRequest, note: Note): void {
  const previous = notes.get(request);
  notes.set(request, {
    ...previous,
    ...note,
    details: { ...previous?.details, ...note.details },
  });
}

function defaultTarget(request: FastifyRequest): string {
  const params: unknown = request.params;
  if (typeof params !== 'object' || params === null) return '';
  const record = params as Record<string, unknown>;
  const value = record['id'] ?? record['username'];
  return typeof value === 'string' ? value : '';
}

export interface AuditHookOptions {
  audit: AuditLog | undefined;
  clock: Clock;
  logger: Logger | undefined;
}

/**
 * After each response of a route that declares `config: { audit: 'action.name' }`, appends
 * {actor, action, target, outcome: 'ok' or the refusing IF_ERR_* code}. Unauthenticated calls (401) are
 * not recorded: they have no actor, and anyone could fill the trail with them. A failing audit store is
 * logged and never changes the answer the client already has.
 */
export function installAuditHook(app: FastifyInstance, options: AuditHookOptions): void {
  const { audit, clock, logger } = options;
  if (audit === undefined) return;
  app.addHook('onResponse', async (request, reply) => {
    const action = request.routeOptions.config.audit;
    if (action === undefined || reply.statusCode === 401) return;
    const note = notes.get(request);
    const entry: AuditEntry = {
      atMs: clock.now(),
      actor: principalOf(request)?.username ?? 'anonymous',
      action,
      target: note?.target ?? defaultTarget(request),
      outcome: reply.statusCode < 400 ? 'ok' : (refusalCode(request) ?? `HTTP_${reply.statusCode}`),
      details: note?.details ?? {},
    };
    try {
      await audit.append(entry);
    } catch (error) {
      logger?.error({ err: error, action, actor: entry.actor }, 'audit entry could not be written');
    }
  });
}
