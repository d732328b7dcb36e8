import type { FastifyInstance, FastifyRequest, onRequestHookHandler, RouteOptions } from 'fastify';
import { IfError } from '../core/errors.js';
import type { UserRole } from '../storage/index.js';
import type { Principal } from './auth/index.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The least role that may call the route, or `public` (login, refresh). Every `/api/v1` route must
     * say; the gateway refuses to start with one that does not (deny by default).
     */
    role?: UserRole | 'public';
    /** also take the token from `?access_token=` (EventSource cannot set headers); stream routes only */
    tokenInQuery?: boolean;
    /** the audit action recorded for this route, e.g. `order.place` (see audit.ts) */
    audit?: string;
  }
}

/** Resolves an access token to its user, or undefined when it is invalid or expired. */
export type VerifyToken = (token: string) => Promise<Principal | undefined>;

/** viewer < trader < admin: each role may do everything the roles below it may. */
export const ROLE_RANK: Readonly<Record<UserRole, number>> = { viewer: 1, trader: 2, admin: 3 };

const principals = new WeakMap<FastifyRequest, Principal>();

/** Who made an authenticated request (set by the guard), or undefined on public routes. */
export function principalOf(request: FastifyRequest): Principal | undefined {
  return principals.get(request);
}

/** The caller of a guarded route; IF_ERR_AUTH_REQUIRED when the route was not guarded. */
export function principalOrThrow(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (principal === undefined) throw new IfError('IF_ERR_AUTH_REQUIRED');
  return principal;
}

/** `Authorization: Bearer <token>`, else (when allowed) the `access_token` query parameter. */
export function requestToken(request: FastifyRequest, allowQuery: boolean): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  if (!allowQuery) return undefined;
  const query: unknown = request.query;
  if (typeof query !== 'object' || query === null) return undefined;
  const value: unknown = (query as Record<string, unknown>)['access_token'];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export interface Guard {
  /**
   * An onRequest hook admitting `role` and the roles above it: 401 IF_ERR_AUTH_REQUIRED without a valid
   * token, 403 IF_ERR_AUTH_FORBIDDEN below the role, 503 IF_ERR_UNAVAILABLE when the gateway has no
   * user store (fail closed). Runs before the body is parsed, so strangers cost no parsing.
   */
  requireRole(role: UserRole, options?: { tokenInQuery?: boolean }): onRequestHookHandler;
}

export function createGuard(verify: VerifyToken | undefined): Guard {
  return {
    requireRole(role, options = {}) {
      const allowQuery = options.tokenInQuery === true;
      return async (request) => {
        if (verify === undefined) {
          throw new IfError('IF_ERR_UNAVAILABLE', {
            what: 'authentication',
            detail: 'this gateway runs without a user store, so no request can be authorised',
          });
        }
        const token = requestToken(request, allowQuery);
        const principal = token === undefined ? undefined : await verify(token);
        if (principal === undefined) throw new IfError('IF_ERR_AUTH_REQUIRED');
        principals.set(request, principal);
        if (ROLE_RANK[principal.role] < ROLE_RANK[role]) {
          throw new IfError('IF_ERR_AUTH_FORBIDDEN', {
            role: principal.role,
            action: `${request.method} ${request.routeOptions.url ?? request.url}`,
            required: role,
          });
        }
      };
    },
  };
}

function hooks<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

const DOCUMENTED = /^\/(api\/v1\/|health\/|metrics$)/;

/**
 * Turns each route's `config.role` into the guard's onRequest hook (first, before any other), marks it
 * in the OpenAPI document (bearer security, "Role: …" in the description), refuses at start-up an
 * `/api/v1` route that declares no role, and hides routes outside the API (hub, dashboard, docs assets)
 * from the document.
 */
export function installGuard(app: FastifyInstance, guard: Guard): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const url = route.url;
    const role = route.config?.role;
    if (!DOCUMENTED.test(url)) {
      route.schema = { ...route.schema, hide: true } as RouteOptions['schema'];
      return;
    }
    if (!url.startsWith('/api/v1/')) return;
    if (role === undefined) {
      throw new Error(`route ${String(route.method)} ${url} declares no config.role (deny by default)`);
    }
    if (role === 'public') return;
    const hook = guard.requireRole(role, { tokenInQuery: route.config?.tokenInQuery === true });
    route.onRequest = [hook, ...hooks(route.onRequest)];
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    const description = typeof schema['description'] === 'string' ? `${schema['description']}\n\n` : '';
    route.schema = {
      ...schema,
      security: [{ bearerAuth: [] }],
      description: `${description}Role: ${role} or above.`,
    } as RouteOptions['schema'];
  });
}
