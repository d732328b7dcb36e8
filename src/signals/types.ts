import type { OrderFlowSnapshot } from '../analytics/index.js';
import type { InstrumentKind, OptionType } from '../core/instrument.js';
import type { DataQuality } from '../feed/events.js';
import type { BuildUp } from '../options/index.js';

/** Which way the underlying is expected to move. Long buys CE (or the future), short buys PE (or sells it). */
export type Direction = 'long' | 'short';

/** One indicator's reading, tagged by shape so strategies can look indicators up by configured name. */
export type IndicatorReading =
  /** scalar: EMA/SMA/VWAP in paise, RSI 0–100, ATR in paise */
  | { readonly kind: 'scalar'; readonly value: number }
  /** SuperTrend line (paise) and its direction */
  | { readonly kind: 'supertrend'; readonly value: number; readonly direction: 'bullish' | 'bearish' }
  /** Bollinger bands, paise */
  | { readonly kind: 'bands'; readonly upper: number; readonly middle: number; readonly lower: number };

/** Order-flow figures a strategy reads; a full OrderFlowSnapshot is assignable. */
export type OrderFlowFeatures = Pick<
  OrderFlowSnapshot,
  'asOfMs' | 'ofiNormalised' | 'depthImbalance1' | 'depthImbalance5' | 'windowCvd'
>;

/** Chain-level read-outs a strategy may use (from ChainSummary and the ATM row). */
export interface ChainFeatures {
  /** 0–100 */
  readonly ivRank?: number;
  /** annualised */
  readonly atmIv?: number;
  /** paise */
  readonly atmStrikePaise?: number;
  readonly atmCallBuildUp?: BuildUp;
  readonly atmPutBuildUp?: BuildUp;
  readonly pcrOi?: number;
  /**
   * OI build-up of the ATM strike over the last few candles (price and OI change within the session window),
   * which turns with the market; `atmCallBuildUp`/`atmPutBuildUp` compare with the previous close instead
   */
  readonly recentCallBuildUp?: BuildUp;
  readonly recentPutBuildUp?: BuildUp;
}

/**
 * Everything a strategy sees at one moment: a plain record, assembled by the engine from the caches.
 * Strategies never read anything else, so live, paper and replay give the same proposals.
 */
export interface FeatureSnapshot {
  /** upper case, e.g. NIFTY */
  readonly underlying: string;
  /** token of the underlying (index) whose quality gates every signal */
  readonly underlyingToken: string;
  /** engine time of the snapshot, epoch ms */
  readonly timeMs: number;
  /** paise */
  readonly spotPaise: number;
  /** ATR of the underlying on the signal timeframe, paise; stop and target distances are multiples of it */
  readonly atrPaise: number | undefined;
  /** data quality by instrument token; a token missing here counts as unknown, and unknown fails closed */
  readonly quality: Readonly<Record<string, DataQuality>>;
  /** indicator readings by configured name (e.g. 'ema9', 'supertrend', 'rsi14', 'bb20') */
  readonly indicators: Readonly<Record<string, IndicatorReading>>;
  readonly orderFlow: OrderFlowFeatures | undefined;
  readonly chain: ChainFeatures | undefined;
  /** realised volatility of the underlying on the signal timeframe, annualised (0.12 = 12 %) */
  readonly realizedVol?: number | undefined;
}

/**
 * How a directional view is traded: `buy-premium` buys a CE (long) or PE (short), or trades the future;
 * `sell-premium` sells an out-of-the-money PE (long) or CE (short) and buys a further one as a hedge — a
 * credit spread, whose risk is capped by the strike distance (no naked selling from signals).
 */
export type SignalStructure = 'buy-premium' | 'sell-premium';

/** The bought leg of a credit spread, priced at its ask when the signal fired. */
export interface SignalHedge {
  readonly instrument: SignalInstrument;
  readonly entryPaise: number;
}

/** One component's vote. `score` in [−1, 1]: positive is long, negative short; `weight` ≥ 0. */
export interface Contribution {
  readonly component: string;
  readonly score: number;
  readonly weight: number;
  /** the reading the score came from, for display and audit */
  readonly value: number | string;
  readonly reason: string;
}

/** A strategy is pure: features in, contributions out. An empty list means "nothing to propose". */
export interface Strategy {
  readonly id: string;
  describe(): string;
  evaluate(features: FeatureSnapshot): Contribution[];
  /** how the view is traded; absent means buying premium (or trading the future) */
  structure?(features: FeatureSnapshot): SignalStructure;
}

/** The contract a signal tells the trader to buy (or, for a short future, sell). */
export interface SignalInstrument {
  readonly token: string;
  readonly symbol: string;
  readonly kind: Extract<InstrumentKind, 'option' | 'future'>;
  /** paise, options only */
  readonly strikePaise?: number;
  readonly optionType?: OptionType;
  /** per unit, options only (call 0..1, put −1..0) */
  readonly delta?: number;
}

export type SignalStatus = 'active' | 'target-hit' | 'stopped' | 'expired' | 'cancelled';
export type TerminalStatus = Exclude<SignalStatus, 'active'>;

/** How a signal ended. */
export interface SignalClose {
  readonly status: TerminalStatus;
  /** epoch ms */
  readonly atMs: number;
  /** instrument price that closed it, paise; absent for cancel */
  readonly pricePaise?: number;
  readonly reason: string;
}

export interface Signal {
  readonly type: 'signal';
  /** deterministic: `${strategy}:${underlying}:${createdAtMs}` */
  readonly id: string;
  readonly strategy: string;
  readonly underlying: string;
  readonly direction: Direction;
  /** how the view is traded (see SignalStructure) */
  readonly structure: SignalStructure;
  /** what to do with `instrument`: buy it, or sell it (short future, the sold leg of a credit spread) */
  readonly side: 'BUY' | 'SELL';
  readonly instrument: SignalInstrument;
  /** the protective leg bought with a credit spread, further out of the money; levels follow `instrument` */
  readonly hedge?: SignalHedge;
  /** instrument prices, paise, multiples of its tick */
  readonly entryPaise: number;
  readonly stopPaise: number;
  readonly targetPaise: number;
  /** the weighted score, [−1, 1] */
  readonly score: number;
  /** 0..1 */
  readonly confidence: number;
  readonly createdAtMs: number;
  readonly validUntilMs: number;
  readonly contributions: readonly Contribution[];
  readonly status: SignalStatus;
  readonly closed?: SignalClose;
}

export type NoSignalReason =
  | 'quality-unknown'
  | 'stale-data'
  | 'gapped-data'
  | 'no-contributions'
  | 'invalid-contribution'
  | 'conflicting'
  | 'below-threshold'
  | 'no-atr'
  | 'no-instrument'
  | 'invalid-levels';

/** Why the composite did not fire. */
export interface NoSignal {
  readonly type: 'no-signal';
  readonly reason: NoSignalReason;
  readonly detail: string;
  /** the weighted score, when it got that far */
  readonly score?: number;
}
