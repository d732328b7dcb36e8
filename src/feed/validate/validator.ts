/**
 * Per-instrument validation of normalised market events: sanity, duplicates, ordering, sequence gaps,
 * staleness, and the data quality (fresh / stale / gapped) that follows from them.
 *
 * Pure and deterministic: time comes only from the events (`exchangeTimeMs`, `receivedAtMs`) and from
 * the `nowMs` given to `checkStale`, so a replay validates exactly as the live run did.
 *
 * Ordering is last-writer-wins on (exchange time, sequence) per instrument and event type: an accepted
 * stream never goes back in that order, so the final state after any permutation of a set of updates is
 * the state after sorted delivery. Indices and Depth-20 carry no sequence (0), so for them only the
 * exchange time orders, and an event equal to the last accepted one in every field but the arrival time
 * is a byte-identical repeat.
 *
 * Hot path: verdicts are preallocated constants, counters are typed arrays indexed by reason, each
 * instrument's numbers sit in one shared Float64Array, and the duplicate window is a bitmap of recently
 * accepted sequence numbers (consulted only when an event is not newer than the last accepted one), so
 * nothing allocates per event except a DataQualityEvent when quality changes.
 */

import type { CalendarSegment, MarketCalendar } from '../../core/calendar/index.js';
import { IfError } from '../../core/errors.js';
import type { Instrument } from '../../core/instrument.js';
import { istDateKey } from '../../core/time.js';
import type {
  DataQuality,
  DataQualityEvent,
  DepthEvent,
  DepthLevel,
  MarketEvent,
  QuoteEvent,
  TickEvent,
  ValidationReason,
} from '../events.js';

/** Every reason, in a fixed order (the index is the counter slot). */
export const VALIDATION_REASONS = [
  'duplicate',
  'out-of-order',
  'sequence-gap',
  'stale',
  'crossed-book',
  'outside-circuit',
  'negative-quantity',
  'not-finite',
  'zero-price',
  'unknown-instrument',
  'implausible-price',
  'implausible-time',
] as const satisfies readonly ValidationReason[];

// The reasons as indices, so the hot path counts with one typed-array increment.
const DUPLICATE = 0;
const OUT_OF_ORDER = 1;
const SEQUENCE_GAP = 2;
const STALE = 3;
const CROSSED_BOOK = 4;
const OUTSIDE_CIRCUIT = 5;
const NEGATIVE_QUANTITY = 6;
const NOT_FINITE = 7;
const ZERO_PRICE = 8;
const UNKNOWN_INSTRUMENT = 9;
const IMPLAUSIBLE_PRICE = 10;
const IMPLAUSIBLE_TIME = 11;
const NONE = -1;

export const DATA_QUALITIES = ['fresh', 'stale', 'gapped'] as const satisfies readonly DataQuality[];

/**
 * What validation decided: `accept`, `flag` (accepted, with the most important reason noted — a gap
 * before a zero price), or `drop`. Verdicts are shared constants; compare `action`, never identity.
 */
export type Verdict =
  | { readonly action: 'accept'; readonly reason: undefined }
  | { readonly action: 'flag'; readonly reason: ValidationReason }
  | { readonly action: 'drop'; readonly reason: ValidationReason };

const ACCEPT: Verdict = Object.freeze({ action: 'accept', reason: undefined });
const DROPS: readonly Verdict[] = VALIDATION_REASONS.map((reason) =>
  Object.freeze({ action: 'drop' as const, reason }),
);
const FLAGS: readonly Verdict[] = VALIDATION_REASONS.map((reason) =>
  Object.freeze({ action: 'flag' as const, reason }),
);

function bump(counts: Float64Array, index: number): void {
  counts[index] = (counts[index] ?? 0) + 1;
}

function missingVerdict(reason: number): never {
  throw new IfError('IF_ERR_INTERNAL', { detail: `no verdict for validation reason ${reason}` });
}

export interface ValidatorConfig {
  /**
   * accepted sequence numbers remembered per instrument and event type to tell a late repeat (duplicate)
   * from a late update (out of order); rounded up to a power of two, at least 32; default 64
   */
  duplicateWindow: number;
  /** clean updates (new sequence numbers without a gap) after a gap before 'gapped' clears; default 20 */
  gapRecoveryUpdates: number;
  /**
   * ms without an accepted update while the instrument's market is open before it is 'stale' (default
   * 30,000), or a function giving it per instrument (undefined: never stale, e.g. illiquid far strikes)
   */
  staleAfterMs: number | ((instrument: Instrument) => number | undefined);
  /** a price above this is corrupt data; default 1e9 paise (₹1 crore), reliability §5.1 F4 */
  maxPricePaise: number;
}

export interface ValidatorOptions extends Partial<ValidatorConfig> {
  /** market hours for stale checks; segments it does not know (MCX, CDS, NCDEX) are never stale */
  calendar: MarketCalendar;
  /** called synchronously for every quality change, after the validator's own state is updated */
  onQualityChange?: (event: DataQualityEvent) => void;
}

export const DEFAULT_VALIDATOR_CONFIG: Readonly<ValidatorConfig> = Object.freeze({
  duplicateWindow: 64,
  gapRecoveryUpdates: 20,
  staleAfterMs: 30_000,
  maxPricePaise: 1_000_000_000,
});

const CALENDAR_SEGMENTS: Readonly<Partial<Record<string, CalendarSegment>>> = {
  NSE: 'NSE',
  NFO: 'NFO',
  BSE: 'BSE',
  BFO: 'BFO',
};
const SEGMENT_INDEX: Readonly<Record<CalendarSegment, number>> = { NSE: 0, NFO: 1, BSE: 2, BFO: 3 };

const TICK = 0;
const QUOTE = 1;
const DEPTH = 2;
const NO_TIME = -1;

function typeIndex(event: MarketEvent): number {
  return event.type === 'tick' ? TICK : event.type === 'quote' ? QUOTE : DEPTH;
}

// The numeric state of every slot lives in one Float64Array, NUM_FIELDS doubles per slot, so validating
// an event touches two adjacent cache lines instead of a handful of small typed arrays and boxed
// doubles (measured: validation was memory-bound at ~140 ns per event before this layout).
/** + type index: exchange time of the last accepted event of that type, NO_TIME before the first */
const F_TIME = 0;
/** + type index: sequence of the last accepted sequenced event of that type, 0 before the first */
const F_SEQ = 3;
/** + type index: connection epoch in which that type was last accepted */
const F_EPOCH = 6;
/** last accepted sequence number of any type, and its epoch (gap detection) */
const F_SEQUENCE = 9;
const F_SEQUENCE_EPOCH = 10;
/** engine time of the last accepted event (or of `watch`), NaN before either */
const F_UPDATED = 11;
/** circuit limits from the last accepted quote that carried them; upper < 0 means unknown */
const F_UPPER = 12;
const F_LOWER = 13;
const NUM_FIELDS = 16;
const INITIAL_SLOTS = 64;

/**
 * Validation state of one instrument. Get it once with `Validator.slot` and pass it to `validate` on
 * the hot path; its fields are the validator's working state, read-only for everyone else.
 */
export class ValidationSlot {
  readonly token: string;
  readonly exchangeType: number;
  /** indices send junk sequence numbers; their events are ordered by exchange time alone */
  readonly sequenceless: boolean;
  readonly segment: CalendarSegment | undefined;
  readonly staleAfterMs: number;
  /** the last accepted event per type (tick, quote, depth) that had no sequence, to spot identical repeats */
  readonly last: [TickEvent | undefined, QuoteEvent | undefined, DepthEvent | undefined] = [
    undefined,
    undefined,
    undefined,
  ];
  stale = false;
  /** clean updates still needed to clear a sequence gap */
  gapRemaining = 0;
  quality: DataQuality | undefined = undefined;

  constructor(
    readonly instrument: Instrument,
    staleAfterMs: number | undefined,
    /** offset of this slot's fields in the validator's numeric state */
    readonly at: number,
    /** offset of this slot's duplicate bitmaps (three, one per event type) */
    readonly bitsAt: number,
  ) {
    this.token = instrument.token;
    this.exchangeType = instrument.exchangeType;
    this.sequenceless = instrument.kind === 'index';
    this.segment = CALENDAR_SEGMENTS[instrument.exchange];
    this.staleAfterMs = staleAfterMs ?? Number.POSITIVE_INFINITY;
  }
}

export interface ValidatorStats {
  /** dropped events per reason since construction */
  dropped: Record<ValidationReason, number>;
  /** flagged (accepted) events per reason; 'stale' counts instruments that went stale */
  flagged: Record<ValidationReason, number>;
  /** instruments per current quality (instruments never updated nor stale are in none) */
  qualities: Record<DataQuality, number>;
  instruments: number;
}

function checkPositiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new IfError('IF_ERR_CONFIG_INVALID', {
      key: `pipeline.${name}`,
      detail: `must be a positive integer, got ${value}`,
    });
  }
  return value;
}

function sameLevels(a: readonly DepthLevel[], b: readonly DepthLevel[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) return false;
    if (x.price !== y.price || x.quantity !== y.quantity || x.orders !== y.orders) return false;
  }
  return true;
}

/** Equal in every field the exchange sent (arrival time excluded): a byte-identical repeat. */
function sameContent(previous: MarketEvent | undefined, event: MarketEvent): boolean {
  if (previous === undefined || previous.exchangeTimeMs !== event.exchangeTimeMs) return false;
  if (previous.sequence !== event.sequence) return false;
  if (event.type === 'tick') {
    return (
      previous.type === 'tick' &&
      previous.lastPrice === event.lastPrice &&
      previous.lastQuantity === event.lastQuantity &&
      previous.volume === event.volume &&
      previous.averagePrice === event.averagePrice &&
      previous.openInterest === event.openInterest &&
      previous.lastTradeTimeMs === event.lastTradeTimeMs
    );
  }
  if (event.type === 'quote') {
    return (
      previous.type === 'quote' &&
      previous.lastPrice === event.lastPrice &&
      previous.bidPrice === event.bidPrice &&
      previous.bidQuantity === event.bidQuantity &&
      previous.askPrice === event.askPrice &&
      previous.askQuantity === event.askQuantity &&
      previous.totalBuyQuantity === event.totalBuyQuantity &&
      previous.totalSellQuantity === event.totalSellQuantity &&
      previous.open === event.open &&
      previous.high === event.high &&
      previous.low === event.low &&
      previous.previousClose === event.previousClose &&
      previous.volume === event.volume &&
      previous.openInterest === event.openInterest &&
      previous.upperCircuit === event.upperCircuit &&
      previous.lowerCircuit === event.lowerCircuit
    );
  }
  return (
    previous.type === 'depth' &&
    sameLevels(previous.bids, event.bids) &&
    sameLevels(previous.asks, event.asks)
  );
}

export class Validator {
  private readonly config: Readonly<ValidatorConfig>;
  private readonly calendar: MarketCalendar;
  private readonly onQualityChange: ((event: DataQualityEvent) => void) | undefined;
  private readonly byExchange = new Map<number, Map<string, ValidationSlot>>();
  private readonly slots: ValidationSlot[] = [];
  private readonly dropCounts = new Float64Array(VALIDATION_REASONS.length);
  private readonly flagCounts = new Float64Array(VALIDATION_REASONS.length);
  private readonly qualityCounts: Record<DataQuality, number> = { fresh: 0, stale: 0, gapped: 0 };
  /** bumped by every feed reconnect; a slot whose type epoch differs is seeing its first update since */
  private epoch = 0;
  /** NUM_FIELDS doubles per slot (see F_*) */
  private num = new Float64Array(INITIAL_SLOTS * NUM_FIELDS);
  /**
   * Duplicate window: per slot and event type a ring of `windowBits` bits, bit (sequence mod size) set
   * when that sequence was accepted; it covers the `windowBits` sequences up to the last accepted one.
   */
  private bits: Int32Array;
  private readonly windowBits: number;
  private readonly windowWords: number;

  constructor(options: ValidatorOptions) {
    this.config = {
      duplicateWindow: checkPositiveInteger(
        'duplicateWindow',
        options.duplicateWindow ?? DEFAULT_VALIDATOR_CONFIG.duplicateWindow,
      ),
      gapRecoveryUpdates: checkPositiveInteger(
        'gapRecoveryUpdates',
        options.gapRecoveryUpdates ?? DEFAULT_VALIDATOR_CONFIG.gapRecoveryUpdates,
      ),
      staleAfterMs: options.staleAfterMs ?? DEFAULT_VALIDATOR_CONFIG.staleAfterMs,
      maxPricePaise: options.maxPricePaise ?? DEFAULT_VALIDATOR_CONFIG.maxPricePaise,
    };
    this.calendar = options.calendar;
    this.onQualityChange = options.onQualityChange;
    // A power of two (≥ 32) keeps "sequence mod size" a mask even for sequences above 2^31.
    let size = 32;
    while (size < this.config.duplicateWindow) size *= 2;
    this.windowBits = size;
    this.windowWords = size / 32;
    this.bits = new Int32Array(INITIAL_SLOTS * 3 * this.windowWords);
  }

  /** The validation state of `instrument`, created on first use. Keep it; `validate` takes it. */
  slot(instrument: Instrument): ValidationSlot {
    let byToken = this.byExchange.get(instrument.exchangeType);
    if (byToken === undefined) {
      byToken = new Map();
      this.byExchange.set(instrument.exchangeType, byToken);
    }
    let slot = byToken.get(instrument.token);
    if (slot === undefined) {
      const stale = this.config.staleAfterMs;
      const index = this.slots.length;
      this.reserve(index + 1);
      slot = new ValidationSlot(
        instrument,
        typeof stale === 'number' ? stale : stale(instrument),
        index * NUM_FIELDS,
        index * 3 * this.windowWords,
      );
      const num = this.num;
      const at = slot.at;
      num.fill(0, at, at + NUM_FIELDS);
      num.fill(NO_TIME, at + F_TIME, at + F_TIME + 3);
      num[at + F_UPDATED] = Number.NaN;
      num[at + F_UPPER] = -1;
      byToken.set(instrument.token, slot);
      this.slots.push(slot);
    }
    return slot;
  }

  /** The slot of a token if the validator has seen it. */
  find(exchangeType: number, token: string): ValidationSlot | undefined {
    return this.byExchange.get(exchangeType)?.get(token);
  }

  /**
   * Starts watching an instrument at engine time `nowMs`, so it goes stale even if it never updates
   * (a subscribed token that stays silent is exactly what the stale check is for).
   */
  watch(instrument: Instrument, nowMs: number): ValidationSlot {
    const slot = this.slot(instrument);
    if (Number.isNaN(this.lastUpdateMs(slot))) this.num[slot.at + F_UPDATED] = nowMs;
    return slot;
  }

  /**
   * After a feed reconnect the server may restart its sequence numbers and skips the updates missed while
   * down, so each instrument's first update per event type is not judged against the previous connection's
   * sequence (no gap, no sequence reorder). A real repeat (same sequence and time in the window, or an
   * identical event) is still a duplicate, and an older exchange time is still out of order: the exchange
   * clock does not restart with the connection.
   */
  onFeedReconnect(): void {
    this.epoch++;
  }

  /** Counts an event whose token the instrument lookup did not know (the pipeline drops it). */
  countUnknownInstrument(): Verdict {
    return this.drop(UNKNOWN_INSTRUMENT);
  }

  /** Judges one event of `slot`'s instrument and, unless it is dropped, makes it the instrument's latest. */
  validate(slot: ValidationSlot, event: MarketEvent): Verdict {
    const k = typeIndex(event);
    const bad = this.sanity(slot, event);
    if (bad !== NONE) return this.drop(bad);

    const num = this.num;
    const at = slot.at;
    const epoch = this.epoch;
    const t = event.exchangeTimeMs;
    const q = slot.sequenceless ? 0 : event.sequence;
    const lastT = num[at + F_TIME + k] ?? NO_TIME;
    const lastQ = num[at + F_SEQ + k] ?? 0;
    const sameEpoch = num[at + F_EPOCH + k] === epoch;
    if (lastT !== NO_TIME) {
      if (q > 0 && lastQ > 0 && sameEpoch) {
        if (t < lastT || (t === lastT && q <= lastQ)) {
          return this.drop(this.seen(slot, k, q, lastQ) ? DUPLICATE : OUT_OF_ORDER);
        }
      } else {
        // First update of this type since a reconnect, or no sequence to compare: only a real repeat or
        // an older exchange time is refused.
        if (q > 0 && lastQ > 0 && t <= lastT && this.seen(slot, k, q, lastQ)) return this.drop(DUPLICATE);
        if (t < lastT) return this.drop(OUT_OF_ORDER);
        if (q === 0 && sameContent(slot.last[k as 0 | 1 | 2], event)) return this.drop(DUPLICATE);
      }
    }

    let flag = NONE;
    const previousSequence = num[at + F_SEQUENCE] ?? 0;
    const newUpdate = q > 0 && q !== previousSequence;
    const gap =
      newUpdate && previousSequence > 0 && num[at + F_SEQUENCE_EPOCH] === epoch && q > previousSequence + 1;
    if (gap) {
      flag = SEQUENCE_GAP;
      bump(this.flagCounts, SEQUENCE_GAP);
    }
    if (event.type === 'tick' && event.lastPrice === 0) {
      // Untraded contracts report LTP 0; it is kept (OI and volume are real) but is not a price.
      bump(this.flagCounts, ZERO_PRICE);
      if (flag === NONE) flag = ZERO_PRICE;
    }

    num[at + F_TIME + k] = t;
    num[at + F_EPOCH + k] = epoch;
    if (event.type === 'quote' && event.upperCircuit !== undefined) {
      num[at + F_UPPER] = event.upperCircuit;
      num[at + F_LOWER] = event.lowerCircuit ?? 0;
    }
    if (q > 0) {
      this.markSeen(slot, k, q, lastQ, sameEpoch && lastQ > 0);
      num[at + F_SEQ + k] = q;
      if (newUpdate) {
        if (gap) slot.gapRemaining = this.config.gapRecoveryUpdates;
        else if (slot.gapRemaining > 0) slot.gapRemaining--;
      }
      num[at + F_SEQUENCE] = q;
      num[at + F_SEQUENCE_EPOCH] = epoch;
    } else {
      // Only sequence-less events need the last one kept, to spot an identical repeat.
      if (event.type === 'tick') slot.last[TICK] = event;
      else if (event.type === 'quote') slot.last[QUOTE] = event;
      else slot.last[DEPTH] = event;
    }
    num[at + F_UPDATED] = event.receivedAtMs;
    slot.stale = false;
    this.refreshQuality(slot, event.receivedAtMs);
    return flag === NONE ? ACCEPT : (FLAGS[flag] ?? missingVerdict(flag));
  }

  /**
   * Marks instruments stale that had no accepted update for their `staleAfterMs` of open market up to
   * `nowMs` (engine time). Time before the session open does not count, so yesterday's last tick does not
   * make every instrument stale at 09:15. Returns how many went stale.
   */
  checkStale(nowMs: number): number {
    // Session open per calendar segment for this call: NaN not looked up yet, -1 closed.
    const opens = [Number.NaN, Number.NaN, Number.NaN, Number.NaN];
    let dateKey: string | undefined;
    let count = 0;
    for (const slot of this.slots) {
      const segment = slot.segment;
      const lastUpdateMs = this.lastUpdateMs(slot);
      if (slot.stale || segment === undefined || Number.isNaN(lastUpdateMs)) continue;
      if (slot.staleAfterMs === Number.POSITIVE_INFINITY) continue;
      const index = SEGMENT_INDEX[segment];
      let openMs = opens[index] ?? Number.NaN;
      if (Number.isNaN(openMs)) {
        dateKey ??= istDateKey(nowMs);
        openMs = this.calendar.isMarketOpen(segment, nowMs)
          ? (this.calendar.sessionBounds(segment, dateKey)?.openMs ?? -1)
          : -1;
        opens[index] = openMs;
      }
      if (openMs < 0) continue;
      if (nowMs - Math.max(lastUpdateMs, openMs) < slot.staleAfterMs) continue;
      slot.stale = true;
      bump(this.flagCounts, STALE);
      count++;
      this.refreshQuality(slot, nowMs);
    }
    return count;
  }

  stats(): ValidatorStats {
    const dropped = {} as Record<ValidationReason, number>;
    const flagged = {} as Record<ValidationReason, number>;
    VALIDATION_REASONS.forEach((reason, i) => {
      dropped[reason] = this.dropCounts[i] ?? 0;
      flagged[reason] = this.flagCounts[i] ?? 0;
    });
    return { dropped, flagged, qualities: { ...this.qualityCounts }, instruments: this.slots.length };
  }

  private drop(reason: number): Verdict {
    bump(this.dropCounts, reason);
    return DROPS[reason] ?? missingVerdict(reason);
  }

  /** Engine time of the slot's last accepted event (or of `watch`); NaN before either. */
  lastUpdateMs(slot: ValidationSlot): number {
    return this.num[slot.at + F_UPDATED] ?? Number.NaN;
  }

  /** True when sequence `q` of type `k` was accepted and is still inside the window ending at `lastQ`. */
  private seen(slot: ValidationSlot, k: number, q: number, lastQ: number): boolean {
    if (q > lastQ || lastQ - q >= this.windowBits) return false;
    const bit = q & (this.windowBits - 1);
    const word = this.bits[slot.bitsAt + k * this.windowWords + (bit >>> 5)] ?? 0;
    return (word & (1 << (bit & 31))) !== 0;
  }

  /**
   * Records sequence `q` of type `k` as accepted. Continuing from `lastQ` in the same epoch, the bits of
   * the sequences skipped in between are cleared (they now stand for sequences that never came); after a
   * reconnect, a sequence reset or a jump past the window, the window starts afresh.
   */
  private markSeen(slot: ValidationSlot, k: number, q: number, lastQ: number, continuing: boolean): void {
    const bits = this.bits;
    const base = slot.bitsAt + k * this.windowWords;
    const mask = this.windowBits - 1;
    if (continuing && q >= lastQ && q - lastQ <= mask) {
      for (let s = lastQ + 1; s < q; s++) {
        const b = s & mask;
        const i = base + (b >>> 5);
        bits[i] = (bits[i] ?? 0) & ~(1 << (b & 31));
      }
    } else {
      bits.fill(0, base, base + this.windowWords);
    }
    const b = q & mask;
    const i = base + (b >>> 5);
    bits[i] = (bits[i] ?? 0) | (1 << (b & 31));
  }

  /** Grows the numeric state and bitmaps (by doubling) to hold `slots` slots. */
  private reserve(slots: number): void {
    if (slots * NUM_FIELDS <= this.num.length) return;
    let capacity = this.num.length / NUM_FIELDS;
    while (capacity < slots) capacity *= 2;
    const num = new Float64Array(capacity * NUM_FIELDS);
    num.set(this.num);
    this.num = num;
    const bits = new Int32Array(capacity * 3 * this.windowWords);
    bits.set(this.bits);
    this.bits = bits;
  }

  private refreshQuality(slot: ValidationSlot, atMs: number): void {
    const next: DataQuality = slot.stale ? 'stale' : slot.gapRemaining > 0 ? 'gapped' : 'fresh';
    const previous = slot.quality;
    if (next === previous) return;
    slot.quality = next;
    if (previous !== undefined) this.qualityCounts[previous]--;
    this.qualityCounts[next]++;
    if (this.onQualityChange === undefined) return;
    const reason =
      next === 'stale'
        ? `no update for ${slot.staleAfterMs} ms of open market`
        : next === 'gapped'
          ? previous === 'stale'
            ? 'updates resumed; recovering from a sequence gap'
            : 'sequence gap'
          : previous === undefined
            ? 'first update'
            : previous === 'stale'
              ? 'updates resumed'
              : `${this.config.gapRecoveryUpdates} clean updates after a sequence gap`;
    this.onQualityChange({
      token: slot.token,
      exchangeType: slot.exchangeType,
      quality: next,
      previous,
      atMs,
      reason,
    });
  }

  /** The first sanity rule `event` breaks, or NONE. */
  private sanity(slot: ValidationSlot, event: MarketEvent): number {
    const t = event.exchangeTimeMs;
    const max = this.config.maxPricePaise;
    if (event.type === 'tick') {
      const p = event.lastPrice;
      // One sum carries any NaN or ±Infinity through; finite safe integers never overflow it.
      const sum =
        t +
        event.receivedAtMs +
        event.sequence +
        p +
        event.lastQuantity +
        event.volume +
        event.averagePrice +
        (event.openInterest ?? 0) +
        (event.lastTradeTimeMs ?? 0);
      if (!Number.isFinite(sum)) return NOT_FINITE;
      if (!(t > 0) || Math.floor(t) !== t) return IMPLAUSIBLE_TIME;
      if (event.lastQuantity < 0 || event.volume < 0 || (event.openInterest ?? 0) < 0)
        return NEGATIVE_QUANTITY;
      if (p < 0 || p > max || event.averagePrice < 0 || event.averagePrice > max) return IMPLAUSIBLE_PRICE;
      const upper = this.num[slot.at + F_UPPER] ?? -1;
      if (p > 0 && upper > 0 && (p > upper || p < (this.num[slot.at + F_LOWER] ?? 0))) return OUTSIDE_CIRCUIT;
      return NONE;
    }
    if (event.type === 'quote') {
      const upper = event.upperCircuit ?? 0;
      const lower = event.lowerCircuit ?? 0;
      const sum =
        t +
        event.receivedAtMs +
        event.sequence +
        event.lastPrice +
        event.bidPrice +
        event.bidQuantity +
        event.askPrice +
        event.askQuantity +
        event.totalBuyQuantity +
        event.totalSellQuantity +
        event.open +
        event.high +
        event.low +
        event.previousClose +
        event.volume +
        (event.openInterest ?? 0) +
        upper +
        lower;
      if (!Number.isFinite(sum)) return NOT_FINITE;
      if (!(t > 0) || Math.floor(t) !== t) return IMPLAUSIBLE_TIME;
      if (
        event.bidQuantity < 0 ||
        event.askQuantity < 0 ||
        event.totalBuyQuantity < 0 ||
        event.totalSellQuantity < 0 ||
        event.volume < 0 ||
        (event.openInterest ?? 0) < 0
      ) {
        return NEGATIVE_QUANTITY;
      }
      if (
        Math.min(event.lastPrice, event.bidPrice, event.askPrice, event.open, event.high, event.low) < 0 ||
        Math.min(event.previousClose, upper, lower) < 0 ||
        Math.max(event.lastPrice, event.bidPrice, event.askPrice, event.open, event.high, event.low) > max ||
        Math.max(event.previousClose, upper, lower) > max
      ) {
        return IMPLAUSIBLE_PRICE;
      }
      if (event.bidPrice > 0 && event.askPrice > 0 && event.bidPrice >= event.askPrice) return CROSSED_BOOK;
      // The packet's own limits are the newest; otherwise the last ones seen for the instrument.
      const hi = upper > 0 ? upper : (this.num[slot.at + F_UPPER] ?? -1);
      const lo = upper > 0 ? lower : (this.num[slot.at + F_LOWER] ?? 0);
      const p = event.lastPrice;
      if (p > 0 && hi > 0 && (p > hi || p < lo)) return OUTSIDE_CIRCUIT;
      return NONE;
    }
    if (!Number.isFinite(t + event.receivedAtMs + event.sequence)) return NOT_FINITE;
    const bids = this.levelsFault(event.bids, max);
    if (bids !== NONE) return bids;
    const asks = this.levelsFault(event.asks, max);
    if (asks !== NONE) return asks;
    if (!(t > 0) || Math.floor(t) !== t) return IMPLAUSIBLE_TIME;
    const bestBid = event.bids[0]?.price ?? 0;
    const bestAsk = event.asks[0]?.price ?? 0;
    if (bestBid > 0 && bestAsk > 0 && bestBid >= bestAsk) return CROSSED_BOOK;
    return NONE;
  }

  private levelsFault(levels: readonly DepthLevel[], max: number): number {
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i];
      if (level === undefined) continue;
      if (!Number.isFinite(level.price + level.quantity + level.orders)) return NOT_FINITE;
      if (level.quantity < 0 || level.orders < 0) return NEGATIVE_QUANTITY;
      if (level.price < 0 || level.price > max) return IMPLAUSIBLE_PRICE;
    }
    return NONE;
  }
}
