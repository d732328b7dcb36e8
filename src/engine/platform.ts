import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AngelRestClient } from '../brokers/angelone/rest/index.js';
import { InstrumentMasterLoader, type InstrumentStore } from '../brokers/angelone/instruments/index.js';
import {
  type FeedClientStats,
  type RawFrameRecorder,
  SmartStreamClient,
} from '../brokers/angelone/feed/index.js';
import { AngelOrderUpdatesClient } from '../brokers/angelone/orderupdates/index.js';
import type { ExchangeType } from '../brokers/angelone/codec/index.js';
import { createMarketCalendar } from '../core/calendar/index.js';
import type { Clock } from '../core/clock.js';
import { IfError } from '../core/errors.js';
import { DAY_MS, istDateKey, istMidnight } from '../core/time.js';
import type { Config } from '../config/index.js';
import { CandleBuilder } from '../feed/candles/index.js';
import type { MarketEvent } from '../feed/events.js';
import { candleStage, instrumentLookup, MarketDataPipeline } from '../feed/pipeline/index.js';
import { type ChainSelection, selectChainSubscriptions } from '../feed/selection.js';
import type { InstrumentMarketState } from '../feed/state/index.js';
import { createRedisStateMirror, marketStateKey } from '../messaging/redis/index.js';
import { ChainRegistry, type ChainSnapshot, loadAtmIvHistory } from '../options/chain/index.js';
import { StorageComponent } from '../storage/index.js';
import {
  onTime,
  type Signal,
  SignalConfigHolder,
  SignalEngine,
  type SignalUnderlying,
} from '../signals/index.js';
import { InstrumentStore as SubscribedInstruments } from '../brokers/angelone/instruments/index.js';
import { createGateway, gatewayHub } from '../gateway/app.js';
import { AuthService } from '../gateway/auth/index.js';
import { chainChannel, type MarketHub, ticksChannel } from '../gateway/hub/index.js';
import type { Logger } from '../ops/logger.js';
import { createMetricsRegistry, type Registry } from '../ops/metrics.js';
import { BrokerCredentialVault, secretBoxFromEnv } from '../ops/secrets/index.js';
import { type RunningSimulator, startSimulator } from '../sim/simulator.js';
import { MessageBus } from './bus.js';
import { Cache } from './cache.js';
import { warmUpSignals } from './signalWarmUp.js';
import { createTrading, type Trading } from './trading.js';
import { LiveClock } from './clocks.js';
import { SmileFitter } from './smileFitter.js';
import { type Component, type ComponentHealth, ComponentRegistry } from './lifecycle.js';

declare module './bus.js' {
  interface BusTopics {
    /** a new signal, or its closed version (same id), after the engine's cache holds it */
    'signals.update': Signal;
  }
}

export interface RunningPlatform {
  url: string;
  clock: Clock;
  bus: MessageBus;
  cache: Cache;
  metrics: Registry;
  registry: ComponentRegistry;
  feed: SmartStreamClient;
  pipeline: MarketDataPipeline;
  chains: ChainRegistry;
  candles: CandleBuilder;
  signals: SignalEngine;
  storage: StorageComponent;
  instruments: InstrumentStore;
  selection: ChainSelection;
  simulator?: RunningSimulator;
  gateway: FastifyInstance;
  /** users and sessions (absent when storage could not open) */
  auth?: AuthService;
  /** the market hub at /hubs/market (present with `auth`) */
  hub?: MarketHub;
  /** orders, positions and risk (absent when trading was refused: live without confirmation, no store) */
  trading?: Trading;
  close(): Promise<void>;
}

interface BrokerEndpoints {
  restBaseUrl: string;
  feedUrl: string;
  orderFeedUrl: string;
  instrumentMasterUrl: string;
  clientCode: string;
  pin: string;
  totpSecret: string;
  apiKey: string;
}

function requireSetting(value: string | undefined, key: string): string {
  if (value === undefined || value === '') {
    throw new IfError('IF_ERR_CONFIG_INVALID', { key, detail: 'required when feed.source is "angelone"' });
  }
  return value;
}

/** The slice of an instrument's state other processes read from Redis (paise, ms). */
function compactState(state: InstrumentMarketState): Record<string, number | string | undefined> {
  return {
    token: state.token,
    exchangeType: state.exchangeType,
    symbol: state.instrument.symbol,
    lastPrice: state.tick?.lastPrice,
    volume: state.tick?.volume,
    openInterest: state.tick?.openInterest,
    bidPrice: state.quote?.bidPrice,
    askPrice: state.quote?.askPrice,
    quality: state.quality,
    updatedAtMs: state.updatedAtMs,
  };
}

function feedHealthToComponent(stats: FeedClientStats): ComponentHealth {
  const facts = {
    subscriptions: stats.subscriptions,
    reconnects: stats.reconnects,
    staleEvents: stats.staleEvents,
    connections: stats.connections.map((c) => c.state).join(','),
  };
  if (stats.health === 'healthy') return { state: 'running', facts };
  return { state: 'degraded', detail: `feed ${stats.health}`, facts };
}

/**
 * The all-in-one composition root: starts the simulator when the feed source needs it, logs in to the
 * broker with TOTP, loads the instrument master, subscribes the near chains, and serves health and
 * metrics. Later issues hang the pipeline, chains, signals and execution off `bus`.
 */
export interface PlatformExtras {
  /** taps every raw feed frame (for `indexflow record`) */
  onRawFrame?: RawFrameRecorder;
  /** the operator confirmed real-money trading at start (`indexflow start --confirm-live`) */
  confirmLive?: boolean;
  /** this machine's public IP as the broker sees it (live trading checks it against execution.staticIp) */
  publicIp?: () => Promise<string>;
}

export async function startPlatform(
  config: Config,
  logger: Logger,
  extras: PlatformExtras = {},
): Promise<RunningPlatform> {
  const metrics = createMetricsRegistry();
  const registry = new ComponentRegistry(logger);
  const bus = new MessageBus(logger);
  const cache = new Cache();
  const wallClock = new LiveClock();
  const calendar = createMarketCalendar();
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        logger.warn({ err: error }, 'shutdown step failed');
      }
    }
    wallClock.clearAll();
  };

  try {
    let simulator: RunningSimulator | undefined;
    let clock: Clock = wallClock;
    let endpoints: BrokerEndpoints;
    if (config.feed.source === 'angelone') {
      const a = config.angelone;
      endpoints = {
        restBaseUrl: a.restBaseUrl,
        feedUrl: a.feedUrl,
        orderFeedUrl: a.orderFeedUrl,
        instrumentMasterUrl: a.instrumentMasterUrl,
        clientCode: requireSetting(a.clientCode, 'angelone.clientCode'),
        pin: requireSetting(a.pin, 'angelone.pin'),
        totpSecret: requireSetting(a.totpSecret, 'angelone.totpSecret'),
        apiKey: requireSetting(a.apiKey, 'angelone.apiKey'),
      };
    } else {
      if (config.feed.source === 'replay' && !config.feed.replayFile) {
        throw new IfError('IF_ERR_CONFIG_INVALID', {
          key: 'feed.replayFile',
          detail: 'required when feed.source is "replay"',
        });
      }
      simulator = await startSimulator({
        host: config.sim.host,
        port: config.sim.port,
        seed: config.sim.seed,
        speed: config.sim.speed,
        activity: config.sim.activity,
        marketStepMs: config.sim.marketStepMs,
        stepIntervalMs: config.sim.stepIntervalMs,
        day: config.sim.day,
        startTime: config.sim.startTime,
        calendar,
        logger: logger.child({ component: 'sim' }),
        ...(config.feed.source === 'replay'
          ? { replayFile: config.feed.replayFile, replaySpeed: config.feed.replaySpeed }
          : {}),
      });
      const sim = simulator;
      closers.push(() => sim.close());
      // On the simulator the engine runs on simulated exchange time, so market-hours checks agree with it.
      clock = sim.clock;
      endpoints = {
        restBaseUrl: sim.restUrl,
        feedUrl: sim.feedUrl,
        orderFeedUrl: sim.orderFeedUrl,
        instrumentMasterUrl: sim.instrumentMasterUrl,
        ...sim.account,
      };
      logger.info({ url: sim.restUrl }, 'simulator started');
    }

    const rest = new AngelRestClient({
      baseUrl: endpoints.restBaseUrl,
      apiKey: endpoints.apiKey,
      clientCode: endpoints.clientCode,
      clock,
      logger,
      timeoutMs: config.angelone.timeoutMs,
    });
    const login = () => rest.loginWithTotpSecret({ pin: endpoints.pin, totpSecret: endpoints.totpSecret });
    await login();
    logger.info({ clientCode: endpoints.clientCode }, 'logged in with TOTP');
    closers.push(async () => {
      await rest.logout().catch((error: unknown) => logger.debug({ err: error }, 'logout failed'));
    });

    const cacheDir = join(config.dataDir, 'instruments', simulator ? 'simulator' : 'angelone');
    // The simulator's master depends on its seed and day; a cached copy from another run would be wrong.
    if (simulator) rmSync(cacheDir, { recursive: true, force: true });
    let lastProgressLog = 0;
    const loader = new InstrumentMasterLoader({
      cacheDir,
      clock,
      url: endpoints.instrumentMasterUrl,
      logger,
      onProgress: (progress) => {
        const now = wallClock.now();
        if (now - lastProgressLog < 1000) return;
        lastProgressLog = now;
        logger.info({ progress }, 'downloading instrument master');
      },
    });
    const { store, master } = await loader.loadStore();
    logger.info(
      { instruments: master.instruments.length, rejected: master.rejected, source: master.source },
      'instrument master loaded',
    );

    const today = istDateKey(clock.now());
    const spots = new Map<string, number>();
    const indexTokens: Record<string, string[]> = {};
    const indexByToken = new Map<string, string>();
    for (const underlying of config.subscriptions.underlyings) {
      const index = store.indexInstrument(underlying);
      if (!index) continue;
      indexTokens[index.exchange] = [...(indexTokens[index.exchange] ?? []), index.token];
      indexByToken.set(index.token, underlying);
    }
    try {
      const quotes = await rest.getQuote('LTP', indexTokens);
      for (const quote of quotes.fetched) {
        const underlying = indexByToken.get(quote.symbolToken);
        if (underlying && quote.ltp > 0) spots.set(underlying, quote.ltp);
      }
    } catch (error) {
      logger.warn({ err: error }, 'index quotes failed; choosing the middle strikes instead of ATM');
    }
    const selection = selectChainSubscriptions(store.instruments(), spots, config.subscriptions, today);
    if (selection.missing.length > 0)
      logger.warn({ missing: selection.missing }, 'underlyings not in the master');
    logger.info(
      { summary: selection.summary, pairs: selection.subscriptions.length },
      'subscribing near chains',
    );

    // Chains cover the subscribed contracts only, so every row can have live data.
    const chains = ChainRegistry.fromInstruments(
      new SubscribedInstruments(selection.subscriptions.map((s) => s.instrument)),
      calendar,
      {
        underlyings: config.subscriptions.underlyings,
        expiries: config.subscriptions.expiries,
        nowMs: clock.now(),
      },
      {
        rate: config.chains.rate,
        timeBasis: config.chains.timeBasis,
        ivSource: config.chains.ivSource,
        smileFit: config.chains.smileFit === 'worker' ? 'external' : 'inline',
      },
    );
    if (config.chains.smileFit === 'worker') {
      // SVI fits (~15 ms each) run in a worker thread; chain reads only pick up the latest finished fit.
      const smileFitter = new SmileFitter({
        chains,
        clock: wallClock,
        logger: logger.child({ component: 'smile-fitter' }),
        metrics,
      });
      await smileFitter.start();
      closers.push(() => smileFitter.close());
    }
    const storage = new StorageComponent({ storage: config.storage, dataDir: config.dataDir, clock, logger });
    const signalUnderlyings: SignalUnderlying[] = [];
    for (const underlying of config.subscriptions.underlyings) {
      const index = store.indexInstrument(underlying);
      if (!index) continue;
      const future = selection.subscriptions.find(
        (s) => s.instrument.kind === 'future' && s.instrument.name === underlying,
      )?.instrument;
      signalUnderlyings.push({
        underlying,
        indexToken: index.token,
        ...(future
          ? {
              future: {
                token: future.token,
                exchangeType: future.exchangeType,
                tickSizePaise: future.tickSizePaise,
              },
            }
          : {}),
      });
    }
    const exchangeTypeByToken = new Map(
      selection.subscriptions.map((s) => [s.instrument.token, s.instrument.exchangeType] as const),
    );
    const latestChains = new Map<string, ChainSnapshot>();
    let trading: Trading | undefined;
    // Hot reload: PUT /api/v1/signals/config swaps the rules in; a refused update leaves them in force.
    const signalRules = new SignalConfigHolder(config.signals.rules);
    // Newest first, at most historySize; a closed signal replaces its active version in place.
    const signalHistory: Signal[] = [];
    const signals = new SignalEngine({
      underlyings: signalUnderlyings,
      interval: config.signals.interval,
      config: () => signalRules.current,
      market: {
        // Strategies read the chain as the chain clock below last computed it (at most a second old), so
        // an evaluation never pays for re-solving a chain on the packet that closed its candle.
        chain: (underlying) => latestChains.get(underlying),
        quality: (token) => {
          const exchangeType = exchangeTypeByToken.get(token);
          return exchangeType === undefined ? undefined : pipeline.state(exchangeType, token)?.quality;
        },
      },
      onEvent: (event) => {
        const s = event.signal;
        const at = signalHistory.findIndex((h) => h.id === s.id);
        if (at >= 0) signalHistory[at] = s;
        else signalHistory.unshift(s);
        signalHistory.length = Math.min(signalHistory.length, config.signals.historySize);
        if (event.type === 'new') {
          logger.info(
            {
              signal: {
                id: s.id,
                strategy: s.strategy,
                direction: s.direction,
                instrument: s.instrument.symbol,
                entry: s.entryPaise,
                stop: s.stopPaise,
                target: s.targetPaise,
                confidence: s.confidence,
                contributions: s.contributions,
              },
            },
            'signal',
          );
        } else {
          logger.info({ signal: { id: s.id, status: s.status, closed: s.closed } }, 'signal closed');
        }
        bus.publish('signals.update', s);
      },
    });
    // Persisted with its contributions (later: which parts made money); the fast path never waits.
    bus.subscribe('signals.update', (s) => {
      storage
        .repositories()
        ?.signals.upsert(s)
        .catch((error: unknown) => logger.warn({ err: error, id: s.id }, 'signal not persisted'));
    });
    const candles = new CandleBuilder({
      calendar,
      onClosed: (candle) => {
        storage.recordCandle(candle);
        if (config.signals.enabled) signals.onCandle(candle);
      },
    });
    const pipeline = new MarketDataPipeline({
      bus,
      cache,
      clock,
      calendar,
      instruments: instrumentLookup(store.instruments()),
      metrics,
      logger,
      validation: {
        // Far strikes trade rarely; only indices and futures are expected to update every few seconds.
        staleAfterMs: (instrument) =>
          instrument.kind === 'option' ? config.pipeline.staleAfterMs * 10 : config.pipeline.staleAfterMs,
        duplicateWindow: config.pipeline.duplicateWindow,
      },
      stages: [
        candleStage(candles),
        // The paper venue fills against the same accepted events the strategies saw.
        { name: 'execution', onEvent: (event: MarketEvent) => trading?.onMarketEvent(event) },
        { name: 'chains', onEvent: (event) => chains.onEvent(event) },
        ...(config.signals.enabled
          ? [{ name: 'signals', onEvent: (event: MarketEvent) => signals.onMarketEvent(event) }]
          : []),
      ],
    });
    // Time to expiry moves in one-second steps (timeStepMs); a full re-solve per second per chain, off the
    // per-packet path, keeps every reader (signals, hub, REST) within a second of the valuation time.
    const chainClock = wallClock.setInterval(() => {
      chains.refresh(clock.now());
      for (const u of signalUnderlyings) {
        const chain = chains.chain(u.underlying);
        if (chain) latestChains.set(u.underlying, chain.snapshot());
      }
    }, 1_000);
    closers.push(async () => wallClock.clearTimer(chainClock));
    const warehouseTimer = wallClock.setInterval(() => {
      for (const snapshot of chains.snapshotsForWarehouse(clock.now())) storage.recordChainSnapshot(snapshot);
    }, 60_000);
    closers.push(async () => wallClock.clearTimer(warehouseTimer));
    pipeline.watch(selection.subscriptions.map((s) => s.instrument));
    if (config.storage.persistTicks) bus.subscribe('market.tick', (tick) => storage.recordTick(tick));
    const mirror = createRedisStateMirror(config.redis, { clock, logger, metrics });
    if (mirror) {
      const mirrorState = (event: MarketEvent) => {
        const state = pipeline.state(event.exchangeType, event.token);
        if (state) mirror.set(marketStateKey(event.token), compactState(state));
      };
      bus.subscribe('market.tick', mirrorState);
      bus.subscribe('market.quote', mirrorState);
    }
    const candleClock = wallClock.setInterval(() => {
      candles.onClock(clock.now());
      if (config.signals.enabled) signals.onClock(clock.now());
      trading?.onClock(clock.now());
    }, 250);
    closers.push(async () => wallClock.clearTimer(candleClock));

    const feed = new SmartStreamClient({
      url: endpoints.feedUrl,
      credentials: () => {
        const session = rest.session();
        if (!session) throw new IfError('IF_ERR_BROKER_SESSION', { brokerCode: '', detail: 'not logged in' });
        return {
          clientCode: session.clientCode,
          feedToken: session.feedToken,
          jwtToken: session.jwtToken,
          apiKey: session.apiKey,
        };
      },
      // Heartbeats and backoff run on wall time; market hours come from the engine clock.
      clock: wallClock,
      isMarketOpen: () => calendar.isMarketOpen('NSE', clock.now()),
      pingIntervalMs: config.feed.pingIntervalMs,
      staleAfterMs: config.feed.staleAfterMs,
      registry: metrics,
      logger: logger.child({ component: 'feed' }),
      onAuthFailure: async () => {
        try {
          await rest.refreshSession();
        } catch {
          await login();
        }
      },
      ...(extras.onRawFrame ? { onRawFrame: extras.onRawFrame } : {}),
      onPacket: (packet) => pipeline.onPacket(packet, clock.now()),
    });
    closers.push(() => feed.close());
    feed.on('error', (event) =>
      logger.warn({ err: event.error, connection: event.connection }, 'feed error'),
    );
    feed.on('stale', (event) => logger.warn({ connection: event.connection }, 'feed stale; reconnecting'));
    feed.on('health', (event) =>
      logger.info({ health: event.health, previous: event.previous }, 'feed health'),
    );

    const orderUpdates = new AngelOrderUpdatesClient({
      url: endpoints.orderFeedUrl,
      credentials: () => ({
        jwtToken: rest.session()?.jwtToken ?? '',
        apiKey: endpoints.apiKey,
        clientCode: endpoints.clientCode,
      }),
      clock: wallClock,
      logger: logger.child({ component: 'order-updates' }),
    });
    closers.push(() => orderUpdates.close());
    orderUpdates.onUpdate((update) =>
      logger.info({ status: update.statusCode, meaning: update.meaning }, 'order update'),
    );

    const feedComponent: Component = {
      name: 'feed',
      critical: true,
      start: async () => {
        feed.subscribe(
          selection.subscriptions.map(({ exchangeType, token, mode }) => ({
            exchangeType: exchangeType as ExchangeType,
            token,
            mode,
          })),
        );
      },
      stop: () => feed.close(),
      health: () => feedHealthToComponent(feed.stats()),
    };
    const sessionComponent: Component = {
      name: 'broker-session',
      critical: true,
      start: async () => {},
      stop: async () => {},
      health: () =>
        rest.isLoggedIn() ? { state: 'running' } : { state: 'degraded', detail: 'not logged in' },
    };
    const orderUpdatesComponent: Component = {
      name: 'order-updates',
      critical: false,
      start: async () => orderUpdates.start(),
      stop: () => orderUpdates.close(),
      health: () => ({
        state: orderUpdates.state === 'open' ? 'running' : 'degraded',
        detail: orderUpdates.state,
      }),
    };
    if (config.signals.enabled) {
      // Before the feed starts, so history candles land before the first live one. Bounded: a slow
      // history API must not hold up start-up (the engine then warms up on live candles).
      const indices = signalUnderlyings.flatMap((u) => {
        const index = store.indexInstrument(u.underlying);
        return index ? [{ underlying: u.underlying, token: index.token, exchange: index.exchange }] : [];
      });
      const warm = warmUpSignals({
        getCandles: (request) => rest.getCandles(request),
        signals,
        indices,
        interval: config.signals.interval,
        calendar,
        nowMs: clock.now(),
        logger,
      });
      const applied = await Promise.race([
        warm,
        new Promise<undefined>((resolve) => {
          const timer = wallClock.setTimeout(() => resolve(undefined), 10_000);
          void warm.finally(() => wallClock.clearTimer(timer));
        }),
      ]);
      logger.info({ candles: applied ?? 'timed out' }, 'signal indicators warmed up from history');
    }
    registry.add(storage);
    registry.add(sessionComponent);
    registry.add(pipeline);
    registry.add(feedComponent);
    registry.add(orderUpdatesComponent);
    if (mirror) registry.add(mirror);
    await registry.startAll();
    closers.push(() => registry.stopAll());
    const orderStore = storage.repositories()?.orders;
    const liveRefusal = await liveTradingRefusal(config, extras);
    if (liveRefusal !== undefined) {
      logger.error(
        { reason: liveRefusal },
        'trading refused: orders are disabled (market data and signals run)',
      );
    } else if (orderStore === undefined) {
      logger.error('trading refused: the order store is unavailable (orders need write-ahead storage)');
    } else {
      trading = createTrading({
        config: config.execution,
        clock,
        logger: logger.child({ component: 'execution' }),
        store: orderStore,
        ...(storage.repositories()?.auditLog ? { auditLog: storage.repositories()?.auditLog } : {}),
        instruments: store.instruments(),
        state: (exchangeType, token) => pipeline.state(exchangeType, token),
        ...(config.execution.route === 'angelone' ? { angel: { rest, orderUpdates } } : {}),
      });
      const running = trading;
      await running.manager.start();
      closers.push(() => running.close());
      bus.subscribe('signals.update', (signal) => running.onSignal(signal));
      // Feed stale on an instrument with an open position is one of the automatic kill-switch triggers.
      bus.subscribe('market.quality', (event) => {
        if (event.quality === 'stale') running.manager.markStale(event.token);
        else running.manager.markFresh(event.token);
      });
      logger.info(
        {
          route: running.route,
          autoTrade: config.execution.autoTrade,
          state: running.manager.state().status,
        },
        'trading started',
      );
    }
    // Signals of earlier runs fill the history the API serves, newest first; live ones replace them by id.
    const storedSignals = await storage
      .repositories()
      ?.signals.recent(config.signals.historySize)
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'stored signals could not be loaded');
        return [];
      });
    for (const stored of storedSignals ?? []) {
      if (signalHistory.some((h) => h.id === stored.id)) continue;
      // One left active by a stop is no longer tracked: it expires by its own validity window.
      const now = onTime(stored, clock.now());
      if (now !== stored)
        void storage
          .repositories()
          ?.signals.upsert(now)
          .catch(() => {});
      signalHistory.push(now);
    }
    const chainSnapshots = storage.repositories()?.chainSnapshots;
    if (chainSnapshots !== undefined) {
      // IV rank/percentile need ~252 trading days of stored ATM IV; loaded in the background so a slow or
      // failing store never delays start-up (the summary simply has no rank until it arrives).
      const toMs = istMidnight(clock.now());
      const fromMs = toMs - 400 * DAY_MS;
      void (async () => {
        for (const underlying of new Set(chains.chains().map((c) => c.underlying))) {
          const history = await loadAtmIvHistory(
            chainSnapshots,
            underlying,
            chains.expiries(underlying),
            fromMs,
            toMs,
          );
          chains.setAtmIvHistory(underlying, history);
          logger.info({ underlying, days: history.length }, 'ATM-IV history loaded');
        }
      })().catch((error: unknown) => logger.warn({ err: error }, 'ATM-IV history could not be loaded'));
    }
    await storage.repositories()?.instruments.upsertMany(
      selection.subscriptions.map((s) => s.instrument),
      clock.now(),
    );

    const feedView = () => ({
      stats: feed.stats(),
      selection: selection.summary,
      simulatedTimeMs: clock.now(),
    });
    const users = storage.repositories()?.users;
    // JWTs carry wall-clock times: the simulator's exchange clock may sit on another day.
    const auth = users
      ? new AuthService({ users, clock: wallClock, jwtSecret: process.env['INDEXFLOW_JWT_SECRET'], logger })
      : undefined;
    if (auth && (await auth.userCount()) === 0) {
      logger.warn(
        'no users yet: the hub and login need one; create one with `indexflow user add admin --role admin`',
      );
    }
    const repositories = storage.repositories();
    // Broker credentials at rest need INDEXFLOW_SECRET_KEY; without it the admin route answers 503.
    const secretBox = secretBoxFromEnv(process.env);
    const vault =
      secretBox && repositories
        ? new BrokerCredentialVault(secretBox, repositories.brokerCredentials, wallClock)
        : undefined;
    if (vault) {
      const stale = await vault.sealedUnderOtherKey().catch(() => []);
      if (stale.length > 0) {
        logger.warn({ names: stale }, 'broker credentials sealed under another key; enter them again');
      }
    }
    const gateway = createGateway({
      registry,
      metrics,
      logger,
      clock: wallClock,
      corsOrigins: config.server.corsOrigins,
      ...(trading ? { trading: trading.api } : {}),
      ...(repositories ? { audit: repositories.auditLog } : {}),
      ...(vault
        ? {
            credentials: {
              put: (name: string, value: Record<string, string>) => vault.put(name, JSON.stringify(value)),
              has: async (name: string) => (await vault.names()).includes(name),
            },
          }
        : {}),
      ...(config.signals.enabled
        ? {
            signalConfig: {
              current: () => signalRules.current,
              update: (raw: unknown) => {
                const result = signalRules.update(raw);
                if (result.ok) logger.info('signal rules reloaded');
                else logger.warn({ err: result.error }, 'signal rules refused; the previous rules stay');
                return result;
              },
            },
          }
        : {}),
      ...(auth ? { auth } : {}),
      hub: {
        flushIntervalMs: config.hub.flushIntervalMs,
        // A new chain subscriber gets every row and the summary at once; later updates are deltas.
        snapshot: (channel) => {
          const match = /^chain:([A-Z0-9]+):(\d{4}-\d{2}-\d{2})$/.exec(channel);
          const found = match ? chains.chain(match[1] ?? '', match[2]) : undefined;
          if (!found) return undefined;
          found.refresh(clock.now());
          const { rows, summary } = found.snapshot();
          return [...rows.map((row) => [String(row.strike), row] as const), ['summary', summary] as const];
        },
      },
      views: {
        feed: feedView,
        signals: () => ({
          signals: signalHistory,
          active: signals.activeSignals().length,
          stats: signals.stats,
        }),
      },
      chain: (underlying, expiry) => {
        const found = chains.chain(underlying, expiry);
        if (!found) return undefined;
        found.refresh(clock.now());
        return found.snapshot();
      },
    });
    const hub = gatewayHub(gateway);
    if (hub) {
      bus.subscribe('signals.update', (signal) => hub.publish('signals', signal.id, signal));
      trading?.manager.onEvent((event) => {
        if (event.type === 'order') hub.publish('orders', event.order.clientOrderId, event.order);
        else if (event.type === 'position')
          hub.publish('positions', event.position.instrument, event.position);
        else if (event.type === 'pnl') hub.publish('positions', 'pnl', event.pnl);
        else hub.publish('risk', event.event.type, event.event);
      });
      bus.subscribe('market.tick', (tick) => hub.publish(ticksChannel(tick.token), tick.token, tick));
      // Chains go out once a second, and only to channels someone watches. Rows are keyed by strike and
      // the summary by 'summary', so the hub's per-key conflation never loses a row.
      const published = new Map<string, number>();
      const chainTimer = wallClock.setInterval(() => {
        for (const chain of chains.chains()) {
          const channel = chainChannel(chain.underlying, chain.expiry);
          if (!hub.hasSubscribers(channel)) {
            published.delete(channel);
            continue;
          }
          chain.refresh(clock.now());
          const delta = chain.deltaSince(published.get(channel) ?? 0);
          published.set(channel, delta.version);
          for (const row of delta.rows) hub.publish(channel, String(row.strike), row);
          hub.publish(channel, 'summary', delta.summary);
        }
      }, 1_000);
      closers.push(async () => wallClock.clearTimer(chainTimer));
      // The 'health' channel: readiness per component and the feed's figures, every 5 s to whoever watches.
      const healthTimer = wallClock.setInterval(() => {
        if (!hub.hasSubscribers('health')) return;
        hub.publish('health', 'readiness', registry.readiness());
        hub.publish('health', 'feed', feedView());
      }, 5_000);
      closers.push(async () => wallClock.clearTimer(healthTimer));
    }
    await gateway.listen({ host: config.server.host, port: config.server.port });
    closers.push(() => gateway.close());
    const address = gateway.server.address();
    const url =
      typeof address === 'object' && address
        ? `http://${config.server.host}:${address.port}`
        : `http://${config.server.host}`;
    logger.info({ url }, 'platform listening');

    const statsTimer = wallClock.setInterval(() => {
      const s = feed.stats();
      logger.info(
        {
          health: s.health,
          packetsPerSecond: s.packetsPerSecond,
          packetsTotal: s.packetsTotal,
          reconnects: s.reconnects,
          rejectedFrames: s.rejectedFrames,
          connections: s.connections.map((c) => c.state),
        },
        'feed stats',
      );
    }, config.feed.statsIntervalMs);
    closers.push(async () => wallClock.clearTimer(statsTimer));

    return {
      url,
      clock,
      bus,
      cache,
      metrics,
      registry,
      feed,
      pipeline,
      chains,
      candles,
      signals,
      storage,
      instruments: store,
      selection,
      ...(simulator ? { simulator } : {}),
      gateway,
      ...(auth ? { auth } : {}),
      ...(hub ? { hub } : {}),
      ...(trading ? { trading } : {}),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * Why real-money trading must not start, or undefined when it may (or the route is paper). Live needs the
 * config switch, the operator's confirmation at start and, when a static IP is configured (SEBI), this
 * machine's public IP to match it; an IP that cannot be checked refuses too (fail closed).
 */
export async function liveTradingRefusal(
  config: Config,
  extras: PlatformExtras,
): Promise<string | undefined> {
  const execution = config.execution;
  if (execution.route !== 'angelone') return undefined;
  if (config.feed.source !== 'angelone') return 'execution.route "angelone" needs feed.source "angelone"';
  if (!execution.live) return 'execution.live is false: real-money orders are off unless explicitly enabled';
  if (extras.confirmLive !== true) return 'live trading was not confirmed at start (--confirm-live)';
  if (execution.staticIp === undefined)
    return 'execution.staticIp is not set (SEBI: orders only from the registered IP)';
  let ip: string;
  try {
    ip = (await (extras.publicIp ?? publicIpFromService)()).trim();
  } catch (error) {
    return `the public IP could not be checked: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (ip !== execution.staticIp)
    return `public IP ${ip} is not the registered static IP ${execution.staticIp}`;
  return undefined;
}

async function publicIpFromService(): Promise<string> {
  const response = await fetch('https://api.ipify.org', { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`ipify answered ${response.status}`);
  return response.text();
}
