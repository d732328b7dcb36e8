/**
 * One side (call or put) of an option-chain row. Prices are integer paise. Volume, OI and OI change are
 * in contracts (lots), as NSE displays them: ratios do not care about the unit, but max-pain rupees and
 * GEX multiply by the lot size, so a chain built from Angel's unit quantities divides by the lot first.
 * Rows are trusted: the chain builder validates at the feed boundary, these functions do not re-check.
 */
export interface ChainQuote {
  /** last traded price, paise; 0 means not traded today and is not a price */
  readonly ltp: number;
  /** best bid / ask, paise; 0 when that side of the book is empty */
  readonly bid: number;
  readonly ask: number;
  /** day volume, contracts */
  readonly volume: number;
  /** open interest, contracts */
  readonly oi: number;
  /** OI change against the previous session's close, contracts */
  readonly oiChange: number;
  /** previous session's close, paise; needed for the OI build-up label (ΔP = LTP − previous close) */
  readonly prevClose?: number;
  /** implied vol, annualised (0.12 = 12%) */
  readonly iv?: number;
  /** delta per unit (call 0..1, put −1..0) */
  readonly delta?: number;
  /** gamma per unit, per ₹1 move of the underlying (1/₹) */
  readonly gamma?: number;
}

/** One strike of one expiry's chain. The strike is in paise; either side may be missing. */
export interface ChainRow {
  readonly strike: number;
  readonly call?: ChainQuote;
  readonly put?: ChainQuote;
}

export type Chain = readonly ChainRow[];
