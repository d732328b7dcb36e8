import type { Instrument } from '../../core/instrument.js';
import type { BookLevel, InstrumentMarketState, MarketModel } from '../market/index.js';
import { ANGEL_ERRORS } from './envelopes.js';
import { angelDateTime, round2, rupees } from './format.js';

export const QUOTE_MODES = ['FULL', 'OHLC', 'LTP'] as const;
export type QuoteMode = (typeof QUOTE_MODES)[number];

/** Angel's documented per-request cap for `market/v1/quote`. */
export const MAX_QUOTE_TOKENS = 50;

export interface UnfetchedQuote {
  exchange: string;
  symbolToken: string;
  message: string;
  errorCode: string;
}

export interface ResolvedInstrument {
  instrument: Instrument;
  state: InstrumentMarketState;
}

/**
 * Finds the instrument behind a token the client sent, accepting exchange-style index tokens (26000)
 * through the model's resolver; a token listed under the wrong exchange is not found, as live.
 */
export function resolve(
  market: MarketModel,
  exchange: string,
  token: string,
): ResolvedInstrument | undefined {
  const canonical = market.resolveToken(token);
  if (canonical === undefined) return undefined;
  const instrument = market.instrument(canonical);
  const state = market.state(canonical);
  if (instrument === undefined || state === undefined) return undefined;
  if (exchange !== '' && instrument.exchange !== exchange.toUpperCase()) return undefined;
  return { instrument, state };
}

function depthSide(levels: readonly BookLevel[]): { price: number; quantity: number; orders: number }[] {
  const out: { price: number; quantity: number; orders: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const level = levels[i];
    // Indices have no book; live fills all five rows with zeros rather than sending fewer.
    out.push(
      level === undefined
        ? { price: 0, quantity: 0, orders: 0 }
        : { price: rupees(level.price), quantity: level.quantity, orders: level.orders },
    );
  }
  return out;
}

/** One `fetched[]` item in Angel's key order and types (rupee floats, camel-case keys). */
export function quoteItem(
  mode: QuoteMode,
  requestedToken: string,
  { instrument, state }: ResolvedInstrument,
): Record<string, unknown> {
  const item: Record<string, unknown> = {
    exchange: instrument.exchange,
    tradingSymbol: instrument.symbol,
    symbolToken: requestedToken,
    ltp: rupees(state.lastTradedPrice),
  };
  if (mode === 'LTP') return item;
  item.open = rupees(state.open);
  item.high = rupees(state.high);
  item.low = rupees(state.low);
  item.close = rupees(state.close);
  if (mode === 'OHLC') return item;
  const netChange = state.lastTradedPrice - state.close;
  item.lastTradeQty = state.lastTradedQuantity;
  item.exchFeedTime = angelDateTime(state.exchangeTimeMs);
  item.exchTradeTime = angelDateTime(state.lastTradedTimeMs);
  item.netChange = rupees(netChange);
  item.percentChange = state.close === 0 ? 0 : round2((netChange / state.close) * 100);
  item.avgPrice = rupees(state.averageTradedPrice);
  item.tradeVolume = state.volume;
  item.opnInterest = state.openInterest;
  item.lowerCircuit = rupees(state.lowerCircuit);
  item.upperCircuit = rupees(state.upperCircuit);
  item.totBuyQuan = state.totalBuyQuantity;
  item.totSellQuan = state.totalSellQuantity;
  item['52WeekLow'] = rupees(state.fiftyTwoWeekLow);
  item['52WeekHigh'] = rupees(state.fiftyTwoWeekHigh);
  item.depth = { buy: depthSide(state.bids), sell: depthSide(state.asks) };
  return item;
}

export type QuoteOutcome =
  | { kind: 'ok'; data: { fetched: Record<string, unknown>[]; unfetched: UnfetchedQuote[] } }
  | { kind: 'error'; errorcode: string; message: string };

/** Builds the `market/v1/quote` answer for a request body (already JSON-parsed, not yet trusted). */
export function buildQuote(market: MarketModel, body: unknown): QuoteOutcome {
  const input = (body ?? {}) as { mode?: unknown; exchangeTokens?: unknown };
  const mode = typeof input.mode === 'string' ? input.mode.toUpperCase() : '';
  if (!(QUOTE_MODES as readonly string[]).includes(mode)) {
    return { kind: 'error', errorcode: ANGEL_ERRORS.somethingWrong[0], message: 'Invalid mode' };
  }
  const exchangeTokens = input.exchangeTokens;
  if (typeof exchangeTokens !== 'object' || exchangeTokens === null || Array.isArray(exchangeTokens)) {
    return { kind: 'error', errorcode: ANGEL_ERRORS.somethingWrong[0], message: 'Invalid exchangeTokens' };
  }
  const pairs: [string, string][] = [];
  for (const [exchange, tokens] of Object.entries(exchangeTokens)) {
    if (!Array.isArray(tokens)) {
      return { kind: 'error', errorcode: ANGEL_ERRORS.somethingWrong[0], message: 'Invalid exchangeTokens' };
    }
    for (const token of tokens)
      pairs.push([exchange, typeof token === 'string' ? token : String(token ?? '')]);
  }
  if (pairs.length > MAX_QUOTE_TOKENS) {
    return {
      kind: 'error',
      errorcode: ANGEL_ERRORS.somethingWrong[0],
      message: `Maximum ${MAX_QUOTE_TOKENS} tokens allowed per request`,
    };
  }
  const fetched: Record<string, unknown>[] = [];
  const unfetched: UnfetchedQuote[] = [];
  for (const [exchange, token] of pairs) {
    if (token.trim() === '') {
      const [errorCode, message] = ANGEL_ERRORS.emptyToken;
      unfetched.push({ exchange, symbolToken: token, message, errorCode });
      continue;
    }
    const found = resolve(market, exchange, token);
    if (found === undefined) {
      const [errorCode, message] = ANGEL_ERRORS.symbolDetails;
      unfetched.push({ exchange, symbolToken: token, message, errorCode });
      continue;
    }
    fetched.push(quoteItem(mode as QuoteMode, token, found));
  }
  return { kind: 'ok', data: { fetched, unfetched } };
}
