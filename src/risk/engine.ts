import type { ExchangeSegment } from '../core/instrument.js';
import { paise } from '../core/money.js';
import { SlidingWindowLimiter, type WindowLimit } from '../core/rateLimit.js';
import { istDateKey } from '../core/time.js';
import type { OrderPricing } from '../execution/orders/index.js';
import { premiumAtRiskPaise, projectedLots, reducesExposure, usableLists } from './exposure.js';
import { rupees } from './format.js';
import { estimateMargin } from './margin.js';
import { collarPaise, insideCollar, protectedLimitPaise, referencePricePaise } from './priceBand.js';
import type {
  ExposureLists,
  RiskContext,
  RiskDecision,
  RiskDenial,
  RiskEvent,
  RiskLimits,
  RiskOrder,
  RiskRule,
  RiskState,
  TradingState,
} from './types.js';

/** A fresh gate state: active (unless told otherwise), no messages, no rejects. */
export function createRiskState(
  nowMs: number,
  trading: TradingState = { status: 'active', sinceMs: nowMs },
): RiskState {
  return {
    trading,
    orderMessages: {},
    rejectTimes: [],
    latched: { dailyLossHalt: false, dailyLossReduce: false },
    seq: 0,
  };
}

function deny(rule: RiskRule, message: string, values: RiskDenial['values']): RiskDenial {
  return { rule, message, values };
}

function isPositiveInt(value: number | undefined): value is number {
  return value !== undefined && Number.isSafeInteger(value) && value > 0;
}

function limitPriceOf(pricing: OrderPricing): number | undefined {
  return 'limitPricePaise' in pricing ? pricing.limitPricePaise : undefined;
}

function triggerPriceOf(pricing: OrderPricing): number | undefined {
  return 'triggerPricePaise' in pricing ? pricing.triggerPricePaise : undefined;
}

function invalidOrder(order: RiskOrder): RiskDenial | undefined {
  const bad = (detail: string) =>
    deny('invalid-order', `${order.instrument.symbol} order is invalid: ${detail}`, {});
  if (order.clientOrderId.length === 0) return bad('empty client order id');
  if (!isPositiveInt(order.instrument.lotSize)) return bad(`lot size ${order.instrument.lotSize}`);
  if (!isPositiveInt(order.instrument.tickSizePaise))
    return bad(`tick size ${order.instrument.tickSizePaise}`);
  if (!isPositiveInt(order.quantity)) return bad(`quantity ${order.quantity} is not a positive integer`);
  const filled = order.filledQuantity ?? 0;
  if (!(Number.isSafeInteger(filled) && filled >= 0 && filled < order.quantity)) {
    return bad(`filled ${filled} must be below the quantity ${order.quantity}`);
  }
  const limit = limitPriceOf(order.pricing);
  if (limit !== undefined && !isPositiveInt(limit)) return bad(`limit price ${limit} paise`);
  const trigger = triggerPriceOf(order.pricing);
  if (trigger !== undefined && !isPositiveInt(trigger)) return bad(`trigger price ${trigger} paise`);
  return undefined;
}

/** Order messages (place, modify, cancel) already counted for the segment, trimmed to the longest window. */
function messagesOf(state: RiskState, segment: ExchangeSegment): readonly number[] {
  return state.orderMessages[segment] ?? [];
}

/**
 * The earliest engine time at or after `nowMs` at which one more message fits every window, sending in
 * order (never before a message already scheduled). Same windows as the REST client's limiter.
 */
export function nextSendSlot(
  times: readonly number[],
  windows: readonly WindowLimit[],
  nowMs: number,
): number {
  const limiter = new SlidingWindowLimiter(windows);
  for (const t of times) limiter.record(t);
  const from = Math.max(nowMs, times.at(-1) ?? nowMs);
  return from + limiter.delayUntilAllowed(from);
}

function withMessage(
  state: RiskState,
  segment: ExchangeSegment,
  atMs: number,
  nowMs: number,
  limits: RiskLimits,
) {
  const longest = Math.max(0, ...limits.orderRate.map((w) => w.windowMs));
  const kept = messagesOf(state, segment).filter((t) => t > nowMs - longest);
  return { ...state.orderMessages, [segment]: [...kept, atMs] };
}

type Conversion =
  | { ok: true; pricing: OrderPricing; referencePaise: number }
  | { ok: false; denial: RiskDenial };

/** Market and stop-market orders become protected limits on limit-only routes (Angel bars market orders). */
function convertToLimit(
  order: RiskOrder,
  reference: number | undefined,
  limits: RiskLimits,
): Conversion | undefined {
  const { pricing, instrument, side } = order;
  const percent = limits.priceBand.marketProtectionPercent;
  if (pricing.type === 'MARKET') {
    if (reference === undefined) {
      return {
        ok: false,
        denial: deny(
          'stale-price',
          `${instrument.symbol} market order needs a fresh price to become a protected limit; none within ${limits.priceBand.maxQuoteAgeMs} ms`,
          { maxQuoteAgeMs: limits.priceBand.maxQuoteAgeMs },
        ),
      };
    }
    const limitPricePaise = paise(protectedLimitPaise(side, reference, percent, instrument.tickSizePaise));
    return { ok: true, pricing: { type: 'LIMIT', limitPricePaise }, referencePaise: reference };
  }
  if (pricing.type === 'STOPLOSS_MARKET') {
    const trigger = pricing.triggerPricePaise;
    const limitPricePaise = paise(protectedLimitPaise(side, trigger, percent, instrument.tickSizePaise));
    return {
      ok: true,
      pricing: { type: 'STOPLOSS_LIMIT', triggerPricePaise: trigger, limitPricePaise },
      referencePaise: trigger,
    };
  }
  return undefined;
}

interface Checked {
  order: RiskOrder;
  reducing: boolean;
  lists: ExposureLists | undefined;
  reference: number | undefined;
}

function tradingStateDenials(state: RiskState, c: Checked): RiskDenial[] {
  const { trading } = state;
  if (trading.status === 'reducing' && !c.reducing) {
    return [
      deny(
        'reducing-only',
        `trading is reducing (${trading.reason}); ${c.order.instrument.symbol} ${c.order.side} ${c.order.quantity} would not reduce a position`,
        { trigger: trading.trigger },
      ),
    ];
  }
  return [];
}

function failClosedDenials(ctx: RiskContext, c: Checked): RiskDenial[] {
  if (c.reducing) return [];
  const denials: RiskDenial[] = [];
  if (ctx.exposure.status === 'unknown') {
    denials.push(
      deny(
        'state-unknown',
        `positions unknown (${ctx.exposure.reason}); only orders that reduce exposure pass`,
        {
          what: 'positions',
        },
      ),
    );
  }
  if (ctx.pnl.status === 'unknown') {
    denials.push(
      deny('state-unknown', `P&L unknown (${ctx.pnl.reason}); only orders that reduce exposure pass`, {
        what: 'pnl',
      }),
    );
  }
  return denials;
}

function sizeDenials(c: Checked, limits: RiskLimits): RiskDenial[] {
  const { order } = c;
  const { underlying, lotSize, tickSizePaise } = order.instrument;
  const denials: RiskDenial[] = [];
  if (order.quantity % lotSize !== 0) {
    denials.push(
      deny('lot-multiple', `${underlying} order ${order.quantity} is not a multiple of lot size ${lotSize}`, {
        quantity: order.quantity,
        lotSize,
      }),
    );
  }
  const freeze = limits.freezeQuantity[underlying];
  if (freeze === undefined) {
    denials.push(
      deny('freeze-quantity', `no freeze quantity configured for ${underlying}; refusing until one is`, {
        underlying,
      }),
    );
  } else if (order.quantity > freeze) {
    const maxLots = Math.floor(freeze / lotSize);
    denials.push(
      deny(
        'freeze-quantity',
        `${underlying} order ${order.quantity} exceeds the freeze quantity ${freeze} (at most ${maxLots} lots of ${lotSize} = ${maxLots * lotSize} per order)`,
        { quantity: order.quantity, freezeQuantity: freeze, maxLots, asOf: limits.freezeQuantityAsOf },
      ),
    );
  }
  for (const [name, price] of [
    ['limit', limitPriceOf(order.pricing)],
    ['trigger', triggerPriceOf(order.pricing)],
  ] as const) {
    if (price !== undefined && price % tickSizePaise !== 0) {
      denials.push(
        deny(
          'tick-multiple',
          `${order.instrument.symbol} ${name} price ${rupees(price)} is not a multiple of the tick ${rupees(tickSizePaise)}`,
          { pricePaise: price, tickSizePaise },
        ),
      );
    }
  }
  return denials;
}

function priceDenials(c: Checked, limits: RiskLimits): RiskDenial[] {
  const { order, reference } = c;
  const band = limits.priceBand;
  const symbol = order.instrument.symbol;
  const collarDenial = (what: string, limit: number, ref: number, refName: string) => {
    const edge = collarPaise(order.side, ref, band);
    const widthText = ref <= band.absoluteBelowPaise ? rupees(band.absolutePaise) : `${band.percent}%`;
    const beyond = order.side === 'BUY' ? 'above' : 'below';
    return deny(
      'price-band',
      `${symbol} ${order.side} ${what} ${rupees(limit)} is ${beyond} the collar ${rupees(edge)} (${refName} ${rupees(ref)} ${order.side === 'BUY' ? '+' : '-'} ${widthText})`,
      { limitPaise: limit, referencePaise: ref, collarPaise: edge },
    );
  };
  const { pricing } = order;
  if (pricing.type === 'STOPLOSS_LIMIT') {
    // once triggered the limit meets the market near the trigger, where the exchange checks it
    if (!insideCollar(order.side, pricing.limitPricePaise, pricing.triggerPricePaise, band)) {
      return [collarDenial('stop limit', pricing.limitPricePaise, pricing.triggerPricePaise, 'trigger')];
    }
    return [];
  }
  if (pricing.type !== 'LIMIT') return [];
  if (reference === undefined) {
    // An exit at a price the trader chose may go without a fresh reference; an entry may not.
    if (c.reducing) return [];
    return [
      deny(
        'stale-price',
        `${symbol} has no price newer than ${band.maxQuoteAgeMs} ms to check the limit ${rupees(pricing.limitPricePaise)} against`,
        { maxQuoteAgeMs: band.maxQuoteAgeMs },
      ),
    ];
  }
  if (!insideCollar(order.side, pricing.limitPricePaise, reference, band)) {
    return [collarDenial('limit', pricing.limitPricePaise, reference, 'reference')];
  }
  return [];
}

/** Entry limits; `price` values the order (its limit, trigger or, if unpriced, the reference), paise. */
function exposureDenials(c: Checked, ctx: RiskContext, limits: RiskLimits, price: number): RiskDenial[] {
  const { order, lists } = c;
  if (c.reducing || lists === undefined) return [];
  const denials: RiskDenial[] = [];
  const { underlying, symbol } = order.instrument;
  if (order.action === 'place' && lists.openOrders.length + 1 > limits.maxOpenOrders) {
    denials.push(
      deny(
        'max-open-orders',
        `${lists.openOrders.length + 1} open orders would exceed the limit of ${limits.maxOpenOrders}`,
        { openOrders: lists.openOrders.length, maxOpenOrders: limits.maxOpenOrders },
      ),
    );
  }
  const maxLots = limits.maxLotsPerUnderlying.byUnderlying[underlying] ?? limits.maxLotsPerUnderlying.default;
  const lots = projectedLots(order, lists);
  if (lots > maxLots) {
    denials.push(
      deny(
        'max-position',
        `${underlying} exposure would reach ${formatLots(lots)} lots, above the limit of ${maxLots}`,
        {
          projectedLots: lots,
          maxLots,
        },
      ),
    );
  }
  if (order.instrument.kind === 'option' && order.side === 'BUY') {
    const premium = premiumAtRiskPaise(order, lists, price);
    if (premium > limits.maxPremiumAtRiskPaise) {
      denials.push(
        deny(
          'max-premium-at-risk',
          `premium at risk would be ${rupees(premium)}, above the limit ${rupees(limits.maxPremiumAtRiskPaise)}`,
          { premiumAtRiskPaise: premium, maxPremiumAtRiskPaise: limits.maxPremiumAtRiskPaise },
        ),
      );
    }
  }
  if (ctx.pnl.status === 'known') {
    const loss = -(ctx.pnl.realisedPaise + ctx.pnl.unrealisedPaise);
    if (loss >= limits.maxDailyLossPaise) {
      denials.push(
        deny(
          'max-daily-loss',
          `today's loss ${rupees(loss)} has reached the limit ${rupees(limits.maxDailyLossPaise)}; only exits pass`,
          { lossPaise: loss, maxDailyLossPaise: limits.maxDailyLossPaise },
        ),
      );
    }
  }
  const margin = estimateMargin(
    {
      kind: order.instrument.kind,
      side: order.side,
      quantity: order.quantity - (order.filledQuantity ?? 0),
      pricePaise: price,
      underlyingPricePaise: ctx.underlyingPricePaise,
      expiryDay: order.instrument.expiry !== undefined && order.instrument.expiry === istDateKey(ctx.nowMs),
    },
    limits.margin,
  );
  if (!margin.ok) {
    denials.push(deny('margin', `cannot estimate margin for ${symbol}: ${margin.reason}`, {}));
  } else if (ctx.funds.status === 'unknown') {
    denials.push(
      deny(
        'margin',
        `available funds unknown (${ctx.funds.reason}); ${symbol} needs about ${rupees(margin.requiredPaise)}`,
        {
          requiredPaise: margin.requiredPaise,
        },
      ),
    );
  } else if (margin.requiredPaise > ctx.funds.availablePaise) {
    const how =
      margin.method === 'span-like'
        ? `${margin.percent}% of ${rupees(margin.notionalPaise)} notional`
        : margin.method;
    denials.push(
      deny(
        'margin',
        `${symbol} needs about ${rupees(margin.requiredPaise)} (${how}), ${rupees(ctx.funds.availablePaise)} available`,
        {
          requiredPaise: margin.requiredPaise,
          availablePaise: ctx.funds.availablePaise,
          method: margin.method,
        },
      ),
    );
  }
  return denials;
}

function formatLots(lots: number): string {
  return Number.isInteger(lots) ? String(lots) : lots.toFixed(2);
}

/**
 * The pre-trade gate for one order message. Pure: state in, state out. Runs every check and reports every
 * denial (one event each), so a trader sees all the reasons at once. Cancels always pass (paced by the
 * rate windows); halted trading refuses everything else; reducing trading and unknown positions or P&L
 * let through only orders that reduce an existing position.
 */
export function evaluateOrder(
  state: RiskState,
  request: RiskOrder,
  ctx: RiskContext,
  limits: RiskLimits,
): RiskDecision {
  const nowMs = ctx.nowMs;
  const segment = request.instrument.exchange;
  const events: RiskEvent[] = [];
  let seq = state.seq;
  const denied = (denials: RiskDenial[]): RiskDecision => {
    for (const d of denials) {
      seq += 1;
      events.push({
        type: 'order-denied',
        seq,
        atMs: nowMs,
        clientOrderId: request.clientOrderId,
        action: request.action,
        rule: d.rule,
        message: d.message,
        values: d.values,
      });
    }
    return { outcome: 'denied', denials, state: { ...state, seq }, events };
  };

  const invalid = invalidOrder(request);
  if (invalid !== undefined) return denied([invalid]);

  const lists = usableLists(ctx.exposure);
  const reducing = reducesExposure(request, lists);

  if (request.action === 'cancel') {
    const sendAtMs = nextSendSlot(messagesOf(state, segment), limits.orderRate, nowMs);
    seq += 1;
    events.push({
      type: 'order-allowed',
      seq,
      atMs: nowMs,
      clientOrderId: request.clientOrderId,
      action: 'cancel',
      reducing,
      sendAtMs,
    });
    return {
      outcome: 'allowed',
      order: request,
      sendAtMs,
      reducing,
      state: { ...state, seq, orderMessages: withMessage(state, segment, sendAtMs, nowMs, limits) },
      events,
    };
  }

  if (state.trading.status === 'halted') {
    return denied([
      deny(
        'trading-halted',
        `trading is halted (${state.trading.trigger}: ${state.trading.reason}); only cancels pass`,
        {
          trigger: state.trading.trigger,
          sinceMs: state.trading.sinceMs,
        },
      ),
    ]);
  }

  const denials: RiskDenial[] = [];
  const limitOnly = limits.limitOnlyRoutes.includes(request.route);
  if (limitOnly && request.timeInForce === 'IOC') {
    denials.push(
      deny(
        'order-type',
        `${request.route} takes no IOC orders from algos (since 1 Apr 2026); send a DAY limit order`,
        {
          route: request.route,
          timeInForce: 'IOC',
        },
      ),
    );
  }
  const quote = ctx.quote;
  const fresh = quote !== undefined && nowMs - quote.receivedAtMs <= limits.priceBand.maxQuoteAgeMs;
  const reference = fresh ? referencePricePaise(quote) : undefined;

  let order = request;
  let conversion: Extract<Conversion, { ok: true }> | undefined;
  if (limitOnly) {
    const converted = convertToLimit(request, reference, limits);
    if (converted?.ok === true) {
      conversion = converted;
      order = { ...request, pricing: converted.pricing };
    } else if (converted?.ok === false) {
      denials.push(converted.denial);
    }
  }

  const checked: Checked = { order, reducing, lists, reference };
  denials.push(
    ...tradingStateDenials(state, checked),
    ...failClosedDenials(ctx, checked),
    ...sizeDenials(checked, limits),
    ...priceDenials(checked, limits),
  );

  const sendAtMs = nextSendSlot(messagesOf(state, segment), limits.orderRate, nowMs);
  if (sendAtMs > nowMs) {
    const perSecond = limits.orderRate.find((w) => w.windowMs === 1_000);
    denials.push(
      deny(
        'order-rate',
        `${segment} order messages at the limit${perSecond === undefined ? '' : ` of ${perSecond.limit} per second`}; retry in ${sendAtMs - nowMs} ms`,
        { retryAfterMs: sendAtMs - nowMs, segment },
      ),
    );
  }
  if (!reducing) {
    // An unpriced order (market on a route that allows it) is valued at the reference; an entry that
    // cannot be valued does not pass (a failed conversion has already said so).
    const price = limitPriceOf(order.pricing) ?? triggerPriceOf(order.pricing) ?? reference;
    if (price !== undefined) denials.push(...exposureDenials(checked, ctx, limits, price));
    else if (!denials.some((d) => d.rule === 'stale-price')) {
      denials.push(
        deny(
          'stale-price',
          `${order.instrument.symbol} ${order.pricing.type} order cannot be valued without a fresh price`,
          {
            maxQuoteAgeMs: limits.priceBand.maxQuoteAgeMs,
          },
        ),
      );
    }
  }

  if (denials.length > 0) return denied(denials);

  if (conversion !== undefined) {
    seq += 1;
    events.push({
      type: 'order-converted',
      seq,
      atMs: nowMs,
      clientOrderId: request.clientOrderId,
      from: request.pricing,
      to: conversion.pricing,
      referencePaise: conversion.referencePaise,
      protectionPercent: limits.priceBand.marketProtectionPercent,
    });
  }
  seq += 1;
  events.push({
    type: 'order-allowed',
    seq,
    atMs: nowMs,
    clientOrderId: order.clientOrderId,
    action: order.action,
    reducing,
    sendAtMs: nowMs,
  });
  return {
    outcome: 'allowed',
    order,
    sendAtMs: nowMs,
    reducing,
    state: { ...state, seq, orderMessages: withMessage(state, segment, nowMs, nowMs, limits) },
    events,
  };
}
