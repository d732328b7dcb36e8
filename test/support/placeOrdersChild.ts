/**
 * The process that test/crash-placement.test.ts kills with SIGKILL. It is a small trading engine on the
 * real parts: the Angel One REST client, order-status socket and execution client against the parent's
 * simulator, the order manager, and the SQLite order store in a file the parent names.
 *
 * Every job is the same program, whether its file is new or left behind by a killed predecessor: the
 * manager's `start()` resumes client order ids and reconciles with the venue; then the child places
 * whatever part of the plan has no order at the venue yet, settles every order, closes everything and
 * prints `done`. A process that finished a job takes the next one (the next run's first attempt), so
 * fewer processes have to load the modules.
 *
 * The plan: `slots` resting limit buys of one option, slot i for (i + 1) lots, so the parent can tell the
 * slots apart in the venue's order book by quantity. A slot is done once an order for it reached the venue
 * (it has a broker order id); a slot whose orders were all rejected without reaching it is placed again
 * under a new client order id.
 *
 * Protocol (one line each): the child prints `ready` once its modules are loaded and after each job, and
 * reads one job, a line of JSON config, from stdin (credentials travel there, never in argv or logs). It
 * prints what it does:
 * `stored|submitted|accepted|rejected|… <clientOrderId>` after each order write committed, `sent <id>`
 * before the HTTP call to place it, `acked <id> <brokerOrderId>` after its answer, `placed <slot> <id>
 * <status>`, `reconciled`, `done`. It pauses `pauseMs` after each write, send and answer (and before
 * writing an answer), so a kill the parent aims between two lines lands there. Closing stdin ends the child; a failed job exits 2.
 */
import { createInterface } from 'node:readline';
import { AngelExecutionClient, type AngelExecutionRest } from '../../src/brokers/angelone/execution/index.js';
import { parseScripMaster } from '../../src/brokers/angelone/instruments/master.js';
import { AngelOrderUpdatesClient } from '../../src/brokers/angelone/orderupdates/index.js';
import { AngelRestClient, type PlaceOrderRequest } from '../../src/brokers/angelone/rest/index.js';
import { isIfError } from '../../src/core/errors.js';
import type { Instrument } from '../../src/core/instrument.js';
import { paise } from '../../src/core/money.js';
import { LiveClock, ScaledClock } from '../../src/engine/clocks.js';
import { OrderManager } from '../../src/execution/manager/index.js';
import { type Order, type OrderAuditEvent, orderInstrumentOf } from '../../src/execution/orders/index.js';
import type { OrderMeta, OrderStore } from '../../src/execution/ports.js';
import { DEFAULT_RISK_LIMITS } from '../../src/risk/index.js';
import { createDatabase } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrations.js';
import { OrderRepository } from '../../src/storage/orders.js';

export interface PlaceOrdersChildConfig {
  readonly restUrl: string;
  readonly orderFeedUrl: string;
  readonly masterUrl: string;
  readonly account: {
    readonly apiKey: string;
    readonly clientCode: string;
    readonly pin: string;
    readonly totpSecret: string;
  };
  readonly sqliteFile: string;
  /** client order id prefix of this run (1–4 letters) */
  readonly prefix: string;
  /** NFO token of the option to buy */
  readonly token: string;
  readonly slots: number;
  /** the simulator's ScaledClock, read by the parent at `wallNowMs`, so both processes share one time */
  readonly simNowMs: number;
  readonly wallNowMs: number;
  readonly speed: number;
  /** wall ms to wait after each order write, before each send and after each answer */
  readonly pauseMs: number;
}

/** Index token of NIFTY, for the margin estimate's underlying price. */
const NIFTY_INDEX_TOKEN = '99926000';
const ACTOR = { id: 'crash-test', role: 'trader' } as const;

function say(line: string): void {
  // stdout to a pipe is synchronous on Linux: the line is out before the next step runs
  process.stdout.write(`${line}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorText(error: unknown): string {
  if (isIfError(error)) return `${error.code} ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function brokerOrderIdOf(order: Order): string | undefined {
  return 'brokerOrderId' in order ? order.brokerOrderId : undefined;
}

/** The order repository, announcing each committed write and pausing after it. */
class AnnouncingStore implements OrderStore {
  constructor(
    private readonly inner: OrderStore,
    private readonly pauseMs: number,
  ) {}

  async append(order: Order, audit: readonly OrderAuditEvent[], meta?: OrderMeta): Promise<void> {
    // A write that records the venue's answer waits first (a slow disk), so the window in which the
    // venue holds the order and the store still says `submitted` is wide enough to be hit.
    if (order.status !== 'new' && order.status !== 'submitted') await sleep(this.pauseMs);
    await this.inner.append(order, audit, meta);
    say(`${order.status === 'new' ? 'stored' : order.status} ${order.clientOrderId}`);
    await sleep(this.pauseMs);
  }

  openOrders(): Promise<readonly Order[]> {
    return this.inner.openOrders();
  }

  ordersBetween(fromMs: number, toMs: number): Promise<readonly Order[]> {
    return this.inner.ordersBetween(fromMs, toMs);
  }

  order(id: Order['orderId']): Promise<Order | undefined> {
    return this.inner.order(id);
  }

  orderByClientId(id: Order['clientOrderId']): Promise<Order | undefined> {
    return this.inner.orderByClientId(id);
  }

  audit(id: Order['orderId']): Promise<readonly OrderAuditEvent[]> {
    return this.inner.audit(id);
  }

  clientOrderIdsOn(day: string): Promise<readonly Order['clientOrderId'][]> {
    return this.inner.clientOrderIdsOn(day);
  }
}

/** The REST calls of the execution client, announcing each order placement and pausing around it. */
function announcingRest(rest: AngelRestClient, pauseMs: number): AngelExecutionRest {
  return {
    async placeOrder(request: PlaceOrderRequest) {
      const tag = request.orderTag ?? '';
      say(`sent ${tag}`);
      await sleep(pauseMs);
      try {
        const ack = await rest.placeOrder(request);
        say(`acked ${tag} ${ack.orderId}`);
        await sleep(pauseMs);
        return ack;
      } catch (error) {
        say(`send-failed ${tag} ${errorText(error)}`);
        throw error;
      }
    },
    modifyOrder: (request) => rest.modifyOrder(request),
    cancelOrder: (request) => rest.cancelOrder(request),
    getOrderBook: () => rest.getOrderBook(),
    getTradeBook: () => rest.getTradeBook(),
    getPositions: () => rest.getPositions(),
  };
}

/** The contract from the simulator's instrument master, as the platform downloads it. */
async function masterInstrument(url: string, token: string): Promise<Instrument> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`instrument master: HTTP ${response.status}`);
  const rows = (await response.json()) as unknown[];
  const found = parseScripMaster(rows).instruments.find((i) => i.token === token && i.exchange === 'NFO');
  if (found === undefined) throw new Error(`token ${token} is not in the instrument master`);
  return found;
}

/** One run of the plan against one SQLite file; resolves once every order is settled and all is closed. */
async function runJob(config: PlaceOrdersChildConfig): Promise<void> {
  const clock = new ScaledClock(
    config.simNowMs + Math.floor((Date.now() - config.wallNowMs) * config.speed),
    config.speed,
  );
  const rest = new AngelRestClient({
    baseUrl: config.restUrl,
    apiKey: config.account.apiKey,
    clientCode: config.account.clientCode,
    clock,
    // Rate windows are kept on both sides of a loopback on clocks running `speed`× wall time: the padding
    // covers 1500/speed wall ms of arrival jitter; beyond that (or after a killed predecessor's calls)
    // the simulator's 403 is met by the client's one paced retry of a read.
    limits: { paddingMs: 1_500 },
  });
  const mark = (what: string) => {
    if (process.env['CRASH_DEBUG']) say(`debug ${what}`);
  };
  mark('job');
  await rest.loginWithTotpSecret({ pin: config.account.pin, totpSecret: config.account.totpSecret });
  mark('login');
  const instrument = orderInstrumentOf(await masterInstrument(config.masterUrl, config.token));
  mark('master');

  // The simulator's market steps only when its owner calls `step()`, and the parent never does: the quote
  // read now stays the market's state for the whole run, so the view serves it as current.
  const quotes = await rest.getQuote('FULL', { NSE: [NIFTY_INDEX_TOKEN], NFO: [config.token] });
  const option = quotes.fetched.find((q) => q.symbolToken === config.token);
  const index = quotes.fetched.find((q) => q.symbolToken === NIFTY_INDEX_TOKEN);
  const bid = option?.depth?.buy[0]?.price;
  const ask = option?.depth?.sell[0]?.price;
  if (option === undefined || bid === undefined || ask === undefined || bid <= 0) {
    throw new Error(`no two-sided quote for ${config.token}`);
  }
  const tick = instrument.tickSizePaise;
  // ₹5 under the bid, on the tick: accepted and left resting, so nothing fills and positions stay flat
  const limitPaise = paise(Math.max(tick, bid - 500 - (bid % tick)));

  mark('quote');
  const database = createDatabase({ sqliteFile: config.sqliteFile });
  await migrateToLatest(database);
  mark('migrated');
  const store = new AnnouncingStore(new OrderRepository(database.db), config.pauseMs);

  const updates = new AngelOrderUpdatesClient({
    url: config.orderFeedUrl,
    credentials: () => ({ jwtToken: rest.session()?.jwtToken ?? '' }),
    clock: new LiveClock(),
    pingIntervalMs: 1_000,
    staleAfterMs: 10_000,
    backoff: { initialMs: 50, maxMs: 400, jitter: 0 },
  });
  // built before the socket starts, so it counts the first AB00 as the first connection
  const exec = new AngelExecutionClient({
    rest: announcingRest(rest, config.pauseMs),
    orderUpdates: updates,
    clock,
  });
  updates.start();
  for (let waited = 0; !exec.isConnected(); waited += 10) {
    if (waited > 10_000) throw new Error('the order-status socket did not open');
    await sleep(10);
  }

  mark('socket');
  const manager = new OrderManager({
    clock,
    store,
    client: exec,
    market: {
      quote: () => ({ bidPaise: bid, askPaise: ask, ltpPaise: option.ltp, receivedAtMs: clock.now() }),
      underlyingPricePaise: () => index?.ltp,
    },
    instruments: {
      instrument: (exchange, token) =>
        exchange === instrument.exchange && token === instrument.token ? instrument : undefined,
    },
    funds: { funds: () => ({ status: 'known', availablePaise: 10_000_000_000 }) },
    limits: { ...DEFAULT_RISK_LIMITS, maxOpenOrders: 1_000 },
    clientOrderIdPrefix: config.prefix,
    // engine ms, `speed`× wall: an unanswered request goes unknown only after seconds of wall time
    requestTimeoutMs: 600_000,
    retryMs: 2_000,
    observeIntervalMs: 5_000,
  });
  await manager.start();
  mark('started');
  await settle(manager);
  say('reconciled');

  const quantityOf = (slot: number) => (slot + 1) * instrument.lotSize;
  const slotDone = async (slot: number) => {
    const orders = await manager.orders({ fromMs: 0, toMs: clock.now() + 1 });
    return orders.some((o) => o.quantity === quantityOf(slot) && brokerOrderIdOf(o) !== undefined);
  };
  for (let slot = 0; slot < config.slots; slot++) {
    for (let attempt = 0; !(await slotDone(slot)); attempt++) {
      if (attempt >= 5) throw new Error(`slot ${slot} still has no order at the venue after 5 attempts`);
      const result = await manager.place(
        {
          instrument,
          side: 'BUY',
          quantity: quantityOf(slot),
          pricing: { type: 'LIMIT', limitPricePaise: limitPaise },
          timeInForce: 'DAY',
          product: 'CARRYFORWARD',
          strategy: 'crash-test',
        },
        ACTOR,
      );
      const { order } = result;
      say(`placed ${slot} ${order.clientOrderId} ${order.status}`);
      if (order.status !== 'accepted') {
        if (result.denials.length > 0) say(`denied ${result.denials.map((d) => d.rule).join(',')}`);
        await settle(manager);
      }
    }
  }
  await settle(manager, true);
  say('done');
  await manager.stop();
  await exec.close();
  await updates.close();
  await database.close();
}

/**
 * Until the venue vouches for every order: the manager reconciled and none is new, submitted or unknown.
 * `fresh` asks for a reconcile even when the last one succeeded (the final check before `done`).
 */
async function settle(manager: OrderManager, fresh = false): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const open = await manager.orders({ open: true });
    const unsettled = open.filter(
      (o) => o.status === 'new' || o.status === 'submitted' || o.status === 'unknown',
    );
    const reconciled = manager.state().status === 'reconciled';
    if (reconciled && unsettled.length === 0 && !(fresh && attempt === 0)) return;
    if (attempt > 0) {
      say(
        `unsettled ${unsettled.map((o) => `${o.clientOrderId}:${o.status}`).join(',')} ${manager.state().reason}`,
      );
      await sleep(50);
    }
    await manager.reconcile();
  }
  throw new Error('orders did not settle with the venue');
}

/** Runs the jobs the parent sends, one line of JSON each, until it closes stdin or kills the process. */
async function main(): Promise<void> {
  say('ready');
  for await (const line of createInterface({ input: process.stdin })) {
    await runJob(JSON.parse(line) as PlaceOrdersChildConfig);
    say('ready');
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  say(`error ${errorText(error)}`);
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(2);
});
