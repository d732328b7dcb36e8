import type { Insertable, Kysely, Selectable } from 'kysely';
import { type CandleInterval, isCandleInterval } from '../feed/candles/index.js';
import {
  assertRows,
  chunks,
  corrupt,
  intProblem,
  optionalIntProblem,
  rowsPerStatement,
  textProblem,
} from './checks.js';
import type { CandlesTable, StorageTables } from './schema.js';

/**
 * A closed (or re-closed) candle as stored. Prices in paise, times epoch ms, `[startMs, endMs)`. The
 * feed's `Candle` is one (its builder-only fields — first OI, closed, gap flag — are not stored).
 */
export interface CandleRecord {
  token: string;
  interval: CandleInterval;
  startMs: number;
  endMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** open interest at the close; undefined when the feed mode carries none */
  openInterest: number | undefined;
  trades: number;
}

type Row = Selectable<CandlesTable>;

/** Why a candle cannot be stored (bad numbers or OHLC that contradict each other). O(1). */
export function candleProblem(c: CandleRecord): string | undefined {
  const basic =
    textProblem('token', c.token) ??
    (isCandleInterval(c.interval) ? undefined : `unknown interval ${String(c.interval)}`) ??
    intProblem('startMs', c.startMs, 1) ??
    intProblem('endMs', c.endMs, 1) ??
    intProblem('open', c.open, 0) ??
    intProblem('high', c.high, 0) ??
    intProblem('low', c.low, 0) ??
    intProblem('close', c.close, 0) ??
    intProblem('volume', c.volume, 0) ??
    optionalIntProblem('openInterest', c.openInterest, 0) ??
    intProblem('trades', c.trades, 0);
  if (basic !== undefined) return basic;
  if (c.endMs <= c.startMs) return `endMs ${c.endMs} is not after startMs ${c.startMs}`;
  const { open, high, low, close } = c;
  if (low > high || open < low || open > high || close < low || close > high) {
    return `inconsistent OHLC ${open}/${high}/${low}/${close}`;
  }
  return undefined;
}

function toRow(c: CandleRecord): Insertable<CandlesTable> {
  return {
    token: c.token,
    interval: c.interval,
    start_ms: c.startMs,
    end_ms: c.endMs,
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
    open_interest: c.openInterest ?? null,
    trades: c.trades,
  };
}

function fromRow(r: Row): CandleRecord {
  if (!isCandleInterval(r.interval)) throw corrupt('candles', `unknown interval ${r.interval}`);
  return {
    token: r.token,
    interval: r.interval,
    startMs: r.start_ms,
    endMs: r.end_ms,
    open: r.open,
    high: r.high,
    low: r.low,
    close: r.close,
    volume: r.volume,
    openInterest: r.open_interest ?? undefined,
    trades: r.trades,
  };
}

const COLUMNS = 11;

export class CandleRepository {
  constructor(private readonly db: Kysely<StorageTables>) {}

  /**
   * Inserts candles; one that exists for (token, interval, startMs) is replaced, so a candle closed
   * again after a late tick overwrites the earlier close. Within one call the last entry per key wins.
   * Returns how many distinct candles were written.
   */
  async upsertMany(candles: readonly CandleRecord[]): Promise<number> {
    if (candles.length === 0) return 0;
    assertRows('candles', candles, candleProblem);
    // PostgreSQL refuses a statement that updates one row twice, and the batch writer may hold two
    // closes of the same candle; keep the last.
    const byKey = new Map<string, Insertable<CandlesTable>>();
    for (const c of candles) byKey.set(`${c.token}\u0000${c.interval}\u0000${c.startMs}`, toRow(c));
    for (const part of chunks([...byKey.values()], rowsPerStatement(COLUMNS))) {
      await this.db
        .insertInto('candles')
        .values(part)
        .onConflict((oc) =>
          oc.columns(['token', 'interval', 'start_ms']).doUpdateSet((eb) => ({
            end_ms: eb.ref('excluded.end_ms'),
            open: eb.ref('excluded.open'),
            high: eb.ref('excluded.high'),
            low: eb.ref('excluded.low'),
            close: eb.ref('excluded.close'),
            volume: eb.ref('excluded.volume'),
            open_interest: eb.ref('excluded.open_interest'),
            trades: eb.ref('excluded.trades'),
          })),
        )
        .execute();
    }
    return byKey.size;
  }

  /** Candles of one token and interval with `fromMs <= startMs < toMs`, oldest first. */
  async range(
    token: string,
    interval: CandleInterval,
    fromMs: number,
    toMs: number,
  ): Promise<CandleRecord[]> {
    const rows = await this.db
      .selectFrom('candles')
      .selectAll()
      .where('token', '=', token)
      .where('interval', '=', interval)
      .where('start_ms', '>=', fromMs)
      .where('start_ms', '<', toMs)
      .orderBy('start_ms')
      .execute();
    return rows.map(fromRow);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('candles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
