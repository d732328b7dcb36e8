/**
 * SmileFitter: runs every chain's SVI fit in a worker thread pool (piscina), for chains built with
 * `smileFit: 'external'`. Every `intervalMs` it takes each chain's smileFitJob(), sends the points to a
 * worker, and hands the fit back with acceptSmileFit(), which keeps or drops it by the chain's own cache
 * rules (a result older than the installed fit is dropped). The market-data thread only builds jobs and
 * stores results; it never waits for a fit, and a failed fit is logged and counted, never thrown.
 */

import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Clock, TimerHandle } from '../core/clock.js';
import { IfError } from '../core/errors.js';
import type { SmileFitJob } from '../options/chain/index.js';
import type { SviFit } from '../options/smile/index.js';
import type { Logger } from '../ops/logger.js';
import type { Component, ComponentHealth } from './lifecycle.js';
import type { SmileFitOutcome, SmileFitTask } from './smileFitWorker.js';

/** The part of an OptionChain the fitter uses (OptionChain fits it as it is). */
export interface SmileFitTarget {
  readonly underlying: string;
  readonly expiry: string;
  smileFitJob(): SmileFitJob | string;
  acceptSmileFit(job: SmileFitJob, fit: SviFit): void;
}

/** Where the chains come from (ChainRegistry fits it as it is); read on every sweep. */
export interface SmileFitSource {
  chains(): readonly SmileFitTarget[];
}

export interface SmileFitterOptions {
  readonly chains: SmileFitSource;
  /** wall clock for the sweep timer and the task timeout */
  readonly clock: Clock;
  readonly logger: Logger;
  /** registers indexflow_smile_fit* metrics here when given */
  readonly metrics?: Registry;
  /** ms between sweeps; default 5000 */
  readonly intervalMs?: number;
  /** worker threads; default 1 (one fit at a time keeps a core free for the fast path on 2 cores) */
  readonly threads?: number;
  /** a fit running longer than this is aborted (its worker restarted) and counted; default 30000 ms */
  readonly taskTimeoutMs?: number;
  /** added to the workers' nice value (Linux), so the fast path wins a busy core; default 10, 0 for none */
  readonly niceIncrement?: number;
  /** worker module (default export: SmileFitTask → SmileFitOutcome); default smileFitWorker beside this file */
  readonly workerFile?: string | URL;
}

/**
 * Why a fit did not land: a coded fit error, a worker that threw or died, one that ran too long, or a
 * chain that threw while building its job.
 */
export type SmileFitFailure = 'fit' | 'worker' | 'timeout' | 'job';

export interface SmileFitterStats {
  sweeps: number;
  /** fits sent to a worker */
  submitted: number;
  /** fits handed back to a chain */
  fits: number;
  failures: number;
  failuresByReason: Record<SmileFitFailure, number>;
  /** chains passed over because their data had not changed since their last fit */
  unchanged: number;
  /** chains passed over because their previous fit was still running */
  busy: number;
  inFlight: number;
}

const METRIC_NAMES = [
  'indexflow_smile_fits_total',
  'indexflow_smile_fit_failures_total',
  'indexflow_smile_fits_in_flight',
  'indexflow_smile_fit_seconds',
] as const;

/** 1 ms … 1 s around the ~15 ms a 41-strike fit takes. */
const FIT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/**
 * The worker module beside this one, with the execArgv it needs: from dist/ it is plain .js; under vitest
 * or tsx this module is .ts, and a worker thread does not inherit the parent's TypeScript loader, so it
 * gets tsx's. tsx is resolved from here, not from the cwd, so `--import` works wherever node was started.
 */
export function smileWorkerModule(file?: string | URL): { filename: string; execArgv: string[] } {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const url = file ?? new URL(`./smileFitWorker${ext}`, import.meta.url);
  const filename = url instanceof URL || url.startsWith('file:') ? fileURLToPath(url) : url;
  if (!filename.endsWith('.ts')) return { filename, execArgv: [] };
  let tsx = 'tsx';
  try {
    tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  } catch {
    // tsx is a devDependency; without it only a cwd-relative 'tsx' is left to try.
  }
  return { filename, execArgv: ['--import', tsx] };
}

/** Fits every chain's smile off the market-data thread; see the module comment. */
export class SmileFitter implements Component {
  readonly name = 'smile-fitter';
  readonly critical = false;

  private readonly source: SmileFitSource;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly threads: number;
  private readonly taskTimeoutMs: number;
  private readonly niceIncrement: number;
  private readonly workerFile: string | URL | undefined;
  private pool: Piscina<SmileFitTask, SmileFitOutcome> | undefined;
  private timer: TimerHandle | undefined;
  private closed = false;
  private readonly inFlight = new Set<SmileFitTarget>();
  /** chain version of each chain's last finished fit: an unchanged chain is not fitted again */
  private readonly fittedVersion = new WeakMap<SmileFitTarget, number>();
  /** the last "no job" reason logged per chain, so a quiet chain logs once, not every sweep */
  private readonly lastReason = new WeakMap<SmileFitTarget, string>();
  private lastFailure: string | undefined;
  private readonly counts: SmileFitterStats = {
    sweeps: 0,
    submitted: 0,
    fits: 0,
    failures: 0,
    failuresByReason: { fit: 0, worker: 0, timeout: 0, job: 0 },
    unchanged: 0,
    busy: 0,
    inFlight: 0,
  };
  private readonly durations: { observe(seconds: number): void } | undefined;

  constructor(options: SmileFitterOptions) {
    this.source = options.chains;
    this.clock = options.clock;
    this.logger = options.logger;
    this.intervalMs = positiveInt('intervalMs', options.intervalMs ?? 5000);
    this.threads = positiveInt('threads', options.threads ?? 1);
    this.taskTimeoutMs = positiveInt('taskTimeoutMs', options.taskTimeoutMs ?? 30_000);
    this.niceIncrement = options.niceIncrement ?? 10;
    if (!(Number.isInteger(this.niceIncrement) && this.niceIncrement >= 0)) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `smile fitter niceIncrement must be an integer >= 0, got ${this.niceIncrement}`,
      });
    }
    this.workerFile = options.workerFile;
    this.durations = options.metrics === undefined ? undefined : this.registerMetrics(options.metrics);
  }

  /** Starts the worker pool and the sweep timer; a second call does nothing. */
  async start(): Promise<void> {
    if (this.pool !== undefined || this.closed) return;
    const { filename, execArgv } = smileWorkerModule(this.workerFile);
    this.pool = new Piscina<SmileFitTask, SmileFitOutcome>({
      filename,
      execArgv,
      niceIncrement: this.niceIncrement,
      minThreads: this.threads,
      maxThreads: this.threads,
      // Workers stay up between sweeps: a restart costs more than the fits it would save.
      idleTimeout: Number.POSITIVE_INFINITY,
    });
    // A dying worker also rejects its task (counted there); this only keeps the event from being unhandled.
    this.pool.on('error', (error: unknown) => this.logger.warn({ err: error }, 'smile fit worker error'));
    this.timer = this.clock.setInterval(() => void this.sweep(), this.intervalMs);
    this.logger.info(
      { threads: this.threads, intervalMs: this.intervalMs, worker: filename },
      'smile fitter started',
    );
  }

  /** Component stop: same as close(). */
  stop(): Promise<void> {
    return this.close();
  }

  /** Stops the timer and destroys the pool; fits still running are dropped, not counted as failures. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }

  /**
   * One pass over the chains: every chain that has a job, changed since its last fit and has no fit
   * running gets one. Resolves when this pass's fits have landed or failed; never rejects.
   */
  sweep(): Promise<void> {
    const pool = this.pool;
    if (pool === undefined) return Promise.resolve();
    this.counts.sweeps++;
    const running: Promise<void>[] = [];
    let chains: readonly SmileFitTarget[];
    try {
      chains = this.source.chains();
    } catch (error) {
      this.logger.warn({ err: error }, 'smile fitter could not list chains');
      return Promise.resolve();
    }
    for (const chain of chains) {
      if (this.inFlight.has(chain)) {
        this.counts.busy++;
        continue;
      }
      let job: SmileFitJob | string;
      try {
        job = chain.smileFitJob();
      } catch (error) {
        this.fail('job', chain, error);
        continue;
      }
      if (typeof job === 'string') {
        if (this.lastReason.get(chain) !== job) {
          this.lastReason.set(chain, job);
          this.logger.debug({ chain: label(chain), reason: job }, 'no smile fit job');
        }
        continue;
      }
      this.lastReason.delete(chain);
      if (this.fittedVersion.get(chain) === job.version) {
        this.counts.unchanged++;
        continue;
      }
      running.push(this.fit(pool, chain, job));
    }
    return Promise.all(running).then(() => undefined);
  }

  /** Counters since construction (a copy). */
  stats(): SmileFitterStats {
    return {
      ...this.counts,
      failuresByReason: { ...this.counts.failuresByReason },
      inFlight: this.inFlight.size,
    };
  }

  health(): ComponentHealth {
    const facts = {
      fits: this.counts.fits,
      failures: this.counts.failures,
      inFlight: this.inFlight.size,
    };
    if (this.closed) return { state: 'stopped', facts };
    if (this.pool === undefined) return { state: 'created', facts };
    // Chains fall back to the nearest strike's IV without a fit, so a failing fitter degrades, not fails.
    if (this.lastFailure !== undefined) return { state: 'degraded', detail: this.lastFailure, facts };
    return { state: 'running', facts };
  }

  private async fit(
    pool: Piscina<SmileFitTask, SmileFitOutcome>,
    chain: SmileFitTarget,
    job: SmileFitJob,
  ): Promise<void> {
    this.inFlight.add(chain);
    this.counts.submitted++;
    const abort = new AbortController();
    const timeout = this.clock.setTimeout(() => abort.abort(), this.taskTimeoutMs);
    const task: SmileFitTask = {
      points: job.points,
      ...(job.initial === undefined ? {} : { initial: job.initial }),
    };
    try {
      const outcome = await pool.run(task, { signal: abort.signal });
      if (this.closed) return;
      this.durations?.observe(outcome.seconds);
      // Either way this data has had its fit; the same data would fail the same way again.
      this.fittedVersion.set(chain, job.version);
      if (!outcome.ok) {
        this.fail('fit', chain, { code: outcome.code, detail: outcome.detail });
        return;
      }
      chain.acceptSmileFit(job, outcome.fit);
      this.counts.fits++;
      this.lastFailure = undefined;
    } catch (error) {
      if (this.closed) return;
      this.fail(abort.signal.aborted ? 'timeout' : 'worker', chain, error);
    } finally {
      this.clock.clearTimer(timeout);
      this.inFlight.delete(chain);
    }
  }

  /** Counts and logs a fit that did not land; `error` is the thrown value, or the worker's coded answer. */
  private fail(reason: SmileFitFailure, chain: SmileFitTarget, error: unknown): void {
    this.counts.failures++;
    this.counts.failuresByReason[reason]++;
    this.lastFailure = `${reason} failure on ${label(chain)}`;
    const what = reason === 'fit' ? { fitError: error } : { err: error };
    this.logger.warn({ chain: label(chain), reason, ...what }, 'smile fit failed');
  }

  private registerMetrics(registry: Registry): { observe(seconds: number): void } {
    for (const name of METRIC_NAMES) registry.removeSingleMetric(name);
    const exported = new Map<string, number>();
    // prom-client counters only go up; add what grew since the last scrape
    const advance = (
      counter: Counter<string>,
      key: string,
      total: number,
      labels: Record<string, string>,
    ) => {
      const delta = total - (exported.get(key) ?? 0);
      if (delta <= 0) return;
      exported.set(key, total);
      counter.inc(labels, delta);
    };
    const counts = this.counts;
    const inFlight = this.inFlight;
    new Counter({
      name: 'indexflow_smile_fits_total',
      help: 'SVI smile fits run in a worker and handed back to their chain',
      registers: [registry],
      collect() {
        advance(this, 'fits', counts.fits, {});
      },
    });
    new Counter({
      name: 'indexflow_smile_fit_failures_total',
      help: 'SVI smile fits that did not land, by reason (fit: coded fit error; worker: threw or died; timeout)',
      labelNames: ['reason'],
      registers: [registry],
      collect() {
        for (const [reason, total] of Object.entries(counts.failuresByReason))
          advance(this, `failures:${reason}`, total, { reason });
      },
    });
    new Gauge({
      name: 'indexflow_smile_fits_in_flight',
      help: 'SVI smile fits sent to a worker and not yet back',
      registers: [registry],
      collect() {
        this.set(inFlight.size);
      },
    });
    return new Histogram({
      name: 'indexflow_smile_fit_seconds',
      help: 'Time of one SVI smile fit inside the worker',
      buckets: FIT_BUCKETS,
      registers: [registry],
    });
  }
}

function label(chain: SmileFitTarget): string {
  return `${chain.underlying} ${chain.expiry}`;
}

function positiveInt(name: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0)) {
    throw new IfError('IF_ERR_VALIDATION', {
      detail: `smile fitter ${name} must be a positive integer, got ${value}`,
    });
  }
  return value;
}
