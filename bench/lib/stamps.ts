/**
 * Wall-clock stamps for the end-to-end bench, shared by the bench process and its platform child. Both
 * stamp with `performance.timeOrigin + performance.now()`: the system clock at process start plus the
 * monotonic clock since, in ms with µs resolution. The two processes' origins can disagree by the clock
 * adjustments made between their starts, so the bench measures the offset over IPC and corrects for it.
 */

import { type IntervalHistogram, performance } from 'node:perf_hooks';

const origin = performance.timeOrigin;

/** Wall time in ms, fractional (µs resolution). */
export function wallNow(): number {
  return origin + performance.now();
}

/** A log's entries as plain typed arrays (what crosses the IPC channel). */
export interface StampLogData {
  n: number;
  /** index of the token in the platform's subscription list */
  token: Int32Array;
  /** the tick's exchange time, epoch ms (simulated time): with the token it names one frame */
  exchangeMs: Float64Array;
  /** when it was seen, `wallNow()` */
  wallMs: Float64Array;
}

/** An append-only log of (token, exchange time, wall time), in typed arrays that double when full. */
export class StampLog {
  private n = 0;
  private token = new Int32Array(1 << 16);
  private exchangeMs = new Float64Array(1 << 16);
  private wallMs = new Float64Array(1 << 16);

  get length(): number {
    return this.n;
  }

  push(token: number, exchangeMs: number, wallMs: number): void {
    if (this.n === this.token.length) this.grow();
    this.token[this.n] = token;
    this.exchangeMs[this.n] = exchangeMs;
    this.wallMs[this.n] = wallMs;
    this.n++;
  }

  data(): StampLogData {
    return {
      n: this.n,
      token: this.token.slice(0, this.n),
      exchangeMs: this.exchangeMs.slice(0, this.n),
      wallMs: this.wallMs.slice(0, this.n),
    };
  }

  private grow(): void {
    const size = this.token.length * 2;
    const token = new Int32Array(size);
    token.set(this.token);
    const exchangeMs = new Float64Array(size);
    exchangeMs.set(this.exchangeMs);
    const wallMs = new Float64Array(size);
    wallMs.set(this.wallMs);
    this.token = token;
    this.exchangeMs = exchangeMs;
    this.wallMs = wallMs;
  }
}

/** Resolution of the event-loop delay monitors of the bench and its platform child, ms. */
export const LOOP_DELAY_RESOLUTION_MS = 10;

/** Event-loop delay in ms beyond the sampling timer's period. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

/** The histogram holds whole timer periods; what exceeds the period is the delay. */
export function loopDelayOf(histogram: IntervalHistogram): LoopDelay {
  const beyond = (ns: number) => Math.max(0, ns / 1e6 - LOOP_DELAY_RESOLUTION_MS);
  return {
    p50: beyond(histogram.percentile(50)),
    p99: beyond(histogram.percentile(99)),
    max: beyond(histogram.max),
  };
}
