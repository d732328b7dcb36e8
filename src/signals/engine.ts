import {
  type IndicatorReading as AnalyticsReading,
  IndicatorSet,
  type IndicatorSpec,
  OrderFlowRegistry,
  RealizedVolatility,
} from '../analytics/index.js';
import { istMidnight } from '../core/time.js';
import type { Candle, CandleInterval } from '../feed/candles/index.js';
import type { DataQuality, MarketEvent } from '../feed/events.js';
import type { ChainRowSnapshot, ChainSnapshot } from '../options/index.js';
import { buildSignal } from './composite.js';
import type { SignalConfig } from './config.js';
import { instrumentPicker } from './instrumentPicker.js';
import { isTerminal, onPrice, onTime } from './lifecycle.js';
import { RecentBuildUp } from './recentBuildUp.js';
import { ivRegimeStrategy } from './strategies/ivRegime.js';
import { meanReversionStrategy } from './strategies/meanReversion.js';
import { trendStrategy } from './strategies/trend.js';
import type {
  ChainFeatures,
  FeatureSnapshot,
  IndicatorReading,
  NoSignalReason,
  Signal,
  Strategy,
} from './types.js';

/** An index the engine trades signals on, with the future whose order flow it reads (if subscribed). */
export interface SignalUnderlying {
  /** upper case, e.g. NIFTY */
  readonly underlying: string;
  readonly indexToken: string;
  readonly future?: { readonly token: string; readonly exchangeType: number; readonly tickSizePaise: number };
}

/** The market as the engine reads it; the platform adapts its chain registry and pipeline state to this. */
export interface SignalMarket {
  /** the nearest chain of an underlying as it stands now, or undefined */
  chain(underlying: string): ChainSnapshot | undefined;
  /** data quality of an instrument by token; undefined when the monitor has not reported on it */
  quality(token: string): DataQuality | undefined;
}

/** Indicator periods of the signal timeframe (in candles of `interval`). */
export interface SignalIndicatorPeriods {
  readonly emaFast: number;
  readonly emaSlow: number;
  readonly superTrend: { readonly period: number; readonly multiplier: number };
  readonly rsi: number;
  readonly bollinger: { readonly period: number; readonly multiplier: number };
  readonly atr: number;
}

export const DEFAULT_SIGNAL_PERIODS: SignalIndicatorPeriods = {
  emaFast: 9,
  emaSlow: 21,
  superTrend: { period: 10, multiplier: 3 },
  rsi: 14,
  bollinger: { period: 20, multiplier: 2 },
  atr: 14,
};

/** The ATR's name in the feature set; strategies do not vote on it, composite sizes stops with it. */
export const SIGNAL_ATR_NAME = 'atr';

export type SignalEngineEvent =
  | { readonly type: 'new'; readonly signal: Signal }
  | { readonly type: 'closed'; readonly signal: Signal };

export interface SignalEngineOptions {
  readonly underlyings: readonly SignalUnderlying[];
  readonly market: SignalMarket;
  /** read at every evaluation, so a hot-reloaded config applies from the next candle */
  readonly config: () => SignalConfig;
  /** the candle interval indicators run on and whose closed candles of the index trigger an evaluation */
  readonly interval?: CandleInterval;
  readonly periods?: SignalIndicatorPeriods;
  readonly onEvent: (event: SignalEngineEvent) => void;
}

/** Counters for health and for tuning thresholds: evaluations and why they did not fire. */
export interface SignalEngineStats {
  evaluations: number;
  signals: number;
  closed: number;
  noSignal: Partial<Record<NoSignalReason, number>>;
  /** the latest refusal per `${strategy}:${underlying}`, so an operator can see why nothing fires */
  lastRefusal: Record<string, { reason: NoSignalReason; detail: string; atMs: number }>;
  /** history candles applied per underlying at start-up (warm-up) */
  warmedUp: Record<string, number>;
}

const INTERVAL_MINUTES: Record<CandleInterval, number> = {
  '1s': 1 / 60,
  '1m': 1,
  '3m': 3,
  '5m': 5,
  '15m': 15,
};

function toFeature(reading: AnalyticsReading): IndicatorReading | undefined {
  const v = reading.value;
  if (v === undefined) return undefined;
  switch (reading.kind) {
    case 'supertrend':
      return reading.value === undefined
        ? undefined
        : { kind: 'supertrend', value: reading.value.value, direction: reading.value.direction };
    case 'bollinger':
      return reading.value === undefined
        ? undefined
        : {
            kind: 'bands',
            upper: reading.value.upper,
            middle: reading.value.middle,
            lower: reading.value.lower,
          };
    case 'macd':
      return undefined;
    default:
      return typeof reading.value === 'number' ? { kind: 'scalar', value: reading.value } : undefined;
  }
}

function chainFeatures(
  snapshot: ChainSnapshot,
  recent: { call?: ChainFeatures['recentCallBuildUp']; put?: ChainFeatures['recentPutBuildUp'] } | undefined,
): ChainFeatures {
  const { summary, rows } = snapshot;
  const atm = summary.atmStrike === undefined ? undefined : rows.find((r) => r.strike === summary.atmStrike);
  return {
    ...(recent?.call === undefined ? {} : { recentCallBuildUp: recent.call }),
    ...(recent?.put === undefined ? {} : { recentPutBuildUp: recent.put }),
    ...(summary.ivRank === undefined ? {} : { ivRank: summary.ivRank }),
    ...(summary.smile.atmIv === undefined ? {} : { atmIv: summary.smile.atmIv }),
    ...(summary.atmStrike === undefined ? {} : { atmStrikePaise: summary.atmStrike }),
    ...(atm?.call?.buildUp === undefined ? {} : { atmCallBuildUp: atm.call.buildUp }),
    ...(atm?.put?.buildUp === undefined ? {} : { atmPutBuildUp: atm.put.buildUp }),
    ...(summary.pcr.oi === undefined ? {} : { pcrOi: summary.pcr.oi }),
  };
}

/** Strikes each side of ATM a signal may trade: bought options sit near ATM, sold legs and hedges a few out. */
export const TRADABLE_STRIKES_EACH_SIDE = 12;

/**
 * The rows a signal may pick from: ATM ± TRADABLE_STRIKES_EACH_SIDE (all rows when ATM is unknown). Far
 * strikes never fit the delta bands, and skipping them keeps an evaluation's cost independent of how wide
 * the subscribed chain is.
 */
function tradableRows(chain: ChainSnapshot | undefined): readonly ChainRowSnapshot[] {
  if (chain === undefined) return [];
  const atm = chain.summary.atmStrike;
  const at = atm === undefined ? -1 : chain.rows.findIndex((r) => r.strike === atm);
  if (at < 0) return chain.rows;
  return chain.rows.slice(Math.max(0, at - TRADABLE_STRIKES_EACH_SIDE), at + TRADABLE_STRIKES_EACH_SIDE + 1);
}

/**
 * Runs the strategies on one timeframe of each underlying index: indicators on its candles, order flow on
 * its future, chain read-outs from the market port. Each closed candle of the index assembles a
 * FeatureSnapshot and asks every enabled strategy; a strategy holds at most one active signal per
 * underlying. Active signals move on prices of their instrument and on the clock. Time comes only from
 * candles, events and `onClock`, so live, paper and replay agree.
 */
export class SignalEngine {
  private readonly interval: CandleInterval;
  private readonly indicators: IndicatorSet;
  private readonly flow = new OrderFlowRegistry();
  private readonly byIndexToken = new Map<string, SignalUnderlying>();
  /** key `${strategy}:${underlying}` */
  private readonly active = new Map<string, Signal>();
  private readonly spot = new Map<string, number>();
  private readonly realized = new Map<string, RealizedVolatility>();
  private readonly recentBuildUp: RecentBuildUp;
  private readonly counters: SignalEngineStats = {
    evaluations: 0,
    signals: 0,
    closed: 0,
    noSignal: {},
    lastRefusal: {},
    warmedUp: {},
  };

  constructor(private readonly options: SignalEngineOptions) {
    this.interval = options.interval ?? '1m';
    const p = options.periods ?? DEFAULT_SIGNAL_PERIODS;
    const c = options.config().strategies;
    const specs: IndicatorSpec[] = [
      { kind: 'ema', period: p.emaFast, name: c.trend.emaFast },
      { kind: 'ema', period: p.emaSlow, name: c.trend.emaSlow },
      { kind: 'supertrend', ...p.superTrend, name: c.trend.superTrend },
      { kind: 'rsi', period: p.rsi, name: c.meanReversion.rsi },
      { kind: 'bollinger', ...p.bollinger, name: c.meanReversion.bollinger },
      { kind: 'atr', period: p.atr, name: SIGNAL_ATR_NAME },
    ];
    // Closed candles only: a signal must not come from a reading that repaints.
    this.indicators = new IndicatorSet({ indicators: specs, intervals: [this.interval], forming: false });
    // Window lengths are read once: changing them needs history the engine no longer has.
    const windows = options.config().features;
    this.recentBuildUp = new RecentBuildUp(windows.oiLookbackCandles);
    for (const u of options.underlyings) {
      this.byIndexToken.set(u.indexToken, u);
      this.realized.set(
        u.underlying,
        new RealizedVolatility(windows.realizedVolCandles, INTERVAL_MINUTES[this.interval]),
      );
      if (u.future !== undefined) this.flow.open(u.future);
    }
  }

  /**
   * Feeds closed history candles of an index (oldest first, e.g. from the broker's candle API at start-up)
   * to its indicators without evaluating, so strategies can fire minutes after start instead of after a
   * slow EMA's worth of live candles. Returns how many were applied (late or foreign candles are skipped).
   */
  warmUp(indexToken: string, candles: readonly Candle[]): number {
    const u = this.byIndexToken.get(indexToken);
    if (u === undefined) return 0;
    let applied = 0;
    for (const candle of candles) {
      if (candle.token !== indexToken || !candle.closed || candle.interval !== this.interval) continue;
      if (!this.indicators.onCandle(candle)) continue;
      this.realized.get(u.underlying)?.update(candle.close, istMidnight(candle.startMs));
      this.spot.set(u.underlying, candle.close);
      applied++;
    }
    this.counters.warmedUp[u.underlying] = (this.counters.warmedUp[u.underlying] ?? 0) + applied;
    return applied;
  }

  get stats(): Readonly<SignalEngineStats> {
    return this.counters;
  }

  /** Active signals, in the order they fired. */
  activeSignals(): Signal[] {
    return [...this.active.values()];
  }

  /** A closed candle of any instrument; closed candles of an index on the engine's interval evaluate. */
  onCandle(candle: Candle): void {
    const u = this.byIndexToken.get(candle.token);
    if (u === undefined || !candle.closed || candle.interval !== this.interval) return;
    if (!this.indicators.onCandle(candle)) return;
    this.realized.get(u.underlying)?.update(candle.close, istMidnight(candle.startMs));
    this.spot.set(u.underlying, candle.close);
    this.evaluate(u, candle.endMs);
  }

  /** An accepted market event: order flow of the futures, and prices of the signals' instruments. */
  onMarketEvent(event: MarketEvent): void {
    this.flow.onEvent(event);
    if (event.type === 'depth' || this.active.size === 0) return;
    for (const [key, signal] of this.active) {
      if (signal.instrument.token !== event.token) continue;
      this.advance(key, signal, onPrice(signal, event.lastPrice, event.exchangeTimeMs));
    }
  }

  /** Engine time (epoch ms): expires signals whose validity has elapsed. */
  onClock(nowMs: number): void {
    for (const [key, signal] of this.active) this.advance(key, signal, onTime(signal, nowMs));
  }

  private advance(key: string, before: Signal, after: Signal): void {
    if (after === before) return;
    if (isTerminal(after.status)) {
      this.active.delete(key);
      this.counters.closed++;
      this.options.onEvent({ type: 'closed', signal: after });
    }
  }

  private strategies(config: SignalConfig): Strategy[] {
    const out: Strategy[] = [];
    if (config.strategies.trend.enabled) out.push(trendStrategy(config.strategies.trend));
    if (config.strategies.meanReversion.enabled)
      out.push(meanReversionStrategy(config.strategies.meanReversion));
    if (config.strategies.ivRegime.enabled) out.push(ivRegimeStrategy(config.strategies.ivRegime));
    return out;
  }

  /** Assembles the features of one underlying at `timeMs` (epoch ms). */
  features(
    u: SignalUnderlying,
    timeMs: number,
    chain: ChainSnapshot | undefined = this.options.market.chain(u.underlying),
  ): FeatureSnapshot | undefined {
    const spotPaise = this.spot.get(u.underlying);
    const snapshot = this.indicators.snapshot(u.indexToken, this.interval);
    if (spotPaise === undefined || snapshot === undefined) return undefined;
    const indicators: Record<string, IndicatorReading> = {};
    let atrPaise: number | undefined;
    for (const reading of snapshot.readings) {
      const feature = toFeature(reading);
      if (feature === undefined) continue;
      if (reading.name === SIGNAL_ATR_NAME && feature.kind === 'scalar') atrPaise = feature.value;
      else indicators[reading.name] = feature;
    }
    const quality: Record<string, DataQuality> = {};
    const tokens = [u.indexToken];
    for (const row of tradableRows(chain)) {
      if (row.call) tokens.push(row.call.token);
      if (row.put) tokens.push(row.put.token);
    }
    if (u.future) tokens.push(u.future.token);
    for (const token of tokens) {
      const q = this.options.market.quality(token);
      if (q !== undefined) quality[token] = q;
    }
    const flow = u.future ? this.flow.get(u.future.exchangeType, u.future.token)?.snapshot() : undefined;
    return {
      underlying: u.underlying,
      underlyingToken: u.indexToken,
      timeMs,
      spotPaise,
      atrPaise,
      quality,
      indicators,
      orderFlow: flow,
      chain:
        chain === undefined
          ? undefined
          : chainFeatures(
              chain,
              chain.summary.atmStrike === undefined
                ? undefined
                : this.recentBuildUp.buildUp(u.underlying, chain.summary.atmStrike),
            ),
      realizedVol: this.realized.get(u.underlying)?.value,
    };
  }

  private evaluate(u: SignalUnderlying, timeMs: number): void {
    this.onClock(timeMs);
    const config = this.options.config();
    const chain = this.options.market.chain(u.underlying);
    if (chain !== undefined) {
      this.recentBuildUp.record(u.underlying, timeMs, chain.summary.atmStrike, chain.rows);
    }
    const features = this.features(u, timeMs, chain);
    if (features === undefined) return;
    const pick = instrumentPicker(config.picker, {
      rows: tradableRows(chain),
      // Only contracts whose data is fresh are candidates; a gapped far strike must not veto the signal.
      usable: (token) => features.quality[token] === 'fresh',
    });
    for (const strategy of this.strategies(config)) {
      const key = `${strategy.id}:${u.underlying}`;
      if (this.active.has(key)) continue;
      this.counters.evaluations++;
      const result = buildSignal(
        strategy.id,
        features,
        strategy.evaluate(features),
        config.composite,
        pick,
        strategy.structure?.(features),
      );
      if (result.type === 'no-signal') {
        this.counters.noSignal[result.reason] = (this.counters.noSignal[result.reason] ?? 0) + 1;
        this.counters.lastRefusal[key] = { reason: result.reason, detail: result.detail, atMs: timeMs };
        continue;
      }
      // Cache, then publish: the signal is active before anyone hears of it.
      this.active.set(key, result);
      this.counters.signals++;
      this.options.onEvent({ type: 'new', signal: result });
    }
  }
}
