/**
 * The simulator's own small pricer: Black-76 on total variance and an SSVI smile expressed as raw SVI.
 * Kept here on purpose; the options library proper lives in src/options and is tested against it later.
 */

import type { SviParameters } from './types.js';

const INV_SQRT_2PI = 0.3989422804014327;

/**
 * Standard normal CDF, Hart (1968) algorithm 5666 as given by West (2005): double precision (~1e-14
 * absolute), no erf needed.
 */
export function normCdf(x: number): number {
  const z = Math.abs(x);
  let tail = 0;
  if (z <= 37) {
    const e = Math.exp((-z * z) / 2);
    if (z < 7.07106781186547) {
      let n = 3.52624965998911e-2 * z + 0.700383064443688;
      n = n * z + 6.37396220353165;
      n = n * z + 33.912866078383;
      n = n * z + 112.079291497871;
      n = n * z + 221.213596169931;
      n = n * z + 220.206867912376;
      let d = 8.83883476483184e-2 * z + 1.75566716318264;
      d = d * z + 16.064177579207;
      d = d * z + 86.7807322029461;
      d = d * z + 296.564248779674;
      d = d * z + 637.333633378831;
      d = d * z + 793.826512519948;
      d = d * z + 440.413735824752;
      tail = (e * n) / d;
    } else {
      let f = z + 0.65;
      f = z + 4 / f;
      f = z + 3 / f;
      f = z + 2 / f;
      f = z + 1 / f;
      tail = (e / f) * INV_SQRT_2PI;
    }
  }
  return x <= 0 ? tail : 1 - tail;
}

/**
 * Black-76 price of a European option on a forward, from total variance `w = σ²T` (not σ) and the
 * discount factor. Units follow `forward` and `strike` (rupees in, rupees out).
 */
export function black76(
  forward: number,
  strike: number,
  totalVariance: number,
  discount: number,
  isCall: boolean,
): number {
  if (!(totalVariance > 0)) {
    const intrinsic = isCall ? forward - strike : strike - forward;
    return discount * Math.max(0, intrinsic);
  }
  const sd = Math.sqrt(totalVariance);
  const d1 = Math.log(forward / strike) / sd + sd / 2;
  const d2 = d1 - sd;
  return isCall
    ? discount * (forward * normCdf(d1) - strike * normCdf(d2))
    : discount * (strike * normCdf(-d2) - forward * normCdf(-d1));
}

/** Total implied variance of a raw SVI slice at log-moneyness `k = ln(K/F)`. */
export function sviTotalVariance(svi: SviParameters, k: number): number {
  const x = k - svi.m;
  return svi.a + svi.b * (svi.rho * x + Math.sqrt(x * x + svi.sigma * svi.sigma));
}

/**
 * The SSVI slice (Gatheral–Jacquier, power-law φ = η/(θ^γ(1+θ)^{1−γ})) of ATM total variance θ, written as
 * raw SVI. Butterfly-free when η(1 + |ρ|) ≤ 2 and γ ≤ ½ (reference §3.2).
 */
export function ssviSlice(atmTotalVariance: number, rho: number, eta: number, gamma: number): SviParameters {
  const theta = atmTotalVariance;
  const phi = eta / (theta ** gamma * (1 + theta) ** (1 - gamma));
  return {
    a: (theta / 2) * (1 - rho * rho),
    b: (theta * phi) / 2,
    rho,
    m: -rho / phi,
    sigma: Math.sqrt(1 - rho * rho) / phi,
  };
}

/**
 * Heston's expected average variance over the next `years`: θ + (v − θ)(1 − e^{−κT})/(κT). This gives the
 * smile its term structure from the current stochastic variance.
 */
export function expectedAverageVariance(
  variance: number,
  longRun: number,
  kappa: number,
  years: number,
): number {
  const kt = kappa * years;
  if (kt < 1e-8) return variance;
  return longRun + ((variance - longRun) * (1 - Math.exp(-kt))) / kt;
}
