/**
 * Per-instrument context for market events: the instrument's static facts (underlying, expiry, strike,
 * option type, lot size) computed once, and the derived ones (days to expiry, spot, moneyness) updated in
 * place on every accepted event. Pure: time is the event's exchange time, expiry closes come from the
 * injected calendar.
 */

import type { CalendarSegment, MarketCalendar } from '../../core/calendar/index.js';
import type { Instrument, OptionType } from '../../core/instrument.js';
import { DAY_MS } from '../../core/time.js';
import type { InstrumentContext, MarketEvent } from '../events.js';
import { DEFAULT_MONEYNESS_BANDS, type MoneynessBands, MoneynessClassifier } from './moneyness.js';

export interface EnricherOptions {
  calendar: MarketCalendar;
  /** |ln(K/S)| bands; defaults in DEFAULT_MONEYNESS_BANDS */
  moneyness?: Partial<MoneynessBands>;
  /**
   * The underlying whose spot this instrument's trades set, or undefined. Default: an index sets the spot
   * of its own (upper-cased) name. The platform passes one built from the instrument store's
   * `indexInstrument`, since live index rows are not always named like the options' underlying.
   */
  spotOf?: (instrument: Instrument) => string | undefined;
}

/** The latest traded price of one underlying, shared by reference with its options' slots. */
interface SpotCell {
  pricePaise: number;
}

type MutableContext = { -readonly [K in keyof InstrumentContext]: InstrumentContext[K] };

const EXPIRY_SEGMENTS: Readonly<Partial<Record<string, CalendarSegment>>> = {
  NSE: 'NSE',
  NFO: 'NFO',
  BSE: 'BSE',
  BFO: 'BFO',
};

/** Enrichment state of one instrument; keep it and pass it to `Enricher.enrich`. */
export class EnrichmentSlot {
  readonly context: InstrumentContext;
  /** the writable view of `context` (the same object) */
  readonly mutable: MutableContext;
  /** set for options with a strike: the underlying's spot */
  readonly spotIn: SpotCell | undefined;
  /** set for the instrument that quotes an underlying's spot */
  readonly spotOut: SpotCell | undefined;
  readonly optionType: OptionType | undefined;
  readonly strikePaise: number;
  readonly expiryCloseMs: number;

  constructor(context: MutableContext, spotIn: SpotCell | undefined, spotOut: SpotCell | undefined) {
    this.context = context;
    this.mutable = context;
    this.spotIn = spotIn;
    this.spotOut = spotOut;
    this.optionType = context.optionType;
    this.strikePaise = context.strikePaise ?? 0;
    this.expiryCloseMs = context.expiryCloseMs ?? Number.NaN;
  }
}

function defaultSpotOf(instrument: Instrument): string | undefined {
  return instrument.kind === 'index' ? instrument.name.toUpperCase() : undefined;
}

export class Enricher {
  private readonly calendar: MarketCalendar;
  private readonly classifier: MoneynessClassifier;
  private readonly spotOf: (instrument: Instrument) => string | undefined;
  private readonly spots = new Map<string, SpotCell>();

  constructor(options: EnricherOptions) {
    this.calendar = options.calendar;
    this.classifier = new MoneynessClassifier({ ...DEFAULT_MONEYNESS_BANDS, ...options.moneyness });
    this.spotOf = options.spotOf ?? defaultSpotOf;
  }

  /** A new slot (and context) for `instrument`; create one per instrument and keep it. */
  slot(instrument: Instrument): EnrichmentSlot {
    const spotName = this.spotOf(instrument);
    const underlying = spotName ?? instrument.name.toUpperCase();
    const isOption =
      instrument.kind === 'option' &&
      instrument.strikePaise !== undefined &&
      instrument.optionType !== undefined;
    const context: MutableContext = {
      instrument,
      kind: instrument.kind,
      underlying,
      expiry: instrument.expiry,
      expiryCloseMs: this.expiryCloseMs(instrument),
      strikePaise: instrument.strikePaise,
      optionType: instrument.optionType,
      lotSize: instrument.lotSize,
      daysToExpiry: undefined,
      spotPaise: undefined,
      moneyness: undefined,
      asOfMs: 0,
    };
    return new EnrichmentSlot(
      context,
      isOption ? this.spotCell(underlying) : undefined,
      spotName === undefined ? undefined : this.spotCell(spotName),
    );
  }

  /** Updates the slot's context for an accepted event; a priced tick of a spot instrument sets the spot. */
  enrich(slot: EnrichmentSlot, event: MarketEvent): void {
    const context = slot.mutable;
    const t = event.exchangeTimeMs;
    context.asOfMs = t;
    const close = slot.expiryCloseMs;
    if (!Number.isNaN(close)) {
      const days = (close - t) / DAY_MS;
      context.daysToExpiry = Math.max(days, 0);
    }
    const out = slot.spotOut;
    // LTP 0 means "not traded yet", never a spot.
    if (out !== undefined && event.type === 'tick' && event.lastPrice > 0) out.pricePaise = event.lastPrice;
    const spot = slot.spotIn;
    const optionType = slot.optionType;
    if (spot !== undefined && optionType !== undefined && spot.pricePaise > 0) {
      context.spotPaise = spot.pricePaise;
      context.moneyness = this.classifier.classify(optionType, slot.strikePaise, spot.pricePaise);
    }
  }

  /** The latest spot of `underlying` in paise, if its spot instrument has traded. */
  spot(underlying: string): number | undefined {
    const price = this.spots.get(underlying.toUpperCase())?.pricePaise ?? 0;
    return price > 0 ? price : undefined;
  }

  private spotCell(underlying: string): SpotCell {
    let cell = this.spots.get(underlying);
    if (cell === undefined) {
      cell = { pricePaise: 0 };
      this.spots.set(underlying, cell);
    }
    return cell;
  }

  private expiryCloseMs(instrument: Instrument): number | undefined {
    const segment = EXPIRY_SEGMENTS[instrument.exchange];
    if (instrument.expiry === undefined || segment === undefined) return undefined;
    try {
      return this.calendar.expiryCloseMs(segment, instrument.expiry);
    } catch {
      // A calendar without a session for that date (custom session rules) leaves days to expiry unknown.
      return undefined;
    }
  }
}
