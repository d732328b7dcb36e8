/** Exchange segments as the instrument master names them (`exch_seg`). */
export type ExchangeSegment = 'NSE' | 'NFO' | 'BSE' | 'BFO' | 'MCX' | 'CDS' | 'NCDEX';

export type InstrumentKind = 'index' | 'future' | 'option' | 'equity' | 'other';
export type OptionType = 'CE' | 'PE';

/** A tradable or watchable instrument, typed from the broker's instrument master. */
export interface Instrument {
  /** broker token (the WS and REST identifier) */
  token: string;
  /** trading symbol, e.g. NIFTY24NOV2625000CE */
  symbol: string;
  /** underlying or company name, e.g. NIFTY */
  name: string;
  exchange: ExchangeSegment;
  /** WebSocket 2.0 exchange type code (1 nse_cm, 2 nse_fo, 3 bse_cm, 4 bse_fo, …) */
  exchangeType: number;
  kind: InstrumentKind;
  /** the master's raw instrumenttype (OPTIDX, FUTIDX, AMXIDX, …) */
  instrumentType: string;
  /** expiry as an ISO date `YYYY-MM-DD` (IST), absent for cash and indices */
  expiry?: string;
  /** strike in paise, options only */
  strikePaise?: number;
  optionType?: OptionType;
  lotSize: number;
  tickSizePaise: number;
}

/** Maps an instrument-master segment to the WS 2.0 exchange type. */
export const EXCHANGE_TYPE_BY_SEGMENT: Record<ExchangeSegment, number> = {
  NSE: 1,
  NFO: 2,
  BSE: 3,
  BFO: 4,
  MCX: 5,
  NCDEX: 7,
  CDS: 13,
};
