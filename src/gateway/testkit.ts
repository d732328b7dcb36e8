import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { SimulatedClock } from '../core/clock.js';
import { IfError } from '../core/errors.js';
import { ComponentRegistry } from '../engine/lifecycle.js';
import type { AuditEntry, AuditLog, AuditQuery } from '../ops/audit.js';
import { createLogger } from '../ops/logger.js';
import { createMetricsRegistry } from '../ops/metrics.js';
import { createDatabase, migrateToLatest, type StorageDatabase, UserRepository } from '../storage/index.js';
import {
  type CredentialVault,
  createGateway,
  type GatewayDeps,
  type PlaceOrderRequest,
  type TradingActor,
  type TradingApi,
} from './app.js';
import { AuthService } from './auth/index.js';

/** Test fixtures for gateway tests (not part of the gateway's public face). */

/** 2026-03-02 09:15 IST in epoch ms */
export const T0 = Date.UTC(2026, 2, 2, 3, 45);
export const SECRET = 'a-test-secret-that-is-long-enough-32b';
export const PASSWORDS = {
  viewer1: 'viewer passphrase long',
  trader1: 'trader passphrase long',
  admin1: 'admin passphrase long!',
} as const;
export type TestUser = keyof typeof PASSWORDS;

/** An append-only audit log in memory, newest first on list, as the storage adapter behaves. */
export class MemoryAuditLog implements AuditLog {
  readonly entries: (AuditEntry & { id: number })[] = [];
  readonly queries: AuditQuery[] = [];

  async append(entry: AuditEntry): Promise<void> {
    this.entries.push({ ...entry, id: this.entries.length + 1 });
  }

  async list(query: AuditQuery): Promise<readonly (AuditEntry & { id: number })[]> {
    this.queries.push(query);
    return this.entries
      .filter((e) => query.actor === undefined || e.actor === query.actor)
      .filter((e) => query.action === undefined || e.action === query.action)
      .filter((e) => query.fromMs === undefined || e.atMs >= query.fromMs)
      .slice()
      .reverse()
      .slice(0, query.limit);
  }
}

/** Keeps values in clear (it is a test): the gateway must still never show them. */
export class MemoryVault implements CredentialVault {
  readonly values = new Map<string, { value: Readonly<Record<string, string>>; atMs: number }>();
  failing = false;

  constructor(private readonly clock: SimulatedClock) {}

  async put(name: string, value: Readonly<Record<string, string>>): Promise<void> {
    if (this.failing) throw new Error('vault storage is down');
    this.values.set(name, { value: { ...value }, atMs: this.clock.now() });
  }

  async has(name: string): Promise<boolean> {
    return this.values.has(name);
  }

  async updatedAtMs(name: string): Promise<number | undefined> {
    return this.values.get(name)?.atMs;
  }
}

interface FakeOrder {
  clientOrderId: string;
  status: string;
  token: string;
  side: string;
  quantity: number;
  limitPricePaise: number;
  idempotencyKey: string;
  placedBy: string;
}

/**
 * An order manager in memory: idempotent placement by key, a freeze-quantity refusal above 1,800 units,
 * and every call recorded with its actor.
 */
export class FakeTrading implements TradingApi {
  readonly calls: { method: string; args: unknown[] }[] = [];
  private readonly byId = new Map<string, FakeOrder>();
  private readonly byKey = new Map<string, FakeOrder>();
  private state: 'active' | 'halted' = 'active';
  limits: Record<string, unknown> = { maxOpenOrders: 20 };

  private note(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  orders(query: unknown) {
    this.note('orders', query);
    return { orders: [...this.byId.values()].reverse() };
  }

  order(id: string) {
    this.note('order', id);
    return this.byId.get(id);
  }

  place(order: PlaceOrderRequest, actor: TradingActor) {
    this.note('place', order, actor);
    const known = this.byKey.get(order.idempotencyKey);
    if (known !== undefined) return known;
    if (this.state === 'halted')
      throw new IfError('IF_ERR_RISK_HALTED', { trigger: 'manual', detail: 'kill switch' });
    if (order.quantity > 1_800) {
      throw new IfError('IF_ERR_RISK_DENIED', {
        rule: 'freeze-quantity',
        detail: `${order.quantity} > 1800`,
      });
    }
    const placed: FakeOrder = {
      clientOrderId: `IF-${this.byId.size + 1}`,
      status: 'submitted',
      token: order.token,
      side: order.side,
      quantity: order.quantity,
      limitPricePaise: order.limitPricePaise,
      idempotencyKey: order.idempotencyKey,
      placedBy: actor.id,
    };
    this.byId.set(placed.clientOrderId, placed);
    this.byKey.set(order.idempotencyKey, placed);
    return placed;
  }

  cancel(id: string, actor: TradingActor) {
    this.note('cancel', id, actor);
    const order = this.byId.get(id);
    if (order === undefined) throw new IfError('IF_ERR_NOT_FOUND', { what: `order ${id}` });
    order.status = 'cancelled';
    return order;
  }

  modify(id: string, change: unknown, actor: TradingActor) {
    this.note('modify', id, change, actor);
    const order = this.byId.get(id);
    if (order === undefined) throw new IfError('IF_ERR_NOT_FOUND', { what: `order ${id}` });
    Object.assign(order, change);
    return order;
  }

  positions() {
    this.note('positions');
    return { positions: [] };
  }

  pnl() {
    this.note('pnl');
    return { realisedPaise: 0, unrealisedPaise: 0 };
  }

  risk() {
    this.note('risk');
    return { trading: this.state, limits: this.limits };
  }

  setLimits(change: Record<string, unknown>, actor: TradingActor) {
    this.note('setLimits', change, actor);
    this.limits = { ...this.limits, ...change };
    return this.limits;
  }

  kill(actor: TradingActor, reason: string) {
    this.note('kill', actor, reason);
    this.state = 'halted';
    return { trading: this.state };
  }

  resume(actor: TradingActor, request: unknown) {
    this.note('resume', actor, request);
    if (actor.role !== 'admin')
      throw new IfError('IF_ERR_RISK_FORBIDDEN', {
        actor: actor.id,
        role: actor.role,
        command: 'resume',
        detail: 'admin only',
      });
    this.state = 'active';
    return { trading: this.state };
  }
}

/** Collects every log line written, to prove secrets never reach one. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    done();
  }
  get text(): string {
    return this.lines.join('');
  }
}

export interface Fixture {
  app: FastifyInstance;
  auth: AuthService;
  clock: SimulatedClock;
  audit: MemoryAuditLog;
  vault: MemoryVault;
  trading: FakeTrading;
  logs: LogCapture;
  /** a fresh access token of a test user */
  token(user: TestUser): Promise<string>;
  /** `{ authorization: 'Bearer …' }` for a test user */
  as(user: TestUser): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

/**
 * A gateway over an in-memory SQLite user store with viewer1, trader1 and admin1, an in-memory audit log,
 * vault and order manager, and a log capture at trace level. `overrides` replace any dependency.
 */
export async function gatewayFixture(overrides: Partial<GatewayDeps> = {}): Promise<Fixture> {
  const database: StorageDatabase = createDatabase({ sqliteFile: ':memory:' });
  await migrateToLatest(database);
  const clock = new SimulatedClock(T0);
  const logs = new LogCapture();
  const logger = createLogger({ level: 'trace' }, logs);
  // Tests log in more than 5 times a minute from one address.
  const auth = new AuthService({
    users: new UserRepository(database.db),
    clock,
    jwtSecret: SECRET,
    logger,
    loginLimit: { limit: 1_000, windowMs: 60_000 },
  });
  await auth.createUser('viewer1', PASSWORDS.viewer1, 'viewer');
  await auth.createUser('trader1', PASSWORDS.trader1, 'trader');
  await auth.createUser('admin1', PASSWORDS.admin1, 'admin');
  const audit = new MemoryAuditLog();
  const vault = new MemoryVault(clock);
  const trading = new FakeTrading();
  const app = createGateway({
    registry: new ComponentRegistry(),
    metrics: createMetricsRegistry({ defaults: false }),
    auth,
    audit,
    credentials: vault,
    trading,
    clock,
    logger,
    chain: (underlying, expiry) =>
      underlying === 'NIFTY' && (expiry === undefined || expiry === '2026-03-03')
        ? { summary: { atmStrike: 22_500 }, rows: [{ strike: 22_500 }] }
        : undefined,
    views: { feed: () => ({ packets: 5 }) },
    ...overrides,
  });
  const token = async (user: TestUser) => (await auth.login(user, PASSWORDS[user])).accessToken;
  return {
    app,
    auth,
    clock,
    audit,
    vault,
    trading,
    logs,
    token,
    as: async (user) => ({ authorization: `Bearer ${await token(user)}` }),
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}
