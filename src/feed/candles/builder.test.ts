import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMarketCalendar, type MarketCalendar, SESSION_RULES } from '../../core/calendar/index.js';
import { isIfError } from '../../core/errors.js';
import type { ExchangeSegment } from '../../core/instrument.js';
import { istToEpochMs } from '../../core/time.js';
import type { TickEvent } from '../events.js';
import { type Candle, CandleBuilder, type CandleBuilderOptions } from './builder.js';
import { CANDLE_INTERVALS, type CandleInterval, INTERVAL_MS } from './intervals.js';

const calendar = createMarketCalendar();

/** Monday 2-Feb-2026, a normal NSE/BSE trading day. */
const at = (h: number, m: number, s = 0, ms = 0): number => istToEpochMs(2026, 2, 2, h, m, s) + ms;
const OPEN = at(9, 15);
const CLOSE = at(15, 30);

/** The snapshot Angel sends on subscribing before the open: it sets the day's volume baseline to 0. */
const snapshotBeforeOpen = (token = 'T1'): TickEvent => tick(at(9, 10), 0, 0, undefined, token);

function tick(
  timeMs: number,
  lastPrice: number,
  volume: number,
  openInterest?: number,
  token = 'T1',
): TickEvent {
  return {
    type: 'tick',
    token,
    exchangeType: 2,
    exchangeTimeMs: timeMs,
    receivedAtMs: timeMs + 5,
    sequence: 0,
    lastPrice,
    lastQuantity: 65,
    volume,
    averagePrice: lastPrice,
    openInterest,
    lastTradeTimeMs: undefined,
  };
}

interface Harness {
  builder: CandleBuilder;
  closed: Candle[];
  forming: Candle[];
  feed: (ticks: readonly TickEvent[], exchange?: ExchangeSegment) => void;
}

function harness(options: Partial<CandleBuilderOptions> = {}): Harness {
  const closed: Candle[] = [];
  const forming: Candle[] = [];
  const builder = new CandleBuilder({
    calendar,
    clockLagMs: 0,
    onClosed: (c) => closed.push(c),
    ...options,
  });
  return {
    builder,
    closed,
    forming,
    feed: (ticks, exchange = 'NFO') => {
      for (const t of ticks) builder.onTick(t, exchange);
    },
  };
}

function only(candles: readonly Candle[], interval: CandleInterval): Candle[] {
  return candles.filter((c) => c.interval === interval);
}

function currentOrThrow(builder: CandleBuilder, interval: CandleInterval, token = 'T1'): Candle {
  const candle = builder.current(token, interval);
  if (candle === undefined) throw new Error(`no forming ${interval} candle for ${token}`);
  return candle;
}

describe('bucket alignment', () => {
  it('puts one tick into the session-aligned bucket of every interval', () => {
    const cases: Array<[number, Record<CandleInterval, number>]> = [
      [at(9, 15), { '1s': at(9, 15), '1m': at(9, 15), '3m': at(9, 15), '5m': at(9, 15), '15m': at(9, 15) }],
      [
        at(9, 20, 7, 250),
        { '1s': at(9, 20, 7), '1m': at(9, 20), '3m': at(9, 18), '5m': at(9, 20), '15m': at(9, 15) },
      ],
      [
        at(9, 32, 59, 999),
        { '1s': at(9, 32, 59), '1m': at(9, 32), '3m': at(9, 30), '5m': at(9, 30), '15m': at(9, 30) },
      ],
      [
        at(15, 29, 59, 999),
        { '1s': at(15, 29, 59), '1m': at(15, 29), '3m': at(15, 27), '5m': at(15, 25), '15m': at(15, 15) },
      ],
    ];
    for (const [time, starts] of cases) {
      const h = harness();
      h.feed([tick(time, 10_000, 100)]);
      for (const interval of CANDLE_INTERVALS) {
        const candle = currentOrThrow(h.builder, interval);
        expect(candle.startMs, `${interval} start for ${new Date(time).toISOString()}`).toBe(
          starts[interval],
        );
        expect(candle.endMs, `${interval} ends one interval later`).toBe(
          starts[interval] + INTERVAL_MS[interval],
        );
        expect(candle.closed, 'a forming candle is not closed').toBe(false);
      }
    }
  });

  it('cuts the last candle at a close the interval does not divide (NFO 15:40 close)', () => {
    const extended = createMarketCalendar({ extendedFnoClose: true });
    const day = (h: number, m: number, s = 0): number => istToEpochMs(2026, 8, 4, h, m, s);
    const h = harness({ calendar: extended });
    h.feed([tick(day(15, 39, 30), 10_000, 100)]);
    expect(currentOrThrow(h.builder, '3m').startMs, '3m grid from 09:15 reaches 15:39').toBe(day(15, 39));
    expect(currentOrThrow(h.builder, '3m').endMs, 'last 3m candle is one minute long').toBe(day(15, 40));
    expect(currentOrThrow(h.builder, '15m').startMs).toBe(day(15, 30));
    expect(currentOrThrow(h.builder, '15m').endMs, 'last 15m candle is ten minutes long').toBe(day(15, 40));
    h.builder.onClock(day(15, 40));
    expect(h.closed.length, 'every interval closes at the 15:40 close').toBe(5);
  });
});

describe('session open and close', () => {
  it('opens the first candle of every interval on a 09:15:00.000 tick, with no gap', () => {
    const h = harness();
    h.feed([tick(OPEN, 10_000, 65)]);
    for (const interval of CANDLE_INTERVALS) {
      const candle = currentOrThrow(h.builder, interval);
      expect(candle.startMs, `${interval} starts at the open`).toBe(OPEN);
      expect(candle.gapBefore, 'the first bucket of the day has nothing before it').toBe(false);
      expect(candle.volume, 'first tick inside the grace window counts from 0').toBe(65);
    }
  });

  it('ignores a 09:14:59 pre-open tick but takes its volume as the baseline', () => {
    const h = harness();
    h.feed([tick(at(9, 14, 59), 9_900, 5_000), tick(at(9, 15, 0, 300), 10_000, 5_130)]);
    expect(h.builder.stats().ignoredOutsideSession, 'the pre-open tick is counted').toBe(1);
    const candle = currentOrThrow(h.builder, '1m');
    expect(candle.open, 'the pre-open price does not open the candle').toBe(10_000);
    expect(candle.volume, 'pre-open volume is not the session’s').toBe(130);
  });

  it('closes every candle when the clock passes 15:30, and ignores a 15:30:00 tick', () => {
    const h = harness();
    h.feed([tick(at(15, 29, 59), 10_000, 100)]);
    h.builder.onClock(at(15, 29, 59, 999));
    expect(h.closed, 'nothing closes before the close').toEqual([]);
    h.builder.onClock(CLOSE);
    expect(h.closed.map((c) => c.interval)).toEqual(['1s', '1m', '3m', '5m', '15m']);
    for (const candle of h.closed) {
      expect(candle.endMs, `${candle.interval} ends at the close`).toBe(CLOSE);
      expect(candle.closed).toBe(true);
    }
    expect(only(h.closed, '15m')[0]?.startMs, 'last 15m candle is 15:15–15:30').toBe(at(15, 15));
    h.feed([tick(CLOSE, 10_100, 200)]);
    expect(h.builder.stats().ignoredOutsideSession, 'the 15:30:00 tick is outside [open, close)').toBe(1);
    expect(h.builder.current('T1', '1m'), 'no candle after the close').toBeUndefined();
    expect(h.closed.length, 'no candle was added').toBe(5);
  });

  it('lets a tick after the close close the day’s candles when no clock runs (replay without timers)', () => {
    const h = harness();
    h.feed([tick(at(15, 29, 59), 10_000, 100), tick(CLOSE, 10_100, 200)]);
    expect(h.closed.length, 'a later tick proves the buckets are over').toBe(5);
    expect(h.builder.stats().closedByTick).toBe(5);
  });

  it('waits clockLagMs after a bucket end before closing on the clock (ticks in flight)', () => {
    const h = harness({ clockLagMs: 1_000, intervals: ['1m'] });
    h.feed([tick(at(9, 20, 30), 10_000, 100)]);
    h.builder.onClock(at(9, 21, 0, 500));
    h.feed([tick(at(9, 20, 59, 900), 10_050, 120)]);
    expect(h.closed, 'still open inside the lag').toEqual([]);
    h.builder.onClock(at(9, 21, 1));
    expect(h.closed[0]?.close, 'the in-flight tick made it into the candle').toBe(10_050);
  });
});

describe('gaps and non-trading days', () => {
  it('fabricates no candles across a gap and flags the first candle after it', () => {
    const h = harness({ intervals: ['1m', '15m'] });
    h.feed([tick(at(10, 0, 10), 10_000, 100), tick(at(10, 7, 30), 10_400, 180)]);
    const minutes = only(h.closed, '1m');
    expect(
      minutes.map((c) => c.startMs),
      'only the 10:00 candle closed; 10:01–10:06 do not exist',
    ).toEqual([at(10, 0)]);
    expect(minutes[0]?.gapBefore, '10:00 is not the first bucket of the day').toBe(true);
    const after = currentOrThrow(h.builder, '1m');
    expect(after.startMs).toBe(at(10, 7));
    expect(after.gapBefore, 'buckets 10:01–10:06 are missing').toBe(true);
    expect(after.open, 'no flat bars: the gap candle opens at its own tick').toBe(10_400);
    expect(currentOrThrow(h.builder, '15m').gapBefore, '15m 09:45 ← 09:30 … still one gap').toBe(true);
    h.feed([tick(at(10, 8, 5), 10_410, 200)]);
    expect(currentOrThrow(h.builder, '1m').gapBefore, 'contiguous candle has no gap').toBe(false);
  });

  it('ignores ticks on a holiday and on a weekend', () => {
    const h = harness();
    h.feed([
      tick(istToEpochMs(2026, 1, 26, 10, 0), 10_000, 100), // Republic Day
      tick(istToEpochMs(2026, 1, 31, 10, 0), 10_000, 100), // Saturday
    ]);
    expect(h.builder.stats().ignoredNonTradingDay).toBe(2);
    expect(h.builder.current('T1', '1m')).toBeUndefined();
  });

  it('counts ticks of exchanges without a session calendar as unsupported', () => {
    const h = harness();
    h.feed([tick(at(10, 0), 10_000, 100)], 'MCX');
    expect(h.builder.stats().ignoredUnsupportedExchange).toBe(1);
  });

  it('starts a new day with a fresh volume baseline and gap tracking', () => {
    const h = harness({ intervals: ['1m'] });
    const nextDay = istToEpochMs(2026, 2, 3, 9, 15, 20);
    h.feed([tick(at(15, 29, 10), 10_000, 90_000), tick(nextDay, 10_200, 40)]);
    expect(h.closed.length, 'the next day’s tick closes yesterday’s last candle').toBe(1);
    const candle = currentOrThrow(h.builder, '1m');
    expect(candle.volume, 'day volume restarts; yesterday’s mark is not subtracted').toBe(40);
    expect(candle.gapBefore, 'first bucket of the new day').toBe(false);
  });
});

describe('exchange sessions', () => {
  it('uses BSE holidays for a BSE instrument on the same day NFO trades', () => {
    const cal = createMarketCalendar();
    cal.addHoliday('BSE', '2026-02-02', 'test closure');
    const h = harness({ calendar: cal, intervals: ['1m'] });
    h.builder.onTick(tick(at(10, 0), 10_000, 100, undefined, 'SENSEX-OPT'), 'BFO');
    h.builder.onTick(tick(at(10, 0), 10_000, 100, undefined, 'NIFTY-OPT'), 'NFO');
    expect(h.builder.current('SENSEX-OPT', '1m'), 'BFO is closed that day').toBeUndefined();
    expect(h.builder.current('NIFTY-OPT', '1m'), 'NFO trades').toBeDefined();
    expect(h.builder.stats().ignoredNonTradingDay).toBe(1);
  });

  it('aligns a BSE instrument to the BSE open when its session differs', () => {
    const sessions = SESSION_RULES.map((rule) =>
      rule.segment === 'BSE' ? { ...rule, openMinute: 9 * 60 + 16 } : rule,
    );
    const h = harness({ calendar: createMarketCalendar({ sessions }), intervals: ['3m'] });
    h.builder.onTick(tick(at(9, 15, 30), 10_000, 100, undefined, 'BSE-EQ'), 'BSE');
    h.builder.onTick(tick(at(9, 18, 30), 10_000, 100, undefined, 'BSE-EQ'), 'BSE');
    h.builder.onTick(tick(at(9, 18, 30), 10_000, 100, undefined, 'NSE-EQ'), 'NSE');
    expect(h.builder.stats().ignoredOutsideSession, '09:15:30 is before this BSE open').toBe(1);
    expect(currentOrThrow(h.builder, '3m', 'BSE-EQ').startMs, 'BSE grid 09:16, 09:19, …').toBe(at(9, 16));
    expect(currentOrThrow(h.builder, '3m', 'NSE-EQ').startMs, 'NSE grid 09:15, 09:18, …').toBe(at(9, 18));
  });
});

describe('volume, price and OI', () => {
  it('turns cumulative volume into per-candle deltas and never goes negative on a backwards jump', () => {
    const h = harness({ intervals: ['1s', '1m'] });
    h.feed([
      tick(at(9, 14, 0), 9_950, 1_000),
      tick(at(9, 15, 0, 500), 10_000, 1_100),
      tick(at(9, 15, 1, 200), 10_010, 1_250),
      tick(at(9, 15, 1, 800), 10_020, 1_200), // backwards: stale packet or correction
      tick(at(9, 15, 2, 100), 10_030, 1_300),
    ]);
    const seconds = only(h.closed, '1s');
    expect(
      seconds.map((c) => c.volume),
      '100, then 150 (the backwards tick adds 0)',
    ).toEqual([100, 150]);
    expect(currentOrThrow(h.builder, '1s').volume, 'only the rise over the 1,250 mark: 50, not 100').toBe(50);
    expect(currentOrThrow(h.builder, '1m').volume, 'minute total = last mark − pre-open baseline').toBe(300);
    expect(h.builder.stats().volumeBackwards).toBe(1);
  });

  it('takes a mid-session first tick’s day volume as the baseline (joined late), not as one spike', () => {
    const h = harness({ intervals: ['1m'] });
    h.feed([tick(at(11, 0, 5), 10_000, 900_000), tick(at(11, 0, 40), 10_010, 900_075)]);
    expect(currentOrThrow(h.builder, '1m').volume, 'only volume traded after joining').toBe(75);
  });

  it('lets lastPrice 0 ticks set no price and no volume, but refresh OI', () => {
    const h = harness({ intervals: ['1m'] });
    h.feed([tick(at(9, 15, 1), 0, 0, 1_000)]);
    expect(h.builder.current('T1', '1m'), 'an untraded contract has no candle').toBeUndefined();
    h.feed([tick(at(9, 15, 5), 10_000, 65, 1_300), tick(at(9, 15, 9), 0, 65, 1_365)]);
    const candle = currentOrThrow(h.builder, '1m');
    expect([candle.open, candle.high, candle.low, candle.close], 'price 0 is not a price').toEqual([
      10_000, 10_000, 10_000, 10_000,
    ]);
    expect(candle.trades, 'only priced ticks count').toBe(1);
    expect(candle.openInterestOpen, 'OI as of the first tick').toBe(1_300);
    expect(candle.openInterest, 'OI as of the last tick, even an unpriced one').toBe(1_365);
    expect(h.builder.stats().noPrice).toBe(2);
  });

  it('carries OI from earlier ticks into candles whose ticks carry none, and leaves it undefined if never seen', () => {
    const h = harness({ intervals: ['1m'] });
    h.feed([tick(at(9, 15, 1), 10_000, 65, 5_000), tick(at(9, 16, 1), 10_000, 130)]);
    expect(currentOrThrow(h.builder, '1m').openInterest, 'OI is a level: carried forward').toBe(5_000);
    h.feed([tick(at(9, 16, 2), 10_000, 130, undefined, 'INDEX')]);
    expect(currentOrThrow(h.builder, '1m', 'INDEX').openInterest, 'indices have no OI').toBeUndefined();
  });

  it('tracks high and low, opens at the first and closes at the last tick', () => {
    const h = harness({ intervals: ['1m'] });
    h.feed([
      snapshotBeforeOpen(),
      tick(at(9, 16, 1), 10_000, 10),
      tick(at(9, 16, 2), 10_300, 20),
      tick(at(9, 16, 3), 9_800, 30),
      tick(at(9, 16, 4), 10_100, 40),
    ]);
    const c = currentOrThrow(h.builder, '1m');
    expect([c.open, c.high, c.low, c.close, c.volume, c.trades]).toEqual([
      10_000, 10_300, 9_800, 10_100, 40, 4,
    ]);
  });
});

describe('out-of-order ticks', () => {
  it('drops a tick older than the current bucket and never reopens a closed candle', () => {
    const h = harness({ intervals: ['1s', '1m'] });
    h.feed([tick(at(9, 16, 5), 10_000, 10), tick(at(9, 15, 59), 9_000, 20)]);
    expect(h.builder.stats().ignoredLate, 'older than the current 1s bucket').toBe(1);
    expect(currentOrThrow(h.builder, '1m').low, 'the late price did not leak into the 1m candle').toBe(
      10_000,
    );
    h.builder.onClock(at(9, 17));
    const closedBefore = h.closed.length;
    h.feed([tick(at(9, 16, 30), 9_000, 30)]);
    expect(h.builder.stats().ignoredLate, 'the clock closed 09:16; a 09:16:30 tick is late').toBe(2);
    expect(h.closed.length, 'nothing reopened or re-emitted').toBe(closedBefore);
  });

  it('absorbs reordering inside the current bucket: open and close follow exchange time', () => {
    const h = harness({ intervals: ['1s'] });
    h.feed([snapshotBeforeOpen(), tick(at(9, 16, 5, 500), 10_000, 10), tick(at(9, 16, 5, 200), 10_200, 5)]);
    const c = currentOrThrow(h.builder, '1s');
    expect(c.open, 'the earlier tick is the open').toBe(10_200);
    expect(c.close, 'the later tick stays the close').toBe(10_000);
    expect(c.volume, 'the stale lower volume adds nothing').toBe(10);
    expect(c.trades).toBe(2);
  });
});

describe('clock, forming updates and sinks', () => {
  it('closes a quiet contract’s last candle on the clock alone', () => {
    const h = harness({ intervals: ['1s', '1m'] });
    h.feed([tick(at(9, 20, 0, 500), 10_000, 10)]);
    h.builder.onClock(at(9, 20, 0, 999));
    expect(h.closed).toEqual([]);
    h.builder.onClock(at(9, 20, 1));
    expect(
      h.closed.map((c) => c.interval),
      '1s closes at its end',
    ).toEqual(['1s']);
    h.builder.onClock(at(9, 21));
    expect(
      h.closed.map((c) => c.interval),
      'then the 1m',
    ).toEqual(['1s', '1m']);
    expect(h.builder.stats().closedByClock).toBe(2);
    h.builder.onClock(at(9, 30));
    expect(h.closed.length, 'nothing closes twice').toBe(2);
  });

  it('sends at most one forming update per changed candle per clock call', () => {
    const forming: Candle[] = [];
    const h = harness({
      intervals: ['1m', '5m'],
      formingIntervals: ['1m'],
      onForming: (c) => forming.push(c),
    });
    h.feed([snapshotBeforeOpen(), tick(at(9, 20, 1), 10_000, 10), tick(at(9, 20, 2), 10_100, 20)]);
    h.builder.onClock(at(9, 20, 3));
    expect(forming.length, 'two ticks, one update, only for 1m').toBe(1);
    expect(forming[0]).toMatchObject({ interval: '1m', close: 10_100, closed: false, volume: 20 });
    h.builder.onClock(at(9, 20, 4));
    expect(forming.length, 'unchanged candles send nothing').toBe(1);
  });

  it('isolates a throwing sink: the error is counted and the other candles still arrive', () => {
    const got: Candle[] = [];
    const h = harness({
      onClosed: (c) => {
        if (c.interval === '1s') throw new Error('storage down');
        got.push(c);
      },
    });
    h.feed([tick(at(9, 20, 1), 10_000, 10)]);
    h.builder.onClock(CLOSE);
    expect(h.builder.stats().sinkErrors).toBe(1);
    expect(got.length, 'the four other intervals were delivered').toBe(4);
  });

  it('forgets a removed token without emitting its forming candles', () => {
    const h = harness();
    h.feed([tick(at(9, 20, 1), 10_000, 10)]);
    h.builder.removeToken('T1');
    h.builder.onClock(CLOSE);
    expect(h.closed).toEqual([]);
    expect(h.builder.current('T1', '1m')).toBeUndefined();
  });

  it('rejects bad options with IF_ERR_VALIDATION', () => {
    const codeOf = (options: Partial<CandleBuilderOptions>): string | undefined => {
      try {
        harness(options);
      } catch (error) {
        return isIfError(error) ? error.code : 'not an IfError';
      }
      return undefined;
    };
    expect(codeOf({ intervals: [] })).toBe('IF_ERR_VALIDATION');
    expect(codeOf({ intervals: ['1m'], formingIntervals: ['5m'] }), 'forming must be built').toBe(
      'IF_ERR_VALIDATION',
    );
    expect(codeOf({ clockLagMs: -1 })).toBe('IF_ERR_VALIDATION');
  });
});

// ---------------------------------------------------------------------------------------------------------
// Properties

interface GenTick {
  /** ms from the open; negative is pre-open, ≥ 375 min is after the close */
  offsetMs: number;
  price: number;
  volumeStep: number;
  oi: number | undefined;
  token: string;
}

const SESSION_MS = CLOSE - OPEN;

const genTick: fc.Arbitrary<GenTick> = fc.record({
  offsetMs: fc.oneof(
    { weight: 1, arbitrary: fc.integer({ min: -20 * 60_000, max: -1 }) },
    { weight: 8, arbitrary: fc.integer({ min: 0, max: 40 * 60_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: SESSION_MS + 10 * 60_000 }) },
  ),
  price: fc.oneof(
    { weight: 1, arbitrary: fc.constant(0) },
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 50_000 }) },
  ),
  // Mostly rising cumulative volume with occasional backwards jumps.
  volumeStep: fc.integer({ min: -300, max: 500 }),
  oi: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: undefined }),
  token: fc.constantFrom('A', 'B', 'C'),
});

function toTicks(gen: readonly GenTick[]): TickEvent[] {
  const cumulative = new Map<string, number>();
  return gen.map((g) => {
    const volume = Math.max(0, (cumulative.get(g.token) ?? 0) + g.volumeStep);
    cumulative.set(g.token, volume);
    return tick(OPEN + g.offsetMs, g.price, volume, g.oi, g.token);
  });
}

function byKey(x: Candle, y: Candle): number {
  return x.token.localeCompare(y.token) || x.interval.localeCompare(y.interval) || x.startMs - y.startMs;
}

function run(
  ticks: readonly TickEvent[],
  cal: MarketCalendar,
  clockBeforeEachTick: boolean,
  options: Partial<CandleBuilderOptions> = {},
): { closed: Candle[]; builder: CandleBuilder } {
  const closed: Candle[] = [];
  const builder = new CandleBuilder({
    calendar: cal,
    clockLagMs: 0,
    onClosed: (c) => closed.push(c),
    ...options,
  });
  for (const t of ticks) {
    if (clockBeforeEachTick) builder.onClock(t.exchangeTimeMs);
    builder.onTick(t, 'NFO');
  }
  builder.onClock(CLOSE + 3_600_000);
  return { closed, builder };
}

describe('properties', () => {
  it('gives identical candles for the same tick and clock sequence (replay determinism)', () => {
    fc.assert(
      fc.property(fc.array(genTick, { maxLength: 120 }), fc.boolean(), (gen, withClock) => {
        const ticks = toTicks(gen);
        const first = run(ticks, calendar, withClock);
        const second = run(ticks, createMarketCalendar(), withClock);
        expect(second.closed, 'same input, same output, same order').toEqual(first.closed);
        const stats = second.builder.stats();
        expect(stats).toEqual(first.builder.stats());
        const accounted =
          stats.applied +
          stats.noPrice +
          stats.ignoredLate +
          stats.ignoredOutsideSession +
          stats.ignoredNonTradingDay +
          stats.ignoredUnsupportedExchange;
        expect(accounted, 'every tick is applied, unpriced or ignored for exactly one reason').toBe(
          ticks.length,
        );
      }),
      { numRuns: 200 },
    );
  });

  it('gives the same candles whether the clock or the next tick closes them (time-ordered feed)', () => {
    fc.assert(
      fc.property(fc.array(genTick, { maxLength: 120 }), (gen) => {
        const ticks = toTicks(gen).sort((x, y) => x.exchangeTimeMs - y.exchangeTimeMs);
        const byTicks = run(ticks, calendar, false).closed.sort(byKey);
        const byClock = run(ticks, calendar, true).closed.sort(byKey);
        expect(byClock, 'closing cadence never changes contents').toEqual(byTicks);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps candles well formed and sums volume to the rise of the day volume inside the session', () => {
    fc.assert(
      fc.property(fc.array(genTick, { maxLength: 150 }), (gen) => {
        const ticks = toTicks(gen).sort((x, y) => x.exchangeTimeMs - y.exchangeTimeMs);
        // A huge grace makes the baseline 0 unless a pre-open tick set it, so the model stays simple.
        const { closed } = run(ticks, calendar, false, { openingGraceMs: SESSION_MS });
        for (const token of ['A', 'B', 'C']) {
          const mine = ticks.filter((t) => t.token === token);
          const preOpen = mine.filter((t) => t.exchangeTimeMs < OPEN);
          const priced = mine.filter(
            (t) => t.exchangeTimeMs >= OPEN && t.exchangeTimeMs < CLOSE && t.lastPrice > 0,
          );
          const baseline = Math.max(0, ...preOpen.map((t) => t.volume));
          const expectedVolume = Math.max(baseline, ...priced.map((t) => t.volume)) - baseline;
          for (const interval of CANDLE_INTERVALS) {
            const candles = closed.filter((c) => c.token === token && c.interval === interval);
            const volume = candles.reduce((sum, c) => sum + c.volume, 0);
            expect(volume, `${token} ${interval}: Σ volume = last mark − baseline`).toBe(expectedVolume);
            const trades = candles.reduce((sum, c) => sum + c.trades, 0);
            expect(trades, `${token} ${interval}: every priced session tick lands once`).toBe(priced.length);
            let previousEnd = OPEN;
            for (const c of candles) {
              expect(
                c.low <= Math.min(c.open, c.close) && Math.max(c.open, c.close) <= c.high,
                'OHLC order',
              ).toBe(true);
              expect((c.startMs - OPEN) % INTERVAL_MS[interval], 'aligned to the open').toBe(0);
              expect(
                c.startMs >= previousEnd && c.endMs <= CLOSE && c.startMs < c.endMs,
                'disjoint, in session',
              ).toBe(true);
              expect(c.gapBefore, 'gap flag means a skipped bucket').toBe(c.startMs > previousEnd);
              expect(c.volume >= 0 && c.closed, 'non-negative and closed').toBe(true);
              previousEnd = c.endMs;
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
