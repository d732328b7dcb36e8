import { z } from 'zod';
import { SignalConfigSchema } from '../signals/config.js';

const port = z.number().int().min(0).max(65_535);
const positiveMs = z.number().int().positive();

/** Angel One production endpoints (shared/reference/angelone-smartapi.md §0). */
export const ANGEL_ONE_ENDPOINTS = {
  restBaseUrl: 'https://apiconnect.angelone.in',
  feedUrl: 'wss://smartapisocket.angelone.in/smart-stream',
  orderFeedUrl: 'wss://tns.angelone.in/smart-order-update',
  instrumentMasterUrl: 'https://margincalculator.angelbroking.com/OpenAPI_File/files/OpenAPIScripMaster.json',
} as const;

export const UNDERLYINGS = ['NIFTY', 'BANKNIFTY', 'FINNIFTY', 'MIDCPNIFTY', 'SENSEX'] as const;

/**
 * The whole configuration. Precedence: these defaults < config file (JSON) < environment.
 * Every field has a default, so the embedded demo (simulator feed) needs no configuration at all.
 */
export const ConfigSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: port.default(8080),
      /**
       * browser origins allowed to call the API cross-origin, exact (`https://dash.example.com`, no path);
       * empty (default): no CORS headers at all, only the dashboard served by the gateway itself
       */
      corsOrigins: z
        .array(z.string().regex(/^https?:\/\/[^/\s?#]+$/, 'an origin is scheme://host[:port], no path'))
        .default([]),
    })
    .prefault({}),
  /** SQLite file, recordings, instrument-master cache */
  dataDir: z.string().min(1).default('./data'),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      pretty: z.boolean().default(false),
    })
    .prefault({}),
  /** the market hub at /hubs/market (src/gateway/hub/settings.ts has the rest of its defaults) */
  hub: z
    .strictObject({
      /**
       * at most one batch of updates per client per this many ms (values conflate per key in between);
       * 0 sends within the event-loop turn: lowest tick-to-client latency, more socket writes
       */
      flushIntervalMs: z.number().int().min(0).max(10_000).default(50),
    })
    .prefault({}),
  feed: z
    .strictObject({
      /** where market data comes from: the built-in simulator, a real Angel One account, or a recording */
      source: z.enum(['simulator', 'angelone', 'replay']).default('simulator'),
      pingIntervalMs: positiveMs.default(10_000),
      /** no frame (tick or pong) for this long while the market is open → reconnect */
      staleAfterMs: positiveMs.default(20_000),
      /** how often feed statistics are logged */
      statsIntervalMs: positiveMs.default(10_000),
      /** a recording made by `indexflow record`, for source = replay */
      replayFile: z.string().optional(),
      replaySpeed: z.number().positive().default(1),
    })
    .prefault({}),
  subscriptions: z
    .strictObject({
      underlyings: z.array(z.enum(UNDERLYINGS)).min(1).default(['NIFTY', 'BANKNIFTY']),
      /** how many of the nearest expiries per underlying */
      expiries: z.number().int().min(1).max(12).default(1),
      /** strikes each side of the at-the-money strike */
      strikesEachSide: z.number().int().min(0).max(100).default(10),
      mode: z.enum(['ltp', 'quote', 'snapquote']).default('snapquote'),
      includeFutures: z.boolean().default(true),
    })
    .prefault({}),
  pipeline: z
    .strictObject({
      /** an instrument with no update for this long while its market is open is marked stale */
      staleAfterMs: positiveMs.default(30_000),
      /** remembered (token, sequence) pairs per instrument for duplicate suppression */
      duplicateWindow: z.number().int().positive().default(64),
    })
    .prefault({}),
  chains: z
    .strictObject({
      /**
       * risk-free rate for Black-76 (annual, continuous). Default 6.5 %: about the 91-day T-bill / MIBOR level
       * (shared/reference/options-maths-and-nse.md §2.4); NSE's own chain uses 10 %.
       */
      rate: z.number().min(0).max(0.5).default(0.065),
      /** time to expiry in calendar days (365) or trading sessions (252) */
      timeBasis: z.enum(['calendar', 'trading']).default('calendar'),
      /** IV from the bid/ask mid (default) or from the last traded price */
      ivSource: z.enum(['mid', 'ltp']).default('mid'),
      /**
       * where SVI smile fits (~15 ms each) run: 'worker' (default) in a worker thread every 5 s, off the
       * market-data thread; 'inline' inside chain reads on the main thread (simple, stalls the fast path)
       */
      smileFit: z.enum(['worker', 'inline']).default('worker'),
    })
    .prefault({}),
  storage: z
    .strictObject({
      /** a postgres:// URL switches storage to PostgreSQL; otherwise SQLite under dataDir */
      databaseUrl: z.string().min(1).optional(),
      /** SQLite file name inside dataDir */
      sqliteFile: z.string().min(1).default('indexflow.sqlite'),
      /** persist every tick (the warehouse for replays); candles and snapshots are always kept */
      persistTicks: z.boolean().default(true),
      batchSize: z.number().int().positive().default(500),
      flushIntervalMs: positiveMs.default(1_000),
      retentionDays: z
        .strictObject({
          ticks: z.number().int().positive().default(7),
          candles: z.number().int().positive().default(400),
          chainSnapshots: z.number().int().positive().default(90),
        })
        .prefault({}),
    })
    .prefault({}),
  redis: z
    .strictObject({
      /** mirror hot market state to Redis for other processes; off when unset */
      url: z.string().min(1).optional(),
      keyPrefix: z.string().default('indexflow:'),
      flushIntervalMs: positiveMs.default(100),
    })
    .prefault({}),
  angelone: z
    .strictObject({
      clientCode: z.string().min(1).optional(),
      /** 4-digit MPIN (secret) */
      pin: z.string().min(1).optional(),
      /** base32 TOTP seed (secret); without it the TOTP must be given at start */
      totpSecret: z.string().min(1).optional(),
      /** SmartAPI app key (secret) */
      apiKey: z.string().min(1).optional(),
      restBaseUrl: z.url().default(ANGEL_ONE_ENDPOINTS.restBaseUrl),
      feedUrl: z.url().default(ANGEL_ONE_ENDPOINTS.feedUrl),
      orderFeedUrl: z.url().default(ANGEL_ONE_ENDPOINTS.orderFeedUrl),
      instrumentMasterUrl: z.url().default(ANGEL_ONE_ENDPOINTS.instrumentMasterUrl),
      timeoutMs: positiveMs.default(7_000),
    })
    .prefault({}),
  sim: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      /** 0 picks a free port */
      port: port.default(0),
      seed: z.number().int().default(20_261_125),
      /** simulated ms per wall ms (e.g. 10 runs a trading day in 37.5 minutes) */
      speed: z.number().positive().max(1_000).default(1),
      /**
       * multiplies every contract's tick rate without speeding up time (load tests: bench/e2e.ts sends
       * ≈ 5,000 ticks/s over 1,000 subscribed tokens with ≈ 10.5 and 10 ms steps and loop turns)
       */
      activity: z.number().positive().max(1_000).default(1),
      /** simulated ms per market step; a contract ticks at most once a step */
      marketStepMs: z.number().int().min(10).max(1_000).default(200),
      /** wall ms between the simulator's loop turns; each sends every token that ticked since the last */
      stepIntervalMs: z.number().int().min(1).max(1_000).default(100),
      /**
       * the simulated trading day: `auto` = today if the market is open now, otherwise the latest trading
       * session replayed from its open; or a date `YYYY-MM-DD`
       */
      day: z.union([z.literal('auto'), z.iso.date()]).default('auto'),
      /** IST time of day the simulated clock starts at when not following the real clock */
      startTime: z
        .string()
        .regex(/^\d{2}:\d{2}$/, 'expected HH:MM')
        .default('09:15'),
    })
    .prefault({}),
  execution: z
    .strictObject({
      /** where orders go: the paper venue (default) or Angel One (real money, needs `live`) */
      route: z.enum(['paper', 'angelone']).default('paper'),
      /** real-money trading on Angel One; also needs `indexflow start --confirm-live` and the static IP */
      live: z.boolean().default(false),
      /** the static IP registered with the broker (SEBI); live trading refuses to start from another */
      staticIp: z.string().optional(),
      /** size and place every new signal (paper by default, so the demo trades its signals) */
      autoTrade: z.boolean().default(true),
      sizing: z
        .strictObject({
          lots: z.number().int().positive().default(1),
          /** ₹20,000: most premium one option buy may cost */
          maxPremiumPerTradePaise: z.number().int().positive().default(2_000_000),
          /** % beyond the reference a protected limit may go (Angel bars market orders for algos) */
          protectionPercent: z.number().positive().max(50).default(2),
          product: z.enum(['INTRADAY', 'CARRYFORWARD']).default('INTRADAY'),
          bracket: z.boolean().default(true),
        })
        .prefault({}),
      paper: z
        .strictObject({
          latencyMs: z.number().int().min(0).default(50),
          seed: z.number().int().default(7),
          /** ₹5 lakh of paper capital */
          capitalPaise: z.number().int().positive().default(50_000_000),
        })
        .prefault({}),
      /** overrides of the risk limits (src/risk/limits.ts); the rest keep their defaults */
      limits: z
        .strictObject({
          maxOpenOrders: z.number().int().positive().optional(),
          maxPremiumAtRiskPaise: z.number().int().min(0).optional(),
          maxDailyLossPaise: z.number().int().min(0).optional(),
          freezeQuantity: z.record(z.string(), z.number().int().positive()).optional(),
          freezeQuantityAsOf: z.iso.date().optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  signals: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** candle interval the indicators run on; each closed candle of an index evaluates the strategies */
      interval: z.enum(['1s', '1m', '3m', '5m', '15m']).default('1m'),
      /** signals kept for GET /api/v1/signals, newest first */
      historySize: z.number().int().positive().default(200),
      /** composite, picker and strategy rules (src/signals/config.ts) */
      rules: SignalConfigSchema.prefault({}),
    })
    .prefault({}),
});

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
