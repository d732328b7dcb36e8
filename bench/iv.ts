/**
 * Implied volatility and Greeks throughput, against the npm packages `implied-volatility` (bisection on a
 * Black–Scholes price until it matches to the cent) and `greeks` (closed forms on spot) on the same cases.
 * Both packages price Black–Scholes on spot S with rate r, which is Black-76 on F = S·e^{rT}, so they get
 * S = F·e^{−rT}. A missing package drops its rows with a note instead of failing.
 *
 * Cases: a NIFTY grid (spot 26,000, forward at r = 6.5%, q = 1.2%, strikes ±15% on the 50-point grid,
 * 1–60 calendar days, σ 8–60%, calls and puts), priced by our black76; contracts whose time value is under
 * the 0.05 tick are dropped, since the exchange would quote the floor and IV there is a quantisation
 * artefact (§1.6), and deep in-the-money premiums would carry no σ at all. The
 * chain is 2 expiries (7 and 35 days) × 100 strikes × call/put = 400 contracts with a smile, mids on the
 * 0.025 half-tick grid; one operation is IV from the mid plus full Greeks for every contract.
 */

import { createRequire } from 'node:module';
import { SeededRandom } from '../src/core/random.js';
import {
  type Black76Input,
  black76,
  type Greeks,
  greeks,
  type ImpliedVolatilityInput,
  impliedVolatility,
  tryImpliedVolatility,
} from '../src/options/index.js';
import { forwardOf, REFERENCE_CASES } from '../src/options/iv/fixtures/referenceCases.js';
import { type BenchRow, keep, nsPerOperation, row } from './lib/harness.js';

const BENCH = 'iv';
const SPOT = 26_000;
const RATE = 0.065;
const DIVIDEND_YIELD = 0.012;
const TICK = 0.05;
const GRID_CASES = 2048;
const OURS = 'indexflow';

/**
 * One contract as production code would hand it to each API: an exact ImpliedVolatilityInput and an exact
 * Black76Input (at the σ the premium was priced at), so every call site sees the one object shape it
 * would see in a chain builder.
 */
interface GridCase {
  readonly iv: ImpliedVolatilityInput;
  readonly pricing: Black76Input;
}

function gridCase(price: number, pricing: Black76Input): GridCase {
  const { forward, strike, timeYears, rate, isCall } = pricing;
  return { iv: { price, forward, strike, timeYears, rate, isCall }, pricing };
}

function forwardAt(timeYears: number): number {
  return SPOT * Math.exp((RATE - DIVIDEND_YIELD) * timeYears);
}

function niftyGrid(count: number, seed: number): GridCase[] {
  const random = new SeededRandom(seed);
  const cases: GridCase[] = [];
  while (cases.length < count) {
    const timeYears = random.int(1, 60) / 365;
    const forward = forwardAt(timeYears);
    const strike = Math.round((SPOT * (0.85 + 0.3 * random.next())) / 50) * 50;
    const vol = 0.08 + 0.52 * random.next();
    const isCall = random.next() < 0.5;
    const pricing = { forward, strike, timeYears, rate: RATE, vol, isCall };
    const price = black76(pricing);
    // The out-of-the-money twin's premium (the time value) must reach the tick, or σ is not in the price.
    const intrinsic = Math.exp(-RATE * timeYears) * Math.max(isCall ? forward - strike : strike - forward, 0);
    if (price - intrinsic < TICK) continue;
    cases.push(gridCase(price, pricing));
  }
  return cases;
}

function niftyChain(): GridCase[] {
  const chain: GridCase[] = [];
  for (const days of [7, 35]) {
    const timeYears = days / 365;
    const forward = forwardAt(timeYears);
    const atm = Math.round(forward / 50) * 50;
    for (let i = -50; i < 50; i++) {
      const strike = atm + 50 * i;
      const k = Math.log(strike / forward);
      const vol = 0.12 - 0.25 * k + 1.5 * k * k; // a put skew with a smile, NIFTY-like
      for (const isCall of [true, false]) {
        const pricing = { forward, strike, timeYears, rate: RATE, vol, isCall };
        const price = Math.max(TICK, Math.ceil(black76(pricing) / 0.025) * 0.025);
        chain.push(gridCase(price, pricing));
      }
    }
  }
  return chain;
}

// ---------------------------------------------------------------------------------------------------
// npm baselines, loaded through require because they are CommonJS without types.

type NpmIv = (price: number, spot: number, strike: number, t: number, r: number, type: string) => number;
type NpmGreek = (spot: number, strike: number, t: number, vol: number, r: number, type: string) => number;

interface NpmGreeks {
  delta: NpmGreek;
  gamma: NpmGreek;
  theta: NpmGreek;
  vega: NpmGreek;
  rho: NpmGreek;
}

function field(module: unknown, name: string): unknown {
  return typeof module === 'object' && module !== null
    ? (module as Record<string, unknown>)[name]
    : undefined;
}

function loadNpm(name: string): unknown {
  try {
    return createRequire(import.meta.url)(name);
  } catch {
    return undefined;
  }
}

function loadNpmIv(): NpmIv | undefined {
  const fn = field(loadNpm('implied-volatility'), 'getImpliedVolatility');
  return typeof fn === 'function' ? (fn as NpmIv) : undefined;
}

function loadNpmGreeks(): NpmGreeks | undefined {
  const module = loadNpm('greeks');
  const names = ['getDelta', 'getGamma', 'getTheta', 'getVega', 'getRho'] as const;
  const fns = names.map((n) => field(module, n));
  if (!fns.every((f) => typeof f === 'function')) return undefined;
  const [delta, gamma, theta, vega, rho] = fns as NpmGreek[];
  if (!delta || !gamma || !theta || !vega || !rho) return undefined;
  return { delta, gamma, theta, vega, rho };
}

function npmSolve(iv: NpmIv, c: ImpliedVolatilityInput): number {
  const spot = c.forward * Math.exp(-c.rate * c.timeYears);
  return iv(c.price, spot, c.strike, c.timeYears, c.rate, c.isCall ? 'call' : 'put');
}

function npmGreeksSum(g: NpmGreeks, c: ImpliedVolatilityInput, vol: number): number {
  const spot = c.forward * Math.exp(-c.rate * c.timeYears);
  const type = c.isCall ? 'call' : 'put';
  return (
    g.delta(spot, c.strike, c.timeYears, vol, c.rate, type) +
    g.gamma(spot, c.strike, c.timeYears, vol, c.rate, type) +
    g.theta(spot, c.strike, c.timeYears, vol, c.rate, type) +
    g.vega(spot, c.strike, c.timeYears, vol, c.rate, type) +
    g.rho(spot, c.strike, c.timeYears, vol, c.rate, type)
  );
}

// ---------------------------------------------------------------------------------------------------

/**
 * Largest |σ̂/σ − 1| over the cases, also over the out-of-the-money ones alone (in-the-money premiums carry
 * σ only in their time value, so their error is the premium's rounding magnified by premium/time value),
 * and how many solves gave no finite, positive σ.
 */
function accuracy(
  cases: readonly GridCase[],
  solve: (c: ImpliedVolatilityInput) => number,
): { max: number; maxOtm: number; failed: number } {
  let max = 0;
  let maxOtm = 0;
  let failed = 0;
  for (const { iv: c, pricing } of cases) {
    const vol = solve(c);
    if (!(vol > 0 && vol < Number.POSITIVE_INFINITY)) {
      failed++;
      continue;
    }
    const error = Math.abs(vol / pricing.vol - 1);
    max = Math.max(max, error);
    if (c.isCall ? c.strike >= c.forward : c.strike <= c.forward) maxOtm = Math.max(maxOtm, error);
  }
  return { max, maxOtm, failed };
}

function describe(a: { max: number; maxOtm: number; failed: number }): string {
  const failed = a.failed > 0 ? `, ${a.failed} failed` : '';
  return `max rel err ${a.max.toExponential(1)} (OTM ${a.maxOtm.toExponential(1)})${failed}`;
}

/** Largest relative error on the 31 reference cases of options-maths-and-nse.md §1.8.2 (solvable ones). */
function referenceError(): number {
  let max = 0;
  for (const rc of REFERENCE_CASES) {
    const expected = Number(rc.expected);
    if (!(expected > 0)) continue;
    const input = { ...rc, forward: forwardOf(rc) };
    max = Math.max(max, Math.abs(impliedVolatility(input) / expected - 1));
  }
  return max;
}

function at<T>(items: readonly T[], i: number): T {
  const item = items[i % items.length];
  if (item === undefined) throw new Error('bench case index out of range');
  return item;
}

function chainPass(chain: readonly GridCase[], out: Greeks[]): number {
  let solved = 0;
  for (let i = 0; i < chain.length; i++) {
    const c = at(chain, i).iv;
    const result = tryImpliedVolatility(c);
    if (!result.ok || result.vol === 0) continue;
    const { forward, strike, timeYears, rate, isCall } = c;
    out[solved++] = greeks({ forward, strike, timeYears, rate, vol: result.vol, isCall });
  }
  return solved;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const grid = niftyGrid(GRID_CASES, 20_260_225);
  const chain = niftyChain();
  // The chain refresh is the engine's hot loop, so a live process reaches its steady state there first.
  // Without this warm-up V8 sometimes optimises greeks() first inside the solve-heavy rows below and
  // settles on code about twice as slow (~350 ns instead of ~160 ns), which no live engine would see.
  const warm: Greeks[] = new Array<Greeks>(chain.length);
  for (let w = 0; w < 500; w++) chainPass(chain, warm);
  const npmIv = loadNpmIv();
  const npmGreeks = loadNpmGreeks();
  const npmIvName = 'solve · implied-volatility (npm)';

  const ours = accuracy(grid, (c) => impliedVolatility(c));
  if (npmIv !== undefined) {
    const theirs = accuracy(grid, (c) => npmSolve(npmIv, c));
    let j = 0;
    rows.push(
      row(BENCH, npmIvName, await nsPerOperation(() => keep(npmSolve(npmIv, at(grid, j++).iv)), 1), {
        note: describe(theirs),
      }),
    );
  }
  const ivBaseline = npmIv === undefined ? {} : { baseline: npmIvName };
  const missingIv = npmIv === undefined ? '; npm implied-volatility not installed, baseline skipped' : '';
  let i = 0;
  rows.push(
    row(
      BENCH,
      `solve · ${OURS} impliedVolatility`,
      await nsPerOperation(() => keep(impliedVolatility(at(grid, i++).iv))),
      {
        ...ivBaseline,
        note: `${describe(ours)} on ${grid.length} NIFTY cases; goal ≤ 300 ns${missingIv}`,
      },
    ),
  );
  let k = 0;
  rows.push(
    row(
      BENCH,
      `solve · ${OURS} tryImpliedVolatility`,
      await nsPerOperation(() => keep(tryImpliedVolatility(at(grid, k++).iv))),
      { ...ivBaseline, note: `31 reference cases: max rel err ${referenceError().toExponential(1)}` },
    ),
  );

  const npmGreeksName = 'greeks · greeks (npm) Δ Γ Θ ν ρ';
  if (npmGreeks !== undefined) {
    let m = 0;
    rows.push(
      row(
        BENCH,
        npmGreeksName,
        await nsPerOperation(() => {
          const c = at(grid, m++);
          keep(npmGreeksSum(npmGreeks, c.iv, c.pricing.vol));
        }),
      ),
    );
  }
  let n = 0;
  rows.push(
    row(
      BENCH,
      `greeks · ${OURS} greeks (9 Greeks + display units)`,
      await nsPerOperation(() => keep(greeks(at(grid, n++).pricing))),
      {
        ...(npmGreeks === undefined
          ? { note: 'npm greeks not installed, baseline skipped' }
          : { baseline: npmGreeksName }),
      },
    ),
  );

  const npmChainName = 'chain 400 · npm implied-volatility + greeks';
  if (npmIv !== undefined && npmGreeks !== undefined) {
    rows.push(
      row(
        BENCH,
        npmChainName,
        await nsPerOperation(() => {
          let sum = 0;
          for (const { iv: c } of chain) {
            const vol = npmSolve(npmIv, c);
            sum += npmGreeksSum(npmGreeks, c, vol);
          }
          keep(sum);
        }),
      ),
    );
  }
  const vols = chain.map((c) => impliedVolatility(c.iv));
  rows.push(
    row(
      BENCH,
      `chain 400 · ${OURS} greeks only (IVs given)`,
      await nsPerOperation(() => {
        let sum = 0;
        for (let i = 0; i < chain.length; i++) {
          const { forward, strike, timeYears, rate, isCall } = at(chain, i).iv;
          sum += greeks({ forward, strike, timeYears, rate, vol: at(vols, i), isCall }).delta;
        }
        keep(sum);
      }),
      { note: 'the Greeks share of the chain below' },
    ),
  );
  const out: Greeks[] = new Array<Greeks>(chain.length);
  const solved = chainPass(chain, out);
  rows.push(
    row(
      BENCH,
      `chain 400 · ${OURS} IV from mid + greeks`,
      await nsPerOperation(() => keep(chainPass(chain, out))),
      {
        ...(npmIv !== undefined && npmGreeks !== undefined ? { baseline: npmChainName } : {}),
        note: `${solved}/${chain.length} solved; goal ≤ 100 µs per chain`,
      },
    ),
  );
  return rows;
}
