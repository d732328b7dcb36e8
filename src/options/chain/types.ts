import type { MarketCalendar } from '../../core/calendar/index.js';
import type { Instrument } from '../../core/instrument.js';
import type {
  BuildUp,
  BuildUpDeadBand,
  ChainQuote,
  ExpectedMove,
  GexConvention,
  OiWalls,
} from '../analytics/index.js';
import type { SviParams } from '../smile/index.js';
import type { ForwardSource } from './forward.js';
import type { SmileFitMode } from './summary.js';
import type { IvUnavailable } from './kernel.js';
import type { TimeBasis } from './timeToExpiry.js';

/** Which price the chain's headline IV (and so its Greeks) is solved from. */
export type IvSource = 'mid' | 'ltp';

/**
 * Default discount rate, continuously compounded: 6.5%, the round figure the reference recommends
 * (§2.4) for the level of the RBI 91-day T-bill and overnight MIBOR (5.3–5.5% on the 2026 auctions,
 * repo 5.25%) plus a margin. NSE's own chain uses 10%, far above market rates. With Black-76 on a
 * forward the rate only discounts the premium, so a 50 bp error moves a 30-day IV by ~0.02% relative.
 */
export const DEFAULT_RATE = 0.065;

/**
 * Dividend yield used only by the 'spot-carry' fallback forward S·e^{(r−q)T}: NIFTY's ~1.2–1.4%
 * (reference §2.4). It never matters while a future or put–call parity gives the forward.
 */
export const DEFAULT_DIVIDEND_YIELD = 0.012;

export interface OptionChainOptions {
  /** discount rate, continuously compounded per year; default {@link DEFAULT_RATE} */
  readonly rate?: number;
  /** time-to-expiry basis; default 'calendar' (theta per calendar day) */
  readonly timeBasis?: TimeBasis;
  /** price the headline IV and Greeks come from; default 'mid' (the reference's choice, §3.3) */
  readonly ivSource?: IvSource;
  /**
   * Forward to prefer when both exist: the same-expiry future (default, as Sensibull and NSE's feed do)
   * or put–call parity (the reference's first choice, and what the options themselves imply).
   */
  readonly forwardPreference?: 'future' | 'parity';
  /** strikes around the money whose parity forwards are medianed; default 5 */
  readonly parityStrikes?: number;
  /** dividend yield of the spot-carry fallback; default {@link DEFAULT_DIVIDEND_YIELD} */
  readonly dividendYield?: number;
  /**
   * Valuation time moves in steps of this many ms (default 1000): the chain re-solves every contract
   * when T changes, so a free-running T would turn every tick into a full refresh. One second is under
   * 0.1% of T until the last 20 minutes before the close.
   */
  readonly timeStepMs?: number;
  /** sign convention of GEX; default the naive dealer convention, labelled as such */
  readonly gexConvention?: GexConvention;
  /** dead band of the OI build-up labels */
  readonly buildUpDeadBand?: BuildUpDeadBand;
  /** where SVI fits run (see SmileFitMode); default 'inline' */
  readonly smileFit?: SmileFitMode;
  /** 'inline' only: least chain time between SVI refits, ms; default 5000 (a fit costs ~15 ms) */
  readonly smileRefitMs?: number;
}

/** One strike's contracts, as the instrument master pairs them (InstrumentStore's ChainStrike fits). */
export interface ChainStrikeInstruments {
  /** paise */
  readonly strikePaise: number;
  readonly call: Instrument | undefined;
  readonly put: Instrument | undefined;
}

/** What an OptionChain is built from. */
export interface OptionChainInput {
  /** upper case, e.g. NIFTY */
  readonly underlying: string;
  /** `YYYY-MM-DD` (IST) */
  readonly expiry: string;
  readonly strikes: readonly ChainStrikeInstruments[];
  /** the future of the same expiry, if one is listed (monthly expiries) */
  readonly future?: Instrument | undefined;
  /** the index, for spot (GEX, display) and the last-resort forward */
  readonly index?: Instrument | undefined;
  /** units per lot, from the instrument master */
  readonly lotSize: number;
  readonly calendar: MarketCalendar;
}

/** Per-lot display Greeks: per-unit × lot size. */
export interface LotGreeks {
  readonly delta: number;
  readonly gamma: number;
  /** ₹ per day */
  readonly theta: number;
  /** ₹ per vol point */
  readonly vega: number;
  /** ₹ per 1% of rate */
  readonly rho: number;
}

/**
 * One side of a chain row for clients. Prices paise; volume, OI and OI change in contracts (lots), as
 * NSE shows them (units = contracts × lot size); Greeks per unit in display units (delta per ₹ of the
 * forward, gamma per ₹, theta ₹/day on the chain's basis, vega ₹/vol point, rho ₹/1%) and per lot in
 * `lot`. Extends the analytics' ChainQuote, so snapshot rows feed src/options/analytics directly.
 * Optional fields are absent, never NaN.
 */
export interface ChainSideSnapshot extends ChainQuote {
  readonly token: string;
  readonly symbol: string;
  /** best bid / ask quantity, units */
  readonly bidQty: number;
  readonly askQty: number;
  /** LTP − previous close, paise; absent when either is unknown */
  readonly change?: number;
  /** headline IV (the chain's ivSource), annualised */
  readonly iv?: number;
  readonly ivReason?: IvUnavailable;
  readonly ivMid?: number;
  readonly ivMidReason?: IvUnavailable;
  readonly ivLtp?: number;
  readonly ivLtpReason?: IvUnavailable;
  /** which IV the Greeks were taken at: the headline one, else the other basis; absent without either */
  readonly greeksFrom?: IvSource;
  readonly theta?: number;
  readonly vega?: number;
  readonly rho?: number;
  readonly lot?: LotGreeks;
  readonly buildUp?: BuildUp;
  /** exchange time of the last update, epoch ms; 0 before the first */
  readonly exchangeTimeMs: number;
  /** chain version at which this side last changed */
  readonly version: number;
}

export interface ChainRowSnapshot {
  /** paise */
  readonly strike: number;
  readonly call?: ChainSideSnapshot;
  readonly put?: ChainSideSnapshot;
  /** the later of the two sides' versions */
  readonly version: number;
}

/** The chain's smile read-outs (reference §3.3–3.4). Vols annualised on the chain's time basis. */
export interface SmileSummary {
  /** ATM IV: σ(k = 0) off the SVI fit when there is one, else the mean of the ATM strike's IVs */
  readonly atmIv?: number;
  readonly atmIvSource?: 'svi' | 'strike';
  /** 25Δ risk reversal and butterfly off the SVI fit (undiscounted forward deltas) */
  readonly rr25?: number;
  readonly bf25?: number;
  readonly svi?: { readonly params: SviParams; readonly rmse: number; readonly points: number };
  /** why there is no SVI fit */
  readonly reason?: string;
  /** chain time of the fit, epoch ms */
  readonly fittedAtMs?: number;
}

/** Chain-level analytics (reference §4), from the rows of the same snapshot. */
export interface ChainSummary {
  readonly underlying: string;
  readonly expiry: string;
  /** latest exchange time seen (or passed to refresh), epoch ms */
  readonly asOfMs: number;
  /** the time T is measured from: asOfMs floored to the time step */
  readonly valuationMs: number;
  /** years to the expiry close on `timeBasis` */
  readonly timeYears: number;
  readonly timeBasis: TimeBasis;
  readonly rate: number;
  readonly ivSource: IvSource;
  readonly lotSize: number;
  /** index, paise */
  readonly spot?: number;
  /** paise (fractional: a mid or a parity median) */
  readonly forward?: number;
  readonly forwardSource?: ForwardSource;
  readonly atmStrike?: number;
  readonly pcr: { readonly oi?: number; readonly volume?: number; readonly oiChange?: number };
  /** max-pain strike and the writers' payout there, paise */
  readonly maxPain?: { readonly strike: number; readonly payout: number };
  readonly walls: OiWalls;
  /** ATM straddle C + P, paise, on LTP and on mid */
  readonly straddle: { readonly strike?: number; readonly ltp?: number; readonly mid?: number };
  /** paise of the underlying; from the smile's ATM IV and the straddle on the chain's ivSource */
  readonly expectedMove: ExpectedMove;
  /** ₹ per 1% move, signed by `convention` */
  readonly gex: {
    readonly call: number;
    readonly put: number;
    readonly net: number;
    readonly convention: string;
    readonly missingGamma: number;
  };
  readonly smile: SmileSummary;
  /**
   * IV rank and IV percentile, 0–100 (smile's ivRank/ivPercentile), of today's ATM IV against the
   * history given to setAtmIvHistory; absent without history or without an ATM IV now. Today's ATM IV
   * is measured as the history is (atmIvFromSnapshotRows: mean headline IV at the strike nearest the
   * forward), not the SVI σ(0) of `smile`, so both sides of the comparison are the same quantity.
   */
  readonly ivRank?: number;
  readonly ivPercentile?: number;
  readonly version: number;
}

export interface ChainSnapshot {
  readonly summary: ChainSummary;
  /** ascending by strike */
  readonly rows: readonly ChainRowSnapshot[];
}

/** What changed since a version: the rows whose sides changed, and the summary as it stands now. */
export interface ChainDelta {
  readonly from: number;
  readonly version: number;
  /** true when `rows` is every row (from ≤ 0, or a version this chain never had) */
  readonly full: boolean;
  readonly rows: readonly ChainRowSnapshot[];
  readonly summary: ChainSummary;
}

/** Counters for health and the bench. */
export interface ChainStats {
  readonly events: number;
  readonly refreshes: number;
  /** refreshes that re-solved every contract because the forward or T moved */
  readonly fullRefreshes: number;
  /** contract recomputations */
  readonly computed: number;
  readonly warmSolves: number;
  /** Halley steps over all warm solves (≈ 1–2 each when the forward moves a few ticks) */
  readonly warmSteps: number;
  readonly coldSolves: number;
}
