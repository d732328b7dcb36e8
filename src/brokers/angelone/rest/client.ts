import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  type CircuitBreakerPolicy,
  TaskCancelledError,
  TimeoutStrategy,
  type TimeoutPolicy,
  circuitBreaker,
  handleWhen,
  timeout,
} from 'cockatiel';
import type { Clock } from '../../../core/clock.js';
import { type ErrorCode, IfError, isIfError } from '../../../core/errors.js';
import { DAY_MS, MINUTE_MS } from '../../../core/time.js';
import { type Logger, silentLogger } from '../../../ops/logger.js';
import { generateTotp } from '../auth/totp.js';
import { parseEnvelope, type RawResponse } from './envelope.js';
import { REFRESHABLE_CODES } from './errorCodes.js';
import { type RateBucket, RateGate, type RateLimitOptions, sleepOnClock } from './limits.js';
import { formatIstMinute, paiseToRupeeString, parseOrThrow } from './parse.js';
import {
  candlesSchema,
  type LoginData,
  loginDataSchema,
  ltpSchema,
  orderAckSchema,
  orderBookSchema,
  orderSchema,
  positionsSchema,
  profileSchema,
  quoteSchema,
  rmsSchema,
  tradeBookSchema,
} from './schemas.js';
import {
  type AngelCandle,
  type AngelLtp,
  type AngelOrder,
  type AngelPosition,
  type AngelProfile,
  type AngelQuoteResult,
  type AngelRms,
  type AngelSessionTokens,
  type AngelTrade,
  CANDLE_MAX_DAYS,
  type CancelOrderRequest,
  type CandleRequest,
  type ExchangeTokens,
  type LtpRequest,
  type ModifyOrderRequest,
  type OrderAck,
  type PlaceOrderRequest,
  type QuoteMode,
  type SessionChange,
} from './types.js';

/** Default REST host (reference §3.1). */
export const ANGEL_REST_BASE_URL = 'https://apiconnect.angelone.in';

/** Calls whose failures say the same thing about the broker share one circuit breaker. */
export type BreakerGroup = 'auth' | 'account' | 'orderWrite' | 'orderRead' | 'market' | 'history';
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

interface EndpointDef {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  /** sends `Authorization: Bearer <jwt>` and takes part in the refresh-and-retry-once rule */
  secure: boolean;
  bucket: RateBucket;
  group: BreakerGroup;
  /** safe to repeat after a transient failure; never true for order writes (a retry may duplicate) */
  idempotent: boolean;
}

const SECURE = '/rest/secure/angelbroking';
const EP = {
  login: {
    name: 'loginByPassword',
    method: 'POST',
    path: '/rest/auth/angelbroking/user/v1/loginByPassword',
    secure: false,
    bucket: 'login',
    group: 'auth',
    idempotent: false,
  },
  refresh: {
    name: 'generateTokens',
    method: 'POST',
    path: '/rest/auth/angelbroking/jwt/v1/generateTokens',
    secure: true,
    bucket: 'generateTokens',
    group: 'auth',
    idempotent: false,
  },
  logout: {
    name: 'logout',
    method: 'POST',
    path: `${SECURE}/user/v1/logout`,
    secure: true,
    bucket: 'logout',
    group: 'auth',
    idempotent: false,
  },
  profile: {
    name: 'getProfile',
    method: 'GET',
    path: `${SECURE}/user/v1/getProfile`,
    secure: true,
    bucket: 'profile',
    group: 'account',
    idempotent: true,
  },
  rms: {
    name: 'getRMS',
    method: 'GET',
    path: `${SECURE}/user/v1/getRMS`,
    secure: true,
    bucket: 'rms',
    group: 'account',
    idempotent: true,
  },
  candles: {
    name: 'getCandleData',
    method: 'POST',
    path: `${SECURE}/historical/v1/getCandleData`,
    secure: true,
    bucket: 'candles',
    group: 'history',
    idempotent: true,
  },
  quote: {
    name: 'quote',
    method: 'POST',
    path: `${SECURE}/market/v1/quote`,
    secure: true,
    bucket: 'quote',
    group: 'market',
    idempotent: true,
  },
  ltp: {
    name: 'getLtpData',
    method: 'POST',
    path: `${SECURE}/order/v1/getLtpData`,
    secure: true,
    bucket: 'ltp',
    group: 'market',
    idempotent: true,
  },
  placeOrder: {
    name: 'placeOrder',
    method: 'POST',
    path: `${SECURE}/order/v1/placeOrder`,
    secure: true,
    bucket: 'orderWrite',
    group: 'orderWrite',
    idempotent: false,
  },
  modifyOrder: {
    name: 'modifyOrder',
    method: 'POST',
    path: `${SECURE}/order/v1/modifyOrder`,
    secure: true,
    bucket: 'orderWrite',
    group: 'orderWrite',
    idempotent: false,
  },
  cancelOrder: {
    name: 'cancelOrder',
    method: 'POST',
    path: `${SECURE}/order/v1/cancelOrder`,
    secure: true,
    bucket: 'orderWrite',
    group: 'orderWrite',
    idempotent: false,
  },
  orderBook: {
    name: 'getOrderBook',
    method: 'GET',
    path: `${SECURE}/order/v1/getOrderBook`,
    secure: true,
    bucket: 'orderBook',
    group: 'orderRead',
    idempotent: true,
  },
  orderDetails: {
    name: 'orderDetails',
    method: 'GET',
    path: `${SECURE}/order/v1/details/`,
    secure: true,
    bucket: 'orderDetails',
    group: 'orderRead',
    idempotent: true,
  },
  tradeBook: {
    name: 'getTradeBook',
    method: 'GET',
    path: `${SECURE}/order/v1/getTradeBook`,
    secure: true,
    bucket: 'tradeBook',
    group: 'orderRead',
    idempotent: true,
  },
  positions: {
    name: 'getPosition',
    method: 'GET',
    path: `${SECURE}/order/v1/getPosition`,
    secure: true,
    bucket: 'positions',
    group: 'orderRead',
    idempotent: true,
  },
} as const satisfies Record<string, EndpointDef>;

const BREAKER_GROUPS: readonly BreakerGroup[] = [
  'auth',
  'account',
  'orderWrite',
  'orderRead',
  'market',
  'history',
];

/** Failures that say "the broker is unwell", as opposed to "the broker said no". */
const BREAKER_FAILURES: ReadonlySet<ErrorCode> = new Set([
  'IF_ERR_BROKER_TIMEOUT',
  'IF_ERR_BROKER_UNAVAILABLE',
  'IF_ERR_BROKER_RESPONSE',
]);

/** Angel accepts at most 50 tokens per quote request (reference §3.10). */
export const QUOTE_BATCH_SIZE = 50;

export interface RetryOptions {
  /** attempts in total for idempotent reads (1 = no retry); default 3 */
  maxAttempts?: number;
  /** first backoff, doubled per attempt; default 250 ms */
  initialDelayMs?: number;
  /** backoff cap; default 4000 ms */
  maxDelayMs?: number;
}

export interface BreakerOptions {
  /** consecutive transport failures that open a group's breaker; default 5 */
  consecutiveFailures?: number;
  /** how long an open breaker refuses calls before letting one test call through; default 30 s */
  halfOpenAfterMs?: number;
}

export interface AngelRestClientOptions {
  /** e.g. https://apiconnect.angelone.in, or the simulator's http://127.0.0.1:port */
  baseUrl: string;
  apiKey: string;
  clientCode: string;
  /**
   * Paces rate limits and retry backoff. Give live and simulator runs a LiveClock/ScaledClock: under a
   * SimulatedClock nobody advances, a call that must wait for its rate-limit turn never proceeds.
   */
  clock: Clock;
  logger?: Logger;
  /** per HTTP call, wall time; default 7000 ms (the official SDKs' value) */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
  localIp?: string;
  publicIp?: string;
  macAddress?: string;
  limits?: RateLimitOptions;
  retry?: RetryOptions;
  breaker?: BreakerOptions;
}

interface SessionState {
  jwtToken: string;
  refreshToken: string;
  feedToken: string;
  obtainedAtMs: number;
}

interface CallInit {
  body?: unknown;
  pathSuffix?: string;
}

function isRefreshable(error: unknown): boolean {
  return isIfError(error) && REFRESHABLE_CODES.has(String(error.params.brokerCode ?? ''));
}

function isTransient(error: unknown): boolean {
  if (!isIfError(error)) return false;
  if (error.code === 'IF_ERR_BROKER_TIMEOUT' || error.code === 'IF_ERR_BROKER_UNAVAILABLE') return true;
  // our own limiter's refusal is final; the broker's 403 is worth one more paced try
  return error.code === 'IF_ERR_BROKER_RATE_LIMITED' && error.params.source === 'broker';
}

/** The network error's code (ECONNREFUSED, …) without the URL, headers or anything else it carries. */
function networkDetail(error: unknown): string {
  const cause = error instanceof Error ? (error as Error & { cause?: unknown }).cause : undefined;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string'
      ? cause.code
      : undefined;
  return code ? `network error (${code})` : 'network error';
}

function requireText(value: string, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new IfError('IF_ERR_VALIDATION', { detail: `${field} is required` });
  }
  return value;
}

function requireQuantity(value: number | undefined, field: string, allowZero: boolean): string {
  const ok = value !== undefined && Number.isSafeInteger(value) && (allowZero ? value >= 0 : value > 0);
  if (!ok)
    throw new IfError('IF_ERR_VALIDATION', {
      detail: `${field} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${value}`,
    });
  return String(value);
}

function priceField(value: number | undefined, field: string): string {
  const amount = value ?? 0;
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new IfError('IF_ERR_VALIDATION', {
      detail: `${field} must be non-negative integer paise, got ${amount}`,
    });
  }
  return paiseToRupeeString(amount);
}

/**
 * Angel One SmartAPI REST client. Holds the session (jwt, refresh and feed tokens) privately, refreshes
 * it once on AG8001/AG8002 and retries that call once, paces every endpoint under the documented sliding
 * windows, times calls out, opens a breaker per endpoint group on repeated transport failures, and
 * retries only idempotent reads. Prices come back as integer paise; every failure is a coded IfError
 * carrying Angel's code in `params.brokerCode` and never a secret.
 */
export class AngelRestClient {
  private readonly baseUrl: string;
  private readonly apiKey: string;
  readonly clientCode: string;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof globalThis.fetch;
  private readonly staticHeaders: Record<string, string>;
  private readonly gate: RateGate;
  private readonly timeoutPolicy: TimeoutPolicy;
  private readonly breakers = new Map<BreakerGroup, CircuitBreakerPolicy>();
  private readonly retry: Required<RetryOptions>;
  private readonly listeners = new Set<(change: SessionChange) => void>();
  private state: SessionState | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(options: AngelRestClientOptions) {
    this.baseUrl = requireText(options.baseUrl, 'baseUrl').replace(/\/+$/, '');
    this.apiKey = requireText(options.apiKey, 'apiKey');
    this.clientCode = requireText(options.clientCode, 'clientCode');
    this.clock = options.clock;
    this.log = (options.logger ?? silentLogger()).child({ component: 'angel-rest' });
    this.timeoutMs = options.timeoutMs ?? 7000;
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.staticHeaders = {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'X-UserType': 'USER',
      'X-SourceID': 'WEB',
      'X-ClientLocalIP': options.localIp ?? '127.0.0.1',
      'X-ClientPublicIP': options.publicIp ?? '127.0.0.1',
      'X-MACAddress': options.macAddress ?? '00:00:00:00:00:00',
      'X-PrivateKey': this.apiKey,
    };
    this.gate = new RateGate(this.clock, options.limits);
    this.timeoutPolicy = timeout(this.timeoutMs, TimeoutStrategy.Aggressive);
    this.retry = {
      maxAttempts: Math.max(1, options.retry?.maxAttempts ?? 3),
      initialDelayMs: options.retry?.initialDelayMs ?? 250,
      maxDelayMs: options.retry?.maxDelayMs ?? 4000,
    };
    const failures = options.breaker?.consecutiveFailures ?? 5;
    const halfOpenAfter = options.breaker?.halfOpenAfterMs ?? 30_000;
    for (const group of BREAKER_GROUPS) {
      const policy = circuitBreaker(
        handleWhen((error) => isIfError(error) && BREAKER_FAILURES.has(error.code)),
        { halfOpenAfter, breaker: new ConsecutiveBreaker(failures) },
      );
      policy.onBreak(() => this.log.warn({ group }, 'angel rest circuit opened'));
      policy.onReset(() => this.log.info({ group }, 'angel rest circuit closed'));
      this.breakers.set(group, policy);
    }
  }

  // ---- session ----

  /** The tokens the feed and order-status sockets need; undefined when not logged in. */
  session(): AngelSessionTokens | undefined {
    const s = this.state;
    if (s === undefined) return undefined;
    return {
      clientCode: this.clientCode,
      apiKey: this.apiKey,
      jwtToken: s.jwtToken,
      feedToken: s.feedToken,
      obtainedAtMs: s.obtainedAtMs,
    };
  }

  isLoggedIn(): boolean {
    return this.state !== undefined;
  }

  /** Called after every login, refresh, logout and expiry; returns an unsubscribe function. */
  onSessionChanged(listener: (change: SessionChange) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Logs in with the 4-digit MPIN and a current 6-digit TOTP. */
  async login(input: { pin: string; totp: string; state?: string }): Promise<AngelSessionTokens> {
    requireText(input.pin, 'pin');
    if (!/^\d{6}$/.test(input.totp))
      throw new IfError('IF_ERR_VALIDATION', { detail: 'totp must be 6 digits' });
    const body: Record<string, string> = {
      clientcode: this.clientCode,
      password: input.pin,
      totp: input.totp,
    };
    if (input.state !== undefined) body.state = input.state;
    let data: unknown;
    try {
      data = await this.callWithRetry(EP.login, { body }, undefined);
    } catch (error) {
      // AB1007 ("user id or password is invalid") and friends are login refusals, whatever their code.
      if (
        isIfError(error) &&
        (error.code === 'IF_ERR_BROKER_REJECTED' || error.code === 'IF_ERR_BROKER_INPUT')
      ) {
        throw new IfError('IF_ERR_BROKER_AUTH', error.params);
      }
      throw error;
    }
    const tokens = parseOrThrow(loginDataSchema, data, EP.login.name);
    const session = this.adopt(tokens, 'login');
    this.log.info({ clientCode: this.clientCode }, 'angel login ok');
    return session;
  }

  /** Logs in, computing the TOTP from the base32 secret at the Clock's time. */
  async loginWithTotpSecret(input: { pin: string; totpSecret: string }): Promise<AngelSessionTokens> {
    const totp = generateTotp(input.totpSecret, this.clock.now());
    return this.login({ pin: input.pin, totp });
  }

  /** Exchanges the refresh token for fresh jwt/feed tokens (generateTokens). */
  async refreshSession(): Promise<AngelSessionTokens> {
    const current = this.state;
    if (current === undefined) {
      throw new IfError('IF_ERR_BROKER_SESSION', { brokerCode: 'none', detail: 'not logged in' });
    }
    let data: unknown;
    try {
      data = await this.callWithRetry(
        EP.refresh,
        { body: { refreshToken: current.refreshToken } },
        current.jwtToken,
      );
    } catch (error) {
      // The broker itself declared the tokens dead (e.g. a refresh after midnight): only a new login helps.
      if (isIfError(error, 'IF_ERR_BROKER_SESSION') && this.state === current) {
        this.state = undefined;
        this.emit({ kind: 'expired' });
      }
      throw error;
    }
    const tokens = parseOrThrow(loginDataSchema, data, EP.refresh.name);
    const session = this.adopt(tokens, 'refresh');
    this.log.info({ clientCode: this.clientCode }, 'angel session refreshed');
    return session;
  }

  /** Ends the session at the broker; the local session is dropped whatever the broker answers. */
  async logout(): Promise<void> {
    const current = this.state;
    if (current === undefined) return;
    try {
      await this.callWithRetry(EP.logout, { body: { clientcode: this.clientCode } }, current.jwtToken);
    } finally {
      this.state = undefined;
      this.emit({ kind: 'logout' });
    }
  }

  // ---- account ----

  async getProfile(): Promise<AngelProfile> {
    const data = await this.call(EP.profile, {});
    return parseOrThrow(profileSchema, data, EP.profile.name);
  }

  /** Funds and margins, in paise. */
  async getRms(): Promise<AngelRms> {
    const data = await this.call(EP.rms, {});
    return parseOrThrow(rmsSchema, data ?? {}, EP.rms.name);
  }

  // ---- market data ----

  /**
   * Historical candles for [fromMs, toMs] (IST minute resolution), split into as many requests as the
   * interval's max-days limit needs; candles are de-duplicated by time and sorted.
   */
  async getCandles(request: CandleRequest): Promise<AngelCandle[]> {
    const maxDays = CANDLE_MAX_DAYS[request.interval];
    if (maxDays === undefined) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `unknown candle interval ${String(request.interval)}`,
      });
    }
    requireText(request.exchange, 'exchange');
    requireText(request.symbolToken, 'symbolToken');
    if (!Number.isFinite(request.fromMs) || !Number.isFinite(request.toMs) || request.fromMs > request.toMs) {
      throw new IfError('IF_ERR_VALIDATION', { detail: 'candle range needs finite fromMs <= toMs' });
    }
    const start = Math.floor(request.fromMs / MINUTE_MS) * MINUTE_MS;
    const end = Math.floor(request.toMs / MINUTE_MS) * MINUTE_MS;
    const byTime = new Map<number, AngelCandle>();
    for (const [from, to] of candleChunks(start, end, maxDays)) {
      const data = await this.call(EP.candles, {
        body: {
          exchange: request.exchange,
          symboltoken: request.symbolToken,
          interval: request.interval,
          fromdate: formatIstMinute(from),
          todate: formatIstMinute(to),
        },
      });
      for (const candle of parseOrThrow(candlesSchema, data, EP.candles.name))
        byTime.set(candle.timeMs, candle);
    }
    return [...byTime.values()].sort((a, b) => a.timeMs - b.timeMs);
  }

  /** Quotes in LTP/OHLC/FULL mode; more than 50 tokens are split into several requests. */
  async getQuote(mode: QuoteMode, exchangeTokens: ExchangeTokens): Promise<AngelQuoteResult> {
    if (mode !== 'LTP' && mode !== 'OHLC' && mode !== 'FULL') {
      throw new IfError('IF_ERR_VALIDATION', { detail: `unknown quote mode ${String(mode)}` });
    }
    const result: AngelQuoteResult = { fetched: [], unfetched: [] };
    for (const batch of quoteBatches(exchangeTokens, QUOTE_BATCH_SIZE)) {
      const data = await this.call(EP.quote, { body: { mode, exchangeTokens: batch } });
      const part = parseOrThrow(quoteSchema, data, EP.quote.name);
      result.fetched.push(...part.fetched);
      result.unfetched.push(...part.unfetched);
    }
    return result;
  }

  /** Last traded price (and OHLC) of one instrument, in paise. */
  async getLtp(request: LtpRequest): Promise<AngelLtp> {
    const data = await this.call(EP.ltp, {
      body: {
        exchange: requireText(request.exchange, 'exchange'),
        tradingsymbol: requireText(request.tradingSymbol, 'tradingSymbol'),
        symboltoken: requireText(request.symbolToken, 'symbolToken'),
      },
    });
    return parseOrThrow(ltpSchema, data, EP.ltp.name);
  }

  // ---- orders ----

  /**
   * Sends an order. Never retried: after a timeout the order may or may not exist, so the caller must
   * reconcile through the order book (by `orderTag`) instead of sending it again.
   */
  async placeOrder(request: PlaceOrderRequest): Promise<OrderAck> {
    const body: Record<string, string> = {
      variety: requireText(request.variety, 'variety'),
      tradingsymbol: requireText(request.tradingSymbol, 'tradingSymbol'),
      symboltoken: requireText(request.symbolToken, 'symbolToken'),
      transactiontype: requireText(request.transactionType, 'transactionType'),
      exchange: requireText(request.exchange, 'exchange'),
      ordertype: requireText(request.orderType, 'orderType'),
      producttype: requireText(request.productType, 'productType'),
      duration: requireText(request.duration, 'duration'),
      price: priceField(request.price, 'price'),
      triggerprice: priceField(request.triggerPrice, 'triggerPrice'),
      quantity: requireQuantity(request.quantity, 'quantity', false),
      squareoff: priceField(request.squareOff, 'squareOff'),
      stoploss: priceField(request.stopLoss, 'stopLoss'),
      disclosedquantity: requireQuantity(request.disclosedQuantity ?? 0, 'disclosedQuantity', true),
    };
    if (request.trailingStopLoss !== undefined) {
      body.trailingStopLoss = priceField(request.trailingStopLoss, 'trailingStopLoss');
    }
    if (request.orderType === 'LIMIT' || request.orderType === 'STOPLOSS_LIMIT') {
      if (!((request.price ?? 0) > 0))
        throw new IfError('IF_ERR_VALIDATION', { detail: `${request.orderType} order needs a price` });
    }
    if (request.orderType === 'STOPLOSS_LIMIT' || request.orderType === 'STOPLOSS_MARKET') {
      if (!((request.triggerPrice ?? 0) > 0)) {
        throw new IfError('IF_ERR_VALIDATION', {
          detail: `${request.orderType} order needs a trigger price`,
        });
      }
    }
    if (request.orderTag !== undefined) {
      // Angel answers AB4008 for 20+ characters; refusing here keeps the order out of the rate budget.
      if (request.orderTag.length >= 20) {
        throw new IfError('IF_ERR_VALIDATION', { detail: 'orderTag must be shorter than 20 characters' });
      }
      body.ordertag = request.orderTag;
    }
    if (request.scripConsent !== undefined) body.scripconsent = request.scripConsent;
    const data = await this.orderWrite(EP.placeOrder, body);
    return parseOrThrow(orderAckSchema, data, EP.placeOrder.name);
  }

  async modifyOrder(request: ModifyOrderRequest): Promise<OrderAck> {
    const body: Record<string, string> = {
      variety: requireText(request.variety, 'variety'),
      orderid: requireText(request.orderId, 'orderId'),
      ordertype: requireText(request.orderType, 'orderType'),
      producttype: requireText(request.productType, 'productType'),
      duration: requireText(request.duration, 'duration'),
      price: priceField(request.price, 'price'),
      quantity: requireQuantity(request.quantity, 'quantity', false),
      tradingsymbol: requireText(request.tradingSymbol, 'tradingSymbol'),
      symboltoken: requireText(request.symbolToken, 'symbolToken'),
      exchange: requireText(request.exchange, 'exchange'),
    };
    if (request.triggerPrice !== undefined)
      body.triggerprice = priceField(request.triggerPrice, 'triggerPrice');
    if (request.disclosedQuantity !== undefined) {
      body.disclosedquantity = requireQuantity(request.disclosedQuantity, 'disclosedQuantity', true);
    }
    const data = await this.orderWrite(EP.modifyOrder, body);
    return parseOrThrow(orderAckSchema, data, EP.modifyOrder.name);
  }

  async cancelOrder(request: CancelOrderRequest): Promise<OrderAck> {
    const body = {
      variety: requireText(request.variety, 'variety'),
      orderid: requireText(request.orderId, 'orderId'),
    };
    const data = await this.orderWrite(EP.cancelOrder, body);
    return parseOrThrow(orderAckSchema, data, EP.cancelOrder.name);
  }

  /** Today's orders; an empty book (`data: null`) is an empty list. */
  async getOrderBook(): Promise<AngelOrder[]> {
    const data = await this.call(EP.orderBook, {});
    return parseOrThrow(orderBookSchema, data, EP.orderBook.name);
  }

  /** One order by its `uniqueorderid`. */
  async getOrderDetails(uniqueOrderId: string): Promise<AngelOrder> {
    requireText(uniqueOrderId, 'uniqueOrderId');
    const data = await this.call(EP.orderDetails, { pathSuffix: encodeURIComponent(uniqueOrderId) });
    if (data === null) throw new IfError('IF_ERR_NOT_FOUND', { what: `order ${uniqueOrderId}` });
    return parseOrThrow(orderSchema, data, EP.orderDetails.name);
  }

  /** Today's fills; none (`data: null`) is an empty list. */
  async getTradeBook(): Promise<AngelTrade[]> {
    const data = await this.call(EP.tradeBook, {});
    return parseOrThrow(tradeBookSchema, data, EP.tradeBook.name);
  }

  /** Open and closed-today positions; flat (`data: null`) is an empty list. */
  async getPositions(): Promise<AngelPosition[]> {
    const data = await this.call(EP.positions, {});
    return parseOrThrow(positionsSchema, data, EP.positions.name);
  }

  /** State of each endpoint group's circuit breaker (for health reporting). */
  breakerStates(): Record<BreakerGroup, BreakerState> {
    const out = {} as Record<BreakerGroup, BreakerState>;
    for (const [group, policy] of this.breakers) {
      out[group] =
        policy.state === CircuitState.Closed
          ? 'closed'
          : policy.state === CircuitState.Open
            ? 'open'
            : policy.state === CircuitState.HalfOpen
              ? 'half-open'
              : 'isolated';
    }
    return out;
  }

  // ---- plumbing ----

  private adopt(tokens: LoginData, kind: 'login' | 'refresh'): AngelSessionTokens {
    this.state = {
      jwtToken: tokens.jwtToken,
      refreshToken: tokens.refreshToken,
      feedToken: tokens.feedToken,
      obtainedAtMs: this.clock.now(),
    };
    const session = this.session();
    if (session === undefined)
      throw new IfError('IF_ERR_INTERNAL', { detail: 'session lost while adopting' });
    this.emit({ kind, session });
    return session;
  }

  private emit(change: SessionChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        this.log.error(
          { kind: change.kind, err: error instanceof Error ? error.message : 'unknown' },
          'session listener threw',
        );
      }
    }
  }

  private requireJwt(): string {
    const jwt = this.state?.jwtToken;
    if (jwt === undefined)
      throw new IfError('IF_ERR_BROKER_SESSION', { brokerCode: 'none', detail: 'not logged in' });
    return jwt;
  }

  private async orderWrite(ep: EndpointDef, body: Record<string, string>): Promise<unknown> {
    try {
      return await this.call(ep, { body });
    } catch (error) {
      if (isIfError(error, 'IF_ERR_BROKER_TIMEOUT')) {
        this.log.warn(
          { endpoint: ep.name },
          'order write timed out: outcome unknown, reconcile with the order book',
        );
      }
      throw error;
    }
  }

  /** A secure call with the refresh-once rule: AG8001/AG8002 → refresh → the same call once more. */
  private async call(ep: EndpointDef, init: CallInit): Promise<unknown> {
    const jwt = this.requireJwt();
    try {
      return await this.callWithRetry(ep, init, jwt);
    } catch (error) {
      if (!isRefreshable(error)) throw error;
      this.log.info(
        { endpoint: ep.name, brokerCode: isIfError(error) ? error.params.brokerCode : undefined },
        'angel token rejected; refreshing',
      );
      await this.refreshAfterRejection(jwt);
      return this.callWithRetry(ep, init, this.requireJwt());
    }
  }

  /** One refresh for any number of calls rejected with the same jwt. */
  private async refreshAfterRejection(rejectedJwt: string): Promise<void> {
    if (this.state !== undefined && this.state.jwtToken !== rejectedJwt) return;
    if (this.refreshing === undefined) {
      this.refreshing = this.refreshSession()
        .then(() => undefined)
        .finally(() => {
          this.refreshing = undefined;
        });
    }
    try {
      await this.refreshing;
    } catch (error) {
      const cause = isIfError(error) ? error : undefined;
      throw new IfError(
        'IF_ERR_BROKER_SESSION',
        {
          brokerCode: String(cause?.params.brokerCode ?? 'none'),
          detail: `token rejected and refresh failed (${cause?.code ?? 'unknown error'})`,
        },
        { cause },
      );
    }
  }

  private async callWithRetry(ep: EndpointDef, init: CallInit, jwt: string | undefined): Promise<unknown> {
    const attempts = ep.idempotent ? this.retry.maxAttempts : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(ep, init, jwt);
      } catch (error) {
        if (attempt >= attempts || !isTransient(error)) throw error;
        const base = Math.min(this.retry.maxDelayMs, this.retry.initialDelayMs * 2 ** (attempt - 1));
        // After the broker's own 403 the rest of its one-second window is spent anyway.
        const delay = isIfError(error, 'IF_ERR_BROKER_RATE_LIMITED') ? Math.max(base, 1000) : base;
        this.log.warn(
          { endpoint: ep.name, attempt, delayMs: delay, code: isIfError(error) ? error.code : 'unknown' },
          'angel rest call failed; retrying',
        );
        await sleepOnClock(this.clock, delay);
      }
    }
  }

  private async attempt(ep: EndpointDef, init: CallInit, jwt: string | undefined): Promise<unknown> {
    const breaker = this.breakers.get(ep.group);
    if (breaker === undefined) throw new IfError('IF_ERR_INTERNAL', { detail: `no breaker for ${ep.group}` });
    try {
      return await breaker.execute(async () => {
        const slot = await this.gate.acquire(ep.bucket, ep.name);
        try {
          return await this.send(ep, init, jwt);
        } finally {
          this.gate.settle(ep.bucket, slot);
        }
      });
    } catch (error) {
      if (error instanceof BrokenCircuitError)
        throw new IfError('IF_ERR_BROKER_CIRCUIT_OPEN', { endpoint: ep.name });
      throw error;
    }
  }

  private async send(ep: EndpointDef, init: CallInit, jwt: string | undefined): Promise<unknown> {
    const url = `${this.baseUrl}${ep.path}${init.pathSuffix ?? ''}`;
    const headers: Record<string, string> = { ...this.staticHeaders };
    if (ep.secure && jwt !== undefined) headers.Authorization = `Bearer ${jwt}`;
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    let raw: RawResponse;
    try {
      raw = await this.timeoutPolicy.execute(async ({ signal }) => {
        const response = await this.fetchFn(url, { method: ep.method, headers, body, signal });
        const bodyText = await response.text();
        return {
          httpStatus: response.status,
          contentType: response.headers.get('content-type') ?? undefined,
          bodyText,
          endpoint: ep.name,
        };
      });
    } catch (error) {
      const failure =
        error instanceof TaskCancelledError
          ? new IfError('IF_ERR_BROKER_TIMEOUT', { endpoint: ep.name, ms: this.timeoutMs })
          : new IfError('IF_ERR_BROKER_UNAVAILABLE', { endpoint: ep.name, detail: networkDetail(error) });
      this.log.warn({ endpoint: ep.name, code: failure.code }, 'angel rest call failed');
      throw failure;
    }
    const result = parseEnvelope(raw);
    if (!result.ok) {
      this.log.warn(
        {
          endpoint: ep.name,
          httpStatus: raw.httpStatus,
          code: result.error.code,
          brokerCode: result.error.params.brokerCode,
        },
        'angel rest call refused',
      );
      throw result.error;
    }
    this.log.debug({ endpoint: ep.name, httpStatus: raw.httpStatus }, 'angel rest call ok');
    return result.data;
  }
}

/** Inclusive [from, to] minute ranges, each spanning less than `maxDays` days. */
export function candleChunks(startMs: number, endMs: number, maxDays: number): Array<[number, number]> {
  const chunks: Array<[number, number]> = [];
  const span = maxDays * DAY_MS - MINUTE_MS;
  for (let from = startMs; from <= endMs; ) {
    const to = Math.min(endMs, from + span);
    chunks.push([from, to]);
    from = to + MINUTE_MS;
  }
  return chunks;
}

/** Splits `{exchange: tokens}` into requests of at most `size` tokens in total, dropping duplicates. */
export function quoteBatches(exchangeTokens: ExchangeTokens, size: number): Array<Record<string, string[]>> {
  const pairs: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const [exchange, tokens] of Object.entries(exchangeTokens)) {
    for (const token of tokens) {
      if (typeof token !== 'string' || token.trim() === '') {
        throw new IfError('IF_ERR_VALIDATION', { detail: `empty token for ${exchange}` });
      }
      const key = `${exchange}:${token}`;
      if (seen.has(key)) continue;
      seen.add(key);
      pairs.push([exchange, token]);
    }
  }
  const batches: Array<Record<string, string[]>> = [];
  for (let i = 0; i < pairs.length; i += size) {
    const batch: Record<string, string[]> = {};
    for (const [exchange, token] of pairs.slice(i, i + size)) {
      const list = batch[exchange];
      if (list === undefined) batch[exchange] = [token];
      else list.push(token);
    }
    batches.push(batch);
  }
  return batches;
}
