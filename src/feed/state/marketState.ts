/**
 * Latest market state per instrument, kept in the kernel Cache under the `market` namespace.
 *
 * Each instrument has one record, put in the Cache when the instrument is first seen and then updated in
 * place: writing a field is writing the cache, so "cache, then publish" costs no map operation per tick,
 * and a handler of any market event reads the record it caused. The events inside are immutable; the
 * record itself changes with every update, so copy what you keep.
 */

import type { Instrument } from '../../core/instrument.js';
import type { Cache } from '../../engine/cache.js';
import type {
  DataQuality,
  DepthEvent,
  InstrumentContext,
  MarketEvent,
  QuoteEvent,
  TickEvent,
} from '../events.js';

/** Cache namespace of the per-instrument records. */
export const MARKET_NAMESPACE = 'market';

/**
 * Cache key of an instrument: tokens are unique only within an exchange, so the key carries the WS
 * exchange type (`2:35003` for an NFO contract, `1:99926000` for NIFTY 50).
 */
export function marketKey(exchangeType: number, token: string): string {
  return `${exchangeType}:${token}`;
}

export interface InstrumentMarketState {
  readonly key: string;
  readonly token: string;
  readonly exchangeType: number;
  readonly instrument: Instrument;
  /** shared with the enricher, updated in place */
  readonly context: InstrumentContext;
  /** latest accepted events by kind (last-writer-wins on exchange time, then sequence) */
  tick: TickEvent | undefined;
  quote: QuoteEvent | undefined;
  depth: DepthEvent | undefined;
  /** undefined until the validator has judged the instrument's data */
  quality: DataQuality | undefined;
  /** engine time (receivedAtMs) of the last accepted event; 0 before the first */
  updatedAtMs: number;
  /** accepted events applied so far (a cheap change counter for pollers) */
  updates: number;
}

/** Reads and writes the `market` namespace of a Cache. */
export class MarketStateStore {
  constructor(private readonly cache: Cache) {}

  /** The record of `instrument`, created and cached on first use. */
  open(instrument: Instrument, context: InstrumentContext): InstrumentMarketState {
    const key = marketKey(instrument.exchangeType, instrument.token);
    const existing = this.cache.get<InstrumentMarketState>(MARKET_NAMESPACE, key);
    if (existing !== undefined && existing.instrument === instrument) return existing;
    const state: InstrumentMarketState = {
      key,
      token: instrument.token,
      exchangeType: instrument.exchangeType,
      instrument,
      context,
      tick: undefined,
      quote: undefined,
      depth: undefined,
      quality: undefined,
      updatedAtMs: 0,
      updates: 0,
    };
    this.cache.set(MARKET_NAMESPACE, key, state);
    return state;
  }

  /** Makes an accepted event the instrument's latest of its kind. */
  apply(state: InstrumentMarketState, event: MarketEvent): void {
    if (event.type === 'tick') state.tick = event;
    else if (event.type === 'quote') state.quote = event;
    else state.depth = event;
    state.updatedAtMs = event.receivedAtMs;
    state.updates++;
  }

  setQuality(state: InstrumentMarketState, quality: DataQuality): void {
    state.quality = quality;
  }

  get(exchangeType: number, token: string): InstrumentMarketState | undefined {
    return this.cache.get<InstrumentMarketState>(MARKET_NAMESPACE, marketKey(exchangeType, token));
  }

  /** Every record, in first-seen order. */
  *all(): IterableIterator<InstrumentMarketState> {
    for (const [, state] of this.cache.entries<InstrumentMarketState>(MARKET_NAMESPACE)) yield state;
  }
}
