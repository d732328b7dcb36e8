import { IfError } from '../core/errors.js';
import { netPosition, usableLists } from './exposure.js';
import { rupees } from './format.js';
import {
  type Actor,
  type ExposureView,
  type HaltTrigger,
  type ReduceTrigger,
  type RiskCommand,
  type RiskEffect,
  type RiskEvent,
  type RiskLimits,
  type RiskState,
  type RiskStepResult,
  SYSTEM_ACTOR,
  type TradingState,
} from './types.js';

type Values = Readonly<Record<string, number | string | boolean>>;

class Step {
  readonly events: RiskEvent[] = [];
  readonly effects: RiskEffect[] = [];
  constructor(public state: RiskState) {}

  private nextSeq(): number {
    this.state = { ...this.state, seq: this.state.seq + 1 };
    return this.state.seq;
  }

  moveTo(
    trading: TradingState,
    trigger: HaltTrigger | ReduceTrigger | 'resume',
    actor: Actor,
    atMs: number,
    values: Values,
  ): void {
    const from = this.state.trading.status;
    this.state = { ...this.state, trading };
    const reason = trading.status === 'active' ? 'resumed' : trading.reason;
    this.events.push({
      type: 'trading-state-changed',
      seq: this.nextSeq(),
      atMs,
      from,
      to: trading.status,
      trigger,
      reason,
      actor,
      values,
    });
  }

  refuse(command: RiskCommand['type'], actor: Actor, atMs: number, forbidden: boolean, detail: string): void {
    const code = forbidden ? 'IF_ERR_RISK_FORBIDDEN' : 'IF_ERR_VALIDATION';
    const message = forbidden
      ? new IfError('IF_ERR_RISK_FORBIDDEN', { actor: actor.id, role: actor.role, command, detail }).message
      : new IfError('IF_ERR_VALIDATION', { detail }).message;
    this.events.push({ type: 'command-refused', seq: this.nextSeq(), atMs, command, actor, code, message });
  }

  result(): RiskStepResult {
    return { state: this.state, events: this.events, effects: this.effects };
  }
}

/**
 * Halts trading and lists what the caller must do: cancel every working order (each cancel still goes
 * through `evaluateOrder`, which paces it inside the rate windows), then optionally end the broker session.
 */
function halt(
  step: Step,
  trigger: HaltTrigger,
  reason: string,
  actor: Actor,
  atMs: number,
  exposure: ExposureView,
  limits: RiskLimits,
  values: Values,
): void {
  step.moveTo({ status: 'halted', sinceMs: atMs, trigger, reason }, trigger, actor, atMs, values);
  step.state = { ...step.state, rejectTimes: [] };
  if (exposure.status === 'known') {
    for (const o of exposure.openOrders) {
      const effect: RiskEffect = {
        kind: 'cancel-order',
        clientOrderId: o.clientOrderId,
        token: o.token,
        exchange: o.exchange,
      };
      if (o.brokerOrderId !== undefined) effect.brokerOrderId = o.brokerOrderId;
      step.effects.push(effect);
    }
  } else {
    // our list may miss orders (that is why it is unknown): the broker's book is the one to clear
    step.effects.push({
      kind: 'cancel-all-at-broker',
      reason: `halted while orders are unknown: ${exposure.reason}`,
    });
  }
  if (limits.logoutOnHalt === 'always' || (limits.logoutOnHalt === 'manual' && trigger === 'manual')) {
    step.effects.push({ kind: 'broker-logout', reason });
  }
}

function canHalt(actor: Actor): boolean {
  return actor.role === 'trader' || actor.role === 'admin' || actor.role === 'system';
}

/**
 * The kill switch and trading-state machine (active → reducing → halted). Pure: state in, state out.
 * - `halt`: a trader or admin stops everything: halted, cancels for every open order, broker logout.
 * - `reduce`: a trader or admin allows only exposure-reducing orders.
 * - `resume`: only an admin leaves halted or reducing, to active or reducing.
 * - `broker-reject`: N rejects within M ms (a reject storm) halt automatically.
 * - `observe`: today's loss at the limit halts, at the warning share reduces (each once per breach); a
 *   stale feed on an instrument we hold halts (and again after a resume while it is still stale, since
 *   holding positions blind is the thing to prevent).
 * Every state change and every refused command is an event.
 */
export function stepRisk(
  state: RiskState,
  command: RiskCommand,
  exposure: ExposureView,
  limits: RiskLimits,
): RiskStepResult {
  const step = new Step(state);
  const status = state.trading.status;
  switch (command.type) {
    case 'halt': {
      if (!canHalt(command.actor)) {
        step.refuse('halt', command.actor, command.atMs, true, 'only traders and admins may halt trading');
        break;
      }
      if (status === 'halted') {
        step.refuse('halt', command.actor, command.atMs, false, 'trading is already halted');
        break;
      }
      halt(step, 'manual', command.reason, command.actor, command.atMs, exposure, limits, {});
      break;
    }

    case 'reduce': {
      if (!canHalt(command.actor)) {
        step.refuse(
          'reduce',
          command.actor,
          command.atMs,
          true,
          'only traders and admins may restrict trading',
        );
        break;
      }
      if (status !== 'active') {
        step.refuse('reduce', command.actor, command.atMs, false, `trading is ${status}, not active`);
        break;
      }
      step.moveTo(
        { status: 'reducing', sinceMs: command.atMs, trigger: 'manual', reason: command.reason },
        'manual',
        command.actor,
        command.atMs,
        {},
      );
      break;
    }

    case 'resume': {
      if (command.actor.role !== 'admin') {
        step.refuse('resume', command.actor, command.atMs, true, 'only an admin may resume trading');
        break;
      }
      if (status === 'active' || status === command.to) {
        step.refuse('resume', command.actor, command.atMs, false, `trading is already ${status}`);
        break;
      }
      const next: TradingState =
        command.to === 'active'
          ? { status: 'active', sinceMs: command.atMs }
          : { status: 'reducing', sinceMs: command.atMs, trigger: 'manual', reason: command.reason };
      step.moveTo(next, 'resume', command.actor, command.atMs, { reason: command.reason });
      step.state = { ...step.state, rejectTimes: [] };
      break;
    }

    case 'broker-reject': {
      const { count, windowMs } = limits.rejectStorm;
      const rejectTimes = [...state.rejectTimes.filter((t) => t > command.atMs - windowMs), command.atMs];
      step.state = { ...step.state, rejectTimes };
      if (rejectTimes.length >= count && status !== 'halted') {
        halt(
          step,
          'reject-storm',
          `${rejectTimes.length} broker rejects within ${windowMs / 1_000} s (last: ${command.reason})`,
          SYSTEM_ACTOR,
          command.atMs,
          exposure,
          limits,
          { rejects: rejectTimes.length, windowMs, lastClientOrderId: command.clientOrderId },
        );
      }
      break;
    }

    case 'observe':
      observe(step, command, exposure, limits);
      break;
  }
  return step.result();
}

function observe(
  step: Step,
  command: Extract<RiskCommand, { type: 'observe' }>,
  exposure: ExposureView,
  limits: RiskLimits,
): void {
  const atMs = command.atMs;
  if (command.pnl.status === 'known') {
    const loss = -(command.pnl.realisedPaise + command.pnl.unrealisedPaise);
    const limit = limits.maxDailyLossPaise;
    const warnAt = limit * limits.dailyLossReduceFraction;
    let latched = step.state.latched;
    // a breach re-arms once the loss has recovered below its level (a new day starts at zero)
    if (loss < limit && latched.dailyLossHalt) latched = { ...latched, dailyLossHalt: false };
    if (loss < warnAt && latched.dailyLossReduce) latched = { ...latched, dailyLossReduce: false };
    step.state = { ...step.state, latched };
    const values = { lossPaise: loss, maxDailyLossPaise: limit };
    if (loss >= limit && !latched.dailyLossHalt) {
      step.state = {
        ...step.state,
        latched: { ...step.state.latched, dailyLossHalt: true, dailyLossReduce: true },
      };
      if (step.state.trading.status !== 'halted') {
        halt(
          step,
          'daily-loss',
          `today's loss ${rupees(loss)} reached the limit ${rupees(limit)}`,
          SYSTEM_ACTOR,
          atMs,
          exposure,
          limits,
          values,
        );
      }
    } else if (loss >= warnAt && !latched.dailyLossReduce) {
      step.state = { ...step.state, latched: { ...step.state.latched, dailyLossReduce: true } };
      if (step.state.trading.status === 'active') {
        step.moveTo(
          {
            status: 'reducing',
            sinceMs: atMs,
            trigger: 'daily-loss-warning',
            reason: `today's loss ${rupees(loss)} is ${Math.round((loss / limit) * 100)}% of the limit ${rupees(limit)}`,
          },
          'daily-loss-warning',
          SYSTEM_ACTOR,
          atMs,
          values,
        );
      }
    }
  }

  if (step.state.trading.status === 'halted' || command.staleTokens.length === 0) return;
  const lists = usableLists(exposure);
  if (lists === undefined) return;
  const stale = new Set(command.staleTokens);
  const held = [...new Set(lists.positions.filter((p) => stale.has(p.token)).map((p) => p.token))].filter(
    (token) => netPosition(lists, token) !== 0,
  );
  if (held.length === 0) return;
  const symbols = held.map((token) => lists.positions.find((p) => p.token === token)?.symbol ?? token);
  halt(step, 'feed-stale', `feed stale on held ${symbols.join(', ')}`, SYSTEM_ACTOR, atMs, exposure, limits, {
    staleHeld: symbols.join(','),
  });
}
