import type { Kysely } from 'kysely';
import { AuditLogRepository } from './auditLog.js';
import { BrokerCredentialRepository } from './brokerCredentials.js';
import { CandleRepository } from './candles.js';
import { ChainSnapshotRepository } from './chainSnapshots.js';
import type { DialectName, StorageDatabase } from './database.js';
import { InstrumentRepository } from './instruments.js';
import { OrderRepository } from './orders.js';
import type { StorageTables } from './schema.js';
import { SignalRepository } from './signals.js';
import { TickRepository } from './ticks.js';
import { UserRepository } from './users.js';

export interface Repositories {
  instruments: InstrumentRepository;
  ticks: TickRepository;
  candles: CandleRepository;
  chainSnapshots: ChainSnapshotRepository;
  users: UserRepository;
  orders: OrderRepository;
  signals: SignalRepository;
  auditLog: AuditLogRepository;
  brokerCredentials: BrokerCredentialRepository;
}

/** Repositories over a database or a transaction (a Kysely `Transaction` is a Kysely). */
export function createRepositories(db: Kysely<StorageTables>, dialect: DialectName): Repositories {
  return {
    instruments: new InstrumentRepository(db),
    ticks: new TickRepository(db, dialect),
    candles: new CandleRepository(db),
    chainSnapshots: new ChainSnapshotRepository(db),
    users: new UserRepository(db),
    orders: new OrderRepository(db),
    signals: new SignalRepository(db),
    auditLog: new AuditLogRepository(db),
    brokerCredentials: new BrokerCredentialRepository(db),
  };
}

/** Runs `work` in one transaction: everything it writes through `repos` commits together or not at all. */
export function inTransaction<R>(
  database: StorageDatabase,
  work: (repos: Repositories) => Promise<R>,
): Promise<R> {
  return database.db.transaction().execute((trx) => work(createRepositories(trx, database.dialect)));
}
