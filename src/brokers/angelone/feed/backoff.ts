import { IfError } from '../../../core/errors.js';

/**
 * Reconnect policy (reliability-and-security.md §1.4): 1, 2, 4, 8, 16, 30 s, capped at 30 s while the
 * market is open (60 s outside), ±20 % jitter, unlimited retries, reset once a connection stays up.
 */
export interface BackoffPolicy {
  /** first delay, ms */
  initialMs: number;
  /** cap on the base delay while the market is open, ms */
  maxMs: number;
  /** relative spread around the base delay, 0 ≤ jitter < 1 (0.2 = ±20 %) */
  jitter: number;
  /** cap on the base delay while the market is closed, ms */
  closedMarketMaxMs: number;
  /** a connection that stays open this long resets the backoff, ms */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = {
  initialMs: 1000,
  maxMs: 30_000,
  jitter: 0.2,
  closedMarketMaxMs: 60_000,
  resetAfterMs: 10_000,
};

/** Fills in defaults and rejects policies that would hot-loop or never retry. */
export function resolveBackoff(partial: Partial<BackoffPolicy> | undefined): BackoffPolicy {
  const policy = { ...DEFAULT_BACKOFF, ...partial };
  const problems: string[] = [];
  if (!(policy.initialMs > 0)) problems.push(`initialMs must be > 0 (got ${policy.initialMs})`);
  if (!(policy.maxMs >= policy.initialMs)) problems.push(`maxMs must be ≥ initialMs (got ${policy.maxMs})`);
  if (!(policy.closedMarketMaxMs >= policy.initialMs))
    problems.push(`closedMarketMaxMs must be ≥ initialMs (got ${policy.closedMarketMaxMs})`);
  if (!(policy.jitter >= 0 && policy.jitter < 1))
    problems.push(`jitter must be in [0, 1) (got ${policy.jitter})`);
  if (!(policy.resetAfterMs > 0)) problems.push(`resetAfterMs must be > 0 (got ${policy.resetAfterMs})`);
  if (problems.length > 0)
    throw new IfError('IF_ERR_VALIDATION', { detail: `backoff: ${problems.join('; ')}` });
  return policy;
}

/**
 * Delay in ms before retry number `step` (0-based within one outage): `initialMs · 2^step`, capped at
 * `capMs`, then spread by ±jitter using `random` ∈ [0, 1). The cap applies before the jitter so that
 * clients stuck at the cap do not all retry in the same instant (0.5 gives the exact base delay).
 */
export function backoffDelayMs(step: number, capMs: number, policy: BackoffPolicy, random: number): number {
  // 2^40 s is already far past any cap; bounding the exponent keeps the product finite
  const base = Math.min(capMs, policy.initialMs * 2 ** Math.min(Math.max(0, step), 40));
  const spread = 1 + policy.jitter * (2 * Math.min(Math.max(random, 0), 1) - 1);
  return Math.max(0, Math.round(base * spread));
}
