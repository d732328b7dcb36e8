import { IfError } from '../../core/errors.js';
import { type Paise, paise } from '../../core/money.js';
import { istDateKey } from '../../core/time.js';

declare const rateBrand: unique symbol;

/**
 * A proportional rate in parts per 10^8 of the amount it applies to (0.03503 % = 35_030). Every rate the
 * exchanges and the tax law publish is an integer at this scale, so charge arithmetic stays exact.
 */
export type Rate = number & { readonly [rateBrand]: true };

/** Parts per 10^8 in one whole (100 %). */
export const RATE_SCALE = 100_000_000;

/** A published percentage written as decimal text (`'0.03503'` for 0.03503 %) to an exact `Rate`. */
export function percent(text: string): Rate {
  // Text, not a float literal: 0.03503 has no exact binary form, and the table should read like the circular.
  const match = /^(\d{1,3})(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) {
    throw new IfError('IF_ERR_VALIDATION', {
      detail: `rate "${text}" is not a percentage with ≤ 6 decimals`,
    });
  }
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(6, '0'));
  return (whole * 1_000_000 + fraction) as Rate;
}

/** Venues whose charges differ; the derivative segments (NFO, BFO) take their parent exchange's rates. */
export type ChargeVenue = 'NSE' | 'BSE';
/** Exchange segments a fill may name, as in the instrument master. */
export type ChargeExchange = 'NSE' | 'NFO' | 'BSE' | 'BFO';
export type ChargeKind = 'option' | 'future';
export type TradeSide = 'BUY' | 'SELL';

/** One value of a charge and the first day it applied. */
export interface DatedValue<T> {
  /** first IST date (`YYYY-MM-DD`, inclusive) the value applies to; it holds until the next entry's date */
  readonly from: string;
  readonly value: T;
  /** true when this is not a published client rate (slab-era or unlisted); results built on it say so */
  readonly estimate?: boolean;
}

/** A charge's history, oldest first. A date before the first entry has no rate and is refused. */
export type Timeline<T = Rate> = readonly DatedValue<T>[];

/** What one exchange levies on one instrument kind. */
export interface ExchangeRates {
  /** transaction charge on turnover (premium turnover for options), both sides */
  readonly transaction: Timeline;
  /** Investor Protection Fund Trust charge on turnover, both sides */
  readonly ipft: Timeline;
}

/** Every rate that prices a fill, as data with effective dates, so a 2025 backtest is charged 2025 rates. */
export interface ChargeSchedule {
  /** broker's fee per executed order (not per fill), paise */
  readonly brokeragePerOrderPaise: Timeline<Paise>;
  /** securities transaction tax on the sell side, on turnover */
  readonly sttSell: Readonly<Record<ChargeKind, Timeline>>;
  /** securities transaction tax on the intrinsic value of long options exercised at expiry */
  readonly sttExercise: Timeline;
  /** stamp duty on the buy side, on turnover */
  readonly stampBuy: Readonly<Record<ChargeKind, Timeline>>;
  /** SEBI turnover fee, both sides */
  readonly sebiFee: Timeline;
  /** GST on brokerage + exchange transaction charge + IPFT + SEBI fee */
  readonly gst: Timeline;
  readonly exchange: Readonly<Record<ChargeVenue, Readonly<Record<ChargeKind, ExchangeRates>>>>;
}

/**
 * The earliest date the default schedule prices: 1-Apr-2023, when the Finance Act 2023 set STT on option
 * sales to 0.0625 % and on futures sales to 0.0125 %. Earlier dates throw IF_ERR_CHARGES_NO_RATE rather
 * than be charged a guessed rate.
 */
export const DEFAULT_SCHEDULE_FROM = '2023-04-01';

// SEBI's "true to label" circular (1-Jul-2024) made exchange fees flat from 1-Oct-2024. Before that they
// were slabs on each broker's monthly volume, so no single client rate exists; the pre-October values are
// the client rates brokers published for that era and are flagged `estimate`.
const TRUE_TO_LABEL = '2024-10-01';
// Finance (No. 2) Act 2024 raised F&O STT from 1-Oct-2024; Finance Act 2026 raised it again from 1-Apr-2026.
const FINANCE_ACT_2026 = '2026-04-01';

/**
 * Angel One's charges for index F&O, as of the 2026 reference (shared/reference/options-maths-and-nse.md
 * §5.5), with the older rates and their dates. Sources for values the reference does not carry:
 * - NSE futures 0.00173 % and BSE index futures nil from 1-Oct-2024: NSE and BSE circulars of 27-Sep-2024
 *   as reported (Hindustan Times, NDTV Profit, PTI).
 * - Pre-Oct-2024 exchange fees (estimates): NSE options 0.05 %, NSE futures 0.0019 %, BSE options
 *   0.005 % (₹500/crore), BSE futures nil, as brokers' charge pages listed them in 2023–24.
 * - Futures STT 0.0125 % (1-Apr-2023) and 0.02 % (1-Oct-2024); exercise STT 0.125 % before 1-Apr-2026;
 *   stamp duty 0.002 % on futures buys (Indian Stamp Act as amended, from 1-Jul-2020).
 * - BSE IPFT is not listed by the reference or Angel's page: 0, flagged `estimate`.
 */
export const ANGEL_ONE_SCHEDULE: ChargeSchedule = {
  brokeragePerOrderPaise: [{ from: DEFAULT_SCHEDULE_FROM, value: paise(2000) }],
  sttSell: {
    option: [
      { from: DEFAULT_SCHEDULE_FROM, value: percent('0.0625') },
      { from: TRUE_TO_LABEL, value: percent('0.1') },
      { from: FINANCE_ACT_2026, value: percent('0.15') },
    ],
    future: [
      { from: DEFAULT_SCHEDULE_FROM, value: percent('0.0125') },
      { from: TRUE_TO_LABEL, value: percent('0.02') },
      { from: FINANCE_ACT_2026, value: percent('0.05') },
    ],
  },
  sttExercise: [
    { from: DEFAULT_SCHEDULE_FROM, value: percent('0.125') },
    { from: FINANCE_ACT_2026, value: percent('0.15') },
  ],
  stampBuy: {
    option: [{ from: DEFAULT_SCHEDULE_FROM, value: percent('0.003') }],
    future: [{ from: DEFAULT_SCHEDULE_FROM, value: percent('0.002') }],
  },
  sebiFee: [{ from: DEFAULT_SCHEDULE_FROM, value: percent('0.0001') }],
  gst: [{ from: DEFAULT_SCHEDULE_FROM, value: percent('18') }],
  exchange: {
    NSE: {
      option: {
        transaction: [
          { from: DEFAULT_SCHEDULE_FROM, value: percent('0.05'), estimate: true },
          { from: TRUE_TO_LABEL, value: percent('0.03503') },
        ],
        ipft: [{ from: DEFAULT_SCHEDULE_FROM, value: percent('0.0005') }],
      },
      future: {
        transaction: [
          { from: DEFAULT_SCHEDULE_FROM, value: percent('0.0019'), estimate: true },
          { from: TRUE_TO_LABEL, value: percent('0.00173') },
        ],
        ipft: [{ from: DEFAULT_SCHEDULE_FROM, value: percent('0.0001') }],
      },
    },
    BSE: {
      option: {
        transaction: [
          { from: DEFAULT_SCHEDULE_FROM, value: percent('0.005'), estimate: true },
          { from: TRUE_TO_LABEL, value: percent('0.0325') },
        ],
        ipft: [{ from: DEFAULT_SCHEDULE_FROM, value: percent('0'), estimate: true }],
      },
      future: {
        transaction: [
          { from: DEFAULT_SCHEDULE_FROM, value: percent('0'), estimate: true },
          { from: TRUE_TO_LABEL, value: percent('0') },
        ],
        ipft: [{ from: DEFAULT_SCHEDULE_FROM, value: percent('0'), estimate: true }],
      },
    },
  },
};

/** Throws IF_ERR_VALIDATION unless every timeline is non-empty and strictly ascending by valid dates. */
export function checkSchedule(schedule: ChargeSchedule): void {
  const timelines: [string, Timeline<number>][] = [
    ['brokerage', schedule.brokeragePerOrderPaise],
    ['sttExercise', schedule.sttExercise],
    ['sebiFee', schedule.sebiFee],
    ['gst', schedule.gst],
  ];
  for (const kind of ['option', 'future'] as const) {
    timelines.push(
      [`sttSell.${kind}`, schedule.sttSell[kind]],
      [`stampBuy.${kind}`, schedule.stampBuy[kind]],
    );
    for (const venue of ['NSE', 'BSE'] as const) {
      const rates = schedule.exchange[venue][kind];
      timelines.push(
        [`${venue}.${kind}.transaction`, rates.transaction],
        [`${venue}.${kind}.ipft`, rates.ipft],
      );
    }
  }
  for (const [name, timeline] of timelines) {
    if (timeline.length === 0) throw new IfError('IF_ERR_VALIDATION', { detail: `${name} has no rates` });
    let previous = '';
    for (const entry of timeline) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(entry.from) || entry.from <= previous) {
        throw new IfError('IF_ERR_VALIDATION', { detail: `${name} dates must be YYYY-MM-DD ascending` });
      }
      if (!Number.isSafeInteger(entry.value) || entry.value < 0) {
        throw new IfError('IF_ERR_VALIDATION', { detail: `${name} from ${entry.from} is not a whole rate` });
      }
      previous = entry.from;
    }
  }
}

/** The rates that price one fill: each resolved for the fill's IST date. */
export interface ResolvedRates {
  readonly dateKey: string;
  readonly brokeragePerOrderPaise: Paise;
  readonly sttSell: Rate;
  readonly stampBuy: Rate;
  readonly sebiFee: Rate;
  readonly gst: Rate;
  readonly transaction: Rate;
  readonly ipft: Rate;
  /** true when any of these is an estimate rather than a published client rate */
  readonly estimated: boolean;
}

/** Maps an instrument-master segment to the exchange whose rates apply. */
export function venueOf(exchange: ChargeExchange): ChargeVenue {
  return exchange === 'NSE' || exchange === 'NFO' ? 'NSE' : 'BSE';
}

/** The entry of `timeline` in force on IST date `dateKey`; throws IF_ERR_CHARGES_NO_RATE before its start. */
export function valueOn<T>(timeline: Timeline<T>, dateKey: string, component: string): DatedValue<T> {
  let found: DatedValue<T> | undefined;
  // `YYYY-MM-DD` strings sort as dates, and the timelines are a handful of entries: a scan is enough.
  for (const entry of timeline) {
    if (entry.from <= dateKey) found = entry;
    else break;
  }
  if (!found) throw new IfError('IF_ERR_CHARGES_NO_RATE', { component, date: dateKey });
  return found;
}

/** Every rate for a fill on `venue`/`kind` at epoch ms `atMs` (its IST date decides). */
export function resolveRates(
  schedule: ChargeSchedule,
  venue: ChargeVenue,
  kind: ChargeKind,
  atMs: number,
): ResolvedRates {
  const dateKey = istDateKey(atMs);
  const where = `${venue} ${kind}`;
  const parts = {
    brokerage: valueOn(schedule.brokeragePerOrderPaise, dateKey, 'brokerage'),
    sttSell: valueOn(schedule.sttSell[kind], dateKey, `STT (${kind})`),
    stampBuy: valueOn(schedule.stampBuy[kind], dateKey, `stamp duty (${kind})`),
    sebiFee: valueOn(schedule.sebiFee, dateKey, 'SEBI fee'),
    gst: valueOn(schedule.gst, dateKey, 'GST'),
    transaction: valueOn(
      schedule.exchange[venue][kind].transaction,
      dateKey,
      `transaction charge (${where})`,
    ),
    ipft: valueOn(schedule.exchange[venue][kind].ipft, dateKey, `IPFT (${where})`),
  };
  return {
    dateKey,
    brokeragePerOrderPaise: parts.brokerage.value,
    sttSell: parts.sttSell.value,
    stampBuy: parts.stampBuy.value,
    sebiFee: parts.sebiFee.value,
    gst: parts.gst.value,
    transaction: parts.transaction.value,
    ipft: parts.ipft.value,
    estimated: Object.values(parts).some((entry) => entry.estimate === true),
  };
}
