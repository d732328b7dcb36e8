import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AngelOrder, AngelRestClient } from '../src/brokers/angelone/rest/index.js';
import { SeededRandom } from '../src/core/random.js';
import { istToEpochMs } from '../src/core/time.js';
import { ScaledClock } from '../src/engine/clocks.js';
import {
  isTerminal,
  type Order,
  type OrderAuditEvent,
  parseClientOrderId,
} from '../src/execution/orders/index.js';
import type { RunningSimulator } from '../src/sim/simulator.js';
import { startSimulator } from '../src/sim/simulator.js';
import { createDatabase } from '../src/storage/database.js';
import { OrderRepository } from '../src/storage/orders.js';
import type { PlaceOrdersChildConfig } from './support/placeOrdersChild.js';
import { loggedInRest, nearOptions } from './support/simHarness.js';

/**
 * kill -9 during order placement (DESIGN §5, invariant I2): a child process places orders through the
 * real order manager, Angel One clients and SQLite store against the simulator, and is killed with
 * SIGKILL at a seeded point: between the order's write-ahead and its send, between the send and the
 * answer, after it. A new process on the same SQLite file reconciles by client order id and finishes the
 * plan. The simulator's order book (read over REST) is the ground truth: one order per client order id,
 * nothing at the venue that the store lacks, nothing left unknown, one venue order per planned order.
 *
 * One simulator serves every run; a run has its own SQLite file and client order id prefix. Its clock
 * runs SPEED× wall time so the REST rate windows (1 order-book read per second) pass quickly; its market
 * never steps, so the resting orders never fill and the account stays flat. Every run's randomness comes
 * from its seed, printed in every failure with what each child printed: `SEED_FILTER=<seed>` runs that
 * run alone, `CRASH_DEBUG=<file>` appends every child line with its wall time since the job began.
 *
 * A child that finished its job takes the next run's first attempt, and two more load in the background:
 * loading the modules through tsx costs about 2 CPU seconds a process here, the larger part of the file's
 * time.
 */

const SPEED = 50;
/** Wednesday 2026-11-25, a trading day: from just after the open, 50× leaves over 7 wall minutes */
const SESSION_OPEN_MS = istToEpochMs(2026, 11, 25, 9, 16);
/** orders after this would meet the close (DAY orders expire at 15:30) */
const LAST_RUN_START_MS = istToEpochMs(2026, 11, 25, 15, 15);
const RUNS = 50;
const RUNS_PER_TEST = 10;
/** children loading in the background while one works */
const CHILDREN_AHEAD = 2;
const FIRST_SEED = 7_001;
/** planned orders per run: slot i buys (i + 1) lots */
const SLOTS = 3;
/** child output lines about an order step; the kill points are counted in these */
const STEP = /^(stored|submitted|sent|acked|accepted|rejected|placed|cancelled) /;
/** a child that neither finishes nor dies in this long (wall ms) is a failure */
const CHILD_DEADLINE_MS = 60_000;
/** rejection reasons of orders that never reached the venue, as the manager writes them */
const NEVER_REACHED = new Set(['never sent: stopped before the venue call', 'not found at the broker']);

const CHILD_FILE = fileURLToPath(new URL('./support/placeOrdersChild.ts', import.meta.url));
const SEED_FILTER = process.env['SEED_FILTER'];
const DEBUG_FILE = process.env['CRASH_DEBUG'];

/** tsx resolved from this file, not the cwd, so the child starts wherever it runs (see smileFitter.ts) */
function tsxLoader(): string {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  } catch {
    return 'tsx';
  }
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One child process: its output lines as they arrive and its exit. */
class Child {
  readonly lines: string[] = [];
  onLine: ((line: string) => void) | undefined;
  readonly exited: Promise<Exit>;
  private stderr = '';
  private waiters: Array<() => void> = [];
  private done = false;

  constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    createInterface({ input: proc.stdout }).on('line', (line) => {
      this.lines.push(line);
      this.onLine?.(line);
      this.wake();
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => {
      proc.once('close', (code, signal) => {
        this.done = true;
        this.wake();
        resolve({ code, signal });
      });
    });
  }

  get errorOutput(): string {
    return this.stderr.slice(-2_000);
  }

  send(config: PlaceOrdersChildConfig): void {
    this.proc.stdin.write(`${JSON.stringify(config)}\n`);
  }

  /** Resolves once the lines from index `from` on satisfy `done`, or the child ended; true in the first case. */
  async waitFor(from: number, done: (lines: readonly string[]) => boolean): Promise<boolean> {
    for (;;) {
      if (done(this.lines.slice(from))) return true;
      if (this.ended) return false;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  get ended(): boolean {
    return this.done;
  }

  /** SIGKILL by pid, unless it already ended. */
  kill(): boolean {
    if (this.done || this.proc.exitCode !== null || this.proc.signalCode !== null) return false;
    return this.proc.kill('SIGKILL');
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/**
 * Children are started ahead: loading the TypeScript modules through tsx takes seconds of CPU on this
 * machine, so the next children load while the current one works. Only a config line starts a job.
 */
class ChildPool {
  private readonly spares: Promise<Child>[] = [];
  private readonly all = new Set<Child>();

  constructor(
    private readonly cwd: string,
    private readonly ahead: number,
  ) {}

  /** Starts loading children now (while the simulator starts). */
  warm(): void {
    while (this.spares.length < this.ahead) this.spares.push(this.boot());
  }

  take(): Promise<Child> {
    const next = this.spares.shift() ?? this.boot();
    this.warm();
    return next;
  }

  async close(): Promise<void> {
    for (const spare of this.spares.splice(0)) void spare.catch(() => undefined);
    for (const child of this.all) child.kill();
    await Promise.all([...this.all].map((child) => child.exited));
  }

  private async boot(): Promise<Child> {
    const proc = spawn(process.execPath, ['--import', tsxLoader(), CHILD_FILE], {
      cwd: this.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const child = new Child(proc);
    this.all.add(child);
    void child.exited.then(() => this.all.delete(child));
    if (!(await child.waitFor(0, (lines) => lines.includes('ready')))) {
      throw new Error(`child did not start: ${child.errorOutput}`);
    }
    return child;
  }
}

type KillPlan =
  | { readonly kind: 'after-lines'; readonly lines: number; readonly extraMs: number }
  | { readonly kind: 'after-ms'; readonly ms: number };

interface PhaseResult {
  /** what the child printed for this job */
  readonly lines: readonly string[];
  /** undefined when the child finished the job and lives on */
  readonly exit: Exit | undefined;
  readonly killed: boolean;
  readonly errorOutput: string;
  /** the child, when it finished the job: it takes the next one */
  readonly survivor: Child | undefined;
}

function describeKill(plan: KillPlan | undefined): string {
  if (plan === undefined) return 'no kill';
  return plan.kind === 'after-lines'
    ? `kill after ${plan.lines} step lines + ${plan.extraMs} ms`
    : `kill after ${plan.ms} ms`;
}

/** A seeded kill point: after a number of step lines (plus a little), or after a delay. */
function killPlan(random: SeededRandom, maxLines: number, maxMs: number, pauseMs: number): KillPlan {
  if (random.next() < 0.65) {
    const extraMs = random.next() < 0.5 ? 0 : random.int(0, pauseMs);
    return { kind: 'after-lines', lines: random.int(1, maxLines), extraMs };
  }
  return { kind: 'after-ms', ms: random.int(0, maxMs) };
}

/** `KAA`, `KAB`, …: a distinct client order id prefix per run (letters only, as ids require). */
function prefixOf(run: number): string {
  const letter = (n: number) => String.fromCharCode(65 + n);
  return `K${letter(Math.floor(run / 26) % 26)}${letter(run % 26)}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function brokerOrderIdOf(order: Order): string | undefined {
  return 'brokerOrderId' in order ? order.brokerOrderId : undefined;
}

/** What reconciliation did with an order the crash left behind, read from its audit trail. */
type Outcome = 'never-sent' | 'not-found' | 'found-after-crash' | 'placed';

function outcomeOf(order: Order, audit: readonly OrderAuditEvent[]): Outcome {
  const reconciled = audit.find((row) => row.cause === 'reconciled' && row.from === 'submitted');
  if (reconciled !== undefined) return reconciled.to === 'rejected' ? 'not-found' : 'found-after-crash';
  if (order.status === 'rejected' && audit.some((row) => row.from === 'new' && row.to === 'rejected')) {
    return 'never-sent';
  }
  return 'placed';
}

let sim: RunningSimulator;
let clock: ScaledClock;
let rest: AngelRestClient;
let dir: string;
let pool: ChildPool;
let token: string;
let lotSize: number;
const outcomes = new Map<Outcome, number>();
/** what the first child printed last before it died, per run */
const killedAfter = new Map<string, number>();
let runsDone = 0;
/** the child that finished the last job; it takes the next run's first attempt */
let worker: Child | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'indexflow-crash-'));
  pool = new ChildPool(dir, CHILDREN_AHEAD);
  pool.warm();
  clock = new ScaledClock(SESSION_OPEN_MS, SPEED);
  sim = await startSimulator({
    clock,
    host: '127.0.0.1',
    port: 0,
    underlyings: ['NIFTY'],
    strikesEachSide: 5,
  });
  rest = await loggedInRest(sim, clock, { limits: { paddingMs: 1_500 } });
  const option = nearOptions(sim, 'NIFTY', 1)[0];
  if (option === undefined) throw new Error('no NIFTY option in the simulator');
  token = option.token;
  lotSize = option.lotSize;
});

afterAll(async () => {
  await pool?.close();
  await sim?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function runPhase(
  config: PlaceOrdersChildConfig,
  plan: KillPlan | undefined,
  reuse: Child | undefined,
): Promise<PhaseResult> {
  const t0 = Date.now();
  const child = reuse ?? (await pool.take());
  const t1 = Date.now();
  const from = child.lines.length;
  if (DEBUG_FILE !== undefined) {
    const waited = reuse ? 'the previous child' : `a new child after ${t1 - t0} ms`;
    appendFileSync(DEBUG_FILE, `${config.prefix} ${describeKill(plan)}: ${waited}\n`);
    child.onLine = (line) => appendFileSync(DEBUG_FILE, `  +${Date.now() - t1} ${line}\n`);
  }
  child.send({ ...config, simNowMs: clock.now(), wallNowMs: Date.now() });
  const deadline = setTimeout(() => child.kill(), CHILD_DEADLINE_MS);
  let killed = false;
  try {
    const finishedJob = (lines: readonly string[]) => lines.includes('ready');
    if (plan?.kind === 'after-lines') {
      const steps = (lines: readonly string[]) => lines.filter((l) => STEP.test(l)).length;
      await child.waitFor(from, (lines) => finishedJob(lines) || steps(lines) >= plan.lines);
      if (plan.extraMs > 0) await sleep(plan.extraMs);
    } else if (plan?.kind === 'after-ms') {
      await Promise.race([sleep(plan.ms), child.waitFor(from, finishedJob)]);
    }
    // a child that finished its job before the kill point is left alone
    if (plan !== undefined && !finishedJob(child.lines.slice(from))) killed = child.kill();
    // the job ends with `ready` (finished, everything closed) or with the process
    const finished = await child.waitFor(from, finishedJob);
    const exit = finished ? undefined : await child.exited;
    const lines = child.lines.slice(from);
    const survivor = finished && !child.ended ? child : undefined;
    return { lines, exit, killed, errorOutput: child.errorOutput, survivor };
  } finally {
    clearTimeout(deadline);
  }
}

async function runOnce(run: number): Promise<void> {
  const seed = FIRST_SEED + run;
  if (clock.now() > LAST_RUN_START_MS) {
    throw new Error(`seed ${seed}: the simulated session is closing; the runs before took too long`);
  }
  const random = new SeededRandom(seed);
  const prefix = prefixOf(run);
  const sqliteFile = join(dir, `${prefix}.sqlite`);
  const pauseMs = random.int(2, 20);
  const config: PlaceOrdersChildConfig = {
    restUrl: sim.restUrl,
    orderFeedUrl: sim.orderFeedUrl,
    masterUrl: sim.instrumentMasterUrl,
    account: sim.account,
    sqliteFile,
    prefix,
    token,
    slots: SLOTS,
    simNowMs: 0,
    wallNowMs: 0,
    speed: SPEED,
    pauseMs,
  };
  // The first child is always aimed at: six step lines per order, and a delay long enough to reach past
  // the last order. Some recoveries are killed too, on their own re-placements or reconciliation.
  const plans: (KillPlan | undefined)[] = [killPlan(random, SLOTS * 6 + 1, 900, pauseMs)];
  if (random.next() < 0.3) plans.push(killPlan(random, SLOTS * 4, 600, pauseMs));
  plans.push(undefined);

  const story: string[] = [`seed ${seed} (run ${run}, prefix ${prefix}, pause ${pauseMs} ms)`];
  const phases: PhaseResult[] = [];
  for (const plan of plans) {
    const phase = await runPhase(config, plan, worker);
    worker = phase.survivor;
    phases.push(phase);
    const ending = phase.killed
      ? 'killed'
      : phase.exit === undefined
        ? 'finished'
        : `exit ${phase.exit.code ?? phase.exit.signal}`;
    story.push(`${describeKill(plan)} → ${ending}: ${phase.lines.join(' / ')}`);
  }
  const why = (what: string) => `${story.join('\n')}\n${what}`;
  const first = phases[0];
  if (first?.killed) {
    const last =
      [...first.lines]
        .reverse()
        .find((l) => STEP.test(l))
        ?.split(' ')[0] ?? '(before any order)';
    killedAfter.set(last, (killedAfter.get(last) ?? 0) + 1);
  }
  for (const phase of phases) {
    expect(
      phase.killed || phase.exit === undefined,
      why(`a child ends only by our kill or lives on after its job; its stderr: ${phase.errorOutput}`),
    ).toBe(true);
  }
  const final = phases[phases.length - 1];
  expect(final?.lines, why('the last child reports every order settled')).toContain('done');

  // ground truth: the venue's order book over REST, this run's orders by their ordertag
  const venue: AngelOrder[] = (await rest.getOrderBook()).filter(
    (row) => parseClientOrderId(row.orderTag)?.prefix === prefix,
  );
  const database = createDatabase({ sqliteFile });
  try {
    const repository = new OrderRepository(database.db);
    const stored = await repository.ordersBetween(0, Number.MAX_SAFE_INTEGER);
    const storedIds = new Set(stored.map((o) => o.clientOrderId as string));
    for (const order of stored) {
      const atVenue = venue.filter((row) => row.orderTag === order.clientOrderId);
      const brokerOrderId = brokerOrderIdOf(order);
      const state = `${order.clientOrderId} (${order.status})`;
      expect(
        atVenue.length,
        why(`${state}: at most one venue order per client order id`),
      ).toBeLessThanOrEqual(1);
      expect(
        order.status === 'new' || order.status === 'submitted' || order.status === 'unknown',
        why(`${state}: nothing is left unsettled after recovery`),
      ).toBe(false);
      if (brokerOrderId === undefined) {
        expect(atVenue, why(`${state}: an order without a venue id is not at the venue`)).toEqual([]);
        expect(order.status, why(`${state}: an order that never reached the venue is rejected`)).toBe(
          'rejected',
        );
        const reason = order.status === 'rejected' ? order.reason : '';
        expect(NEVER_REACHED.has(reason), why(`${state}: rejected for a crash, not "${reason}"`)).toBe(true);
      } else {
        expect(
          atVenue.map((row) => row.orderId),
          why(`${state}: the venue holds exactly the order we hold`),
        ).toEqual([brokerOrderId]);
        expect(order.status, why(`${state}: a resting order reads as accepted`)).toBe('accepted');
      }
      const outcome = outcomeOf(order, await repository.audit(order.orderId));
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    for (const row of venue) {
      expect(storedIds.has(row.orderTag), why(`venue order ${row.orderTag} is in the store`)).toBe(true);
      expect(row.status, why(`venue order ${row.orderTag} rests open`)).toBe('open');
    }
    for (let slot = 0; slot < SLOTS; slot++) {
      const quantity = (slot + 1) * lotSize;
      expect(
        venue.filter((row) => row.quantity === quantity).map((row) => row.orderTag),
        why(`planned order ${slot} (${quantity} units) is at the venue exactly once`),
      ).toHaveLength(1);
    }
    expect(venue, why('nothing beyond the plan reached the venue')).toHaveLength(SLOTS);
    expect(
      stored.filter((o) => !isTerminal(o.status)).length,
      why('the open orders are the planned ones'),
    ).toBe(SLOTS);
  } finally {
    await database.close();
  }
  // free the margin the resting orders block, for the runs after this one
  for (const row of venue) {
    if (row.status === 'open') await rest.cancelOrder({ variety: 'NORMAL', orderId: row.orderId });
  }
  await rm(sqliteFile, { force: true });
  await rm(`${sqliteFile}-wal`, { force: true });
  await rm(`${sqliteFile}-shm`, { force: true });
  runsDone += 1;
}

describe('order placement survives kill -9 at any step', () => {
  for (let from = 0; from < RUNS; from += RUNS_PER_TEST) {
    const runs = Array.from({ length: Math.min(RUNS_PER_TEST, RUNS - from) }, (_, i) => from + i);
    const seeds = `${FIRST_SEED + from}–${FIRST_SEED + from + runs.length - 1}`;
    it(`seeds ${seeds}: one venue order per client order id and per planned order after recovery`, {
      timeout: 180_000,
    }, async () => {
      for (const run of runs) {
        if (SEED_FILTER !== undefined && Number(SEED_FILTER) !== FIRST_SEED + run) continue;
        await runOnce(run);
      }
    });
  }

  it('the kills landed before the send, during it and after the answer', () => {
    if (SEED_FILTER !== undefined) return;
    const summary = `outcomes ${JSON.stringify(Object.fromEntries(outcomes))}, first child killed after ${JSON.stringify(Object.fromEntries(killedAfter))}`;
    console.info(`crash-placement: ${runsDone} runs; ${summary}`);
    expect(runsDone, summary).toBe(RUNS);
    expect(outcomes.get('never-sent') ?? 0, `stored but never sent: ${summary}`).toBeGreaterThan(0);
    expect(outcomes.get('not-found') ?? 0, `submitted, never reached the venue: ${summary}`).toBeGreaterThan(
      0,
    );
    expect(
      outcomes.get('found-after-crash') ?? 0,
      `submitted, at the venue, answer lost: ${summary}`,
    ).toBeGreaterThan(0);
  });
});
