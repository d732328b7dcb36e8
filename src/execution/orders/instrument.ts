import type { Instrument } from '../../core/instrument.js';
import type { OrderInstrument } from './types.js';

/** What an order keeps of a master instrument (lot size, tick and segment travel with the order). */
export function orderInstrumentOf(instrument: Instrument): OrderInstrument {
  return {
    token: instrument.token,
    symbol: instrument.symbol,
    exchange: instrument.exchange,
    underlying: instrument.name,
    kind: instrument.kind,
    lotSize: instrument.lotSize,
    tickSizePaise: instrument.tickSizePaise,
    ...(instrument.expiry === undefined ? {} : { expiry: instrument.expiry }),
  };
}
