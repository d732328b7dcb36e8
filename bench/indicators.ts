/**
 * Streaming indicators: per-update cost of indexflow's indicators (src/analytics/indicators) against
 * trading-signals 8 on the same 100k 1m candles (paise, 267 sessions, ~5% zero-volume). Each operation
 * feeds the next closed candle of the series to one long-lived instance, wrapping at the end, so the
 * figures are steady-state costs (warm-up is a vanishing share). Both sides are cross-checked on the
 * series before timing.
 *
 * These rows are why every indicator is our own code, trading-signals serving as the test reference:
 * - its SMA, Bollinger, RSI, ATR and SuperTrend re-scan their window on every input (cost grows with the
 *   period: compare the two SMA rows);
 * - its EMA and MACD are O(1), but behind our interface (the "wrapped" rows: add for the first revision
 *   of a bucket, replace for later ones and the close) their forming path costs two to four times ours;
 * - its VWAP never restarts at a session and mishandles replace after a zero-volume candle.
 *
 * The "forming" rows feed each bucket as three forming revisions and then the closed candle (replace ×3 +
 * update for ours; add + replace ×3 for trading-signals): what a chart-following IndicatorSet sees.
 */

import { ATR, BollingerBands, EMA, MACD, RSI, SMA, SuperTrend as TsSuperTrend, VWAP } from 'trading-signals';
import {
  Atr,
  Bollinger,
  Ema,
  IndicatorSet,
  type IndicatorSpec,
  Macd,
  Rsi,
  type SeriesCandle,
  Sma,
  SuperTrend,
  Vwap,
} from '../src/analytics/index.js';
import { CANDLES_PER_SESSION, randomCandles } from '../src/analytics/indicators/fixtures/series.js';
import type { IndicatorCandle, StreamingIndicator } from '../src/analytics/indicators/index.js';
import { type BenchRow, keep, nsPerOperation, row } from './lib/harness.js';

const BENCH = 'indicators';
const N = 100_000;
const TS = 'trading-signals 8';
const OURS = 'indexflow';

type Input = 'close' | 'candle';

interface TsLike {
  add(input: never): unknown;
  replace(input: never): unknown;
}

/** trading-signals behind our update/replace interface: how ema.ts and macd.ts were first written. */
class Wrapped {
  private pending = false;

  constructor(private readonly inner: TsLike) {}

  update(candle: IndicatorCandle): unknown {
    const r = this.pending
      ? this.inner.replace(candle.close as never)
      : this.inner.add(candle.close as never);
    this.pending = false;
    return r;
  }

  replace(candle: IndicatorCandle): unknown {
    const r = this.pending
      ? this.inner.replace(candle.close as never)
      : this.inner.add(candle.close as never);
    this.pending = true;
    return r;
  }
}

interface Case {
  name: string;
  ours: () => StreamingIndicator<unknown>;
  theirs: () => TsLike;
  input: Input;
  /** compares the two results of the last candle; false voids the comparison */
  agree: (ours: unknown, theirs: unknown) => boolean;
  /** trading-signals' VWAP never restarts, so it is compared within the first session only */
  checkCandles?: number;
  /** also time trading-signals wrapped behind our interface (close-input indicators only) */
  wrap?: boolean;
}

const close = (a: unknown, b: unknown): boolean =>
  typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

const CASES: readonly Case[] = [
  { name: 'SMA(20)', ours: () => new Sma(20), theirs: () => new SMA(20), input: 'close', agree: close },
  { name: 'SMA(200)', ours: () => new Sma(200), theirs: () => new SMA(200), input: 'close', agree: close },
  {
    name: 'EMA(20)',
    ours: () => new Ema(20),
    theirs: () => new EMA(20),
    input: 'close',
    agree: close,
    wrap: true,
  },
  { name: 'RSI(14)', ours: () => new Rsi(14), theirs: () => new RSI(14), input: 'close', agree: close },
  {
    name: 'MACD(12,26,9)',
    ours: () => new Macd(12, 26, 9),
    theirs: () => new MACD(new EMA(12), new EMA(26), new EMA(9)),
    input: 'close',
    agree: (a, b) => close(field(a, 'histogram'), field(b, 'histogram')),
    wrap: true,
  },
  {
    name: 'Bollinger(20,2)',
    ours: () => new Bollinger(20, 2),
    theirs: () => new BollingerBands(20, 2),
    input: 'close',
    agree: (a, b) =>
      close(field(a, 'upper'), field(b, 'upper')) && close(field(a, 'lower'), field(b, 'lower')),
  },
  { name: 'ATR(14)', ours: () => new Atr(14), theirs: () => new ATR(14), input: 'candle', agree: close },
  {
    name: 'SuperTrend(10,3)',
    ours: () => new SuperTrend(10, 3),
    theirs: () => new TsSuperTrend({ interval: 10, multiplier: 3 }),
    input: 'candle',
    agree: (a, b) => close(field(a, 'value'), field(b, 'supertrend')),
  },
  {
    name: 'VWAP',
    ours: () => new Vwap(),
    theirs: () => new VWAP(),
    input: 'candle',
    agree: close,
    checkCandles: CANDLES_PER_SESSION,
  },
];

function crossCheck(c: Case, series: readonly IndicatorCandle[], closes: readonly number[]): void {
  const ours = c.ours();
  const theirs = c.theirs();
  const count = c.checkCandles ?? series.length;
  let a: unknown;
  let b: unknown;
  for (let i = 0; i < count; i++) {
    const candle = series[i];
    if (candle === undefined) break;
    a = ours.update(candle);
    const r = theirs.add((c.input === 'close' ? closes[i] : candle) as never);
    if (r !== null) b = r;
  }
  if (!c.agree(a, b))
    throw new Error(`indicators bench: ${c.name} disagrees with ${TS}; fix the bench first`);
}

/**
 * Each bucket as three forming revisions and its close: the close + 5, − 10, + 0 paise in turn. Built as
 * literals, not spreads: a spread copy keeps its fields out of line, and reading 100k of those costs a
 * cache miss each, which would swamp the indicators being measured.
 */
function revisions(c: IndicatorCandle): IndicatorCandle[] {
  return [5, -10, 0].map((d) => ({
    startMs: c.startMs,
    open: c.open,
    high: Math.max(c.high, c.close + d),
    low: Math.min(c.low, c.close + d),
    close: c.close + d,
    volume: c.volume,
  }));
}

function seriesCandle(c: IndicatorCandle): SeriesCandle {
  return {
    token: '26000',
    interval: '1m',
    closed: true,
    startMs: c.startMs,
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
  };
}

export async function run(): Promise<BenchRow[]> {
  const series = randomCandles(N, 20_260_202);
  const closes = series.map((c) => c.close);
  const forming = series.map(revisions);
  const at = (i: number): IndicatorCandle => series[i] ?? series[0] ?? ({} as IndicatorCandle);
  const rows: BenchRow[] = [];

  for (const c of CASES) {
    crossCheck(c, series, closes);
    const theirs = c.theirs();
    let j = 0;
    const theirsNs =
      c.input === 'close'
        ? await nsPerOperation(() => {
            keep(theirs.add((closes[j] ?? 0) as never));
            if (++j === N) j = 0;
          })
        : await nsPerOperation(() => {
            keep(theirs.add(at(j) as never));
            if (++j === N) j = 0;
          });
    rows.push(row(BENCH, `${c.name} · ${TS}`, theirsNs));
    if (c.wrap === true) {
      const wrapped = new Wrapped(c.theirs());
      let w = 0;
      const wrappedNs = await nsPerOperation(() => {
        keep(wrapped.update(at(w)));
        if (++w === N) w = 0;
      });
      rows.push(row(BENCH, `${c.name} · ${TS} wrapped`, wrappedNs, { baseline: `${c.name} · ${TS}` }));
    }
    const ours = c.ours();
    let i = 0;
    const oursNs = await nsPerOperation(() => {
      keep(ours.update(at(i)));
      if (++i === N) i = 0;
    });
    rows.push(row(BENCH, `${c.name} · ${OURS}`, oursNs, { baseline: `${c.name} · ${TS}` }));
  }

  // Forming revisions: per closed candle, three revisions then the close.
  const formingCases = new Set(['EMA(20)', 'RSI(14)', 'MACD(12,26,9)', 'SuperTrend(10,3)']);
  for (const c of CASES.filter((x) => formingCases.has(x.name))) {
    const name = `${c.name} forming ×3 + close`;
    const note = 'per closed candle';
    const theirs = c.theirs();
    const toInput = (candle: IndicatorCandle): never =>
      (c.input === 'close' ? candle.close : candle) as never;
    let j = 0;
    const theirsNs = await nsPerOperation(() => {
      const revs = forming[j] ?? [];
      theirs.add(toInput(revs[0] ?? at(j)));
      theirs.replace(toInput(revs[1] ?? at(j)));
      theirs.replace(toInput(revs[2] ?? at(j)));
      keep(theirs.replace(toInput(at(j))));
      if (++j === N) j = 0;
    });
    rows.push(row(BENCH, `${name} · ${TS}`, theirsNs, { note }));
    const contenders: [
      string,
      { update: (c: IndicatorCandle) => unknown; replace: (c: IndicatorCandle) => unknown },
    ][] = [[OURS, c.ours()]];
    if (c.wrap === true) contenders.unshift([`${TS} wrapped`, new Wrapped(c.theirs())]);
    for (const [label, ind] of contenders) {
      let i = 0;
      const ns = await nsPerOperation(() => {
        const revs = forming[i] ?? [];
        ind.replace(revs[0] ?? at(i));
        ind.replace(revs[1] ?? at(i));
        ind.replace(revs[2] ?? at(i));
        keep(ind.update(at(i)));
        if (++i === N) i = 0;
      });
      rows.push(row(BENCH, `${name} · ${label}`, ns, { baseline: `${name} · ${TS}`, note }));
    }
  }

  // The whole set on one series: what one closed candle costs the engine. A fresh set per lap of the
  // series, since the old one would rightly drop the replayed candles as late.
  const specs: IndicatorSpec[] = [
    { kind: 'sma', period: 20 },
    { kind: 'ema', period: 20 },
    { kind: 'rsi', period: 14 },
    { kind: 'macd', fast: 12, slow: 26, signal: 9 },
    { kind: 'bollinger', period: 20, multiplier: 2 },
    { kind: 'atr', period: 14 },
    { kind: 'vwap' },
    { kind: 'supertrend', period: 10, multiplier: 3 },
  ];
  const setCandles = series.map(seriesCandle);
  let set = new IndicatorSet({ indicators: specs, intervals: ['1m'] });
  let k = 0;
  const setNs = await nsPerOperation(() => {
    const candle = setCandles[k];
    if (candle !== undefined) keep(set.onCandle(candle));
    if (++k === N) {
      k = 0;
      set = new IndicatorSet({ indicators: specs, intervals: ['1m'] });
    }
  });
  rows.push(row(BENCH, `IndicatorSet, all 8 · ${OURS}`, setNs, { note: 'per closed candle' }));
  return rows;
}
