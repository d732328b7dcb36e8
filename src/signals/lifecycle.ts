import type { Signal, SignalStatus, TerminalStatus } from './types.js';

export function isTerminal(status: SignalStatus): status is TerminalStatus {
  return status !== 'active';
}

function close(
  signal: Signal,
  status: TerminalStatus,
  atMs: number,
  reason: string,
  pricePaise?: number,
): Signal {
  return {
    ...signal,
    status,
    closed: { status, atMs, reason, ...(pricePaise === undefined ? {} : { pricePaise }) },
  };
}

/**
 * Moves an active signal on a price of its instrument (paise) at `atMs` (epoch ms): expired once
 * `atMs ≥ validUntilMs` (checked first: an expired signal is no longer a recommendation), else target-hit
 * or stopped when the price touches a level. A signal gains upward when its target is above its entry
 * (bought options, long futures) and downward otherwise (short futures). Terminal signals, non-positive
 * or non-finite prices and times before creation return the signal unchanged.
 */
export function onPrice(signal: Signal, pricePaise: number, atMs: number): Signal {
  if (isTerminal(signal.status)) return signal;
  if (
    !Number.isFinite(pricePaise) ||
    pricePaise <= 0 ||
    !Number.isFinite(atMs) ||
    atMs < signal.createdAtMs
  ) {
    return signal;
  }
  if (atMs >= signal.validUntilMs)
    return close(signal, 'expired', atMs, 'validity window elapsed', pricePaise);
  const gainsUp = signal.targetPaise > signal.entryPaise;
  const hitTarget = gainsUp ? pricePaise >= signal.targetPaise : pricePaise <= signal.targetPaise;
  const hitStop = gainsUp ? pricePaise <= signal.stopPaise : pricePaise >= signal.stopPaise;
  if (hitTarget) return close(signal, 'target-hit', atMs, `price ${pricePaise} reached target`, pricePaise);
  if (hitStop) return close(signal, 'stopped', atMs, `price ${pricePaise} reached stop`, pricePaise);
  return signal;
}

/** Expires an active signal on a clock tick with no price (epoch ms). */
export function onTime(signal: Signal, atMs: number): Signal {
  if (isTerminal(signal.status) || atMs < signal.validUntilMs) return signal;
  return close(signal, 'expired', atMs, 'validity window elapsed');
}

/** Cancels an active signal (operator, risk halt, superseded); a terminal signal stays as it is. */
export function cancel(signal: Signal, reason: string, atMs: number): Signal {
  if (isTerminal(signal.status)) return signal;
  return close(signal, 'cancelled', atMs, reason);
}
