import { describe, expect, it } from 'vitest';
import { gammaExposure } from '../analytics/index.js';
import { greeks } from '../index.js';
import { deltaSkew, fitSvi, type SviParams, sviImpliedVol, sviTotalVariance } from '../smile/index.js';
import type { OptionChain } from './chain.js';
import {
  bookAround,
  buildChain,
  CALENDAR,
  EXPIRY,
  FUTURE_TOKEN,
  fairPaise,
  INDEX_TOKEN,
  LOT,
  NOW,
  optionToken,
  quoteAll,
  quoteEvent,
  RATE,
  tickEvent,
} from './fixtures/testChain.js';
import { timeToExpiryYears } from './timeToExpiry.js';
import type { ChainRowSnapshot, ChainSideSnapshot } from './types.js';

const T = timeToExpiryYears(CALENDAR, 'NFO', EXPIRY, NOW, 'calendar');
const F = 25_480.3;
const STRIKES = Array.from({ length: 11 }, (_, i) => 25_000 + 100 * i);
/** A put skew: 13% at the forward, rising to the left. */
const skew = (strike: number): number => 0.13 - 0.4 * Math.log(strike / F);

function side(chain: OptionChain, strike: number, isCall: boolean): ChainSideSnapshot {
  const row = chain.snapshot().rows.find((r) => r.strike === strike * 100);
  const s = isCall ? row?.call : row?.put;
  if (s === undefined) throw new Error(`no ${isCall ? 'call' : 'put'} at ${strike}`);
  return s;
}

function versions(chain: OptionChain): Map<number, number> {
  return new Map(chain.snapshot().rows.map((r) => [r.strike, r.version]));
}

function changedRows(before: Map<number, number>, after: Map<number, number>): number[] {
  return [...after].filter(([strike, v]) => v !== before.get(strike)).map(([strike]) => strike / 100);
}

/** JSON.stringify that fails on NaN or Infinity, as the warehouse does. */
function strictJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new RangeError(`non-finite ${v}`);
    return v;
  });
}

/** A chain with the future at F (mid 2,548,030 paise) and every option quoted on the skew. */
function futureChain(options = {}): OptionChain {
  const chain = buildChain(STRIKES, { future: true, index: true }, options);
  chain.onQuote(quoteEvent(FUTURE_TOKEN, { bid: 2_548_025, ask: 2_548_035, ltp: 2_548_030 }));
  quoteAll(chain, STRIKES, F, T, skew);
  chain.refresh();
  return chain;
}

describe('OptionChain forward', () => {
  it('takes the same-expiry future’s mid, and the IVs are the vols the quotes were priced at', () => {
    const chain = futureChain();
    expect(chain.forward(), 'future mid, unadjusted').toEqual({ paise: 2_548_030, source: 'future' });
    for (const strike of STRIKES) {
      for (const isCall of [true, false]) {
        const s = side(chain, strike, isCall);
        // The mid is within half a paisa of the fair premium, which moves the IV by at most ₹0.005/vega.
        const tolerance = 0.005 / ((s.vega ?? 0) * 100) + 1e-12;
        expect(Math.abs((s.iv ?? 0) - skew(strike)), `${strike} ${isCall ? 'CE' : 'PE'}`).toBeLessThan(
          tolerance,
        );
      }
    }
  });

  it('without a future, reads the forward off put–call parity around the money', () => {
    const chain = buildChain(STRIKES);
    quoteAll(chain, STRIKES, F, T, skew);
    const forward = chain.forward();
    expect(forward?.source).toBe('parity');
    // Each mid is within half a paisa, so each K + (C − P)/D is within ~1 paisa of F.
    expect(Math.abs((forward?.paise ?? 0) - F * 100), 'within a paisa of the pricing forward').toBeLessThan(
      1.1,
    );
    expect(Math.abs((side(chain, 25_500, true).iv ?? 0) - skew(25_500))).toBeLessThan(1e-4);
  });

  it('prefers parity over a future at a basis when asked, and the future by default', () => {
    const rich = { bid: 2_549_025, ask: 2_549_035, ltp: 2_549_030 }; // the future ₹10 over the options’ forward
    const byFuture = buildChain(STRIKES, { future: true });
    const byParity = buildChain(STRIKES, { future: true }, { forwardPreference: 'parity' });
    for (const chain of [byFuture, byParity]) {
      chain.onQuote(quoteEvent(FUTURE_TOKEN, rich));
      quoteAll(chain, STRIKES, F, T, skew);
    }
    expect(byFuture.forward()).toEqual({ paise: 2_549_030, source: 'future' });
    expect(byParity.forward()?.source).toBe('parity');
    expect(Math.abs((byParity.forward()?.paise ?? 0) - F * 100)).toBeLessThan(1.1);
    const callIv = (c: OptionChain): number => side(c, 25_500, true).iv ?? 0;
    const putIv = (c: OptionChain): number => side(c, 25_500, false).iv ?? 0;
    expect(callIv(byFuture), 'a higher forward makes the same call premium a lower IV').toBeLessThan(
      callIv(byParity),
    );
    expect(putIv(byFuture), 'and the same put premium a higher IV').toBeGreaterThan(putIv(byParity));
  });

  it('with parity preferred, uses the future until the options give parity, then switches', () => {
    const chain = buildChain(STRIKES, { future: true }, { forwardPreference: 'parity' });
    chain.onQuote(quoteEvent(FUTURE_TOKEN, { bid: 2_549_025, ask: 2_549_035, ltp: 2_549_030 }));
    expect(chain.forward()?.source, 'no option quotes yet').toBe('future');
    quoteAll(chain, STRIKES, F, T, skew);
    expect(chain.forward()?.source).toBe('parity');
    const full = chain.stats.fullRefreshes;
    chain.onQuote(quoteEvent(FUTURE_TOKEN, { bid: 2_549_525, ask: 2_549_535, ltp: 2_549_530 }));
    chain.refresh();
    expect(chain.stats.fullRefreshes, 'the future no longer moves a parity forward').toBe(full);
  });

  it('falls back to the index carried at r − q when there is neither a future nor a two-sided chain', () => {
    const chain = buildChain(STRIKES, { index: true }, { dividendYield: 0.012 });
    chain.onQuote(quoteEvent(INDEX_TOKEN, { ltp: 2_545_000, exchangeType: 1 }));
    const book = bookAround(fairPaise(F, 25_500, T, skew(25_500), true));
    chain.onQuote(quoteEvent(optionToken(25_500, true), book));
    const forward = chain.forward();
    expect(forward?.source).toBe('spot-carry');
    expect(forward?.paise).toBeCloseTo(2_545_000 * Math.exp((RATE - 0.012) * T), 6);
    expect(side(chain, 25_500, true).iv, 'IVs exist on the fallback forward').toBeGreaterThan(0);
    expect(chain.spot()).toBe(2_545_000);
  });
});

describe('OptionChain incremental updates', () => {
  it('changes only the touched row on a tick, and re-solves only that contract', () => {
    const chain = futureChain();
    const before = versions(chain);
    const stats = chain.stats;
    const book = bookAround(fairPaise(F, 25_900, T, skew(25_900), true));
    chain.onQuote(
      quoteEvent(optionToken(25_900, true), { bid: book.bid + 1, ask: book.ask + 1, ltp: book.bid }),
    );
    const after = versions(chain);
    expect(changedRows(before, after), 'one quote, one row').toEqual([25_900]);
    expect(chain.stats.computed - stats.computed, 'one contract recomputed').toBe(1);
    expect(chain.stats.fullRefreshes, 'the forward did not move').toBe(stats.fullRefreshes);

    chain.onTick(tickEvent(optionToken(25_100, false), { ltp: 12_345, volume: 6_500, oi: 650_000 }));
    expect(changedRows(after, versions(chain)), 'a trade on another contract changes its row only').toEqual([
      25_100,
    ]);
  });

  it('in parity mode, a far strike’s quote leaves the forward alone and an ATM quote moves everything', () => {
    const chain = buildChain(STRIKES);
    quoteAll(chain, STRIKES, F, T, skew);
    const start = versions(chain);
    const full = chain.stats.fullRefreshes;
    const far = bookAround(fairPaise(F, 26_000, T, skew(26_000), true));
    chain.onQuote(quoteEvent(optionToken(26_000, true), { bid: far.bid + 2, ask: far.ask + 2 }));
    const afterFar = versions(chain);
    expect(changedRows(start, afterFar)).toEqual([26_000]);
    expect(chain.stats.fullRefreshes, 'outside the parity strikes').toBe(full);

    // The market lifts the calls around the money ₹2: the options now imply a forward ~₹2 higher.
    for (const strike of [25_300, 25_400, 25_500, 25_600, 25_700]) {
      const atm = bookAround(fairPaise(F, strike, T, skew(strike), true));
      chain.onQuote(quoteEvent(optionToken(strike, true), { bid: atm.bid + 200, ask: atm.ask + 200 }));
    }
    expect(changedRows(afterFar, versions(chain)), 'the forward moved: every row').toHaveLength(
      STRIKES.length,
    );
    expect(chain.stats.fullRefreshes).toBe(full + 1);
    const lifted = F * 100 + 200 / Math.exp(-RATE * T);
    expect(Math.abs((chain.forward()?.paise ?? 0) - lifted), 'F + ₹2/D, within a paisa').toBeLessThan(1.1);
  });

  it('re-solves every contract when the future moves or T crosses a time step, not within one', () => {
    const chain = futureChain();
    const callIv = side(chain, 25_500, true).iv ?? 0;
    let before = versions(chain);
    chain.onQuote(quoteEvent(FUTURE_TOKEN, { bid: 2_548_525, ask: 2_548_535, ltp: 2_548_530 }));
    let after = versions(chain);
    expect(changedRows(before, after), 'future up ₹5: all rows').toHaveLength(STRIKES.length);
    expect(side(chain, 25_500, true).iv ?? 0, 'same call premium, higher forward: lower IV').toBeLessThan(
      callIv,
    );

    before = after;
    const book = bookAround(fairPaise(F, 25_200, T, skew(25_200), false));
    chain.onQuote(quoteEvent(optionToken(25_200, false), { ...book, timeMs: NOW + 400 }));
    after = versions(chain);
    expect(changedRows(before, after), 'same second: T unchanged, one row').toEqual([25_200]);

    chain.onQuote(quoteEvent(optionToken(25_200, false), { ...book, timeMs: NOW + 1_000 }));
    expect(changedRows(after, versions(chain)), 'next second: T moved, all rows').toHaveLength(
      STRIKES.length,
    );
    expect(chain.timeYears).toBeCloseTo(T - 1_000 / (365 * 86_400_000), 15);
  });

  it('streams deltas: changed rows since a version, everything for 0 or an unknown version', () => {
    const chain = futureChain();
    const v = chain.version;
    chain.onTick(tickEvent(optionToken(25_300, true), { ltp: 30_000, volume: 650 }));
    const delta = chain.deltaSince(v);
    expect(delta.full).toBe(false);
    expect(delta.rows.map((r) => r.strike)).toEqual([2_530_000]);
    expect(delta.version).toBe(v + 1);
    expect(delta.summary.version).toBe(v + 1);
    expect(chain.deltaSince(delta.version).rows, 'nothing since').toEqual([]);
    expect(chain.deltaSince(0).full).toBe(true);
    expect(chain.deltaSince(0).rows).toHaveLength(STRIKES.length);
    expect(chain.deltaSince(delta.version + 50).full, 'a version this chain never had').toBe(true);
  });
});

describe('OptionChain IV failures', () => {
  it('leaves IVs undefined with a reason, never NaN, for every way a price can be unusable', () => {
    const chain = futureChain();
    // 25,000 call: intrinsic ₹480.30, quoted at ₹470.
    chain.onQuote(quoteEvent(optionToken(25_000, true), { bid: 46_990, ask: 47_010, ltp: 47_000 }));
    chain.onQuote(quoteEvent(optionToken(25_100, true), { bid: 0, ask: 40_000, ltp: 0 }));
    chain.onQuote(quoteEvent(optionToken(25_200, true), { bid: 30_100, ask: 30_000, ltp: 30_050 }));
    const below = side(chain, 25_000, true);
    expect(below.iv).toBeUndefined();
    expect(below.ivReason).toBe('below-intrinsic');
    expect(below.ivLtpReason).toBe('below-intrinsic');
    expect(below.greeksFrom, 'no IV on either basis: no Greeks').toBeUndefined();
    expect(below.delta).toBeUndefined();
    const oneSided = side(chain, 25_100, true);
    expect(oneSided.ivReason).toBe('one-sided');
    expect(oneSided.ivLtpReason, 'no trade today').toBe('no-price');
    const crossed = side(chain, 25_200, true);
    expect(crossed.ivReason).toBe('crossed');
    expect(crossed.greeksFrom, 'Greeks from the LTP IV when the book is unusable').toBe('ltp');
    expect(crossed.gamma).toBeGreaterThan(0);
    expect(() => strictJson(chain.snapshot()), 'snapshot is finite JSON').not.toThrow();

    chain.refresh(chain.expiryCloseMs + 60_000);
    const expired = side(chain, 25_500, true);
    expect(expired.ivReason).toBe('expired');
    expect(() => strictJson(chain.snapshot()), 'still finite after expiry').not.toThrow();
  });

  it('keeps NaN and Infinity that slip past the feed validator out of the maths and the JSON', () => {
    const chain = futureChain();
    const token = optionToken(25_500, true);
    chain.onQuote({
      ...quoteEvent(token, { bid: 20_000, ask: 20_010, ltp: 20_005 }),
      bidPrice: Number.NaN,
      askQuantity: Number.POSITIVE_INFINITY,
      previousClose: Number.POSITIVE_INFINITY,
      volume: Number.NaN,
      openInterest: Number.POSITIVE_INFINITY,
    });
    chain.onTick({ ...tickEvent(token, { ltp: 20_005 }), lastPrice: Number.NaN });
    chain.onQuote({ ...quoteEvent(FUTURE_TOKEN, { bid: 2_548_025, ask: 2_548_035 }), lastPrice: Number.NaN });
    const s = side(chain, 25_500, true);
    expect(s.ivReason, 'NaN bid: no book').toBe('one-sided');
    expect(s.ltp, 'NaN LTP reads as untraded').toBe(0);
    expect(() => strictJson(chain.snapshot()), 'no NaN or Infinity reaches clients').not.toThrow();
  });

  it('says no-forward before anything gives one, and no-price for an untouched contract', () => {
    const chain = buildChain(STRIKES);
    chain.onQuote(quoteEvent(optionToken(25_500, true), { bid: 20_000, ask: 20_010, ltp: 20_005 }));
    expect(chain.forward(), 'one side of one strike cannot give parity').toBeUndefined();
    expect(side(chain, 25_500, true).ivReason).toBe('no-forward');
    expect(side(chain, 25_600, true).ivReason).toBe('no-price');
    expect(() => strictJson(chain.snapshot())).not.toThrow();
  });
});

describe('OptionChain rows', () => {
  it('shows volume, OI and OI change in contracts, the day’s change from the previous session’s last OI', () => {
    const chain = futureChain();
    const token = optionToken(25_600, true);
    chain.onQuote(
      quoteEvent(token, { bid: 10_000, ask: 10_010, ltp: 10_000, oi: 65_000, volume: 0, prevClose: 9_000 }),
    );
    expect(side(chain, 25_600, true)).toMatchObject({ oi: 1_000, oiChange: 0, volume: 0 });
    chain.onTick(tickEvent(token, { ltp: 10_200, oi: 71_500, volume: 13_000 }));
    const s = side(chain, 25_600, true);
    expect(s, 'base is the day’s first OI without a previous close').toMatchObject({
      oi: 1_100,
      oiChange: 100,
      volume: 200,
      change: 1_200,
      buildUp: 'long-build-up',
    });
    const nextDay = NOW + 86_400_000;
    chain.onTick(tickEvent(token, { ltp: 10_100, oi: 78_000, volume: 650, timeMs: nextDay }));
    expect(side(chain, 25_600, true).oiChange, 'next day: from yesterday’s last OI (71,500)').toBe(100);
    chain.setPreviousOpenInterest(token, 60_000);
    expect(side(chain, 25_600, true).oiChange, 'an explicit previous-close OI wins').toBeCloseTo(
      18_000 / LOT,
      12,
    );
  });

  it('gives Greeks per unit equal to greeks() at the row’s IV and the chain’s forward, and per lot ×65', () => {
    for (const timeBasis of ['calendar', 'trading'] as const) {
      const chain = futureChain({ timeBasis });
      for (const [strike, isCall] of [
        [25_500, true],
        [25_200, false],
      ] as const) {
        const s = side(chain, strike, isCall);
        const g = greeks(
          { forward: F, strike, timeYears: chain.timeYears, rate: RATE, vol: s.iv ?? 0, isCall },
          { dayBasis: timeBasis },
        );
        expect(s.delta).toBeCloseTo(g.delta, 12);
        expect(s.gamma).toBeCloseTo(g.gamma, 14);
        expect(s.theta, `theta per ${timeBasis} day`).toBeCloseTo(g.thetaPerDay, 9);
        expect(s.vega).toBeCloseTo(g.vegaPerPoint, 10);
        expect(s.rho).toBeCloseTo(g.rhoPerPercent, 12);
        expect(s.lot?.delta).toBeCloseTo(g.delta * LOT, 10);
        expect(s.lot?.theta).toBeCloseTo(g.thetaPerDay * LOT, 7);
        expect(s.lot?.vega).toBeCloseTo(g.vegaPerPoint * LOT, 8);
      }
    }
  });

  it('measures T on the chosen basis: the same premiums give IVs √(T_cal/T_trade) apart', () => {
    const calendar = futureChain({ timeBasis: 'calendar' });
    const trading = futureChain({ timeBasis: 'trading' });
    const ratio = Math.sqrt(calendar.timeYears / trading.timeYears);
    expect(trading.timeYears).toBeCloseTo((330 / 375 + 4) / 252, 15); // rest of Tue, Wed–Mon, Tue
    expect(calendar.snapshot().summary.timeBasis).toBe('calendar');
    expect(trading.snapshot().summary.timeBasis).toBe('trading');
    const c = side(calendar, 25_500, true).iv ?? 0;
    const t = side(trading, 25_500, true).iv ?? 0;
    // Equal total variance σ²T, up to the discount factor e^{−rT} also seeing the other T.
    expect(Math.abs(t / c / ratio - 1)).toBeLessThan(1e-3);
  });
});

describe('OptionChain summary analytics', () => {
  // Reference §4's toy chain (OI and volume in contracts), priced off a flat 12% smile.
  const toy = [
    { strike: 24_800, callOi: 1_200, putOi: 9_000, callVol: 3_000, putVol: 20_000 },
    { strike: 24_900, callOi: 2_500, putOi: 10_500, callVol: 8_000, putVol: 26_000 },
    { strike: 25_000, callOi: 6_000, putOi: 8_000, callVol: 25_000, putVol: 24_000 },
    { strike: 25_100, callOi: 9_000, putOi: 4_000, callVol: 30_000, putVol: 11_000 },
    { strike: 25_200, callOi: 11_000, putOi: 1_500, callVol: 22_000, putVol: 4_000 },
    { strike: 25_300, callOi: 8_000, putOi: 700, callVol: 12_000, putVol: 1_500 },
  ];
  const forward = 25_062.35;

  function toyChain(): OptionChain {
    const chain = buildChain(
      toy.map((r) => r.strike),
      { future: true, index: true },
    );
    chain.onQuote(quoteEvent(FUTURE_TOKEN, { bid: 2_506_230, ask: 2_506_240, ltp: 2_506_235 }));
    chain.onQuote(quoteEvent(INDEX_TOKEN, { ltp: 2_500_000, exchangeType: 1 }));
    for (const r of toy) {
      for (const isCall of [true, false]) {
        const book = bookAround(fairPaise(forward, r.strike, T, 0.12, isCall));
        chain.onQuote(
          quoteEvent(optionToken(r.strike, isCall), {
            ...book,
            ltp: book.bid,
            oi: (isCall ? r.callOi : r.putOi) * LOT,
            volume: (isCall ? r.callVol : r.putVol) * LOT,
          }),
        );
      }
    }
    return chain;
  }

  it('computes PCR, max pain, walls, ATM, straddle, expected move and GEX from its own rows', () => {
    const { summary, rows } = toyChain().snapshot();
    expect(summary.pcr.oi, '33,700 / 37,700').toBeCloseTo(33_700 / 37_700, 12);
    expect(summary.pcr.volume, '86,500 / 100,000').toBeCloseTo(0.865, 12);
    expect(summary.pcr.oiChange, 'no OI change yet: undefined, not 0/0').toBeUndefined();
    expect(summary.maxPain, 'reference: 25,000, ₹9.1 crore at lot 65').toEqual({
      strike: 2_500_000,
      payout: 9.1e7 * 100,
    });
    expect(summary.walls.resistance, 'max call OI').toBe(2_520_000);
    expect(summary.walls.support, 'max put OI').toBe(2_490_000);
    expect(summary.atmStrike, 'nearest the forward 25,062.35').toBe(2_510_000);
    const atm = rows.find((r) => r.strike === 2_510_000);
    const mid = (s: ChainSideSnapshot | undefined): number => ((s?.bid ?? 0) + (s?.ask ?? 0)) / 2;
    expect(summary.straddle.mid).toBe(mid(atm?.call) + mid(atm?.put));
    expect(summary.straddle.ltp).toBe((atm?.call?.ltp ?? 0) + (atm?.put?.ltp ?? 0));
    expect(summary.smile.atmIvSource, 'six strikes, five clean OTM points: SVI').toBe('svi');
    expect(summary.smile.atmIv ?? 0, 'flat 12% smile').toBeCloseTo(0.12, 3);
    expect(summary.expectedMove.oneSigma).toBeCloseTo(
      forward * 100 * (summary.smile.atmIv ?? 0) * Math.sqrt(summary.timeYears),
      6,
    );
    expect(summary.expectedMove.absolute, 'the straddle on the mid basis').toBe(summary.straddle.mid);
    const gex = gammaExposure(rows, 2_500_000, LOT);
    expect(summary.gex.net, 'GEX at the index level').toBeCloseTo(gex.net, 6);
    expect(summary.gex.missingGamma).toBe(0);
    expect(summary.spot).toBe(2_500_000);
    expect(summary.forwardSource).toBe('future');
  });

  it('fits SVI to the OTM mid IVs and reads back the generating smile’s ATM IV and 25Δ skew', () => {
    const params: SviParams = { a: 0.0002, b: 0.01, rho: -0.6, m: 0.005, sigma: 0.02 };
    const strikes = Array.from({ length: 21 }, (_, i) => 24_500 + 100 * i);
    const vol = (strike: number): number => sviImpliedVol(params, Math.log(strike / F), T);
    const chain = buildChain(strikes, { future: true });
    chain.onQuote(quoteEvent(FUTURE_TOKEN, { bid: 2_548_025, ask: 2_548_035, ltp: 2_548_030 }));
    quoteAll(chain, strikes, F, T, vol);
    const smile = chain.snapshot().summary.smile;
    expect(smile.atmIvSource).toBe('svi');
    expect(smile.svi?.points, 'one point per strike').toBe(21);
    expect(smile.atmIv ?? 0).toBeCloseTo(Math.sqrt(sviTotalVariance(params, 0) / T), 3);
    const skew25 = deltaSkew(params, T, 0.25);
    expect(Math.abs((smile.rr25 ?? 0) - skew25.riskReversal), 'RR25 within 0.2 vol points').toBeLessThan(
      2e-3,
    );
    expect(Math.abs((smile.bf25 ?? 0) - skew25.butterfly), 'BF25 within 0.2 vol points').toBeLessThan(2e-3);
  });

  it('falls back to the nearest strike’s IV, labelled, with fewer than five clean strikes', () => {
    const strikes = [25_400, 25_500, 25_600];
    const chain = buildChain(strikes, { future: true });
    chain.onQuote(quoteEvent(FUTURE_TOKEN, { bid: 2_548_025, ask: 2_548_035, ltp: 2_548_030 }));
    quoteAll(chain, strikes, F, T, () => 0.13);
    const smile = chain.snapshot().summary.smile;
    expect(smile.atmIvSource).toBe('strike');
    expect(smile.atmIv ?? 0).toBeCloseTo(0.13, 4);
    expect(smile.reason).toMatch(/SVI needs 5/);
    expect(smile.rr25).toBeUndefined();
  });

  it('in external mode never fits in snapshot(), and shows a fit handed back from a worker', () => {
    const strikes = Array.from({ length: 11 }, (_, i) => 25_000 + 100 * i);
    const chain = buildChain(strikes, { future: true }, { smileFit: 'external' });
    chain.onQuote(quoteEvent(FUTURE_TOKEN, { bid: 2_548_025, ask: 2_548_035, ltp: 2_548_030 }));
    quoteAll(chain, strikes, F, T, skew);
    expect(chain.snapshot().summary.smile.atmIvSource, 'strike IV until a fit arrives').toBe('strike');
    const job = chain.smileFitJob();
    if (typeof job === 'string') throw new Error(job);
    const fit = fitSvi(job.points);
    chain.acceptSmileFit(job, fit);
    const smile = chain.snapshot().summary.smile;
    expect(smile.atmIvSource).toBe('svi');
    expect(smile.svi?.params).toEqual(fit.params);
    const older = { ...job, asOfMs: job.asOfMs - 10_000 };
    chain.acceptSmileFit(older, fitSvi(job.points.slice(1)));
    expect(chain.snapshot().summary.smile.svi?.params, 'a late result of older data is dropped').toEqual(
      fit.params,
    );
  });

  it('keeps snapshot rows usable by the analytics functions as they are', () => {
    const rows: readonly ChainRowSnapshot[] = toyChain().snapshot().rows;
    expect(gammaExposure(rows, 2_500_000, LOT).strikes).toHaveLength(toy.length);
  });
});
