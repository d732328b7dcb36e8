import { randomBytes, randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createMarketCalendar, type MarketCalendar } from '../core/calendar/index.js';
import type { Clock } from '../core/clock.js';
import { ScaledClock, LiveClock } from '../engine/clocks.js';
import { type Logger, silentLogger } from '../ops/logger.js';
import { type SimAccount, SimSessionStore } from './auth/sessions.js';
import { chooseSimStart, istClock } from './clockStart.js';
import { createSmartStreamServer, type SmartStreamServer } from './feed/index.js';
import { createMarketModel, type SimMarketModel, type UnderlyingInput } from './market/index.js';
import { createOrderFeed, type OrderFeed } from './orderfeed/index.js';
import { SimOrderEngine } from './orders/index.js';
import { ReplaySource } from './recording/index.js';
import { createSimRestApp, SCRIP_MASTER_PATH, SimRestFaults } from './rest/index.js';

export interface SimulatorOptions {
  host?: string;
  /** 0 = any free port */
  port?: number;
  seed?: number;
  /** simulated ms per wall ms */
  speed?: number;
  day?: 'auto' | string;
  startTime?: string;
  /** the account the simulator accepts; a random one when omitted */
  account?: SimAccount;
  underlyings?: readonly UnderlyingInput[];
  strikesEachSide?: number;
  /** multiplies every contract's tick rate (load tests); default 1 */
  activity?: number;
  /** simulated ms per market step (a contract ticks at most once a step); default 200 */
  marketStepMs?: number;
  /** serve this recording on the market-data socket instead of the model's ticks */
  replayFile?: string;
  replaySpeed?: number | 'max';
  /** wall ms between market steps */
  stepIntervalMs?: number;
  /** inject the simulated clock (tests); otherwise a ScaledClock from `day`/`startTime`/`speed` */
  clock?: Clock;
  calendar?: MarketCalendar;
  logger?: Logger;
  /** wall clock for heartbeats and network timers (tests may inject one) */
  wallClock?: Clock;
}

export interface RunningSimulator {
  restUrl: string;
  feedUrl: string;
  orderFeedUrl: string;
  instrumentMasterUrl: string;
  account: SimAccount;
  /** simulated exchange time; the platform uses it as its engine clock when it runs on the simulator */
  clock: Clock;
  calendar: MarketCalendar;
  market: SimMarketModel;
  orders: SimOrderEngine;
  feed: SmartStreamServer;
  orderFeed: OrderFeed;
  restFaults: SimRestFaults;
  sessions: SimSessionStore;
  /** advances the market to the clock's time and publishes what ticked (the loop calls it) */
  step(): number;
  close(): Promise<void>;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A random demo account: the simulator's credentials are generated, never committed. */
export function randomSimAccount(): SimAccount {
  let totpSecret = '';
  for (const byte of randomBytes(20)) totpSecret += BASE32[byte % 32];
  return {
    clientCode: `S${randomInt(1_000_000, 9_999_999)}`,
    pin: String(randomInt(0, 10_000)).padStart(4, '0'),
    totpSecret,
    apiKey: randomBytes(6).toString('hex'),
  };
}

/**
 * The Angel One–compatible exchange simulator: REST API, the WS 2.0 market-data socket and the
 * order-status socket on one loopback port, driven by the seeded market model (or a recording).
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const logger = options.logger ?? silentLogger();
  const calendar = options.calendar ?? createMarketCalendar();
  const wallClock = options.wallClock ?? new LiveClock();
  let clock: Clock;
  if (options.clock) {
    clock = options.clock;
  } else {
    const choice = chooseSimStart(Date.now(), options.day ?? 'auto', options.startTime ?? '09:15', calendar);
    clock = new ScaledClock(choice.startMs, choice.followsRealClock ? 1 : (options.speed ?? 1));
    logger.info(
      { day: choice.dayKey, startIst: istClock(choice.startMs), followsRealClock: choice.followsRealClock },
      'simulator clock',
    );
  }
  const account = options.account ?? randomSimAccount();
  const sessions = new SimSessionStore(clock);
  const market = createMarketModel({
    seed: options.seed ?? 20_261_125,
    startMs: clock.now(),
    calendar,
    ...(options.underlyings ? { underlyings: options.underlyings } : {}),
    ...(options.strikesEachSide !== undefined ? { strikesEachSide: options.strikesEachSide } : {}),
    ...(options.activity !== undefined ? { activity: options.activity } : {}),
    ...(options.marketStepMs !== undefined ? { stepMs: options.marketStepMs } : {}),
  });
  const orders = new SimOrderEngine({
    clock,
    market,
    clientCode: account.clientCode,
    seed: options.seed ?? 20_261_125,
    onListenerError: (error) => logger.warn({ err: error }, 'order update listener failed'),
  });
  const restFaults = new SimRestFaults();
  const app = createSimRestApp({
    clock,
    timerClock: wallClock,
    sessions,
    accounts: [account],
    market,
    orders,
    faults: restFaults,
    calendar,
    logger,
  });
  const feed = createSmartStreamServer({
    clock: wallClock,
    sessions,
    market,
    isValidApiKey: (apiKey, clientCode) => clientCode === account.clientCode && apiKey === account.apiKey,
    logger,
  });
  const orderFeed = createOrderFeed({ sessions, orders, timerClock: wallClock, logger });

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  app.server.on('upgrade', (request, socket, head) => {
    if (feed.handleUpgrade(request, socket, head)) return;
    if (orderFeed.handles(request)) {
      orderFeed.handleUpgrade(request, socket, head);
      return;
    }
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  const address = app.server.address() as AddressInfo;
  const hostPort = `${address.address}:${address.port}`;

  const step = (): number => {
    const ticked = market.advanceTo(clock.now());
    for (const token of ticked) orders.onMarketUpdate(token);
    orders.sync();
    if (!replay) feed.publish(ticked);
    return ticked.length;
  };

  let replay: ReplaySource | undefined;
  if (options.replayFile) {
    replay = new ReplaySource({
      path: options.replayFile,
      sink: feed,
      clock: wallClock,
      speed: options.replaySpeed ?? 1,
      logger,
    });
    replay.start().then(
      (stats) => logger.info({ stats }, 'replay finished'),
      (error: unknown) => logger.error({ err: error }, 'replay failed'),
    );
  }

  const loop = options.clock ? undefined : wallClock.setInterval(step, options.stepIntervalMs ?? 100);

  return {
    restUrl: `http://${hostPort}`,
    feedUrl: `ws://${hostPort}/smart-stream`,
    orderFeedUrl: `ws://${hostPort}/smart-order-update`,
    instrumentMasterUrl: `http://${hostPort}${SCRIP_MASTER_PATH}`,
    account,
    clock,
    calendar,
    market,
    orders,
    feed,
    orderFeed,
    restFaults,
    sessions,
    step,
    async close() {
      if (loop) wallClock.clearTimer(loop);
      replay?.stop();
      await feed.close();
      await orderFeed.close();
      await app.close();
      if (clock instanceof ScaledClock) clock.clearAll();
    },
  };
}
