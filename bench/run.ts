/**
 * Benchmark runner: `npm run bench` runs every bench/*.ts file except this one; `npm run bench -- decode`
 * runs only files whose name contains "decode". Each file exports `run(): Promise<BenchRow[]>`; the
 * rows are printed as one table with the ratio to each row's in-run baseline. Benchmarks report, they
 * never fail.
 */

import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchModule, BenchRow } from './lib/harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];

function isBenchModule(value: unknown): value is BenchModule {
  return (
    typeof value === 'object' && value !== null && typeof (value as { run?: unknown }).run === 'function'
  );
}

function formatRate(opsPerSec: number): string {
  if (opsPerSec >= 1e6) return `${(opsPerSec / 1e6).toFixed(2)} M/s`;
  if (opsPerSec >= 1e3) return `${(opsPerSec / 1e3).toFixed(1)} k/s`;
  return `${opsPerSec.toFixed(0)} /s`;
}

function formatNs(ns: number): string {
  return ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(1)} ns`;
}

function printTable(rows: readonly BenchRow[]): void {
  const byKey = new Map(rows.map((r) => [`${r.bench}\u0000${r.name}`, r]));
  const cells = rows.map((r) => {
    const base = r.baseline === undefined ? undefined : byKey.get(`${r.bench}\u0000${r.baseline}`);
    const ratio = base === undefined ? '' : `${(base.nsPerOp / r.nsPerOp).toFixed(1)}× ${r.baseline}`;
    return [r.bench, r.name, formatNs(r.nsPerOp), formatRate(r.opsPerSec), ratio, r.note ?? ''];
  });
  const header = ['bench', 'case', 'time/op', 'rate', 'vs baseline', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string =>
    c
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const c of cells) console.log(line(c));
}

const files = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
  .filter((f) => filter === undefined || basename(f, '.ts').includes(filter))
  .sort();

if (files.length === 0) {
  console.log(`no benchmark matches "${filter ?? ''}"`);
} else {
  console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, single thread`);
  const rows: BenchRow[] = [];
  for (const file of files) {
    const mod: unknown = await import(pathToFileURL(join(here, file)).href);
    if (!isBenchModule(mod)) {
      console.log(`skipping ${file}: it does not export run()`);
      continue;
    }
    console.log(`running ${basename(file, '.ts')} …`);
    rows.push(...(await mod.run()));
  }
  console.log('');
  printTable(rows);
}
