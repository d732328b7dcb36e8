/** A timer handle owned by a Clock; pass it back to `clearTimer`. */
export interface TimerHandle {
  readonly id: number;
}

/**
 * The engine's only source of time (epoch milliseconds). Domain code takes a Clock and never reads the
 * wall clock, so a replay under a SimulatedClock produces exactly what the live run produced.
 */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  setInterval(callback: () => void, periodMs: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

interface ScheduledTimer {
  id: number;
  dueMs: number;
  periodMs: number | undefined;
  callback: () => void;
}

/**
 * A clock that moves only when told to. Timers fire in due-time order (ties by creation order) as
 * `advanceTo` passes them, with `now()` equal to each timer's due time while it runs.
 */
export class SimulatedClock implements Clock {
  private current: number;
  private nextId = 1;
  private readonly timers = new Map<number, ScheduledTimer>();

  constructor(startMs: number) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.schedule(callback, Math.max(0, delayMs), undefined);
  }

  setInterval(callback: () => void, periodMs: number): TimerHandle {
    if (!(periodMs > 0)) throw new RangeError(`interval period must be > 0 ms, got ${periodMs}`);
    return this.schedule(callback, periodMs, periodMs);
  }

  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }

  /** Moves time forward to `targetMs`, firing every timer due on the way. */
  advanceTo(targetMs: number): void {
    if (targetMs < this.current)
      throw new RangeError(`cannot move a clock backwards (${targetMs} < ${this.current})`);
    for (;;) {
      const next = this.nextDue(targetMs);
      if (next === undefined) break;
      this.current = next.dueMs;
      if (next.periodMs === undefined) this.timers.delete(next.id);
      else next.dueMs += next.periodMs;
      next.callback();
    }
    this.current = targetMs;
  }

  advanceBy(deltaMs: number): void {
    this.advanceTo(this.current + deltaMs);
  }

  pendingTimers(): number {
    return this.timers.size;
  }

  private nextDue(limitMs: number): ScheduledTimer | undefined {
    let best: ScheduledTimer | undefined;
    for (const timer of this.timers.values()) {
      if (timer.dueMs > limitMs) continue;
      if (
        best === undefined ||
        timer.dueMs < best.dueMs ||
        (timer.dueMs === best.dueMs && timer.id < best.id)
      ) {
        best = timer;
      }
    }
    return best;
  }

  private schedule(callback: () => void, delayMs: number, periodMs: number | undefined): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, dueMs: this.current + delayMs, periodMs, callback });
    return { id };
  }
}
