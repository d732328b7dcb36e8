import { describe, expect, it } from 'vitest';
import { evaluateOrder } from './engine.js';
import { stepRisk } from './killSwitch.js';
import {
  context,
  freshState,
  known,
  LIMITS,
  NIFTY_CE,
  NIFTY_PE,
  openOrder,
  order,
  position,
  T0,
} from './testkit.js';
import type { Actor, ExposureView, PnlView, RiskCommand, RiskState, RiskStepResult } from './types.js';

const TRADER: Actor = { id: 'asha', role: 'trader' };
const ADMIN: Actor = { id: 'ravi', role: 'admin' };
const VIEWER: Actor = { id: 'guest', role: 'viewer' };

const OPEN = [openOrder(NIFTY_CE, 'BUY', 65), openOrder(NIFTY_PE, 'SELL', 130)];
const BOOK: ExposureView = known([position(NIFTY_CE, 65)], OPEN);

function step(state: RiskState, command: RiskCommand, exposure: ExposureView = BOOK) {
  return stepRisk(state, command, exposure, LIMITS);
}

const loss = (rupeesLost: number): PnlView => ({
  status: 'known',
  realisedPaise: -Math.round(rupeesLost * 100),
  unrealisedPaise: 0,
});

const observe = (atMs: number, pnl: PnlView, staleTokens: string[] = []): RiskCommand => ({
  type: 'observe',
  atMs,
  pnl,
  staleTokens,
});

describe('manual kill switch', () => {
  it('a trader halts: state halted, an event, a cancel for every open order, then the broker logout', () => {
    const result = step(freshState(), { type: 'halt', atMs: T0, actor: TRADER, reason: 'fat finger' });
    expect(result.state.trading).toMatchObject({ status: 'halted', trigger: 'manual', reason: 'fat finger' });
    expect(result.events).toEqual([
      expect.objectContaining({
        type: 'trading-state-changed',
        from: 'active',
        to: 'halted',
        trigger: 'manual',
        actor: TRADER,
        seq: 1,
      }),
    ]);
    expect(result.effects.map((e) => (e.kind === 'cancel-order' ? e.clientOrderId : e.kind))).toEqual([
      OPEN[0]?.clientOrderId,
      OPEN[1]?.clientOrderId,
      'broker-logout',
    ]);
    expect(result.effects[0]).toMatchObject({ brokerOrderId: OPEN[0]?.brokerOrderId, exchange: 'NFO' });
  });

  it('a viewer cannot halt: refused with IF_ERR_RISK_FORBIDDEN, state unchanged', () => {
    const state = freshState();
    const result = step(state, { type: 'halt', atMs: T0, actor: VIEWER, reason: 'curious' });
    expect(result.state.trading).toEqual(state.trading);
    expect(result.events).toEqual([
      expect.objectContaining({ type: 'command-refused', command: 'halt', code: 'IF_ERR_RISK_FORBIDDEN' }),
    ]);
    expect(result.effects).toEqual([]);
  });

  it('when open orders are unknown it asks to cancel everything at the broker instead of a list', () => {
    const result = step(
      freshState(),
      { type: 'halt', atMs: T0, actor: TRADER, reason: 'x' },
      { status: 'unknown', reason: 'restart', lastKnown: { positions: [], openOrders: OPEN } },
    );
    expect(result.effects.map((e) => e.kind)).toEqual(['cancel-all-at-broker', 'broker-logout']);
  });

  it('after a halt new orders are denied and the cancels leave at most 10 per second', () => {
    const twenty = Array.from({ length: 20 }, (_, i) =>
      openOrder(NIFTY_CE, 'BUY', 65, { clientOrderId: `W${i}` }),
    );
    const halted = step(
      freshState(),
      { type: 'halt', atMs: T0, actor: TRADER, reason: 'x' },
      known([], twenty),
    );
    expect(evaluateOrder(halted.state, order(), context(), LIMITS).outcome).toBe('denied');
    let state = halted.state;
    const sendTimes: number[] = [];
    for (const effect of halted.effects) {
      if (effect.kind !== 'cancel-order') continue;
      const d = evaluateOrder(
        state,
        order({ action: 'cancel', clientOrderId: effect.clientOrderId }),
        context(),
        LIMITS,
      );
      if (d.outcome !== 'allowed') throw new Error('cancels always pass');
      sendTimes.push(d.sendAtMs);
      state = d.state;
    }
    expect(sendTimes.filter((t) => t === T0)).toHaveLength(10);
    expect(
      sendTimes.filter((t) => t === T0 + 1_000),
      'the next ten wait for the window',
    ).toHaveLength(10);
  });
});

describe('resume needs an admin', () => {
  const haltedState = () => step(freshState(), { type: 'halt', atMs: T0, actor: TRADER, reason: 'x' }).state;

  it('a trader may not resume: refused, still halted', () => {
    const result = step(haltedState(), {
      type: 'resume',
      atMs: T0 + 1,
      actor: TRADER,
      to: 'active',
      reason: 'ok now',
    });
    expect(result.state.trading.status).toBe('halted');
    expect(result.events[0]).toMatchObject({ type: 'command-refused', code: 'IF_ERR_RISK_FORBIDDEN' });
    expect(result.events[0]?.type === 'command-refused' && result.events[0].message).toBe(
      'asha (trader) may not resume: only an admin may resume trading',
    );
  });

  it('an admin resumes to active, or to reducing to flatten first', () => {
    const active = step(haltedState(), {
      type: 'resume',
      atMs: T0 + 1,
      actor: ADMIN,
      to: 'active',
      reason: 'checked',
    });
    expect(active.state.trading.status).toBe('active');
    expect(active.events[0]).toMatchObject({
      type: 'trading-state-changed',
      from: 'halted',
      to: 'active',
      trigger: 'resume',
      actor: ADMIN,
    });
    const reducing = step(haltedState(), {
      type: 'resume',
      atMs: T0 + 1,
      actor: ADMIN,
      to: 'reducing',
      reason: 'flatten',
    });
    expect(reducing.state.trading).toMatchObject({ status: 'reducing', trigger: 'manual' });
  });

  it('resuming what is already active is refused as a validation error, not silently ignored', () => {
    const result = step(freshState(), { type: 'resume', atMs: T0, actor: ADMIN, to: 'active', reason: 'x' });
    expect(result.events[0]).toMatchObject({ type: 'command-refused', code: 'IF_ERR_VALIDATION' });
  });

  it('a trader may restrict trading to reducing, but not lift a halt that way', () => {
    const reduced = step(freshState(), { type: 'reduce', atMs: T0, actor: TRADER, reason: 'nervous' });
    expect(reduced.state.trading.status).toBe('reducing');
    const fromHalt = step(haltedState(), { type: 'reduce', atMs: T0 + 1, actor: TRADER, reason: 'x' });
    expect(fromHalt.state.trading.status).toBe('halted');
  });
});

describe('reject storm (5 broker rejects within 10 s)', () => {
  function rejects(times: number[]) {
    let state = freshState();
    let last: RiskStepResult = { state, events: [], effects: [] };
    for (const t of times) {
      last = step(state, {
        type: 'broker-reject',
        atMs: t,
        clientOrderId: `R${t}`,
        reason: 'AB4036 price band',
      });
      state = last.state;
    }
    return last;
  }

  it('4 rejects leave trading active; the 5th inside 10 s halts and cancels open orders', () => {
    expect(rejects([0, 1, 2, 3].map((i) => T0 + i * 1_000)).state.trading.status).toBe('active');
    const storm = rejects([0, 1, 2, 3, 9.999].map((i) => T0 + i * 1_000));
    expect(storm.state.trading).toMatchObject({ status: 'halted', trigger: 'reject-storm' });
    expect(storm.effects.filter((e) => e.kind === 'cancel-order')).toHaveLength(2);
    expect(
      storm.effects.map((e) => e.kind),
      'automatic halts keep the session for an admin to act',
    ).not.toContain('broker-logout');
  });

  it('rejects spread over exactly 10 s are not a storm (the first has left the window)', () => {
    expect(rejects([0, 1, 2, 3, 10].map((i) => T0 + i * 1_000)).state.trading.status).toBe('active');
  });
});

describe('daily loss triggers (₹10,000 limit, reducing at 80%)', () => {
  it('₹7,999.99 keeps trading active, ₹8,000 reduces, ₹10,000 halts with cancels', () => {
    let state = freshState();
    state = step(state, observe(T0, loss(7_999.99))).state;
    expect(state.trading.status).toBe('active');
    const warned = step(state, observe(T0 + 1, loss(8_000)));
    expect(warned.state.trading).toMatchObject({ status: 'reducing', trigger: 'daily-loss-warning' });
    expect(warned.events[0]).toMatchObject({
      type: 'trading-state-changed',
      to: 'reducing',
      values: { lossPaise: 800_000 },
    });
    const breached = step(warned.state, observe(T0 + 2, loss(10_000)));
    expect(breached.state.trading).toMatchObject({ status: 'halted', trigger: 'daily-loss' });
    expect(breached.effects.filter((e) => e.kind === 'cancel-order')).toHaveLength(2);
  });

  it('fires once per breach: after an admin resumes to reducing the same breach does not halt again', () => {
    let state = step(freshState(), observe(T0, loss(10_000))).state;
    expect(state.trading.status).toBe('halted');
    state = step(state, {
      type: 'resume',
      atMs: T0 + 1,
      actor: ADMIN,
      to: 'reducing',
      reason: 'flatten',
    }).state;
    state = step(state, observe(T0 + 2, loss(10_500))).state;
    expect(state.trading.status, 'still the same breach').toBe('reducing');
    state = step(state, observe(T0 + 3, loss(9_000))).state;
    state = step(state, observe(T0 + 4, loss(10_000))).state;
    expect(state.trading.status, 'a new breach after recovering below the limit').toBe('halted');
  });

  it('unknown P&L changes nothing here (the gate itself fails closed on entries)', () => {
    const result = step(freshState(), observe(T0, { status: 'unknown', reason: 'no marks' }));
    expect(result.state.trading.status).toBe('active');
    expect(result.events).toEqual([]);
  });
});

describe('feed stale on held instruments', () => {
  it('halts when an instrument we hold goes stale', () => {
    const result = step(freshState(), observe(T0, loss(0), [NIFTY_CE.token]));
    expect(result.state.trading).toMatchObject({ status: 'halted', trigger: 'feed-stale' });
    expect(result.state.trading.status === 'halted' && result.state.trading.reason).toBe(
      'feed stale on held NIFTY27JAN2625000CE',
    );
  });

  it('ignores stale instruments we do not hold (or hold flat)', () => {
    const flat = known([position(NIFTY_CE, 65), position(NIFTY_CE, -65)], []);
    expect(step(freshState(), observe(T0, loss(0), [NIFTY_PE.token])).state.trading.status).toBe('active');
    expect(step(freshState(), observe(T0, loss(0), [NIFTY_CE.token]), flat).state.trading.status).toBe(
      'active',
    );
  });
});
