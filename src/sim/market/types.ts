import type { Instrument } from '../../core/instrument.js';

/** One row of Angel's instrument master, exactly as served (every value a string). */
export interface ScripMasterRow {
  token: string;
  symbol: string;
  name: string;
  expiry: string;
  strike: string;
  lotsize: string;
  instrumenttype: string;
  exch_seg: string;
  tick_size: string;
}

/** A price level of the simulated book. */
export interface BookLevel {
  /** paise */
  price: number;
  quantity: number;
  orders: number;
}

/**
 * Everything the simulator needs to emit LTP, Quote, SnapQuote and Depth-20 packets for one instrument.
 * Prices in paise, quantities in units, times in epoch ms.
 */
export interface InstrumentMarketState {
  token: string;
  exchangeType: number;
  /** increases by one per update (the feed's sequence number; 0 for indices) */
  sequenceNumber: number;
  exchangeTimeMs: number;
  lastTradedPrice: number;
  lastTradedQuantity: number;
  lastTradedTimeMs: number;
  averageTradedPrice: number;
  volume: number;
  totalBuyQuantity: number;
  totalSellQuantity: number;
  open: number;
  high: number;
  low: number;
  /** previous session close */
  close: number;
  openInterest: number;
  /** OI change vs previous close, percent */
  openInterestChangePercent: number;
  /** 5 levels, best first (empty for indices) */
  bids: BookLevel[];
  asks: BookLevel[];
  /** 20 levels, best first (for Depth-20 subscribers) */
  bids20: BookLevel[];
  asks20: BookLevel[];
  upperCircuit: number;
  lowerCircuit: number;
  fiftyTwoWeekHigh: number;
  fiftyTwoWeekLow: number;
}

/**
 * The simulated exchange's market. Pure and seeded: the same seed and the same sequence of
 * `advanceTo` calls give the same states.
 */
export interface MarketModel {
  readonly instruments: readonly Instrument[];
  /** the instrument master in Angel's JSON format */
  scripMaster(): ScripMasterRow[];
  instrument(token: string): Instrument | undefined;
  /** accepts both exchange-style (26000) and master-style (99926000) index tokens */
  resolveToken(token: string): string | undefined;
  state(token: string): InstrumentMarketState | undefined;
  /** moves the model to simulated time `nowMs`; returns tokens that ticked since the last call */
  advanceTo(nowMs: number): string[];
  isMarketOpen(nowMs: number): boolean;
  /** records a simulated-exchange trade against the book (from the order engine) */
  recordTrade(token: string, pricePaise: number, quantity: number, nowMs: number): void;
}

/** Raw SVI parameters: total variance w(k) = a + b·(ρ(k − m) + √((k − m)² + σ²)) at k = ln(K/F). */
export interface SviParameters {
  a: number;
  b: number;
  rho: number;
  m: number;
  sigma: number;
}

/** The model's implied-volatility smile of one expiry at one instant. */
export interface SmileSnapshot {
  underlying: string;
  /** `YYYY-MM-DD` */
  expiry: string;
  /** simulated time the snapshot describes, epoch ms */
  atMs: number;
  /** forward the options of this expiry are priced off, rupees */
  forward: number;
  /** e^{−rT} */
  discountFactor: number;
  /** calendar time to the expiry-day close, years of 365 days (the basis of `impliedVol`) */
  timeToExpiryYears: number;
  /** trading time to the expiry-day close, years of 252 sessions (the basis the variance accrues on) */
  tradingTimeToExpiryYears: number;
  /** raw SVI of total implied variance in k = ln(K/F) */
  svi: SviParameters;
}

/** The inputs behind an option's current quote (as of its last tick). */
export interface OptionQuoteModel extends SmileSnapshot {
  token: string;
  /** rupees */
  strike: number;
  optionType: 'CE' | 'PE';
  /** annualised on `timeToExpiryYears`: √(w(k)/T) */
  impliedVol: number;
  /** Black-76 value before rounding and spread, rupees */
  fairPrice: number;
}

/** The simulator's market model with the extras tests and tools use. */
export interface SimMarketModel extends MarketModel {
  /** the model's current smile for an underlying's option expiry; undefined if not listed or expired */
  smile(underlying: string, expiry: string): SmileSnapshot | undefined;
  /** the model inputs behind an option's current quote; undefined for non-options */
  impliedVol(token: string): OptionQuoteModel | undefined;
  /** option expiries listed per underlying, nearest first */
  optionExpiries(underlying: string): readonly string[];
  /** the model's current simulated time, epoch ms */
  nowMs(): number;
}
