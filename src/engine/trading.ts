import type { AngelRestClient } from '../brokers/angelone/rest/index.js';
import { AngelExecutionClient } from '../brokers/angelone/execution/index.js';
import type { AngelOrderUpdatesClient } from '../brokers/angelone/orderupdates/index.js';
import { PaperBroker, PaperExecutionClient } from '../brokers/paper/index.js';
import type { Clock } from '../core/clock.js';
import { IfError } from '../core/errors.js';
import type { Instrument } from '../core/instrument.js';
import { paise } from '../core/money.js';
import type { Config } from '../config/index.js';
import { OrderManager } from '../execution/manager/manager.js';
import { orderFromSignal } from '../execution/manager/sizing.js';
import type {
  InstrumentLookup,
  ManagedOrderStore,
  MarketView,
  OrdersQuery,
} from '../execution/manager/types.js';
import { type ClientOrderId, type OrderId, orderInstrumentOf } from '../execution/orders/index.js';
import type { ExecutionClient } from '../execution/ports.js';
import type { MarketEvent } from '../feed/events.js';
import type { InstrumentMarketState } from '../feed/state/index.js';
import type { PlaceOrderRequest, TradingApi } from '../gateway/app.js';
import type { Logger } from '../ops/logger.js';
import type { AuditLog } from '../ops/audit.js';
import { DEFAULT_RISK_LIMITS, type RiskLimits, riskLimitsProblems } from '../risk/index.js';
import type { Signal } from '../signals/index.js';

export type ExecutionConfig = Config['execution'];

export interface TradingOptions {
  readonly config: ExecutionConfig;
  /** engine clock (simulated exchange time on the simulator) */
  readonly clock: Clock;
  readonly logger: Logger;
  readonly store: ManagedOrderStore;
  readonly auditLog?: AuditLog;
  /** every instrument of the master (lot size, tick, segment); orders for others are refused */
  readonly instruments: readonly Instrument[];
  /** latest pipeline state of an instrument */
  readonly state: (exchangeType: number, token: string) => InstrumentMarketState | undefined;
  /** for the Angel One route */
  readonly angel?: { readonly rest: AngelRestClient; readonly orderUpdates: AngelOrderUpdatesClient };
}

export interface Trading {
  readonly manager: OrderManager;
  readonly route: 'paper' | 'angelone';
  /** every accepted market event (the paper venue fills against it) */
  onMarketEvent(event: MarketEvent): void;
  /** engine clock ticks (paper latency, observe) */
  onClock(nowMs: number): void;
  /** a new or closed signal: new ones are sized and placed when auto-trading is on */
  onSignal(signal: Signal): void;
  readonly api: TradingApi;
  close(): Promise<void>;
}

/**
 * A partial change of the limits: nested sections (price band, margin, reject storm, freeze quantities
 * and lots per underlying) merge field by field, so changing one number never drops its neighbours (a
 * dropped freeze entry would refuse that underlying); lists (order-rate windows) replace.
 */
export function mergeLimits(current: RiskLimits, change: Readonly<Record<string, unknown>>): RiskLimits {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) continue;
    const before = (current as unknown as Record<string, unknown>)[key];
    const nested = typeof value === 'object' && value !== null && !Array.isArray(value);
    next[key] =
      nested && typeof before === 'object' && before !== null ? { ...before, ...(value as object) } : value;
  }
  return next as unknown as RiskLimits;
}

function notFound(what: string): IfError {
  return new IfError('IF_ERR_NOT_FOUND', { what });
}

/**
 * The trading side of the platform: risk → order manager → venue (paper by default, Angel One only when
 * live trading is enabled and confirmed), signals sized into orders, and the API the gateway serves.
 */
export function createTrading(options: TradingOptions): Trading {
  const { config, clock, logger } = options;
  const byToken = new Map<string, Instrument>();
  for (const i of options.instruments) byToken.set(i.token, i);
  const indexOf = new Map<string, Instrument>();
  for (const i of options.instruments) if (i.kind === 'index') indexOf.set(i.name, i);

  const market: MarketView = {
    quote: (token) => {
      const instrument = byToken.get(token);
      const state = instrument === undefined ? undefined : options.state(instrument.exchangeType, token);
      if (state === undefined) return undefined;
      return {
        ...(state.tick ? { ltpPaise: state.tick.lastPrice } : {}),
        ...(state.quote && state.quote.bidPrice > 0 ? { bidPaise: state.quote.bidPrice } : {}),
        ...(state.quote && state.quote.askPrice > 0 ? { askPaise: state.quote.askPrice } : {}),
        receivedAtMs: state.updatedAtMs,
      };
    },
    underlyingPricePaise: (underlying) => {
      const index = indexOf.get(underlying);
      return index === undefined
        ? undefined
        : options.state(index.exchangeType, index.token)?.tick?.lastPrice;
    },
  };
  const lookup: InstrumentLookup = {
    instrument: (exchange, token) => {
      const instrument = byToken.get(token);
      return instrument !== undefined && instrument.exchange === exchange
        ? orderInstrumentOf(instrument)
        : undefined;
    },
  };

  let limits: RiskLimits = { ...DEFAULT_RISK_LIMITS, ...config.limits } as RiskLimits;
  let paper: PaperExecutionClient | undefined;
  let paperBroker: PaperBroker | undefined;
  let client: ExecutionClient;
  if (config.route === 'angelone') {
    if (options.angel === undefined) {
      throw new IfError('IF_ERR_CONFIG_INVALID', {
        key: 'execution.route',
        detail: '"angelone" needs the Angel One feed source',
      });
    }
    client = new AngelExecutionClient({
      rest: options.angel.rest,
      orderUpdates: options.angel.orderUpdates,
      clock,
      logger,
    });
  } else {
    paperBroker = new PaperBroker({
      tokens: options.instruments.filter((i) => i.kind !== 'index').map((i) => i.token),
      latencyMs: config.paper.latencyMs,
      seed: config.paper.seed,
    });
    paper = new PaperExecutionClient({ broker: paperBroker, clock, logger });
    client = paper;
  }
  const capital = config.route === 'paper' ? config.paper.capitalPaise : undefined;
  const manager = new OrderManager({
    clock,
    store: options.store,
    client,
    market,
    instruments: lookup,
    ...(capital === undefined
      ? {}
      : {
          // Paper capital less what today's P&L took; the live route reads funds from the broker (later).
          funds: {
            funds: () => ({ status: 'known' as const, availablePaise: capital + managerNet() }),
          },
        }),
    limits: () => limits,
    // The paper venue starts empty: stored open paper orders are gone with the process, not missing.
    ephemeralVenue: config.route === 'paper',
    ...(options.auditLog ? { auditLog: options.auditLog } : {}),
    logger,
  });
  // What the kill switch asks that only the platform can do: end the broker session after the cancels.
  manager.onEvent((event) => {
    if (event.type !== 'risk' || event.event.type !== 'effect') return;
    const effect = event.event.effect;
    if (effect.kind === 'broker-logout' && options.angel !== undefined && config.route === 'angelone') {
      logger.warn({ reason: effect.reason }, 'kill switch: logging out of the broker');
      options.angel.rest
        .logout()
        .catch((error: unknown) => logger.error({ err: error }, 'kill switch: broker logout failed'));
    } else {
      logger.warn({ effect }, 'kill switch effect');
    }
  });
  const managerNet = (): number => manager.pnl().netPaise;

  const placeSignal = (signal: Signal): void => {
    if (!config.autoTrade || signal.status !== 'active') return;
    const instrument = byToken.get(signal.instrument.token);
    if (instrument === undefined) {
      logger.warn({ signal: signal.id }, 'signal instrument not in the master; not traded');
      return;
    }
    const sized = orderFromSignal(
      signal,
      orderInstrumentOf(instrument),
      config.sizing,
      market.quote(instrument.token),
    );
    if (!sized.ok) {
      logger.info({ signal: signal.id, reason: sized.reason }, 'signal not traded');
      return;
    }
    manager
      .place(sized.request, { id: 'signal-engine', role: 'system' })
      .then((result) =>
        logger.info(
          {
            signal: signal.id,
            clientOrderId: result.order.clientOrderId,
            status: result.order.status,
            lots: sized.lots,
            denials: result.denials.map((d) => d.rule),
          },
          'signal order',
        ),
      )
      .catch((error: unknown) => logger.warn({ err: error, signal: signal.id }, 'signal order failed'));
  };

  const findOrder = async (id: string) => {
    const direct = await manager.order(id as OrderId);
    if (direct !== undefined) return direct;
    const byClient = await options.store.orderByClientId(id as ClientOrderId);
    return byClient === undefined ? undefined : manager.order(byClient.orderId);
  };

  const api: TradingApi = {
    orders: async (query) => {
      const q: OrdersQuery =
        query.status === 'open'
          ? { open: true }
          : { fromMs: query.fromMs ?? 0, toMs: query.toMs ?? Number.MAX_SAFE_INTEGER };
      return { orders: (await manager.orders(q)).slice(0, query.limit) };
    },
    order: (id) => findOrder(id),
    place: async (body: PlaceOrderRequest, actor) => {
      const instrument = byToken.get(body.token);
      if (instrument === undefined || instrument.kind === 'index') throw notFound(`instrument ${body.token}`);
      const result = await manager.place(
        {
          instrument: orderInstrumentOf(instrument),
          side: body.side,
          quantity: body.quantity,
          pricing:
            body.triggerPricePaise === undefined
              ? { type: 'LIMIT', limitPricePaise: paise(body.limitPricePaise) }
              : {
                  type: 'STOPLOSS_LIMIT',
                  limitPricePaise: paise(body.limitPricePaise),
                  triggerPricePaise: paise(body.triggerPricePaise),
                },
          timeInForce: 'DAY',
          product: body.product,
          idempotencyKey: body.idempotencyKey,
        },
        actor,
      );
      return result;
    },
    cancel: async (id, actor) => {
      const found = await findOrder(id);
      if (found === undefined) throw notFound(`order ${id}`);
      return manager.cancel(found.order.orderId, actor);
    },
    modify: async (id, change, actor) => {
      const found = await findOrder(id);
      if (found === undefined) throw notFound(`order ${id}`);
      return manager.modify(
        found.order.orderId,
        {
          ...(change.quantity === undefined ? {} : { quantity: change.quantity }),
          ...(change.limitPricePaise === undefined ? {} : { limitPricePaise: paise(change.limitPricePaise) }),
          ...(change.triggerPricePaise === undefined
            ? {}
            : { triggerPricePaise: paise(change.triggerPricePaise) }),
        },
        actor,
      );
    },
    positions: () => manager.positions(),
    pnl: () => manager.pnl(),
    risk: () => ({ ...manager.risk(), route: config.route, autoTrade: config.autoTrade }),
    setLimits: (change, actor) => {
      const next = mergeLimits(limits, change);
      const problems = riskLimitsProblems(next);
      if (problems.length > 0) throw new IfError('IF_ERR_VALIDATION', { detail: problems.join('; ') });
      limits = next;
      logger.info({ actor: actor.id, change }, 'risk limits changed');
      return { limits };
    },
    kill: async (actor, reason) => ({ trading: await manager.kill(actor, reason) }),
    resume: async (actor, request) => ({ trading: await manager.resume(actor, request.to, request.reason) }),
  };

  return {
    manager,
    route: config.route,
    onMarketEvent: (event) => paper?.onMarket(event),
    onClock: (nowMs) => paper?.advanceTo(nowMs),
    onSignal: placeSignal,
    api,
    close: async () => {
      await manager.stop();
    },
  };
}
