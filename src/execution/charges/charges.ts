/**
 * Indian F&O charges on fills, orders and contract notes, in integer paise.
 *
 * Rounding: every line is summed exactly (rates are integers per 10^8, turnover is integer paise, the
 * products are BigInt) over the fills it covers and rounded once to the paisa, half up. Half up because it
 * is the commercial rounding of contract notes and broker calculators, and a trader reconciling a note must
 * see the same paisa; banker's rounding removes bias only when many rounded values are added, and here a
 * line is rounded once. The reference's worked example gives ₹62.03 under either rule; they differ on exact
 * halves such as the old-rate exercise STT of ₹8.125, which is ₹8.13 here.
 *
 * GST is levied on what is billed, so it is 18 % of the rounded brokerage, exchange, IPFT and SEBI lines
 * (Angel One includes IPFT in the base, as the reference's example does), then rounded half up.
 *
 * Scope of one rounding: a contract note rounds each line over all of a day's orders, which is how the
 * reference reaches ₹62.03; pricing each order alone and adding gives ₹62.04 there. `contractNoteCharges`
 * is the figure to reconcile with; `chargesForOrder` and `chargesForNextFill` are what the order path knows.
 */
import { IfError } from '../../core/errors.js';
import type { OptionType } from '../../core/instrument.js';
import { type Paise, paise } from '../../core/money.js';
import { istDateKey } from '../../core/time.js';
import {
  ANGEL_ONE_SCHEDULE,
  type ChargeExchange,
  type ChargeKind,
  type ChargeSchedule,
  RATE_SCALE,
  resolveRates,
  type TradeSide,
  valueOn,
  venueOf,
} from './rates.js';

const SCALE = BigInt(RATE_SCALE);
const HALF = SCALE / 2n;

/** One execution to be charged. */
export interface ChargeFill {
  readonly exchange: ChargeExchange;
  readonly kind: ChargeKind;
  readonly side: TradeSide;
  /** price per unit, paise (premium for options) */
  readonly pricePaise: number;
  /** units, not lots */
  readonly quantity: number;
  /** execution time, epoch ms; its IST date picks the rates */
  readonly atMs: number;
}

/** The lines of a charge computation, each in paise as a contract note shows them. */
export interface ChargeLines {
  readonly brokerage: Paise;
  readonly stt: Paise;
  /** exchange transaction charge */
  readonly exchange: Paise;
  readonly ipft: Paise;
  readonly sebi: Paise;
  readonly stamp: Paise;
  readonly gst: Paise;
  /** the sum of the lines above */
  readonly total: Paise;
  /** true when a rate used is an estimate (e.g. pre-Oct-2024 slab-era exchange fees) */
  readonly estimated: boolean;
}

/** All-zero lines: what an order with no executions costs. */
export const NO_CHARGES: ChargeLines = {
  brokerage: paise(0),
  stt: paise(0),
  exchange: paise(0),
  ipft: paise(0),
  sebi: paise(0),
  stamp: paise(0),
  gst: paise(0),
  total: paise(0),
  estimated: false,
};

/** Charges of one fill treated as a whole executed order (so it carries one brokerage), paise. */
export function chargesForFill(fill: ChargeFill, schedule: ChargeSchedule = ANGEL_ONE_SCHEDULE): ChargeLines {
  return contractNoteCharges([[fill]], schedule);
}

/**
 * Charges of one executed order from all its fills, paise: brokerage once per order, not per fill; the
 * other lines on the order's total turnover. All fills must share exchange, kind and side.
 */
export function chargesForOrder(
  fills: readonly ChargeFill[],
  schedule: ChargeSchedule = ANGEL_ONE_SCHEDULE,
): ChargeLines {
  return contractNoteCharges([fills], schedule);
}

/**
 * What one more fill of an order adds to the order's charges, paise: the order's charges with the fill
 * minus those without. The increments of an order's fills add up to `chargesForOrder` exactly and are never
 * negative, so a position book fed these per fill carries the order's true charges.
 */
export function chargesForNextFill(
  previousFills: readonly ChargeFill[],
  fill: ChargeFill,
  schedule: ChargeSchedule = ANGEL_ONE_SCHEDULE,
): ChargeLines {
  const before = chargesForOrder(previousFills, schedule);
  const after = chargesForOrder([...previousFills, fill], schedule);
  return {
    brokerage: paise(after.brokerage - before.brokerage),
    stt: paise(after.stt - before.stt),
    exchange: paise(after.exchange - before.exchange),
    ipft: paise(after.ipft - before.ipft),
    sebi: paise(after.sebi - before.sebi),
    stamp: paise(after.stamp - before.stamp),
    gst: paise(after.gst - before.gst),
    total: paise(after.total - before.total),
    estimated: after.estimated,
  };
}

/**
 * Charges of a contract note (one IST day's orders on one exchange), paise: brokerage per executed order,
 * every other line summed exactly over all fills and rounded once, as the note shows it.
 */
export function contractNoteCharges(
  orders: readonly (readonly ChargeFill[])[],
  schedule: ChargeSchedule = ANGEL_ONE_SCHEDULE,
): ChargeLines {
  // Exact amounts in paise × 10^8.
  let brokerage = 0n;
  let stt = 0n;
  let exchange = 0n;
  let ipft = 0n;
  let sebi = 0n;
  let stamp = 0n;
  let gstRate: bigint | undefined;
  let estimated = false;

  for (const fills of orders) {
    const first = fills[0];
    if (first === undefined) continue;
    for (const [index, fill] of fills.entries()) {
      checkFill(fill);
      if (
        fill.side !== first.side ||
        fill.kind !== first.kind ||
        venueOf(fill.exchange) !== venueOf(first.exchange)
      ) {
        throw new IfError('IF_ERR_FILL_INVALID', {
          fillId: '(order)',
          detail: 'fills of one order must share exchange, kind and side',
        });
      }
      const rates = resolveRates(schedule, venueOf(fill.exchange), fill.kind, fill.atMs);
      if (index === 0) {
        brokerage += BigInt(rates.brokeragePerOrderPaise) * SCALE;
        gstRate ??= BigInt(rates.gst);
      }
      const turnover = BigInt(fill.pricePaise) * BigInt(fill.quantity);
      if (fill.side === 'SELL') stt += turnover * BigInt(rates.sttSell);
      else stamp += turnover * BigInt(rates.stampBuy);
      exchange += turnover * BigInt(rates.transaction);
      ipft += turnover * BigInt(rates.ipft);
      sebi += turnover * BigInt(rates.sebiFee);
      estimated ||= rates.estimated;
    }
  }
  if (gstRate === undefined) return NO_CHARGES;

  const lines = {
    brokerage: roundHalfUp(brokerage),
    stt: roundHalfUp(stt),
    exchange: roundHalfUp(exchange),
    ipft: roundHalfUp(ipft),
    sebi: roundHalfUp(sebi),
    stamp: roundHalfUp(stamp),
  };
  const taxable = BigInt(lines.brokerage + lines.exchange + lines.ipft + lines.sebi);
  const gst = roundHalfUp(taxable * gstRate);
  const total = lines.brokerage + lines.stt + lines.exchange + lines.ipft + lines.sebi + lines.stamp + gst;
  return {
    brokerage: paise(lines.brokerage),
    stt: paise(lines.stt),
    exchange: paise(lines.exchange),
    ipft: paise(lines.ipft),
    sebi: paise(lines.sebi),
    stamp: paise(lines.stamp),
    gst: paise(gst),
    total: paise(total),
    estimated,
  };
}

/** A long option position settled at expiry, for the exercise STT. */
export interface ExerciseInput {
  readonly optionType: OptionType;
  /** paise */
  readonly strikePaise: number;
  /** final settlement price of the underlying, paise */
  readonly settlementPricePaise: number;
  /** units held long, not lots */
  readonly quantity: number;
  /** expiry (settlement) time, epoch ms; its IST date picks the rate */
  readonly atMs: number;
}

/**
 * STT on a long in-the-money option exercised at expiry, paise: the exercise rate × intrinsic value ×
 * units, rounded half up; 0 when out of the money. Only the holder pays it; shorts are assigned free of STT.
 */
export function exerciseStt(input: ExerciseInput, schedule: ChargeSchedule = ANGEL_ONE_SCHEDULE): Paise {
  const { strikePaise, settlementPricePaise, quantity, atMs } = input;
  requireWhole(strikePaise, 'strikePaise', false);
  requireWhole(settlementPricePaise, 'settlementPricePaise', false);
  requireWhole(quantity, 'quantity', true);
  requireTime(atMs);
  const intrinsic =
    input.optionType === 'CE' ? settlementPricePaise - strikePaise : strikePaise - settlementPricePaise;
  if (intrinsic <= 0) return paise(0);
  const rate = valueOn(schedule.sttExercise, istDateKey(atMs), 'exercise STT').value;
  return paise(roundHalfUp(BigInt(intrinsic) * BigInt(quantity) * BigInt(rate)));
}

/** Paise × 10^8 (non-negative) to whole paise, half up. */
function roundHalfUp(scaled: bigint): number {
  return Number((scaled + HALF) / SCALE);
}

function checkFill(fill: ChargeFill): void {
  requireWhole(fill.pricePaise, 'pricePaise', false);
  requireWhole(fill.quantity, 'quantity', true);
  requireTime(fill.atMs);
  if (fill.side !== 'BUY' && fill.side !== 'SELL') fail(`side ${String(fill.side)} is not BUY or SELL`);
  if (fill.kind !== 'option' && fill.kind !== 'future')
    fail(`kind ${String(fill.kind)} is not option or future`);
  if (!['NSE', 'NFO', 'BSE', 'BFO'].includes(fill.exchange))
    fail(`exchange ${String(fill.exchange)} is not charged`);
}

function requireWhole(value: number, name: string, positive: boolean): void {
  if (!Number.isSafeInteger(value) || value < (positive ? 1 : 0)) {
    fail(`${name} must be a ${positive ? 'positive' : 'non-negative'} whole number, got ${value}`);
  }
}

function requireTime(atMs: number): void {
  if (!Number.isSafeInteger(atMs)) fail(`atMs must be epoch milliseconds, got ${atMs}`);
}

function fail(detail: string): never {
  throw new IfError('IF_ERR_FILL_INVALID', { fillId: '(charges)', detail });
}
