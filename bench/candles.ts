/**
 * Candle building throughput: ticks/s through CandleBuilder.onTick with all five intervals, 300 tokens,
 * against a first-cut builder (string keys per token and interval, calendar lookup and a fresh candle
 * object per bucket, no precomputation) on the same ticks. One call replays a fixed, pre-generated tick
 * stream into a fresh builder, with onClock every 250 ms of exchange time, so every call sees the same
 * work: the builder's own setup is included and amortised over the stream.
 *
 * Two densities: "busy" is 300 tokens at ~5 ticks/s each (a live chain at the open: a 1s candle closes
 * every few ticks), "quiet" is 300 tokens at one tick per ~10 s (nearly every tick closes a 1s candle).
 */

import { createMarketCalendar, type MarketCalendar } from '../src/core/calendar/index.js';
import { SeededRandom } from '../src/core/random.js';
import { istDateKey, istToEpochMs } from '../src/core/time.js';
import { type Candle, CandleBuilder, type CandleInterval, INTERVAL_MS } from '../src/feed/candles/index.js';
import type { TickEvent } from '../src/feed/events.js';
import { type BenchRow, keep, nsPerOperation, row } from './lib/harness.js';

const BENCH = 'candles';
const TOKENS = 300;
const ALL: readonly CandleInterval[] = ['1s', '1m', '3m', '5m', '15m'];
const OPEN = istToEpochMs(2026, 2, 2, 9, 15);
const CLOCK_STEP_MS = 250;

/** Time-ordered ticks: each token a random walk, `meanGapMs` apart per token on average. */
function generate(count: number, meanGapMs: number, seed: number): TickEvent[] {
  const random = new SeededRandom(seed);
  const price = Array.from({ length: TOKENS }, () => random.int(5_000, 50_000));
  const volume = new Array<number>(TOKENS).fill(0);
  const oi = Array.from({ length: TOKENS }, () => random.int(10_000, 1_000_000));
  const spacing = meanGapMs / TOKENS;
  const ticks: TickEvent[] = [];
  let time = OPEN;
  for (let n = 0; n < count; n++) {
    time += Math.round(spacing * 2 * random.next());
    const k = random.int(0, TOKENS - 1);
    const p = Math.max(5, (price[k] ?? 0) + 5 * random.int(-3, 3));
    price[k] = p;
    const v = (volume[k] ?? 0) + 65 * random.int(1, 10);
    volume[k] = v;
    const o = (oi[k] ?? 0) + 65 * random.int(-5, 5);
    oi[k] = o;
    ticks.push({
      type: 'tick',
      token: String(40_000 + k),
      exchangeType: 2,
      exchangeTimeMs: time,
      receivedAtMs: time + 3,
      sequence: n,
      lastPrice: p,
      lastQuantity: 65,
      volume: v,
      averagePrice: p,
      openInterest: o,
      lastTradeTimeMs: undefined,
    });
  }
  return ticks;
}

function replay(
  ticks: readonly TickEvent[],
  builder: { onTick: (t: TickEvent) => void; onClock: (now: number) => void },
): void {
  let nextClock = OPEN + CLOCK_STEP_MS;
  for (let i = 0; i < ticks.length; i++) {
    const t = ticks[i];
    if (t === undefined) continue;
    while (t.exchangeTimeMs >= nextClock) {
      builder.onClock(nextClock);
      nextClock += CLOCK_STEP_MS;
    }
    builder.onTick(t);
  }
}

/** The obvious first version, as a baseline: correct on in-order ticks, nothing precomputed. */
class FirstCutBuilder {
  private readonly open = new Map<string, Candle>();
  private readonly lastVolume = new Map<string, number>();

  constructor(
    private readonly calendar: MarketCalendar,
    private readonly intervals: readonly CandleInterval[],
    private readonly sink: (c: Candle) => void,
  ) {}

  onTick(t: TickEvent): void {
    const bounds = this.calendar.sessionBounds('NFO', istDateKey(t.exchangeTimeMs));
    if (bounds === undefined || t.exchangeTimeMs < bounds.openMs || t.exchangeTimeMs >= bounds.closeMs)
      return;
    if (t.lastPrice <= 0) return;
    const previous = this.lastVolume.get(t.token) ?? 0;
    const delta = Math.max(0, t.volume - previous);
    this.lastVolume.set(t.token, Math.max(previous, t.volume));
    for (const interval of this.intervals) {
      const ms = INTERVAL_MS[interval];
      const startMs = bounds.openMs + Math.floor((t.exchangeTimeMs - bounds.openMs) / ms) * ms;
      const key = `${t.token}|${interval}`;
      const current = this.open.get(key);
      if (current !== undefined && current.startMs === startMs) {
        this.open.set(key, {
          ...current,
          high: Math.max(current.high, t.lastPrice),
          low: Math.min(current.low, t.lastPrice),
          close: t.lastPrice,
          volume: current.volume + delta,
          openInterest: t.openInterest ?? current.openInterest,
          trades: current.trades + 1,
        });
        continue;
      }
      if (current !== undefined) this.sink({ ...current, closed: true });
      this.open.set(key, {
        token: t.token,
        interval,
        startMs,
        endMs: Math.min(startMs + ms, bounds.closeMs),
        open: t.lastPrice,
        high: t.lastPrice,
        low: t.lastPrice,
        close: t.lastPrice,
        volume: delta,
        openInterest: t.openInterest,
        openInterestOpen: t.openInterest,
        trades: 1,
        closed: false,
        gapBefore: false,
      });
    }
  }

  onClock(nowMs: number): void {
    for (const [key, candle] of this.open) {
      if (candle.endMs <= nowMs) {
        this.sink({ ...candle, closed: true });
        this.open.delete(key);
      }
    }
  }
}

/** Both builders must agree on every closed 1m candle's OHLCV, or the comparison is void. */
function crossCheck(calendar: MarketCalendar, ticks: readonly TickEvent[]): void {
  const key = (c: Candle): string =>
    [c.token, c.startMs, c.endMs, c.open, c.high, c.low, c.close, c.volume, c.trades].join('|');
  const ours: string[] = [];
  const theirs: string[] = [];
  // A grace as long as the stream makes every token's first volume count from 0, as the first cut does.
  const builder = new CandleBuilder({
    calendar,
    intervals: ['1m'],
    clockLagMs: 0,
    openingGraceMs: 86_400_000,
    onClosed: (c) => ours.push(key(c)),
  });
  replay(ticks, { onTick: (t) => builder.onTick(t, 'NFO'), onClock: (now) => builder.onClock(now) });
  builder.onClock(OPEN + 86_400_000);
  const firstCut = new FirstCutBuilder(calendar, ['1m'], (c) => theirs.push(key(c)));
  replay(ticks, firstCut);
  firstCut.onClock(OPEN + 86_400_000);
  if (ours.length === 0 || ours.sort().join('\n') !== theirs.sort().join('\n')) {
    throw new Error('candles bench: the builders disagree on 1m candles; fix the bench first');
  }
}

export async function run(): Promise<BenchRow[]> {
  const calendar = createMarketCalendar();
  const rows: BenchRow[] = [];
  const densities = [
    { name: 'busy', ticks: generate(60_000, 200, 1) },
    { name: 'quiet', ticks: generate(20_000, 10_000, 2) },
  ];
  for (const { name, ticks } of densities) {
    let closed = 0;
    const count = (): void => {
      closed++;
    };
    const ours = (intervals: readonly CandleInterval[], forming: boolean) => (): void => {
      const builder = new CandleBuilder({
        calendar,
        intervals,
        clockLagMs: 0,
        onClosed: count,
        ...(forming ? { onForming: count } : {}),
      });
      replay(ticks, { onTick: (t) => builder.onTick(t, 'NFO'), onClock: (now) => builder.onClock(now) });
      keep(builder.stats());
    };
    const firstCut = (): void => {
      replay(ticks, new FirstCutBuilder(calendar, ALL, count));
    };
    crossCheck(calendar, ticks);
    const n = ticks.length;
    const spanS = ((ticks[n - 1]?.exchangeTimeMs ?? OPEN) - OPEN) / 1000;
    const label = `${name} (${n} ticks, ${TOKENS} tokens, ${spanS.toFixed(0)} s)`;
    const base = `${label} · first cut, 5 intervals`;
    rows.push(row(BENCH, base, await nsPerOperation(firstCut, n)));
    rows.push(
      row(BENCH, `${label} · CandleBuilder, 5 intervals`, await nsPerOperation(ours(ALL, false), n), {
        baseline: base,
      }),
    );
    rows.push(
      row(
        BENCH,
        `${label} · CandleBuilder, 5 intervals + forming`,
        await nsPerOperation(ours(ALL, true), n),
        {
          baseline: base,
          note: 'forming updates every 250 ms',
        },
      ),
    );
    rows.push(
      row(BENCH, `${label} · CandleBuilder, 1m only`, await nsPerOperation(ours(['1m'], false), n), {
        baseline: base,
      }),
    );
    keep(closed);
  }
  return rows;
}
