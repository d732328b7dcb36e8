import type { Paise } from '../../core/money.js';
import type { AuditDetails, ClientOrderId, Order, OrderId, OrderSide, OrderSpec } from './types.js';
import { isTerminal, oppositeSide } from './types.js';

/**
 * Brackets are ours, not the broker's: Angel's ROBO variety is not available to API algos under the 2026
 * rules, so the stop and the target are two ordinary orders we place, size and cancel ourselves (OCO).
 */

/** Exit prices for a bracket, in paise. */
export interface BracketSpec {
  /** stop-loss trigger */
  stopTriggerPaise: Paise;
  /** limit of the stop once triggered (limit orders only on Angel); beyond the trigger, away from the market */
  stopLimitPaise: Paise;
  /** limit price of the profit target */
  targetPaise: Paise;
}

/** What the planner looks at: the parent entry and the children placed so far. */
export interface BracketState {
  parent: Order;
  spec: BracketSpec;
  stop: Order | undefined;
  target: Order | undefined;
}

export type BracketRole = 'stop' | 'target';

export type BracketAction =
  /** create a child (give it ids with the usual generator, then run it through risk) */
  | { kind: 'place'; role: BracketRole; spec: OrderSpec }
  | { kind: 'modify'; role: BracketRole; orderId: OrderId; clientOrderId: ClientOrderId; quantity: number }
  | {
      kind: 'cancel';
      role: BracketRole | 'parent';
      orderId: OrderId;
      clientOrderId: ClientOrderId;
      reason: string;
    }
  /** something only a human (or the risk engine) can settle, e.g. units left without a stop */
  | { kind: 'alert'; message: string; details: AuditDetails };

/**
 * Why a spec cannot protect a position entered on `side`; undefined when it can. A long (BUY entry) needs
 * stop < target and a SELL stop limit at or below its trigger; a short the mirror image.
 */
export function bracketSpecError(side: OrderSide, spec: BracketSpec): string | undefined {
  const prices = [spec.stopTriggerPaise, spec.stopLimitPaise, spec.targetPaise];
  if (!prices.every((p) => Number.isSafeInteger(p) && p > 0)) {
    return 'bracket prices must be positive integers (paise)';
  }
  if (side === 'BUY') {
    if (spec.stopTriggerPaise >= spec.targetPaise) {
      return `stop ${spec.stopTriggerPaise} must be below target ${spec.targetPaise} for a long entry`;
    }
    if (spec.stopLimitPaise > spec.stopTriggerPaise) {
      return `sell stop limit ${spec.stopLimitPaise} must not exceed its trigger ${spec.stopTriggerPaise}`;
    }
  } else {
    if (spec.stopTriggerPaise <= spec.targetPaise) {
      return `stop ${spec.stopTriggerPaise} must be above target ${spec.targetPaise} for a short entry`;
    }
    if (spec.stopLimitPaise < spec.stopTriggerPaise) {
      return `buy stop limit ${spec.stopLimitPaise} must not be below its trigger ${spec.stopTriggerPaise}`;
    }
  }
  return undefined;
}

function childSpec(state: BracketState, role: BracketRole, quantity: number): OrderSpec {
  const { parent, spec } = state;
  return {
    instrument: parent.instrument,
    side: oppositeSide(parent.side),
    quantity,
    pricing:
      role === 'stop'
        ? {
            type: 'STOPLOSS_LIMIT',
            triggerPricePaise: spec.stopTriggerPaise,
            limitPricePaise: spec.stopLimitPaise,
          }
        : { type: 'LIMIT', limitPricePaise: spec.targetPaise },
    timeInForce: 'DAY',
    product: parent.product,
    link: { parentOrderId: parent.orderId, role },
  };
}

/** Statuses in which an answer is outstanding: the planner waits instead of piling on requests. */
function isBusy(order: Order): boolean {
  return (
    order.status === 'submitted' ||
    order.status === 'pending-modify' ||
    order.status === 'pending-cancel' ||
    order.status === 'unknown'
  );
}

/** Statuses a cancel can be sent from (a `new` child is cancelled locally, before it leaves). */
function isCancellable(order: Order): boolean {
  return (
    order.status === 'new' ||
    order.status === 'accepted' ||
    order.status === 'partially-filled' ||
    order.status === 'pending-modify'
  );
}

/**
 * The actions that bring the children in line with the parent's fills. Pure and idempotent: while a child
 * has a request in flight it gets no new one, so calling it again after every event never doubles up.
 *
 * - Each working child covers the open exposure: parent filled − stop filled − target filled.
 * - When either leg has taken the exposure to zero, the other leg and the parent's remainder are cancelled
 *   (one-cancels-other; an exit ends the bracket, it does not re-arm).
 * - A child that ended without covering the exposure (rejected, cancelled by the exchange) is not
 *   re-placed automatically, which could loop on a persistent reject; it raises an alert instead.
 */
export function planBracket(state: BracketState): BracketAction[] {
  const { parent, stop, target } = state;
  const actions: BracketAction[] = [];
  const specError = bracketSpecError(parent.side, state.spec);
  if (specError !== undefined) {
    return [{ kind: 'alert', message: `bracket ${parent.clientOrderId}: ${specError}`, details: {} }];
  }
  const exitFilled = (stop?.filledQuantity ?? 0) + (target?.filledQuantity ?? 0);
  const exposure = parent.filledQuantity - exitFilled;
  const exited = stop?.status === 'filled' || target?.status === 'filled';
  const children: [BracketRole, Order | undefined][] = [
    ['stop', stop],
    ['target', target],
  ];

  const cancelWorkingChildren = (reason: string) => {
    for (const [role, child] of children) {
      if (child !== undefined && isCancellable(child)) {
        actions.push({
          kind: 'cancel',
          role,
          orderId: child.orderId,
          clientOrderId: child.clientOrderId,
          reason,
        });
      }
    }
  };

  if (exposure < 0) {
    cancelWorkingChildren('exits exceed the entry');
    actions.push({
      kind: 'alert',
      message: `bracket ${parent.clientOrderId}: exits filled ${exitFilled} but the entry only ${parent.filledQuantity}`,
      details: { parentFilled: parent.filledQuantity, exitFilled },
    });
    return actions;
  }

  const cancelParent = () => {
    if (isCancellable(parent)) {
      actions.push({
        kind: 'cancel',
        role: 'parent',
        orderId: parent.orderId,
        clientOrderId: parent.clientOrderId,
        reason: 'bracket exited',
      });
    }
  };

  if (exposure === 0) {
    if (exitFilled > 0) {
      cancelWorkingChildren('the other leg closed the position');
      cancelParent();
    } else if (isTerminal(parent.status)) {
      cancelWorkingChildren('the entry ended without a position');
    }
    return actions;
  }

  // exposure > 0: the parent filled more than the exits so far
  if (exited) cancelParent();
  for (const [role, child] of children) {
    if (child === undefined) {
      actions.push(
        exited
          ? unprotected(parent, role, exposure, 'the entry filled again after the bracket exited')
          : { kind: 'place', role, spec: childSpec(state, role, exposure) },
      );
      continue;
    }
    if (isTerminal(child.status)) {
      const why =
        child.status === 'filled'
          ? `the entry filled again after ${role} order ${child.clientOrderId} closed the position`
          : `${role} order ${child.clientOrderId} is ${child.status}`;
      actions.push(unprotected(parent, role, exposure, why));
      continue;
    }
    if (isBusy(child) || child.status === 'new') continue;
    const desired = child.filledQuantity + exposure;
    if (child.quantity !== desired) {
      actions.push({
        kind: 'modify',
        role,
        orderId: child.orderId,
        clientOrderId: child.clientOrderId,
        quantity: desired,
      });
    }
  }
  return actions;
}

function unprotected(parent: Order, role: BracketRole, exposure: number, why: string): BracketAction {
  return {
    kind: 'alert',
    message: `bracket ${parent.clientOrderId}: ${exposure} units without a ${role} leg (${why})`,
    details: { role, exposure, parentClientOrderId: parent.clientOrderId },
  };
}
