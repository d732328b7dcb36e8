import type { Insertable, Kysely, Selectable } from 'kysely';
import { IfError } from '../core/errors.js';
import type { AuditEntry, AuditLog, AuditQuery } from '../ops/audit.js';
import { decodeDetails, detailsProblem } from './bodyJson.js';
import { assertRows, intProblem, textProblem } from './checks.js';
import type { AuditLogTable, StorageTables } from './schema.js';

/** Why an audit entry cannot be stored. `target` may be empty; the rest must be named. */
export function auditEntryProblem(e: AuditEntry): string | undefined {
  return (
    intProblem('atMs', e.atMs, 0) ??
    textProblem('actor', e.actor) ??
    textProblem('action', e.action) ??
    (typeof e.target === 'string' ? undefined : 'target must be a string') ??
    textProblem('outcome', e.outcome) ??
    detailsProblem('details', e.details)
  );
}

function toRow(e: AuditEntry): Insertable<AuditLogTable> {
  return {
    at_ms: e.atMs,
    actor: e.actor,
    action: e.action,
    target: e.target,
    outcome: e.outcome,
    details: JSON.stringify(e.details),
  };
}

function fromRow(r: Selectable<AuditLogTable>): AuditEntry & { readonly id: number } {
  return {
    id: r.id,
    atMs: r.at_ms,
    actor: r.actor,
    action: r.action,
    target: r.target,
    outcome: r.outcome,
    details: decodeDetails('audit_log', `entry ${r.id}`, r.details),
  };
}

/** The append-only audit log of human and admin actions (the `AuditLog` port). */
export class AuditLogRepository implements AuditLog {
  constructor(private readonly db: Kysely<StorageTables>) {}

  async append(entry: AuditEntry): Promise<void> {
    assertRows('audit_log', [entry], auditEntryProblem);
    await this.db.insertInto('audit_log').values(toRow(entry)).execute();
  }

  /** Entries matching every given filter (exact actor and action, at or after `fromMs`), newest first. */
  async list(query: AuditQuery): Promise<readonly (AuditEntry & { readonly id: number })[]> {
    const problem = intProblem('limit', query.limit, 1) ?? intProblem('fromMs', query.fromMs ?? 0, 0);
    if (problem !== undefined) throw new IfError('IF_ERR_VALIDATION', { detail: problem });
    let q = this.db.selectFrom('audit_log').selectAll();
    if (query.actor !== undefined) q = q.where('actor', '=', query.actor);
    if (query.action !== undefined) q = q.where('action', '=', query.action);
    if (query.fromMs !== undefined) q = q.where('at_ms', '>=', query.fromMs);
    // id breaks ties on time: of two entries in the same ms, the one appended later is newer.
    const rows = await q.orderBy('at_ms', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map(fromRow);
  }
}
