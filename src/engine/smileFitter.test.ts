import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from '../core/clock.js';
import { ChainRegistry, type OptionChain, type SmileFitJob } from '../options/chain/index.js';
import {
  buildChain,
  CALENDAR,
  EXPIRY,
  FUTURE_TOKEN,
  NOW,
  quoteAll,
  quoteEvent,
} from '../options/chain/fixtures/testChain.js';
import { timeToExpiryYears } from '../options/chain/timeToExpiry.js';
import {
  fitSvi,
  type SviFit,
  type SviParams,
  sviImpliedVol,
  sviTotalVariance,
} from '../options/smile/index.js';
import { createLogger, type Logger, silentLogger } from '../ops/logger.js';
import { createMetricsRegistry } from '../ops/metrics.js';
import { LiveClock } from './clocks.js';
import {
  SmileFitter,
  type SmileFitterOptions,
  type SmileFitTarget,
  smileWorkerModule,
} from './smileFitter.js';

const T = timeToExpiryYears(CALENDAR, 'NFO', EXPIRY, NOW, 'calendar');
const F = 25_480.3;
const STRIKES = Array.from({ length: 21 }, (_, i) => 24_500 + 100 * i);
const PARAMS: SviParams = { a: 0.0002, b: 0.01, rho: -0.6, m: 0.005, sigma: 0.02 };
const STEEPER: SviParams = { ...PARAMS, b: 0.014, rho: -0.7 };

/** An external-fit chain quoted on the SVI smile `params`, future at F. */
function smileChain(params: SviParams = PARAMS): OptionChain {
  const chain = buildChain(STRIKES, { future: true }, { smileFit: 'external' });
  chain.onQuote(quoteEvent(FUTURE_TOKEN, { bid: 2_548_025, ask: 2_548_035, ltp: 2_548_030 }));
  requote(chain, params, NOW);
  return chain;
}

function requote(chain: OptionChain, params: SviParams, timeMs: number): void {
  quoteAll(chain, STRIKES, F, T, (strike) => sviImpliedVol(params, Math.log(strike / F), T), { timeMs });
}

function jobOf(chain: SmileFitTarget): SmileFitJob {
  const job = chain.smileFitJob();
  if (typeof job === 'string') throw new Error(`no job: ${job}`);
  return job;
}

/** A fit target that is not a chain: hands out `job` and records what comes back. */
function fakeTarget(job: SmileFitJob): SmileFitTarget & { accepted: SviFit[] } {
  const accepted: SviFit[] = [];
  return {
    underlying: job.underlying,
    expiry: job.expiry,
    accepted,
    smileFitJob: () => job,
    acceptSmileFit: (_job, fit) => accepted.push(fit),
  };
}

const fixture = (name: string): URL => new URL(`./fixtures/${name}.ts`, import.meta.url);

/** Captures warn-level log lines as parsed JSON. */
function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ level: 'warn' }, sink), lines };
}

const open: SmileFitter[] = [];
afterEach(async () => {
  for (const fitter of open.splice(0)) await fitter.close();
});

async function started(options: Partial<SmileFitterOptions> & Pick<SmileFitterOptions, 'chains'>) {
  const clock = new SimulatedClock(NOW);
  const fitter = new SmileFitter({ clock, logger: silentLogger(), ...options });
  open.push(fitter);
  await fitter.start();
  return { fitter, clock };
}

describe('smileWorkerModule', () => {
  it('under vitest resolves the .ts worker and gives it tsx as a loader, by absolute URL', () => {
    const { filename, execArgv } = smileWorkerModule();
    expect(filename, 'this module runs from source').toMatch(/src\/engine\/smileFitWorker\.ts$/);
    expect(execArgv[0]).toBe('--import');
    expect(execArgv[1], 'resolved from this file, not the cwd').toMatch(/^file:\/\/.*\/tsx\/.*\.mjs$/);
  });

  it('runs a .js worker (as from dist/) with no extra execArgv', () => {
    expect(smileWorkerModule('/srv/indexflow/dist/engine/smileFitWorker.js')).toEqual({
      filename: '/srv/indexflow/dist/engine/smileFitWorker.js',
      execArgv: [],
    });
  });
});

describe('SmileFitter', () => {
  it('fits a chain in the worker on its interval and the fit lands in the chain summary', async () => {
    const chain = smileChain();
    const metrics = createMetricsRegistry({ defaults: false });
    const { fitter, clock } = await started({ chains: new ChainRegistry([chain]), metrics });
    expect(chain.snapshot().summary.smile.atmIvSource, 'no fit yet: the nearest strike’s IV').toBe('strike');
    const expected = fitSvi(jobOf(chain).points);

    clock.advanceBy(5000);
    await vi.waitFor(() => expect(fitter.stats().fits).toBe(1), { timeout: 15_000, interval: 20 });

    const smile = chain.snapshot().summary.smile;
    expect(smile.atmIvSource, 'ATM IV now comes from the SVI fit').toBe('svi');
    expect(smile.svi?.params, 'the worker ran the same deterministic fit').toEqual(expected.params);
    expect(smile.svi?.points).toBe(STRIKES.length);
    expect(smile.atmIv ?? 0, 'the generating smile’s σ(k = 0)').toBeCloseTo(
      Math.sqrt(sviTotalVariance(PARAMS, 0) / T),
      3,
    );
    expect(smile.fittedAtMs, 'stamped with the chain time of the data').toBe(NOW);

    const text = await metrics.metrics();
    expect(text).toMatch(/^indexflow_smile_fits_total 1$/m);
    expect(text, 'one fit duration observed').toMatch(/^indexflow_smile_fit_seconds_count 1$/m);
    expect(fitter.health().state).toBe('running');
  });

  it('does not refit a chain whose data has not changed, and refits it once it has', async () => {
    const chain = smileChain();
    const { fitter } = await started({ chains: new ChainRegistry([chain]) });
    await fitter.sweep();
    await fitter.sweep();
    expect(fitter.stats(), 'second sweep saw the same chain version').toMatchObject({
      submitted: 1,
      fits: 1,
      unchanged: 1,
    });
    requote(chain, STEEPER, NOW + 1000);
    const next = jobOf(chain);
    expect(next.initial, 'warm-started from the installed fit').toBeDefined();
    await fitter.sweep();
    expect(fitter.stats()).toMatchObject({ submitted: 2, fits: 2 });
    expect(chain.snapshot().summary.smile.svi?.params, 'the new smile’s fit').toEqual(
      fitSvi(next.points, { initial: next.initial }).params,
    );
  });

  it('keeps one fit per chain in flight; a fit of data the chain has since moved past still lands, then gives way', async () => {
    const chain = smileChain();
    const { fitter } = await started({ chains: new ChainRegistry([chain]) });
    const oldJob = jobOf(chain);
    const first = fitter.sweep();
    // The job is taken synchronously in sweep(); the chain moves on while the worker fits the old data.
    requote(chain, STEEPER, NOW + 2000);
    await fitter.sweep();
    expect(fitter.stats(), 'the chain’s fit is still running: no second one').toMatchObject({
      submitted: 1,
      busy: 1,
    });
    await first;
    let smile = chain.snapshot().summary.smile;
    // Cache rule (storeFit): a result is kept unless a fit of later data is installed. None is, so the old
    // data's fit is shown, stamped with that data's time, not the chain's current time.
    expect(smile.svi?.params).toEqual(fitSvi(oldJob.points).params);
    expect(smile.fittedAtMs).toBe(oldJob.asOfMs);

    await fitter.sweep();
    smile = chain.snapshot().summary.smile;
    expect(smile.fittedAtMs, 'the next sweep fits the moved chain').toBe(NOW + 2000);
    expect(smile.svi?.params).not.toEqual(fitSvi(oldJob.points).params);
    expect(fitter.stats()).toMatchObject({ submitted: 2, fits: 2, failures: 0 });
  });

  it('counts and logs a worker that throws, and never throws into the engine', async () => {
    const chain = smileChain();
    const { logger, lines } = capturingLogger();
    const metrics = createMetricsRegistry({ defaults: false });
    const { fitter } = await started({
      chains: new ChainRegistry([chain]),
      logger,
      metrics,
      workerFile: fixture('throwingSmileWorker'),
    });
    await expect(fitter.sweep(), 'sweep resolves despite the failure').resolves.toBeUndefined();
    expect(fitter.stats()).toMatchObject({ fits: 0, failures: 1, inFlight: 0 });
    expect(fitter.stats().failuresByReason.worker).toBe(1);
    expect(chain.snapshot().summary.smile.atmIvSource, 'the chain keeps its strike IV').toBe('strike');
    expect(lines.some((l) => l['msg'] === 'smile fit failed' && l['reason'] === 'worker')).toBe(true);
    expect(await metrics.metrics()).toMatch(/^indexflow_smile_fit_failures_total\{reason="worker"\} 1$/m);
    expect(fitter.health().state, 'a failing fitter degrades, it does not fail').toBe('degraded');
    await fitter.sweep();
    expect(fitter.stats().failures, 'a worker failure is retried on the next sweep').toBe(2);
  });

  it('counts a worker thread that dies mid-fit, and the pool keeps serving', async () => {
    const chain = smileChain();
    const { fitter } = await started({
      chains: new ChainRegistry([chain]),
      workerFile: fixture('crashingSmileWorker'),
    });
    await fitter.sweep();
    await fitter.sweep();
    expect(fitter.stats().failuresByReason.worker, 'each crash rejects its own fit').toBe(2);
    expect(fitter.stats().inFlight).toBe(0);
  });

  it('aborts a fit that runs past the task timeout and counts it', async () => {
    const chain = smileChain();
    const clock = new LiveClock();
    const fitter = new SmileFitter({
      chains: new ChainRegistry([chain]),
      clock,
      logger: silentLogger(),
      taskTimeoutMs: 300,
      workerFile: fixture('hangingSmileWorker'),
    });
    open.push(fitter);
    await fitter.start();
    await fitter.sweep();
    expect(fitter.stats().failuresByReason.timeout).toBe(1);
    expect(fitter.stats().inFlight, 'the chain is free for the next sweep').toBe(0);
    clock.clearAll();
  });

  it('counts a coded fit error from the real worker as a fit failure and does not retry the same data', async () => {
    const target = fakeTarget({
      underlying: 'NIFTY',
      expiry: EXPIRY,
      version: 7,
      asOfMs: NOW,
      timeYears: T,
      forward: 2_548_030,
      // Five distinct strikes but zero variance everywhere: fitSvi's IF_ERR_SMILE_FIT.
      points: [-0.02, -0.01, 0, 0.01, 0.02].map((k) => ({ k, w: 0 })),
    });
    const { fitter } = await started({ chains: { chains: () => [target] } });
    await fitter.sweep();
    await fitter.sweep();
    expect(fitter.stats()).toMatchObject({ submitted: 1, failures: 1, unchanged: 1 });
    expect(fitter.stats().failuresByReason.fit).toBe(1);
    expect(target.accepted).toHaveLength(0);
  });

  it('close() destroys the pool: later sweeps do nothing, and a fit cut off by it is not a failure', async () => {
    const chain = smileChain();
    const { fitter } = await started({
      chains: new ChainRegistry([chain]),
      workerFile: fixture('hangingSmileWorker'),
    });
    const running = fitter.sweep();
    await fitter.close();
    await running;
    await fitter.sweep();
    expect(fitter.stats()).toMatchObject({ submitted: 1, fits: 0, failures: 0, inFlight: 0 });
    expect(fitter.health().state).toBe('stopped');
  });

  it('rejects a non-positive interval or thread count', () => {
    const base = { chains: new ChainRegistry(), clock: new SimulatedClock(NOW), logger: silentLogger() };
    expect(() => new SmileFitter({ ...base, intervalMs: 0 })).toThrow(
      expect.objectContaining({ code: 'IF_ERR_VALIDATION' }),
    );
    expect(() => new SmileFitter({ ...base, threads: 1.5 })).toThrow(
      expect.objectContaining({ code: 'IF_ERR_VALIDATION' }),
    );
  });
});
