import type { Insertable, Kysely, Selectable } from 'kysely';
import { IfError } from '../core/errors.js';
import type { Signal, SignalStatus } from '../signals/types.js';
import { decodeBody, encodeBody } from './bodyJson.js';
import { assertRows, corrupt, intProblem, textProblem } from './checks.js';
import type { SignalsTable, StorageTables } from './schema.js';

const SIGNAL_STATUSES: ReadonlySet<string> = new Set<SignalStatus>([
  'active',
  'target-hit',
  'stopped',
  'expired',
  'cancelled',
]);

/** Why a signal cannot be stored. */
export function signalProblem(s: Signal): string | undefined {
  return (
    textProblem('id', s.id) ??
    textProblem('strategy', s.strategy) ??
    textProblem('underlying', s.underlying) ??
    (SIGNAL_STATUSES.has(s.status) ? undefined : `status "${String(s.status)}" is not a signal status`) ??
    intProblem('createdAtMs', s.createdAtMs, 0) ??
    (s.status === 'active' || s.closed !== undefined ? undefined : `a ${s.status} signal needs closed`) ??
    (s.closed === undefined ? undefined : intProblem('closed.atMs', s.closed.atMs, s.createdAtMs)) ??
    (Array.isArray(s.contributions) ? undefined : 'contributions must be an array')
  );
}

function toRow(s: Signal): Insertable<SignalsTable> {
  return {
    id: s.id,
    strategy: s.strategy,
    underlying: s.underlying,
    status: s.status,
    created_at_ms: s.createdAtMs,
    updated_at_ms: s.closed?.atMs ?? s.createdAtMs,
    body: encodeBody(s),
  };
}

function fromRow(r: Pick<Selectable<SignalsTable>, 'id' | 'status' | 'body'>): Signal {
  const body = decodeBody('signals', `signal ${r.id}`, r.body);
  if (body['id'] !== r.id || body['status'] !== r.status || !Array.isArray(body['contributions'])) {
    throw corrupt('signals', `body of signal ${r.id} disagrees with its columns or has no contributions`);
  }
  return body as unknown as Signal;
}

const COLUMNS = ['id', 'status', 'body'] as const;

/**
 * Signals as they were proposed and how they ended: one row per signal id holding its latest version
 * (the active one, then its closed one), the whole `Signal` with its contributions as JSON.
 */
export class SignalRepository {
  constructor(private readonly db: Kysely<StorageTables>) {}

  /**
   * Inserts or replaces the signal with this id. A closed signal is never reopened: an `active` version
   * arriving after the closed one (a late or repeated write) is ignored.
   */
  async upsert(signal: Signal): Promise<void> {
    assertRows('signals', [signal], signalProblem);
    let row: Insertable<SignalsTable>;
    try {
      row = toRow(signal);
    } catch (error) {
      const detail = `signal ${signal.id}: ${error instanceof Error ? error.message : String(error)}`;
      throw new IfError('IF_ERR_STORAGE_INVALID_ROW', { table: 'signals', detail });
    }
    await this.db
      .insertInto('signals')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({
            strategy: eb.ref('excluded.strategy'),
            underlying: eb.ref('excluded.underlying'),
            status: eb.ref('excluded.status'),
            created_at_ms: eb.ref('excluded.created_at_ms'),
            updated_at_ms: eb.ref('excluded.updated_at_ms'),
            body: eb.ref('excluded.body'),
          }))
          .where((eb) => eb.or([eb('signals.status', '=', 'active'), eb('excluded.status', '<>', 'active')])),
      )
      .execute();
  }

  /** The newest `limit` signals by creation time, newest first. */
  async recent(limit: number): Promise<Signal[]> {
    const problem = intProblem('limit', limit, 1);
    if (problem !== undefined) throw new IfError('IF_ERR_VALIDATION', { detail: problem });
    const rows = await this.db
      .selectFrom('signals')
      .select(COLUMNS)
      .orderBy('created_at_ms', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }

  async byId(id: string): Promise<Signal | undefined> {
    const row = await this.db.selectFrom('signals').select(COLUMNS).where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  }

  /** Signals created in [fromMs, toMs), oldest first (the order they fired in). */
  async between(fromMs: number, toMs: number): Promise<Signal[]> {
    const rows = await this.db
      .selectFrom('signals')
      .select(COLUMNS)
      .where('created_at_ms', '>=', fromMs)
      .where('created_at_ms', '<', toMs)
      .orderBy('created_at_ms')
      .orderBy('id')
      .execute();
    return rows.map(fromRow);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('signals')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
