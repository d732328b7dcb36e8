import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { verifyTotp } from '../../brokers/angelone/auth/index.js';
import { type CalendarSegment, createMarketCalendar } from '../../core/calendar/index.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { Instrument } from '../../core/instrument.js';
import { istDateKey } from '../../core/time.js';
import type { SimAccount, SimSession } from '../auth/sessions.js';
import type { InstrumentMarketState } from '../market/index.js';
import type { CancelOrderBody, ModifyOrderBody, PlaceOrderBody } from '../orders/index.js';
import {
  HistoryBody,
  LoginBody,
  LtpBody,
  OptionGreekBody,
  RefreshBody,
  SearchScripBody,
  parseBody,
} from './bodies.js';
import {
  CANDLE_INTERVALS,
  DailyBarCache,
  type HistoryAnchor,
  isCandleInterval,
  syntheticCandles,
  syntheticOpenInterest,
} from './candles.js';
import {
  ANGEL_ERRORS,
  type GatewayErrorName,
  RATE_LIMIT_TEXT,
  type StandardEnvelope,
  fail,
  failWith,
  gatewayFailWith,
  htmlErrorPage,
  ok,
} from './envelopes.js';
import { SimRestFaults } from './faults.js';
import { parseHistoryDate, rupees } from './format.js';
import { optionGreeks } from './greeks.js';
import { SimGttBook } from './gtt.js';
import { ClientRateLimits, type RateLimitBucket } from './limits.js';
import { SCRIP_MASTER_PATH, canonicalPath } from './paths.js';
import { buildQuote, resolve } from './quote.js';
import type { SimRestDeps } from './types.js';

const SECURE = '/rest/secure/angelbroking';

/** Live getProfile answers real arrays here (the docs show quoted strings). */
const PROFILE_EXCHANGES = ['nse_fo', 'nse_cm', 'cde_fo', 'ncx_fo', 'bse_fo', 'bse_cm', 'mcx_fo'];
const PROFILE_PRODUCTS = ['MARGIN', 'MIS', 'NRML', 'CNC', 'CO', 'BO'];

const HISTORY_EXCHANGES = new Set(['NSE', 'NFO', 'BSE', 'BFO', 'MCX', 'CDS']);

const DAILY_VOLATILITY: Record<Instrument['kind'], number> = {
  index: 0.01,
  future: 0.011,
  equity: 0.015,
  option: 0.25,
  other: 0.02,
};

/** How a route identifies its caller: by session (secure), by the login body, or by refresh token. */
type Auth = 'login' | 'refresh' | 'secure';

interface CallContext {
  request: FastifyRequest;
  /** the caller's client code: from the session (secure), the body (login) or the refresh token */
  clientCode: string;
  session: SimSession | undefined;
  body: Record<string, unknown>;
}

interface RouteDef {
  method: 'GET' | 'POST';
  url: string;
  auth: Auth;
  bucket?: RateLimitBucket;
  /** place/modify/cancel: subject to the static-IP allow-list */
  orderWrite?: boolean;
  handler: (ctx: CallContext) => StandardEnvelope | Promise<StandardEnvelope>;
}

/** A body that is not JSON at all; answered with HTTP 400 like a gateway that cannot parse it. */
class BadBodyError extends Error {
  readonly statusCode = 400;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first;
}

/** `::ffff:127.0.0.1` (IPv4 on a dual-stack socket) is the same source as `127.0.0.1`. */
function sourceAddress(request: FastifyRequest): string {
  const raw = request.socket.remoteAddress ?? request.ip;
  return raw.startsWith('::ffff:') ? raw.slice(7) : raw;
}

function asRecord(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

/** The calendar segment whose holidays a history request follows (commodity and currency: NSE's). */
function calendarSegment(exchange: Instrument['exchange']): CalendarSegment {
  return exchange === 'NFO' || exchange === 'BSE' || exchange === 'BFO' ? exchange : 'NSE';
}

function historyAnchor(
  instrument: Instrument,
  state: InstrumentMarketState,
  isTradingDay: (dayStartMs: number) => boolean,
): HistoryAnchor {
  const tick = Math.max(1, instrument.tickSizePaise);
  const last = state.lastTradedPrice > 0 ? state.lastTradedPrice : state.close;
  const previousClose = state.close > 0 ? state.close : Math.max(tick, last);
  const pct = state.openInterestChangePercent;
  return {
    token: instrument.token,
    previousClose,
    open: state.open > 0 ? state.open : previousClose,
    last: last > 0 ? last : previousClose,
    openInterest: state.openInterest,
    previousOpenInterest: pct > -100 ? state.openInterest / (1 + pct / 100) : state.openInterest,
    tickSize: tick,
    lotSize: instrument.lotSize,
    dailyVolatility: DAILY_VOLATILITY[instrument.kind],
    hasVolume: instrument.kind !== 'index',
    isTradingDay,
  };
}

/**
 * The simulator's Angel One REST API (reference §3): every documented route, the path aliases of §3.1,
 * the three response dialects of §3.2, per-client-code sliding-window rate limits (§3.4), the optional
 * static-IP rule and runtime faults. Returns a fastify instance that is not listening; the caller
 * listens (or injects) and closes it.
 */
export function createSimRestApp(deps: SimRestDeps): FastifyInstance {
  const { clock, sessions, market, orders } = deps;
  const timers: Clock = deps.timerClock ?? clock;
  const faults = deps.faults ?? new SimRestFaults();
  const limits = new ClientRateLimits();
  const gtt = new SimGttBook(clock, market);
  const calendar = deps.calendar ?? createMarketCalendar();
  const dailyBars = new DailyBarCache();
  const allowList = new Set(deps.staticIpAllowList ?? []);
  const accountsByCode = new Map<string, SimAccount>(deps.accounts.map((a) => [a.clientCode, a]));
  const accountsByKey = new Map<string, SimAccount>(deps.accounts.map((a) => [a.apiKey, a]));

  const loggerInstance: FastifyBaseLogger | undefined = deps.logger;
  const app = Fastify({
    loggerInstance,
    // two log lines per call would drown the simulator's own logs at Angel's 10 req/s rates
    logController: new LogController({ disableRequestLogging: true }),
    rewriteUrl: (req) => canonicalPath(req.url ?? '/'),
  });

  // --- bodies: JSON whatever the content type says (SDKs differ), an empty body is `{}` ---
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, payload, done) => {
    const textBody = typeof payload === 'string' ? payload : payload.toString('utf8');
    if (textBody.trim() === '') {
      done(null, {});
      return;
    }
    try {
      done(null, JSON.parse(textBody));
    } catch {
      done(new BadBodyError('Request body is not valid JSON'), undefined);
    }
  });

  // --- faults: before anything else, as a misbehaving gateway would ---
  const pending = new Set<{ handle: TimerHandle; release: () => void }>();
  const wait = (ms: number, onDone: () => void): Promise<void> =>
    new Promise((resolveWait) => {
      const entry = {
        handle: timers.setTimeout(() => {
          pending.delete(entry);
          onDone();
          resolveWait();
        }, ms),
        release: () => {
          pending.delete(entry);
          timers.clearTimer(entry.handle);
          onDone();
          resolveWait();
        },
      };
      pending.add(entry);
    });

  app.addHook('onRequest', async (request, reply) => {
    const decision = faults.decide(request.url);
    if (decision.hangMs !== undefined) {
      reply.hijack();
      // destroying the request destroys its socket: the client sees a reset, never a response
      await wait(decision.hangMs, () => request.raw.destroy());
      return reply;
    }
    if (decision.delayMs > 0) await wait(decision.delayMs, () => {});
    if (decision.gatewayError !== undefined) {
      return reply.code(decision.gatewayError).type('text/html').send(htmlErrorPage(decision.gatewayError));
    }
    if (decision.rateLimited) return sendRateLimited(reply);
    return undefined;
  });

  // Held and delayed requests must not keep `close()` waiting on a clock that may never advance.
  app.addHook('preClose', async () => {
    for (const entry of [...pending]) entry.release();
  });

  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).send(fail('', 'Not Found'));
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
    const status = typeof statusCode === 'number' ? statusCode : 500;
    const detail = error instanceof Error ? error.message : '';
    if (status >= 500) request.log.error({ err: error }, 'simulator REST handler failed');
    const [code, message] = status >= 500 ? ANGEL_ERRORS.internal : ANGEL_ERRORS.notSpecified;
    reply.code(status).send(fail(code, status >= 500 ? message : detail || message));
  });

  function sendRateLimited(reply: FastifyReply): FastifyReply {
    return reply.code(403).type('text/plain').send(RATE_LIMIT_TEXT);
  }

  function sendGateway(reply: FastifyReply, name: GatewayErrorName): FastifyReply {
    return reply.code(200).send(gatewayFailWith(name));
  }

  // --- routes ---
  const routes: RouteDef[] = [];
  const route = (def: RouteDef): void => {
    routes.push(def);
  };

  // session (§3.5)
  route({
    method: 'POST',
    url: '/rest/auth/angelbroking/user/v1/loginByPassword',
    auth: 'login',
    bucket: 'login',
    handler: ({ body }) => {
      const input = parseBody(LoginBody, body);
      if (input === undefined) return failWith('invalidCredentials');
      const account = accountsByCode.get(input.clientcode);
      if (account === undefined || input.password !== account.pin) return failWith('invalidCredentials');
      if (!totpValid(account, input.totp)) return failWith('invalidTotp');
      const session = sessions.create(account.clientCode);
      return ok({
        jwtToken: session.jwtToken,
        refreshToken: session.refreshToken,
        feedToken: session.feedToken,
        state: input.state ?? '',
      });
    },
  });

  route({
    method: 'POST',
    url: '/rest/auth/angelbroking/jwt/v1/generateTokens',
    auth: 'refresh',
    bucket: 'generateTokens',
    handler: ({ body }) => {
      const refreshToken = parseBody(RefreshBody, body)?.refreshToken ?? '';
      const status = sessions.refreshTokenStatus(refreshToken);
      if (status === 'expired') return failWith('refreshTokenExpired');
      const session = status === 'live' ? sessions.refresh(refreshToken) : undefined;
      if (session === undefined) return failWith('invalidRefreshToken');
      return ok({
        jwtToken: session.jwtToken,
        refreshToken: session.refreshToken,
        feedToken: session.feedToken,
      });
    },
  });

  route({
    method: 'POST',
    url: `${SECURE}/user/v1/logout`,
    auth: 'secure',
    bucket: 'logout',
    handler: ({ session }) => {
      // Logout ends this session's tokens; an open order-status socket reportedly stays up (§3.5).
      if (session) sessions.revoke(session);
      return { status: true, message: 'SUCCESS', errorcode: '', data: '' };
    },
  });

  route({
    method: 'GET',
    url: `${SECURE}/user/v1/getProfile`,
    auth: 'secure',
    bucket: 'getProfile',
    handler: ({ clientCode }) => {
      const profile = deps.profiles?.[clientCode];
      return ok({
        clientcode: clientCode,
        name: profile?.name ?? `SIMULATED ${clientCode}`,
        email: profile?.email ?? '',
        mobileno: profile?.mobileno ?? '',
        exchanges: PROFILE_EXCHANGES,
        products: PROFILE_PRODUCTS,
        lastlogintime: '',
        broker: '',
      });
    },
  });

  route({
    method: 'GET',
    url: `${SECURE}/user/v1/getRMS`,
    auth: 'secure',
    bucket: 'getRMS',
    handler: async ({ clientCode }) => ok(await orders.rms(clientCode)),
  });

  // orders (§3.7)
  route({
    method: 'POST',
    url: `${SECURE}/order/v1/placeOrder`,
    auth: 'secure',
    bucket: 'orderWrite',
    orderWrite: true,
    handler: async ({ body, clientCode }) => {
      const result = await orders.place(body as PlaceOrderBody, clientCode);
      if (!result.ok) return fail(result.errorcode, result.message);
      return ok({ script: result.script, orderid: result.orderid, uniqueorderid: result.uniqueorderid });
    },
  });

  route({
    method: 'POST',
    url: `${SECURE}/order/v1/modifyOrder`,
    auth: 'secure',
    bucket: 'orderWrite',
    orderWrite: true,
    handler: async ({ body, clientCode }) => {
      const result = await orders.modify(body as ModifyOrderBody, clientCode);
      if (!result.ok) return fail(result.errorcode, result.message);
      return ok({ orderid: result.orderid, uniqueorderid: result.uniqueorderid });
    },
  });

  route({
    method: 'POST',
    url: `${SECURE}/order/v1/cancelOrder`,
    auth: 'secure',
    bucket: 'orderWrite',
    orderWrite: true,
    handler: async ({ body, clientCode }) => {
      const result = await orders.cancel(body as CancelOrderBody, clientCode);
      if (!result.ok) return fail(result.errorcode, result.message);
      return ok({ orderid: result.orderid, uniqueorderid: result.uniqueorderid });
    },
  });

  // Empty books answer `data: null`, not `[]` (§3.7, §3.8).
  route({
    method: 'GET',
    url: `${SECURE}/order/v1/getOrderBook`,
    auth: 'secure',
    bucket: 'getOrderBook',
    handler: async ({ clientCode }) => {
      const rows = await orders.orderBook(clientCode);
      return ok(rows.length === 0 ? null : rows);
    },
  });

  route({
    method: 'GET',
    url: `${SECURE}/order/v1/details/:uniqueorderid`,
    auth: 'secure',
    bucket: 'orderDetails',
    handler: async ({ request, clientCode }) => {
      const { uniqueorderid } = request.params as { uniqueorderid: string };
      const row = await orders.orderDetails(uniqueorderid, clientCode);
      return row === undefined ? failWith('orderNotFound') : ok(row);
    },
  });

  route({
    method: 'GET',
    url: `${SECURE}/order/v1/getTradeBook`,
    auth: 'secure',
    bucket: 'getTradeBook',
    handler: async ({ clientCode }) => {
      const rows = await orders.tradeBook(clientCode);
      return ok(rows.length === 0 ? null : rows);
    },
  });

  route({
    method: 'GET',
    url: `${SECURE}/order/v1/getPosition`,
    auth: 'secure',
    bucket: 'getPosition',
    handler: async ({ clientCode }) => {
      const rows = await orders.positions(clientCode);
      return ok(rows.length === 0 ? null : rows);
    },
  });

  route({
    method: 'POST',
    url: `${SECURE}/order/v1/convertPosition`,
    auth: 'secure',
    bucket: 'convertPosition',
    // The engine keeps one product per position; conversion is accepted and changes nothing.
    handler: () => ok(null),
  });

  route({
    method: 'POST',
    url: `${SECURE}/order/v1/getLtpData`,
    auth: 'secure',
    bucket: 'getLtpData',
    handler: ({ body }) => {
      const input = parseBody(LtpBody, body);
      const found = input && resolve(market, input.exchange, input.symboltoken);
      if (!input || !found) return failWith('symbolDetails');
      const { instrument, state } = found;
      return ok({
        exchange: instrument.exchange,
        tradingsymbol: instrument.symbol,
        symboltoken: input.symboltoken,
        open: rupees(state.open),
        high: rupees(state.high),
        low: rupees(state.low),
        close: rupees(state.close),
        ltp: rupees(state.lastTradedPrice),
      });
    },
  });

  route({
    method: 'POST',
    url: `${SECURE}/order/v1/searchScrip`,
    auth: 'secure',
    bucket: 'searchScrip',
    handler: ({ body }) => {
      const input = parseBody(SearchScripBody, body);
      if (!input || input.searchscrip.trim() === '')
        return failWith('notSpecified', 'searchscrip is required');
      const exchange = input.exchange.toUpperCase();
      const needle = input.searchscrip.trim().toUpperCase();
      const data = market.instruments
        .filter(
          (i) => (exchange === '' || i.exchange === exchange) && i.symbol.toUpperCase().includes(needle),
        )
        .map((i) => ({ exchange: i.exchange, tradingsymbol: i.symbol, symboltoken: i.token }));
      return ok(data);
    },
  });

  // portfolio (§3.8): the simulator holds no delivery stock
  route({
    method: 'GET',
    url: `${SECURE}/portfolio/v1/getHolding`,
    auth: 'secure',
    bucket: 'getHolding',
    handler: () => ok([]),
  });

  route({
    method: 'GET',
    url: `${SECURE}/portfolio/v1/getAllHolding`,
    auth: 'secure',
    bucket: 'getAllHolding',
    handler: () =>
      ok({
        holdings: [],
        totalholding: {
          totalholdingvalue: 0,
          totalinvvalue: 0,
          totalprofitandloss: 0,
          totalpnlpercentage: 0,
        },
      }),
  });

  // GTT (§3.9)
  const gttRoute = (name: string, bucket: RateLimitBucket, run: typeof gtt.create): void =>
    route({
      method: 'POST',
      url: `${SECURE}/gtt/v1/${name}`,
      auth: 'secure',
      bucket,
      handler: ({ body, clientCode }) => {
        const result = run.call(gtt, clientCode, body);
        return result.ok ? ok(result.data) : fail(result.errorcode, result.message);
      },
    });
  gttRoute('createRule', 'gttWrite', gtt.create);
  gttRoute('modifyRule', 'gttWrite', gtt.modify);
  gttRoute('cancelRule', 'gttWrite', gtt.cancel);
  route({
    method: 'POST',
    url: `${SECURE}/gtt/v1/ruleDetails`,
    auth: 'secure',
    bucket: 'gttRead',
    handler: ({ body, clientCode }) => {
      const result = gtt.details(clientCode, body);
      return result.ok ? ok(result.data) : fail(result.errorcode, result.message);
    },
  });
  route({
    method: 'POST',
    url: `${SECURE}/gtt/v1/ruleList`,
    auth: 'secure',
    bucket: 'gttRead',
    handler: ({ body, clientCode }) => {
      const result = gtt.list(clientCode, body);
      return result.ok ? ok(result.data) : fail(result.errorcode, result.message);
    },
  });

  // market data (§3.10, §3.11)
  route({
    method: 'POST',
    url: `${SECURE}/market/v1/quote`,
    auth: 'secure',
    bucket: 'quote',
    handler: ({ body }) => {
      const outcome = buildQuote(market, body);
      return outcome.kind === 'ok' ? ok(outcome.data) : fail(outcome.errorcode, outcome.message);
    },
  });

  type HistoryRequest =
    | {
        ok: true;
        anchor: HistoryAnchor;
        instrument: Instrument;
        interval: keyof typeof CANDLE_INTERVALS;
        from: number;
        to: number;
      }
    | { ok: false; envelope: StandardEnvelope };

  function historyRequest(body: unknown): HistoryRequest {
    const input = parseBody(HistoryBody, body);
    if (!input) return { ok: false, envelope: failWith('somethingWrong', 'Invalid request') };
    const exchange = input.exchange.toUpperCase();
    if (!HISTORY_EXCHANGES.has(exchange)) {
      return { ok: false, envelope: failWith('somethingWrong', 'Invalid exchange') };
    }
    if (!isCandleInterval(input.interval)) {
      return { ok: false, envelope: failWith('somethingWrong', 'Invalid interval') };
    }
    const from = parseHistoryDate(input.fromdate);
    const to = parseHistoryDate(input.todate);
    if (from === undefined || to === undefined) {
      return { ok: false, envelope: failWith('internal', 'Invalid date format, expected yyyy-MM-dd HH:mm') };
    }
    if (from > to) return { ok: false, envelope: failWith('internal', 'fromdate must not be after todate') };
    const { maxDays } = CANDLE_INTERVALS[input.interval];
    if (to - from > maxDays * 86_400_000) {
      return {
        ok: false,
        envelope: failWith('internal', `Maximum ${maxDays} days allowed for interval ${input.interval}`),
      };
    }
    const found = resolve(market, exchange, input.symboltoken);
    if (!found) return { ok: false, envelope: failWith('symbolNotFound') };
    return {
      ok: true,
      anchor: historyAnchor(found.instrument, found.state, (day) =>
        calendar.isTradingDay(calendarSegment(found.instrument.exchange), istDateKey(day)),
      ),
      instrument: found.instrument,
      interval: input.interval,
      from,
      to,
    };
  }

  route({
    method: 'POST',
    url: `${SECURE}/historical/v1/getCandleData`,
    auth: 'secure',
    bucket: 'history',
    handler: ({ body }) => {
      const req = historyRequest(body);
      if (!req.ok) return req.envelope;
      return ok(syntheticCandles(req.anchor, req.interval, req.from, req.to, clock.now(), dailyBars));
    },
  });

  route({
    method: 'POST',
    url: `${SECURE}/historical/v1/getOIData`,
    auth: 'secure',
    // shares the history budget, as the community reports (§3.4)
    bucket: 'history',
    handler: ({ body }) => {
      const req = historyRequest(body);
      if (!req.ok) return req.envelope;
      const derivative = req.instrument.kind === 'option' || req.instrument.kind === 'future';
      if (!derivative) return ok([]);
      return ok(syntheticOpenInterest(req.anchor, req.interval, req.from, req.to, clock.now()));
    },
  });

  // analytics (§3.12): computed where the model has the data, otherwise answered in shape with no rows
  route({
    method: 'POST',
    url: `${SECURE}/marketData/v1/optionGreek`,
    auth: 'secure',
    bucket: 'optionGreek',
    handler: ({ body }) => {
      const input = parseBody(OptionGreekBody, body);
      if (!input) return failWith('notSpecified');
      return ok(optionGreeks(market, input.name, input.expirydate));
    },
  });
  route({
    method: 'POST',
    url: `${SECURE}/marketData/v1/gainersLosers`,
    auth: 'secure',
    handler: () => ok([]),
  });
  route({
    method: 'GET',
    url: `${SECURE}/marketData/v1/putCallRatio`,
    auth: 'secure',
    handler: () => ok(putCallRatio()),
  });
  route({ method: 'POST', url: `${SECURE}/marketData/v1/OIBuildup`, auth: 'secure', handler: () => ok([]) });
  route({ method: 'GET', url: `${SECURE}/marketData/v1/nseIntraday`, auth: 'secure', handler: () => ok([]) });
  route({ method: 'GET', url: `${SECURE}/marketData/v1/bseIntraday`, auth: 'secure', handler: () => ok([]) });
  route({
    method: 'GET',
    url: `${SECURE}/securities/v1/cautionaryScrips`,
    auth: 'secure',
    handler: () => ok([]),
  });
  route({
    method: 'POST',
    url: `${SECURE}/margin/v1/batch`,
    auth: 'secure',
    bucket: 'marginBatch',
    handler: () =>
      ok({
        totalMarginRequired: 0,
        marginComponents: {
          netPremium: 0,
          spanMargin: 0,
          marginBenefit: 0,
          deliveryMargin: 0,
          nonNFOMargin: 0,
          totOptionsPremium: 0,
        },
      }),
  });
  route({
    method: 'POST',
    url: `${SECURE}/brokerage/v1/estimateCharges`,
    auth: 'secure',
    handler: () => ok({ summary: { total_charges: 0, trade_value: 0, breakup: [] }, charges: [] }),
  });
  route({
    method: 'POST',
    url: `${SECURE}/edis/v1/verifyDis`,
    auth: 'secure',
    handler: () => ok({ ReqId: '', ReturnURL: '', DPId: '', BOID: '', TransDtls: '', version: '' }),
  });
  route({ method: 'POST', url: `${SECURE}/edis/v1/generateTPIN`, auth: 'secure', handler: () => ok(null) });
  route({
    method: 'POST',
    url: `${SECURE}/edis/v1/getTranStatus`,
    auth: 'secure',
    handler: () => ok({ ReqId: '', ReqType: '', Status: '' }),
  });

  /** PCR per underlying over the nearest listed expiry: total put OI / total call OI. */
  function putCallRatio(): { pcr: number; tradingSymbol: string }[] {
    const nearest = new Map<string, string>();
    for (const i of market.instruments) {
      if (i.kind !== 'option' || i.expiry === undefined) continue;
      const current = nearest.get(i.name);
      if (current === undefined || i.expiry < current) nearest.set(i.name, i.expiry);
    }
    const out: { pcr: number; tradingSymbol: string }[] = [];
    for (const [name, expiry] of nearest) {
      let calls = 0;
      let puts = 0;
      let future: string | undefined;
      for (const i of market.instruments) {
        if (i.name !== name) continue;
        if (i.kind === 'future' && (future === undefined || i.expiry === expiry)) future = i.symbol;
        if (i.kind !== 'option' || i.expiry !== expiry) continue;
        const oi = market.state(i.token)?.openInterest ?? 0;
        if (i.optionType === 'PE') puts += oi;
        else calls += oi;
      }
      if (calls > 0) out.push({ pcr: Math.round((puts / calls) * 100) / 100, tradingSymbol: future ?? name });
    }
    return out;
  }

  // instrument master (§3.13): no auth, one JSON array, serialised once per IST day
  let master: { day: string; json: string } | undefined;
  app.get(SCRIP_MASTER_PATH, (_request, reply) => {
    const day = istDateKey(clock.now());
    if (master?.day !== day) master = { day, json: JSON.stringify(market.scripMaster()) };
    reply.type('application/json').send(master.json);
  });

  function totpValid(account: SimAccount, code: string): boolean {
    try {
      return verifyTotp(account.totpSecret, code.trim(), clock.now()).valid;
    } catch {
      // a malformed secret in the simulator's own config must not make every login pass or crash
      return false;
    }
  }

  /** Runs the gateway's checks in live order, then the handler. */
  async function dispatch(def: RouteDef, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const body = asRecord(request.body);
    let clientCode = '';
    let session: SimSession | undefined;
    const apiKey = header(request, 'x-privatekey');

    if (def.auth === 'secure') {
      const authorization = header(request, 'authorization');
      if (authorization === undefined) return sendGateway(reply, 'tokenMissing');
      if (faults.takeInvalidToken()) return sendGateway(reply, 'invalidToken');
      session = sessions.findByJwt(authorization);
      if (session === undefined) return sendGateway(reply, 'invalidToken');
      clientCode = session.clientCode;
      if (apiKey === undefined || accountsByCode.get(clientCode)?.apiKey !== apiKey) {
        return sendGateway(reply, 'invalidApiKey');
      }
    } else if (def.auth === 'login') {
      clientCode = typeof body.clientcode === 'string' ? body.clientcode : '';
      const keyOwner = apiKey === undefined ? undefined : accountsByKey.get(apiKey);
      if (keyOwner === undefined) return sendGateway(reply, 'invalidApiKey');
      // a key is issued to one client code; it cannot log in another one
      const account = accountsByCode.get(clientCode);
      if (account !== undefined && account.apiKey !== apiKey) return sendGateway(reply, 'invalidApiKey');
    } else if (def.auth === 'refresh') {
      const refreshToken = typeof body.refreshToken === 'string' ? body.refreshToken : '';
      clientCode =
        sessions.findByRefreshToken(refreshToken)?.clientCode ??
        sessions.findByJwt(header(request, 'authorization'))?.clientCode ??
        '';
    }

    if (def.bucket !== undefined && !limits.tryAcquire(clientCode, def.bucket, clock.now())) {
      return sendRateLimited(reply);
    }
    if (def.orderWrite && allowList.size > 0 && !allowList.has(sourceAddress(request))) {
      return sendGateway(reply, 'unregisteredIp');
    }
    const envelope = await def.handler({ request, clientCode, session, body });
    return reply.code(200).send(envelope);
  }

  for (const def of routes) {
    app.route({
      method: def.method,
      url: def.url,
      handler: (request, reply) => dispatch(def, request, reply),
    });
  }

  return app;
}
