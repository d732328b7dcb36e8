import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Clock } from '../core/clock.js';
import { IfError } from '../core/errors.js';
import { LiveClock } from '../engine/clocks.js';
import type { ComponentRegistry } from '../engine/lifecycle.js';
import type { AuditLog } from '../ops/audit.js';
import type { Logger } from '../ops/logger.js';
import type { Registry } from '../ops/metrics.js';
import { installAuditHook } from './audit.js';
import { type AuthService, authRoutes } from './auth/index.js';
import { dashboardPlugin } from './dashboard.js';
import { registerDocs } from './docs.js';
import { installErrorHandler, sendError } from './errors.js';
import { createGuard, installGuard } from './guard.js';
import { type HubPluginOptions, hubPlugin, type MarketHub } from './hub/index.js';
import { auditRoutes } from './routes/audit.js';
import { type CredentialVault, credentialRoutes } from './routes/credentials.js';
import { type ChainSource, type GatewayView, marketRoutes } from './routes/market.js';
import { opsRoutes } from './routes/ops.js';
import { type SignalConfigControl, signalConfigRoutes } from './routes/signalConfig.js';
import { type TradingApi, tradingRoutes } from './routes/trading.js';
import { userRoutes } from './routes/users.js';
import { registerSecurity } from './security.js';
import { streamRoutes } from './stream/index.js';

export { auditNote } from './audit.js';
export { type ErrorBody, errorBody } from './errors.js';
export { createGuard, type Guard, principalOf, ROLE_RANK } from './guard.js';
export { BROKER_CREDENTIALS_NAME, type CredentialVault } from './routes/credentials.js';
export type { ChainSource, GatewayView } from './routes/market.js';
export type { SignalConfigControl } from './routes/signalConfig.js';
export type {
  ModifyOrderRequest,
  OrderQuery,
  PlaceOrderRequest,
  ResumeRequest,
  RiskLimitsChange,
  TradingActor,
  TradingApi,
} from './routes/trading.js';

/** Request bodies above this are refused (413) before parsing; the hub keeps its own limit. */
export const API_BODY_LIMIT_BYTES = 100 * 1024;

const VERSION = '0.1.0';

export interface GatewayDeps {
  registry: ComponentRegistry;
  metrics: Registry;
  /** extra JSON views mounted under /api/v1 (e.g. feed statistics); viewer role unless a view says */
  views?: Record<string, GatewayView>;
  /** the live option chain of an underlying (nearest expiry when none is given), or undefined */
  chain?: ChainSource;
  /**
   * users and sessions: mounts /api/v1/auth/*, the admin user routes and the market hub at /hubs/market.
   * Without it every guarded route answers 503 (nobody can be authorised).
   */
  auth?: AuthService;
  /** hub options besides authentication (snapshot source, flush interval, …) */
  hub?: Omit<HubPluginOptions, 'authenticate'>;
  /** the order manager and risk engine behind /api/v1/orders, positions, pnl, risk (503 without) */
  trading?: TradingApi;
  /** the signal engine's live rules behind GET/PUT /api/v1/signals/config (503 without) */
  signalConfig?: SignalConfigControl;
  /** where admin and order actions are recorded; also served at GET /api/v1/audit */
  audit?: AuditLog;
  /** sealed storage for the broker login (PUT/GET /api/v1/broker/credentials; 503 without) */
  credentials?: CredentialVault;
  /** exact browser origins allowed to call the API (config `server.corsOrigins`); empty: no CORS at all */
  corsOrigins?: readonly string[];
  /** time of audit entries (default: the wall clock) */
  clock?: Clock;
  logger?: Logger;
}

const hubs = new WeakMap<FastifyInstance, MarketHub>();

/** The market hub a gateway serves (present when it was created with `auth`), for the engine to publish into. */
export function gatewayHub(app: FastifyInstance): MarketHub | undefined {
  return hubs.get(app);
}

/**
 * The HTTP face of the engine. Registration order matters: schema compilers, the error format, the
 * guard (turns each route's `config.role` into a bearer check) and the audit hook come first so every
 * route inherits them; security headers and CORS next; then the OpenAPI generator, so it sees every
 * route registered after it; then health/metrics, the API, the hub; the dashboard last, so API routes win
 * over its static files.
 */
export function createGateway(deps: GatewayDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: API_BODY_LIMIT_BYTES });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app, deps.logger);

  const auth = deps.auth;
  installGuard(app, createGuard(auth ? (token) => auth.verifyAccessToken(token) : undefined));
  installAuditHook(app, { audit: deps.audit, clock: deps.clock ?? new LiveClock(), logger: deps.logger });
  registerSecurity(app, { corsOrigins: deps.corsOrigins ?? [] });
  registerDocs(app, VERSION);

  void app.register(opsRoutes(deps.registry, deps.metrics));
  // Unknown API paths answer in the API's error format; the dashboard owns the other 404s (its fallback).
  void app.register(
    async (scope) => {
      scope.setNotFoundHandler((request, reply) => {
        const path = request.url.split('?')[0] ?? '';
        return sendError(
          request,
          reply,
          new IfError('IF_ERR_NOT_FOUND', { what: `${request.method} ${path}` }),
        );
      });
    },
    { prefix: '/api' },
  );
  if (auth) void app.register(authRoutes(auth));
  void app.register(marketRoutes(deps.chain, deps.views ?? {}));
  void app.register(tradingRoutes(deps.trading));
  void app.register(userRoutes(auth));
  void app.register(credentialRoutes(deps.credentials));
  void app.register(auditRoutes(deps.audit));
  void app.register(signalConfigRoutes(deps.signalConfig));

  let hub: MarketHub | undefined;
  if (auth) {
    const plugin = hubPlugin({
      // indexflow_hub_* (sent, conflated, deferred flushes, drops) on /metrics beside everything else
      metrics: deps.metrics,
      ...deps.hub,
      ...(deps.logger ? { logger: deps.logger } : {}),
      authenticate: (token) => auth.verifyAccessToken(token),
    });
    hub = plugin.hub;
    hubs.set(app, hub);
    void app.register(plugin);
  }
  void app.register(streamRoutes(hub));

  void app.register(dashboardPlugin);
  return app;
}
