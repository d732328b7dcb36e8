import { dateKeyFromDays, istDayNumber, type MarketCalendar } from '../../core/calendar/index.js';
import { IfError } from '../../core/errors.js';
import { EXCHANGE_TYPE_BY_SEGMENT, type Instrument, type OptionType } from '../../core/instrument.js';
import { formatDdMmmYyyy } from '../../core/time.js';
import type { UnderlyingConfig } from './config.js';
import type { ScripMasterRow } from './types.js';

/** One listed contract: the typed instrument, its master row, and what the model needs to price it. */
export interface ListedContract {
  instrument: Instrument;
  row: ScripMasterRow;
  underlying: string;
  kind: 'index' | 'future' | 'option';
  /** `YYYY-MM-DD`, derivatives only */
  expiry?: string;
  /** rupees, options only */
  strike?: number;
  optionType?: OptionType;
}

export interface Listing {
  contracts: ListedContract[];
  /** option expiries per underlying, nearest first */
  optionExpiries: Map<string, string[]>;
  /** futures expiries per underlying, nearest first */
  futureExpiries: Map<string, string[]>;
}

/** The F&O tick in paise (₹0.05, reference §5.4). */
export const FNO_TICK_PAISE = 5;

function civilOf(dateKey: string): { year: number; month: number; day: number } {
  const [year, month, day] = dateKey.split('-').map(Number);
  return { year: year ?? 0, month: month ?? 0, day: day ?? 0 };
}

/** Angel's master expiry `DDMMMYYYY` (e.g. `25NOV2025`) of a `YYYY-MM-DD` key. */
export function masterExpiry(dateKey: string): string {
  const { year, month, day } = civilOf(dateKey);
  return formatDdMmmYyyy(year, month, day);
}

/** The `DDMMMYY` part of a trading symbol (e.g. `25NOV25`). */
function symbolDate(dateKey: string): string {
  const full = masterExpiry(dateKey);
  return full.slice(0, 5) + full.slice(7);
}

/** Strike as it appears in symbols: whole points without decimals. */
function strikeText(strike: number): string {
  return Number.isInteger(strike) ? String(strike) : String(Math.round(strike * 100) / 100);
}

/** `NIFTY25NOV2525900CE`: name + DDMMMYY + strike + CE/PE. */
export function optionSymbol(name: string, expiry: string, strike: number, type: OptionType): string {
  return `${name}${symbolDate(expiry)}${strikeText(strike)}${type}`;
}

/** `NIFTY25NOV25FUT`: name + DDMMMYY + FUT. */
export function futureSymbol(name: string, expiry: string): string {
  return `${name}${symbolDate(expiry)}FUT`;
}

/** The master's decimal text: six places, as in `"2590000.000000"`. */
function decimal6(value: number): string {
  return value.toFixed(6);
}

function activeExpiries(
  list: string[],
  count: number,
  closeMs: (key: string) => number,
  startMs: number,
): string[] {
  return list.filter((key) => closeMs(key) > startMs).slice(0, count);
}

/**
 * Lists index rows (first), then per underlying its futures and options (by expiry, strike, CE before PE).
 * Expiries follow the calendar from the IST date of `startMs`; contracts already expired at `startMs` are left
 * out. Strikes are ±`strikesEachSide` intervals around the ATM strike of the configured spot.
 */
export function buildListing(
  underlyings: readonly UnderlyingConfig[],
  calendar: MarketCalendar,
  startMs: number,
  strikesEachSide: number,
): Listing {
  const today = dateKeyFromDays(istDayNumber(startMs));
  const contracts: ListedContract[] = [];
  const optionExpiries = new Map<string, string[]>();
  const futureExpiries = new Map<string, string[]>();

  for (const u of underlyings) {
    const instrument: Instrument = {
      token: u.indexToken,
      symbol: u.indexSymbol,
      name: u.name,
      exchange: u.exchange,
      exchangeType: EXCHANGE_TYPE_BY_SEGMENT[u.exchange],
      kind: 'index',
      instrumentType: 'AMXIDX',
      lotSize: 1,
      tickSizePaise: 0,
    };
    const row: ScripMasterRow = {
      token: u.indexToken,
      symbol: u.indexSymbol,
      name: u.name,
      expiry: '',
      strike: '0.000000',
      lotsize: '1',
      instrumenttype: 'AMXIDX',
      exch_seg: u.exchange,
      tick_size: '0.000000',
    };
    contracts.push({ instrument, row, underlying: u.name, kind: 'index' });
  }

  for (const u of underlyings) {
    const segment = u.derivativeExchange;
    const closeMs = (key: string): number => calendar.expiryCloseMs(segment, key);
    const futures = activeExpiries(
      calendar.listMonthlyExpiries(u.name, today, u.futureExpiries + 1),
      u.futureExpiries,
      closeMs,
      startMs,
    );
    const options = activeExpiries(
      calendar.listExpiries(u.name, today, u.optionExpiries + 1),
      u.optionExpiries,
      closeMs,
      startMs,
    );
    futureExpiries.set(u.name, futures);
    optionExpiries.set(u.name, options);

    let next = u.tokenBase;
    const base = {
      name: u.name,
      exchange: segment,
      exchangeType: EXCHANGE_TYPE_BY_SEGMENT[segment],
      lotSize: u.lotSize,
      tickSizePaise: FNO_TICK_PAISE,
    };
    const rowBase = { lotsize: String(u.lotSize), exch_seg: segment, tick_size: decimal6(FNO_TICK_PAISE) };

    for (const expiry of futures) {
      const token = String(next++);
      const symbol = futureSymbol(u.name, expiry);
      contracts.push({
        instrument: { ...base, token, symbol, kind: 'future', instrumentType: 'FUTIDX', expiry },
        row: {
          token,
          symbol,
          name: u.name,
          expiry: masterExpiry(expiry),
          strike: '-1.000000',
          lotsize: rowBase.lotsize,
          instrumenttype: 'FUTIDX',
          exch_seg: rowBase.exch_seg,
          tick_size: rowBase.tick_size,
        },
        underlying: u.name,
        kind: 'future',
        expiry,
      });
    }

    const atm = Math.round(u.spot / u.strikeStep) * u.strikeStep;
    for (const expiry of options) {
      for (let i = -strikesEachSide; i <= strikesEachSide; i++) {
        const strike = atm + i * u.strikeStep;
        if (strike <= 0) continue;
        for (const optionType of ['CE', 'PE'] as const) {
          const token = String(next++);
          const symbol = optionSymbol(u.name, expiry, strike, optionType);
          const strikePaise = Math.round(strike * 100);
          contracts.push({
            instrument: {
              ...base,
              token,
              symbol,
              kind: 'option',
              instrumentType: 'OPTIDX',
              expiry,
              strikePaise,
              optionType,
            },
            row: {
              token,
              symbol,
              name: u.name,
              expiry: masterExpiry(expiry),
              strike: decimal6(strikePaise),
              lotsize: rowBase.lotsize,
              instrumenttype: 'OPTIDX',
              exch_seg: rowBase.exch_seg,
              tick_size: rowBase.tick_size,
            },
            underlying: u.name,
            kind: 'option',
            expiry,
            strike,
            optionType,
          });
        }
      }
    }
  }

  const seen = new Set<string>();
  for (const contract of contracts) {
    const token = contract.instrument.token;
    if (seen.has(token)) {
      throw new IfError('IF_ERR_CONFIG_INVALID', {
        key: `underlyings.${contract.underlying}.tokenBase`,
        detail: `token ${token} (${contract.instrument.symbol}) collides with another contract`,
      });
    }
    seen.add(token);
  }
  return { contracts, optionExpiries, futureExpiries };
}
