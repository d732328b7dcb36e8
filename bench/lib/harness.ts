/**
 * Shared shape of benchmark files. Each `bench/<name>.ts` exports `run(): Promise<BenchRow[]>`;
 * bench/run.ts discovers the files, runs them and prints one table.
 */

import { do_not_optimize, measure } from 'mitata';

export interface BenchRow {
  /** the bench file's name, e.g. "decode" */
  bench: string;
  /** what was measured, unique within the bench, e.g. "SnapQuote · indexflow" */
  name: string;
  /** mean nanoseconds per operation */
  nsPerOp: number;
  /** operations per second (1e9 / nsPerOp) */
  opsPerSec: number;
  /** `name` of the row in the same bench this one is compared with (ratio = baseline ns / this ns) */
  baseline?: string;
  note?: string;
}

export interface BenchModule {
  run(): Promise<BenchRow[]>;
}

/** Keeps a result alive so V8 cannot drop the work that produced it. */
export const keep: (value: unknown) => void = do_not_optimize;

/**
 * Measures `fn` with mitata (warm-up, batching, GC between samples) and returns nanoseconds per
 * operation, where one call of `fn` performs `opsPerCall` operations.
 */
export async function nsPerOperation(fn: () => void, opsPerCall = 1): Promise<number> {
  const stats = await measure(fn);
  return stats.avg / opsPerCall;
}

/** Builds a row from a per-operation time in nanoseconds. */
export function row(
  bench: string,
  name: string,
  nsPerOp: number,
  extra: { baseline?: string; note?: string } = {},
): BenchRow {
  return { bench, name, nsPerOp, opsPerSec: 1e9 / nsPerOp, ...extra };
}
