import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../core/clock.js';
import { paise } from '../../core/money.js';
import type { PositionView } from '../positions/index.js';
import {
  ADMIN,
  buy,
  crashAndRestart,
  type Harness,
  harness,
  NIFTY_CE,
  NIFTY_FUT,
  type RequestOutcome,
  type SubmitOutcome,
  settle,
  T0,
  TRADER,
} from './testkit.js';

/**
 * Model-based test of the order path against a venue that loses answers, hangs, drops reports, and a
 * process that crashes at any point (store writes held and lost, requests in flight). Two promises:
 * - I2: a client order id reaches the venue's submit at most once, across every process;
 * - I3: after recovery the positions hold every venue fill exactly once (position and bought/sold units).
 */

type Command =
  | { kind: 'place'; instrument: 0 | 1; side: 'BUY' | 'SELL'; lots: number; bracket: boolean }
  | { kind: 'cancel'; pick: number }
  | { kind: 'modify'; pick: number; lots: number; priceStep: number }
  | { kind: 'venue-fill'; pick: number; half: boolean }
  | { kind: 'venue-cancel'; pick: number }
  | { kind: 'script-submit'; outcome: SubmitOutcome }
  | { kind: 'script-cancel'; outcome: RequestOutcome }
  | { kind: 'script-modify'; outcome: RequestOutcome }
  | { kind: 'drop-reports'; count: number }
  | { kind: 'hold-writes'; of: 'new' | 'submitted' | 'any' }
  | { kind: 'release-writes' }
  | { kind: 'lookups'; fail: boolean }
  | { kind: 'advance'; ms: number }
  | { kind: 'reconcile' }
  | { kind: 'kill' }
  | { kind: 'resume' }
  | { kind: 'crash' };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('place' as const),
      instrument: fc.constantFrom(0 as const, 1 as const),
      side: fc.constantFrom('BUY' as const, 'SELL' as const),
      lots: fc.integer({ min: 1, max: 2 }),
      bracket: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat(9) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('modify' as const),
      pick: fc.nat(9),
      lots: fc.integer({ min: 0, max: 3 }),
      priceStep: fc.integer({ min: -2, max: 2 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('venue-fill' as const), pick: fc.nat(9), half: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('venue-cancel' as const), pick: fc.nat(9) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('script-submit' as const),
      outcome: fc.constantFrom<SubmitOutcome>(
        'accept',
        'refuse',
        'lose-answer',
        'drop',
        'hang',
        'hang-drop',
        'throw',
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('script-cancel' as const),
      outcome: fc.constantFrom<RequestOutcome>('ok', 'refuse', 'lose-answer', 'drop', 'hang'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('script-modify' as const),
      outcome: fc.constantFrom<RequestOutcome>('ok', 'refuse', 'lose-answer', 'drop', 'hang'),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('drop-reports' as const),
      count: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('hold-writes' as const),
      of: fc.constantFrom('new' as const, 'submitted' as const, 'any' as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'release-writes' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('lookups' as const), fail: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(200, 2_000, 11_000) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'reconcile' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'kill' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'resume' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
);

const INSTRUMENTS = [NIFTY_CE, NIFTY_FUT] as const;

function pickFrom<T>(items: readonly T[], pick: number): T | undefined {
  return items.length === 0 ? undefined : items[pick % items.length];
}

/** No client order id was ever submitted twice, by any process; no request loop ran away. */
function expectOneSubmitPerId(h: Harness, trace: string): void {
  expect(h.client.runaway, `a retry loop flooded the venue\n${trace}`).toBe(false);
  for (const [id, count] of h.venue.submitCalls) {
    expect(count, `${id} submitted ${count} times\n${trace}`).toBeLessThanOrEqual(1);
  }
}

async function run(commands: readonly Command[]): Promise<void> {
  const clock = new SimulatedClock(T0);
  let h = await harness({ clock });
  const trace: string[] = [];
  for (const command of commands) {
    trace.push(JSON.stringify(command));
    clock.advanceBy(150); // stays under 10 order messages per second most of the time
    switch (command.kind) {
      case 'place': {
        const instrument = INSTRUMENTS[command.instrument];
        const price = instrument.kind === 'future' ? 2_510_000 : 10_000;
        const bracket =
          command.bracket && command.side === 'BUY' && instrument.kind === 'option'
            ? { stopTriggerPaise: paise(9_000), stopLimitPaise: paise(8_550), targetPaise: paise(11_000) }
            : undefined;
        void h.manager
          .place(
            buy({
              instrument,
              side: command.side,
              quantity: command.lots * instrument.lotSize,
              pricing: { type: 'LIMIT', limitPricePaise: paise(price) },
              ...(bracket === undefined ? {} : { bracket }),
            }),
            TRADER,
          )
          .catch(() => undefined);
        break;
      }
      case 'cancel': {
        const open = await h.manager.orders({ open: true });
        const order = pickFrom(open, command.pick);
        if (order !== undefined) await h.manager.cancel(order.orderId, TRADER).catch(() => undefined);
        break;
      }
      case 'modify': {
        const open = (await h.manager.orders({ open: true })).filter(
          (o) => o.status === 'accepted' || o.status === 'partially-filled',
        );
        const order = pickFrom(open, command.pick);
        if (order === undefined) break;
        // 0 lots: change the price by ticks instead of the quantity
        const change =
          command.lots > 0
            ? { quantity: command.lots * order.instrument.lotSize }
            : 'limitPricePaise' in order.pricing
              ? {
                  limitPricePaise: paise(
                    order.pricing.limitPricePaise + command.priceStep * order.instrument.tickSizePaise,
                  ),
                }
              : undefined;
        if (change !== undefined) void h.manager.modify(order.orderId, change, TRADER).catch(() => undefined);
        break;
      }
      case 'venue-fill': {
        const open = [...h.venue.orders.values()].filter((o) => o.status === 'open');
        const row = pickFrom(open, command.pick);
        if (row !== undefined) {
          const left = row.quantity - row.filled;
          const lot = row.instrument.lotSize;
          const quantity = command.half && left > lot ? lot : left;
          h.venue.fill(row.clientOrderId, quantity);
        }
        break;
      }
      case 'venue-cancel': {
        const open = [...h.venue.orders.values()].filter((o) => o.status === 'open');
        const row = pickFrom(open, command.pick);
        if (row !== undefined) h.venue.cancel(row.clientOrderId);
        break;
      }
      case 'script-submit':
        h.client.submitScript.push(command.outcome);
        break;
      case 'script-cancel':
        h.client.cancelScript.push(command.outcome);
        break;
      case 'script-modify':
        h.client.modifyScript.push(command.outcome);
        break;
      case 'drop-reports':
        h.client.dropReports += command.count;
        break;
      case 'hold-writes':
        h.store.gate = (order) => (command.of === 'any' || order.status === command.of ? 'hold' : 'write');
        break;
      case 'release-writes':
        h.store.gate = undefined;
        h.store.releaseHeld();
        break;
      case 'lookups':
        h.client.lookupsFail = command.fail;
        break;
      case 'advance':
        clock.advanceBy(command.ms);
        break;
      case 'reconcile':
        await h.manager.reconcile();
        break;
      case 'kill':
        await h.manager.kill(TRADER, 'model');
        break;
      case 'resume':
        await h.manager.resume(ADMIN).catch(() => undefined);
        break;
      case 'crash': {
        const fail = h.client.lookupsFail;
        h = await crashAndRestart(h);
        h.client.lookupsFail = fail;
        break;
      }
    }
    await settle();
    expectOneSubmitPerId(h, trace.join('\n'));
  }

  // Recovery: the store and the venue work again, every answer comes or times out, and a fresh process
  // (nothing of its own in flight) reconciles.
  h.store.gate = undefined;
  h.store.releaseHeld();
  h.client.lookupsFail = false;
  h.client.dropReports = 0;
  h.client.submitScript.length = 0;
  h.client.cancelScript.length = 0;
  h.client.modifyScript.length = 0;
  await settle();
  for (let i = 0; i < 4; i += 1) {
    clock.advanceBy(11_000);
    await settle();
  }
  h = await crashAndRestart(h);
  await settle();
  const summary = await h.manager.reconcile();
  const where = `\n${trace.join('\n')}\nproblems: ${summary.problems.join(' | ')}`;
  expectOneSubmitPerId(h, where);
  expect(h.manager.state().status, `reconciled after recovery${where}`).toBe('reconciled');

  const book = new Map<string, PositionView>(h.manager.positions().instruments.map((p) => [p.instrument, p]));
  for (const [key, traded] of h.venue.traded()) {
    const mine = book.get(key);
    expect(mine?.buyQuantity ?? 0, `bought units of ${key}: every venue fill once${where}`).toBe(
      traded.bought,
    );
    expect(mine?.sellQuantity ?? 0, `sold units of ${key}: every venue fill once${where}`).toBe(traded.sold);
  }
  for (const venueOrder of h.venue.orders.values()) {
    expect(
      await h.store.orderByClientId(venueOrder.clientOrderId),
      `venue order ${venueOrder.clientOrderId} is in the store${where}`,
    ).toBeDefined();
  }
}

describe('OrderManager model', () => {
  it('never sends a client order id twice and never loses a fill, through lost answers and crashes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { minLength: 10, maxLength: 50 }), (commands) => run(commands)),
      { numRuns: 300 },
    );
  }, 120_000);
});
