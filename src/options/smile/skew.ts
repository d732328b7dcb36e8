import { IfError } from '../../core/errors.js';
import { normCdf } from './normal.js';
import { type SviParams, sviImpliedVol, sviTotalVariance } from './svi.js';

/**
 * ATM-forward implied volatility (annualised): σ at k = ln(K/F) = 0 read off the fitted smile, the
 * reference's preferred ATM definition (§3.4); not the nearest-strike IV most Indian UIs show.
 */
export function atmImpliedVol(params: SviParams, timeYears: number): number {
  return sviImpliedVol(params, 0, timeYears);
}

/**
 * Log-moneyness k = ln(K/F) of the strike whose undiscounted forward delta on the smile is `delta`:
 * N(d1) = delta for a call, N(−d1) = |delta| for a put, with d1 = −k/√w(k) + √w(k)/2. σ depends on K,
 * so k is solved on the smile (bracket, then bisection to rounding) rather than in closed form.
 * Undiscounted forward delta is the convention of reference §3.4; it differs from Black-76's D·N(d1)
 * by under 0.6% for expiries within 30 days. `delta` is the magnitude, in (0, 1), e.g. 0.25.
 */
export function deltaStrike(
  params: SviParams,
  timeYears: number,
  delta: number,
  side: 'call' | 'put',
): number {
  if (!(timeYears > 0) || !Number.isFinite(timeYears)) {
    throw new IfError('IF_ERR_VALIDATION', { detail: `time to expiry must be > 0 years, got ${timeYears}` });
  }
  if (!(delta > 0 && delta < 1)) {
    throw new IfError('IF_ERR_VALIDATION', { detail: `delta must be in (0, 1), got ${delta}` });
  }
  // A put of delta |Δ| has call delta 1 − |Δ| at the same strike (forward deltas), so one solver serves.
  const target = side === 'call' ? delta : 1 - delta;
  const callDelta = (k: number): number => {
    const w = sviTotalVariance(params, k);
    if (!(w > 0)) return k < 0 ? 1 : 0;
    const s = Math.sqrt(w);
    return normCdf(-k / s + s / 2);
  };
  // Call delta falls as k rises on any sane smile; bracket the root by doubling steps away from k = 0.
  const step = Math.max(Math.sqrt(Math.max(sviTotalVariance(params, 0), 0)), 1e-4);
  let lo = 0;
  let hi = 0;
  if (callDelta(0) > target) {
    hi = step;
    for (let i = 0; i < 60 && callDelta(hi) > target; i++) {
      lo = hi;
      hi *= 2;
    }
  } else {
    lo = -step;
    for (let i = 0; i < 60 && callDelta(lo) < target; i++) {
      hi = lo;
      lo *= 2;
    }
  }
  for (let i = 0; i < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(lo)); i++) {
    const mid = (lo + hi) / 2;
    if (callDelta(mid) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The delta-quoted shape of a smile: every number an annualised vol except the strikes. */
export interface DeltaSkew {
  /** the delta magnitude used, e.g. 0.25 */
  readonly delta: number;
  readonly atmIv: number;
  /** k = ln(K/F) of the call and put strikes of that delta */
  readonly callK: number;
  readonly putK: number;
  readonly callIv: number;
  readonly putIv: number;
  /** σ(Δ call) − σ(Δ put); negative for the usual index put skew */
  readonly riskReversal: number;
  /** smile strangle: ½[σ(Δ call) + σ(Δ put)] − σ_ATM (equity-index convention, not the FX broker fly) */
  readonly butterfly: number;
}

/** ATM IV, the `delta` call and put strikes and vols, risk reversal and butterfly of a fitted smile. */
export function deltaSkew(params: SviParams, timeYears: number, delta = 0.25): DeltaSkew {
  const callK = deltaStrike(params, timeYears, delta, 'call');
  const putK = deltaStrike(params, timeYears, delta, 'put');
  const atmIv = atmImpliedVol(params, timeYears);
  const callIv = sviImpliedVol(params, callK, timeYears);
  const putIv = sviImpliedVol(params, putK, timeYears);
  return {
    delta,
    atmIv,
    callK,
    putK,
    callIv,
    putIv,
    riskReversal: callIv - putIv,
    butterfly: (callIv + putIv) / 2 - atmIv,
  };
}

/** 25-delta risk reversal σ(25Δ call) − σ(25Δ put), in annualised vol (−0.02 = −2 vol points). */
export function riskReversal25d(params: SviParams, timeYears: number): number {
  return deltaSkew(params, timeYears, 0.25).riskReversal;
}

/** 25-delta butterfly ½[σ(25Δ call) + σ(25Δ put)] − σ_ATM, in annualised vol. */
export function butterfly25d(params: SviParams, timeYears: number): number {
  return deltaSkew(params, timeYears, 0.25).butterfly;
}
