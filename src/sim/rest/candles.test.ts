import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS, istMidnight, istToEpochMs } from '../../core/time.js';
import { type CandleRow, DailyBarCache, type HistoryAnchor, syntheticCandles } from './candles.js';
import { parseHistoryDate } from './format.js';

const NOW = istToEpochMs(2026, 11, 24, 10, 30);

function anchor(token: string, overrides: Partial<HistoryAnchor> = {}): HistoryAnchor {
  return {
    token,
    previousClose: 2_600_000,
    open: 2_601_000,
    last: 2_605_000,
    openInterest: 0,
    previousOpenInterest: 0,
    tickSize: 5,
    lotSize: 65,
    dailyVolatility: 0.011,
    hasVolume: true,
    ...overrides,
  };
}

/** Folds consecutive rows into bars of `n`, keeping the first stamp (what a coarser interval must equal). */
function fold(rows: CandleRow[], n: number): CandleRow[] {
  const out: CandleRow[] = [];
  for (let i = 0; i < rows.length; i += n) {
    const group = rows.slice(i, i + n);
    const first = group[0];
    const last = group[group.length - 1];
    if (!first || !last) continue;
    out.push([
      first[0],
      first[1],
      Math.max(...group.map((r) => r[2])),
      Math.min(...group.map((r) => r[3])),
      last[4],
      group.reduce((sum, r) => sum + r[5], 0),
    ]);
  }
  return out;
}

describe('syntheticCandles', () => {
  it('five-minute bars are exactly the fold of one-minute bars, for any token and past day', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{4,8}$/), fc.integer({ min: 1, max: 20 }), (token, daysBack) => {
        const from = istMidnight(NOW - daysBack * DAY_MS);
        const to = from + DAY_MS - 60_000;
        const a = anchor(token);
        const minutes = syntheticCandles(a, 'ONE_MINUTE', from, to, NOW);
        const fives = syntheticCandles(a, 'FIVE_MINUTE', from, to, NOW);
        expect(fives, 'one path, many intervals').toEqual(fold(minutes, 5));
      }),
      { numRuns: 25 },
    );
  });

  it('keeps OHLC invariants and opens each bar at the previous close within a session', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{3,8}$/),
        fc.constantFrom(0.01, 0.25),
        fc.integer({ min: 100, max: 50_000_000 }),
        (token, vol, price) => {
          const a = anchor(token, { previousClose: price, open: price, last: price, dailyVolatility: vol });
          const rows = syntheticCandles(
            a,
            'ONE_MINUTE',
            parseHistoryDate('2026-11-23 09:15') ?? 0,
            parseHistoryDate('2026-11-23 15:30') ?? 0,
            NOW,
          );
          expect(rows, 'a full session has 375 minutes').toHaveLength(375);
          rows.forEach((row, i) => {
            const [, open, high, low, close] = row;
            expect(low, 'low <= open, close').toBeLessThanOrEqual(Math.min(open, close));
            expect(high, 'high >= open, close').toBeGreaterThanOrEqual(Math.max(open, close));
            expect(low, 'prices stay positive').toBeGreaterThan(0);
            const previous = rows[i - 1];
            if (previous) expect(open, 'continuous path').toBe(previous[4]);
          });
        },
      ),
      { numRuns: 30 },
    );
  });

  it('chains daily closes so the last closed session ends at the anchor previous close', () => {
    const a = anchor('52001');
    const rows = syntheticCandles(a, 'ONE_DAY', NOW - 2000 * DAY_MS, NOW, NOW);
    expect(rows.length, 'about five of every seven days over 2000 days').toBeGreaterThan(1400);
    expect(rows.at(-2)?.[4], "yesterday's close").toBe(26_000);
    expect(rows.at(-1)?.[4], "today's bar ends at the last price").toBe(26_050);
    for (let i = 1; i < rows.length; i++) {
      expect((rows[i]?.[0] ?? '') > (rows[i - 1]?.[0] ?? ''), 'strictly ascending stamps').toBe(true);
    }
  });

  it('serves cached daily bars identical to freshly computed ones, never caching the live session', () => {
    const a = anchor('99926000', { hasVolume: false, dailyVolatility: 0.01 });
    const cache = new DailyBarCache();
    const fresh = syntheticCandles(a, 'ONE_DAY', NOW - 60 * DAY_MS, NOW, NOW);
    const first = syntheticCandles(a, 'ONE_DAY', NOW - 60 * DAY_MS, NOW, NOW, cache);
    expect(cache.size, 'every finished session cached, not today').toBe(fresh.length - 1);
    const second = syntheticCandles(a, 'ONE_DAY', NOW - 60 * DAY_MS, NOW, NOW, cache);
    expect(first, 'filling the cache changes nothing').toEqual(fresh);
    expect(second, 'reading the cache changes nothing').toEqual(fresh);
    const moved = syntheticCandles({ ...a, last: 2_610_000 }, 'ONE_DAY', NOW - 60 * DAY_MS, NOW, NOW, cache);
    expect(moved.at(-1)?.[4], "today's bar follows the model, not the cache").toBe(26_100);
  });

  it('skips the days the trading-day test rules out (exchange holidays)', () => {
    const holiday = istMidnight(NOW - DAY_MS);
    const a = anchor('3045', {
      isTradingDay: (day) => day !== holiday && ![0, 6].includes(new Date(day + 19_800_000).getUTCDay()),
    });
    const rows = syntheticCandles(a, 'ONE_DAY', NOW - 4 * DAY_MS, NOW, NOW);
    expect(
      rows.map((r) => r[0]),
      'Friday, then today; Monday was a holiday',
    ).toEqual(['2026-11-20T00:00:00+05:30', '2026-11-24T00:00:00+05:30']);
    expect(rows[0]?.[4], 'the session before today closes at the previous close').toBe(26_000);
  });

  it('produces nothing after now and nothing on weekends', () => {
    const a = anchor('3045');
    const saturday = syntheticCandles(
      a,
      'ONE_MINUTE',
      parseHistoryDate('2026-11-21 09:15') ?? 0,
      parseHistoryDate('2026-11-22 15:30') ?? 0,
      NOW,
    );
    expect(saturday, 'no weekend sessions').toEqual([]);
    const future = syntheticCandles(
      a,
      'ONE_MINUTE',
      parseHistoryDate('2026-11-25 09:15') ?? 0,
      parseHistoryDate('2026-11-25 15:30') ?? 0,
      NOW,
    );
    expect(future, 'no bars after now').toEqual([]);
  });
});

describe('parseHistoryDate', () => {
  it('accepts only yyyy-MM-dd HH:mm with a real calendar date', () => {
    expect(parseHistoryDate('2023-09-06 11:15'), 'IST wall time').toBe(istToEpochMs(2023, 9, 6, 11, 15));
    for (const bad of ['2023-09-06T11:15', '2023-9-6 11:15', '2023-02-30 10:00', '2023-09-06 24:00', '', 5]) {
      expect(parseHistoryDate(bad), `${String(bad)} is refused`).toBeUndefined();
    }
  });
});
