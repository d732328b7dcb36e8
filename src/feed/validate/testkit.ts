/**
 * Builders of instruments and canonical events for tests of the market-data pipeline (validate, state,
 * pipeline). Each event builder takes the fields a test cares about and fills the rest with a plausible,
 * valid NIFTY option update.
 */

import type { Instrument } from '../../core/instrument.js';
import { istToEpochMs } from '../../core/time.js';
import type { DepthEvent, DepthLevel, QuoteEvent, TickEvent } from '../events.js';

/** Tuesday 10-Mar-2026 10:00 IST: a trading day, market open. */
export const OPEN_MS = istToEpochMs(2026, 3, 10, 10, 0, 0);

export const NIFTY_INDEX: Instrument = {
  token: '99926000',
  symbol: 'Nifty 50',
  name: 'NIFTY',
  exchange: 'NSE',
  exchangeType: 1,
  kind: 'index',
  instrumentType: 'AMXIDX',
  lotSize: 1,
  tickSizePaise: 5,
};

export function niftyOption(
  token: string,
  strikeRupees: number,
  optionType: 'CE' | 'PE',
  expiry = '2026-03-17',
): Instrument {
  return {
    token,
    symbol: `NIFTY${expiry}${strikeRupees}${optionType}`,
    name: 'NIFTY',
    exchange: 'NFO',
    exchangeType: 2,
    kind: 'option',
    instrumentType: 'OPTIDX',
    expiry,
    strikePaise: strikeRupees * 100,
    optionType,
    lotSize: 65,
    tickSizePaise: 5,
  };
}

export const NIFTY_25000_CE = niftyOption('45001', 25_000, 'CE');

export function tickEvent(fields: Partial<TickEvent> = {}): TickEvent {
  return {
    type: 'tick',
    token: NIFTY_25000_CE.token,
    exchangeType: 2,
    exchangeTimeMs: OPEN_MS,
    receivedAtMs: OPEN_MS + 5,
    sequence: 100,
    lastPrice: 12_345,
    lastQuantity: 65,
    volume: 1_000_000,
    averagePrice: 12_300,
    openInterest: 500_000,
    lastTradeTimeMs: OPEN_MS,
    ...fields,
  };
}

export function quoteEvent(fields: Partial<QuoteEvent> = {}): QuoteEvent {
  return {
    type: 'quote',
    token: NIFTY_25000_CE.token,
    exchangeType: 2,
    exchangeTimeMs: OPEN_MS,
    receivedAtMs: OPEN_MS + 5,
    sequence: 100,
    lastPrice: 12_345,
    bidPrice: 12_340,
    bidQuantity: 650,
    askPrice: 12_350,
    askQuantity: 1_300,
    totalBuyQuantity: 100_000,
    totalSellQuantity: 120_000,
    open: 11_000,
    high: 13_000,
    low: 10_500,
    previousClose: 11_500,
    volume: 1_000_000,
    openInterest: 500_000,
    upperCircuit: 60_000,
    lowerCircuit: 5,
    ...fields,
  };
}

export function levels(start: number, step: number, count: number): DepthLevel[] {
  return Array.from({ length: count }, (_, i) => ({
    price: start + i * step,
    quantity: 65 * (i + 1),
    orders: i + 1,
  }));
}

export function depthEvent(fields: Partial<DepthEvent> = {}): DepthEvent {
  return {
    type: 'depth',
    token: NIFTY_25000_CE.token,
    exchangeType: 2,
    exchangeTimeMs: OPEN_MS,
    receivedAtMs: OPEN_MS + 5,
    sequence: 100,
    bids: levels(12_340, -5, 5),
    asks: levels(12_350, 5, 5),
    ...fields,
  };
}
