/**
 * The audit trail of human and admin actions (orders placed by hand, kill switch, risk limits, users,
 * broker credentials). Order state transitions have their own append-only trail (`OrderAuditEvent`).
 */
export interface AuditEntry {
  /** engine-clock epoch ms */
  readonly atMs: number;
  /** username, or `system` for automatic actions */
  readonly actor: string;
  /** dotted verb, e.g. `order.place`, `risk.kill`, `risk.resume`, `user.add`, `credentials.put` */
  readonly action: string;
  /** what it acted on (order id, username, limit name), or '' */
  readonly target: string;
  /** outcome: `ok`, or the error code that refused it */
  readonly outcome: string;
  /** small facts; never secrets */
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
}

export interface AuditQuery {
  readonly limit: number;
  readonly actor?: string;
  readonly action?: string;
  /** entries at or after this time */
  readonly fromMs?: number;
}

/** Where audit entries go; the storage adapter implements it (append-only). */
export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  /** newest first */
  list(query: AuditQuery): Promise<readonly (AuditEntry & { readonly id: number })[]>;
}
