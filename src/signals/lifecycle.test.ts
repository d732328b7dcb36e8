import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cancel, isTerminal, onPrice, onTime } from './lifecycle.js';
import type { Signal } from './types.js';

const base: Signal = {
  type: 'signal',
  id: 's1',
  strategy: 'trend',
  underlying: 'NIFTY',
  direction: 'long',
  structure: 'buy-premium',
  side: 'BUY',
  instrument: { token: 'CE1', symbol: 'X', kind: 'option', optionType: 'CE', delta: 0.5 },
  entryPaise: 10_000,
  stopPaise: 8_000,
  targetPaise: 14_000,
  score: 0.7,
  confidence: 0.7,
  createdAtMs: 1_000,
  validUntilMs: 61_000,
  contributions: [],
  status: 'active',
};
const shortFut: Signal = { ...base, entryPaise: 100_000, stopPaise: 104_000, targetPaise: 92_000 };

describe('signal lifecycle', () => {
  it('stays active between the levels', () => {
    expect(onPrice(base, 12_000, 2_000), 'same object back when nothing happens').toBe(base);
  });
  it('hits the target at or beyond it and stops at or beyond the stop', () => {
    expect(onPrice(base, 14_000, 2_000).status, 'touching the target').toBe('target-hit');
    expect(onPrice(base, 8_000, 2_000).status, 'touching the stop').toBe('stopped');
    expect(onPrice(base, 8_000, 2_000).closed?.pricePaise).toBe(8_000);
  });
  it('reverses the levels for a short future', () => {
    expect(onPrice(shortFut, 92_000, 2_000).status, 'price falling to the target').toBe('target-hit');
    expect(onPrice(shortFut, 104_500, 2_000).status, 'price rising through the stop').toBe('stopped');
  });
  it('expires at validUntilMs, even on a target price', () => {
    expect(onPrice(base, 14_000, 61_000).status, 'expiry wins at the boundary').toBe('expired');
    expect(onTime(base, 60_999), 'not yet').toBe(base);
    expect(onTime(base, 61_000).status).toBe('expired');
  });
  it('cancels an active signal with its reason', () => {
    const c = cancel(base, 'risk halt', 5_000);
    expect([c.status, c.closed?.reason, c.closed?.atMs]).toEqual(['cancelled', 'risk halt', 5_000]);
  });
  it('ignores bad prices and times before creation', () => {
    expect(onPrice(base, Number.NaN, 2_000)).toBe(base);
    expect(onPrice(base, 0, 2_000), '0 is not a price').toBe(base);
    expect(onPrice(base, 14_000, 999), 'before creation').toBe(base);
  });
  it('terminal states stay terminal under any later price, time or cancel (property)', () => {
    const terminals = [
      onPrice(base, 14_000, 2_000),
      onPrice(base, 8_000, 2_000),
      onTime(base, 61_000),
      cancel(base, 'x', 2_000),
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 200_000 }),
        (price, at) => {
          for (const t of terminals) {
            expect(isTerminal(t.status)).toBe(true);
            expect(onPrice(t, price, at), 'terminal ignores prices').toBe(t);
            expect(onTime(t, at), 'terminal ignores time').toBe(t);
            expect(cancel(t, 'late', at), 'terminal ignores cancel').toBe(t);
          }
        },
      ),
    );
  });
});
