import { z } from 'zod';
import {
  EXCHANGE_TYPE_BY_SEGMENT,
  type ExchangeSegment,
  type Instrument,
  type InstrumentKind,
  type OptionType,
} from '../../../core/instrument.js';
import { parseDdMmmYyyy } from '../../../core/time.js';

/** One scrip-master record as Angel publishes it: every value a string (reference §3.13). */
export const scripRowSchema = z.object({
  token: z.string(),
  symbol: z.string(),
  name: z.string(),
  expiry: z.string(),
  strike: z.string(),
  lotsize: z.string(),
  instrumenttype: z.string(),
  exch_seg: z.string(),
  tick_size: z.string(),
});
export type ScripRow = z.infer<typeof scripRowSchema>;

const SEGMENTS = new Set<string>(Object.keys(EXCHANGE_TYPE_BY_SEGMENT));

/** The master's strike unit per segment, in paise: rupees×100 everywhere except CDS (rupees×1e7). */
function strikeDivisorToPaise(exchange: ExchangeSegment): number {
  return exchange === 'CDS' ? 100_000 : 1;
}

function kindOf(instrumentType: string): InstrumentKind {
  if (instrumentType === '') return 'equity';
  if (instrumentType === 'AMXIDX') return 'index';
  // FUTIDX/FUTSTK and OPTIDX/OPTSTK, and likewise the commodity/currency variants (FUTCOM, OPTFUT, …)
  if (instrumentType.startsWith('FUT')) return 'future';
  if (instrumentType.startsWith('OPT')) return 'option';
  return 'other';
}

function finite(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** Converts one validated row; undefined when the row is unusable (counted as rejected by the caller). */
export function convertScripRow(row: ScripRow): Instrument | undefined {
  const token = row.token.trim();
  if (!/^\d+$/.test(token)) return undefined;
  const segment = row.exch_seg.trim().toUpperCase();
  if (!SEGMENTS.has(segment)) return undefined;
  const exchange = segment as ExchangeSegment;
  const instrumentType = row.instrumenttype.trim().toUpperCase();
  const kind = kindOf(instrumentType);
  const derivative = kind === 'future' || kind === 'option';

  const lotSize = finite(row.lotsize);
  if (lotSize === undefined || !Number.isInteger(lotSize) || lotSize < 0 || (derivative && lotSize < 1)) {
    return undefined;
  }
  const tickSizePaise = finite(row.tick_size);
  if (tickSizePaise === undefined || tickSizePaise < 0 || (derivative && tickSizePaise === 0))
    return undefined;

  const instrument: Instrument = {
    token,
    symbol: row.symbol,
    name: row.name.trim(),
    exchange,
    exchangeType: EXCHANGE_TYPE_BY_SEGMENT[exchange],
    kind,
    instrumentType,
    lotSize,
    tickSizePaise,
  };

  const expiryText = row.expiry.trim();
  if (expiryText !== '') {
    const date = parseDdMmmYyyy(expiryText);
    if (date === undefined) return undefined;
    instrument.expiry = `${date.year}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
  } else if (derivative) {
    return undefined;
  }

  if (kind === 'option') {
    const rawStrike = finite(row.strike);
    if (rawStrike === undefined || rawStrike <= 0) return undefined;
    const strikePaise = rawStrike / strikeDivisorToPaise(exchange);
    const rounded = Math.round(strikePaise);
    // a strike that is not a whole number of paise means the unit assumption is wrong for this row
    if (Math.abs(strikePaise - rounded) > 1e-6) return undefined;
    const suffix = row.symbol.trim().toUpperCase().slice(-2);
    if (suffix !== 'CE' && suffix !== 'PE') return undefined;
    instrument.strikePaise = rounded;
    instrument.optionType = suffix as OptionType;
  }
  return instrument;
}

/**
 * Validates and converts the scrip master. Bad rows are dropped and counted, never passed inward:
 * strikes become paise (the master's NSE/BSE strike is already rupees×100), expiries `YYYY-MM-DD`.
 */
export function parseScripMaster(rows: unknown[]): { instruments: Instrument[]; rejected: number } {
  const instruments: Instrument[] = [];
  let rejected = 0;
  for (const row of rows) {
    const parsed = scripRowSchema.safeParse(row);
    const instrument = parsed.success ? convertScripRow(parsed.data) : undefined;
    if (instrument === undefined) rejected++;
    else instruments.push(instrument);
  }
  return { instruments, rejected };
}
