import { IfError } from '../../core/errors.js';

/**
 * Raw SVI for one expiry (Gatheral 2004): w(k) = a + b·{ρ(k − m) + √((k − m)² + σ²)}, with k = ln(K/F)
 * and w the total implied variance σ_imp²·T. Valid when b ≥ 0, |ρ| < 1, σ > 0 and a + bσ√(1−ρ²) ≥ 0.
 */
export interface SviParams {
  /** level of total variance (dimensionless, same unit as w) */
  readonly a: number;
  /** wing steepness; the wings have slopes b(1 ± ρ) in w per unit k */
  readonly b: number;
  /** skew, in (−1, 1); negative for the usual index put skew */
  readonly rho: number;
  /** horizontal shift, in log-moneyness */
  readonly m: number;
  /** curvature at the vertex, in log-moneyness; > 0 */
  readonly sigma: number;
}

/** Total implied variance w = σ²T (dimensionless) of a raw SVI slice at log-moneyness k = ln(K/F). */
export function sviTotalVariance(params: SviParams, k: number): number {
  const x = k - params.m;
  return params.a + params.b * (params.rho * x + Math.sqrt(x * x + params.sigma * params.sigma));
}

/** Implied volatility (annualised, 0.12 = 12%) of a raw SVI slice at k = ln(K/F), for `timeYears` > 0. */
export function sviImpliedVol(params: SviParams, k: number, timeYears: number): number {
  if (!(timeYears > 0) || !Number.isFinite(timeYears)) {
    throw new IfError('IF_ERR_VALIDATION', { detail: `time to expiry must be > 0 years, got ${timeYears}` });
  }
  const w = sviTotalVariance(params, k);
  if (!(w >= 0)) {
    throw new IfError('IF_ERR_VALIDATION', { detail: `SVI total variance is negative (${w}) at k=${k}` });
  }
  return Math.sqrt(w / timeYears);
}

/**
 * Durrleman's g(k) = (1 − k w'/(2w))² − (w'²/4)(1/w + 1/4) + w''/2 (dimensionless); the slice is free of
 * butterfly arbitrage where g ≥ 0. Derivatives are analytic, so g is exact up to rounding.
 * Returns −Infinity where w ≤ 0, since no density exists there.
 */
export function sviDurrlemanG(params: SviParams, k: number): number {
  const x = k - params.m;
  const root = Math.sqrt(x * x + params.sigma * params.sigma);
  const w = params.a + params.b * (params.rho * x + root);
  if (!(w > 0)) return Number.NEGATIVE_INFINITY;
  const w1 = params.b * (params.rho + x / root);
  const w2 = (params.b * params.sigma * params.sigma) / (root * root * root);
  const first = 1 - (k * w1) / (2 * w);
  return first * first - ((w1 * w1) / 4) * (1 / w + 0.25) + w2 / 2;
}

/** The smallest total variance of the slice and where it sits: k* = m − ρσ/√(1−ρ²). */
export function sviMinimum(params: SviParams): { readonly k: number; readonly w: number } {
  const s = Math.sqrt(1 - params.rho * params.rho);
  return {
    k: params.m - (params.rho * params.sigma) / s,
    w: params.a + params.b * params.sigma * s,
  };
}

/**
 * The raw-SVI validity conditions a slice breaks (empty when valid): b ≥ 0, |ρ| < 1, σ > 0, a finite,
 * minimum total variance ≥ 0 and Roger Lee's wing bound b(1 + |ρ|) ≤ 2. Butterfly freedom needs more;
 * see `butterflyArbitrage`.
 */
export function sviViolations(params: SviParams): readonly string[] {
  const out: string[] = [];
  const { a, b, rho, m, sigma } = params;
  if (![a, b, rho, m, sigma].every(Number.isFinite)) return ['parameters must be finite'];
  if (b < 0) out.push(`b must be >= 0, got ${b}`);
  if (!(Math.abs(rho) < 1)) out.push(`|rho| must be < 1, got ${rho}`);
  if (!(sigma > 0)) out.push(`sigma must be > 0, got ${sigma}`);
  if (out.length === 0) {
    const min = sviMinimum(params).w;
    // A relative slack so a fit that sits exactly on the boundary is not flagged for rounding.
    if (min < -1e-12 * Math.max(Math.abs(a), b * sigma))
      out.push(`minimum total variance is negative (${min})`);
    if (b * (1 + Math.abs(rho)) > 2 + 1e-12)
      out.push(`Lee wing bound b(1+|rho|) <= 2 broken (${b * (1 + Math.abs(rho))})`);
  }
  return out;
}
