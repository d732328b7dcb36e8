import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMarketCalendar } from '../../core/calendar/index.js';
import { isIfError } from '../../core/errors.js';
import { istToEpochMs } from '../../core/time.js';
import type { MarketModelOptions } from './config.js';
import { createMarketModel } from './model.js';
import { black76, sviTotalVariance } from './pricing.js';
import type { InstrumentMarketState, SimMarketModel } from './types.js';

const MIN = 60_000;
// Wednesday 4-Mar-2026 (the day after Holi): NIFTY weeklies 10/17/24/30-Mar, SENSEX 5/12/19/25-Mar.
const OPEN = istToEpochMs(2026, 3, 4, 9, 15);
const SMALL: MarketModelOptions = {
  seed: 11,
  startMs: OPEN - 5 * MIN,
  underlyings: ['NIFTY'],
  strikesEachSide: 8,
};

function states(model: SimMarketModel): InstrumentMarketState[] {
  return model.instruments.map((i) => {
    const s = model.state(i.token);
    if (s === undefined) throw new Error(`no state for ${i.token}`);
    return s;
  });
}

function stateHash(model: SimMarketModel): string {
  return createHash('sha256')
    .update(JSON.stringify(states(model)))
    .digest('hex');
}

function stateOf(model: SimMarketModel, token: string): InstrumentMarketState {
  const s = model.state(token);
  if (s === undefined) throw new Error(`no state for ${token}`);
  return s;
}

function tokenOf(model: SimMarketModel, symbol: string): string {
  const instrument = model.instruments.find((i) => i.symbol === symbol);
  if (instrument === undefined) throw new Error(`no ${symbol}`);
  return instrument.token;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isIfError(error) ? error.code : 'not an IfError';
  }
  return undefined;
}

/**
 * Checks every book and price invariant the feed relies on. Violations are collected and asserted once,
 * because thousands of individual expect calls would dominate the test's time.
 */
function bookViolations(model: SimMarketModel): { checked: number; violations: string[] } {
  const violations: string[] = [];
  const fail = (ok: boolean, message: string): void => {
    if (!ok) violations.push(message);
  };
  let checked = 0;
  for (const instrument of model.instruments) {
    if (instrument.kind === 'index') continue;
    const s = stateOf(model, instrument.token);
    const name = instrument.symbol;
    const lot = instrument.lotSize;
    fail(s.bids.length === 5 && s.asks.length === 5, `${name} has 5 levels a side`);
    fail(s.bids20.length === 20 && s.asks20.length === 20, `${name} has 20 levels a side`);
    const bid = s.bids[0]?.price ?? 0;
    const ask = s.asks[0]?.price ?? 0;
    fail(bid > 0, `${name} has a bid`);
    fail(ask - bid >= 5, `${name} spread ${bid}/${ask} is at least one tick`);
    fail(bid >= s.lowerCircuit, `${name} bid ${bid} within the lower circuit ${s.lowerCircuit}`);
    fail(ask <= s.upperCircuit, `${name} ask ${ask} within the upper circuit ${s.upperCircuit}`);
    for (const price of [s.lastTradedPrice, s.open, s.high, s.low, s.close, s.upperCircuit, s.lowerCircuit]) {
      fail(price % 5 === 0, `${name} price ${price} is a multiple of the 5-paise tick`);
    }
    for (const [side, levels, direction] of [
      ['bid', s.bids20, -1],
      ['ask', s.asks20, 1],
    ] as const) {
      let previous = 0;
      for (const level of levels) {
        if (level.quantity === 0) {
          fail(level.price === 0 && level.orders === 0, `${name} empty ${side} level is zero-filled`);
          continue;
        }
        fail(level.price % 5 === 0, `${name} ${side} level ${level.price} is on the tick`);
        fail(
          previous === 0 || Math.sign(level.price - previous) === direction,
          `${name} ${side} levels run away`,
        );
        previous = level.price;
        fail(level.quantity % lot === 0, `${name} ${side} quantity ${level.quantity} is whole lots`);
        fail(
          level.orders >= 1 && level.orders <= level.quantity / lot,
          `${name} ${side} orders within 1..lots`,
        );
      }
    }
    if (s.lastTradedPrice === 0) {
      fail(s.volume === 0 && s.open === 0, `${name} has no volume or open before its first trade`);
    } else {
      fail(s.low <= s.lastTradedPrice && s.lastTradedPrice <= s.high, `${name} LTP within low–high`);
    }
    checked++;
  }
  return { checked, violations };
}

function checkBooks(model: SimMarketModel): number {
  const { checked, violations } = bookViolations(model);
  expect(violations, 'book invariants').toEqual([]);
  return checked;
}

describe('determinism', () => {
  it('gives identical states and tick lists for the same seed and calls, and different ones for another seed', () => {
    const run = (seed: number): { hash: string; ticks: string[][] } => {
      const model = createMarketModel({ ...SMALL, seed });
      const ticks: string[][] = [];
      for (let t = OPEN; t <= OPEN + 5 * MIN; t += 777) ticks.push(model.advanceTo(t));
      model.recordTrade(tokenOf(model, 'NIFTY10MAR2625900CE'), 10_000, 65, OPEN + 5 * MIN);
      ticks.push(model.advanceTo(OPEN + 6 * MIN));
      return { hash: stateHash(model), ticks };
    };
    const a = run(11);
    const b = run(11);
    expect(a.hash, 'same seed, same state hash').toBe(b.hash);
    expect(a.ticks, 'same seed, same ticked tokens').toEqual(b.ticks);
    expect(run(12).hash, 'another seed moves the market differently').not.toBe(a.hash);
  });

  it('does not depend on how the time is chunked into advanceTo calls', () => {
    const coarse = createMarketModel(SMALL);
    coarse.advanceTo(OPEN + 4 * MIN);
    const fine = createMarketModel(SMALL);
    for (let t = OPEN - 4 * MIN; t <= OPEN + 4 * MIN; t += 333) fine.advanceTo(t);
    fine.advanceTo(OPEN + 4 * MIN);
    expect(stateHash(fine), 'one call or many, same states').toBe(stateHash(coarse));
  });
});

describe('sessions', () => {
  it('ticks nothing before the open, after the close, over a holiday or a weekend', () => {
    const morning = createMarketModel({ ...SMALL, startMs: istToEpochMs(2026, 3, 2, 8, 0) });
    const atStart = stateHash(morning);
    expect(morning.advanceTo(istToEpochMs(2026, 3, 2, 9, 15) - 1), 'pre-open').toEqual([]);
    expect(stateHash(morning), 'no state changed before the open').toBe(atStart);
    expect(morning.isMarketOpen(istToEpochMs(2026, 3, 2, 9, 15))).toBe(true);
    expect(morning.advanceTo(istToEpochMs(2026, 3, 2, 9, 16)).length, 'the open ticks').toBeGreaterThan(0);

    const evening = createMarketModel({ ...SMALL, startMs: istToEpochMs(2026, 3, 2, 15, 25) });
    evening.advanceTo(istToEpochMs(2026, 3, 2, 15, 30));
    const atClose = stateHash(evening);
    // Holi (3-Mar) is closed; the next session opens at 09:15 on 4-Mar.
    expect(evening.advanceTo(istToEpochMs(2026, 3, 4, 9, 15) - 1), 'night and holiday').toEqual([]);
    expect(stateHash(evening), 'no state changed while closed').toBe(atClose);
    expect(evening.isMarketOpen(istToEpochMs(2026, 3, 3, 11, 0)), 'holiday').toBe(false);

    const friday = createMarketModel({ ...SMALL, startMs: istToEpochMs(2026, 3, 6, 15, 25) });
    friday.advanceTo(istToEpochMs(2026, 3, 6, 15, 30));
    const fridayClose = stateHash(friday);
    expect(friday.advanceTo(istToEpochMs(2026, 3, 9, 9, 15) - 1), 'weekend').toEqual([]);
    expect(stateHash(friday), 'no state changed over the weekend').toBe(fridayClose);
  });

  it('keeps NFO contracts ticking until 15:40 with the Aug-2026 extension while the index stops at 15:30', () => {
    const calendar = createMarketCalendar({ extendedFnoClose: true });
    const model = createMarketModel({ ...SMALL, calendar, startMs: istToEpochMs(2026, 8, 4, 15, 25) });
    model.advanceTo(istToEpochMs(2026, 8, 4, 15, 30));
    const late = model.advanceTo(istToEpochMs(2026, 8, 4, 15, 39));
    expect(late.length, 'contracts tick after 15:30').toBeGreaterThan(0);
    expect(late.includes('99926000'), 'the index does not').toBe(false);
  });

  it('rolls the day: yesterday’s last prices become the close and LTP is 0 again until a trade', () => {
    const model = createMarketModel({ ...SMALL, startMs: istToEpochMs(2026, 3, 6, 15, 0) });
    model.advanceTo(istToEpochMs(2026, 3, 6, 15, 30));
    const future = tokenOf(model, 'NIFTY30MAR26FUT');
    const index = stateOf(model, '99926000');
    const fridayIndex = index.lastTradedPrice;
    const fridayFuture = stateOf(model, future).lastTradedPrice;
    expect(fridayFuture, 'the near future traded on Friday').toBeGreaterThan(0);
    model.advanceTo(istToEpochMs(2026, 3, 9, 9, 15));
    const s = stateOf(model, future);
    expect(s.close, 'Friday’s last trade is Monday’s close').toBe(fridayFuture);
    expect(index.close, 'the index close is Friday’s last value').toBe(fridayIndex);
    if (s.volume === 0) expect(s.lastTradedPrice, 'untraded Monday LTP is 0').toBe(0);
    expect(index.open, 'the index opens at its first Monday value').toBe(index.lastTradedPrice);
  });
});

describe('market states', () => {
  it('starts every derivative at LTP 0 with a book, and trades only some of them in a few minutes', () => {
    const model = createMarketModel({ ...SMALL, strikesEachSide: 20 });
    for (const instrument of model.instruments) {
      if (instrument.kind === 'index') continue;
      const s = stateOf(model, instrument.token);
      expect(s.lastTradedPrice, `${instrument.symbol} untraded at start`).toBe(0);
      expect(s.close, `${instrument.symbol} has a previous close`).toBeGreaterThan(0);
      expect(s.openInterest % instrument.lotSize, `${instrument.symbol} OI in lots`).toBe(0);
    }
    expect(checkBooks(model), 'all books valid at start').toBeGreaterThan(0);
    model.advanceTo(OPEN + 3 * MIN);
    const derivatives = model.instruments.filter((i) => i.kind !== 'index');
    const traded = derivatives.filter((i) => stateOf(model, i.token).lastTradedPrice > 0);
    expect(traded.length, 'liquid contracts traded').toBeGreaterThan(5);
    expect(traded.length, 'some wings have not traded yet').toBeLessThan(derivatives.length);
    checkBooks(model);
  });

  it('keeps books valid (ticks, spreads, circuits, lots) through a session on all five underlyings', () => {
    const model = createMarketModel({ seed: 3, startMs: OPEN, strikesEachSide: 6 });
    for (const minutes of [0, 1, 5]) {
      model.advanceTo(OPEN + minutes * MIN);
      expect(checkBooks(model), `books at +${minutes} min`).toBe(
        model.instruments.filter((i) => i.kind !== 'index').length,
      );
    }
  });

  it('gives indices zero volume, OI, depth and sequence, and a moving value', () => {
    const model = createMarketModel({ seed: 5, startMs: OPEN, strikesEachSide: 2 });
    model.advanceTo(OPEN + 2 * MIN);
    for (const instrument of model.instruments.filter((i) => i.kind === 'index')) {
      const s = stateOf(model, instrument.token);
      const name = instrument.symbol;
      expect([s.volume, s.openInterest, s.totalBuyQuantity, s.totalSellQuantity], `${name} totals`).toEqual([
        0, 0, 0, 0,
      ]);
      expect([s.bids.length, s.asks.length, s.bids20.length, s.asks20.length], `${name} depth`).toEqual([
        0, 0, 0, 0,
      ]);
      expect(s.sequenceNumber, `${name} sequence`).toBe(0);
      expect(s.lastTradedPrice, `${name} value`).toBeGreaterThan(0);
      expect(s.exchangeType, `${name} exchange type`).toBe(instrument.exchange === 'NSE' ? 1 : 3);
    }
  });

  it('ticks ATM near-expiry options and the near future often and far wings rarely', () => {
    const model = createMarketModel({ ...SMALL, strikesEachSide: 20 });
    const seq = (symbol: string): number => stateOf(model, tokenOf(model, symbol)).sequenceNumber;
    const watched = ['NIFTY10MAR2625900CE', 'NIFTY30MAR26FUT', 'NIFTY10MAR2624900PE', 'NIFTY10MAR2626900CE'];
    const before = watched.map(seq);
    model.advanceTo(OPEN + 5 * MIN);
    const [atm = 0, future = 0, farPut = 0, farCall = 0] = watched.map((s, i) => seq(s) - (before[i] ?? 0));
    expect(atm, 'ATM weekly ticks more than once a second').toBeGreaterThan(300);
    expect(future, 'near future ticks more than once a second').toBeGreaterThan(300);
    expect(farPut, 'far weekly put wing ticks rarely').toBeLessThan(30);
    expect(farCall, 'far weekly call wing ticks rarely').toBeLessThan(30);
  });

  it('prices futures at spot·e^{(r−q)T} within a few basis points', () => {
    const model = createMarketModel({ ...SMALL, startMs: OPEN });
    model.advanceTo(OPEN + 2 * MIN);
    const spot = stateOf(model, '99926000').lastTradedPrice;
    const s = stateOf(model, tokenOf(model, 'NIFTY30MAR26FUT'));
    const mid = ((s.bids[0]?.price ?? 0) + (s.asks[0]?.price ?? 0)) / 2;
    const years = (istToEpochMs(2026, 3, 30, 15, 30) - (OPEN + 2 * MIN)) / (365 * 86_400_000);
    const theoretical = spot * Math.exp((0.065 - 0.012) * years);
    expect(Math.abs(mid / theoretical - 1), 'future mid vs carry').toBeLessThan(6e-4);
  });
});

describe('option prices and the smile', () => {
  function parityGaps(model: SimMarketModel): number[] {
    const gaps: number[] = [];
    for (const call of model.instruments.filter((i) => i.optionType === 'CE')) {
      const put = model.instruments.find(
        (i) => i.optionType === 'PE' && i.expiry === call.expiry && i.strikePaise === call.strikePaise,
      );
      const cm = model.impliedVol(call.token);
      const pm = put === undefined ? undefined : model.impliedVol(put.token);
      if (put === undefined || cm === undefined || pm === undefined) continue;
      if (Math.abs(cm.strike / cm.forward - 1) > 0.02) continue;
      const c = stateOf(model, call.token);
      const p = stateOf(model, put.token);
      const mid = (s: InstrumentMarketState): number =>
        ((s.bids[0]?.price ?? 0) + (s.asks[0]?.price ?? 0)) / 2;
      const halfSpreads =
        ((c.asks[0]?.price ?? 0) -
          (c.bids[0]?.price ?? 0) +
          (p.asks[0]?.price ?? 0) -
          (p.bids[0]?.price ?? 0)) /
        2;
      // Quotes refresh at different instants, so allow for the forward moving between them.
      const staleness = Math.abs(cm.forward - pm.forward) * 100;
      const parity = cm.discountFactor * (cm.forward - cm.strike) * 100;
      gaps.push(Math.abs(mid(c) - mid(p) - parity) - (halfSpreads + staleness + 10));
    }
    return gaps;
  }

  it('holds put-call parity on mids near the money, at the start and mid-session', () => {
    const model = createMarketModel({ seed: 9, startMs: OPEN, underlyings: ['NIFTY', 'BANKNIFTY'] });
    const atStart = parityGaps(model);
    expect(atStart.length, 'pairs checked').toBeGreaterThan(20);
    expect(Math.max(...atStart), 'parity within spreads at the start').toBeLessThanOrEqual(0);
    model.advanceTo(OPEN + 5 * MIN);
    expect(Math.max(...parityGaps(model)), 'parity within spreads and staleness later').toBeLessThanOrEqual(
      0,
    );
  });

  it('quotes each option around its Black-76 value on the model’s own smile', () => {
    const model = createMarketModel(SMALL);
    model.advanceTo(OPEN + 2 * MIN);
    for (const instrument of model.instruments.filter((i) => i.kind === 'option')) {
      const q = model.impliedVol(instrument.token);
      if (q === undefined) throw new Error('option without model inputs');
      const k = Math.log(q.strike / q.forward);
      const w = sviTotalVariance(q.svi, k);
      expect(q.impliedVol, `${instrument.symbol} IV is √(w/T)`).toBeCloseTo(
        Math.sqrt(w / q.timeToExpiryYears),
        12,
      );
      const price = black76(
        q.forward,
        q.strike,
        q.impliedVol ** 2 * q.timeToExpiryYears,
        q.discountFactor,
        q.optionType === 'CE',
      );
      expect(price, `${instrument.symbol} fair value reproduces from IV`).toBeCloseTo(q.fairPrice, 8);
      const s = stateOf(model, instrument.token);
      const bid = (s.bids[0]?.price ?? 0) / 100;
      const ask = (s.asks[0]?.price ?? 0) / 100;
      if (q.fairPrice > 0.1) {
        expect(q.fairPrice, `${instrument.symbol} fair ≥ bid − tick`).toBeGreaterThanOrEqual(bid - 0.05);
        expect(q.fairPrice, `${instrument.symbol} fair ≤ ask + tick`).toBeLessThanOrEqual(ask + 0.05);
      }
    }
  });

  it('has a put skew and ATM IVs near the configured volatility', () => {
    const model = createMarketModel(SMALL);
    for (const expiry of model.optionExpiries('NIFTY')) {
      const smile = model.smile('NIFTY', expiry);
      if (smile === undefined) throw new Error(`no smile for ${expiry}`);
      const iv = (k: number): number =>
        Math.sqrt(sviTotalVariance(smile.svi, k) / smile.tradingTimeToExpiryYears);
      expect(iv(0), `${expiry} ATM IV on trading time`).toBeGreaterThan(0.09);
      expect(iv(0), `${expiry} ATM IV on trading time`).toBeLessThan(0.16);
      expect(iv(-0.03), `${expiry} 3% OTM put above 3% OTM call`).toBeGreaterThan(iv(0.03));
    }
    expect(model.smile('NIFTY', '2026-03-11'), 'no such expiry').toBeUndefined();
  });
});

describe('recordTrade', () => {
  it('updates LTP, quantity, volume, time, average price and eats the book', () => {
    const model = createMarketModel(SMALL);
    model.advanceTo(OPEN);
    // A contract whose best bid holds more than one lot, so a one-lot sale fills it only partly.
    const token =
      model.instruments.find(
        (i) => i.kind === 'option' && (model.state(i.token)?.bids[0]?.quantity ?? 0) > 65,
      )?.token ?? '';
    const s = stateOf(model, token);
    const volume = s.volume;
    expect(volume, 'nothing has traded at the open instant').toBe(0);
    const seq = s.sequenceNumber;
    const best = { ...(s.asks[0] ?? { price: 0, quantity: 0, orders: 0 }) };
    const second = { ...(s.asks[1] ?? { price: 0, quantity: 0, orders: 0 }) };
    model.recordTrade(token, best.price, best.quantity, OPEN + 1);
    expect(s.lastTradedPrice).toBe(best.price);
    expect(s.lastTradedQuantity).toBe(best.quantity);
    expect(s.lastTradedTimeMs).toBe(OPEN + 1);
    expect(s.volume).toBe(volume + best.quantity);
    expect(s.sequenceNumber, 'a trade is an update').toBe(seq + 1);
    expect(s.asks[0], 'the whole best level was taken, the next one moved up').toEqual(second);
    expect(model.advanceTo(OPEN + 1), 'the traded token is reported as changed').toContain(token);

    const bid = { ...(s.bids[0] ?? { price: 0, quantity: 0, orders: 0 }) };
    model.recordTrade(token, bid.price, 65, OPEN + 2);
    expect(s.bids[0]?.price, 'a partial fill leaves the level').toBe(bid.price);
    expect(s.bids[0]?.quantity, 'a partial fill shrinks the level').toBe(bid.quantity - 65);
    const expectedAverage = Math.round((best.price * best.quantity + bid.price * 65) / (best.quantity + 65));
    expect(s.averageTradedPrice, 'volume-weighted average').toBe(expectedAverage);
  });

  it('rejects unknown tokens, indices, off-tick prices and bad quantities with coded errors', () => {
    const model = createMarketModel(SMALL);
    const token = tokenOf(model, 'NIFTY10MAR2625900CE');
    expect(codeOf(() => model.recordTrade('424242', 100, 65, OPEN))).toBe('IF_ERR_INSTRUMENT_UNKNOWN');
    expect(codeOf(() => model.recordTrade('99926000', 100, 65, OPEN))).toBe('IF_ERR_VALIDATION');
    expect(codeOf(() => model.recordTrade(token, 101, 65, OPEN))).toBe('IF_ERR_VALIDATION');
    expect(codeOf(() => model.recordTrade(token, 100, 0, OPEN))).toBe('IF_ERR_VALIDATION');
    expect(
      codeOf(() => model.advanceTo(SMALL.startMs - 1)),
      'time cannot go backwards',
    ).toBe('IF_ERR_VALIDATION');
  });
});

describe('correlation across indices', () => {
  function minuteReturnCorrelation(correlated: boolean): number {
    const model = createMarketModel({
      seed: 21,
      startMs: OPEN,
      underlyings: ['NIFTY', 'SENSEX'],
      strikesEachSide: 0,
      expiriesPerUnderlying: 1,
      correlated,
    });
    const a: number[] = [];
    const b: number[] = [];
    let lastA = stateOf(model, '99926000').lastTradedPrice;
    let lastB = stateOf(model, '99919000').lastTradedPrice;
    for (let minute = 1; minute <= 60; minute++) {
      model.advanceTo(OPEN + minute * MIN);
      const nowA = stateOf(model, '99926000').lastTradedPrice;
      const nowB = stateOf(model, '99919000').lastTradedPrice;
      a.push(Math.log(nowA / lastA));
      b.push(Math.log(nowB / lastB));
      lastA = nowA;
      lastB = nowB;
    }
    const mean = (x: number[]): number => x.reduce((s, v) => s + v, 0) / x.length;
    const ma = mean(a);
    const mb = mean(b);
    let cov = 0;
    let va = 0;
    let vb = 0;
    a.forEach((x, i) => {
      const y = b[i] ?? 0;
      cov += (x - ma) * (y - mb);
      va += (x - ma) ** 2;
      vb += (y - mb) ** 2;
    });
    return cov / Math.sqrt(va * vb);
  }

  it('moves NIFTY and SENSEX together when correlated and independently otherwise', () => {
    expect(minuteReturnCorrelation(true), 'correlated').toBeGreaterThan(0.8);
    expect(Math.abs(minuteReturnCorrelation(false)), 'independent').toBeLessThan(0.4);
  });
});
