import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from './rateLimit.js';

describe('SlidingWindowLimiter', () => {
  it('allows up to the limit inside one window and then asks to wait until the oldest event leaves', () => {
    const limiter = new SlidingWindowLimiter([{ limit: 3, windowMs: 1000 }]);
    expect(limiter.tryAcquire(0)).toBe(true);
    expect(limiter.tryAcquire(100)).toBe(true);
    expect(limiter.tryAcquire(200)).toBe(true);
    expect(limiter.tryAcquire(300), 'fourth event inside the second is refused').toBe(false);
    expect(limiter.delayUntilAllowed(300), 'the event at 0 leaves the window at 1000').toBe(700);
    expect(limiter.tryAcquire(1000)).toBe(true);
  });

  it('enforces the longer window even when the short one has room (a burst locks the minute)', () => {
    const limiter = new SlidingWindowLimiter([
      { limit: 3, windowMs: 1000 },
      { limit: 5, windowMs: 60_000 },
    ]);
    const accepted = [0, 10, 20, 1500, 1510].map((t) => limiter.tryAcquire(t));
    expect(accepted).toEqual([true, true, true, true, true]);
    expect(limiter.tryAcquire(3000), 'sixth event in the minute is refused').toBe(false);
    expect(limiter.delayUntilAllowed(3000)).toBe(57_000);
  });

  it('counts a call from its response time once rescheduled, so slow requests never overrun the server window', () => {
    const limiter = new SlidingWindowLimiter([{ limit: 1, windowMs: 1000 }]);
    expect(limiter.tryAcquire(0)).toBe(true);
    limiter.reschedule(0, 80);
    expect(limiter.delayUntilAllowed(1000), 'the window now runs from the response at 80 ms').toBe(80);
    expect(limiter.tryAcquire(1080)).toBe(true);
  });

  it('keeps events ordered when a rescheduled event passes later ones', () => {
    const limiter = new SlidingWindowLimiter([{ limit: 2, windowMs: 1000 }]);
    limiter.record(0);
    limiter.record(10);
    limiter.reschedule(0, 500);
    expect(limiter.delayUntilAllowed(600), 'both events still in the window').toBe(410);
    expect(limiter.tryAcquire(1010), 'the event at 10 left the window').toBe(true);
  });

  it('rejects nonsensical limits', () => {
    expect(() => new SlidingWindowLimiter([{ limit: 0, windowMs: 1000 }])).toThrow(RangeError);
  });
});
