import { type BuildUp, oiBuildUp } from '../options/index.js';
import type { ChainRowSnapshot } from '../options/index.js';

interface SideSample {
  readonly ltp: number;
  readonly oi: number;
}

interface Sample {
  readonly timeMs: number;
  readonly byStrike: ReadonlyMap<number, { call?: SideSample; put?: SideSample }>;
}

/**
 * Intraday OI build-up of the ATM strike: price and OI now against the same strike `lookback` evaluations
 * ago. The chain's own label compares with the previous close and so says one thing all day; this one
 * turns with the market, which is what an intraday confirmation needs. Keeps `lookback + 1` samples of the
 * strikes around ATM per underlying; pure (no clock, time comes with each sample).
 */
export class RecentBuildUp {
  private readonly samples = new Map<string, Sample[]>();

  constructor(
    private readonly lookback: number,
    private readonly strikesEachSide = 3,
  ) {
    if (!Number.isInteger(lookback) || lookback < 1)
      throw new RangeError('lookback must be a positive integer');
  }

  /** Records the chain at `timeMs`; older samples beyond the window are dropped. */
  record(
    underlying: string,
    timeMs: number,
    atmStrike: number | undefined,
    rows: readonly ChainRowSnapshot[],
  ): void {
    if (atmStrike === undefined) return;
    const at = rows.findIndex((r) => r.strike === atmStrike);
    if (at < 0) return;
    const byStrike = new Map<number, { call?: SideSample; put?: SideSample }>();
    for (const row of rows.slice(Math.max(0, at - this.strikesEachSide), at + this.strikesEachSide + 1)) {
      const side = (s: ChainRowSnapshot['call']): SideSample | undefined =>
        s !== undefined && s.ltp > 0 ? { ltp: s.ltp, oi: s.oi } : undefined;
      const call = side(row.call);
      const put = side(row.put);
      byStrike.set(row.strike, { ...(call ? { call } : {}), ...(put ? { put } : {}) });
    }
    const list = this.samples.get(underlying) ?? [];
    const last = list[list.length - 1];
    if (last !== undefined && timeMs <= last.timeMs) return;
    list.push({ timeMs, byStrike });
    if (list.length > this.lookback + 1) list.splice(0, list.length - this.lookback - 1);
    this.samples.set(underlying, list);
  }

  /** Build-up of the strike's call and put over the window; undefined until the window is full. */
  buildUp(underlying: string, strike: number): { call?: BuildUp; put?: BuildUp } | undefined {
    const list = this.samples.get(underlying);
    if (list === undefined || list.length < this.lookback + 1) return undefined;
    const then = list[0]?.byStrike.get(strike);
    const now = list[list.length - 1]?.byStrike.get(strike);
    if (then === undefined || now === undefined) return undefined;
    const label = (a: SideSample | undefined, b: SideSample | undefined): BuildUp | undefined =>
      a === undefined || b === undefined ? undefined : oiBuildUp(b.ltp - a.ltp, b.oi - a.oi);
    const call = label(then.call, now.call);
    const put = label(then.put, now.put);
    return { ...(call ? { call } : {}), ...(put ? { put } : {}) };
  }
}
