/**
 * Tick to client, end to end (DESIGN.md §4: p50 ≤ 1 ms, p99 ≤ 5 ms at 5,000 ticks/s, 1,000 tokens,
 * 100 clients; platform RSS ≤ 250 MB): simulator → platform → hub clients, all on 127.0.0.1.
 *
 * Shape. The all-in-one platform (`startPlatform` on the built-in simulator, embedded SQLite, signals and
 * paper trading on: the `npm start` defaults but for the hub flush and simulator settings below) runs in a
 * child process started with tsx (bench/lib/e2ePlatform.ts), so its RSS is the platform's own; the bench
 * ends it by process group in a `finally`. The clients are the official `@microsoft/signalr` client (WebSockets, JSON protocol) in this
 * process, each logged in over HTTP as one of a few viewer users and subscribed to `ticks:<token>`
 * channels: token i goes to clients i, i+1, … (mod clients), so every token has exactly
 * E2E_SUBSCRIBERS subscribers and each client about tokens × subscribers / clients channels.
 *
 * Latency. The WS 2.0 packet has no field for a wall-clock stamp and, on the simulator, the engine clock
 * (and so the tick's `receivedAtMs`) is simulated time with 1 ms resolution, so neither can time a
 * millisecond path. Instead the child stamps every frame twice with `performance.timeOrigin +
 * performance.now()`: when the simulator's publish returns (its sockets uncorked: the bytes are with the
 * kernel) and when the platform's feed socket hands the frame over (the platform's raw-frame tap), each
 * keyed by (token, exchange time). Every client stamps each `update(channel, payload)` call the same way
 * and the logs are joined afterwards; the clock offset between the two processes is measured over IPC
 * (best of 50 round trips) and corrected. "sim→client" is the DESIGN figure (simulator socket to hub
 * client); "platform→client" starts when the platform's socket delivers the frame, so it leaves out the
 * time a frame waits behind the rest of its burst. Updates are state: an update the hub conflated away
 * has no latency; the conflated count is reported beside it.
 *
 * Tick rate and arrival. The simulator replays the previous trading day from 10:00 IST in real time
 * (speed 1). Each loop turn (`sim.stepIntervalMs`, default 100 ms) it moves the market on by whole steps
 * (`sim.marketStepMs`, default 200 ms) and sends every token that ticked, so at its defaults the
 * platform gets one burst per 100 ms (~500 frames at 5,000 ticks/s) and the last frame of a burst waits
 * for the whole burst to be processed. A live feed spreads ticks out more, so the bench sets both to
 * E2E_SIM_STEP_MS (default 10 ms: ~50-frame bursts; "10,100" also runs the simulator's default
 * shape). At activity 1 the market ticks ≈ 530 times a second over these 1,000 tokens; the rate is
 * raised with `sim.activity`, which multiplies every contract's tick rate. Raising `speed` instead would
 * run candles, signals and expiry time that much faster too and load the platform with work a live
 * 5,000 ticks/s does not bring. The activity comes from a table measured on this simulator; when the
 * rate measured from `/metrics` (`indexflow_feed_packets_total`) during warm-up misses E2E_RATE by more
 * than 10 %, the run restarts (at most twice) with a corrected activity. The rate reported is the
 * measured one: a busy machine slows the simulator's loop, and with it the rate.
 *
 * Hub flush. The hub writes each client at most one batch per `hub.flushIntervalMs` (config, default
 * 50 ms; the first batch after a quiet spell leaves at once), so the part of a burst that reaches the hub
 * after a client's first flush waits up to that long. The bench runs each interval of E2E_FLUSH_MS and
 * reports each; flush 0 (a batch per event-loop turn) is the setting meant for the latency goal.
 *
 * Memory. VmRSS sampled once a second from /proc/<pid>/status in the window (median = steady, max), and
 * VmHWM (peak since the process started, start-up included). The child runs under tsx, whose loader
 * thread and esbuild cost memory `node dist/…` does not; that overhead is measured in the same run (an
 * empty script with and without `--import tsx`) and shown beside it. The child also holds the bench's
 * stamp logs (a few MB).
 *
 * Environment (all optional):
 *   E2E_CLIENTS      hub clients, default 100 (at most 150: 30 per viewer user, the hub allowing 32, and
 *                    5 users, the login limit being 5 a minute per address)
 *   E2E_TOKENS       subscribed tokens, default 1000; rounded to the simulator's chains (all five
 *                    underlyings, 3 nearest expiries, strikes each side chosen to fit; 994 for 1000)
 *   E2E_RATE         target ticks/s into the platform, default 5000
 *   E2E_SECONDS      measured window, default 20
 *   E2E_WARMUP       warm-up seconds before the window, default 5
 *   E2E_SUBSCRIBERS  clients per token, default 10 (1 partitions the tokens over the clients)
 *   E2E_FLUSH_MS     hub flush intervals to run, comma-separated, default "0,50"
 *   E2E_SIM_STEP_MS  simulator market step and loop interval(s), comma-separated, default "10"
 *   E2E_ACTIVITY     fixes the simulator activity (no calibration)
 *   E2E_SPEED        simulator speed, default 1 (time-driven work grows with it; see above)
 *   E2E_PERSIST_TICKS 0 turns the platform's tick warehouse off (storage.persistTicks, default on)
 *   E2E_PROFILE      a directory: the platform child writes a V8 CPU profile (.cpuprofile) there
 * Smaller run: `E2E_CLIENTS=10 E2E_TOKENS=200 E2E_RATE=1000 E2E_SECONDS=5 npm run bench -- e2e`.
 */

import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type HubConnection, HttpTransportType, HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import type { ChildMessage, E2eChildOptions, ParentMessage } from './lib/e2ePlatform.js';
import { type BenchRow, row } from './lib/harness.js';
import {
  LOOP_DELAY_RESOLUTION_MS,
  type LoopDelay,
  loopDelayOf,
  StampLog,
  type StampLogData,
  wallNow,
} from './lib/stamps.js';

const BENCH = 'e2e';
const here = dirname(fileURLToPath(import.meta.url));
const CHILD_SCRIPT = join(here, 'lib', 'e2ePlatform.ts');
const UNDERLYINGS = ['NIFTY', 'BANKNIFTY', 'FINNIFTY', 'MIDCPNIFTY', 'SENSEX'];
/** With 3 expiries: NIFTY and SENSEX list 4 weeklies (3 taken), the others 2 monthlies: 12 chains. */
const CHAINS = 3 + 3 + 2 + 2 + 2;
/** Indices and nearest futures of the five underlyings. */
const FIXED_TOKENS = 10;
/** The simulator lists 20 strikes each side of its opening ATM. */
const MAX_STRIKES_EACH_SIDE = 20;
const CONNECTIONS_PER_USER = 30;
const MAX_USERS = 5;
type RateTable = ReadonlyArray<readonly [activity: number, perToken: number]>;
/**
 * Measured feed rate per subscribed token (ticks/s) against simulator activity: 994 tokens from 10:00 IST,
 * speed 1, by simulator step (market step = loop interval, ms). Not linear where busy contracts hit the
 * one-tick-per-step cap.
 */
const RATE_PER_TOKEN: Readonly<Record<number, RateTable>> = {
  10: [
    [1, 0.533],
    [5.4, 2.76],
    [11, 5.2],
    [24.3, 10.2],
  ],
  100: [
    [1, 0.508],
    [10, 3.3],
    [25, 5.07],
    [40, 6.19],
  ],
};

/** The table of the nearest measured step; the warm-up check corrects what it gets wrong. */
function rateTable(stepMs: number): RateTable {
  const steps = Object.keys(RATE_PER_TOKEN).map(Number);
  const nearest = steps.reduce((best, s) =>
    Math.abs(Math.log(s / stepMs)) < Math.abs(Math.log(best / stepMs)) ? s : best,
  );
  return RATE_PER_TOKEN[nearest] ?? [];
}

/** The table segment around `x` (column `column`) and its log-log slope. */
function segment(table: RateTable, column: 0 | 1, x: number): { a0: number; r0: number; slope: number } {
  let i = 0;
  while (i < table.length - 2 && (table[i + 1]?.[column] ?? 0) < x) i++;
  const [a0, r0] = table[i] ?? [1, 0.5];
  const [a1, r1] = table[i + 1] ?? [10, 5];
  return { a0, r0, slope: Math.log(r1 / r0) / Math.log(a1 / a0) };
}

/** Activity for a per-token rate, interpolated in log-log over the measured table. */
function activityFor(perToken: number, stepMs: number): number {
  const { a0, r0, slope } = segment(rateTable(stepMs), 1, perToken);
  return Math.min(1_000, Math.max(0.01, a0 * (perToken / r0) ** (1 / slope)));
}

/** Local log-log slope of rate against activity, for correcting an activity from a measured rate. */
function slopeAt(activity: number, stepMs: number): number {
  return segment(rateTable(stepMs), 0, activity).slope;
}

const DROP_REASONS = ['slow_client', 'pending_overflow', 'client_timeout', 'poll_timeout'];

interface Settings {
  clients: number;
  tokens: number;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  subscribers: number;
  flushIntervals: number[];
  speed: number;
  activity: number | undefined;
  persistTicks: boolean;
  simSteps: number[];
}

function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name}=${raw}: expected a number from ${min} to ${max}`);
  }
  return value;
}

function intList(name: string, fallback: string, min: number, max: number): number[] {
  const raw = process.env[name] ?? fallback;
  const values = raw
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map(Number);
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < min || v > max)) {
    throw new Error(`${name}=${raw}: expected integers ${min}–${max}, comma-separated`);
  }
  return values;
}

function readSettings(): Settings {
  const clients = Math.round(envNumber('E2E_CLIENTS', 100, 1, CONNECTIONS_PER_USER * MAX_USERS));
  const activity = process.env['E2E_ACTIVITY'];
  return {
    clients,
    tokens: Math.round(envNumber('E2E_TOKENS', 1000, 1, 5000)),
    rate: envNumber('E2E_RATE', 5000, 1, 1_000_000),
    seconds: envNumber('E2E_SECONDS', 20, 1, 600),
    warmupSeconds: envNumber('E2E_WARMUP', 5, 1, 120),
    subscribers: Math.round(envNumber('E2E_SUBSCRIBERS', 10, 1, clients)),
    flushIntervals: intList('E2E_FLUSH_MS', '0,50', 0, 10_000),
    speed: envNumber('E2E_SPEED', 1, 0.01, 1_000),
    activity:
      activity === undefined || activity === '' ? undefined : envNumber('E2E_ACTIVITY', 1, 0.01, 1_000),
    persistTicks: process.env['E2E_PERSIST_TICKS'] !== '0',
    simSteps: intList('E2E_SIM_STEP_MS', '10', 10, 1_000),
  };
}

/** Strikes each side that bring the subscription closest to `tokens`. */
function strikesFor(tokens: number): number {
  const perSide = Math.round(((tokens - FIXED_TOKENS) / (2 * CHAINS) - 1) / 2);
  return Math.min(MAX_STRIKES_EACH_SIDE, Math.max(0, perSide));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The platform child: typed IPC with request/response by message type. */
class PlatformChild {
  readonly process: ChildProcess;
  private readonly waiting = new Map<string, (message: ChildMessage) => void>();
  private exited = false;
  private failure: string | undefined;

  constructor(options: E2eChildOptions) {
    this.process = fork(CHILD_SCRIPT, [JSON.stringify(options)], {
      // E2E_PROFILE=<dir>: the platform writes a V8 CPU profile there when it exits.
      execArgv: [
        '--import',
        'tsx',
        ...(process.env['E2E_PROFILE'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['E2E_PROFILE']}`] : []),
      ],
      serialization: 'advanced',
      // Its own process group, so ending it by -pid also ends anything it started.
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // `--import tsx` resolves from here
      cwd: join(here, '..'),
    });
    this.process.on('message', (message: ChildMessage) => {
      if (message.type === 'failed') {
        this.failure = message.error;
        for (const resolve of this.waiting.values()) resolve(message);
        this.waiting.clear();
        return;
      }
      const key = message.type === 'clock' ? `clock:${message.id}` : message.type;
      const resolve = this.waiting.get(key);
      if (resolve === undefined) return;
      this.waiting.delete(key);
      resolve(message);
    });
    this.process.on('exit', () => {
      this.exited = true;
      for (const resolve of this.waiting.values()) {
        resolve({ type: 'failed', error: this.failure ?? 'the platform child exited' });
      }
      this.waiting.clear();
    });
  }

  get pid(): number {
    const pid = this.process.pid;
    if (pid === undefined) throw new Error('the platform child has no pid');
    return pid;
  }

  post(message: ParentMessage): void {
    if (!this.exited) this.process.send(message);
  }

  request<T extends ChildMessage['type']>(
    key: string,
    message: ParentMessage | undefined,
    timeoutMs: number,
  ): Promise<Extract<ChildMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        reject(new Error(`platform child: no '${key}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(key, (reply) => {
        clearTimeout(timer);
        if (reply.type === 'failed') reject(new Error(`platform child failed: ${reply.error}`));
        else resolve(reply as Extract<ChildMessage, { type: T }>);
      });
      if (message !== undefined) this.post(message);
    });
  }

  /** Asks for a clean close, then ends the process group by pid: SIGTERM, and SIGKILL if it lingers. */
  async end(): Promise<void> {
    if (this.exited || this.process.pid === undefined) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.post({ type: 'close' });
    if (await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)])) return;
    signalGroup(this.pid, 'SIGTERM');
    if (await Promise.race([exited.then(() => true), sleep(3_000).then(() => false)])) return;
    signalGroup(this.pid, 'SIGKILL');
    await Promise.race([exited, sleep(2_000)]);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

interface ProcStatus {
  rssMb: number;
  hwmMb: number;
}

function procStatus(pid: number): ProcStatus {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** CPU seconds (user + system, all threads) the process has used. */
function procCpuSeconds(pid: number, ticksPerSecond: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** The main thread's time on a CPU and waiting in the run queue for one, seconds (/proc/<pid>/schedstat). */
function schedstat(pid: number): { onCpu: number; waiting: number } {
  const [onCpu, waiting] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
  return { onCpu: (onCpu ?? Number.NaN) / 1e9, waiting: (waiting ?? Number.NaN) / 1e9 };
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** Sums every sample of the given metric families in a Prometheus text exposition, per family. */
function scrape(text: string, families: readonly string[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(families.map((f) => [f, 0]));
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const nameEnd = line.search(/[{ ]/);
    const name = line.slice(0, nameEnd);
    if (!(name in out)) continue;
    if (
      name === 'indexflow_hub_connections_closed_total' &&
      !DROP_REASONS.some((r) => line.includes(`"${r}"`))
    )
      continue;
    out[name] = (out[name] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

const FAMILIES = [
  'indexflow_feed_packets_total',
  'indexflow_hub_published_total',
  'indexflow_hub_updates_sent_total',
  'indexflow_hub_updates_conflated_total',
  'indexflow_hub_flushes_deferred_total',
  'indexflow_hub_connections_closed_total',
  'indexflow_market_events_dropped_total',
] as const;
type Family = (typeof FAMILIES)[number];

async function metrics(url: string): Promise<{ at: number; values: Record<Family, number> }> {
  const response = await fetch(`${url}/metrics`);
  const text = await response.text();
  return { at: wallNow(), values: scrape(text, FAMILIES) as Record<Family, number> };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? Number.NaN;
}

/** Exchange times are simulated epoch ms after this, so a key fits 2^15 tokens in a safe integer. */
const KEY_BASE_MS = 1.7e12;

function frameKey(token: number, exchangeMs: number): number {
  return token * 2 ** 38 + (exchangeMs - KEY_BASE_MS);
}

/** (token, exchange time) → first wall stamp. */
function index(log: StampLogData): Map<number, number> {
  const map = new Map<number, number>();
  for (let i = 0; i < log.n; i++) {
    const key = frameKey(log.token[i] ?? 0, log.exchangeMs[i] ?? 0);
    if (!map.has(key)) map.set(key, log.wallMs[i] ?? 0);
  }
  return map;
}

interface Latencies {
  sorted: Float64Array;
  unmatched: number;
}

/** Client stamp minus the child's stamp of the same frame (moved onto the bench's clock), in ms. */
function latencies(clientLog: StampLogData, childStamps: Map<number, number>, offsetMs: number): Latencies {
  const out = new Float64Array(clientLog.n);
  let n = 0;
  let unmatched = 0;
  for (let i = 0; i < clientLog.n; i++) {
    const key = frameKey(clientLog.token[i] ?? 0, clientLog.exchangeMs[i] ?? 0);
    const at = childStamps.get(key);
    if (at === undefined) {
      unmatched++;
      continue;
    }
    out[n++] = (clientLog.wallMs[i] ?? 0) - (at - offsetMs);
  }
  return { sorted: out.slice(0, n).sort(), unmatched };
}

/** Child clock minus bench clock, from the IPC round trip with the smallest delay. */
async function clockOffset(child: PlatformChild): Promise<{ offsetMs: number; rttMs: number }> {
  let best = { offsetMs: 0, rttMs: Number.POSITIVE_INFINITY };
  for (let id = 0; id < 50; id++) {
    const t0 = wallNow();
    const reply = await child.request<'clock'>(`clock:${id}`, { type: 'clock', id }, 5_000);
    const t1 = wallNow();
    if (t1 - t0 < best.rttMs) best = { offsetMs: reply.nowMs - (t0 + t1) / 2, rttMs: t1 - t0 };
  }
  return best;
}

interface Clients {
  connections: HubConnection[];
  log: StampLog;
  /** updates seen while measuring (also those of tokens the platform did not list) */
  counted: { n: number };
  setMeasuring(on: boolean): void;
  channelsPerClient: number[];
}

async function connectClients(
  url: string,
  tokens: readonly string[],
  users: ReadonlyArray<{ username: string; password: string }>,
  settings: Settings,
): Promise<Clients> {
  const accessTokens: string[] = [];
  for (const user of users) {
    const response = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(user),
    });
    if (!response.ok) throw new Error(`login of ${user.username} failed: HTTP ${response.status}`);
    accessTokens.push(((await response.json()) as { accessToken: string }).accessToken);
  }
  const tokenIndex = new Map(tokens.map((token, i) => [token, i] as const));
  const log = new StampLog();
  const counted = { n: 0 };
  let measuring = false;
  const onUpdate = (_channel: string, payload: { token?: unknown; exchangeTimeMs?: unknown }) => {
    const at = wallNow();
    if (!measuring) return;
    counted.n++;
    const i = typeof payload.token === 'string' ? tokenIndex.get(payload.token) : undefined;
    if (i !== undefined && typeof payload.exchangeTimeMs === 'number')
      log.push(i, payload.exchangeTimeMs, at);
  };
  const channels: string[][] = Array.from({ length: settings.clients }, () => []);
  tokens.forEach((token, i) => {
    for (let k = 0; k < settings.subscribers; k++)
      channels[(i + k) % settings.clients]?.push(`ticks:${token}`);
  });
  const connections: HubConnection[] = [];
  // A few at a time: the platform is already busy with the feed.
  for (let first = 0; first < settings.clients; first += 10) {
    const batch: Promise<void>[] = [];
    for (let c = first; c < Math.min(settings.clients, first + 10); c++) {
      const accessToken = accessTokens[Math.floor(c / CONNECTIONS_PER_USER)] ?? '';
      const connection = new HubConnectionBuilder()
        .withUrl(`${url}/hubs/market`, {
          transport: HttpTransportType.WebSockets,
          accessTokenFactory: () => accessToken,
        })
        .configureLogging(LogLevel.None)
        .build();
      connection.on('update', onUpdate);
      connections.push(connection);
      batch.push(
        (async () => {
          await connection.start();
          for (const channel of channels[c] ?? []) await connection.invoke('subscribe', channel);
        })(),
      );
    }
    await Promise.all(batch);
  }
  return {
    connections,
    log,
    counted,
    setMeasuring: (on) => {
      measuring = on;
    },
    channelsPerClient: channels.map((c) => c.length),
  };
}

interface RunResult {
  case: Case;
  day: string;
  activity: number;
  tokens: number;
  feedRate: number;
  deliveredRate: number;
  hubSentRate: number;
  conflated: number;
  published: number;
  flushesDeferred: number;
  dropped: number;
  eventsDropped: number;
  simToClient: Latencies;
  platformToClient: Latencies;
  simToPlatform: Float64Array;
  offset: { offsetMs: number; rttMs: number };
  rssSteadyMb: number;
  rssMaxMb: number;
  rssFirstMb: number;
  rssLastMb: number;
  /** 1-minute load average of the machine at the start and end of the window */
  load: [number, number];
  hwmMb: number;
  heapUsedMb: number;
  loopDelay: LoopDelay;
  benchLoopDelay: LoopDelay;
  childCpu: number;
  /** share of the window the platform's main thread ran, and waited runnable for a CPU */
  mainThread: { onCpu: number; waiting: number };
  benchMainThread: { onCpu: number; waiting: number };
  benchElu: number;
  benchCpu: number;
  channelsPerClient: { min: number; max: number };
}

type Attempt = { done: RunResult } | { retry: number; measuredRate: number };

/** One configuration the bench runs: hub flush interval and simulator step. */
interface Case {
  flushMs: number;
  /** the simulator's market step and loop interval, ms */
  simStepMs: number;
}

async function attempt(settings: Settings, c: Case, activity: number, calibrate: boolean): Promise<Attempt> {
  const users = Math.ceil(settings.clients / CONNECTIONS_PER_USER);
  const child = new PlatformChild({
    underlyings: UNDERLYINGS,
    expiries: 3,
    strikesEachSide: strikesFor(settings.tokens),
    speed: settings.speed,
    activity,
    marketStepMs: c.simStepMs,
    stepIntervalMs: c.simStepMs,
    flushIntervalMs: c.flushMs,
    users,
    startTime: '10:00',
    persistTicks: settings.persistTicks,
  });
  let clients: Clients | undefined;
  try {
    const ready = await child.request<'ready'>('ready', undefined, 120_000);
    const { url, tokens } = ready;
    const offset = await clockOffset(child);
    clients = await connectClients(url, tokens, ready.users, settings);
    child.post({ type: 'record', on: true });
    const warm = await metrics(url);
    await sleep(settings.warmupSeconds * 1000);
    const start = await metrics(url);
    const warmRate =
      (start.values.indexflow_feed_packets_total - warm.values.indexflow_feed_packets_total) /
      ((start.at - warm.at) / 1000);
    if (calibrate && Math.abs(warmRate / settings.rate - 1) > 0.1 && warmRate > 0) {
      const slope = slopeAt(activity, c.simStepMs);
      const next = Math.min(1_000, activity * (settings.rate / warmRate) ** (1 / slope));
      return { retry: next, measuredRate: warmRate };
    }

    const ticks = clockTicks();
    const cpu0 = procCpuSeconds(child.pid, ticks);
    const sched0 = schedstat(child.pid);
    const benchSched0 = schedstat(process.pid);
    const benchCpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    // Clients' own queueing: a batch written to 100 sockets is read one socket after another here.
    const benchLoop = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    benchLoop.enable();
    const load0 = loadavg()[0] ?? Number.NaN;
    clients.setMeasuring(true);
    const t0 = wallNow();
    const rss: number[] = [];
    const deadline = t0 + settings.seconds * 1000;
    while (wallNow() < deadline) {
      await sleep(Math.min(1000, Math.max(0, deadline - wallNow())));
      rss.push(procStatus(child.pid).rssMb);
    }
    clients.setMeasuring(false);
    const t1 = wallNow();
    const end = await metrics(url);
    const elu = performance.eventLoopUtilization(elu0);
    benchLoop.disable();
    const benchCpu = process.cpuUsage(benchCpu0);
    const childCpu = procCpuSeconds(child.pid, ticks) - cpu0;
    const sched1 = schedstat(child.pid);
    const benchSched1 = schedstat(process.pid);
    const status = procStatus(child.pid);
    child.post({ type: 'record', on: false });
    const dump = await child.request<'dump'>('dump', { type: 'dump' }, 30_000);

    const seconds = (t1 - t0) / 1000;
    const delta = (family: Family) => end.values[family] - start.values[family];
    const metricSeconds = (end.at - start.at) / 1000;
    const clientLog = clients.log.data();
    const sends = index(dump.sends);
    const receives = index(dump.receives);
    const simToPlatform: number[] = [];
    for (const [key, at] of receives) {
      const sent = sends.get(key);
      if (sent !== undefined) simToPlatform.push(at - sent);
    }
    return {
      done: {
        case: c,
        day: ready.day,
        activity,
        tokens: tokens.length,
        feedRate: delta('indexflow_feed_packets_total') / metricSeconds,
        deliveredRate: clients.counted.n / seconds,
        hubSentRate: delta('indexflow_hub_updates_sent_total') / metricSeconds,
        conflated: delta('indexflow_hub_updates_conflated_total'),
        published: delta('indexflow_hub_published_total'),
        flushesDeferred: delta('indexflow_hub_flushes_deferred_total'),
        dropped: end.values.indexflow_hub_connections_closed_total,
        eventsDropped: delta('indexflow_market_events_dropped_total'),
        simToClient: latencies(clientLog, sends, offset.offsetMs),
        platformToClient: latencies(clientLog, receives, offset.offsetMs),
        simToPlatform: Float64Array.from(simToPlatform).sort(),
        offset,
        rssSteadyMb: median(rss),
        rssMaxMb: Math.max(...rss),
        rssFirstMb: rss[0] ?? Number.NaN,
        rssLastMb: rss[rss.length - 1] ?? Number.NaN,
        load: [load0, loadavg()[0] ?? Number.NaN],
        hwmMb: status.hwmMb,
        heapUsedMb: dump.memory.heapUsed / 2 ** 20,
        loopDelay: dump.loopDelay,
        benchLoopDelay: loopDelayOf(benchLoop),
        childCpu: childCpu / seconds,
        mainThread: {
          onCpu: (sched1.onCpu - sched0.onCpu) / seconds,
          waiting: (sched1.waiting - sched0.waiting) / seconds,
        },
        benchMainThread: {
          onCpu: (benchSched1.onCpu - benchSched0.onCpu) / seconds,
          waiting: (benchSched1.waiting - benchSched0.waiting) / seconds,
        },
        benchElu: elu.utilization,
        benchCpu: (benchCpu.user + benchCpu.system) / 1e6 / seconds,
        channelsPerClient: {
          min: Math.min(...clients.channelsPerClient),
          max: Math.max(...clients.channelsPerClient),
        },
      },
    };
  } finally {
    if (clients !== undefined) await Promise.allSettled(clients.connections.map((c) => c.stop()));
    await child.end();
  }
}

async function runOnce(settings: Settings, c: Case): Promise<RunResult> {
  const calibrate = settings.activity === undefined;
  // The table is per token for the default chain shape; other shapes start there and are corrected.
  let activity = settings.activity ?? activityFor(settings.rate / Math.max(1, settings.tokens), c.simStepMs);
  for (let tries = 0; ; tries++) {
    const result = await attempt(settings, c, activity, calibrate && tries < 2);
    if ('done' in result) return result.done;
    console.log(
      `  activity ${activity.toFixed(1)} gave ${result.measuredRate.toFixed(0)} ticks/s; retrying at ${result.retry.toFixed(1)}`,
    );
    activity = result.retry;
  }
}

/** RSS of an empty script with and without tsx's loader, MB: what running from tsx adds. */
function tsxOverheadMb(): number {
  const probe = 'setTimeout(() => console.log(process.memoryUsage().rss), 300)';
  const rss = (args: string[]) =>
    Number(execFileSync(process.execPath, [...args, '-e', probe], { encoding: 'utf8' }).trim()) / 2 ** 20;
  return rss(['--import', 'tsx']) - rss([]);
}

const ms = (v: number) =>
  v >= 10 ? `${v.toFixed(0)} ms` : v >= 1 ? `${v.toFixed(1)} ms` : `${(v * 1000).toFixed(0)} µs`;

const pct = (share: number) => `${(share * 100).toFixed(0)} %`;

function label(c: Case, settings: Settings): string {
  return settings.simSteps.length > 1
    ? `flush ${c.flushMs} ms, sim step ${c.simStepMs} ms`
    : `flush ${c.flushMs} ms`;
}

function summarise(r: RunResult, settings: Settings, tsxMb: number): void {
  const s = r.simToClient.sorted;
  const p = r.platformToClient.sorted;
  console.log(
    [
      `  ${label(r.case, settings)}: ${r.tokens} tokens, ${settings.clients} clients × ${r.channelsPerClient.min}–${r.channelsPerClient.max} channels (${settings.subscribers} per token), sim ${r.day} from 10:00 IST, activity ${r.activity.toFixed(1)}, step ${r.case.simStepMs} ms, speed ${settings.speed}`,
      `    feed ${r.feedRate.toFixed(0)} ticks/s → hub sent ${r.hubSentRate.toFixed(0)}/s, clients got ${r.deliveredRate.toFixed(0)}/s; conflated ${r.conflated}, flushes deferred ${r.flushesDeferred}, clients dropped ${r.dropped}, events dropped by validation ${r.eventsDropped}`,
      `    sim→client     p50 ${ms(percentile(s, 0.5))}  p90 ${ms(percentile(s, 0.9))}  p99 ${ms(percentile(s, 0.99))}  p99.9 ${ms(percentile(s, 0.999))}  max ${ms(percentile(s, 1))}  (n ${s.length}, unmatched ${r.simToClient.unmatched})`,
      `    platform→client p50 ${ms(percentile(p, 0.5))}  p99 ${ms(percentile(p, 0.99))}  max ${ms(percentile(p, 1))};  sim→platform socket p50 ${ms(percentile(r.simToPlatform, 0.5))}  p99 ${ms(percentile(r.simToPlatform, 0.99))}`,
      `    platform RSS steady ${r.rssSteadyMb.toFixed(0)} MB (${r.rssFirstMb.toFixed(0)} → ${r.rssLastMb.toFixed(0)} MB over the window), max ${r.rssMaxMb.toFixed(0)} MB, VmHWM ${r.hwmMb.toFixed(0)} MB (tsx adds ≈ ${tsxMb.toFixed(0)} MB), heap used ${r.heapUsedMb.toFixed(0)} MB; platform CPU ${(r.childCpu * 100).toFixed(0)} %; bench CPU ${(r.benchCpu * 100).toFixed(0)} %, event loop ${(r.benchElu * 100).toFixed(0)} % busy`,
      `    event-loop delay beyond a 10 ms timer: platform p50 ${ms(r.loopDelay.p50)}  p99 ${ms(r.loopDelay.p99)}  max ${ms(r.loopDelay.max)}; bench (clients) p50 ${ms(r.benchLoopDelay.p50)}  p99 ${ms(r.benchLoopDelay.p99)}  max ${ms(r.benchLoopDelay.max)}`,
      `    main threads: platform on a CPU ${pct(r.mainThread.onCpu)}, waiting for one ${pct(r.mainThread.waiting)}; bench on a CPU ${pct(r.benchMainThread.onCpu)}, waiting ${pct(r.benchMainThread.waiting)} (of the window)`,
      `    clock offset child−bench ${(r.offset.offsetMs * 1000).toFixed(0)} µs (IPC round trip ${(r.offset.rttMs * 1000).toFixed(0)} µs); machine load ${r.load[0].toFixed(1)} → ${r.load[1].toFixed(1)} on ${cpus().length} cores`,
    ].join('\n'),
  );
}

function rowsFor(r: RunResult, settings: Settings, tsxMb: number): BenchRow[] {
  const suffix = ` · ${label(r.case, settings)}`;
  // Latency rows compare with the same simulator step at the largest flush interval (the shipped 50 ms).
  const baselineFlush = Math.max(...settings.flushIntervals);
  const base = (name: string) =>
    baselineFlush === r.case.flushMs
      ? {}
      : { baseline: `${name} · ${label({ ...r.case, flushMs: baselineFlush }, settings)}` };
  const s = r.simToClient.sorted;
  const p = r.platformToClient.sorted;
  const nsOf = (msValue: number) => msValue * 1e6;
  const load = `${r.feedRate.toFixed(0)} ticks/s, ${r.tokens} tokens, ${settings.clients} clients`;
  return [
    row(BENCH, `sim→client p50${suffix}`, nsOf(percentile(s, 0.5)), {
      ...base('sim→client p50'),
      note: `${load}; platform→client p50 ${ms(percentile(p, 0.5))}; goal ≤ 1 ms`,
    }),
    row(BENCH, `sim→client p99${suffix}`, nsOf(percentile(s, 0.99)), {
      ...base('sim→client p99'),
      note: `platform→client p99 ${ms(percentile(p, 0.99))}; n ${s.length}; goal ≤ 5 ms`,
    }),
    row(BENCH, `sim→client max${suffix}`, nsOf(percentile(s, 1)), {
      ...base('sim→client max'),
      note: `p99.9 ${ms(percentile(s, 0.999))}`,
    }),
    row(BENCH, `updates delivered${suffix}`, 1e9 / r.deliveredRate, {
      note: `${settings.subscribers} clients/token, ${r.channelsPerClient.min}–${r.channelsPerClient.max} channels/client; conflated ${r.conflated}, clients dropped ${r.dropped}`,
    }),
    row(BENCH, `feed ticks${suffix}`, 1e9 / r.feedRate, {
      note: `RSS steady ${r.rssSteadyMb.toFixed(0)} MB, peak ${r.hwmMb.toFixed(0)} MB (tsx ≈ ${tsxMb.toFixed(0)} MB of it; goal ≤ 250 MB); platform CPU ${pct(r.childCpu)}, main thread waited for a CPU ${pct(r.mainThread.waiting)}`,
    }),
  ];
}

export async function run(): Promise<BenchRow[]> {
  const settings = readSettings();
  const tsxMb = tsxOverheadMb();
  const results: RunResult[] = [];
  for (const simStepMs of settings.simSteps) {
    for (const flushMs of settings.flushIntervals) {
      const result = await runOnce(settings, { flushMs, simStepMs });
      summarise(result, settings, tsxMb);
      results.push(result);
    }
  }
  return results.flatMap((r) => rowsFor(r, settings, tsxMb));
}
