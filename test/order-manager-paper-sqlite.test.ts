import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PaperBroker, PaperExecutionClient } from '../src/brokers/paper/index.js';
import { SimulatedClock } from '../src/core/clock.js';
import { paise } from '../src/core/money.js';
import { OrderManager } from '../src/execution/manager/index.js';
import { FakeFunds, FakeInstruments, NIFTY_CE, T0, TEST_LIMITS } from '../src/execution/manager/testkit.js';
import type { DepthEvent } from '../src/feed/events.js';
import type { QuoteView } from '../src/risk/index.js';
import { createDatabase } from '../src/storage/database.js';
import { migrateToLatest } from '../src/storage/migrations.js';
import { OrderRepository } from '../src/storage/orders.js';

/**
 * The order manager on the real adapters: the SQLite order store (its constraints: audit seq, newer state
 * wins, meta columns) and the paper venue behind PaperExecutionClient. What the in-memory fakes promise
 * must hold against these too.
 */

const dir = mkdtempSync(join(tmpdir(), 'indexflow-manager-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Levels = readonly (readonly [number, number])[];
function depth(atMs: number, bids: Levels, asks: Levels): DepthEvent {
  const lv = (ls: Levels) => ls.map(([price, quantity]) => ({ price, quantity, orders: 1 }));
  return {
    type: 'depth',
    token: NIFTY_CE.token,
    exchangeType: 2,
    exchangeTimeMs: atMs,
    receivedAtMs: atMs,
    sequence: 0,
    bids: lv(bids),
    asks: lv(asks),
  };
}

describe('OrderManager on SQLite and the paper venue', () => {
  it('places, fills, protects with a bracket, and reconciles after a restart of the manager', async () => {
    const database = createDatabase({ sqliteFile: join(dir, 'orders.sqlite') });
    try {
      await migrateToLatest(database);
      const store = new OrderRepository(database.db);
      const clock = new SimulatedClock(T0);
      const broker = new PaperBroker({ tokens: [NIFTY_CE.token], latencyMs: 0, seed: 7 });
      const client = new PaperExecutionClient({ broker, clock });
      let book: QuoteView = { bidPaise: 10_000, askPaise: 10_005, ltpPaise: 10_000, receivedAtMs: T0 };
      const market = {
        quote: () => ({ ...book, receivedAtMs: clock.now() }),
        underlyingPricePaise: () => 2_500_000,
      };
      const options = {
        clock,
        store,
        client,
        market,
        instruments: new FakeInstruments(),
        funds: new FakeFunds(),
        limits: TEST_LIMITS,
        observeIntervalMs: 0,
      };
      client.onMarket(depth(T0, [[10_000, 650]], [[10_005, 650]]));
      const first = new OrderManager(options);
      await first.start();
      expect(first.state().status).toBe('reconciled');

      // a buy at the ask trades at once; its bracket legs rest at the venue
      const placed = await first.place(
        {
          instrument: NIFTY_CE,
          side: 'BUY',
          quantity: 65,
          pricing: { type: 'LIMIT', limitPricePaise: paise(10_005) },
          timeInForce: 'DAY',
          product: 'INTRADAY',
          strategy: 'paper-test',
          bracket: {
            stopTriggerPaise: paise(9_000),
            stopLimitPaise: paise(8_550),
            targetPaise: paise(11_000),
          },
        },
        { id: 'tina', role: 'trader' },
      );
      await new Promise((r) => setImmediate(r));
      const stored = await store.orderByClientId(placed.order.clientOrderId);
      expect(stored?.status, 'the fill is in the store').toBe('filled');
      const open = await first.orders({ open: true });
      expect(open.map((o) => o.link?.role).sort(), 'stop and target rest at the venue').toEqual([
        'stop',
        'target',
      ]);
      expect(first.positions().instruments[0]?.quantity).toBe(65);
      const audit = await store.audit(placed.order.orderId);
      expect(audit.map((a) => a.cause)).toEqual(['created', 'submit-sent', 'broker-accepted', 'fill']);
      expect(audit[0]?.details, 'the bracket is kept with the intent').toMatchObject({
        bracketStopTriggerPaise: 9_000,
        bracketTargetPaise: 11_000,
      });

      // the manager restarts (the paper venue lives on in this process): the store and the venue agree
      await first.stop();
      const second = new OrderManager(options);
      await second.start();
      expect(second.state(), 'reconciled from the store and the venue').toMatchObject({
        status: 'reconciled',
      });
      expect(second.positions().instruments[0]?.quantity).toBe(65);
      expect(
        Object.keys(second.pnl().byStrategy),
        'the stored meta keeps the fill attributed to its strategy after the restart',
      ).toEqual(['paper-test']);
      const next = await second.place(
        {
          instrument: NIFTY_CE,
          side: 'BUY',
          quantity: 65,
          pricing: { type: 'LIMIT', limitPricePaise: paise(9_900) },
          timeInForce: 'DAY',
          product: 'INTRADAY',
        },
        { id: 'tina', role: 'trader' },
      );
      expect(next.order.clientOrderId > placed.order.clientOrderId, 'the id counter resumed').toBe(true);

      // the market lifts through the target: it fills, and the stop is cancelled (one cancels the other)
      book = { bidPaise: 11_000, askPaise: 11_010, ltpPaise: 11_000, receivedAtMs: clock.now() };
      clock.advanceBy(1_000);
      client.onMarket(depth(clock.now(), [[11_000, 650]], [[11_010, 650]]));
      await new Promise((r) => setImmediate(r));
      const after = await second.orders({ open: true });
      expect(
        after.map((o) => o.clientOrderId),
        'only the new resting buy is left',
      ).toEqual([next.order.clientOrderId]);
      expect(second.positions().instruments[0]?.quantity, 'flat').toBe(0);
      const pnl = second.pnl();
      expect(pnl.realisedPaise, 'bought at 100.05, sold at the 110 target').toBe(65 * (11_000 - 10_005));
      expect(pnl.netPaise).toBe(pnl.realisedPaise - pnl.chargesPaise);
      expect((await second.reconcile()).ok).toBe(true);
      await second.stop();
    } finally {
      await database.close();
    }
  });
});
