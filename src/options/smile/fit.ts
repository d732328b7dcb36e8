import { IfError } from '../../core/errors.js';
import type { SviParams } from './svi.js';

/** One observed smile point: log-moneyness k = ln(K/F), total implied variance w = σ²T, optional weight. */
export interface SviPoint {
  readonly k: number;
  readonly w: number;
  /** relative weight ≥ 0 (e.g. vega, or 1/(ask IV − bid IV)²); 1 when absent; 0 drops the point */
  readonly weight?: number;
}

export interface SviFitOptions {
  /** a previous snapshot's fit: one more start for the outer search, so consecutive fits stay stable */
  readonly initial?: SviParams;
  /** search range for m, in log-moneyness; default [kMin − span, kMax + span] of the points */
  readonly mBounds?: readonly [number, number];
  /** search range for σ, in log-moneyness; default [span/1000, 4·span] */
  readonly sigmaBounds?: readonly [number, number];
  /** largest |ρ| allowed; default 0.999 (raw SVI needs |ρ| < 1 strictly) */
  readonly maxRho?: number;
  /** Nelder–Mead iterations per start; default 400 */
  readonly maxIterations?: number;
}

export interface SviFit {
  readonly params: SviParams;
  /** weighted root-mean-square error of the fit, in total variance (the unit of w) */
  readonly rmse: number;
  /** number of points that carried weight */
  readonly points: number;
  /** how many (m, σ) pairs the outer search evaluated, each one inner constrained least-squares solve */
  readonly evaluations: number;
}

/**
 * Fits raw SVI to one expiry's smile by the quasi-explicit method (Zeliade; De Marco & Martini 2009).
 * For fixed (m, σ), w = a + d·y + c·√(y² + 1) with y = (k − m)/σ, c = bσ, d = ρbσ is linear in (a, c, d);
 * that weighted least-squares problem is solved exactly over a polytope, and (m, ln σ) are searched by a
 * grid then Nelder–Mead from the best few grid cells. Deterministic: no randomness, same input → same fit.
 *
 * The polytope keeps every returned slice valid raw SVI: |d| ≤ ρmax·c (so b ≥ 0, |ρ| < 1), Lee's wing
 * bound c + |d| ≤ 2σ (b(1 + |ρ|) ≤ 2), a ≤ max w, and a + c − |d| ≥ 0. The last is a linear stand-in for
 * a + bσ√(1 − ρ²) ≥ 0: since √(c² − d²) ≥ c − |d|, it implies a non-negative minimum variance, at the
 * price of excluding a thin sliver of valid slices with a < 0. Throws IF_ERR_SMILE_FIT with fewer than
 * five distinct weighted strikes (five parameters) and IF_ERR_VALIDATION on non-finite or negative input.
 */
export function fitSvi(points: readonly SviPoint[], options: SviFitOptions = {}): SviFit {
  const data = prepare(points);
  const span = data.kMax - data.kMin;
  const maxRho = options.maxRho ?? 0.999;
  if (!(maxRho > 0 && maxRho < 1)) {
    throw new IfError('IF_ERR_VALIDATION', { detail: `maxRho must be in (0, 1), got ${maxRho}` });
  }
  const [mLo, mHi] = options.mBounds ?? [data.kMin - span, data.kMax + span];
  const [sLo, sHi] = options.sigmaBounds ?? [span / 1000, span * 4];
  if (!(mLo < mHi) || !(sLo > 0 && sLo < sHi) || ![mLo, mHi, sLo, sHi].every(Number.isFinite)) {
    throw new IfError('IF_ERR_VALIDATION', {
      detail: 'SVI search bounds must be finite, ordered, with sigma > 0',
    });
  }
  const vLo = Math.log(sLo);
  const vHi = Math.log(sHi);
  const maxIterations = options.maxIterations ?? 400;

  let evaluations = 0;
  // Outer objective over (m, ln σ): the inner optimum's weighted SSE, clamped to the box with a penalty
  // outside it so Nelder–Mead is pulled back rather than stalling on a flat plateau.
  const objective = (u: number, v: number): number => {
    evaluations++;
    const uc = clamp(u, mLo, mHi);
    const vc = clamp(v, vLo, vHi);
    const du = (u - uc) / span;
    const dv = v - vc;
    return solveInner(data, uc, Math.exp(vc), maxRho).sse + 1e3 * (du * du + dv * dv);
  };

  const gridM = 21;
  const gridS = 15;
  const stepU = (mHi - mLo) / (gridM - 1);
  const stepV = (vHi - vLo) / (gridS - 1);
  const cells: { i: number; j: number; f: number }[] = [];
  for (let i = 0; i < gridM; i++) {
    for (let j = 0; j < gridS; j++) cells.push({ i, j, f: objective(mLo + i * stepU, vLo + j * stepV) });
  }
  cells.sort((x, y) => x.f - y.f || x.i - y.i || x.j - y.j);
  const starts: [number, number][] = [];
  const picked: { i: number; j: number }[] = [];
  for (const cell of cells) {
    if (picked.length === 3) break;
    // Distinct basins only: a neighbour of a chosen cell would run the same descent twice.
    if (picked.some((p) => Math.abs(p.i - cell.i) <= 1 && Math.abs(p.j - cell.j) <= 1)) continue;
    picked.push(cell);
    starts.push([mLo + cell.i * stepU, vLo + cell.j * stepV]);
  }
  if (options.initial !== undefined && options.initial.sigma > 0) {
    starts.push([clamp(options.initial.m, mLo, mHi), clamp(Math.log(options.initial.sigma), vLo, vHi)]);
  }

  let bestX: [number, number] = starts[0] ?? [mLo, vLo];
  let bestF = Number.POSITIVE_INFINITY;
  for (const start of starts) {
    const result = nelderMead(objective, start, [stepU, stepV], maxIterations, [span * 1e-11, 1e-11]);
    if (result.f < bestF) {
      bestF = result.f;
      bestX = result.x;
    }
  }

  const m = clamp(bestX[0], mLo, mHi);
  const sigma = Math.exp(clamp(bestX[1], vLo, vHi));
  const inner = solveInner(data, m, sigma, maxRho);
  const c = inner.c * data.scale;
  const d = inner.d * data.scale;
  const a = inner.a * data.scale;
  const params: SviParams = { a, b: c / sigma, rho: c > 0 ? d / c : 0, m, sigma };
  return { params, rmse: weightedRmse(points, params), points: data.k.length, evaluations };
}

interface Prepared {
  readonly k: Float64Array;
  /** total variance divided by `scale`, so the inner problem works on numbers of order one */
  readonly w: Float64Array;
  /** weights normalised to sum 1 */
  readonly wt: Float64Array;
  readonly scale: number;
  readonly kMin: number;
  readonly kMax: number;
}

function prepare(points: readonly SviPoint[]): Prepared {
  const used: SviPoint[] = [];
  for (const p of points) {
    const weight = p.weight ?? 1;
    if (!Number.isFinite(p.k) || !Number.isFinite(p.w) || p.w < 0 || !Number.isFinite(weight) || weight < 0) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `SVI point needs finite k, w >= 0 and weight >= 0, got k=${p.k} w=${p.w} weight=${weight}`,
      });
    }
    if (weight > 0) used.push(p);
  }
  const distinct = new Set(used.map((p) => p.k)).size;
  if (distinct < 5) {
    throw new IfError('IF_ERR_SMILE_FIT', {
      detail: `needs at least 5 distinct weighted strikes for 5 parameters, got ${distinct}`,
    });
  }
  let scale = 0;
  let total = 0;
  let kMin = Number.POSITIVE_INFINITY;
  let kMax = Number.NEGATIVE_INFINITY;
  for (const p of used) {
    scale = Math.max(scale, p.w);
    total += p.weight ?? 1;
    kMin = Math.min(kMin, p.k);
    kMax = Math.max(kMax, p.k);
  }
  if (!(scale > 0)) throw new IfError('IF_ERR_SMILE_FIT', { detail: 'every total variance is zero' });
  const k = new Float64Array(used.length);
  const w = new Float64Array(used.length);
  const wt = new Float64Array(used.length);
  used.forEach((p, i) => {
    k[i] = p.k;
    w[i] = p.w / scale;
    wt[i] = (p.weight ?? 1) / total;
  });
  return { k, w, wt, scale, kMin, kMax };
}

function weightedRmse(points: readonly SviPoint[], params: SviParams): number {
  let sum = 0;
  let total = 0;
  for (const p of points) {
    const weight = p.weight ?? 1;
    if (weight <= 0) continue;
    const x = p.k - params.m;
    const r = params.a + params.b * (params.rho * x + Math.sqrt(x * x + params.sigma * params.sigma)) - p.w;
    sum += weight * r * r;
    total += weight;
  }
  return Math.sqrt(sum / total);
}

/** Constraint rows G·(a, c, d) ≤ h; `lee` (= 2σ/scale) and `maxRho` fill in per call. */
function constraints(lee: number, maxRho: number): { g: number[][]; h: number[] } {
  return {
    g: [
      [0, -maxRho, 1], // d ≤ ρmax·c
      [0, -maxRho, -1], // −d ≤ ρmax·c
      [0, 1, 1], // c + d ≤ 2σ: call wing b(1 + ρ) ≤ 2
      [0, 1, -1], // c − d ≤ 2σ: put wing b(1 − ρ) ≤ 2
      [-1, -1, 1], // a + c − d ≥ 0
      [-1, -1, -1], // a + c + d ≥ 0
      [1, 0, 0], // a ≤ max w (= 1 after scaling)
    ],
    h: [0, 0, lee, lee, 0, 0, 1],
  };
}

/** Every active set of at most three of the seven constraints (three unknowns), built once. */
const ACTIVE_SETS: readonly (readonly number[])[] = (() => {
  const sets: number[][] = [];
  for (let i = 0; i < 7; i++) {
    sets.push([i]);
    for (let j = i + 1; j < 7; j++) {
      sets.push([i, j]);
      for (let l = j + 1; l < 7; l++) sets.push([i, j, l]);
    }
  }
  return sets;
})();

interface InnerResult {
  readonly a: number;
  readonly c: number;
  readonly d: number;
  /** weighted sum of squared residuals in scaled units */
  readonly sse: number;
}

/**
 * The inner convex QP: weighted least squares in (a, c, d) over the constraint polytope. The optimum lies
 * in the relative interior of some face, where it is the equality-constrained optimum on that face's
 * affine hull; so solving every face's KKT system and keeping the best feasible point is exact.
 */
function solveInner(data: Prepared, m: number, sigma: number, maxRho: number): InnerResult {
  let s1 = 0;
  let sz = 0;
  let sy = 0;
  let szz = 0;
  let syz = 0;
  let syy = 0;
  let sw = 0;
  let szw = 0;
  let syw = 0;
  let sww = 0;
  const n = data.k.length;
  for (let i = 0; i < n; i++) {
    const om = data.wt[i] ?? 0;
    const y = ((data.k[i] ?? 0) - m) / sigma;
    const z = Math.sqrt(y * y + 1);
    const w = data.w[i] ?? 0;
    s1 += om;
    sz += om * z;
    sy += om * y;
    szz += om * z * z;
    syz += om * y * z;
    syy += om * y * y;
    sw += om * w;
    szw += om * z * w;
    syw += om * y * w;
    sww += om * w * w;
  }
  const hess = [
    [s1, sz, sy],
    [sz, szz, syz],
    [sy, syz, syy],
  ];
  const grad = [sw, szw, syw];
  const { g, h } = constraints((2 * sigma) / data.scale, maxRho);
  const quad = (x: readonly number[]): number => {
    let q = -2 * dot(grad, x) + sww;
    for (let r = 0; r < 3; r++) q += (x[r] ?? 0) * dot(hess[r] ?? [], x);
    return q;
  };
  const feasible = (x: readonly number[]): boolean => g.every((row, r) => dot(row, x) <= (h[r] ?? 0) + 1e-12);

  let best: number[] | undefined;
  let bestQ = Number.POSITIVE_INFINITY;
  const free = solveKkt(hess, grad, g, h, []);
  if (free !== undefined && feasible(free)) {
    best = free;
  } else {
    for (const set of ACTIVE_SETS) {
      const x = solveKkt(hess, grad, g, h, set);
      if (x === undefined || !feasible(x)) continue;
      const q = quad(x);
      if (q < bestQ) {
        bestQ = q;
        best = x;
      }
    }
  }
  // (0, 0, 0) is a vertex of the polytope, so `best` is always found; the fallback is for the compiler.
  const [a0, c0, d0] = best ?? [0, 0, 0];
  // Snap the 1e-12 feasibility slack back inside so the returned slice is valid to the last bit.
  const c = Math.max(0, c0 ?? 0);
  const d = clamp(d0 ?? 0, -maxRho * c, maxRho * c);
  const a = Math.max(a0 ?? 0, Math.abs(d) - c);
  // The SSE is recomputed from residuals: the quadratic form cancels to rounding noise near a perfect fit,
  // which would blind the outer search exactly where precision matters.
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const y = ((data.k[i] ?? 0) - m) / sigma;
    const r = a + d * y + c * Math.sqrt(y * y + 1) - (data.w[i] ?? 0);
    sse += (data.wt[i] ?? 0) * r * r;
  }
  return { a, c, d, sse };
}

/** Scratch for `solveKkt`: at most a 6×7 augmented system. Reused because the fit solves it ~50k times. */
const KKT = new Float64Array(6 * 7);
const KKT_X = new Float64Array(6);

/**
 * Minimises xᵀHx − 2gᵀx subject to G_S·x = h_S for the rows S: the KKT system [[H, G_Sᵀ], [G_S, 0]] is
 * solved by Gaussian elimination with partial pivoting. Undefined when singular (dependent rows, or too
 * little data along a free direction).
 */
function solveKkt(
  hess: readonly (readonly number[])[],
  grad: readonly number[],
  g: readonly (readonly number[])[],
  h: readonly number[],
  set: readonly number[],
): number[] | undefined {
  const size = 3 + set.length;
  const cols = size + 1;
  const mat = KKT;
  mat.fill(0);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) mat[r * cols + c] = hess[r]?.[c] ?? 0;
    mat[r * cols + size] = grad[r] ?? 0;
  }
  for (let j = 0; j < set.length; j++) {
    const ci = set[j] ?? 0;
    const crow = g[ci] ?? [];
    for (let c = 0; c < 3; c++) {
      const v = crow[c] ?? 0;
      mat[(3 + j) * cols + c] = v;
      mat[c * cols + 3 + j] = v;
    }
    mat[(3 + j) * cols + size] = h[ci] ?? 0;
  }
  let norm = 0;
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) norm = Math.max(norm, Math.abs(mat[r * cols + c] ?? 0));
  }
  const tiny = norm * 1e-13;
  for (let col = 0; col < size; col++) {
    let pivot = col;
    for (let r = col + 1; r < size; r++) {
      if (Math.abs(mat[r * cols + col] ?? 0) > Math.abs(mat[pivot * cols + col] ?? 0)) pivot = r;
    }
    const p = mat[pivot * cols + col] ?? 0;
    if (!(Math.abs(p) > tiny)) return undefined;
    if (pivot !== col) {
      for (let c = 0; c < cols; c++) {
        const t = mat[pivot * cols + c] ?? 0;
        mat[pivot * cols + c] = mat[col * cols + c] ?? 0;
        mat[col * cols + c] = t;
      }
    }
    for (let r = col + 1; r < size; r++) {
      const factor = (mat[r * cols + col] ?? 0) / p;
      if (factor === 0) continue;
      for (let c = col; c < cols; c++)
        mat[r * cols + c] = (mat[r * cols + c] ?? 0) - factor * (mat[col * cols + c] ?? 0);
    }
  }
  const x = KKT_X;
  for (let r = size - 1; r >= 0; r--) {
    let v = mat[r * cols + size] ?? 0;
    for (let c = r + 1; c < size; c++) v -= (mat[r * cols + c] ?? 0) * (x[c] ?? 0);
    x[r] = v / (mat[r * cols + r] ?? 1);
  }
  const out = [x[0] ?? 0, x[1] ?? 0, x[2] ?? 0];
  return out.every(Number.isFinite) ? out : undefined;
}

/**
 * Two-dimensional Nelder–Mead (standard coefficients 1, 2, ½, ½). Stops when every vertex lies within
 * `xtol` of the best one in each coordinate, or after `maxIterations`.
 */
function nelderMead(
  f: (u: number, v: number) => number,
  start: readonly [number, number],
  step: readonly [number, number],
  maxIterations: number,
  xtol: readonly [number, number],
): { x: [number, number]; f: number } {
  type Vertex = { u: number; v: number; f: number };
  const make = (u: number, v: number): Vertex => ({ u, v, f: f(u, v) });
  const simplex: Vertex[] = [
    make(start[0], start[1]),
    make(start[0] + step[0], start[1]),
    make(start[0], start[1] + step[1]),
  ];
  for (let iter = 0; iter < maxIterations; iter++) {
    simplex.sort((x, y) => x.f - y.f);
    const [best, mid, worst] = simplex as [Vertex, Vertex, Vertex];
    const spreadU = Math.max(Math.abs(mid.u - best.u), Math.abs(worst.u - best.u));
    const spreadV = Math.max(Math.abs(mid.v - best.v), Math.abs(worst.v - best.v));
    if (spreadU <= xtol[0] && spreadV <= xtol[1]) break;
    const cu = (best.u + mid.u) / 2;
    const cv = (best.v + mid.v) / 2;
    const reflected = make(2 * cu - worst.u, 2 * cv - worst.v);
    if (reflected.f < best.f) {
      const expanded = make(3 * cu - 2 * worst.u, 3 * cv - 2 * worst.v);
      simplex[2] = expanded.f < reflected.f ? expanded : reflected;
    } else if (reflected.f < mid.f) {
      simplex[2] = reflected;
    } else {
      const outside = reflected.f < worst.f;
      const contracted = outside
        ? make(cu + 0.5 * (reflected.u - cu), cv + 0.5 * (reflected.v - cv))
        : make(cu + 0.5 * (worst.u - cu), cv + 0.5 * (worst.v - cv));
      if (contracted.f < (outside ? reflected.f : worst.f)) {
        simplex[2] = contracted;
      } else {
        simplex[1] = make(best.u + 0.5 * (mid.u - best.u), best.v + 0.5 * (mid.v - best.v));
        simplex[2] = make(best.u + 0.5 * (worst.u - best.u), best.v + 0.5 * (worst.v - best.v));
      }
    }
  }
  simplex.sort((x, y) => x.f - y.f);
  const top = simplex[0] ?? { u: start[0], v: start[1], f: Number.POSITIVE_INFINITY };
  return { x: [top.u, top.v], f: top.f };
}

function dot(x: readonly number[], y: readonly number[]): number {
  return (x[0] ?? 0) * (y[0] ?? 0) + (x[1] ?? 0) * (y[1] ?? 0) + (x[2] ?? 0) * (y[2] ?? 0);
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}
