import { describe, expect, it } from 'vitest';
import { IfError } from '../../core/errors.js';
import { istToEpochMs } from '../../core/time.js';
import { ivPercentile, ivRank } from '../smile/index.js';
import type { OptionChain } from './chain.js';
import {
  buildChain,
  CALENDAR,
  EXPIRY,
  FUTURE_TOKEN,
  NOW,
  quoteAll,
  quoteEvent,
} from './fixtures/testChain.js';
import {
  type AtmIvSnapshot,
  type AtmIvSnapshotSource,
  atmIvFromSnapshotRows,
  dailyAtmIvHistory,
  loadAtmIvHistory,
} from './history.js';
import { ChainRegistry } from './registry.js';
import { timeToExpiryYears } from './timeToExpiry.js';

/** Rows with strikes 25,000 / 25,100 / 25,200 (paise) and the given headline IVs at 25,100. */
function rows(call: number | undefined, put: number | undefined): unknown[] {
  const side = (iv: number | undefined) => (iv === undefined ? { ivReason: 'no-price' } : { iv });
  return [
    { strike: 2_500_000, call: { iv: 0.5 }, put: { iv: 0.5 } },
    { strike: 2_510_000, call: side(call), put: side(put) },
    { strike: 2_520_000, call: { iv: 0.9 }, put: { iv: 0.9 } },
  ];
}

function snap(expiry: string, takenAtMs: number, iv: number | undefined): AtmIvSnapshot {
  return { expiry, takenAtMs, forwardPaise: 2_511_000, rows: rows(iv, iv) };
}

describe('atmIvFromSnapshotRows', () => {
  it('averages the call and put headline IVs at the strike nearest the forward', () => {
    expect(atmIvFromSnapshotRows(rows(0.12, 0.14), 2_512_000), '25,100 is nearest 25,120').toBeCloseTo(
      0.13,
      12,
    );
  });

  it('takes the one side that has an IV, ties to the lower strike, and gives none without data', () => {
    expect(atmIvFromSnapshotRows(rows(undefined, 0.14), 2_510_000), 'put only').toBe(0.14);
    expect(atmIvFromSnapshotRows(rows(0.12, 0.14), 2_505_000), 'halfway: the lower strike').toBe(0.5);
    expect(atmIvFromSnapshotRows(rows(undefined, undefined), 2_510_000), 'ATM has no IV').toBeUndefined();
    expect(atmIvFromSnapshotRows(rows(0.12, 0.14), undefined), 'no forward').toBeUndefined();
    expect(atmIvFromSnapshotRows([], 2_510_000), 'no rows').toBeUndefined();
  });

  it('ignores malformed stored rows instead of reading garbage from them', () => {
    const junk: unknown[] = [null, 'x', { strike: 'a' }, { strike: 2_510_000, call: { iv: -1 }, put: 7 }];
    expect(atmIvFromSnapshotRows(junk, 2_510_000), 'no usable IV anywhere').toBeUndefined();
  });
});

describe('dailyAtmIvHistory', () => {
  const day = (d: number, hour: number) => istToEpochMs(2026, 12, d, hour, 0);

  it('takes the last snapshot of each IST day, oldest first, and skips days without an ATM IV', () => {
    const history = dailyAtmIvHistory([
      snap('2026-12-29', day(2, 15), 0.15), // out of order on purpose
      snap('2026-12-29', day(1, 10), 0.1),
      snap('2026-12-29', day(1, 15), 0.11),
      snap('2026-12-29', day(2, 10), 0.14),
      snap('2026-12-29', day(3, 15), undefined),
      // 00:01 IST on the 5th is still the 4th in UTC: IST days, not UTC days, group the snapshots.
      snap('2026-12-29', istToEpochMs(2026, 12, 4, 23, 59), 0.2),
      snap('2026-12-29', istToEpochMs(2026, 12, 5, 0, 1), 0.21),
    ]);
    expect(history, 'day 1 → 15:00, day 2 → 15:00, day 3 skipped, then 4th and 5th IST').toEqual([
      0.11, 0.15, 0.2, 0.21,
    ]);
  });

  it('per day prefers the nearest expiry ≥ 7 days out, else the nearest unexpired one', () => {
    const history = dailyAtmIvHistory([
      // 1-Dec: 8-Dec is exactly 7 days out and beats the farther 29-Dec; 1-Dec itself is too near.
      snap('2026-12-01', day(1, 15), 0.3),
      snap('2026-12-08', day(1, 15), 0.12),
      snap('2026-12-29', day(1, 15), 0.11),
      // 2-Dec: 8-Dec is 6 days out; only it has data, so the nearest rule applies.
      snap('2026-12-08', day(2, 15), 0.13),
      // 3-Dec: the ≥7-day expiry has no IV, so the near one that does is used; an expired one never is.
      snap('2026-12-08', day(3, 15), 0.14),
      snap('2026-12-29', day(3, 15), undefined),
      snap('2026-12-01', day(3, 15), 0.9),
    ]);
    expect(history).toEqual([0.12, 0.13, 0.14]);
  });
});

describe('OptionChain ATM-IV history', () => {
  const T = timeToExpiryYears(CALENDAR, 'NFO', EXPIRY, NOW, 'calendar');
  const F = 25_480.3;
  const STRIKES = Array.from({ length: 11 }, (_, i) => 25_000 + 100 * i);

  function flatChain(vol: number): OptionChain {
    const chain = buildChain(STRIKES, { future: true, index: true });
    chain.onQuote(quoteEvent(FUTURE_TOKEN, { bid: 2_548_025, ask: 2_548_035, ltp: 2_548_030 }));
    quoteAll(chain, STRIKES, F, T, () => vol);
    return chain;
  }

  it('has no ivRank or ivPercentile without history', () => {
    const summary = flatChain(0.15).snapshot().summary;
    expect(summary.ivRank, 'no history').toBeUndefined();
    expect(summary.ivPercentile, 'no history').toBeUndefined();
  });

  it('reports the smile functions’ rank and percentile of today’s ATM IV against the history', () => {
    const chain = flatChain(0.15);
    const history = [0.1, 0.12, 0.14, 0.16, 0.18, 0.2];
    chain.setAtmIvHistory(history);
    const { summary, rows } = chain.snapshot();
    const today = atmIvFromSnapshotRows(rows, summary.forward);
    expect(today, 'the quotes were priced at 15% (paise rounding moves it ~1e-6)').toBeCloseTo(0.15, 4);
    const current = today ?? 0;
    expect(summary.ivRank, 'same as smile ivRank').toBe(ivRank(history, current));
    expect(summary.ivRank, '15% is halfway between 10% and 20%').toBeCloseTo(50, 1);
    expect(summary.ivPercentile, 'same as smile ivPercentile').toBe(ivPercentile(history, current));
    expect(summary.ivPercentile, '3 of 6 days below 15%').toBeCloseTo(50, 12);
    chain.setAtmIvHistory([]);
    expect(chain.snapshot().summary.ivRank, 'an empty history clears it').toBeUndefined();
  });

  it('rejects a non-finite or non-positive history value with a validation error', () => {
    const chain = flatChain(0.15);
    expect(() => chain.setAtmIvHistory([0.1, Number.NaN])).toThrow(IfError);
    expect(() => chain.setAtmIvHistory([0])).toThrow(IfError);
  });

  it('ChainRegistry gives every chain of the underlying the history', () => {
    const chain = flatChain(0.15);
    const registry = new ChainRegistry([chain]);
    expect(registry.setAtmIvHistory('nifty', [0.1, 0.2]), 'one NIFTY chain').toBe(1);
    expect(registry.setAtmIvHistory('BANKNIFTY', [0.1, 0.2]), 'no BANKNIFTY chain').toBe(0);
    expect(chain.snapshot().summary.ivRank, 'the chain took it').toBeCloseTo(50, 1);
  });
});

describe('loadAtmIvHistory', () => {
  /** An in-memory ChainSnapshotRepository: range() filters on underlying, expiry and [from, to). */
  class FakeRepository implements AtmIvSnapshotSource {
    readonly calls: { expiry: string; fromMs: number; toMs: number }[] = [];
    constructor(private readonly stored: readonly (AtmIvSnapshot & { underlying: string })[]) {}
    async range(underlying: string, expiry: string, fromMs: number, toMs: number) {
      this.calls.push({ expiry, fromMs, toMs });
      return this.stored
        .filter(
          (s) =>
            s.underlying === underlying && s.expiry === expiry && s.takenAtMs >= fromMs && s.takenAtMs < toMs,
        )
        .sort((a, b) => a.takenAtMs - b.takenAtMs);
    }
  }
  const at = (d: number, hour: number) => istToEpochMs(2026, 12, d, hour, 0);
  const nifty = (expiry: string, takenAtMs: number, iv: number | undefined) => ({
    underlying: 'NIFTY',
    ...snap(expiry, takenAtMs, iv),
  });

  it('reads the range across expiries day by day and returns the daily series', async () => {
    const repo = new FakeRepository([
      nifty('2026-12-08', at(1, 10), 0.1),
      nifty('2026-12-08', at(1, 15), 0.11),
      nifty('2026-12-08', at(2, 15), 0.12),
      nifty('2026-12-15', at(2, 15), 0.5), // 2nd: 13 days out, while 8-Dec is only 6
      nifty('2026-12-15', at(3, 15), 0.13),
      { ...nifty('2026-12-15', at(3, 15), 0.9), underlying: 'BANKNIFTY' },
      nifty('2026-12-15', at(9, 15), 0.14), // after 8-Dec has expired
      nifty('2026-12-15', at(12, 15), 0.99), // outside the range
    ]);
    const history = await loadAtmIvHistory(repo, 'NIFTY', ['2026-12-08', '2026-12-15'], at(1, 0), at(10, 0));
    expect(history, '1st: 8-Dec (7 days); 2nd: 15-Dec (13 ≥ 7, 8-Dec at 6); 3rd and 9th: 15-Dec').toEqual([
      0.11, 0.5, 0.13, 0.14,
    ]);
    expect(
      repo.calls.every((c) => c.toMs - c.fromMs <= 86_400_000),
      'one IST day per read, so a long range never loads at once',
    ).toBe(true);
    expect(
      repo.calls.some((c) => c.expiry === '2026-12-08' && c.fromMs >= at(9, 0)),
      'an expiry is not read after it has passed',
    ).toBe(false);
  });

  it('returns an empty history when nothing is stored', async () => {
    const history = await loadAtmIvHistory(
      new FakeRepository([]),
      'NIFTY',
      ['2026-12-08'],
      at(1, 0),
      at(3, 0),
    );
    expect(history, 'no snapshots, no history').toEqual([]);
  });
});
