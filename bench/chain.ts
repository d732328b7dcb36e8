/**
 * Live option chain: a 400-contract chain (200 strikes × call/put, NIFTY weekly, 7 days out, quotes from
 * an SVI smile rounded to the ₹0.05 tick, the far wings one-sided at the tick floor) through OptionChain.
 *
 * - full refresh: the future's price moves a tick, so the refresh re-solves every contract's headline IV
 *   (from the mid) and its Greeks, warm-started from a first-order prediction of the new IV. Goal
 *   ≤ 100 µs (DESIGN §4). The LTP-basis IVs are solved on read, see snapshot.
 * - cold load: a new chain, every quote applied and the first refresh: no previous IVs, so every IV is
 *   solved by Let's Be Rational.
 * - baseline: the same work as the obvious loop over the library: per contract tryImpliedVolatility of
 *   the mid (the LTP without a book) and greeks() at that IV.
 * - snapshot: a full refresh plus what reads add: the LTP-basis IVs (solved on read), the client rows and
 *   the chain analytics; the SVI fit (~15 ms, fitSvi) is left to a worker ('external').
 * - per tick: one option's quote changes and the chain refreshes (one contract recomputed), and a burst
 *   of 50 quotes with one refresh, per quote. On a weekly (no future) an ATM quote moves the parity
 *   forward, so that tick costs a full refresh: refresh per batch or on read, not per tick.
 */

import { createMarketCalendar } from '../src/core/calendar/index.js';
import type { Instrument } from '../src/core/instrument.js';
import { istToEpochMs } from '../src/core/time.js';
import type { QuoteEvent } from '../src/feed/events.js';
import { OptionChain, timeToExpiryYears } from '../src/options/chain/index.js';
import { black76, greeks, tryImpliedVolatility } from '../src/options/index.js';
import { sviTotalVariance } from '../src/options/smile/index.js';
import { type BenchRow, keep, nsPerOperation, row } from './lib/harness.js';

const BENCH = 'chain';
const STRIKES = 200;
const STEP = 50;
const FORWARD = 25_000;
const RATE = 0.065;
const NOW = istToEpochMs(2026, 12, 1, 10, 0);
const EXPIRY = '2026-12-08';
const LOT = 65;
const SVI = { a: 0.0001, b: 0.012, rho: -0.65, m: 0.01, sigma: 0.015 };

function instrument(
  token: number,
  kind: 'option' | 'future',
  strike?: number,
  type?: 'CE' | 'PE',
): Instrument {
  return {
    token: String(token),
    symbol: `NIFTY${token}`,
    name: 'NIFTY',
    exchange: 'NFO',
    exchangeType: 2,
    kind,
    instrumentType: kind === 'option' ? 'OPTIDX' : 'FUTIDX',
    expiry: EXPIRY,
    ...(strike === undefined ? {} : { strikePaise: strike * 100 }),
    ...(type === undefined ? {} : { optionType: type }),
    lotSize: LOT,
    tickSizePaise: 5,
  };
}

function quote(token: string, bid: number, ask: number, ltp: number, timeMs: number): QuoteEvent {
  return {
    type: 'quote',
    token,
    exchangeType: 2,
    exchangeTimeMs: timeMs,
    receivedAtMs: timeMs,
    sequence: 0,
    lastPrice: ltp,
    bidPrice: bid,
    bidQuantity: 650,
    askPrice: ask,
    askQuantity: 650,
    totalBuyQuantity: 0,
    totalSellQuantity: 0,
    open: 0,
    high: 0,
    low: 0,
    previousClose: 0,
    volume: 6500,
    openInterest: 65_000,
    upperCircuit: undefined,
    lowerCircuit: undefined,
  };
}

interface Contract {
  readonly instrument: Instrument;
  readonly strike: number;
  readonly isCall: boolean;
  readonly bid: number;
  readonly ask: number;
  readonly ltp: number;
}

/** The chain's contracts with SVI-smile quotes: paise on the tick grid, far wings bid-less at the floor. */
function contracts(timeYears: number): Contract[] {
  const list: Contract[] = [];
  const first = FORWARD - (STRIKES / 2) * STEP;
  for (let i = 0; i < STRIKES; i++) {
    const strike = first + i * STEP;
    const k = Math.log(strike / FORWARD);
    const vol = Math.sqrt(sviTotalVariance(SVI, k) / timeYears);
    for (const isCall of [true, false]) {
      const fair = black76({ forward: FORWARD, strike, timeYears, rate: RATE, vol, isCall }) * 100;
      const spread = Math.max(5, Math.round((fair * 0.002) / 5) * 5);
      const bid = Math.round((fair - spread / 2) / 5) * 5;
      const token = 50_000 + 2 * i + (isCall ? 0 : 1);
      list.push({
        instrument: instrument(token, 'option', strike, isCall ? 'CE' : 'PE'),
        strike,
        isCall,
        bid: bid >= 5 ? bid : 0,
        ask: Math.max(bid + spread, 5),
        ltp: Math.max(5, Math.round(fair / 5) * 5),
      });
    }
  }
  return list;
}

export async function run(): Promise<BenchRow[]> {
  const calendar = createMarketCalendar();
  const future = instrument(49_999, 'future');
  const build = (list: readonly Contract[], withFuture = true): OptionChain => {
    const byStrike = new Map<number, { strikePaise: number; call?: Instrument; put?: Instrument }>();
    for (const c of list) {
      const entry = byStrike.get(c.strike) ?? { strikePaise: c.strike * 100 };
      if (c.isCall) entry.call = c.instrument;
      else entry.put = c.instrument;
      byStrike.set(c.strike, entry);
    }
    const strikes = [...byStrike.values()].map((s) => ({
      strikePaise: s.strikePaise,
      call: s.call,
      put: s.put,
    }));
    return new OptionChain(
      {
        underlying: 'NIFTY',
        expiry: EXPIRY,
        strikes,
        future: withFuture ? future : undefined,
        lotSize: LOT,
        calendar,
      },
      { smileFit: 'external' },
    );
  };
  const timeYears = timeToExpiryYears(calendar, 'NFO', EXPIRY, NOW, 'calendar');
  const list = contracts(timeYears);
  const events = list.map((c) => quote(c.instrument.token, c.bid, c.ask, c.ltp, NOW));
  const load = (chain: OptionChain): void => {
    chain.onQuote(quote(future.token, FORWARD * 100 - 5, FORWARD * 100 + 5, FORWARD * 100, NOW));
    for (const e of events) chain.onQuote(e);
    chain.refresh();
  };

  const chain = build(list);
  load(chain);
  // The future alternates between two prices one tick apart, so every refresh is a full one.
  const futureUp = quote(future.token, FORWARD * 100, FORWARD * 100 + 10, FORWARD * 100 + 5, NOW);
  const futureDown = quote(future.token, FORWARD * 100 - 5, FORWARD * 100 + 5, FORWARD * 100, NOW);
  let flip = false;
  const fullRefresh = (): void => {
    flip = !flip;
    chain.onQuote(flip ? futureUp : futureDown);
    chain.refresh();
  };
  const before = chain.stats;
  for (let i = 0; i < 200; i++) fullRefresh();
  const after = chain.stats;
  const warmShare =
    (after.warmSolves - before.warmSolves) /
    Math.max(1, after.warmSolves - before.warmSolves + after.coldSolves - before.coldSolves);

  const cold = (): void => {
    const fresh = build(list);
    load(fresh);
    keep(fresh.version);
  };
  const construct = (): void => {
    keep(build(list));
  };

  const baseline = (): void => {
    let sum = 0;
    for (const c of list) {
      // Plain literals, not spreads of a shared input: V8 builds spread objects on a slow path.
      const { strike, isCall } = c;
      const price = c.bid > 0 ? (c.bid + c.ask) / 200 : c.ltp / 100;
      const iv = tryImpliedVolatility({ price, forward: FORWARD, strike, timeYears, rate: RATE, isCall });
      if (iv.ok && iv.vol > 0) {
        sum += greeks({ forward: FORWARD, strike, timeYears, rate: RATE, vol: iv.vol, isCall }).delta;
      }
    }
    keep(sum);
  };

  // Per tick: one near-the-money call's quote moves by a tick, back and forth; the future does not move.
  const atm = list.find((c) => c.isCall && c.strike === FORWARD);
  const tickA = quote(
    atm?.instrument.token ?? '',
    (atm?.bid ?? 0) + 5,
    (atm?.ask ?? 0) + 5,
    atm?.ltp ?? 0,
    NOW,
  );
  const tickB = quote(atm?.instrument.token ?? '', atm?.bid ?? 0, atm?.ask ?? 0, atm?.ltp ?? 0, NOW);
  let tickFlip = false;
  const perTick = (): void => {
    tickFlip = !tickFlip;
    chain.onQuote(tickFlip ? tickA : tickB);
    chain.refresh();
  };
  // A weekly has no future: the ATM quote moves the parity forward, so each such tick is a full refresh.
  const weekly = build(list, false);
  for (const e of events) weekly.onQuote(e);
  weekly.refresh();
  const atmPut = list.find((c) => !c.isCall && c.strike === FORWARD);
  const putA = quote(atmPut?.instrument.token ?? '', (atmPut?.bid ?? 0) + 5, (atmPut?.ask ?? 0) + 5, 0, NOW);
  const putB = quote(atmPut?.instrument.token ?? '', atmPut?.bid ?? 0, atmPut?.ask ?? 0, 0, NOW);
  let putFlip = false;
  const weeklyFull = weekly.stats.fullRefreshes;
  const perParityTick = (): void => {
    putFlip = !putFlip;
    weekly.onQuote(putFlip ? putA : putB);
    weekly.refresh();
  };
  for (let i = 0; i < 10; i++) perParityTick();
  const parityMoves = weekly.stats.fullRefreshes - weeklyFull;
  const burst = list.filter((c) => c.bid > 0).slice(0, 50);
  const burstA = burst.map((c) => quote(c.instrument.token, c.bid + 5, c.ask + 5, c.ltp, NOW));
  const burstB = burst.map((c) => quote(c.instrument.token, c.bid, c.ask, c.ltp, NOW));
  let burstFlip = false;
  const perBurst = (): void => {
    burstFlip = !burstFlip;
    for (const e of burstFlip ? burstA : burstB) chain.onQuote(e);
    chain.refresh();
  };

  const contractsLabel = `${list.length} contracts`;
  const base = `full refresh · library loop (tryImpliedVolatility + greeks() per contract), ${contractsLabel}`;
  const rows: BenchRow[] = [row(BENCH, base, await nsPerOperation(baseline))];
  rows.push(
    row(
      BENCH,
      `full refresh · OptionChain, forward moved (warm), ${contractsLabel}`,
      await nsPerOperation(fullRefresh),
      {
        baseline: base,
        note: `goal ≤ 100 µs; ${(warmShare * 100).toFixed(0)}% of solves warm`,
      },
    ),
  );
  const constructNs = await nsPerOperation(construct);
  const coldNs = await nsPerOperation(cold);
  rows.push(
    row(BENCH, `cold load · OptionChain, new chain + ${list.length + 1} quotes + first refresh`, coldNs, {
      note: `of which construction ${(constructNs / 1000).toFixed(1)} µs`,
    }),
  );
  rows.push(
    row(
      BENCH,
      'per tick · one option quote + refresh (forward from the future)',
      await nsPerOperation(perTick),
    ),
  );
  rows.push(
    row(
      BENCH,
      'per tick · ATM put quote + refresh (parity forward, weekly)',
      await nsPerOperation(perParityTick),
      {
        note: `${parityMoves}/10 such ticks moved the parity median: a full refresh`,
      },
    ),
  );
  const snapshot = (): void => {
    flip = !flip;
    chain.onQuote(flip ? futureUp : futureDown);
    keep(chain.snapshot());
  };
  rows.push(
    row(
      BENCH,
      `snapshot · forward moved, ${contractsLabel} (+ LTP IVs on read, analytics; SVI fit external)`,
      await nsPerOperation(snapshot),
    ),
  );
  rows.push(
    row(
      BENCH,
      'per tick · burst of 50 option quotes + one refresh, per quote',
      await nsPerOperation(perBurst, 50),
    ),
  );
  return rows;
}
