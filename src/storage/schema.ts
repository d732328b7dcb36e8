import type { Generated } from 'kysely';

/**
 * Row types of every table, as Kysely sees them. Column names are snake_case in the database and mapped
 * to the camelCase domain types by hand in each repository (cheaper than a renaming plugin per row).
 * Times are epoch ms and money is integer paise, stored as BIGINT on PostgreSQL and INTEGER on SQLite;
 * both come back as JS numbers (see the int8 parser in database.ts).
 */
export interface InstrumentsTable {
  token: string;
  /** instrument-master segment (NSE, NFO, …); with `token` the primary key */
  exchange: string;
  exchange_type: number;
  symbol: string;
  name: string;
  kind: string;
  instrument_type: string;
  /** ISO date `YYYY-MM-DD` (IST) */
  expiry: string | null;
  strike_paise: number | null;
  option_type: string | null;
  lot_size: number;
  tick_size_paise: number;
  updated_at_ms: number;
}

export interface TicksTable {
  /** insertion order; the last tie-breaker for replay order and the cursor of paged reads */
  id: Generated<number>;
  token: string;
  exchange_type: number;
  exchange_time_ms: number;
  received_at_ms: number;
  sequence: number;
  last_price: number;
  last_quantity: number;
  volume: number;
  average_price: number;
  open_interest: number | null;
  last_trade_time_ms: number | null;
}

export interface CandlesTable {
  id: Generated<number>;
  token: string;
  /** interval label, e.g. `1s`, `1m`, `15m` */
  interval: string;
  start_ms: number;
  end_ms: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  open_interest: number | null;
  trades: number;
}

export interface ChainSnapshotsTable {
  id: Generated<number>;
  underlying: string;
  expiry: string;
  taken_at_ms: number;
  spot_paise: number | null;
  forward_paise: number | null;
  /** JSON text of the chain rows: text rather than jsonb so one schema serves both dialects */
  payload: string;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  /** argon2id PHC string */
  password_hash: string;
  /** viewer | trader | admin */
  role: string;
  created_at_ms: number;
  /** 0 or 1 (SQLite has no boolean) */
  disabled: Generated<number>;
}

export interface RefreshTokensTable {
  id: Generated<number>;
  user_id: number;
  /** sha-256 hex of the opaque token; the token itself is never stored */
  token_hash: string;
  /** shared by every rotation of one login */
  family_id: string;
  created_at_ms: number;
  expires_at_ms: number;
  revoked_at_ms: number | null;
  /** id of the token that replaced this one on rotation */
  replaced_by: number | null;
}

export interface StorageTables {
  instruments: InstrumentsTable;
  ticks: TicksTable;
  candles: CandlesTable;
  chain_snapshots: ChainSnapshotsTable;
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
}

/** Tables with time-based retention, each with the column that ages it. */
export const RETENTION_COLUMNS = {
  ticks: 'exchange_time_ms',
  candles: 'start_ms',
  chain_snapshots: 'taken_at_ms',
} as const;
