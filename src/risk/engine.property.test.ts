import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Paise } from '../core/money.js';
import type { OrderPricing } from '../execution/orders/index.js';
import { createRiskState, evaluateOrder } from './engine.js';
import { insideCollar, referencePricePaise } from './priceBand.js';
import { BANKNIFTY_CE, LIMITS, NIFTY_CE, NIFTY_PE, position, SENSEX_CE, T0 } from './testkit.js';
import type { ExposureView, PnlView, RiskContext, RiskOrder, RiskState, TradingState } from './types.js';

const INSTRUMENTS = [NIFTY_CE, NIFTY_PE, BANKNIFTY_CE, SENSEX_CE];

const pricingArb: fc.Arbitrary<OrderPricing> = fc
  .tuple(
    fc.constantFrom('LIMIT', 'MARKET', 'STOPLOSS_LIMIT', 'STOPLOSS_MARKET'),
    fc.integer({ min: 1, max: 6_000 }),
    fc.integer({ min: 1, max: 6_000 }),
    fc.constantFrom(0, 0, 0, 2),
  )
  .map(([type, a, b, offTick]) => {
    const limitPricePaise = (a * 5 + offTick) as Paise;
    const triggerPricePaise = (b * 5) as Paise;
    switch (type) {
      case 'LIMIT':
        return { type, limitPricePaise };
      case 'MARKET':
        return { type };
      case 'STOPLOSS_LIMIT':
        return { type, limitPricePaise, triggerPricePaise };
      default:
        return { type: 'STOPLOSS_MARKET', triggerPricePaise };
    }
  });

const orderArb = fc
  .record({
    action: fc.constantFrom('place', 'place', 'place', 'modify', 'cancel'),
    instrument: fc.constantFrom(...INSTRUMENTS),
    side: fc.constantFrom('BUY', 'SELL'),
    lots: fc.integer({ min: 1, max: 70 }),
    odd: fc.constantFrom(0, 0, 0, 7),
    pricing: pricingArb,
    timeInForce: fc.constantFrom('DAY', 'DAY', 'IOC'),
    route: fc.constantFrom('angelone', 'angelone', 'paper'),
    id: fc.integer({ min: 1, max: 30 }),
  })
  .map(
    (r): RiskOrder => ({
      action: r.action,
      clientOrderId: `P${r.id}`,
      instrument: r.instrument,
      side: r.side,
      quantity: r.lots * r.instrument.lotSize + r.odd,
      pricing: r.pricing,
      timeInForce: r.timeInForce,
      route: r.route,
    }),
  );

const positionsArb = fc.array(
  fc
    .tuple(fc.constantFrom(...INSTRUMENTS), fc.integer({ min: -20, max: 20 }))
    .map(([i, lots]) => position(i, lots * i.lotSize)),
  { maxLength: 3 },
);

const exposureArb: fc.Arbitrary<ExposureView> = fc.oneof(
  positionsArb.map((positions) => ({ status: 'known' as const, positions, openOrders: [] })),
  fc.constant({ status: 'unknown' as const, reason: 'restart' }),
  positionsArb.map((positions) => ({
    status: 'unknown' as const,
    reason: 'lagging',
    lastKnown: { positions, openOrders: [] },
  })),
);

const pnlArb: fc.Arbitrary<PnlView> = fc.oneof(
  fc
    .integer({ min: -2_000_000, max: 500_000 })
    .map((p) => ({ status: 'known' as const, realisedPaise: p, unrealisedPaise: 0 })),
  fc.constant({ status: 'unknown' as const, reason: 'no marks' }),
);

const stepArb = fc.record({
  order: orderArb,
  dtMs: fc.integer({ min: 0, max: 400 }),
  exposure: exposureArb,
  pnl: pnlArb,
  funds: fc.oneof(
    fc.integer({ min: 0, max: 50_000_000 }).map((a) => ({ status: 'known' as const, availablePaise: a })),
    fc.constant({ status: 'unknown' as const, reason: 'rms' }),
  ),
  quoteAgeMs: fc.constantFrom(0, 500, 2_000, 2_001, 60_000, -1),
  ltpTicks: fc.integer({ min: 1, max: 6_000 }),
});

const tradingArb: fc.Arbitrary<TradingState> = fc.constantFrom(
  { status: 'active', sinceMs: T0 },
  { status: 'active', sinceMs: T0 },
  { status: 'reducing', sinceMs: T0, trigger: 'manual', reason: 'p' },
  { status: 'halted', sinceMs: T0, trigger: 'manual', reason: 'p' },
);

describe('risk gate under random orders, books and states (property)', () => {
  it('no allowed order breaks a configured limit, and allowed messages never exceed 10 per second per segment', () => {
    const allowed = { entries: 0, exits: 0, converted: 0 };
    fc.assert(
      fc.property(tradingArb, fc.array(stepArb, { minLength: 1, maxLength: 40 }), (trading, steps) => {
        let state: RiskState = createRiskState(T0, trading);
        let nowMs = T0;
        const sent = new Map<string, number[]>();
        for (const s of steps) {
          nowMs += s.dtMs;
          const ctx: RiskContext = {
            nowMs,
            exposure: s.exposure,
            pnl: s.pnl,
            funds: s.funds,
            quote:
              s.quoteAgeMs < 0 ? undefined : { ltpPaise: s.ltpTicks * 5, receivedAtMs: nowMs - s.quoteAgeMs },
            underlyingPricePaise: 2_500_000,
          };
          const decision = evaluateOrder(state, s.order, ctx, LIMITS);
          state = decision.state;
          if (decision.outcome === 'denied') {
            expect(decision.events.length, 'one event per denial').toBe(decision.denials.length);
            continue;
          }
          expect(decision.events.at(-1)?.type).toBe('order-allowed');
          const segment = s.order.instrument.exchange;
          sent.set(segment, [...(sent.get(segment) ?? []), decision.sendAtMs]);
          if (s.order.action === 'cancel') continue;

          const o = decision.order;
          const { lotSize, tickSizePaise, underlying } = o.instrument;
          expect(trading.status, 'nothing but cancels while halted').not.toBe('halted');
          expect(o.quantity % lotSize, 'whole lots').toBe(0);
          expect(o.quantity, 'within the freeze quantity').toBeLessThanOrEqual(
            LIMITS.freezeQuantity[underlying] ?? 0,
          );
          if ('limitPricePaise' in o.pricing)
            expect(o.pricing.limitPricePaise % tickSizePaise, 'on tick').toBe(0);
          if ('triggerPricePaise' in o.pricing) expect(o.pricing.triggerPricePaise % tickSizePaise).toBe(0);
          if (o.route === 'angelone') {
            expect(['LIMIT', 'STOPLOSS_LIMIT'], 'limit orders only on Angel').toContain(o.pricing.type);
            expect(o.timeInForce).toBe('DAY');
          }
          const fresh =
            ctx.quote !== undefined && nowMs - ctx.quote.receivedAtMs <= LIMITS.priceBand.maxQuoteAgeMs;
          const reference = fresh ? referencePricePaise(ctx.quote) : undefined;
          if (o.pricing.type === 'LIMIT' && s.order.pricing.type === 'LIMIT' && !decision.reducing) {
            expect(reference, 'an entry needs a fresh price').toBeDefined();
            if (reference !== undefined) {
              expect(insideCollar(o.side, o.pricing.limitPricePaise, reference, LIMITS.priceBand)).toBe(true);
            }
          }
          if (decision.reducing) allowed.exits += 1;
          else allowed.entries += 1;
          if (o.pricing.type !== s.order.pricing.type) allowed.converted += 1;
          if (!decision.reducing) {
            expect(trading.status, 'entries only while active').toBe('active');
            expect(ctx.exposure.status, 'entries only with known positions').toBe('known');
            expect(ctx.pnl.status, 'entries only with known P&L').toBe('known');
            if (ctx.pnl.status === 'known') {
              expect(-(ctx.pnl.realisedPaise + ctx.pnl.unrealisedPaise)).toBeLessThan(
                LIMITS.maxDailyLossPaise,
              );
            }
            expect(ctx.funds.status, 'entries only with known funds').toBe('known');
          }
        }
        for (const times of sent.values()) {
          for (const t of times) {
            const inWindow = times.filter((u) => u > t - 1_000 && u <= t).length;
            expect(inWindow, 'order messages in any 1 s window').toBeLessThanOrEqual(10);
          }
        }
      }),
      { numRuns: 500 },
    );
    expect(allowed.entries, 'the generator reaches allowed entries (not vacuous)').toBeGreaterThan(0);
    expect(allowed.exits, 'and allowed exits').toBeGreaterThan(0);
    expect(allowed.converted, 'and market orders converted to limits').toBeGreaterThan(0);
  });
});
