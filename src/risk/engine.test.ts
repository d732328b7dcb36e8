import { describe, expect, it } from 'vitest';
import { type Paise, paise } from '../core/money.js';
import { evaluateOrder } from './engine.js';
import {
  BANKNIFTY_CE,
  context,
  freshState,
  halted,
  known,
  LIMITS,
  NIFTY_CE,
  NIFTY_PE,
  openOrder,
  order,
  position,
  reducingState,
  SENSEX_CE,
  T0,
} from './testkit.js';
import type { RiskContext, RiskDecision, RiskLimits, RiskOrder, RiskRule, RiskState } from './types.js';

function check(
  o: Partial<RiskOrder> = {},
  ctx: Partial<RiskContext> = {},
  state: RiskState = freshState(),
  limits: RiskLimits = LIMITS,
): RiskDecision {
  return evaluateOrder(state, order(o), context(ctx), limits);
}

function rules(decision: RiskDecision): RiskRule[] {
  return decision.outcome === 'denied' ? decision.denials.map((d) => d.rule) : [];
}

function messages(decision: RiskDecision): string[] {
  return decision.outcome === 'denied' ? decision.denials.map((d) => d.message) : [];
}

const limit = (p: number) => ({ type: 'LIMIT' as const, limitPricePaise: paise(p) });

describe('a plain order', () => {
  it('passes with one order-allowed event and its send time recorded for the rate window', () => {
    const decision = check();
    expect(decision.outcome).toBe('allowed');
    if (decision.outcome !== 'allowed') return;
    expect(decision.sendAtMs).toBe(T0);
    expect(decision.events).toEqual([
      expect.objectContaining({ type: 'order-allowed', seq: 1, sendAtMs: T0 }),
    ]);
    expect(decision.state.orderMessages.NFO).toEqual([T0]);
  });

  it('refuses malformed numbers before any rule (fail fast at the boundary)', () => {
    expect(rules(check({ quantity: 0 }))).toEqual(['invalid-order']);
    expect(rules(check({ quantity: 65.5 }))).toEqual(['invalid-order']);
    expect(rules(check({ pricing: { type: 'LIMIT', limitPricePaise: Number.NaN as Paise } }))).toEqual([
      'invalid-order',
    ]);
    expect(
      rules(check({ action: 'modify', quantity: 65, filledQuantity: 65 })),
      'nothing left to modify',
    ).toEqual(['invalid-order']);
  });
});

describe('lot multiple', () => {
  it('denies a quantity that is not a whole number of lots, with the numbers', () => {
    const decision = check({ quantity: 100 });
    expect(rules(decision)).toEqual(['lot-multiple']);
    expect(messages(decision)).toEqual(['NIFTY order 100 is not a multiple of lot size 65']);
  });

  it('allows exact multiples (130 = 2 lots of 65)', () => {
    expect(check({ quantity: 130 }).outcome).toBe('allowed');
  });
});

describe('freeze quantity', () => {
  it('allows 27 NIFTY lots (1,755 ≤ 1,800) and denies 28 (1,820)', () => {
    expect(check({ quantity: 1_755 }).outcome).toBe('allowed');
    const decision = check({ quantity: 1_820 });
    expect(rules(decision)).toEqual(['freeze-quantity']);
    expect(messages(decision)[0]).toBe(
      'NIFTY order 1820 exceeds the freeze quantity 1800 (at most 27 lots of 65 = 1755 per order)',
    );
  });

  it('allows an order exactly at the freeze quantity (BANKNIFTY 600 = 20 lots of 30) and denies one lot more', () => {
    const bank = { instrument: BANKNIFTY_CE };
    expect(check({ ...bank, quantity: 600 }).outcome).toBe('allowed');
    expect(rules(check({ ...bank, quantity: 630 }))).toEqual(['freeze-quantity']);
  });

  it('fails closed for an underlying without a configured freeze quantity', () => {
    const decision = check({ instrument: { ...NIFTY_CE, underlying: 'NEWINDEX' } });
    expect(rules(decision)).toEqual(['freeze-quantity']);
    expect(messages(decision)[0]).toContain('no freeze quantity configured for NEWINDEX');
  });
});

describe('tick size', () => {
  it('denies a limit off the ₹0.05 tick and allows one on it', () => {
    const decision = check({ pricing: limit(10_003) });
    expect(rules(decision)).toEqual(['tick-multiple']);
    expect(messages(decision)[0]).toContain('₹100.03 is not a multiple of the tick ₹0.05');
    expect(check({ pricing: limit(10_005) }).outcome).toBe('allowed');
  });
});

describe('price band (collar around the mid or LTP)', () => {
  it('allows a BUY exactly 10% above the mid and denies one tick more', () => {
    expect(check({ pricing: limit(11_000) }).outcome, '₹110.00 = ₹100.00 + 10%').toBe('allowed');
    const decision = check({ pricing: limit(11_005) });
    expect(rules(decision)).toEqual(['price-band']);
    expect(messages(decision)[0]).toBe(
      'NIFTY27JAN2625000CE BUY limit ₹110.05 is above the collar ₹110.00 (reference ₹100.00 + 10%)',
    );
  });

  it('allows a SELL exactly 10% below and denies one tick less', () => {
    expect(
      check({ side: 'SELL', pricing: limit(9_000) }, { funds: { status: 'known', availablePaise: 1e12 } })
        .outcome,
    ).toBe('allowed');
    expect(rules(check({ side: 'SELL', pricing: limit(8_995) }))).toContain('price-band');
  });

  it('collars only the aggressive side: a BUY far below the market just rests', () => {
    expect(check({ pricing: limit(5_000) }).outcome).toBe('allowed');
  });

  it('uses ±₹5 at or below ₹50: BUY ₹45.00 on ₹40.00 passes, ₹45.05 does not', () => {
    const cheap = { quote: { ltpPaise: 4_000, receivedAtMs: T0 } };
    expect(check({ pricing: limit(4_500) }, cheap).outcome).toBe('allowed');
    expect(rules(check({ pricing: limit(4_505) }, cheap))).toEqual(['price-band']);
  });

  it('falls back to the LTP when the book is one-sided', () => {
    const oneSided = { quote: { ltpPaise: 20_000, bidPaise: 19_990, receivedAtMs: T0 } };
    expect(check({ pricing: limit(22_000) }, oneSided).outcome).toBe('allowed');
    expect(rules(check({ pricing: limit(22_005) }, oneSided))).toEqual(['price-band']);
  });

  it('checks a stop-limit against its own trigger (where the exchange checks it once triggered)', () => {
    const stop = (limitPaise: number) => ({
      side: 'SELL' as const,
      pricing: {
        type: 'STOPLOSS_LIMIT' as const,
        triggerPricePaise: paise(9_000),
        limitPricePaise: paise(limitPaise),
      },
    });
    const exposure = known([position(NIFTY_CE, 65)]);
    expect(check(stop(8_100), { exposure }).outcome, '₹81.00 = ₹90.00 - 10%').toBe('allowed');
    expect(rules(check(stop(8_095), { exposure }))).toEqual(['price-band']);
  });
});

describe('stale prices', () => {
  it('treats a quote exactly 2,000 ms old as fresh and 2,001 ms as stale for an entry', () => {
    expect(check({}, { nowMs: T0 + 2_000 }).outcome).toBe('allowed');
    const decision = check({}, { nowMs: T0 + 2_001 });
    expect(rules(decision)).toEqual(['stale-price']);
  });

  it('lets an exit at a limit the trader chose through without a fresh price', () => {
    const decision = check(
      { side: 'SELL', pricing: limit(9_000) },
      { nowMs: T0 + 60_000, exposure: known([position(NIFTY_CE, 65)]) },
    );
    expect(decision.outcome).toBe('allowed');
    if (decision.outcome === 'allowed') expect(decision.reducing).toBe(true);
  });
});

describe('order types on Angel One (market and IOC barred for algos)', () => {
  it('turns a market BUY into a limit 5% above the reference, with an event', () => {
    const decision = check({ pricing: { type: 'MARKET' } });
    expect(decision.outcome).toBe('allowed');
    if (decision.outcome !== 'allowed') return;
    expect(decision.order.pricing).toEqual({ type: 'LIMIT', limitPricePaise: 10_500 });
    expect(decision.events.map((e) => e.type)).toEqual(['order-converted', 'order-allowed']);
    expect(decision.events[0]).toMatchObject({ referencePaise: 10_000, protectionPercent: 5 });
  });

  it('turns a market SELL into a limit 5% below, rounded to the tick towards the reference', () => {
    const decision = check(
      { side: 'SELL', pricing: { type: 'MARKET' } },
      { quote: { ltpPaise: 10_010, receivedAtMs: T0 }, exposure: known([position(NIFTY_CE, 65)]) },
    );
    if (decision.outcome !== 'allowed') throw new Error(messages(decision).join('; '));
    // 100.10 × 0.95 = 95.095 → 95.10 (never further than 5%)
    expect(decision.order.pricing).toEqual({ type: 'LIMIT', limitPricePaise: 9_510 });
  });

  it('turns a stop-market into a stop-limit protected from its trigger', () => {
    const decision = check(
      { side: 'SELL', pricing: { type: 'STOPLOSS_MARKET', triggerPricePaise: paise(9_000) } },
      { exposure: known([position(NIFTY_CE, 65)]) },
    );
    if (decision.outcome !== 'allowed') throw new Error(messages(decision).join('; '));
    expect(decision.order.pricing).toEqual({
      type: 'STOPLOSS_LIMIT',
      triggerPricePaise: 9_000,
      limitPricePaise: 8_550,
    });
  });

  it('denies a market order it cannot protect (no fresh price)', () => {
    expect(rules(check({ pricing: { type: 'MARKET' } }, { quote: undefined })), 'said once').toEqual([
      'stale-price',
    ]);
  });

  it('denies IOC on Angel One and leaves both alone on the paper route', () => {
    expect(rules(check({ timeInForce: 'IOC' }))).toEqual(['order-type']);
    const paper = check({ timeInForce: 'IOC', pricing: { type: 'MARKET' }, route: 'paper' });
    expect(paper.outcome).toBe('allowed');
    if (paper.outcome === 'allowed') expect(paper.order.pricing.type).toBe('MARKET');
  });
});

describe('order rate (10 messages per second per segment)', () => {
  function burst(n: number, atMs: number, start: RiskState = freshState()) {
    let state = start;
    const outcomes: string[] = [];
    for (let i = 0; i < n; i++) {
      const d = evaluateOrder(state, order({ clientOrderId: `C${i}` }), context({ nowMs: atMs }), LIMITS);
      outcomes.push(d.outcome);
      state = d.state;
    }
    return { state, outcomes };
  }

  it('allows 10 in the same instant and denies the 11th with the wait in ms', () => {
    const { state, outcomes } = burst(10, T0);
    expect(outcomes.every((o) => o === 'allowed')).toBe(true);
    const eleventh = evaluateOrder(state, order(), context(), LIMITS);
    expect(rules(eleventh)).toEqual(['order-rate']);
    expect(eleventh.outcome === 'denied' && eleventh.denials[0]?.values).toMatchObject({
      retryAfterMs: 1_000,
    });
    expect(evaluateOrder(state, order(), context({ nowMs: T0 + 999 }), LIMITS).outcome).toBe('denied');
    const later = evaluateOrder(
      state,
      order(),
      context({ nowMs: T0 + 1_000, quote: { ltpPaise: 10_000, receivedAtMs: T0 + 1_000 } }),
      LIMITS,
    );
    expect(later.outcome, 'the first message left the window').toBe('allowed');
  });

  it('counts each exchange segment separately (NFO full, BFO free)', () => {
    const { state } = burst(10, T0);
    const bfo = evaluateOrder(state, order({ instrument: SENSEX_CE, quantity: 20 }), context(), LIMITS);
    expect(bfo.outcome).toBe('allowed');
  });

  it('never denies a cancel but paces it to the next free slot', () => {
    const { state } = burst(10, T0);
    const cancel = evaluateOrder(state, order({ action: 'cancel', clientOrderId: 'C0' }), context(), LIMITS);
    expect(cancel.outcome).toBe('allowed');
    if (cancel.outcome === 'allowed') expect(cancel.sendAtMs).toBe(T0 + 1_000);
  });
});

describe('exposure limits (entries only)', () => {
  it('allows the 20th open order and denies the 21st; an exit passes at any count', () => {
    const nineteen = Array.from({ length: 19 }, () =>
      openOrder(NIFTY_PE, 'BUY', 65, { limitPricePaise: 100 }),
    );
    expect(check({}, { exposure: known([], nineteen) }).outcome).toBe('allowed');
    const twenty = [...nineteen, openOrder(NIFTY_PE, 'BUY', 65, { limitPricePaise: 100 })];
    const decision = check({}, { exposure: known([], twenty) });
    expect(rules(decision)).toEqual(['max-open-orders']);
    expect(messages(decision)[0]).toBe('21 open orders would exceed the limit of 20');
    const exit = check(
      { side: 'SELL', pricing: limit(9_500) },
      { exposure: known([position(NIFTY_CE, 65)], twenty) },
    );
    expect(exit.outcome).toBe('allowed');
  });

  it('allows 50 NIFTY lots across contracts and denies 51; other underlyings do not count', () => {
    const held = [position(NIFTY_PE, -49 * 65), position(BANKNIFTY_CE, 20 * 30)];
    const limits = { ...LIMITS, maxPremiumAtRiskPaise: 1e12 };
    expect(check({}, { exposure: known(held) }, freshState(), limits).outcome).toBe('allowed');
    const decision = check({ quantity: 130 }, { exposure: known(held) }, freshState(), limits);
    expect(rules(decision)).toEqual(['max-position']);
    expect(messages(decision)[0]).toBe('NIFTY exposure would reach 51 lots, above the limit of 50');
  });

  it('counts working orders at their worst case (a resting buy adds to a long)', () => {
    const exposure = known(
      [position(NIFTY_PE, 48 * 65)],
      [openOrder(NIFTY_PE, 'BUY', 65, { limitPricePaise: 5 })],
    );
    expect(check({}, { exposure }).outcome).toBe('allowed');
    expect(rules(check({ quantity: 130 }, { exposure }))).toEqual(['max-position']);
  });

  it('premium at risk: ₹13,000 with a ₹13,000 limit passes, one tick more does not', () => {
    const limits = { ...LIMITS, maxPremiumAtRiskPaise: 1_300_000 };
    const exposure = known([position(NIFTY_PE, 65, { markPaise: 10_000 })]);
    expect(check({}, { exposure }, freshState(), limits).outcome, '65 × ₹100 held + 65 × ₹100 ordered').toBe(
      'allowed',
    );
    const decision = check({ pricing: limit(10_005) }, { exposure }, freshState(), limits);
    expect(rules(decision)).toEqual(['max-premium-at-risk']);
    expect(messages(decision)[0]).toBe('premium at risk would be ₹13,003.25, above the limit ₹13,000.00');
  });

  it('daily loss: entries stop when realised + unrealised reaches ₹10,000; ₹9,999.99 still trades; exits pass', () => {
    const atLimit = { pnl: { status: 'known' as const, realisedPaise: -600_000, unrealisedPaise: -400_000 } };
    const decision = check({}, atLimit);
    expect(rules(decision)).toEqual(['max-daily-loss']);
    expect(messages(decision)[0]).toContain("today's loss ₹10,000.00 has reached the limit ₹10,000.00");
    expect(check({}, { pnl: { status: 'known', realisedPaise: -999_999, unrealisedPaise: 0 } }).outcome).toBe(
      'allowed',
    );
    const exit = check(
      { side: 'SELL', pricing: limit(9_500) },
      { ...atLimit, exposure: known([position(NIFTY_CE, 65)]) },
    );
    expect(exit.outcome).toBe('allowed');
  });
});

describe('margin estimate for option selling', () => {
  const sell = { side: 'SELL' as const, pricing: limit(10_000) };
  // 65 × NIFTY 25,000 = ₹16,25,000 notional; 5% SPAN + 2% exposure = ₹1,13,750
  it('allows a short call when funds cover 7% of notional exactly, denies at one paisa less', () => {
    expect(check(sell, { funds: { status: 'known', availablePaise: 11_375_000 } }).outcome).toBe('allowed');
    const decision = check(sell, { funds: { status: 'known', availablePaise: 11_374_999 } });
    expect(rules(decision)).toEqual(['margin']);
    expect(messages(decision)[0]).toBe(
      'NIFTY27JAN2625000CE needs about ₹1,13,750.00 (7% of ₹16,25,000.00 notional), ₹1,13,749.99 available',
    );
  });

  it('adds 2% on expiry day (IST date of the order = contract expiry)', () => {
    const expiryDay = { ...NIFTY_CE, expiry: '2026-01-20' };
    const decision = check(
      { ...sell, instrument: expiryDay },
      { funds: { status: 'known', availablePaise: 11_375_000 } },
    );
    expect(rules(decision)).toEqual(['margin']);
    expect(messages(decision)[0]).toContain('9% of');
  });

  it('charges a buyer the premium: 65 × ₹100 = ₹6,500', () => {
    expect(check({}, { funds: { status: 'known', availablePaise: 650_000 } }).outcome).toBe('allowed');
    expect(rules(check({}, { funds: { status: 'known', availablePaise: 649_999 } }))).toEqual(['margin']);
  });

  it('fails closed when funds or the underlying price are unknown', () => {
    expect(rules(check(sell, { funds: { status: 'unknown', reason: 'RMS not loaded' } }))).toEqual([
      'margin',
    ]);
    expect(rules(check(sell, { underlyingPricePaise: undefined }))).toEqual(['margin']);
  });
});

describe('fail closed when state is unknown', () => {
  it('with positions unknown and nothing last known, only cancels pass', () => {
    const exposure = { status: 'unknown' as const, reason: 'reconciling after restart' };
    const entry = check({}, { exposure });
    expect(rules(entry)).toEqual(['state-unknown']);
    expect(messages(entry)[0]).toBe(
      'positions unknown (reconciling after restart); only orders that reduce exposure pass',
    );
    expect(check({ side: 'SELL' }, { exposure }).outcome, 'no basis to call a sell reducing').toBe('denied');
    expect(check({ action: 'cancel' }, { exposure }).outcome).toBe('allowed');
  });

  it('with positions unknown but last known long 130, selling 65 passes and selling 195 (a flip) does not', () => {
    const exposure = {
      status: 'unknown' as const,
      reason: 'position stream lagging',
      lastKnown: { positions: [position(NIFTY_CE, 130)], openOrders: [] },
    };
    expect(check({ side: 'SELL', pricing: limit(9_500) }, { exposure }).outcome).toBe('allowed');
    expect(rules(check({ side: 'SELL', quantity: 195, pricing: limit(9_500) }, { exposure }))).toContain(
      'state-unknown',
    );
  });

  it('with P&L unknown, entries stop and exits pass', () => {
    const pnl = { status: 'unknown' as const, reason: 'no marks' };
    expect(rules(check({}, { pnl }))).toEqual(['state-unknown']);
    const exit = check(
      { side: 'SELL', pricing: limit(9_500) },
      { pnl, exposure: known([position(NIFTY_CE, 65)]) },
    );
    expect(exit.outcome).toBe('allowed');
  });

  it('counts other working exits: long 130 with 65 already offered leaves room for 65, not 130', () => {
    const exposure = known([position(NIFTY_CE, 130)], [openOrder(NIFTY_CE, 'SELL', 65)]);
    const state = reducingState();
    expect(check({ side: 'SELL', pricing: limit(9_500) }, { exposure }, state).outcome).toBe('allowed');
    expect(rules(check({ side: 'SELL', quantity: 130, pricing: limit(9_500) }, { exposure }, state))).toEqual(
      ['reducing-only'],
    );
  });
});

describe('trading states', () => {
  it('halted: place and modify are denied with the one reason, cancels pass', () => {
    expect(rules(check({}, {}, halted()))).toEqual(['trading-halted']);
    expect(rules(check({ action: 'modify' }, {}, halted()))).toEqual(['trading-halted']);
    expect(check({ action: 'cancel' }, {}, halted()).outcome).toBe('allowed');
  });

  it('reducing: entries denied, exits allowed', () => {
    expect(rules(check({}, {}, reducingState()))).toEqual(['reducing-only']);
    const exit = check(
      { side: 'SELL', pricing: limit(9_500) },
      { exposure: known([position(NIFTY_CE, 65)]) },
      reducingState(),
    );
    expect(exit.outcome).toBe('allowed');
  });
});

describe('events', () => {
  it('every denial is its own event, numbered after the state sequence', () => {
    const state = { ...freshState(), seq: 41 };
    const decision = check({ quantity: 100, pricing: limit(12_003) }, {}, state);
    expect(rules(decision).sort()).toEqual(['lot-multiple', 'price-band', 'tick-multiple']);
    expect(decision.events.map((e) => [e.type, e.seq])).toEqual([
      ['order-denied', 42],
      ['order-denied', 43],
      ['order-denied', 44],
    ]);
    expect(decision.state.seq).toBe(44);
    expect(decision.state.orderMessages, 'a denied order uses no rate slot').toEqual({});
  });
});

describe('unpriced orders on routes that allow them', () => {
  it('values a paper market buy at the reference for premium and margin, and denies it without a price', () => {
    const paperMarket = { route: 'paper' as const, pricing: { type: 'MARKET' as const } };
    expect(check(paperMarket, { funds: { status: 'known', availablePaise: 650_000 } }).outcome).toBe(
      'allowed',
    );
    expect(rules(check(paperMarket, { funds: { status: 'known', availablePaise: 649_999 } }))).toEqual([
      'margin',
    ]);
    expect(rules(check(paperMarket, { quote: undefined }))).toEqual(['stale-price']);
  });
});
