import type { Insertable, Kysely, Selectable } from 'kysely';
import {
  EXCHANGE_TYPE_BY_SEGMENT,
  type ExchangeSegment,
  type Instrument,
  type InstrumentKind,
  type OptionType,
} from '../core/instrument.js';
import {
  assertRows,
  chunks,
  corrupt,
  intProblem,
  isoDateProblem,
  optionalIntProblem,
  rowsPerStatement,
  textProblem,
} from './checks.js';
import type { InstrumentsTable, StorageTables } from './schema.js';

type Row = Selectable<InstrumentsTable>;

const KINDS: ReadonlySet<string> = new Set<InstrumentKind>(['index', 'future', 'option', 'equity', 'other']);
const OPTION_TYPES: ReadonlySet<string> = new Set<OptionType>(['CE', 'PE']);

function isSegment(value: string): value is ExchangeSegment {
  return Object.hasOwn(EXCHANGE_TYPE_BY_SEGMENT, value);
}
function isKind(value: string): value is InstrumentKind {
  return KINDS.has(value);
}
function isOptionType(value: string): value is OptionType {
  return OPTION_TYPES.has(value);
}

export function instrumentProblem(i: Instrument): string | undefined {
  return (
    textProblem('token', i.token) ??
    textProblem('symbol', i.symbol) ??
    (typeof i.name === 'string' ? undefined : 'name must be a string') ??
    (isSegment(i.exchange) ? undefined : `unknown exchange ${String(i.exchange)}`) ??
    intProblem('exchangeType', i.exchangeType, 0) ??
    (isKind(i.kind) ? undefined : `unknown kind ${String(i.kind)}`) ??
    (typeof i.instrumentType === 'string' ? undefined : 'instrumentType must be a string') ??
    (i.expiry === undefined ? undefined : isoDateProblem('expiry', i.expiry)) ??
    optionalIntProblem('strikePaise', i.strikePaise, 0) ??
    (i.optionType === undefined || isOptionType(i.optionType) ? undefined : 'optionType must be CE or PE') ??
    intProblem('lotSize', i.lotSize, 0) ??
    intProblem('tickSizePaise', i.tickSizePaise, 0)
  );
}

function toRow(i: Instrument, updatedAtMs: number): Insertable<InstrumentsTable> {
  return {
    token: i.token,
    exchange: i.exchange,
    exchange_type: i.exchangeType,
    symbol: i.symbol,
    name: i.name,
    kind: i.kind,
    instrument_type: i.instrumentType,
    expiry: i.expiry ?? null,
    strike_paise: i.strikePaise ?? null,
    option_type: i.optionType ?? null,
    lot_size: i.lotSize,
    tick_size_paise: i.tickSizePaise,
    updated_at_ms: updatedAtMs,
  };
}

function fromRow(r: Row): Instrument {
  if (!isSegment(r.exchange)) throw corrupt('instruments', `unknown exchange ${r.exchange}`);
  if (!isKind(r.kind)) throw corrupt('instruments', `unknown kind ${r.kind}`);
  const instrument: Instrument = {
    token: r.token,
    symbol: r.symbol,
    name: r.name,
    exchange: r.exchange,
    exchangeType: r.exchange_type,
    kind: r.kind,
    instrumentType: r.instrument_type,
    lotSize: r.lot_size,
    tickSizePaise: r.tick_size_paise,
  };
  // Optional fields stay absent (not `undefined`), as the instrument-master parser produces them.
  if (r.expiry !== null) instrument.expiry = r.expiry;
  if (r.strike_paise !== null) instrument.strikePaise = r.strike_paise;
  if (r.option_type !== null) {
    if (!isOptionType(r.option_type)) throw corrupt('instruments', `unknown option type ${r.option_type}`);
    instrument.optionType = r.option_type;
  }
  return instrument;
}

const COLUMNS = 13;

/** The instrument master as last downloaded, keyed by (token, exchange). */
export class InstrumentRepository {
  constructor(private readonly db: Kysely<StorageTables>) {}

  /**
   * Inserts or replaces instruments; `updatedAtMs` (epoch ms) stamps the download they came from.
   * A token listed twice keeps its last entry. Returns how many distinct instruments were written.
   */
  async upsertMany(instruments: readonly Instrument[], updatedAtMs: number): Promise<number> {
    assertRows('instruments', instruments, instrumentProblem);
    // One statement may not touch a row twice (PostgreSQL refuses), so keep the last entry per key.
    const byKey = new Map<string, Insertable<InstrumentsTable>>();
    for (const i of instruments) byKey.set(`${i.exchange}:${i.token}`, toRow(i, updatedAtMs));
    for (const part of chunks([...byKey.values()], rowsPerStatement(COLUMNS))) {
      await this.db
        .insertInto('instruments')
        .values(part)
        .onConflict((oc) =>
          oc.columns(['token', 'exchange']).doUpdateSet((eb) => ({
            exchange_type: eb.ref('excluded.exchange_type'),
            symbol: eb.ref('excluded.symbol'),
            name: eb.ref('excluded.name'),
            kind: eb.ref('excluded.kind'),
            instrument_type: eb.ref('excluded.instrument_type'),
            expiry: eb.ref('excluded.expiry'),
            strike_paise: eb.ref('excluded.strike_paise'),
            option_type: eb.ref('excluded.option_type'),
            lot_size: eb.ref('excluded.lot_size'),
            tick_size_paise: eb.ref('excluded.tick_size_paise'),
            updated_at_ms: eb.ref('excluded.updated_at_ms'),
          })),
        )
        .execute();
    }
    return byKey.size;
  }

  async byToken(token: string, exchange: ExchangeSegment): Promise<Instrument | undefined> {
    const row = await this.db
      .selectFrom('instruments')
      .selectAll()
      .where('token', '=', token)
      .where('exchange', '=', exchange)
      .executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  }

  /**
   * Instruments of one underlying (the master's `name`, e.g. NIFTY), optionally of one expiry
   * (`YYYY-MM-DD`), ordered by expiry, strike, option type and token; undated ones (index, cash) first.
   */
  async listByUnderlying(underlying: string, expiry?: string): Promise<Instrument[]> {
    let query = this.db.selectFrom('instruments').selectAll().where('name', '=', underlying);
    if (expiry !== undefined) query = query.where('expiry', '=', expiry);
    const rows = await query
      .orderBy((eb) => eb.case().when('expiry', 'is', null).then(0).else(1).end())
      .orderBy('expiry')
      .orderBy((eb) => eb.fn.coalesce('strike_paise', eb.lit(0)))
      .orderBy((eb) => eb.fn.coalesce('option_type', eb.val('')))
      .orderBy('token')
      .execute();
    return rows.map(fromRow);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('instruments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
