/**
 * The platform side of bench/e2e.ts, run as a child process (`fork` with `--import tsx`) so that its RSS
 * is the all-in-one platform's (simulator included) and not the bench clients'. It starts the platform on
 * the built-in simulator on loopback, creates viewer users for the hub clients, and answers the bench over
 * the IPC channel. Nothing here is printed: user passwords travel over IPC only.
 *
 * Two bench-only taps, both off until the bench says `record`:
 * - send: `simulator.feed.publish` is wrapped, and after it returns (the sockets are uncorked, so the bytes
 *   are with the kernel) every published token is stamped with the wall time, keyed by (token, exchange
 *   time). The WS 2.0 packet has no field for a wall-clock stamp, and the simulator publishes every token
 *   that ticked once per 100 ms loop turn, so the exchange time identifies the frame.
 * - receive: the platform's own raw-frame tap (`extras.onRawFrame`, what `indexflow record` uses) stamps
 *   each binary frame when the feed client's socket hands it over, keyed the same way.
 * Stamps are `performance.timeOrigin + performance.now()` (µs resolution, the same clock as the bench).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createMarketCalendar } from '../../src/core/calendar/index.js';
import { istDateKey } from '../../src/core/time.js';
import { parseConfig } from '../../src/config/index.js';
import { startPlatform } from '../../src/engine/platform.js';
import { createLogger } from '../../src/ops/logger.js';
import {
  LOOP_DELAY_RESOLUTION_MS,
  type LoopDelay,
  loopDelayOf,
  StampLog,
  type StampLogData,
  wallNow,
} from './stamps.js';

/** What the bench asks for (argv[2], JSON). */
export interface E2eChildOptions {
  /** underlyings, expiries and strikes each side of the platform's subscription */
  underlyings: string[];
  expiries: number;
  strikesEachSide: number;
  /** simulated ms per wall ms */
  speed: number;
  /** multiplies every contract's tick rate (sim.activity) */
  activity: number;
  /** simulated ms per market step (sim.marketStepMs) */
  marketStepMs: number;
  /** wall ms between the simulator's sends (sim.stepIntervalMs) */
  stepIntervalMs: number;
  /** hub: at most one batch per client per this many ms (0: within the event-loop turn) */
  flushIntervalMs: number;
  /** viewer accounts to create (the hub allows 32 connections per user) */
  users: number;
  /** IST HH:MM the simulated clock starts at */
  startTime: string;
  /** storage.persistTicks (the platform default is true) */
  persistTicks: boolean;
}

export type ChildMessage =
  | {
      type: 'ready';
      url: string;
      tokens: string[];
      users: Array<{ username: string; password: string }>;
      /** the simulated trading day */
      day: string;
    }
  | { type: 'clock'; id: number; nowMs: number }
  | {
      type: 'dump';
      sends: StampLogData;
      receives: StampLogData;
      memory: NodeJS.MemoryUsage;
      /** the platform's event-loop delay while recording (warm-up and window) */
      loopDelay: LoopDelay;
    }
  | { type: 'failed'; error: string };

export type ParentMessage =
  | { type: 'clock'; id: number }
  | { type: 'record'; on: boolean }
  | { type: 'dump' }
  | { type: 'close' };

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as E2eChildOptions;
  const calendar = createMarketCalendar();
  // A past session at a fixed speed: on 'auto' during market hours the simulator follows the real clock
  // at speed 1 whatever `speed` says.
  const day = calendar.previousTradingDay('NSE', istDateKey(Date.now()));
  const dataDir = mkdtempSync(join(tmpdir(), 'if-bench-e2e-'));
  let recording = false;
  const sends = new StampLog();
  const receives = new StampLog();
  const tokenIndex = new Map<string, number>();
  // How long the platform's event loop was busy when a timer was due: what every tick can wait behind.
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });

  const config = parseConfig({
    dataDir,
    server: { port: 0 },
    log: { level: 'warn' },
    hub: { flushIntervalMs: options.flushIntervalMs },
    storage: { persistTicks: options.persistTicks },
    sim: {
      speed: options.speed,
      activity: options.activity,
      marketStepMs: options.marketStepMs,
      stepIntervalMs: options.stepIntervalMs,
      day,
      startTime: options.startTime,
    },
    subscriptions: {
      underlyings: options.underlyings,
      expiries: options.expiries,
      strikesEachSide: options.strikesEachSide,
    },
  });
  const logger = createLogger({ level: 'warn', name: 'e2e-platform' }, process.stderr);
  const platform = await startPlatform(config, logger, {
    onRawFrame: (kind, payload) => {
      if (!recording || kind !== 'binary' || typeof payload === 'string') return;
      const frame = payload as Buffer;
      // WS 2.0 layout: token at bytes 2–26 (NUL-padded ASCII), exchange time int64 LE at byte 35.
      let end = 2;
      while (end < 27 && frame[end] !== 0) end++;
      const index = tokenIndex.get(frame.toString('latin1', 2, end));
      if (index === undefined) return;
      receives.push(index, frame.readUInt32LE(35) + frame.readUInt32LE(39) * 4_294_967_296, wallNow());
    },
  });
  const close = async () => {
    await platform.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const sim = platform.simulator;
    const auth = platform.auth;
    if (sim === undefined || auth === undefined)
      throw new Error('the platform started without simulator or auth');
    const tokens = platform.selection.subscriptions.map((s) => s.token);
    for (const [i, token] of tokens.entries()) tokenIndex.set(token, i);

    const feedServer = sim.feed;
    const publish = feedServer.publish.bind(feedServer);
    feedServer.publish = (published) => {
      publish(published);
      if (!recording) return;
      const at = wallNow();
      for (const token of published) {
        const index = tokenIndex.get(token);
        const state = index === undefined ? undefined : sim.market.state(token);
        if (index !== undefined && state !== undefined) sends.push(index, state.exchangeTimeMs, at);
      }
    };

    const users: Array<{ username: string; password: string }> = [];
    for (let i = 0; i < options.users; i++) {
      const user = { username: `bench-e2e-${i}`, password: randomBytes(18).toString('base64url') };
      await auth.createUser(user.username, user.password, 'viewer');
      users.push(user);
    }
    process.on('message', (message: ParentMessage) => {
      switch (message.type) {
        case 'clock':
          send({ type: 'clock', id: message.id, nowMs: wallNow() });
          return;
        case 'record':
          recording = message.on;
          if (recording) {
            loopDelay.reset();
            loopDelay.enable();
          } else {
            loopDelay.disable();
          }
          return;
        case 'dump':
          send({
            type: 'dump',
            sends: sends.data(),
            receives: receives.data(),
            memory: process.memoryUsage(),
            loopDelay: loopDelayOf(loopDelay),
          });
          return;
        case 'close':
          void close().finally(() => process.exit(0));
          return;
      }
    });
    process.on('SIGTERM', () => void close().finally(() => process.exit(0)));
    process.on('disconnect', () => void close().finally(() => process.exit(0)));
    send({ type: 'ready', url: platform.url, tokens, users, day });
  } catch (error) {
    await close();
    throw error;
  }
}

main().catch((error: unknown) => {
  send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
