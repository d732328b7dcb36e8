export {
  createDatabase,
  redactDatabaseUrl,
  type CreateDatabaseOptions,
  type DialectName,
  type StorageDatabase,
} from './database.js';
export {
  migrateDownToEmpty,
  migrateToLatest,
  storageMigrations,
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
  type MigrationReport,
} from './migrations.js';
export type { StorageTables } from './schema.js';
export type { RowCheck } from './checks.js';
export { InstrumentRepository, instrumentProblem } from './instruments.js';
export { TickRepository, tickProblem } from './ticks.js';
export { CandleRepository, candleProblem, type CandleRecord } from './candles.js';
export {
  ChainSnapshotRepository,
  chainSnapshotProblem,
  type ChainSnapshotInput,
  type StoredChainSnapshot,
} from './chainSnapshots.js';
export { createRepositories, inTransaction, type Repositories } from './repositories.js';
export {
  DAY_MS,
  deleteOlderThan,
  purgeOlderThan,
  type PurgeOptions,
  type PurgeResult,
  type RetentionDays,
} from './retention.js';
export { BatchWriter, type BatchWriterOptions, type BatchWriterStats } from './batchWriter.js';
export { StorageComponent, type StorageComponentOptions, type StorageWriters } from './component.js';
export {
  isUserRole,
  type NewRefreshToken,
  type NewUser,
  type StoredRefreshToken,
  type StoredUser,
  USER_ROLES,
  UserRepository,
  type UserRole,
} from './users.js';
export { OrderRepository, orderProblem } from './orders.js';
export { SignalRepository, signalProblem } from './signals.js';
export { AuditLogRepository, auditEntryProblem } from './auditLog.js';
export { BrokerCredentialRepository, sealedSecretProblem } from './brokerCredentials.js';
