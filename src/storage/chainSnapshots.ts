import type { Insertable, Kysely, Selectable } from 'kysely';
import { IfError } from '../core/errors.js';
import {
  assertRows,
  chunks,
  corrupt,
  intProblem,
  isoDateProblem,
  optionalIntProblem,
  rowsPerStatement,
  textProblem,
} from './checks.js';
import type { ChainSnapshotsTable, StorageTables } from './schema.js';

/**
 * One option chain as it stood at `takenAtMs`. `rows` is whatever the chain builder emits per strike;
 * it must be plain JSON data (objects, arrays, strings, finite numbers, booleans, null) and is stored as
 * JSON text, so the warehouse does not change shape when the chain row type grows a field.
 */
export interface ChainSnapshotInput {
  underlying: string;
  /** `YYYY-MM-DD` (IST) */
  expiry: string;
  takenAtMs: number;
  spotPaise: number | undefined;
  forwardPaise: number | undefined;
  rows: readonly unknown[];
}

export interface StoredChainSnapshot {
  id: number;
  underlying: string;
  expiry: string;
  takenAtMs: number;
  spotPaise: number | undefined;
  forwardPaise: number | undefined;
  /** parsed JSON; the reader validates it against its own row schema */
  rows: unknown[];
}

type Row = Selectable<ChainSnapshotsTable>;

// JSON.stringify writes NaN and Infinity as null, silently; a chain with NaN in it is a bug upstream.
function strictJson(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new RangeError(`non-finite number ${value}`);
  return value;
}

function rowsProblem(rows: unknown): string | undefined {
  if (!Array.isArray(rows)) return 'rows must be an array';
  try {
    JSON.stringify(rows, strictJson);
    return undefined;
  } catch (error) {
    return `rows are not plain JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Why a snapshot cannot be stored. O(rows): it serialises the rows once to prove they are plain JSON
 * (snapshots arrive every few seconds per chain, not per tick).
 */
export function chainSnapshotProblem(s: ChainSnapshotInput): string | undefined {
  return (
    textProblem('underlying', s.underlying) ??
    isoDateProblem('expiry', s.expiry) ??
    intProblem('takenAtMs', s.takenAtMs, 1) ??
    optionalIntProblem('spotPaise', s.spotPaise, 0) ??
    optionalIntProblem('forwardPaise', s.forwardPaise, 0) ??
    rowsProblem(s.rows)
  );
}

function toRow(s: ChainSnapshotInput): Insertable<ChainSnapshotsTable> {
  return {
    underlying: s.underlying,
    expiry: s.expiry,
    taken_at_ms: s.takenAtMs,
    spot_paise: s.spotPaise ?? null,
    forward_paise: s.forwardPaise ?? null,
    // Already proven plain JSON by chainSnapshotProblem, so the fast native path is safe here.
    payload: JSON.stringify(s.rows),
  };
}

function fromRow(r: Row): StoredChainSnapshot {
  let rows: unknown;
  try {
    rows = JSON.parse(r.payload);
  } catch {
    throw corrupt('chain_snapshots', `payload of snapshot ${r.id} is not JSON`);
  }
  if (!Array.isArray(rows)) throw corrupt('chain_snapshots', `payload of snapshot ${r.id} is not an array`);
  return {
    id: r.id,
    underlying: r.underlying,
    expiry: r.expiry,
    takenAtMs: r.taken_at_ms,
    spotPaise: r.spot_paise ?? undefined,
    forwardPaise: r.forward_paise ?? undefined,
    rows,
  };
}

const COLUMNS = 6;

/** The option-chain warehouse: snapshots per (underlying, expiry) over time. */
export class ChainSnapshotRepository {
  constructor(private readonly db: Kysely<StorageTables>) {}

  /** Stores one snapshot and returns its id. */
  async insert(snapshot: ChainSnapshotInput): Promise<number> {
    assertRows('chain_snapshots', [snapshot], chainSnapshotProblem);
    const row = await this.db
      .insertInto('chain_snapshots')
      .values(toRow(snapshot))
      .returning('id')
      .executeTakeFirst();
    if (row === undefined) {
      throw new IfError('IF_ERR_INTERNAL', { detail: 'chain snapshot insert returned no id' });
    }
    return row.id;
  }

  /** Stores snapshots in order (the batch writer's path). Returns how many were written. */
  async insertMany(snapshots: readonly ChainSnapshotInput[]): Promise<number> {
    if (snapshots.length === 0) return 0;
    assertRows('chain_snapshots', snapshots, chainSnapshotProblem);
    for (const part of chunks(snapshots, rowsPerStatement(COLUMNS))) {
      await this.db.insertInto('chain_snapshots').values(part.map(toRow)).execute();
    }
    return snapshots.length;
  }

  /** The most recent snapshot of a chain (ties on time: the one stored last). */
  async latest(underlying: string, expiry: string): Promise<StoredChainSnapshot | undefined> {
    const row = await this.db
      .selectFrom('chain_snapshots')
      .selectAll()
      .where('underlying', '=', underlying)
      .where('expiry', '=', expiry)
      .orderBy('taken_at_ms', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  }

  /** Snapshots of a chain with `fromMs <= takenAtMs < toMs`, oldest first. */
  async range(
    underlying: string,
    expiry: string,
    fromMs: number,
    toMs: number,
  ): Promise<StoredChainSnapshot[]> {
    const rows = await this.db
      .selectFrom('chain_snapshots')
      .selectAll()
      .where('underlying', '=', underlying)
      .where('expiry', '=', expiry)
      .where('taken_at_ms', '>=', fromMs)
      .where('taken_at_ms', '<', toMs)
      .orderBy('taken_at_ms')
      .orderBy('id')
      .execute();
    return rows.map(fromRow);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('chain_snapshots')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
