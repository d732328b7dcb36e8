import type { Instrument, InstrumentKind, OptionType } from '../core/instrument.js';

/**
 * Canonical market events: what every part after the feed adapter sees. Prices are integer paise,
 * quantities units, times epoch ms. `exchangeTimeMs` is the exchange's stamp (from the packet);
 * `receivedAtMs` is the engine clock when the packet arrived — replays reproduce both.
 *
 * Events are immutable once published: handlers may keep them (storage batches, candles), so nothing
 * after normalisation writes to them.
 */
interface MarketEventBase {
  readonly token: string;
  readonly exchangeType: number;
  readonly exchangeTimeMs: number;
  readonly receivedAtMs: number;
  /** the feed's per-instrument sequence number; 0 where the exchange sends none (indices, Depth-20) */
  readonly sequence: number;
}

/** Last trade and day totals. Emitted for every packet that carries an LTP. */
export interface TickEvent extends MarketEventBase {
  readonly type: 'tick';
  /** paise; 0 means "not traded yet today" and is not a price */
  readonly lastPrice: number;
  readonly lastQuantity: number;
  /** cumulative day volume */
  readonly volume: number;
  /** paise */
  readonly averagePrice: number;
  /** undefined when the packet mode does not carry OI (LTP, Quote) */
  readonly openInterest: number | undefined;
  /** when the last trade happened (SnapQuote only, undefined when it has never traded), epoch ms */
  readonly lastTradeTimeMs: number | undefined;
}

/** Top of book, day OHLC and totals (Quote and SnapQuote packets). */
export interface QuoteEvent extends MarketEventBase {
  readonly type: 'quote';
  readonly lastPrice: number;
  /** best bid / ask in paise; 0 when that side is empty or the mode has no depth */
  readonly bidPrice: number;
  readonly bidQuantity: number;
  readonly askPrice: number;
  readonly askQuantity: number;
  readonly totalBuyQuantity: number;
  readonly totalSellQuantity: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly previousClose: number;
  readonly volume: number;
  readonly openInterest: number | undefined;
  /** paise; undefined when the mode carries none (Quote) or the exchange sends 0 (indices) */
  readonly upperCircuit: number | undefined;
  readonly lowerCircuit: number | undefined;
}

export interface DepthLevel {
  /** paise */
  readonly price: number;
  readonly quantity: number;
  readonly orders: number;
}

/** Order book levels, best first (up to 5 from SnapQuote, 20 from Depth-20); empty levels are left out. */
export interface DepthEvent extends MarketEventBase {
  readonly type: 'depth';
  readonly bids: readonly DepthLevel[];
  readonly asks: readonly DepthLevel[];
}

export type MarketEvent = TickEvent | QuoteEvent | DepthEvent;

/** Options only: ITM/OTM by the sign of ln(K/S) for the option type, bands in src/feed/enrich. */
export type MoneynessBucket = 'deep-itm' | 'itm' | 'atm' | 'otm' | 'deep-otm';

/**
 * What enrichment adds about the instrument of an event. One object per instrument, shared and not
 * copied per tick: the static fields never change, the derived ones (`daysToExpiry`, `spotPaise`,
 * `moneyness`, `asOfMs`) are rewritten in place for every accepted event, so copy them if you keep them.
 */
export interface InstrumentContext {
  readonly instrument: Instrument;
  readonly kind: InstrumentKind;
  /** underlying name (NIFTY, BANKNIFTY, …), upper case */
  readonly underlying: string;
  /** `YYYY-MM-DD` (IST); undefined for indices and cash */
  readonly expiry: string | undefined;
  /** epoch ms of the expiry day's session close (holiday-adjusted); undefined without an expiry */
  readonly expiryCloseMs: number | undefined;
  /** paise, options only */
  readonly strikePaise: number | undefined;
  readonly optionType: OptionType | undefined;
  readonly lotSize: number;
  /** calendar days (fractional, ≥ 0) from the event's exchange time to `expiryCloseMs`, if any */
  daysToExpiry: number | undefined;
  /** options only: the underlying's latest traded price in paise when the event was enriched */
  spotPaise: number | undefined;
  /** options only, from `spotPaise`; undefined until the underlying has traded */
  moneyness: MoneynessBucket | undefined;
  /** exchange time (epoch ms) of the event the derived fields were computed for; 0 before the first */
  asOfMs: number;
}

/** Per-instrument data quality, published whenever it changes; signals refuse to act on non-fresh data. */
export type DataQuality = 'fresh' | 'stale' | 'gapped';

export interface DataQualityEvent {
  readonly token: string;
  readonly exchangeType: number;
  readonly quality: DataQuality;
  /** undefined on an instrument's first update */
  readonly previous: DataQuality | undefined;
  /** engine time of the change (the event's receivedAtMs, or the clock time of a stale check) */
  readonly atMs: number;
  readonly reason: string;
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
  | 'unknown-instrument'
  /** a negative price, or one above the configured ceiling (corrupt data, not a market move) */
  | 'implausible-price'
  /** an exchange time that is not a positive integer epoch ms */
  | 'implausible-time';
