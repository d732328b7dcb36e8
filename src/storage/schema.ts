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

/** Latest state of each order; `body` is the whole `Order` as JSON, the other columns copies for queries. */
export interface OrdersTable {
  order_id: string;
  client_order_id: string;
  status: string;
  /** paper | angelone | backtest, when the caller named it */
  route: string | null;
  strategy: string | null;
  signal_id: string | null;
  /** instrument token */
  token: string;
  created_at_ms: number;
  updated_at_ms: number;
  seq: number;
  body: string;
}

/** Append-only trail of order transitions, keyed by (order_id, seq). */
export interface OrderEventsTable {
  order_id: string;
  seq: number;
  client_order_id: string;
  /** null only on the creation row */
  from_status: string | null;
  to_status: string;
  /** the event type, or `created` */
  cause: string;
  at_ms: number;
  /** JSON object of scalars */
  details: string;
}

/** Latest version of each signal (active, then its closed version); `body` is the `Signal` as JSON. */
export interface SignalsTable {
  id: string;
  strategy: string;
  underlying: string;
  status: string;
  created_at_ms: number;
  /** when it closed, else when it was created */
  updated_at_ms: number;
  body: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at_ms: number;
  actor: string;
  action: string;
  target: string;
  outcome: string;
  /** JSON object of scalars; never secrets */
  details: string;
}

/** Broker credentials sealed with AES-256-GCM (base64 fields); the plaintext is never stored. */
export interface BrokerCredentialsTable {
  name: string;
  ciphertext: string;
  iv: string;
  auth_tag: string;
  /** which key sealed it (first 8 hex of SHA-256 of the key) */
  key_id: string;
  updated_at_ms: number;
}

export interface StorageTables {
  instruments: InstrumentsTable;
  ticks: TicksTable;
  candles: CandlesTable;
  chain_snapshots: ChainSnapshotsTable;
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  orders: OrdersTable;
  order_events: OrderEventsTable;
  signals: SignalsTable;
  audit_log: AuditLogTable;
  broker_credentials: BrokerCredentialsTable;
}

/** Tables with time-based retention, each with the column that ages it. */
export const RETENTION_COLUMNS = {
  ticks: 'exchange_time_ms',
  candles: 'start_ms',
  chain_snapshots: 'taken_at_ms',
} as const;
