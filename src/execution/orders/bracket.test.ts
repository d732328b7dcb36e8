import { describe, expect, it } from 'vitest';
import { paise } from '../../core/money.js';
import { type BracketSpec, type BracketState, bracketSpecError, planBracket } from './bracket.js';
import { createOrder } from './stateMachine.js';
import { ev, limitSpec, newOrder, run } from './testkit.js';
import { type ClientOrderId, type Order, type OrderSpec, orderId } from './types.js';

const LONG_SPEC: BracketSpec = {
  stopTriggerPaise: paise(9_000),
  stopLimitPaise: paise(8_900),
  targetPaise: paise(12_000),
};

let childCounter = 0;
function child(spec: OrderSpec): Order {
  childCounter += 1;
  const result = createOrder(
    spec,
    { orderId: orderId(`c-${childCounter}`), clientOrderId: `IFC${childCounter}` as ClientOrderId },
    Date.UTC(2026, 0, 20, 5),
  );
  if (!result.ok) throw new Error(result.refusal.message);
  return result.order;
}

/** Places the children the planner asks for and returns the new bracket state. */
function placeChildren(state: BracketState): BracketState {
  let next = state;
  for (const action of planBracket(state)) {
    if (action.kind !== 'place') continue;
    const order = run(child(action.spec), ev.submit(), ev.accept(`B-${action.role}`));
    next = { ...next, [action.role]: order };
  }
  return next;
}

describe('bracket planner', () => {
  it('places a stop (SL-L) and a target (LIMIT) on the opposite side for the filled quantity', () => {
    const parent = run(newOrder(), ev.submit(), ev.accept(), ev.fill(65, 10_000));
    const actions = planBracket({ parent, spec: LONG_SPEC, stop: undefined, target: undefined });
    expect(actions).toHaveLength(2);
    const [stop, target] = actions;
    expect(stop).toMatchObject({
      kind: 'place',
      role: 'stop',
      spec: {
        side: 'SELL',
        quantity: 65,
        pricing: { type: 'STOPLOSS_LIMIT', triggerPricePaise: 9_000, limitPricePaise: 8_900 },
        link: { parentOrderId: parent.orderId, role: 'stop' },
      },
    });
    expect(target).toMatchObject({
      kind: 'place',
      role: 'target',
      spec: { side: 'SELL', quantity: 65, pricing: { type: 'LIMIT', limitPricePaise: 12_000 } },
    });
  });

  it('does nothing before the parent fills', () => {
    const parent = run(newOrder(), ev.submit(), ev.accept());
    expect(planBracket({ parent, spec: LONG_SPEC, stop: undefined, target: undefined })).toEqual([]);
  });

  it('tops the children up as the parent fills further', () => {
    let state: BracketState = {
      parent: run(newOrder(), ev.submit(), ev.accept(), ev.fill(65)),
      spec: LONG_SPEC,
      stop: undefined,
      target: undefined,
    };
    state = placeChildren(state);
    state = { ...state, parent: run(state.parent, ev.fill(65)) };
    const actions = planBracket(state);
    expect(actions.map((a) => a.kind === 'modify' && [a.role, a.quantity])).toEqual([
      ['stop', 130],
      ['target', 130],
    ]);
  });

  it('is idempotent while a request is in flight: no second modify for a pending child', () => {
    let state = placeChildren({
      parent: run(newOrder(), ev.submit(), ev.accept(), ev.fill(65)),
      spec: LONG_SPEC,
      stop: undefined,
      target: undefined,
    });
    state = { ...state, parent: run(state.parent, ev.fill(65)) };
    const stop = state.stop;
    if (stop === undefined) throw new Error('stop placed');
    state = { ...state, stop: run(stop, ev.modify({ quantity: 130 })) };
    const actions = planBracket(state);
    expect(
      actions.filter((a) => a.kind === 'modify').map((a) => a.role),
      'only the target',
    ).toEqual(['target']);
  });

  it('one-cancels-other: a filled target cancels the stop', () => {
    let state = placeChildren({
      parent: run(newOrder(), ev.submit(), ev.accept(), ev.fill(130)),
      spec: LONG_SPEC,
      stop: undefined,
      target: undefined,
    });
    const target = state.target;
    if (target === undefined) throw new Error('target placed');
    state = { ...state, target: run(target, ev.fill(130, 12_000, 'X1', 'B-target')) };
    const actions = planBracket(state);
    expect(actions).toEqual([
      expect.objectContaining({ kind: 'cancel', role: 'stop', orderId: state.stop?.orderId }),
    ]);
  });

  it('a partly filled target shrinks the stop to the units still open', () => {
    let state = placeChildren({
      parent: run(newOrder(), ev.submit(), ev.accept(), ev.fill(130)),
      spec: LONG_SPEC,
      stop: undefined,
      target: undefined,
    });
    const target = state.target;
    if (target === undefined) throw new Error('target placed');
    state = { ...state, target: run(target, ev.fill(65, 12_000, 'X1', 'B-target')) };
    expect(planBracket(state)).toEqual([
      expect.objectContaining({ kind: 'modify', role: 'stop', quantity: 65 }),
    ]);
  });

  it('a stopped-out bracket cancels the target and the unfilled rest of the entry', () => {
    let state = placeChildren({
      parent: run(newOrder(limitSpec({ quantity: 195 })), ev.submit(), ev.accept(), ev.fill(65)),
      spec: LONG_SPEC,
      stop: undefined,
      target: undefined,
    });
    const stop = state.stop;
    if (stop === undefined) throw new Error('stop placed');
    state = { ...state, stop: run(stop, ev.fill(65, 8_950, 'S1', 'B-stop')) };
    const kinds = planBracket(state).map((a) => (a.kind === 'cancel' ? a.role : a.kind));
    expect(kinds.sort()).toEqual(['parent', 'target']);
  });

  it('a rejected stop leaves units unprotected: an alert, not an automatic re-place', () => {
    let state = placeChildren({
      parent: run(newOrder(), ev.submit(), ev.accept(), ev.fill(130)),
      spec: LONG_SPEC,
      stop: undefined,
      target: undefined,
    });
    const stop = state.stop;
    if (stop === undefined) throw new Error('stop placed');
    state = { ...state, stop: run(stop, ev.reject('broker')) };
    const actions = planBracket(state);
    expect(actions).toEqual([expect.objectContaining({ kind: 'alert' })]);
    expect(actions[0]?.kind === 'alert' && actions[0].message).toContain('130 units without a stop leg');
  });

  it('a parent cancelled without fills cancels nothing and places nothing', () => {
    const parent = run(newOrder(), ev.submit(), ev.accept(), ev.cancelled());
    expect(planBracket({ parent, spec: LONG_SPEC, stop: undefined, target: undefined })).toEqual([]);
  });

  it('checks that the prices protect the side: long needs stop < target, short the reverse', () => {
    expect(bracketSpecError('BUY', LONG_SPEC)).toBeUndefined();
    expect(bracketSpecError('SELL', LONG_SPEC)).toContain('must be above target');
    expect(
      bracketSpecError('BUY', { ...LONG_SPEC, stopLimitPaise: paise(9_100) }),
      'a sell stop limit above its trigger would never protect',
    ).toContain('must not exceed');
    expect(
      bracketSpecError('SELL', {
        stopTriggerPaise: paise(11_000),
        stopLimitPaise: paise(11_100),
        targetPaise: paise(8_000),
      }),
    ).toBeUndefined();
  });
});
