import { IfError } from '../../core/errors.js';
import { CANDLE_INTERVALS, type Candle, type CandleInterval } from '../../feed/candles/index.js';
import { Atr } from './atr.js';
import { Bollinger, type BollingerValue } from './bollinger.js';
import { Ema } from './ema.js';
import { Macd, type MacdValue } from './macd.js';
import { Rsi } from './rsi.js';
import { Sma } from './sma.js';
import { SuperTrend, type SuperTrendValue } from './supertrend.js';
import type { StreamingIndicator } from './types.js';
import { Vwap } from './vwap.js';

/** One indicator of a set; `name` (default e.g. "ema(20)") must be unique within the set. */
export type IndicatorSpec =
  | { readonly kind: 'sma' | 'ema' | 'rsi' | 'atr'; readonly period: number; readonly name?: string }
  | { readonly kind: 'vwap'; readonly name?: string }
  | {
      readonly kind: 'macd';
      readonly fast: number;
      readonly slow: number;
      readonly signal: number;
      readonly name?: string;
    }
  | {
      readonly kind: 'bollinger' | 'supertrend';
      readonly period: number;
      readonly multiplier: number;
      readonly name?: string;
    };

export type IndicatorKind = IndicatorSpec['kind'];

/** A named indicator value; prices in paise, RSI 0..100; value undefined while warming up. */
export type IndicatorReading =
  | {
      readonly name: string;
      readonly kind: 'sma' | 'ema' | 'rsi' | 'atr' | 'vwap';
      readonly value: number | undefined;
    }
  | { readonly name: string; readonly kind: 'macd'; readonly value: MacdValue | undefined }
  | { readonly name: string; readonly kind: 'bollinger'; readonly value: BollingerValue | undefined }
  | { readonly name: string; readonly kind: 'supertrend'; readonly value: SuperTrendValue | undefined };

/** The readings of one (token, interval) after the last candle applied. */
export interface IndicatorSnapshot {
  readonly token: string;
  readonly interval: CandleInterval;
  /** start (epoch ms) of the last candle applied */
  readonly startMs: number;
  /** the readings include the still-forming candle */
  readonly forming: boolean;
  /** closed candles committed */
  readonly count: number;
  /** in the order of the set's specs */
  readonly readings: readonly IndicatorReading[];
}

/** What the set reads from a candle: the indicator inputs plus the series key and whether it is closed. */
export type SeriesCandle = Pick<
  Candle,
  'token' | 'interval' | 'closed' | 'startMs' | 'open' | 'high' | 'low' | 'close' | 'volume'
>;

export interface IndicatorSetOptions {
  readonly indicators: readonly IndicatorSpec[];
  /** intervals to follow; candles of other intervals are ignored. Default: all. */
  readonly intervals?: readonly CandleInterval[];
  /**
   * apply forming candles (default true). Off, values change only on closed candles, which is what a
   * strategy that must not repaint wants; on, they track the forming candle, which is what a chart wants.
   */
  readonly forming?: boolean;
}

/** Counters for metrics and tests; every candle given lands in `applied` or one `ignored*` field. */
export interface IndicatorSetStats {
  candles: number;
  applied: number;
  /** at or before the series' last closed candle: a duplicate or a replayed candle */
  ignoredLate: number;
  ignoredInterval: number;
  /** forming candles when the set follows closed candles only */
  ignoredForming: number;
}

type Entry =
  | {
      readonly name: string;
      readonly kind: 'sma' | 'ema' | 'rsi' | 'atr' | 'vwap';
      readonly indicator: StreamingIndicator<number>;
    }
  | { readonly name: string; readonly kind: 'macd'; readonly indicator: StreamingIndicator<MacdValue> }
  | {
      readonly name: string;
      readonly kind: 'bollinger';
      readonly indicator: StreamingIndicator<BollingerValue>;
    }
  | {
      readonly name: string;
      readonly kind: 'supertrend';
      readonly indicator: StreamingIndicator<SuperTrendValue>;
    };

/** The default name of a spec: kind and parameters, e.g. "macd(12,26,9)". */
export function indicatorName(spec: IndicatorSpec): string {
  if (spec.name !== undefined) return spec.name;
  switch (spec.kind) {
    case 'vwap':
      return 'vwap';
    case 'macd':
      return `macd(${spec.fast},${spec.slow},${spec.signal})`;
    case 'bollinger':
    case 'supertrend':
      return `${spec.kind}(${spec.period},${spec.multiplier})`;
    default:
      return `${spec.kind}(${spec.period})`;
  }
}

function createEntry(spec: IndicatorSpec, name: string): Entry {
  switch (spec.kind) {
    case 'sma':
      return { name, kind: spec.kind, indicator: new Sma(spec.period) };
    case 'ema':
      return { name, kind: spec.kind, indicator: new Ema(spec.period) };
    case 'rsi':
      return { name, kind: spec.kind, indicator: new Rsi(spec.period) };
    case 'atr':
      return { name, kind: spec.kind, indicator: new Atr(spec.period) };
    case 'vwap':
      return { name, kind: spec.kind, indicator: new Vwap() };
    case 'macd':
      return { name, kind: spec.kind, indicator: new Macd(spec.fast, spec.slow, spec.signal) };
    case 'bollinger':
      return { name, kind: spec.kind, indicator: new Bollinger(spec.period, spec.multiplier) };
    case 'supertrend':
      return { name, kind: spec.kind, indicator: new SuperTrend(spec.period, spec.multiplier) };
  }
}

/** Creates the indicator a spec describes (throws IF_ERR_VALIDATION on bad parameters). */
export function createIndicator(spec: IndicatorSpec): StreamingIndicator<IndicatorReading['value']> {
  return createEntry(spec, indicatorName(spec)).indicator;
}

function readingOf(entry: Entry): IndicatorReading {
  switch (entry.kind) {
    case 'macd':
      return { name: entry.name, kind: entry.kind, value: entry.indicator.value };
    case 'bollinger':
      return { name: entry.name, kind: entry.kind, value: entry.indicator.value };
    case 'supertrend':
      return { name: entry.name, kind: entry.kind, value: entry.indicator.value };
    default:
      return { name: entry.name, kind: entry.kind, value: entry.indicator.value };
  }
}

class Series {
  /** start of the last closed candle committed; candles at or before it are late */
  lastClosedStartMs = Number.NEGATIVE_INFINITY;
  startMs = Number.NaN;
  forming = false;
  count = 0;

  constructor(readonly entries: readonly Entry[]) {}
}

/**
 * The configured indicators of every (token, interval) seen, fed from the candle builder's closed and
 * forming candles. A series is created on its first candle. Closed candles commit (`update`); a forming
 * candle is evaluated on top (`replace`) until its closed version arrives. Candles are never reopened:
 * one at or before the series' last closed candle is counted and ignored.
 */
export class IndicatorSet {
  private readonly specs: readonly { readonly spec: IndicatorSpec; readonly name: string }[];
  private readonly followed: readonly boolean[];
  private readonly applyForming: boolean;
  /** per token, one slot per entry of CANDLE_INTERVALS */
  private readonly series = new Map<string, (Series | undefined)[]>();
  private readonly counters: IndicatorSetStats = {
    candles: 0,
    applied: 0,
    ignoredLate: 0,
    ignoredInterval: 0,
    ignoredForming: 0,
  };

  constructor(options: IndicatorSetOptions) {
    const seen = new Set<string>();
    this.specs = options.indicators.map((spec) => {
      const name = indicatorName(spec);
      if (seen.has(name)) {
        throw new IfError('IF_ERR_VALIDATION', { detail: `indicator name "${name}" is used twice` });
      }
      seen.add(name);
      createEntry(spec, name); // validates the parameters now rather than on the first candle
      return { spec, name };
    });
    const intervals = options.intervals ?? CANDLE_INTERVALS;
    this.followed = CANDLE_INTERVALS.map((interval) => intervals.includes(interval));
    this.applyForming = options.forming ?? true;
  }

  /** the readings' names, in order */
  get names(): readonly string[] {
    return this.specs.map((s) => s.name);
  }

  get stats(): Readonly<IndicatorSetStats> {
    return this.counters;
  }

  /** Applies a closed or forming candle; returns false when it was ignored (see `stats`). */
  onCandle(candle: SeriesCandle): boolean {
    this.counters.candles++;
    const index = CANDLE_INTERVALS.indexOf(candle.interval);
    if (index < 0 || this.followed[index] !== true) {
      this.counters.ignoredInterval++;
      return false;
    }
    if (!candle.closed && !this.applyForming) {
      this.counters.ignoredForming++;
      return false;
    }
    const series = this.seriesOf(candle.token, index);
    if (candle.startMs <= series.lastClosedStartMs) {
      this.counters.ignoredLate++;
      return false;
    }
    const entries = series.entries;
    if (candle.closed) {
      for (let i = 0; i < entries.length; i++) entries[i]?.indicator.update(candle);
      series.lastClosedStartMs = candle.startMs;
      series.count++;
    } else {
      for (let i = 0; i < entries.length; i++) entries[i]?.indicator.replace(candle);
    }
    series.forming = !candle.closed;
    series.startMs = candle.startMs;
    this.counters.applied++;
    return true;
  }

  /** The readings of a series, or undefined if it has had no candle. */
  snapshot(token: string, interval: CandleInterval): IndicatorSnapshot | undefined {
    const series = this.series.get(token)?.[CANDLE_INTERVALS.indexOf(interval)];
    if (series === undefined) return undefined;
    return {
      token,
      interval,
      startMs: series.startMs,
      forming: series.forming,
      count: series.count,
      readings: series.entries.map(readingOf),
    };
  }

  /** One reading of a series by name, or undefined if the series or the name is unknown. */
  reading(token: string, interval: CandleInterval, name: string): IndicatorReading | undefined {
    const series = this.series.get(token)?.[CANDLE_INTERVALS.indexOf(interval)];
    const entry = series?.entries.find((e) => e.name === name);
    return entry === undefined ? undefined : readingOf(entry);
  }

  /** Forgets every series of a token (unsubscribed, or expired). */
  remove(token: string): void {
    this.series.delete(token);
  }

  private seriesOf(token: string, index: number): Series {
    let slots = this.series.get(token);
    if (slots === undefined) {
      slots = CANDLE_INTERVALS.map(() => undefined);
      this.series.set(token, slots);
    }
    let series = slots[index];
    if (series === undefined) {
      series = new Series(this.specs.map(({ spec, name }) => createEntry(spec, name)));
      slots[index] = series;
    }
    return series;
  }
}
