import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Paise } from '../../core/money.js';
import { applyEvents, LEGAL_TRANSITIONS, transition } from './stateMachine.js';
import { newOrder } from './testkit.js';
import {
  type BrokerOrderReport,
  isTerminal,
  type ModifyRequest,
  ORDER_STATUSES,
  type Order,
  type OrderEvent,
} from './types.js';

/** What a simple model knows: the fills that were accepted, how many transitions happened, the broker id. */
interface Model {
  fills: Map<string, { quantity: number; pricePaise: number }>;
  transitions: number;
  brokerOrderId: string | undefined;
  terminal: boolean;
  maxFilledSeen: number;
}

interface Real {
  order: Order;
}

/** An event recipe: built against the current order so times move forward and ids stay plausible. */
type Recipe = { label: string; make: (order: Order) => OrderEvent };

const FILL_IDS = ['T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'T8'];
const BROKER_IDS = ['B1', 'B1', 'B1', 'B2'];

const dt = fc.integer({ min: 0, max: 3 });

const modifyArb: fc.Arbitrary<ModifyRequest> = fc.record(
  {
    quantity: fc.integer({ min: 1, max: 260 }),
    limitPricePaise: fc.integer({ min: 1, max: 20_000 }).map((p) => p as Paise),
  },
  { requiredKeys: [] },
);

const reportArb: fc.Arbitrary<(order: Order) => BrokerOrderReport> = fc.oneof(
  fc.constant(() => ({ found: false }) as const),
  fc
    .record({
      status: fc.constantFrom('open', 'filled', 'cancelled', 'rejected', 'expired'),
      quantityDelta: fc.integer({ min: -65, max: 65 }),
      fillsMatch: fc.boolean(),
      brokerOrderId: fc.constantFrom(...BROKER_IDS),
    })
    .map((r) => (order: Order): BrokerOrderReport => {
      const filledQuantity = r.fillsMatch ? order.filledQuantity : order.filledQuantity + 5;
      const quantity = Math.max(filledQuantity, 1, order.quantity + r.quantityDelta);
      return { found: true, brokerOrderId: r.brokerOrderId, status: r.status, quantity, filledQuantity };
    }),
);

const recipeArb: fc.Arbitrary<Recipe> = fc.oneof(
  dt.map((d) => ({
    label: 'submit',
    make: (o: Order) => ({ type: 'submit-sent' as const, atMs: o.updatedAtMs + d }),
  })),
  fc.tuple(dt, fc.constantFrom(...BROKER_IDS)).map(([d, id]) => ({
    label: `accept ${id}`,
    make: (o: Order) => ({ type: 'broker-accepted' as const, atMs: o.updatedAtMs + d, brokerOrderId: id }),
  })),
  fc.tuple(dt, fc.constantFrom('risk' as const, 'local' as const, 'broker' as const)).map(([d, source]) => ({
    label: `reject ${source}`,
    make: (o: Order) => ({ type: 'rejected' as const, atMs: o.updatedAtMs + d, reason: 'r', source }),
  })),
  fc
    .tuple(
      dt,
      fc.constantFrom(...FILL_IDS),
      fc.integer({ min: 1, max: 140 }),
      fc.integer({ min: 1, max: 20_000 }),
      fc.constantFrom(...BROKER_IDS),
    )
    .map(([d, fillId, quantity, price, id]) => ({
      label: `fill ${fillId} ${quantity}@${price} ${id}`,
      make: (o: Order) => ({
        type: 'fill' as const,
        atMs: o.updatedAtMs + d,
        fillId,
        brokerOrderId: id,
        quantity,
        pricePaise: price as Paise,
      }),
    })),
  fc.tuple(dt, modifyArb).map(([d, changes]) => ({
    label: `modify ${JSON.stringify(changes)}`,
    make: (o: Order) => ({ type: 'modify-sent' as const, atMs: o.updatedAtMs + d, changes }),
  })),
  dt.map((d) => ({
    label: 'modify ok',
    make: (o: Order) => ({ type: 'modify-accepted' as const, atMs: o.updatedAtMs + d }),
  })),
  dt.map((d) => ({
    label: 'modify rejected',
    make: (o: Order) => ({ type: 'modify-rejected' as const, atMs: o.updatedAtMs + d, reason: 'r' }),
  })),
  dt.map((d) => ({
    label: 'cancel',
    make: (o: Order) => ({ type: 'cancel-sent' as const, atMs: o.updatedAtMs + d, reason: 'r' }),
  })),
  dt.map((d) => ({
    label: 'cancel rejected',
    make: (o: Order) => ({ type: 'cancel-rejected' as const, atMs: o.updatedAtMs + d, reason: 'r' }),
  })),
  dt.map((d) => ({
    label: 'cancelled',
    make: (o: Order) => ({ type: 'cancelled' as const, atMs: o.updatedAtMs + d, reason: 'r' }),
  })),
  dt.map((d) => ({
    label: 'expired',
    make: (o: Order) => ({ type: 'expired' as const, atMs: o.updatedAtMs + d }),
  })),
  dt.map((d) => ({
    label: 'timeout',
    make: (o: Order) => ({ type: 'timed-out' as const, atMs: o.updatedAtMs + d }),
  })),
  fc.tuple(dt, reportArb).map(([d, make]) => ({
    label: 'reconcile',
    make: (o: Order) => ({ type: 'reconciled' as const, atMs: o.updatedAtMs + d, report: make(o) }),
  })),
  // an occasional event from the past must be refused, not applied
  fc.constant({
    label: 'late expire',
    make: (o: Order) => ({ type: 'expired' as const, atMs: o.updatedAtMs - 1 }),
  }),
);

/** Invariants that hold for every reachable order, whatever happened before. */
function checkInvariants(order: Order, model: Model): void {
  expect(ORDER_STATUSES, 'a known status').toContain(order.status);
  expect(Number.isSafeInteger(order.filledQuantity) && order.filledQuantity >= 0).toBe(true);
  expect(order.filledQuantity, 'never overfilled').toBeLessThanOrEqual(order.quantity);
  expect(order.filledQuantity, 'fills never shrink').toBeGreaterThanOrEqual(model.maxFilledSeen);
  let quantity = 0;
  let notional = 0;
  for (const f of model.fills.values()) {
    quantity += f.quantity;
    notional += f.quantity * f.pricePaise;
  }
  expect(order.filledQuantity, 'filled = Σ accepted fills').toBe(quantity);
  expect(order.filledNotionalPaise, 'notional = Σ qty × price').toBe(notional);
  expect(order.averagePricePaise).toBe(quantity === 0 ? undefined : Math.round(notional / quantity));
  expect(order.seq, 'one audit row per applied event').toBe(1 + model.transitions);
  if (order.status === 'accepted') expect(order.filledQuantity).toBe(0);
  if (order.status === 'partially-filled') {
    expect(order.filledQuantity > 0 && order.filledQuantity < order.quantity).toBe(true);
  }
  if (order.status === 'filled') expect(order.filledQuantity).toBe(order.quantity);
  if (order.status === 'rejected') expect(order.filledQuantity, 'a rejected order never traded').toBe(0);
  const brokerId = 'brokerOrderId' in order ? order.brokerOrderId : undefined;
  if (model.brokerOrderId !== undefined) {
    expect(brokerId, 'the broker id never changes once known').toBe(model.brokerOrderId);
  }
}

class EventCommand implements fc.Command<Model, Real> {
  constructor(readonly recipe: Recipe) {}
  check(): boolean {
    return true;
  }
  run(model: Model, real: Real): void {
    const before = real.order;
    const event = this.recipe.make(before);
    const result = transition(before, event);
    if (result.ok) {
      expect(model.terminal, 'nothing leaves a terminal state').toBe(false);
      const targets = LEGAL_TRANSITIONS[before.status][event.type] ?? [];
      expect(targets, `${before.status} --${event.type}--> ${result.order.status} is in the table`).toContain(
        result.order.status,
      );
      expect(result.audit).toMatchObject({
        seq: before.seq + 1,
        from: before.status,
        to: result.order.status,
      });
      if (event.type === 'fill') {
        expect(model.fills.has(event.fillId), 'a fill id counts once').toBe(false);
        model.fills.set(event.fillId, { quantity: event.quantity, pricePaise: event.pricePaise });
      }
      model.transitions += 1;
      const id = 'brokerOrderId' in result.order ? result.order.brokerOrderId : undefined;
      if (model.brokerOrderId === undefined && id !== undefined) model.brokerOrderId = id;
      model.terminal = isTerminal(result.order.status);
      model.maxFilledSeen = result.order.filledQuantity;
      real.order = result.order;
    } else {
      expect(result.refusal.status).toBe(before.status);
      if (model.terminal) {
        expect(['terminal', 'invalid-event', 'duplicate-fill'], 'a terminal order takes nothing').toContain(
          result.refusal.kind,
        );
      }
      if (result.refusal.kind === 'overfill') expect(result.refusal.alert, 'an overfill alerts').toBe(true);
      expect(real.order, 'a refusal changes nothing').toBe(before);
    }
    checkInvariants(real.order, model);
  }
  toString(): string {
    return this.recipe.label;
  }
}

describe('order state machine under random event sequences (model-based)', () => {
  it('never reaches an invalid state: filled ≤ quantity, fills add up, terminal stays terminal', () => {
    fc.assert(
      fc.property(
        fc.commands([recipeArb.map((r) => new EventCommand(r))], { maxCommands: 50 }),
        (commands) => {
          const setup = () => ({
            model: {
              fills: new Map(),
              transitions: 0,
              brokerOrderId: undefined,
              terminal: false,
              maxFilledSeen: 0,
            },
            real: { order: newOrder() },
          });
          fc.modelRun(setup, commands);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a sequence biased towards the happy path reaches every state (the generator is not vacuous)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.array(recipeArb, { maxLength: 40 }), (recipes) => {
        let order = newOrder();
        seen.add(order.status);
        for (const recipe of recipes) {
          const result = applyEvents(order, [recipe.make(order)]);
          order = result.order;
          seen.add(order.status);
        }
      }),
      { numRuns: 300, seed: 42 },
    );
    expect([...seen].sort()).toEqual([...ORDER_STATUSES].sort());
  });
});
