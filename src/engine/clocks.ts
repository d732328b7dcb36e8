import type { Clock, TimerHandle } from '../core/clock.js';

/** Wall-clock time. The only Clock that reads `Date.now()`; used by live runs. */
export class LiveClock implements Clock {
  private readonly handles = new Map<number, NodeJS.Timeout>();
  private nextId = 1;

  now(): number {
    return Date.now();
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    const timer = setTimeout(() => {
      this.handles.delete(id);
      callback();
    }, delayMs);
    timer.unref?.();
    this.handles.set(id, timer);
    return { id };
  }

  setInterval(callback: () => void, periodMs: number): TimerHandle {
    const id = this.nextId++;
    const timer = setInterval(callback, periodMs);
    timer.unref?.();
    this.handles.set(id, timer);
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    const timer = this.handles.get(handle.id);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.handles.delete(handle.id);
    }
  }

  /** Cancels every timer this clock created (for shutdown). */
  clearAll(): void {
    for (const timer of this.handles.values()) clearTimeout(timer);
    this.handles.clear();
  }
}

/**
 * Simulated time running off the wall clock: `startMs` (e.g. 09:15 IST of some day) at the moment of
 * construction, advancing `speed` simulated ms per wall ms. Timers are given in simulated ms.
 * Used by the exchange simulator to run an accelerated or a fixed trading day.
 */
export class ScaledClock implements Clock {
  private readonly live = new LiveClock();
  private readonly wallAnchor: number;

  constructor(
    private readonly startMs: number,
    readonly speed = 1,
  ) {
    if (!(speed > 0)) throw new RangeError(`clock speed must be > 0, got ${speed}`);
    this.wallAnchor = Date.now();
  }

  now(): number {
    return this.startMs + Math.floor((Date.now() - this.wallAnchor) * this.speed);
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.live.setTimeout(callback, delayMs / this.speed);
  }

  setInterval(callback: () => void, periodMs: number): TimerHandle {
    return this.live.setInterval(callback, Math.max(1, periodMs / this.speed));
  }

  clearTimer(handle: TimerHandle): void {
    this.live.clearTimer(handle);
  }

  clearAll(): void {
    this.live.clearAll();
  }
}
