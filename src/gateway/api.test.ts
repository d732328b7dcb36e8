import type { InjectOptions } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ComponentRegistry } from '../engine/lifecycle.js';
import { createMetricsRegistry } from '../ops/metrics.js';
import { createGateway } from './app.js';
import { type Fixture, gatewayFixture, PASSWORDS, T0 } from './testkit.js';

type Role = 'viewer' | 'trader' | 'admin';
const ROLES: readonly Role[] = ['viewer', 'trader', 'admin'];

interface ErrorJson {
  error: { code: string; message: string; details?: { issues?: { field: string; message: string }[] } };
}

const ORDER = {
  token: '43215',
  side: 'BUY',
  quantity: 130,
  limitPricePaise: 10_050,
  product: 'INTRADAY',
} as const;

/**
 * Every documented /api/v1 operation with the least role it needs and a request that the allowed role
 * may send without changing shared state. The inventory test below proves the list is complete.
 */
const MATRIX: readonly {
  method: InjectOptions['method'];
  url: string;
  path: string;
  role: Role;
  payload?: object;
}[] = [
  {
    method: 'POST',
    url: '/api/v1/auth/logout',
    path: '/api/v1/auth/logout',
    role: 'viewer',
    payload: { refreshToken: 'unknown' },
  },
  { method: 'GET', url: '/api/v1/chains/NIFTY', path: '/api/v1/chains/{underlying}', role: 'viewer' },
  { method: 'GET', url: '/api/v1/feed', path: '/api/v1/feed', role: 'viewer' },
  { method: 'GET', url: '/api/v1/orders', path: '/api/v1/orders', role: 'trader' },
  {
    method: 'POST',
    url: '/api/v1/orders',
    path: '/api/v1/orders',
    role: 'trader',
    payload: { ...ORDER, idempotencyKey: 'matrix-0001' },
  },
  { method: 'GET', url: '/api/v1/orders/IF-404', path: '/api/v1/orders/{id}', role: 'trader' },
  { method: 'DELETE', url: '/api/v1/orders/IF-404', path: '/api/v1/orders/{id}', role: 'trader' },
  {
    method: 'PATCH',
    url: '/api/v1/orders/IF-404',
    path: '/api/v1/orders/{id}',
    role: 'trader',
    payload: { quantity: 65 },
  },
  { method: 'GET', url: '/api/v1/positions', path: '/api/v1/positions', role: 'trader' },
  { method: 'GET', url: '/api/v1/pnl', path: '/api/v1/pnl', role: 'trader' },
  { method: 'GET', url: '/api/v1/risk', path: '/api/v1/risk', role: 'trader' },
  {
    method: 'POST',
    url: '/api/v1/risk/kill',
    path: '/api/v1/risk/kill',
    role: 'trader',
    payload: { reason: 'matrix' },
  },
  {
    method: 'PUT',
    url: '/api/v1/risk/limits',
    path: '/api/v1/risk/limits',
    role: 'admin',
    payload: { maxOpenOrders: 20 },
  },
  { method: 'POST', url: '/api/v1/risk/resume', path: '/api/v1/risk/resume', role: 'admin', payload: {} },
  { method: 'GET', url: '/api/v1/users', path: '/api/v1/users', role: 'admin' },
  {
    method: 'POST',
    url: '/api/v1/users',
    path: '/api/v1/users',
    role: 'admin',
    payload: { username: 'x', password: 'short', role: 'viewer' },
  },
  {
    method: 'PATCH',
    url: '/api/v1/users/nobody',
    path: '/api/v1/users/{username}',
    role: 'admin',
    payload: { disabled: false },
  },
  { method: 'GET', url: '/api/v1/broker/credentials', path: '/api/v1/broker/credentials', role: 'admin' },
  {
    method: 'PUT',
    url: '/api/v1/broker/credentials',
    path: '/api/v1/broker/credentials',
    role: 'admin',
    payload: { clientCode: 'A1', pin: '1234', totpSecret: 'JBSWY3DPEHPK3PXP', apiKey: 'key' },
  },
  { method: 'GET', url: '/api/v1/audit', path: '/api/v1/audit', role: 'admin' },
  { method: 'GET', url: '/api/v1/signals/config', path: '/api/v1/signals/config', role: 'trader' },
  {
    method: 'PUT',
    url: '/api/v1/signals/config',
    path: '/api/v1/signals/config',
    role: 'admin',
    payload: {},
  },
];

describe('gateway REST API', () => {
  const fixtures: Fixture[] = [];
  afterEach(async () => {
    for (const f of fixtures.splice(0)) await f.close();
  });
  async function fixture(...args: Parameters<typeof gatewayFixture>): Promise<Fixture> {
    const f = await gatewayFixture(...args);
    fixtures.push(f);
    return f;
  }

  it('answers 401 without or with a bad token, 403 below the role, and lets the role and those above through, on every route', async () => {
    const f = await fixture();
    const headers = {
      viewer: await f.as('viewer1'),
      trader: await f.as('trader1'),
      admin: await f.as('admin1'),
    };
    for (const route of MATRIX) {
      const request = {
        method: route.method,
        url: route.url,
        ...(route.payload ? { payload: route.payload } : {}),
      };
      const what = `${route.method} ${route.url}`;
      const anonymous = await f.app.inject(request);
      expect(anonymous.statusCode, `${what} without a token`).toBe(401);
      expect(anonymous.json<ErrorJson>().error.code, what).toBe('IF_ERR_AUTH_REQUIRED');
      expect(anonymous.headers['www-authenticate'], `${what} says how to authenticate`).toBe('Bearer');
      const forged = await f.app.inject({ ...request, headers: { authorization: 'Bearer not.a.jwt' } });
      expect(forged.statusCode, `${what} with a forged token`).toBe(401);
      const inQuery = await f.app.inject({
        ...request,
        url: `${route.url}?access_token=${(headers.admin.authorization).slice(7)}`,
      });
      expect(inQuery.statusCode, `${what}: REST routes do not take tokens from the URL`).toBe(401);
      for (const role of ROLES) {
        const response = await f.app.inject({ ...request, headers: headers[role] });
        const allowed = ROLES.indexOf(role) >= ROLES.indexOf(route.role);
        if (allowed) {
          expect([401, 403], `${what} as ${role} is allowed (got ${response.body})`).not.toContain(
            response.statusCode,
          );
        } else {
          expect(response.statusCode, `${what} as ${role} is refused`).toBe(403);
          expect(response.json<ErrorJson>().error.code, what).toBe('IF_ERR_AUTH_FORBIDDEN');
        }
      }
    }
  });

  it('documents every route in OpenAPI at /api/docs/openapi.json with bearer security, and the matrix covers them all', async () => {
    const f = await fixture();
    const response = await f.app.inject('/api/docs/openapi.json');
    expect(response.statusCode).toBe(200);
    const doc = response.json<{
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown[]; description?: string }>>;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
    }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes['bearerAuth'], 'bearer scheme declared').toBeDefined();
    expect(doc.components.schemas['Error'], 'one shared error schema').toBeDefined();
    const documented: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      expect(path.startsWith('/hubs') || path === '/', `${path}: hub and dashboard are not REST`).toBe(false);
      for (const [method, operation] of Object.entries(operations)) {
        if (!path.startsWith('/api/v1/')) continue;
        const name = `${method.toUpperCase()} ${path}`;
        if (path === '/api/v1/auth/login' || path === '/api/v1/auth/refresh') {
          expect(operation.security, `${name} is public`).toBeUndefined();
          continue;
        }
        expect(operation.security, `${name} needs a bearer token`).toEqual([{ bearerAuth: [] }]);
        expect(operation.description, `${name} names its role`).toMatch(
          /Role: (viewer|trader|admin) or above\./,
        );
        if (path !== '/api/v1/stream/{channel}') documented.push(name);
      }
    }
    const tested = new Set(MATRIX.map((r) => `${r.method} ${r.path}`));
    expect(
      documented.filter((name) => !tested.has(name)),
      'routes missing from the authorisation matrix',
    ).toEqual([]);
    expect(doc.paths['/health/ready'], 'ops routes are documented too').toBeDefined();

    const ui = await f.app.inject('/api/docs');
    expect(ui.statusCode).toBe(200);
    expect(ui.body, 'Swagger UI page').toContain('swagger-ui');
    const asset = await f.app.inject('/api/docs/static/swagger-ui-bundle.js');
    expect(asset.statusCode, 'UI assets come from the package, not a CDN').toBe(200);
  });

  it('refuses to start with an /api/v1 route that declares no role (deny by default)', async () => {
    const app = createGateway({
      registry: new ComponentRegistry(),
      metrics: createMetricsRegistry({ defaults: false }),
    });
    void app.register(async (scope) => {
      scope.get('/api/v1/forgotten', async () => ({ secret: true }));
    });
    await expect(app.ready()).rejects.toThrow(/declares no config.role/);
  });

  it('answers bad bodies, params and queries with 400 naming each field, in one error format', async () => {
    const f = await fixture();
    const trader = await f.as('trader1');
    const bad = await f.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: trader,
      payload: { token: 'NIFTY', side: 'HOLD', quantity: 1.5, limitPricePaise: -5, product: 'MIS', extra: 1 },
    });
    expect(bad.statusCode).toBe(400);
    const body = bad.json<ErrorJson>();
    expect(body.error.code).toBe('IF_ERR_VALIDATION');
    const fields = body.error.details?.issues?.map((i) => i.field) ?? [];
    for (const field of [
      'body.token',
      'body.side',
      'body.quantity',
      'body.limitPricePaise',
      'body.product',
    ]) {
      expect(fields, `names ${field}`).toContain(field);
    }
    expect(body.error.message, 'mass assignment refused by name').toContain('extra');
    expect(
      f.trading.calls.filter((c) => c.method === 'place'),
      'nothing reached the order manager',
    ).toEqual([]);

    const query = await f.app.inject({ url: '/api/v1/orders?limit=0&status=closed', headers: trader });
    expect(query.statusCode).toBe(400);
    expect(query.json<ErrorJson>().error.details?.issues?.map((i) => i.field)).toEqual([
      'query.status',
      'query.limit',
    ]);

    const params = await f.app.inject({ url: '/api/v1/orders/a%20b', headers: trader });
    expect(params.statusCode).toBe(400);
    expect(params.json<ErrorJson>().error.message).toContain('params.id');

    const date = await f.app.inject({ url: '/api/v1/chains/NIFTY?expiry=2026-02-30', headers: trader });
    expect(date.statusCode, 'an impossible date').toBe(400);
    expect(date.json<ErrorJson>().error.message).toContain('query.expiry');

    const missing = await f.app.inject({ url: '/api/v1/chains/GOLD', headers: trader });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<ErrorJson>().error.code).toBe('IF_ERR_NOT_FOUND');

    const json = await f.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username":"trader1","password":"hunter2-in-broken-json',
    });
    expect(json.statusCode).toBe(400);
    expect(json.body, 'the JSON parser error must not quote the body').not.toContain('hunter2');

    const large = await f.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'trader1', password: 'x'.repeat(200 * 1024) },
    });
    expect(large.statusCode, 'bodies above 100 KiB').toBe(413);
    expect(large.json<ErrorJson>().error.code).toBe('IF_ERR_REQUEST');

    const unknown = await f.app.inject({ url: '/api/v1/nothing-here', headers: trader });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<ErrorJson>().error.code, 'unknown API paths in the same format').toBe(
      'IF_ERR_NOT_FOUND',
    );
  });

  it('places, reads, modifies and cancels orders through TradingApi with the signed-in actor and an idempotency key', async () => {
    const f = await fixture();
    const trader = await f.as('trader1');
    const noKey = await f.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: trader,
      payload: ORDER,
    });
    expect(noKey.statusCode, 'an idempotency key is required').toBe(400);
    expect(noKey.json<ErrorJson>().error.message).toContain('Idempotency-Key');

    const clash = await f.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...trader, 'idempotency-key': 'key-header-1' },
      payload: { ...ORDER, idempotencyKey: 'key-body-001' },
    });
    expect(clash.statusCode, 'header and body keys must agree').toBe(400);

    const placed = await f.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...trader, 'idempotency-key': 'order-key-0001' },
      payload: ORDER,
    });
    expect(placed.statusCode).toBe(201);
    expect(placed.json()).toMatchObject({ clientOrderId: 'IF-1', quantity: 130, placedBy: 'trader1' });
    const call = f.trading.calls.find((c) => c.method === 'place');
    expect(call?.args, 'the key from the header, the actor from the token').toEqual([
      { ...ORDER, idempotencyKey: 'order-key-0001' },
      { id: 'trader1', role: 'trader' },
    ]);
    const again = await f.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: trader,
      payload: { ...ORDER, idempotencyKey: 'order-key-0001' },
    });
    expect(again.json(), 'the same key (now in the body) returns the first order').toMatchObject({
      clientOrderId: 'IF-1',
    });

    expect((await f.app.inject({ url: '/api/v1/orders/IF-1', headers: trader })).json()).toMatchObject({
      status: 'submitted',
    });
    const absent = await f.app.inject({ url: '/api/v1/orders/IF-9', headers: trader });
    expect(absent.statusCode, 'undefined from TradingApi.order is a 404').toBe(404);
    const modified = await f.app.inject({
      method: 'PATCH',
      url: '/api/v1/orders/IF-1',
      headers: trader,
      payload: { limitPricePaise: 10_100 },
    });
    expect(modified.json()).toMatchObject({ limitPricePaise: 10_100 });
    const emptyChange = await f.app.inject({
      method: 'PATCH',
      url: '/api/v1/orders/IF-1',
      headers: trader,
      payload: {},
    });
    expect(emptyChange.statusCode, 'a modify that changes nothing').toBe(400);
    const cancelled = await f.app.inject({ method: 'DELETE', url: '/api/v1/orders/IF-1', headers: trader });
    expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
    const list = await f.app.inject({ url: '/api/v1/orders?status=open&limit=5', headers: trader });
    expect(list.statusCode).toBe(200);
    expect(f.trading.calls.find((c) => c.method === 'orders')?.args, 'query parsed with defaults').toEqual([
      { status: 'open', limit: 5 },
    ]);

    const denied = await f.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: trader,
      payload: { ...ORDER, quantity: 1_950, idempotencyKey: 'order-key-0002' },
    });
    expect(denied.statusCode, 'an IfError from the order manager keeps its status').toBe(422);
    expect(denied.json<ErrorJson>().error.code).toBe('IF_ERR_RISK_DENIED');

    for (const path of ['positions', 'pnl', 'risk']) {
      expect((await f.app.inject({ url: `/api/v1/${path}`, headers: trader })).statusCode, path).toBe(200);
    }
    const kill = await f.app.inject({
      method: 'POST',
      url: '/api/v1/risk/kill',
      headers: trader,
      payload: { reason: 'runaway strategy' },
    });
    expect(kill.json(), 'a trader may pull the kill switch').toEqual({ trading: 'halted' });
    const admin = await f.as('admin1');
    const limits = await f.app.inject({
      method: 'PUT',
      url: '/api/v1/risk/limits',
      headers: admin,
      payload: { maxDailyLossPaise: 5_000_000, priceBand: { percent: 5 } },
    });
    expect(limits.statusCode).toBe(200);
    const badLimits = await f.app.inject({
      method: 'PUT',
      url: '/api/v1/risk/limits',
      headers: admin,
      payload: { maxOpenOrders: -1 },
    });
    expect(badLimits.json<ErrorJson>().error.details?.issues?.[0]?.field).toBe('body.maxOpenOrders');
    const resume = await f.app.inject({ method: 'POST', url: '/api/v1/risk/resume', headers: admin });
    expect(resume.json(), 'resume with no body resumes to active').toEqual({ trading: 'active' });
    expect(f.trading.calls.find((c) => c.method === 'resume')?.args).toEqual([
      { id: 'admin1', role: 'admin' },
      { to: 'active', reason: 'resumed from the API' },
    ]);
  });

  it('answers 503 for trading routes when no order manager is wired, after authorisation', async () => {
    const f = await fixture({ trading: undefined });
    expect((await f.app.inject('/api/v1/positions')).statusCode, 'still 401 first').toBe(401);
    const response = await f.app.inject({ url: '/api/v1/positions', headers: await f.as('trader1') });
    expect(response.statusCode).toBe(503);
    expect(response.json<ErrorJson>().error.code).toBe('IF_ERR_UNAVAILABLE');
  });

  it('audits order and admin actions with actor, target and outcome, and serves the trail to admins', async () => {
    const f = await fixture();
    const trader = await f.as('trader1');
    await f.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: trader,
      payload: { ...ORDER, idempotencyKey: 'audit-key-01' },
    });
    await f.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: trader,
      payload: { ...ORDER, quantity: 5_000, idempotencyKey: 'audit-key-02' },
    });
    await f.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: await f.as('viewer1'),
      payload: ORDER,
    });
    await f.app.inject({ method: 'POST', url: '/api/v1/orders', payload: ORDER });
    await f.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: trader,
      payload: { ...ORDER, side: 'HOLD' },
    });
    await f.app.inject({ method: 'DELETE', url: '/api/v1/orders/IF-1', headers: trader });
    await f.app.inject({
      method: 'POST',
      url: '/api/v1/risk/kill',
      headers: trader,
      payload: { reason: 'test halt' },
    });
    await f.app.inject({ method: 'GET', url: '/api/v1/orders', headers: trader });
    await vi.waitFor(() => expect(f.audit.entries).toHaveLength(6));
    const summary = f.audit.entries.map(({ actor, action, target, outcome }) => ({
      actor,
      action,
      target,
      outcome,
    }));
    expect(summary, 'reads are not audited; a call without a token has no actor and is not recorded').toEqual(
      [
        { actor: 'trader1', action: 'order.place', target: 'IF-1', outcome: 'ok' },
        { actor: 'trader1', action: 'order.place', target: 'audit-key-02', outcome: 'IF_ERR_RISK_DENIED' },
        { actor: 'viewer1', action: 'order.place', target: '', outcome: 'IF_ERR_AUTH_FORBIDDEN' },
        { actor: 'trader1', action: 'order.place', target: '', outcome: 'IF_ERR_VALIDATION' },
        { actor: 'trader1', action: 'order.cancel', target: 'IF-1', outcome: 'ok' },
        { actor: 'trader1', action: 'risk.kill', target: 'trading', outcome: 'ok' },
      ],
    );
    expect(f.audit.entries[0]?.details).toEqual({ ...ORDER, idempotencyKey: 'audit-key-01' });
    expect(f.audit.entries[0]?.atMs, 'time from the injected clock').toBe(T0);

    expect((await f.app.inject({ url: '/api/v1/audit', headers: trader })).statusCode, 'admins only').toBe(
      403,
    );
    const trail = await f.app.inject({
      url: '/api/v1/audit?limit=2&action=order.place',
      headers: await f.as('admin1'),
    });
    expect(trail.statusCode).toBe(200);
    const entries = trail.json<{ entries: { id: number; outcome: string }[] }>().entries;
    expect(
      entries.map((e) => e.outcome),
      'newest first, filtered, limited',
    ).toEqual(['IF_ERR_VALIDATION', 'IF_ERR_AUTH_FORBIDDEN']);
    expect(f.audit.queries.at(-1)).toEqual({ limit: 2, action: 'order.place' });
  });

  it('lets admins list, add, re-role and disable users; changes apply to existing tokens at once', async () => {
    const f = await fixture();
    const admin = await f.as('admin1');
    const list = await f.app.inject({ url: '/api/v1/users', headers: admin });
    expect(list.statusCode).toBe(200);
    expect(list.body, 'no password hash leaves the server').not.toContain('argon2');
    expect(list.json<{ users: { username: string }[] }>().users.map((u) => u.username)).toEqual([
      'admin1',
      'trader1',
      'viewer1',
    ]);

    const added = await f.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin,
      payload: { username: 'Ravi', password: 'mumbai monsoon 2026', role: 'trader' },
    });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toEqual({ username: 'ravi', role: 'trader', disabled: false, createdAtMs: T0 });
    const duplicate = await f.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin,
      payload: { username: 'ravi', password: 'another long phrase', role: 'viewer' },
    });
    expect(duplicate.statusCode).toBe(409);
    const weak = await f.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin,
      payload: { username: 'mira', password: 'short', role: 'viewer' },
    });
    expect(weak.json<ErrorJson>().error.code).toBe('IF_ERR_AUTH_WEAK_PASSWORD');
    expect(weak.body, 'the refused password is not echoed').not.toContain('short"');

    const traderToken = await f.token('trader1');
    const demoted = await f.app.inject({
      method: 'PATCH',
      url: '/api/v1/users/trader1',
      headers: admin,
      payload: { role: 'viewer' },
    });
    expect(demoted.json()).toMatchObject({ username: 'trader1', role: 'viewer' });
    const stale = await f.app.inject({
      url: '/api/v1/feed',
      headers: { authorization: `Bearer ${traderToken}` },
    });
    expect(stale.statusCode, 'a token minted with the old role is refused').toBe(401);
    const fresh = await f.app.inject({ url: '/api/v1/orders', headers: await f.as('trader1') });
    expect(fresh.statusCode, 'a new login carries the new role').toBe(403);

    const viewerToken = await f.token('viewer1');
    await f.app.inject({
      method: 'PATCH',
      url: '/api/v1/users/viewer1',
      headers: admin,
      payload: { disabled: true },
    });
    expect(
      (await f.app.inject({ url: '/api/v1/feed', headers: { authorization: `Bearer ${viewerToken}` } }))
        .statusCode,
      'disabled at once',
    ).toBe(401);
    const login = await f.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'viewer1', password: PASSWORDS.viewer1 },
    });
    expect(login.statusCode, 'and cannot log in').toBe(403);

    const lastAdmin = await f.app.inject({
      method: 'PATCH',
      url: '/api/v1/users/admin1',
      headers: admin,
      payload: { role: 'trader' },
    });
    expect(lastAdmin.statusCode, 'the last admin stays').toBe(409);
    expect(lastAdmin.json<ErrorJson>().error.code).toBe('IF_ERR_AUTH_LAST_ADMIN');
    const nobody = await f.app.inject({
      method: 'PATCH',
      url: '/api/v1/users/nobody',
      headers: admin,
      payload: { role: 'viewer' },
    });
    expect(nobody.statusCode).toBe(404);
    await vi.waitFor(() =>
      expect(f.audit.entries.map((e) => `${e.action} ${e.target} ${e.outcome}`)).toEqual([
        'user.add ravi ok',
        'user.add ravi IF_ERR_AUTH_USER_EXISTS',
        'user.add mira IF_ERR_AUTH_WEAK_PASSWORD',
        'user.update trader1 ok',
        'user.update viewer1 ok',
        'user.update admin1 IF_ERR_AUTH_LAST_ADMIN',
        'user.update nobody IF_ERR_NOT_FOUND',
      ]),
    );
  });

  it('stores broker credentials write-only: no response, audit entry or log line ever holds a secret', async () => {
    const f = await fixture();
    const admin = await f.as('admin1');
    const secrets = {
      clientCode: 'Q7CANARY9',
      pin: '90817263',
      totpSecret: 'CANARYSEEDQQZZXXWW77',
      apiKey: 'canary-api-key-5521',
    };
    const bodies: string[] = [];
    const before = await f.app.inject({ url: '/api/v1/broker/credentials', headers: admin });
    expect(before.json()).toEqual({ configured: false });

    f.clock.advanceBy(1_000);
    const put = await f.app.inject({
      method: 'PUT',
      url: '/api/v1/broker/credentials',
      headers: admin,
      payload: secrets,
    });
    bodies.push(put.body);
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({ configured: true, updatedAtMs: T0 + 1_000 });
    expect(f.vault.values.get('angelone')?.value, 'the vault got every field').toEqual(secrets);
    const after = await f.app.inject({ url: '/api/v1/broker/credentials', headers: admin });
    bodies.push(after.body);
    expect(after.json()).toEqual({ configured: true, updatedAtMs: T0 + 1_000 });

    for (const [field, value] of [
      ['pin', '90817263x'],
      ['totpSecret', 'CANARY-not-base32'],
      ['apiKey', 'canary api key!'],
      ['clientCode', 'Q7CANARY9?'],
    ] as const) {
      const bad = await f.app.inject({
        method: 'PUT',
        url: '/api/v1/broker/credentials',
        headers: admin,
        payload: { ...secrets, [field]: value },
      });
      expect(bad.statusCode, `bad ${field}`).toBe(400);
      expect(bad.json<ErrorJson>().error.message).toContain(`body.${field}`);
      bodies.push(bad.body);
    }
    f.vault.failing = true;
    const failed = await f.app.inject({
      method: 'PUT',
      url: '/api/v1/broker/credentials',
      headers: admin,
      payload: secrets,
    });
    expect(failed.statusCode, 'a failing vault is a 500 that says nothing internal').toBe(500);
    bodies.push(failed.body);
    const viewer = await f.app.inject({
      method: 'PUT',
      url: '/api/v1/broker/credentials',
      headers: await f.as('viewer1'),
      payload: secrets,
    });
    expect(viewer.statusCode).toBe(403);
    bodies.push(viewer.body);

    await vi.waitFor(() => expect(f.audit.entries).toHaveLength(7));
    const everything = [...bodies, f.logs.text, JSON.stringify(f.audit.entries)].join('\n');
    expect(f.logs.text, 'the vault failure was logged').toContain('gateway request failed');
    for (const [field, value] of Object.entries(secrets)) {
      expect(everything.includes(value), `${field} leaked`).toBe(false);
      expect(
        everything.toLowerCase().includes(value.toLowerCase().slice(0, 8)),
        `part of ${field} leaked`,
      ).toBe(false);
    }
  });

  it('sends security headers everywhere and no CORS headers unless the origin is configured', async () => {
    const closed = await fixture();
    const response = await closed.app.inject({
      url: '/api/v1/feed',
      headers: { ...(await closed.as('viewer1')), origin: 'https://evil.example' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin'], 'CORS closed by default').toBeUndefined();
    const csp = String(response.headers['content-security-policy']);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
    ]) {
      expect(csp, directive).toContain(directive);
    }
    expect(csp, 'no inline scripts').not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['strict-transport-security'], 'no HSTS on plain HTTP').toBeUndefined();
    const preflight = await closed.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/orders',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();

    const open = await fixture({ corsOrigins: ['https://dash.example.com'] });
    const viewer = await open.as('viewer1');
    const allowed = await open.app.inject({
      url: '/api/v1/feed',
      headers: { ...viewer, origin: 'https://dash.example.com' },
    });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://dash.example.com');
    const evil = await open.app.inject({
      url: '/api/v1/feed',
      headers: { ...viewer, origin: 'https://evil.example' },
    });
    expect(
      evil.headers['access-control-allow-origin'],
      'an unlisted origin is never reflected',
    ).toBeUndefined();
    const allowedPreflight = await open.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/orders',
      headers: {
        origin: 'https://dash.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(allowedPreflight.statusCode).toBe(204);
    expect(String(allowedPreflight.headers['access-control-allow-headers'])).toContain('Authorization');
    expect(
      allowedPreflight.headers['access-control-allow-credentials'],
      'bearer tokens, no cookies',
    ).toBeUndefined();
  });

  it('keeps health and metrics open', async () => {
    const f = await fixture();
    expect((await f.app.inject('/health/live')).json()).toEqual({ status: 'live' });
    expect((await f.app.inject('/health/ready')).statusCode, 'no components registered: not ready').toBe(503);
    const metrics = await f.app.inject('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
  });
});
