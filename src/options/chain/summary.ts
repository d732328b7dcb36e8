/**
 * Chain-level analytics of a snapshot: the src/options/analytics functions over the snapshot's own rows,
 * and the smile (SVI fit of the out-of-the-money IVs, ATM IV, 25Δ risk reversal and butterfly).
 */

import {
  atmStrike,
  type BuildUpDeadBand,
  expectedMove,
  type GexConvention,
  gammaExposure,
  maxPain,
  NAIVE_DEALER_GEX,
  oiWalls,
  putCallRatio,
  straddlePrice,
} from '../analytics/index.js';
import { IfError } from '../../core/errors.js';
import {
  deltaSkew,
  fitSvi,
  type SviFit,
  type SviParams,
  type SviPoint,
  sviImpliedVol,
} from '../smile/index.js';
import type { ForwardSource } from './forward.js';
import type { TimeBasis } from './timeToExpiry.js';
import type { ChainRowSnapshot, ChainSideSnapshot, ChainSummary, IvSource, SmileSummary } from './types.js';

/** SVI has five parameters; fewer usable strikes cannot pin it down (reference §3.3 step 4). */
const MIN_SMILE_STRIKES = 5;
/** Quotes at or below two ticks (₹0.10) carry quantised IVs (reference §3.3 step 1). */
const MIN_SMILE_PRICE = 10;
/** Widest spread kept for the smile: max(3 ticks, 30% of mid) (reference §3.3 step 1). */
const MAX_SPREAD_TICKS = 15;
const MAX_SPREAD_RELATIVE = 0.3;

/**
 * Where SVI fits run. A fit costs ~15 ms for 41 strikes (fitSvi's grid plus Nelder–Mead), far too long
 * for the market-data thread at any rate, so 'external' leaves it to the caller: take smileFitJob(), fit
 * in a worker, hand the fit to acceptSmileFit(). 'inline' fits inside snapshot() at most every
 * smileRefitMs of chain time: simple, for tests, tools and backtests.
 */
export type SmileFitMode = 'inline' | 'external';

/** The last SVI fit of a chain, reused until the chain changes and the refit interval has passed. */
export interface SmileCache {
  version: number;
  fittedAtMs: number;
  summary?: SmileSummary;
  params?: SviParams;
}

export interface SummaryContext {
  readonly underlying: string;
  readonly expiry: string;
  readonly asOfMs: number;
  readonly valuationMs: number;
  readonly timeYears: number;
  readonly timeBasis: TimeBasis;
  readonly rate: number;
  readonly ivSource: IvSource;
  readonly lotSize: number;
  readonly spot: number | undefined;
  readonly forward: number | undefined;
  readonly forwardSource: ForwardSource | undefined;
  readonly version: number;
  readonly gexConvention: GexConvention | undefined;
  readonly buildUpDeadBand: BuildUpDeadBand | undefined;
  readonly smileRefitMs: number;
  readonly smileFit: SmileFitMode;
  readonly smileCache: SmileCache;
}

/** Every chain-level number of reference §4 over `rows`, plus the smile. */
export function summarise(rows: readonly ChainRowSnapshot[], ctx: SummaryContext): ChainSummary {
  const forward = ctx.forward;
  const atm = forward === undefined ? undefined : atmStrike(rows, forward);
  const straddleLtp = atm === undefined ? undefined : straddlePrice(rows, atm, 'ltp');
  const straddleMid = atm === undefined ? undefined : straddlePrice(rows, atm, 'mid');
  const pain = maxPain(rows, ctx.lotSize);
  const gex = gammaExposure(
    rows,
    ctx.spot ?? forward ?? 0,
    ctx.lotSize,
    1,
    ctx.gexConvention ?? NAIVE_DEALER_GEX,
  );
  const smile = smileOf(rows, ctx, atm);
  const straddle = ctx.ivSource === 'mid' ? (straddleMid ?? straddleLtp) : (straddleLtp ?? straddleMid);
  return {
    underlying: ctx.underlying,
    expiry: ctx.expiry,
    asOfMs: ctx.asOfMs,
    valuationMs: ctx.valuationMs,
    timeYears: ctx.timeYears,
    timeBasis: ctx.timeBasis,
    rate: ctx.rate,
    ivSource: ctx.ivSource,
    lotSize: ctx.lotSize,
    ...(ctx.spot === undefined ? {} : { spot: ctx.spot }),
    ...(forward === undefined ? {} : { forward }),
    ...(ctx.forwardSource === undefined ? {} : { forwardSource: ctx.forwardSource }),
    ...(atm === undefined ? {} : { atmStrike: atm }),
    pcr: defined({
      oi: putCallRatio(rows, 'oi'),
      volume: putCallRatio(rows, 'volume'),
      oiChange: putCallRatio(rows, 'oiChange'),
    }),
    ...(pain === undefined ? {} : { maxPain: { strike: pain.strike, payout: pain.payout } }),
    walls: oiWalls(rows),
    straddle: defined({ strike: atm, ltp: straddleLtp, mid: straddleMid }),
    expectedMove:
      forward === undefined
        ? { oneSigma: undefined, absolute: undefined, straddleOneSigma: undefined }
        : expectedMove({
            forward,
            ...(smile.atmIv === undefined ? {} : { atmIv: smile.atmIv }),
            ...(ctx.timeYears > 0 ? { timeYears: ctx.timeYears } : {}),
            ...(straddle === undefined ? {} : { straddle }),
          }),
    gex: {
      call: gex.call,
      put: gex.put,
      net: gex.net,
      convention: gex.convention,
      missingGamma: gex.missingGamma,
    },
    smile,
    version: ctx.version,
  };
}

/** Drops undefined values, so client JSON carries only what is known. */
function defined<T extends Record<string, number | undefined>>(o: T): { [K in keyof T]?: number } {
  const out: { [K in keyof T]?: number } = {};
  for (const key of Object.keys(o) as (keyof T)[]) {
    const value = o[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** The side's smile IV on the chain's basis if its quote passes the hygiene of reference §3.3 step 1. */
function cleanIv(side: ChainSideSnapshot | undefined, source: IvSource): number | undefined {
  if (side === undefined) return undefined;
  if (source === 'ltp') return side.ltp > MIN_SMILE_PRICE ? side.ivLtp : undefined;
  if (!(side.bid > 0 && side.ask >= side.bid)) return undefined;
  const mid = (side.bid + side.ask) / 2;
  if (mid <= MIN_SMILE_PRICE) return undefined;
  if (side.ask - side.bid > Math.max(MAX_SPREAD_TICKS, MAX_SPREAD_RELATIVE * mid)) return undefined;
  return side.ivMid;
}

/**
 * Out-of-the-money IVs as SVI points (reference §3.3 step 3): puts below the forward, calls above, and
 * the mean of both at the two strikes bracketing it, where the in-the-money side is still liquid.
 * k = ln(K/F), w = σ²T, weighted by vega (the IV error a price error makes is 1/vega).
 */
export function smilePoints(
  rows: readonly ChainRowSnapshot[],
  forward: number,
  timeYears: number,
  source: IvSource,
): SviPoint[] {
  let below = -1;
  for (let i = 0; i < rows.length; i++) if ((rows[i]?.strike ?? 0) <= forward) below = i;
  const points: SviPoint[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row === undefined) continue;
    const call = cleanIv(row.call, source);
    const put = cleanIv(row.put, source);
    let iv: number | undefined;
    let vega = 0;
    if (i === below || i === below + 1) {
      const ivs = [call, put].filter((v): v is number => v !== undefined);
      iv = ivs.length === 0 ? undefined : ivs.reduce((a, b) => a + b, 0) / ivs.length;
      vega = Math.max(row.call?.vega ?? 0, row.put?.vega ?? 0);
    } else if (row.strike < forward) {
      iv = put;
      vega = row.put?.vega ?? 0;
    } else {
      iv = call;
      vega = row.call?.vega ?? 0;
    }
    if (iv === undefined || !(iv > 0)) continue;
    points.push({ k: Math.log(row.strike / forward), w: iv * iv * timeYears, weight: vega > 0 ? vega : 1 });
  }
  return points;
}

/** A smile fit to run elsewhere (a worker): the points, and what to hand back to acceptSmileFit. */
export interface SmileFitJob {
  readonly underlying: string;
  readonly expiry: string;
  /** chain version and time the points were taken at */
  readonly version: number;
  readonly asOfMs: number;
  /** years on the chain's basis: w = σ²T of the points used it */
  readonly timeYears: number;
  /** forward the log-moneyness k = ln(K/F) is measured from, paise */
  readonly forward: number;
  readonly points: readonly SviPoint[];
  /** the previous fit, a start for the search so consecutive fits stay stable */
  readonly initial?: SviParams;
}

/** The smile read-outs of an SVI fit: σ(k = 0), 25Δ risk reversal and butterfly. */
export function smileFromFit(fit: SviFit, timeYears: number, fittedAtMs: number): SmileSummary {
  const atmIv = sviImpliedVol(fit.params, 0, timeYears);
  const skew = deltaSkew(fit.params, timeYears, 0.25);
  return {
    ...(Number.isFinite(atmIv) ? { atmIv, atmIvSource: 'svi' as const } : {}),
    ...(Number.isFinite(skew.riskReversal) ? { rr25: skew.riskReversal } : {}),
    ...(Number.isFinite(skew.butterfly) ? { bf25: skew.butterfly } : {}),
    svi: { params: fit.params, rmse: fit.rmse, points: fit.points },
    fittedAtMs,
  };
}

/** The fit job of `rows`, or why there is none. */
export function smileJob(rows: readonly ChainRowSnapshot[], ctx: SummaryContext): SmileFitJob | string {
  if (ctx.forward === undefined) return 'no forward';
  if (!(ctx.timeYears > 0)) return 'expired';
  const points = smilePoints(rows, ctx.forward, ctx.timeYears, ctx.ivSource);
  if (points.length < MIN_SMILE_STRIKES) {
    return `${points.length} clean strikes, SVI needs ${MIN_SMILE_STRIKES}`;
  }
  const initial = ctx.smileCache.params;
  return {
    underlying: ctx.underlying,
    expiry: ctx.expiry,
    version: ctx.version,
    asOfMs: ctx.asOfMs,
    timeYears: ctx.timeYears,
    forward: ctx.forward,
    points,
    ...(initial === undefined ? {} : { initial }),
  };
}

/** Stores a finished fit unless a newer one is already there (worker results can arrive out of order). */
export function storeFit(cache: SmileCache, job: SmileFitJob, fit: SviFit): void {
  if (job.asOfMs < cache.fittedAtMs) return;
  cache.summary = smileFromFit(fit, job.timeYears, job.asOfMs);
  cache.params = fit.params;
  cache.version = job.version;
  cache.fittedAtMs = job.asOfMs;
}

function smileOf(
  rows: readonly ChainRowSnapshot[],
  ctx: SummaryContext,
  atm: number | undefined,
): SmileSummary {
  const cache = ctx.smileCache;
  const stale = cache.version !== ctx.version && ctx.asOfMs - cache.fittedAtMs >= ctx.smileRefitMs;
  if (ctx.smileFit === 'inline' && (cache.summary === undefined || stale)) {
    const job = smileJob(rows, ctx);
    if (typeof job === 'string') {
      cache.summary = { reason: job };
    } else {
      try {
        storeFit(cache, job, fitSvi(job.points, job.initial === undefined ? {} : { initial: job.initial }));
      } catch (error) {
        // fitSvi rejects degenerate input with a coded error; a chain shows that as "no fit", not a crash.
        if (!(error instanceof IfError)) throw error;
        cache.summary = { reason: `SVI fit failed: ${error.code}` };
      }
    }
    cache.version = ctx.version;
    cache.fittedAtMs = ctx.asOfMs;
  }
  const fitted = cache.summary;
  if (fitted?.atmIv !== undefined && ctx.timeYears > 0) return fitted;
  // Without a usable fit, ATM IV is the nearest strike's, labelled so.
  const reason = !(ctx.timeYears > 0) ? 'expired' : (fitted?.reason ?? 'no SVI fit yet');
  const strikeAtm = strikeAtmIv(rows, atm, ctx.ivSource);
  return strikeAtm === undefined ? { reason } : { atmIv: strikeAtm, atmIvSource: 'strike', reason };
}

/** Nearest-strike ATM IV, as most Indian UIs show it: the mean of the ATM call's and put's IVs. */
function strikeAtmIv(
  rows: readonly ChainRowSnapshot[],
  atm: number | undefined,
  source: IvSource,
): number | undefined {
  if (atm === undefined) return undefined;
  const row = rows.find((r) => r.strike === atm);
  const pick = (s: ChainSideSnapshot | undefined): number | undefined =>
    source === 'mid' ? s?.ivMid : s?.ivLtp;
  const ivs = [pick(row?.call), pick(row?.put)].filter((v): v is number => v !== undefined && v > 0);
  return ivs.length === 0 ? undefined : ivs.reduce((a, b) => a + b, 0) / ivs.length;
}
