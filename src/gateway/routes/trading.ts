import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IfError } from '../../core/errors.js';
import type { UserRole } from '../../storage/index.js';
import { type AuditDetails, auditNote } from '../audit.js';
import { principalOrThrow } from '../guard.js';
import { AnyJson, EpochMsQuery, errorResponses } from '../schemas.js';

/** Who asks for a trading action: the signed-in user (`id` is the username), as the risk engine's Actor. */
export interface TradingActor {
  readonly id: string;
  readonly role: UserRole;
}

const PAISE_MAX = 1_000_000_000_000; // ₹1,000 crore: far above any price, far below 2^53
const Paise = z.number().int().positive().max(PAISE_MAX);
const IdempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{8,64}$/, 'idempotencyKey must be 8-64 of letters, digits, ".", "_", ":" or "-"')
  .describe('client-chosen key: the same key twice places one order');
const UNDERLYING = /^[A-Z][A-Z0-9&-]{0,19}$/;

const PlaceOrderBody = z.strictObject({
  token: z
    .string()
    .regex(/^[0-9]{1,20}$/, 'token must be a numeric instrument token')
    .describe('instrument token from the instrument master'),
  side: z.enum(['BUY', 'SELL']),
  quantity: z.number().int().positive().max(10_000_000).describe('units (lots × lot size), not lots'),
  limitPricePaise: Paise.describe('limit price in paise (algo orders are limit orders)'),
  triggerPricePaise: Paise.optional().describe('stop-loss trigger in paise'),
  product: z.enum(['INTRADAY', 'CARRYFORWARD']),
  idempotencyKey: IdempotencyKey.optional().describe('required here or as the Idempotency-Key header'),
});

export type PlaceOrderRequest = Omit<z.output<typeof PlaceOrderBody>, 'idempotencyKey'> & {
  idempotencyKey: string;
};

const ModifyOrderBody = z
  .strictObject({
    quantity: z.number().int().positive().max(10_000_000).optional().describe('new total units'),
    limitPricePaise: Paise.optional(),
    triggerPricePaise: Paise.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'give quantity, limitPricePaise or triggerPricePaise',
  });

export type ModifyOrderRequest = z.output<typeof ModifyOrderBody>;

const OrdersQuery = z.object({
  status: z.enum(['open', 'all']).default('all').describe('open: not yet in a terminal state'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  fromMs: EpochMsQuery.optional().describe('created at or after (epoch ms)'),
  toMs: EpochMsQuery.optional().describe('created before (epoch ms)'),
});

export type OrderQuery = z.output<typeof OrdersQuery>;

const Positive = z.number().int().positive();
const NonNegative = z.number().int().min(0);
const Percent = z.number().min(0).max(100);

/** The limits an admin may change; fields given replace the current values, the rest stay. */
const RiskLimitsBody = z
  .strictObject({
    freezeQuantity: z
      .record(z.string().regex(UNDERLYING, 'underlying must be upper case, e.g. NIFTY'), Positive)
      .optional()
      .describe('maximum units per order by underlying'),
    freezeQuantityAsOf: z.iso.date().optional(),
    priceBand: z
      .strictObject({
        percent: Percent.optional(),
        absolutePaise: NonNegative.optional(),
        absoluteBelowPaise: NonNegative.optional(),
        maxQuoteAgeMs: Positive.optional(),
        marketProtectionPercent: Percent.optional(),
      })
      .optional(),
    orderRate: z
      .array(z.strictObject({ limit: Positive, windowMs: Positive }))
      .min(1)
      .max(10)
      .optional()
      .describe('order messages per window per exchange segment'),
    maxOpenOrders: Positive.optional(),
    maxLotsPerUnderlying: z
      .strictObject({
        default: NonNegative.optional(),
        byUnderlying: z.record(z.string().regex(UNDERLYING), NonNegative).optional(),
      })
      .optional(),
    maxPremiumAtRiskPaise: NonNegative.max(PAISE_MAX).optional(),
    maxDailyLossPaise: NonNegative.max(PAISE_MAX).optional(),
    dailyLossReduceFraction: z.number().min(0).max(1).optional(),
    margin: z
      .strictObject({
        spanPercent: Percent.optional(),
        exposurePercent: Percent.optional(),
        expiryDayExtraPercent: Percent.optional(),
      })
      .optional(),
    rejectStorm: z.strictObject({ count: Positive.optional(), windowMs: Positive.optional() }).optional(),
    logoutOnHalt: z.enum(['manual', 'always', 'never']).optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'give at least one limit' });

export type RiskLimitsChange = z.output<typeof RiskLimitsBody>;

const KillBody = z.strictObject({
  reason: z.string().trim().min(1, 'reason is required').max(200),
});

const ResumeBody = z.strictObject({
  to: z.enum(['active', 'reducing']).default('active'),
  reason: z.string().trim().min(1).max(200).default('resumed from the API'),
});

export type ResumeRequest = z.output<typeof ResumeBody>;

type Result = unknown | Promise<unknown>;

/**
 * What the gateway needs from the order manager and the risk engine. Methods return plain JSON-able
 * values or throw IfError (IF_ERR_NOT_FOUND, IF_ERR_RISK_DENIED, IF_ERR_RISK_HALTED, IF_ERR_ORDER_*, …),
 * which the gateway answers with the error's status. Actions take the signed-in actor, for the risk
 * engine's own role rules and its audit trail.
 */
export interface TradingApi {
  /** orders, newest first */
  orders(query: OrderQuery): Result;
  /** one order by its client order id; undefined (or IF_ERR_NOT_FOUND) when unknown */
  order(id: string): Result;
  /** places a limit order; the same idempotencyKey again returns the first order, placing nothing */
  place(order: PlaceOrderRequest, actor: TradingActor): Result;
  cancel(id: string, actor: TradingActor): Result;
  modify(id: string, change: ModifyOrderRequest, actor: TradingActor): Result;
  positions(): Result;
  pnl(): Result;
  /** trading state (active, reducing, halted), limits and usage */
  risk(): Result;
  setLimits(change: RiskLimitsChange, actor: TradingActor): Result;
  /** halts trading: cancels working orders (the kill switch) */
  kill(actor: TradingActor, reason: string): Result;
  /** leaves halted or reducing; the risk engine lets only an admin do it */
  resume(actor: TradingActor, request: ResumeRequest): Result;
}

function actorOf(request: FastifyRequest): TradingActor {
  const { username, role } = principalOrThrow(request);
  return { id: username, role };
}

/** Scalar fields of a body, for audit details (nested objects are named, not copied). */
function scalars(body: Readonly<Record<string, unknown>>): AuditDetails {
  const details: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined) continue;
    details[key] =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? value
        : JSON.stringify(value).slice(0, 200);
  }
  return details;
}

const OrderResponse = AnyJson.describe('the order: client order id, state, quantities, prices in paise');
const IdParams = z.object({
  id: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'id must be a client order id'),
});

/**
 * Orders (trader), positions and P&L (trader), risk state (trader), limits and resume (admin), kill
 * switch (trader: anyone who may trade may stop trading, as the risk engine allows). Without a `trading`
 * implementation every route answers 503 IF_ERR_UNAVAILABLE after authorisation.
 */
export function tradingRoutes(trading: TradingApi | undefined): FastifyPluginAsyncZod {
  const need = (): TradingApi => {
    if (trading === undefined) {
      throw new IfError('IF_ERR_UNAVAILABLE', {
        what: 'trading',
        detail: 'this process runs no order manager',
      });
    }
    return trading;
  };

  return async (app) => {
    app.get(
      '/api/v1/orders',
      {
        config: { role: 'trader' },
        schema: {
          tags: ['trading'],
          summary: 'Orders, newest first',
          querystring: OrdersQuery,
          response: { 200: AnyJson.describe('the orders'), ...errorResponses(400, 401, 403, 503) },
        },
      },
      async (request) => need().orders(request.query),
    );

    app.post(
      '/api/v1/orders',
      {
        config: { role: 'trader', audit: 'order.place' },
        schema: {
          tags: ['trading'],
          summary: 'Place a limit order (through pre-trade risk checks)',
          description:
            'Needs an idempotency key, in the body or the Idempotency-Key header (equal when both are given): a retry with the same key returns the first order and places nothing.',
          headers: z.looseObject({ 'idempotency-key': IdempotencyKey.optional() }),
          body: PlaceOrderBody,
          response: { 201: OrderResponse, ...errorResponses(400, 401, 403, 409, 422, 423, 429, 503) },
        },
      },
      async (request, reply) => {
        const { idempotencyKey: inBody, ...order } = request.body;
        const inHeader = request.headers['idempotency-key'];
        if (inBody !== undefined && inHeader !== undefined && inBody !== inHeader) {
          throw new IfError('IF_ERR_VALIDATION', {
            detail: 'idempotencyKey in the body and the Idempotency-Key header differ',
          });
        }
        const idempotencyKey = inBody ?? inHeader;
        if (idempotencyKey === undefined) {
          throw new IfError('IF_ERR_VALIDATION', {
            detail: 'body.idempotencyKey or the Idempotency-Key header is required',
          });
        }
        auditNote(request, { target: idempotencyKey, details: scalars(order) });
        const placed = await need().place({ ...order, idempotencyKey }, actorOf(request));
        const id = (placed as { clientOrderId?: unknown } | null)?.clientOrderId;
        if (typeof id === 'string') auditNote(request, { target: id, details: { idempotencyKey } });
        return reply.code(201).send(placed);
      },
    );

    app.get(
      '/api/v1/orders/:id',
      {
        config: { role: 'trader' },
        schema: {
          tags: ['trading'],
          summary: 'One order',
          params: IdParams,
          response: { 200: OrderResponse, ...errorResponses(400, 401, 403, 404, 503) },
        },
      },
      async (request) => {
        const found = await need().order(request.params.id);
        if (found === undefined)
          throw new IfError('IF_ERR_NOT_FOUND', { what: `order ${request.params.id}` });
        return found;
      },
    );

    app.delete(
      '/api/v1/orders/:id',
      {
        config: { role: 'trader', audit: 'order.cancel' },
        schema: {
          tags: ['trading'],
          summary: 'Cancel an order',
          params: IdParams,
          response: { 200: OrderResponse, ...errorResponses(400, 401, 403, 404, 409, 423, 429, 503) },
        },
      },
      async (request) => need().cancel(request.params.id, actorOf(request)),
    );

    app.patch(
      '/api/v1/orders/:id',
      {
        config: { role: 'trader', audit: 'order.modify' },
        schema: {
          tags: ['trading'],
          summary: "Modify an order's quantity or prices",
          params: IdParams,
          body: ModifyOrderBody,
          response: { 200: OrderResponse, ...errorResponses(400, 401, 403, 404, 409, 422, 423, 429, 503) },
        },
      },
      async (request) => {
        auditNote(request, { details: scalars(request.body) });
        return need().modify(request.params.id, request.body, actorOf(request));
      },
    );

    for (const [path, summary, read] of [
      ['positions', 'Open and closed positions of the day', () => need().positions()],
      ['pnl', 'Realised and unrealised P&L net of charges (paise)', () => need().pnl()],
      ['risk', 'Trading state (active, reducing, halted), limits and their usage', () => need().risk()],
    ] as const) {
      app.get(
        `/api/v1/${path}`,
        {
          config: { role: 'trader' },
          schema: {
            tags: ['trading'],
            summary,
            response: { 200: AnyJson, ...errorResponses(401, 403, 503) },
          },
        },
        async () => read(),
      );
    }

    app.put(
      '/api/v1/risk/limits',
      {
        config: { role: 'admin', audit: 'risk.limits' },
        schema: {
          tags: ['trading'],
          summary: 'Change risk limits (fields given replace the current values)',
          body: RiskLimitsBody,
          response: {
            200: AnyJson.describe('the limits now in force'),
            ...errorResponses(400, 401, 403, 503),
          },
        },
      },
      async (request) => {
        auditNote(request, { target: 'risk-limits', details: scalars(request.body) });
        return need().setLimits(request.body, actorOf(request));
      },
    );

    app.post(
      '/api/v1/risk/kill',
      {
        config: { role: 'trader', audit: 'risk.kill' },
        schema: {
          tags: ['trading'],
          summary: 'Kill switch: halt trading and cancel every working order',
          body: KillBody,
          response: {
            200: AnyJson.describe('the risk state after the halt'),
            ...errorResponses(400, 401, 403, 503),
          },
        },
      },
      async (request) => {
        auditNote(request, { target: 'trading', details: { reason: request.body.reason } });
        return need().kill(actorOf(request), request.body.reason);
      },
    );

    app.post(
      '/api/v1/risk/resume',
      {
        config: { role: 'admin', audit: 'risk.resume' },
        // A POST without a body arrives as null: resuming needs no body, every field has a default.
        preValidation: async (request) => {
          const raw = request as { body: unknown };
          raw.body ??= {};
        },
        schema: {
          tags: ['trading'],
          summary: 'Resume trading after a halt (to active or reducing)',
          body: ResumeBody,
          response: {
            200: AnyJson.describe('the risk state after resuming'),
            ...errorResponses(400, 401, 403, 503),
          },
        },
      },
      async (request) => {
        auditNote(request, {
          target: 'trading',
          details: { to: request.body.to, reason: request.body.reason },
        });
        return need().resume(actorOf(request), request.body);
      },
    );
  };
}
