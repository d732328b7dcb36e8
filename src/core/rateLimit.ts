/** One sliding-window limit: at most `limit` events in any `windowMs` span. */
export interface WindowLimit {
  limit: number;
  windowMs: number;
}

/**
 * Sliding-window limiter over several windows at once (e.g. 9/s, 500/min, 1000/h), as Angel One
 * enforces them: a burst that fits the second window can still lock the rest of the minute.
 * Pure: time is passed in. Used by the REST client (to stay under the limits) and by the simulator
 * (to enforce them).
 */
export class SlidingWindowLimiter {
  /** event times, oldest first, trimmed to the longest window */
  private readonly times: number[] = [];
  private readonly longestMs: number;

  constructor(private readonly limits: readonly WindowLimit[]) {
    for (const l of limits) {
      if (!(l.limit > 0 && l.windowMs > 0)) throw new RangeError(`invalid limit ${l.limit}/${l.windowMs}ms`);
    }
    this.longestMs = Math.max(0, ...limits.map((l) => l.windowMs));
  }

  /** Milliseconds to wait from `nowMs` before one more event is allowed (0 = now). */
  delayUntilAllowed(nowMs: number): number {
    this.trim(nowMs);
    let wait = 0;
    for (const { limit, windowMs } of this.limits) {
      let inWindow = 0;
      for (let i = this.times.length - 1; i >= 0; i--) {
        const t = this.times[i] as number;
        if (t <= nowMs - windowMs) break;
        inWindow++;
      }
      if (inWindow >= limit) {
        // the event that must leave the window before another is allowed
        const blocking = this.times[this.times.length - limit] as number;
        wait = Math.max(wait, blocking + windowMs - nowMs);
      }
    }
    return wait;
  }

  /** Records an event if allowed now; returns whether it was. */
  tryAcquire(nowMs: number): boolean {
    if (this.delayUntilAllowed(nowMs) > 0) return false;
    this.times.push(nowMs);
    return true;
  }

  /** Records an event unconditionally (after waiting for `delayUntilAllowed`). */
  record(nowMs: number): void {
    this.trim(nowMs);
    this.times.push(nowMs);
  }

  /**
   * Moves one recorded event from `fromMs` to a later `toMs`. A client records a call when it sends it, but
   * the server counts it when it arrives; moving the slot to the response time (always after the arrival)
   * keeps the client's windows a superset of the server's, whatever the network latency.
   */
  reschedule(fromMs: number, toMs: number): void {
    if (toMs <= fromMs) return;
    const index = this.times.lastIndexOf(fromMs);
    if (index < 0) return;
    this.times.splice(index, 1);
    let insertAt = this.times.length;
    while (insertAt > 0 && (this.times[insertAt - 1] as number) > toMs) insertAt--;
    this.times.splice(insertAt, 0, toMs);
  }

  private trim(nowMs: number): void {
    const horizon = nowMs - this.longestMs;
    let drop = 0;
    while (drop < this.times.length && (this.times[drop] as number) <= horizon) drop++;
    if (drop > 0) this.times.splice(0, drop);
  }
}
