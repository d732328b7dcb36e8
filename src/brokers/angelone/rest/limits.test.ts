import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../core/clock.js';
import { isIfError } from '../../../core/errors.js';
import { settle } from './fixtures/fakeAngelServer.js';
import { RateGate } from './limits.js';

describe('RateGate', () => {
  it('lets callers through in FIFO order, each when its sliding windows allow', async () => {
    const clock = new SimulatedClock(0);
    const gate = new RateGate(clock, { paddingMs: 0 });
    const grantedAt: Array<[number, number]> = [];
    const calls = [0, 1, 2, 3, 4].map((i) =>
      gate.acquire('candles', 'getCandleData').then(() => grantedAt.push([i, clock.now()])),
    );
    await settle(clock, Promise.all(calls));
    expect(grantedAt, 'three in the first second (3/s), the rest when the oldest leave').toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 1000],
      [4, 1000],
    ]);
  });

  it('refuses rather than queue when a minute window is locked beyond maxWaitMs', async () => {
    const clock = new SimulatedClock(0);
    const gate = new RateGate(clock, {
      paddingMs: 0,
      maxWaitMs: 5000,
      overrides: { quote: [{ limit: 2, windowMs: 60_000 }] },
    });
    await gate.acquire('quote', 'quote');
    await gate.acquire('quote', 'quote');
    try {
      await settle(clock, gate.acquire('quote', 'quote'));
      expect.unreachable('the third call would wait ~60 s');
    } catch (error) {
      expect(isIfError(error, 'IF_ERR_BROKER_RATE_LIMITED'), 'coded refusal').toBe(true);
    }
    clock.advanceBy(60_000);
    await expect(gate.acquire('quote', 'quote'), 'a refused call used no slot').resolves.toBe(clock.now());
  });
});
