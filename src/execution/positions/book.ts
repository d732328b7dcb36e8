/**
 * The position book: positions per instrument and per (instrument, strategy), realised and unrealised P&L
 * net of charges, day aggregates, and whether the book's state is known.
 *
 * Two ledgers see every fill. The strategy ledger keeps each strategy's own average price, so strategies
 * sharing an instrument are judged on their own trades. The instrument ledger nets them, as the broker and
 * the exchange do, so it is what reconciliation compares. Both give the same total P&L (realised +
 * unrealised − charges); only the split between realised and unrealised can differ.
 *
 * Pure and deterministic: no clock, no I/O. Days are the IST dates of the fills and marks it is given.
 */
import { IfError } from '../../core/errors.js';
import { type Paise, paise } from '../../core/money.js';
import { istDateKey } from '../../core/time.js';
import type { TradeSide } from '../charges/index.js';
import { applyTrade, averagePrice, FLAT, type OpenPosition, unrealisedAt } from './position.js';

/** An execution as the book takes it. */
export interface PositionFill {
  /** the broker's trade id; a fill seen twice is applied once */
  readonly fillId: string;
  /** instrument key, e.g. `NFO:43650` (segment and token) */
  readonly instrument: string;
  readonly strategy: string;
  readonly side: TradeSide;
  /** units, not lots */
  readonly quantity: number;
  /** price per unit, paise */
  readonly pricePaise: number;
  /** charges attributed to this fill, paise (see `chargesForNextFill`) */
  readonly chargesPaise: number;
  /** units per lot, from the instrument master */
  readonly lotSize: number;
  /** execution time, epoch ms */
  readonly atMs: number;
}

/** Charges that arrive apart from a fill: exercise STT, or the contract note's rounding difference. */
export interface ChargeAdjustment {
  /** unique id; an adjustment seen twice is applied once */
  readonly adjustmentId: string;
  readonly instrument: string;
  readonly strategy: string;
  /** paise; negative for a refund */
  readonly chargesPaise: number;
  /** epoch ms */
  readonly atMs: number;
}

/** One IST day's figures of a position. */
export interface DayFigures {
  /** IST date `YYYY-MM-DD` the figures belong to; null before the book has seen a day */
  readonly dateKey: string | null;
  /** gross realised P&L booked today, paise */
  readonly realisedPaise: Paise;
  /** charges booked today, paise */
  readonly chargesPaise: Paise;
  /** Σ price × quantity of today's fills, paise */
  readonly turnoverPaise: Paise;
  readonly fills: number;
}

/** A position as readers see it. Quantities are units; `lots` is the same in lots. */
export interface PositionView {
  readonly instrument: string;
  /** the strategy, or null for the instrument's netted position */
  readonly strategy: string | null;
  /** signed units: positive long, negative short */
  readonly quantity: number;
  readonly lotSize: number;
  /** signed quantity in lots (fractional only if fills were not lot multiples) */
  readonly lots: number;
  /** average price of the open units, paise per unit (fractional); 0 when flat */
  readonly averagePricePaise: number;
  /** cost of the open units, paise */
  readonly openValuePaise: Paise;
  /** last mark, paise per unit; null before the first mark */
  readonly markPricePaise: Paise | null;
  /** false while an open position has no mark: its unrealised P&L is then reported as 0 and is not known */
  readonly marked: boolean;
  /** gross realised P&L since the book began, paise */
  readonly realisedPaise: Paise;
  /** charges since the book began, paise */
  readonly chargesPaise: Paise;
  /** realised − charges, paise */
  readonly realisedNetPaise: Paise;
  /** open units at the mark against their cost, paise */
  readonly unrealisedPaise: Paise;
  /** realised + unrealised − charges, paise */
  readonly netPaise: Paise;
  readonly buyQuantity: number;
  readonly sellQuantity: number;
  readonly buyValuePaise: Paise;
  readonly sellValuePaise: Paise;
  readonly day: DayFigures;
}

/** The day's totals over a set of positions. */
export interface DayAggregate {
  readonly dateKey: string | null;
  /** gross realised P&L booked today, paise */
  readonly realisedPaise: Paise;
  /** unrealised P&L of every open position at its mark (against cost, including carried positions), paise */
  readonly unrealisedPaise: Paise;
  /** charges booked today, paise */
  readonly chargesPaise: Paise;
  /** realised + unrealised − charges, paise */
  readonly netPaise: Paise;
  readonly turnoverPaise: Paise;
  readonly fills: number;
  readonly openPositions: number;
  /** open positions without a mark; while > 0 the unrealised figure is incomplete */
  readonly unmarkedOpenPositions: number;
}

/** Whether the book matches the broker: `unknown` after a restart until reconciliation says otherwise. */
export type KnownState = 'known' | 'unknown';

/** The broker's net position in one instrument, units. */
export interface BrokerPosition {
  readonly instrument: string;
  readonly quantity: number;
}

export interface ReconcileMismatch {
  readonly instrument: string;
  readonly bookQuantity: number;
  readonly brokerQuantity: number;
}

export interface ReconcileReport {
  readonly knownState: KnownState;
  readonly mismatches: readonly ReconcileMismatch[];
}

export interface PositionBookOptions {
  /** starting state; defaults to `unknown` so a book nobody vouched for fails closed */
  readonly knownState?: KnownState;
}

export type ApplyOutcome = 'applied' | 'duplicate';

interface Entry {
  readonly instrument: string;
  readonly strategy: string | null;
  open: OpenPosition;
  lotSize: number;
  realised: number;
  charges: number;
  buyQuantity: number;
  sellQuantity: number;
  buyValue: number;
  sellValue: number;
  dayKey: string | null;
  dayRealised: number;
  dayCharges: number;
  dayTurnover: number;
  dayFills: number;
}

interface Mark {
  readonly pricePaise: number;
  readonly atMs: number;
}

/** Positions, P&L and known-state for one account; fed fills and marks, read by risk and the API. */
export class PositionBook {
  private readonly byStrategy = new Map<string, Entry>();
  private readonly byInstrument = new Map<string, Entry>();
  private readonly marks = new Map<string, Mark>();
  private readonly seenIds = new Set<string>();
  private today: string | null = null;
  private state: KnownState;

  constructor(options: PositionBookOptions = {}) {
    this.state = options.knownState ?? 'unknown';
  }

  /** A book rebuilt from stored fills after a restart; `unknown` until `reconcile` matches the broker. */
  static fromFills(fills: Iterable<PositionFill>): PositionBook {
    const book = new PositionBook({ knownState: 'unknown' });
    for (const fill of fills) book.applyFill(fill);
    return book;
  }

  /** `known` once reconciled (or when started known); risk must refuse new entries while `unknown`. */
  get knownState(): KnownState {
    return this.state;
  }

  /** IST date the day figures belong to; null before the first fill, mark or `startDay`. */
  get dateKey(): string | null {
    return this.today;
  }

  /** Marks the state unknown, e.g. when the order-update stream dropped and fills may have been missed. */
  markUnknown(): void {
    this.state = 'unknown';
  }

  /**
   * Compares the netted instrument positions with the broker's; the book becomes `known` when every
   * instrument matches (instruments absent on either side count as flat) and stays `unknown` otherwise.
   */
  reconcile(broker: readonly BrokerPosition[]): ReconcileReport {
    const brokerQuantity = new Map<string, number>();
    for (const row of broker) {
      brokerQuantity.set(row.instrument, (brokerQuantity.get(row.instrument) ?? 0) + row.quantity);
    }
    const instruments = new Set([...this.byInstrument.keys(), ...brokerQuantity.keys()]);
    const mismatches: ReconcileMismatch[] = [];
    for (const instrument of [...instruments].sort()) {
      const bookQuantity = this.byInstrument.get(instrument)?.open.quantity ?? 0;
      const theirs = brokerQuantity.get(instrument) ?? 0;
      if (bookQuantity !== theirs) mismatches.push({ instrument, bookQuantity, brokerQuantity: theirs });
    }
    this.state = mismatches.length === 0 ? 'known' : 'unknown';
    return { knownState: this.state, mismatches };
  }

  /** Starts the IST day containing `atMs` if it is later than the current one; day figures restart at 0. */
  startDay(atMs: number): void {
    requireTime(atMs, '(day)');
    const dateKey = istDateKey(atMs);
    if (this.today === null || dateKey > this.today) this.today = dateKey;
  }

  /**
   * Applies a fill to its strategy's and its instrument's positions. Returns `duplicate`, changing
   * nothing, for a fill id already applied. A fill from an earlier IST day than the current one moves the
   * position and lifetime P&L but not today's figures.
   */
  applyFill(fill: PositionFill): ApplyOutcome {
    checkFill(fill);
    if (this.seenIds.has(fill.fillId)) return 'duplicate';
    this.startDay(fill.atMs);
    const countsToday = istDateKey(fill.atMs) === this.today;
    const strategyEntry = this.entry(this.byStrategy, fill.instrument, fill.strategy, fill.lotSize);
    const instrumentEntry = this.entry(this.byInstrument, fill.instrument, null, fill.lotSize);
    // Work out both updates before writing either, so a failure (an amount past 2^53) leaves no half-fill.
    const updates = [strategyEntry, instrumentEntry].map((entry) => ({ entry, next: tradeOn(entry, fill) }));
    for (const { entry, next } of updates) {
      entry.open = next.open;
      entry.lotSize = fill.lotSize;
      entry.realised = next.realised;
      entry.charges = next.charges;
      if (fill.side === 'BUY') {
        entry.buyQuantity += fill.quantity;
        entry.buyValue += next.tradeValue;
      } else {
        entry.sellQuantity += fill.quantity;
        entry.sellValue += next.tradeValue;
      }
      if (countsToday) {
        this.rollEntry(entry);
        entry.dayRealised += next.realisedDelta;
        entry.dayCharges += fill.chargesPaise;
        entry.dayTurnover += next.tradeValue;
        entry.dayFills += 1;
      }
    }
    this.seenIds.add(fill.fillId);
    return 'applied';
  }

  /** Books charges that came apart from a fill (exercise STT, contract-note rounding); idempotent by id. */
  applyCharges(adjustment: ChargeAdjustment): ApplyOutcome {
    const id = adjustment.adjustmentId;
    if (typeof id !== 'string' || id.length === 0)
      invalid(String(id), 'adjustmentId must be a non-empty string');
    if (!Number.isSafeInteger(adjustment.chargesPaise)) invalid(id, 'chargesPaise must be whole paise');
    requireTime(adjustment.atMs, id);
    requireKey(adjustment.instrument, 'instrument', id);
    requireKey(adjustment.strategy, 'strategy', id);
    if (this.seenIds.has(id)) return 'duplicate';
    const strategyEntry = this.byStrategy.get(strategyKey(adjustment.instrument, adjustment.strategy));
    const instrumentEntry = this.byInstrument.get(adjustment.instrument);
    if (strategyEntry === undefined || instrumentEntry === undefined) {
      invalid(id, `no position in ${adjustment.instrument} for strategy ${adjustment.strategy}`);
    }
    this.startDay(adjustment.atMs);
    const countsToday = istDateKey(adjustment.atMs) === this.today;
    for (const entry of [strategyEntry, instrumentEntry]) {
      entry.charges = paise(entry.charges + adjustment.chargesPaise);
      if (countsToday) {
        this.rollEntry(entry);
        entry.dayCharges += adjustment.chargesPaise;
      }
    }
    this.seenIds.add(id);
    return 'applied';
  }

  /** Sets the mark of `instrument` to `pricePaise` per unit (latest by `atMs` wins). */
  mark(instrument: string, pricePaise: number, atMs: number): void {
    requireKey(instrument, 'instrument', '(mark)');
    if (!Number.isSafeInteger(pricePaise) || pricePaise < 0) {
      invalid('(mark)', `mark price must be whole non-negative paise, got ${pricePaise}`);
    }
    requireTime(atMs, '(mark)');
    const previous = this.marks.get(instrument);
    if (previous !== undefined && previous.atMs > atMs) return;
    this.marks.set(instrument, { pricePaise, atMs });
    this.startDay(atMs);
  }

  /** One strategy's position in an instrument, or the instrument's netted position when `strategy` is omitted. */
  position(instrument: string, strategy?: string): PositionView | undefined {
    const entry =
      strategy === undefined
        ? this.byInstrument.get(instrument)
        : this.byStrategy.get(strategyKey(instrument, strategy));
    return entry === undefined ? undefined : this.view(entry);
  }

  /** Every (instrument, strategy) position ever traded, optionally of one strategy, in key order. */
  strategyPositions(strategy?: string): PositionView[] {
    return sortedEntries(this.byStrategy)
      .filter((entry) => strategy === undefined || entry.strategy === strategy)
      .map((entry) => this.view(entry));
  }

  /** Every instrument's netted position, in key order. */
  instrumentPositions(): PositionView[] {
    return sortedEntries(this.byInstrument).map((entry) => this.view(entry));
  }

  /**
   * Today's totals over the strategy positions, optionally of one strategy or instrument. Net equals the
   * netted instrument ledger's net; realised and unrealised follow each strategy's own average price.
   */
  dayAggregate(filter: { strategy?: string; instrument?: string } = {}): DayAggregate {
    let realised = 0;
    let unrealised = 0;
    let charges = 0;
    let turnover = 0;
    let fills = 0;
    let openPositions = 0;
    let unmarked = 0;
    for (const entry of this.byStrategy.values()) {
      if (filter.strategy !== undefined && entry.strategy !== filter.strategy) continue;
      if (filter.instrument !== undefined && entry.instrument !== filter.instrument) continue;
      const view = this.view(entry);
      realised += view.day.realisedPaise;
      charges += view.day.chargesPaise;
      turnover += view.day.turnoverPaise;
      fills += view.day.fills;
      unrealised += view.unrealisedPaise;
      if (view.quantity !== 0) {
        openPositions += 1;
        if (!view.marked) unmarked += 1;
      }
    }
    return {
      dateKey: this.today,
      realisedPaise: paise(realised),
      unrealisedPaise: paise(unrealised),
      chargesPaise: paise(charges),
      netPaise: paise(realised + unrealised - charges),
      turnoverPaise: paise(turnover),
      fills,
      openPositions,
      unmarkedOpenPositions: unmarked,
    };
  }

  private entry(
    map: Map<string, Entry>,
    instrument: string,
    strategy: string | null,
    lotSize: number,
  ): Entry {
    const key = strategy === null ? instrument : strategyKey(instrument, strategy);
    const existing = map.get(key);
    if (existing !== undefined) return existing;
    const created: Entry = {
      instrument,
      strategy,
      open: FLAT,
      lotSize,
      realised: 0,
      charges: 0,
      buyQuantity: 0,
      sellQuantity: 0,
      buyValue: 0,
      sellValue: 0,
      dayKey: null,
      dayRealised: 0,
      dayCharges: 0,
      dayTurnover: 0,
      dayFills: 0,
    };
    map.set(key, created);
    return created;
  }

  /** Day counters are reset lazily: an entry last touched on an earlier day starts today at zero. */
  private rollEntry(entry: Entry): void {
    if (entry.dayKey === this.today) return;
    entry.dayKey = this.today;
    entry.dayRealised = 0;
    entry.dayCharges = 0;
    entry.dayTurnover = 0;
    entry.dayFills = 0;
  }

  private view(entry: Entry): PositionView {
    const mark = this.marks.get(entry.instrument);
    const open = entry.open;
    const unrealised = mark === undefined ? 0 : unrealisedAt(open, mark.pricePaise);
    const isToday = entry.dayKey !== null && entry.dayKey === this.today;
    return {
      instrument: entry.instrument,
      strategy: entry.strategy,
      quantity: open.quantity,
      lotSize: entry.lotSize,
      lots: open.quantity / entry.lotSize,
      averagePricePaise: averagePrice(open),
      openValuePaise: paise(open.openValuePaise),
      markPricePaise: mark === undefined ? null : paise(mark.pricePaise),
      marked: open.quantity === 0 || mark !== undefined,
      realisedPaise: paise(entry.realised),
      chargesPaise: paise(entry.charges),
      realisedNetPaise: paise(entry.realised - entry.charges),
      unrealisedPaise: paise(unrealised),
      netPaise: paise(entry.realised + unrealised - entry.charges),
      buyQuantity: entry.buyQuantity,
      sellQuantity: entry.sellQuantity,
      buyValuePaise: paise(entry.buyValue),
      sellValuePaise: paise(entry.sellValue),
      day: {
        dateKey: this.today,
        realisedPaise: paise(isToday ? entry.dayRealised : 0),
        chargesPaise: paise(isToday ? entry.dayCharges : 0),
        turnoverPaise: paise(isToday ? entry.dayTurnover : 0),
        fills: isToday ? entry.dayFills : 0,
      },
    };
  }
}

function tradeOn(
  entry: Entry,
  fill: PositionFill,
): { open: OpenPosition; realised: number; charges: number; realisedDelta: number; tradeValue: number } {
  const result = applyTrade(entry.open, fill.side, fill.quantity, fill.pricePaise);
  // `paise()` throws past 2^53, where number arithmetic would silently lose paise.
  const tradeValue = paise(fill.pricePaise * fill.quantity);
  return {
    open: { quantity: result.position.quantity, openValuePaise: paise(result.position.openValuePaise) },
    realised: paise(entry.realised + result.realisedPaise),
    charges: paise(entry.charges + fill.chargesPaise),
    realisedDelta: result.realisedPaise,
    tradeValue,
  };
}

function strategyKey(instrument: string, strategy: string): string {
  // NUL cannot occur in instrument keys or strategy names, so the pair key is unambiguous.
  return `${instrument}\u0000${strategy}`;
}

function sortedEntries(map: Map<string, Entry>): Entry[] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
}

function checkFill(fill: PositionFill): void {
  const id = fill.fillId;
  if (typeof id !== 'string' || id.length === 0) invalid('(no id)', 'fillId must be a non-empty string');
  requireKey(fill.instrument, 'instrument', id);
  requireKey(fill.strategy, 'strategy', id);
  if (fill.side !== 'BUY' && fill.side !== 'SELL')
    invalid(id, `side ${String(fill.side)} is not BUY or SELL`);
  requireWhole(fill.quantity, 'quantity', id, 1);
  requireWhole(fill.pricePaise, 'pricePaise', id, 0);
  requireWhole(fill.chargesPaise, 'chargesPaise', id, 0);
  requireWhole(fill.lotSize, 'lotSize', id, 1);
  requireTime(fill.atMs, id);
}

function requireKey(value: string, name: string, id: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.includes('\u0000')) {
    invalid(id, `${name} must be a non-empty string without NUL`);
  }
}

function requireWhole(value: number, name: string, id: string, min: number): void {
  if (!Number.isSafeInteger(value) || value < min)
    invalid(id, `${name} must be a whole number ≥ ${min}, got ${value}`);
}

function requireTime(atMs: number, id: string): void {
  if (!Number.isSafeInteger(atMs)) invalid(id, `atMs must be epoch milliseconds, got ${atMs}`);
}

function invalid(fillId: string, detail: string): never {
  throw new IfError('IF_ERR_FILL_INVALID', { fillId, detail });
}
