import { Writable } from 'node:stream';
import type { FeedPacket } from '../../src/brokers/angelone/codec/index.js';
import {
  type FeedClientEvent,
  type FeedCredentials,
  SmartStreamClient,
  type SmartStreamClientOptions,
  type SubscriptionPair,
} from '../../src/brokers/angelone/feed/index.js';
import {
  AngelRestClient,
  type AngelRestClientOptions,
  type PlaceOrderRequest,
} from '../../src/brokers/angelone/rest/index.js';
import type { Clock } from '../../src/core/clock.js';
import { SimulatedClock } from '../../src/core/clock.js';
import { IfError } from '../../src/core/errors.js';
import type { Instrument } from '../../src/core/instrument.js';
import { istToEpochMs } from '../../src/core/time.js';
import { LiveClock, ScaledClock } from '../../src/engine/clocks.js';
import { createLogger, type Logger } from '../../src/ops/logger.js';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/sim/simulator.js';

/** Wednesday 2026-11-25 10:00 IST: a trading day, mid-session, so the model ticks and orders match. */
export const SESSION_START_MS = istToEpochMs(2026, 11, 25, 10, 0);

/**
 * Feed-client timings small enough for tests yet in the same proportions as production
 * (stale = 5 × ping here, 2 × in production; a shorter ratio would race the pong on a busy CI box).
 */
export const FAST_FEED = {
  pingIntervalMs: 100,
  staleAfterMs: 500,
  backoff: { initialMs: 50, maxMs: 400, jitter: 0 },
  authRetryMs: 200,
  connectTimeoutMs: 3000,
  isMarketOpen: () => true,
} as const satisfies Partial<SmartStreamClientOptions>;

/** Polls `condition` every 10 ms until it holds; fails with `what` after `timeoutMs` (wall time). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Closers run in reverse order of registration; each failure is collected, not swallowed. */
export class Cleanup {
  private readonly closers: Array<() => unknown> = [];

  add(closer: () => unknown): void {
    this.closers.push(closer);
  }

  async run(): Promise<void> {
    const failures: unknown[] = [];
    for (const closer of this.closers.splice(0).reverse()) {
      try {
        await closer();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, 'cleanup failed');
  }
}

/**
 * Records unhandled rejections and uncaught exceptions while a test runs: the clients must absorb every
 * fault, so anything reaching the process is a failure of the code under test.
 */
export function watchProcessErrors(cleanup: Cleanup): unknown[] {
  const seen: unknown[] = [];
  const record = (error: unknown) => seen.push(error);
  process.on('unhandledRejection', record);
  process.on('uncaughtException', record);
  cleanup.add(() => {
    process.off('unhandledRejection', record);
    process.off('uncaughtException', record);
  });
  return seen;
}

/**
 * The simulator on a SimulatedClock at SESSION_START_MS: no market loop of its own; `startPump` (or
 * `clock.advanceBy` + `sim.step()`) makes it tick.
 */
export async function startSimulatedSim(
  cleanup: Cleanup,
  options: Omit<SimulatorOptions, 'clock' | 'host' | 'port'> = {},
): Promise<{ sim: RunningSimulator; clock: SimulatedClock }> {
  const clock = new SimulatedClock(SESSION_START_MS);
  const sim = await startSimulator({ ...options, clock, host: '127.0.0.1', port: 0 });
  cleanup.add(() => sim.close());
  return { sim, clock };
}

/**
 * The simulator on a clock that starts at SESSION_START_MS and then follows wall time. REST rate limits
 * and retry backoff wait on this clock, so they need it to move by itself. The market still ticks only
 * on `sim.step()`.
 */
export async function startWallSim(
  cleanup: Cleanup,
  options: Omit<SimulatorOptions, 'clock' | 'host' | 'port'> = {},
): Promise<{ sim: RunningSimulator; clock: ScaledClock }> {
  const clock = new ScaledClock(SESSION_START_MS, 1);
  const sim = await startSimulator({ ...options, clock, host: '127.0.0.1', port: 0 });
  cleanup.add(() => sim.close());
  return { sim, clock };
}

/**
 * Drives the market from the test: every `wallMs` of wall time the simulated clock moves `simMs` (a
 * SimulatedClock) and the simulator publishes what ticked. Returns the stop function (also registered).
 */
export function startPump(
  cleanup: Cleanup,
  sim: RunningSimulator,
  clock: Clock,
  options: { wallMs?: number; simMs?: number } = {},
): () => void {
  const simMs = options.simMs ?? 200;
  const timer = setInterval(() => {
    if (clock instanceof SimulatedClock) clock.advanceBy(simMs);
    sim.step();
  }, options.wallMs ?? 50);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
  };
  cleanup.add(stop);
  return stop;
}

/** A REST client for the simulator's account, on the simulator's clock. */
export function restClient(
  sim: RunningSimulator,
  clock: Clock,
  overrides: Partial<AngelRestClientOptions> = {},
): AngelRestClient {
  return new AngelRestClient({
    baseUrl: sim.restUrl,
    apiKey: sim.account.apiKey,
    clientCode: sim.account.clientCode,
    clock,
    ...overrides,
  });
}

export async function loggedInRest(
  sim: RunningSimulator,
  clock: Clock,
  overrides: Partial<AngelRestClientOptions> = {},
): Promise<AngelRestClient> {
  const rest = restClient(sim, clock, overrides);
  await rest.loginWithTotpSecret({ pin: sim.account.pin, totpSecret: sim.account.totpSecret });
  return rest;
}

/** Read on every handshake, so a refreshed session is picked up (the platform wires it the same way). */
export function feedCredentials(rest: AngelRestClient): () => FeedCredentials {
  return () => {
    const session = rest.session();
    if (session === undefined) {
      throw new IfError('IF_ERR_BROKER_SESSION', { brokerCode: 'none', detail: 'not logged in' });
    }
    return {
      clientCode: session.clientCode,
      feedToken: session.feedToken,
      jwtToken: session.jwtToken,
      apiKey: session.apiKey,
    };
  };
}

export interface ReceivedPacket {
  packet: FeedPacket;
  receivedAtMs: number;
  connection: number;
}

/** A feed client with fast timings that records every packet and event. */
export interface RecordingFeed {
  client: SmartStreamClient;
  packets: ReceivedPacket[];
  events: FeedClientEvent[];
  eventsOf<T extends FeedClientEvent['type']>(type: T): Extract<FeedClientEvent, { type: T }>[];
}

export function recordingFeed(
  cleanup: Cleanup,
  sim: RunningSimulator,
  rest: AngelRestClient,
  overrides: Partial<SmartStreamClientOptions> = {},
): RecordingFeed {
  const packets: ReceivedPacket[] = [];
  const events: FeedClientEvent[] = [];
  const client = new SmartStreamClient({
    url: sim.feedUrl,
    credentials: feedCredentials(rest),
    clock: new LiveClock(),
    ...FAST_FEED,
    ...overrides,
    onPacket: (packet, receivedAtMs, connection) => packets.push({ packet, receivedAtMs, connection }),
  });
  client.onAny((event) => events.push(event));
  cleanup.add(() => client.close());
  return {
    client,
    packets,
    events,
    eventsOf: <T extends FeedClientEvent['type']>(type: T) =>
      events.filter((event): event is Extract<FeedClientEvent, { type: T }> => event.type === type),
  };
}

/** Options of the underlying's nearest expiry, nearest the money first. */
export function nearOptions(sim: RunningSimulator, underlying: string, count: number): Instrument[] {
  const expiry = sim.market.optionExpiries(underlying)[0];
  if (expiry === undefined) throw new Error(`${underlying} has no option expiry in the model`);
  const index = sim.market.instruments.find((i) => i.kind === 'index' && i.name === underlying);
  const spot = index === undefined ? undefined : sim.market.state(index.token)?.lastTradedPrice;
  if (spot === undefined) throw new Error(`${underlying} has no index state`);
  const options = sim.market.instruments.filter(
    (i) => i.kind === 'option' && i.name === underlying && i.expiry === expiry,
  );
  options.sort((a, b) => Math.abs((a.strikePaise ?? 0) - spot) - Math.abs((b.strikePaise ?? 0) - spot));
  if (options.length < count)
    throw new Error(`only ${options.length} ${underlying} options, wanted ${count}`);
  return options.slice(0, count);
}

/** A NIFTY limit buy ₹5 under the best bid of a near option: accepted and left open until cancelled. */
export function restingBuy(sim: RunningSimulator, orderTag: string): PlaceOrderRequest {
  const option = nearOptions(sim, 'NIFTY', 1)[0];
  const bid = option === undefined ? undefined : sim.market.state(option.token)?.bids[0]?.price;
  if (option === undefined || bid === undefined) throw new Error('no NIFTY option with a bid');
  return {
    variety: 'NORMAL',
    tradingSymbol: option.symbol,
    symbolToken: option.token,
    transactionType: 'BUY',
    exchange: 'NFO',
    orderType: 'LIMIT',
    productType: 'CARRYFORWARD',
    duration: 'DAY',
    quantity: option.lotSize,
    // whole ticks (5 paise), never below one tick
    price: Math.max(5, bid - 500 - (bid % 5)),
    orderTag,
  };
}

export function pairsOf(
  instruments: readonly Instrument[],
  mode: SubscriptionPair['mode'],
): SubscriptionPair[] {
  return instruments.map((i) => ({
    exchangeType: i.exchangeType as SubscriptionPair['exchangeType'],
    token: i.token,
    mode,
  }));
}

/** `mode|exchangeType|token`, to compare subscription sets regardless of order. */
export function pairKeys(pairs: readonly { exchangeType: number; token: string; mode: number }[]): string[] {
  return pairs.map((p) => `${p.mode}|${p.exchangeType}|${p.token}`).sort();
}

/** A debug-level logger whose every line lands in `lines`. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { logger: createLogger({ level: 'debug', name: 'e2e' }, destination), lines };
}
