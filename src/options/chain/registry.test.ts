import { describe, expect, it } from 'vitest';
import { InstrumentStore, parseScripMaster } from '../../brokers/angelone/instruments/index.js';
import { createMarketCalendar } from '../../core/calendar/index.js';
import { istToEpochMs } from '../../core/time.js';
import { createMarketModel } from '../../sim/market/index.js';
import { type ChainSnapshotInput, chainSnapshotProblem } from '../../storage/chainSnapshots.js';
import { quoteEvent, tickEvent } from './fixtures/testChain.js';
import { ChainRegistry, type WarehouseChainSnapshot } from './registry.js';

const calendar = createMarketCalendar();
// Wednesday 25-Nov-2026 10:00 IST; NIFTY weeklies expire on Tuesdays.
const START = istToEpochMs(2026, 11, 25, 10, 0);

function simStore(): { store: InstrumentStore; model: ReturnType<typeof createMarketModel> } {
  const model = createMarketModel({ seed: 5, startMs: START, calendar, underlyings: ['NIFTY', 'BANKNIFTY'] });
  return { store: new InstrumentStore(parseScripMaster(model.scripMaster()).instruments), model };
}

describe('ChainRegistry', () => {
  it('builds the nearest expiries of each underlying from the instrument master, with future and index', () => {
    const { store } = simStore();
    const registry = ChainRegistry.fromInstruments(store, calendar, {
      underlyings: ['NIFTY', 'banknifty'],
      expiries: 2,
      nowMs: START,
    });
    const nifty = store.expiries('NIFTY', 'option', '2026-11-25').slice(0, 2);
    expect(registry.expiries('NIFTY')).toEqual(nifty);
    expect(registry.expiries('BANKNIFTY'), 'monthlies only').toHaveLength(2);
    const monthly = registry.chain('BANKNIFTY');
    expect(monthly?.expiry, 'nearest expiry when none is named').toBe(registry.expiries('BANKNIFTY')[0]);
    expect(
      monthly?.instruments().some((i) => i.kind === 'future'),
      'a monthly chain listens to its future',
    ).toBe(true);
    expect(registry.chain('NIFTY')?.lotSize, 'lot size from the master').toBe(65);
    const all = registry.instruments();
    const keys = all.map((i) => `${i.exchangeType}:${i.token}`);
    expect(new Set(keys).size, 'each instrument once, the index shared by every NIFTY chain').toBe(
      keys.length,
    );
    expect(all.filter((i) => i.kind === 'index')).toHaveLength(2);
  });

  it('leaves out an expiry whose close has passed at build time', () => {
    const { store } = simStore();
    const first = store.expiries('NIFTY', 'option')[0] ?? '';
    const afterFirstClose = calendar.expiryCloseMs('NFO', first) + 60_000;
    const registry = ChainRegistry.fromInstruments(store, calendar, {
      underlyings: ['NIFTY'],
      expiries: 1,
      nowMs: afterFirstClose,
    });
    expect(registry.expiries('NIFTY')).not.toContain(first);
    expect(registry.expiries('NIFTY')).toHaveLength(1);
  });

  it('routes an option event to its chain only and an index event to every chain of the underlying', () => {
    const { store } = simStore();
    const registry = ChainRegistry.fromInstruments(store, calendar, {
      underlyings: ['NIFTY'],
      expiries: 2,
      nowMs: START,
    });
    const [near, next] = registry.chains();
    const option = near?.instruments().find((i) => i.kind === 'option');
    const index = near?.instruments().find((i) => i.kind === 'index');
    if (near === undefined || next === undefined || option === undefined || index === undefined) {
      throw new Error('registry did not build two NIFTY chains');
    }
    expect(registry.onEvent(tickEvent(option.token, { ltp: 10_000, timeMs: START }))).toBe(true);
    expect(near.stats.events).toBe(1);
    expect(next.stats.events, 'another expiry’s chain never sees it').toBe(0);
    expect(
      registry.onEvent(quoteEvent(index.token, { ltp: 2_600_000, exchangeType: 1, timeMs: START })),
    ).toBe(true);
    expect([near.spot(), next.spot()]).toEqual([2_600_000, 2_600_000]);
    expect(
      registry.onEvent(tickEvent(index.token, { ltp: 1, exchangeType: 2 })),
      'same token, other exchange',
    ).toBe(false);
    expect(registry.onEvent(tickEvent('no-such-token', { ltp: 1 }))).toBe(false);
  });

  it('produces warehouse rows the chain-snapshot repository accepts, one per live chain', () => {
    const { store, model } = simStore();
    const registry = ChainRegistry.fromInstruments(store, calendar, {
      underlyings: ['NIFTY'],
      expiries: 2,
      nowMs: START,
    });
    expect(registry.snapshotsForWarehouse(START), 'no data yet: nothing to store').toEqual([]);
    for (const chain of registry.chains()) {
      for (const instrument of chain.instruments()) {
        const s = model.state(instrument.token);
        if (s === undefined) continue;
        registry.onEvent(
          quoteEvent(instrument.token, {
            bid: s.bids20[0]?.price ?? 0,
            ask: s.asks20[0]?.price ?? 0,
            ltp: s.lastTradedPrice,
            oi: s.openInterest,
            prevClose: s.close,
            exchangeType: instrument.exchangeType,
            timeMs: START,
          }),
        );
      }
    }
    const rows = registry.snapshotsForWarehouse(START + 5_000);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const input: ChainSnapshotInput = row; // the shapes agree field for field
      expect(chainSnapshotProblem(input), `${row.expiry} is storable`).toBeUndefined();
      expect(Number.isInteger(row.forwardPaise), 'forward rounded to paise').toBe(true);
      expect(row.takenAtMs).toBe(START + 5_000);
    }
    const typed: WarehouseChainSnapshot[] = rows;
    expect(typed[0]?.rows.length, 'one row per strike').toBe(registry.chains()[0]?.strikes.length);
  });
});
