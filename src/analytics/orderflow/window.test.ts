import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIfError } from '../../core/errors.js';
import { BucketWindow } from './window.js';

/** The catalogue code a call throws, so the test asserts on codes, never on message text. */
function codeOf(call: () => unknown): string | undefined {
  try {
    call();
  } catch (error) {
    return isIfError(error) ? error.code : 'not an IfError';
  }
  return undefined;
}

const T0 = 1_773_117_000_000;

describe('BucketWindow', () => {
  it('sums the buckets of the window and drops them as time moves past', () => {
    const w = new BucketWindow(3_000, 1_000, 2);
    w.add(T0, 0, 5);
    w.add(T0 + 1_500, 0, 7);
    w.add(T0 + 1_600, 1, -2);
    expect(w.total(0), 'both in the window').toBe(12);
    expect(w.total(1), 'series are separate').toBe(-2);
    w.advanceTo(T0 + 3_000);
    expect(w.total(0), 'first bucket rolled off').toBe(7);
    w.advanceTo(T0 + 60_000);
    expect(w.total(0), 'a long gap empties the window').toBe(0);
    expect(w.total(1), 'every series').toBe(0);
  });

  it('refuses values older than the window instead of counting a bucket that rolled off', () => {
    const w = new BucketWindow(2_000, 1_000, 1);
    w.add(T0 + 5_000, 0, 1);
    expect(w.add(T0 + 4_000, 0, 2), 'previous bucket still in the window').toBe(true);
    expect(w.add(T0 + 3_999, 0, 4), 'older than the window').toBe(false);
    expect(w.total(0), 'only the in-window values').toBe(3);
  });

  it('reads a later window without moving it', () => {
    const w = new BucketWindow(3_000, 1_000, 1);
    w.add(T0, 0, 1);
    w.add(T0 + 2_000, 0, 10);
    expect(w.totalAt(0, T0 + 3_000), 'the bucket at T0 is out of the window ending at T0+3s').toBe(10);
    expect(w.totalAt(0, T0 + 5_000), 'all out').toBe(0);
    expect(w.total(0), 'the window itself did not move').toBe(11);
  });

  it('agrees with a naive sum over the last buckets for any in-order stream', () => {
    const step = fc.record({ dt: fc.integer({ min: 0, max: 2_500 }), v: fc.integer({ min: -50, max: 50 }) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const w = new BucketWindow(4_000, 500, 1);
        const kept: { t: number; v: number }[] = [];
        let t = T0;
        for (const { dt, v } of steps) {
          t += dt;
          w.add(t, 0, v);
          kept.push({ t, v });
          const head = Math.floor(t / 500);
          const naive = kept.filter((x) => Math.floor(x.t / 500) > head - 8).reduce((s, x) => s + x.v, 0);
          expect(w.total(0), 'running total equals the naive window sum').toBe(naive);
        }
      }),
    );
  });

  it('rejects a bucket that does not divide the window with IF_ERR_VALIDATION', () => {
    for (const [windowMs, bucketMs] of [
      [1_000, 300],
      [0, 100],
      [1_000, 0],
      [1_000.5, 1],
    ] as const) {
      expect(
        codeOf(() => new BucketWindow(windowMs, bucketMs, 1)),
        `${windowMs}/${bucketMs}`,
      ).toBe('IF_ERR_VALIDATION');
    }
  });
});
