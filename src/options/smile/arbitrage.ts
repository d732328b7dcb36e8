import { IfError } from '../../core/errors.js';
import { type SviParams, sviDurrlemanG, sviTotalVariance } from './svi.js';

/** A log-moneyness grid: `steps` + 1 evenly spaced points from `kMin` to `kMax` inclusive. */
export interface KGrid {
  readonly kMin: number;
  readonly kMax: number;
  readonly steps: number;
}

/**
 * Default check grid, k = ln(K/F) in [−1.5, 1.5] every 0.00075. Wide enough to hold the arbitrage of
 * monthly and longer slices, whose wings sit far from the money; fine enough for weekly NIFTY slices,
 * whose σ is about 0.01.
 */
export const DEFAULT_K_GRID: KGrid = { kMin: -1.5, kMax: 1.5, steps: 4000 };

/** A closed interval of log-moneyness, [from, to], where a condition fails at every grid point. */
export interface KInterval {
  readonly from: number;
  readonly to: number;
}

export interface ArbitrageCheck {
  /** true when no grid point breaks the condition */
  readonly arbitrageFree: boolean;
  /** the smallest value of the checked quantity on the grid (g(k) or w_far − w_near) */
  readonly worst: number;
  /** where `worst` occurs, in log-moneyness */
  readonly kAtWorst: number;
  /** maximal runs of consecutive failing grid points, in increasing k */
  readonly violations: readonly KInterval[];
}

/**
 * Butterfly (static) arbitrage of a raw SVI slice: Durrleman's g(k) ≥ 0 evaluated on a grid. g < 0 means
 * a negative risk-neutral density, i.e. a butterfly spread with negative price. `tolerance` (default
 * 1e-10) absorbs rounding where g touches zero.
 */
export function butterflyArbitrage(
  params: SviParams,
  grid: KGrid = DEFAULT_K_GRID,
  tolerance = 1e-10,
): ArbitrageCheck {
  return scan(grid, tolerance, (k) => sviDurrlemanG(params, k));
}

/**
 * Calendar arbitrage between two slices of the same underlying: total variance must not fall with
 * maturity, so w_far(k) ≥ w_near(k) at every k on the grid. `tolerance` (default 1e-12, in total
 * variance) absorbs rounding where the slices touch.
 */
export function calendarArbitrage(
  near: SviParams,
  far: SviParams,
  grid: KGrid = DEFAULT_K_GRID,
  tolerance = 1e-12,
): ArbitrageCheck {
  return scan(grid, tolerance, (k) => sviTotalVariance(far, k) - sviTotalVariance(near, k));
}

function scan(grid: KGrid, tolerance: number, value: (k: number) => number): ArbitrageCheck {
  const { kMin, kMax, steps } = grid;
  if (!(kMin < kMax) || !Number.isInteger(steps) || steps < 1 || !Number.isFinite(kMin + kMax)) {
    throw new IfError('IF_ERR_VALIDATION', {
      detail: `grid needs finite kMin < kMax and integer steps >= 1, got [${kMin}, ${kMax}] x ${steps}`,
    });
  }
  const violations: KInterval[] = [];
  let worst = Number.POSITIVE_INFINITY;
  let kAtWorst = kMin;
  let runStart: number | undefined;
  let previousK = kMin;
  for (let i = 0; i <= steps; i++) {
    // Indexed rather than accumulated so the last point is exactly kMax.
    const k = i === steps ? kMax : kMin + ((kMax - kMin) * i) / steps;
    const v = value(k);
    // NaN counts as a failure: a quantity that cannot be evaluated cannot be trusted.
    const bad = !(v >= -tolerance);
    if (!(v >= worst)) {
      worst = v;
      kAtWorst = k;
    }
    if (bad && runStart === undefined) runStart = k;
    if (!bad && runStart !== undefined) {
      violations.push({ from: runStart, to: previousK });
      runStart = undefined;
    }
    previousK = k;
  }
  if (runStart !== undefined) violations.push({ from: runStart, to: previousK });
  return { arbitrageFree: violations.length === 0, worst, kAtWorst, violations };
}
