import type { Insertable, Kysely, Selectable } from 'kysely';
import { IfError } from '../core/errors.js';
import type { OrderMeta, OrderStore } from '../execution/ports.js';
import {
  type ClientOrderId,
  isTerminal,
  ORDER_STATUSES,
  type Order,
  type OrderAuditEvent,
  type OrderId,
  type OrderStatus,
  parseClientOrderId,
} from '../execution/orders/index.js';
import { decodeBody, decodeDetails, detailsProblem, encodeBody } from './bodyJson.js';
import { assertRows, corrupt, intProblem, isUniqueViolation, textProblem } from './checks.js';
import type { OrderEventsTable, OrdersTable, StorageTables } from './schema.js';

const STATUSES: ReadonlySet<string> = new Set(ORDER_STATUSES);
const OPEN_STATUSES = ORDER_STATUSES.filter((s) => !isTerminal(s));
const DAY = /^\d{6}$/;

function isStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && STATUSES.has(value);
}

function optionalTextProblem(field: string, value: unknown): string | undefined {
  return value === undefined ? undefined : textProblem(field, value);
}

/** Why an order cannot be stored (the columns copied out of it must be sound; the body is the rest). */
export function orderProblem(order: Order): string | undefined {
  return (
    textProblem('orderId', order.orderId) ??
    textProblem('clientOrderId', order.clientOrderId) ??
    (isStatus(order.status) ? undefined : `status "${String(order.status)}" is not an order status`) ??
    textProblem('instrument.token', order.instrument?.token) ??
    intProblem('seq', order.seq, 1) ??
    intProblem('createdAtMs', order.createdAtMs, 0) ??
    intProblem('updatedAtMs', order.updatedAtMs, order.createdAtMs) ??
    intProblem('quantity', order.quantity, 1) ??
    intProblem('filledQuantity', order.filledQuantity, 0) ??
    intProblem('filledNotionalPaise', order.filledNotionalPaise, 0)
  );
}

function metaProblem(meta: OrderMeta): string | undefined {
  return (
    optionalTextProblem('meta.route', meta.route) ??
    optionalTextProblem('meta.strategy', meta.strategy) ??
    optionalTextProblem('meta.signalId', meta.signalId)
  );
}

/** Why an audit row cannot be stored with `order`: it must belong to it and not run ahead of it. */
function auditProblem(order: Order, e: OrderAuditEvent): string | undefined {
  if (e.orderId !== order.orderId) return `audit row is for order ${e.orderId}, not ${order.orderId}`;
  if (e.clientOrderId !== order.clientOrderId) {
    return `audit row carries client order id ${e.clientOrderId}, not ${order.clientOrderId}`;
  }
  return (
    intProblem('seq', e.seq, 1) ??
    (e.seq > order.seq ? `audit seq ${e.seq} is ahead of the order's seq ${order.seq}` : undefined) ??
    (e.from === null || isStatus(e.from) ? undefined : `from "${String(e.from)}" is not an order status`) ??
    (isStatus(e.to) ? undefined : `to "${String(e.to)}" is not an order status`) ??
    textProblem('cause', e.cause) ??
    intProblem('atMs', e.atMs, 0) ??
    detailsProblem('details', e.details)
  );
}

function invalid(table: string, detail: string, cause?: unknown): IfError {
  return new IfError('IF_ERR_STORAGE_INVALID_ROW', { table, detail }, { cause });
}

function conflict(table: string, detail: string, cause?: unknown): IfError {
  return new IfError('IF_ERR_STORAGE_CONFLICT', { table, detail }, { cause });
}

function orderRow(order: Order, meta: OrderMeta): Insertable<OrdersTable> {
  let body: string;
  try {
    body = encodeBody(order);
  } catch (error) {
    throw invalid(
      'orders',
      `order ${order.orderId}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return {
    order_id: order.orderId,
    client_order_id: order.clientOrderId,
    status: order.status,
    route: meta.route ?? null,
    strategy: meta.strategy ?? null,
    signal_id: meta.signalId ?? null,
    token: order.instrument.token,
    created_at_ms: order.createdAtMs,
    updated_at_ms: order.updatedAtMs,
    seq: order.seq,
    body,
  };
}

function eventRow(e: OrderAuditEvent): Insertable<OrderEventsTable> {
  return {
    order_id: e.orderId,
    seq: e.seq,
    client_order_id: e.clientOrderId,
    from_status: e.from,
    to_status: e.to,
    cause: e.cause,
    at_ms: e.atMs,
    details: JSON.stringify(e.details),
  };
}

function orderFromRow(r: Pick<Selectable<OrdersTable>, 'order_id' | 'status' | 'seq' | 'body'>): Order {
  const body = decodeBody('orders', `order ${r.order_id}`, r.body);
  // The columns are copies of the body; if they disagree something other than this repository wrote here.
  if (body['orderId'] !== r.order_id || body['status'] !== r.status || body['seq'] !== r.seq) {
    throw corrupt('orders', `body of order ${r.order_id} disagrees with its id, status or seq columns`);
  }
  return body as unknown as Order;
}

function eventFromRow(r: Selectable<OrderEventsTable>): OrderAuditEvent {
  const key = `order ${r.order_id} seq ${r.seq}`;
  if (!isStatus(r.to_status) || (r.from_status !== null && !isStatus(r.from_status))) {
    throw corrupt('order_events', `${key} has an unknown status`);
  }
  return {
    seq: r.seq,
    orderId: r.order_id as OrderId,
    clientOrderId: r.client_order_id as ClientOrderId,
    from: r.from_status,
    to: r.to_status,
    cause: r.cause as OrderAuditEvent['cause'],
    atMs: r.at_ms,
    details: decodeDetails('order_events', key, r.details),
  };
}

const ORDER_COLUMNS = ['order_id', 'status', 'seq', 'body'] as const;

/**
 * The order store: one row per order holding its latest state, and the insert-only trail of its
 * transitions. Over a transaction (see `inTransaction`) `append` joins it; otherwise it opens its own.
 */
export class OrderRepository implements OrderStore {
  constructor(private readonly db: Kysely<StorageTables>) {}

  /**
   * Upserts the order and inserts its audit rows atomically. Fails with IF_ERR_STORAGE_CONFLICT, writing
   * nothing, when an audit (order, seq) is already stored, another order holds the client order id, or the
   * stored order is newer (higher seq) than this one. Meta given here is kept; absent meta keeps what is
   * stored.
   */
  async append(order: Order, audit: readonly OrderAuditEvent[], meta: OrderMeta = {}): Promise<void> {
    assertRows('orders', [order], orderProblem);
    const problem = metaProblem(meta);
    if (problem !== undefined) throw invalid('orders', `order ${order.orderId}: ${problem}`);
    assertRows('order_events', audit, (e) => auditProblem(order, e));
    const row = orderRow(order, meta);
    const events = audit.map(eventRow);
    if (this.db.isTransaction) return this.write(this.db, order, row, events);
    return this.db.transaction().execute((trx) => this.write(trx, order, row, events));
  }

  private async write(
    db: Kysely<StorageTables>,
    order: Order,
    row: Insertable<OrdersTable>,
    events: Insertable<OrderEventsTable>[],
  ): Promise<void> {
    const key = `order ${order.orderId} (${order.clientOrderId}) seq ${order.seq}`;
    let upserted: bigint | undefined;
    try {
      const result = await db
        .insertInto('orders')
        .values(row)
        .onConflict((oc) =>
          oc
            .column('order_id')
            .doUpdateSet((eb) => ({
              client_order_id: eb.ref('excluded.client_order_id'),
              status: eb.ref('excluded.status'),
              route: eb.fn.coalesce('excluded.route', 'orders.route'),
              strategy: eb.fn.coalesce('excluded.strategy', 'orders.strategy'),
              signal_id: eb.fn.coalesce('excluded.signal_id', 'orders.signal_id'),
              token: eb.ref('excluded.token'),
              created_at_ms: eb.ref('excluded.created_at_ms'),
              updated_at_ms: eb.ref('excluded.updated_at_ms'),
              seq: eb.ref('excluded.seq'),
              body: eb.ref('excluded.body'),
            }))
            // A late writer holding an older state must not overwrite a newer one.
            .where('orders.seq', '<=', (eb) => eb.ref('excluded.seq')),
        )
        .executeTakeFirst();
      upserted = result.numInsertedOrUpdatedRows;
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw conflict('orders', `${key}: another order already holds this client order id`, error);
      }
      throw error;
    }
    if (upserted === 0n) throw conflict('orders', `${key}: a newer state of the order is already stored`);
    if (events.length === 0) return;
    try {
      await db.insertInto('order_events').values(events).execute();
    } catch (error) {
      if (isUniqueViolation(error)) {
        const seqs = events.map((e) => e.seq).join(', ');
        throw conflict('order_events', `${key}: an audit row with seq ${seqs} is already stored`, error);
      }
      throw error;
    }
  }

  /** Orders not in a terminal state, oldest first. */
  async openOrders(): Promise<readonly Order[]> {
    const rows = await this.db
      .selectFrom('orders')
      .select(ORDER_COLUMNS)
      .where('status', 'in', OPEN_STATUSES)
      .orderBy('created_at_ms')
      .orderBy('client_order_id')
      .execute();
    return rows.map(orderFromRow);
  }

  /** Orders created in [fromMs, toMs), newest first (ties: the later client order id first). */
  async ordersBetween(fromMs: number, toMs: number): Promise<readonly Order[]> {
    const rows = await this.db
      .selectFrom('orders')
      .select(ORDER_COLUMNS)
      .where('created_at_ms', '>=', fromMs)
      .where('created_at_ms', '<', toMs)
      .orderBy('created_at_ms', 'desc')
      .orderBy('client_order_id', 'desc')
      .execute();
    return rows.map(orderFromRow);
  }

  async order(orderId: OrderId): Promise<Order | undefined> {
    const row = await this.db
      .selectFrom('orders')
      .select(ORDER_COLUMNS)
      .where('order_id', '=', orderId)
      .executeTakeFirst();
    return row === undefined ? undefined : orderFromRow(row);
  }

  async orderByClientId(clientOrderId: ClientOrderId): Promise<Order | undefined> {
    const row = await this.db
      .selectFrom('orders')
      .select(ORDER_COLUMNS)
      .where('client_order_id', '=', clientOrderId)
      .executeTakeFirst();
    return row === undefined ? undefined : orderFromRow(row);
  }

  /** The order's transition trail, by seq. */
  async audit(orderId: OrderId): Promise<readonly OrderAuditEvent[]> {
    const rows = await this.db
      .selectFrom('order_events')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('seq')
      .execute();
    return rows.map(eventFromRow);
  }

  /** Route, strategy and signal id stored with the order (keys absent when never given). */
  async meta(orderId: OrderId): Promise<OrderMeta | undefined> {
    const row = await this.db
      .selectFrom('orders')
      .select(['route', 'strategy', 'signal_id'])
      .where('order_id', '=', orderId)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      ...(row.route === null ? {} : { route: row.route }),
      ...(row.strategy === null ? {} : { strategy: row.strategy }),
      ...(row.signal_id === null ? {} : { signalId: row.signal_id }),
    };
  }

  /**
   * Our client order ids (see clientOrderId.ts) whose date part is `day` (`YYMMDD`), sorted. The prefix
   * has 1–4 letters, so the date sits at no fixed offset: the query narrows by substring and the parser
   * decides. It scans the table, which is fine once per start.
   */
  async clientOrderIdsOn(day: string): Promise<readonly ClientOrderId[]> {
    if (!DAY.test(day))
      throw new IfError('IF_ERR_VALIDATION', { detail: `day must be YYMMDD, got "${day}"` });
    const rows = await this.db
      .selectFrom('orders')
      .select('client_order_id')
      .where('client_order_id', 'like', `%${day}%`)
      .execute();
    return rows
      .map((r) => r.client_order_id)
      .filter((id) => parseClientOrderId(id)?.day === day)
      .sort() as ClientOrderId[];
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
