/**
 * The piscina task of SmileFitter: one SVI fit, run in a worker thread so its ~15 ms never lands on the
 * market-data thread. Loaded by file name (dist/engine/smileFitWorker.js, or the .ts under tsx); the main
 * thread imports only its types.
 */

import { performance } from 'node:perf_hooks';
import { IfError } from '../core/errors.js';
import { fitSvi, type SviFit, type SviParams, type SviPoint } from '../options/smile/index.js';

/** What crosses to the worker: a SmileFitJob's points and warm start, nothing else. */
export interface SmileFitTask {
  readonly points: readonly SviPoint[];
  readonly initial?: SviParams;
}

/**
 * The worker's answer. A coded fit error comes back as a value, because structured clone keeps an
 * Error's message but drops its `code`; any other throw rejects the task as a worker failure.
 */
export type SmileFitOutcome =
  | { readonly ok: true; readonly fit: SviFit; readonly seconds: number }
  | { readonly ok: false; readonly code: string; readonly detail: string; readonly seconds: number };

/** Fits raw SVI to `task.points`; `seconds` is the fit's own time in the worker. */
export default function fitSmile(task: SmileFitTask): SmileFitOutcome {
  const started = performance.now();
  try {
    const fit = fitSvi(task.points, task.initial === undefined ? {} : { initial: task.initial });
    return { ok: true, fit, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    if (!(error instanceof IfError)) throw error;
    return {
      ok: false,
      code: error.code,
      detail: error.message,
      seconds: (performance.now() - started) / 1000,
    };
  }
}
