import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, DEFAULT_BACKOFF, resolveBackoff } from './backoff.js';

describe('backoffDelayMs', () => {
  it('doubles from 1 s and caps at 30 s when random is 0.5 (no jitter offset)', () => {
    const delays = Array.from({ length: 8 }, (_, step) => backoffDelayMs(step, 30_000, DEFAULT_BACKOFF, 0.5));
    expect(delays, 'the policy sequence').toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('property: every delay lies within ±jitter of the capped base and stays finite for huge steps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (step, r) => {
          const delay = backoffDelayMs(step, 30_000, DEFAULT_BACKOFF, r);
          const base = Math.min(30_000, 1000 * 2 ** Math.min(step, 40));
          expect(Number.isFinite(delay), 'finite').toBe(true);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
          expect(delay).toBeLessThanOrEqual(Math.ceil(base * 1.2));
        },
      ),
    );
  });
});

describe('resolveBackoff', () => {
  it('fills defaults and refuses policies that would hot-loop', () => {
    expect(resolveBackoff({ maxMs: 10_000 }).initialMs, 'defaults kept').toBe(1000);
    expect(() => resolveBackoff({ initialMs: 0 }), 'zero delay would hot-loop').toThrow(/initialMs/);
    expect(() => resolveBackoff({ jitter: 1 }), 'jitter of 100 % can reach zero').toThrow(/jitter/);
    expect(() => resolveBackoff({ maxMs: 500 }), 'cap below the first delay').toThrow(/maxMs/);
  });
});
