import Fastify, { type FastifyInstance } from 'fastify';
import { IfError } from '../core/errors.js';
import type { ComponentRegistry } from '../engine/lifecycle.js';
import type { Logger } from '../ops/logger.js';
import type { Registry } from '../ops/metrics.js';
import { type AuthService, authRoutes } from './auth/index.js';
import { type HubPluginOptions, hubPlugin, type MarketHub } from './hub/index.js';

export interface GatewayDeps {
  registry: ComponentRegistry;
  metrics: Registry;
  /** extra JSON views mounted under /api/v1 (e.g. feed statistics) */
  views?: Record<string, () => unknown>;
  /** the live option chain of an underlying (nearest expiry when none is given), or undefined */
  chain?: (underlying: string, expiry: string | undefined) => unknown | undefined;
  /** users and sessions: mounts /api/v1/auth/* and the market hub at /hubs/market (bearer tokens) */
  auth?: AuthService;
  /** hub options besides authentication (snapshot source, flush interval, …) */
  hub?: Omit<HubPluginOptions, 'authenticate'>;
  logger?: Logger;
}

const hubs = new WeakMap<FastifyInstance, MarketHub>();

/** The market hub a gateway serves (present when it was created with `auth`), for the engine to publish into. */
export function gatewayHub(app: FastifyInstance): MarketHub | undefined {
  return hubs.get(app);
}

/**
 * The HTTP face of the engine: health, metrics, read-only views, and (given `auth`) login and the
 * SignalR-compatible market hub. The read-only views are public for now; the REST API takes bearer
 * tokens once it gains user-specific resources.
 */
export function createGateway(deps: GatewayDeps): FastifyInstance {
  const app = Fastify({ logger: false });

  app.get('/health/live', async () => ({ status: 'live' }));

  app.get('/health/ready', async (_request, reply) => {
    const report = deps.registry.readiness();
    reply.code(report.ready ? 200 : 503);
    return { status: report.ready ? 'ready' : 'not-ready', components: report.components };
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', deps.metrics.contentType);
    return deps.metrics.metrics();
  });

  const chain = deps.chain;
  if (chain) {
    app.get<{ Params: { underlying: string }; Querystring: { expiry?: string } }>(
      '/api/v1/chains/:underlying',
      async (request, reply) => {
        const underlying = request.params.underlying.toUpperCase();
        const expiry = request.query.expiry;
        if (expiry !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(expiry)) {
          const error = new IfError('IF_ERR_VALIDATION', { detail: `expiry "${expiry}" is not YYYY-MM-DD` });
          return reply.code(error.httpStatus).send(error.toJSON());
        }
        const found = chain(underlying, expiry);
        if (found === undefined) {
          const error = new IfError('IF_ERR_NOT_FOUND', {
            what: `option chain ${underlying}${expiry ? ` ${expiry}` : ''}`,
          });
          return reply.code(error.httpStatus).send(error.toJSON());
        }
        return found;
      },
    );
  }

  const auth = deps.auth;
  if (auth) {
    authRoutes(app, auth);
    const plugin = hubPlugin({
      ...deps.hub,
      ...(deps.logger ? { logger: deps.logger } : {}),
      authenticate: (token) => auth.verifyAccessToken(token),
    });
    hubs.set(app, plugin.hub);
    void app.register(plugin);
  }

  for (const [name, view] of Object.entries(deps.views ?? {})) {
    app.get(`/api/v1/${name}`, async () => view());
  }

  return app;
}
