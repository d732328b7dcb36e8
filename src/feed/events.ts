import type { Instrument } from '../core/instrument.js';

/**
 * Canonical market events: what every part after the feed adapter sees. Prices are integer paise,
 * quantities units, times epoch ms. `exchangeTimeMs` is the exchange's stamp (from the packet);
 * `receivedAtMs` is the engine clock when the packet arrived — replays reproduce both.
 */
interface MarketEventBase {
  token: string;
  exchangeType: number;
  exchangeTimeMs: number;
  receivedAtMs: number;
  /** the feed's per-instrument sequence number; 0 where the exchange sends none (indices) */
  sequence: number;
}

/** Last trade and day totals. Emitted for every packet that carries an LTP. */
export interface TickEvent extends MarketEventBase {
  type: 'tick';
  /** paise; 0 means "not traded yet today" and is not a price */
  lastPrice: number;
  lastQuantity: number;
  /** cumulative day volume */
  volume: number;
  /** paise */
  averagePrice: number;
  /** undefined when the packet mode does not carry OI (LTP, Quote) */
  openInterest: number | undefined;
  /** when the last trade happened (SnapQuote only), epoch ms */
  lastTradeTimeMs: number | undefined;
}

/** Top of book, day OHLC and totals (Quote and SnapQuote packets). */
export interface QuoteEvent extends MarketEventBase {
  type: 'quote';
  lastPrice: number;
  /** best bid / ask in paise; 0 when that side is empty or the mode has no depth */
  bidPrice: number;
  bidQuantity: number;
  askPrice: number;
  askQuantity: number;
  totalBuyQuantity: number;
  totalSellQuantity: number;
  open: number;
  high: number;
  low: number;
  previousClose: number;
  volume: number;
  openInterest: number | undefined;
  upperCircuit: number | undefined;
  lowerCircuit: number | undefined;
}

export interface DepthLevel {
  /** paise */
  price: number;
  quantity: number;
  orders: number;
}

/** Order book levels, best first (5 levels from SnapQuote, 20 from Depth-20). */
export interface DepthEvent extends MarketEventBase {
  type: 'depth';
  bids: DepthLevel[];
  asks: DepthLevel[];
}

export type MarketEvent = TickEvent | QuoteEvent | DepthEvent;

export type MoneynessBucket = 'deep-itm' | 'itm' | 'atm' | 'otm' | 'deep-otm';

/** What enrichment adds about the instrument of an event (shared per instrument, not copied per tick). */
export interface InstrumentContext {
  instrument: Instrument;
  /** underlying name (NIFTY, BANKNIFTY, …) */
  underlying: string;
  /** fractional days from the event to the expiry's session close; undefined for indices */
  daysToExpiry: number | undefined;
  /** options only, from the underlying's latest price in the cache */
  moneyness: MoneynessBucket | undefined;
}

/** Per-instrument data quality, published whenever it changes; signals refuse to act on non-fresh data. */
export type DataQuality = 'fresh' | 'stale' | 'gapped';

export interface DataQualityEvent {
  token: string;
  quality: DataQuality;
  previous: DataQuality | undefined;
  /** engine time of the change */
  atMs: number;
  reason: string;
}

/** Why an event was dropped or flagged by validation (a metric label, so keep the set small). */
export type ValidationReason =
  | 'duplicate'
  | 'out-of-order'
  | 'sequence-gap'
  | 'stale'
  | 'crossed-book'
  | 'outside-circuit'
  | 'negative-quantity'
  | 'not-finite'
  | 'zero-price'
  | 'unknown-instrument';
