import { IfError } from '../core/errors.js';

/**
 * Row checks shared by the repositories and the batch writers. They return a reason instead of throwing
 * so the batch writer can count and drop a bad item at `enqueue`: a row the database would reject must
 * never reach a batch, or that batch would fail, be retried, and block every row behind it.
 */
export type RowCheck<T> = (row: T) => string | undefined;

export function intProblem(field: string, value: unknown, min: number): string | undefined {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return `${field} must be a safe integer`;
  if (value < min) return `${field} must be >= ${min}, got ${value}`;
  return undefined;
}

export function optionalIntProblem(field: string, value: unknown, min: number): string | undefined {
  return value === undefined ? undefined : intProblem(field, value, min);
}

export function textProblem(field: string, value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? undefined : `${field} must be a non-empty string`;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isoDateProblem(field: string, value: unknown): string | undefined {
  return typeof value === 'string' && ISO_DATE.test(value) ? undefined : `${field} must be YYYY-MM-DD`;
}

/** Throws the first problem of any row, for the repositories' direct (non-batched) writes. */
export function assertRows<T>(table: string, rows: readonly T[], check: RowCheck<T>): void {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row === undefined) continue;
    const problem = check(row);
    if (problem !== undefined) {
      throw new IfError('IF_ERR_STORAGE_INVALID_ROW', { table, detail: `row ${i}: ${problem}` });
    }
  }
}

/** A stored value that breaks what the schema promises (written by something other than us). */
export function corrupt(table: string, detail: string): IfError {
  return new IfError('IF_ERR_STORAGE_CORRUPT', { table, detail });
}

/** Splits rows so a multi-row statement stays under the driver's bind-parameter limit. */
export function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * Rows per multi-row INSERT. SQLite allows 32,766 bound parameters per statement and PostgreSQL 65,535;
 * staying well below both keeps one code path for either.
 */
export function rowsPerStatement(columns: number): number {
  return Math.max(1, Math.floor(20_000 / columns));
}

/**
 * Whether a database error is a primary-key or unique-constraint violation, on either dialect
 * (better-sqlite3: `SQLITE_CONSTRAINT_PRIMARYKEY` / `_UNIQUE`; PostgreSQL: SQLSTATE 23505).
 */
export function isUniqueViolation(error: unknown): boolean {
  if (error === null || typeof error !== 'object' || !('code' in error)) return false;
  const { code } = error;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
