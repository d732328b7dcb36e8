import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../core/clock.js';
import { isIfError } from '../../core/errors.js';
import {
  createDatabase,
  migrateToLatest,
  type StorageDatabase,
  UserRepository,
} from '../../storage/index.js';
import { createGateway } from '../app.js';
import { ComponentRegistry } from '../../engine/lifecycle.js';
import { createMetricsRegistry } from '../../ops/metrics.js';
import { silentLogger } from '../../ops/logger.js';
import { ACCESS_TOKEN_TTL_MS, AuthService, REFRESH_TOKEN_TTL_MS } from './index.js';

const T0 = Date.UTC(2026, 2, 2, 3, 45);
const PASSWORD = 'correct horse battery';
const SECRET = 'a-test-secret-that-is-long-enough-32b';

const opened: StorageDatabase[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

async function setup() {
  const database = createDatabase({ sqliteFile: ':memory:' });
  opened.push(database);
  await migrateToLatest(database);
  const users = new UserRepository(database.db);
  const clock = new SimulatedClock(T0);
  const auth = new AuthService({ users, clock, jwtSecret: SECRET });
  await auth.createUser('Asha', PASSWORD, 'trader');
  return { auth, users, clock };
}

async function code(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return isIfError(error) ? error.code : String(error);
  }
}

describe('AuthService', () => {
  it('stores an argon2id hash and logs in with the right password; the access token names the user', async () => {
    const { auth, users } = await setup();
    const stored = await users.findByUsername('asha');
    expect(stored?.passwordHash, 'argon2id with OWASP parameters').toMatch(
      /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/,
    );
    const pair = await auth.login('asha', PASSWORD);
    expect(await auth.verifyAccessToken(pair.accessToken), 'token carries id, name and role').toEqual({
      userId: String(stored?.id),
      username: 'asha',
      role: 'trader',
    });
    expect(await auth.verifyAccessToken(`${pair.accessToken}x`), 'tampered token').toBeUndefined();
    expect(pair.refreshToken, 'opaque refresh token is not stored in clear').not.toContain('.');
  });

  it('refuses a wrong password and an unknown user with the same code, and a disabled user', async () => {
    const { auth, users } = await setup();
    expect(await code(auth.login('asha', 'wrong password!'))).toBe('IF_ERR_AUTH_INVALID_CREDENTIALS');
    expect(await code(auth.login('nobody', PASSWORD))).toBe('IF_ERR_AUTH_INVALID_CREDENTIALS');
    const stored = await users.findByUsername('asha');
    await users.setDisabled(stored?.id ?? -1, true);
    expect(await code(auth.login('asha', PASSWORD)), 'disabled user').toBe('IF_ERR_AUTH_DISABLED');
  });

  it('refuses weak passwords and duplicate users', async () => {
    const { auth } = await setup();
    expect(await code(auth.createUser('ravi', '', 'viewer')), 'empty').toBe('IF_ERR_AUTH_WEAK_PASSWORD');
    expect(await code(auth.createUser('ravi', 'short', 'viewer')), 'short').toBe('IF_ERR_AUTH_WEAK_PASSWORD');
    expect(await code(auth.createUser('ravi', 'ravi-is-great', 'viewer')), 'has name').toBe(
      'IF_ERR_AUTH_WEAK_PASSWORD',
    );
    expect(await code(auth.createUser('asha', PASSWORD, 'viewer')), 'duplicate').toBe(
      'IF_ERR_AUTH_USER_EXISTS',
    );
  });

  it('rotates refresh tokens; reusing a rotated token revokes the whole family', async () => {
    const { auth } = await setup();
    const first = await auth.login('asha', PASSWORD);
    const second = await auth.refresh(first.refreshToken);
    expect(second.refreshToken, 'a new token each rotation').not.toBe(first.refreshToken);
    expect(await code(auth.refresh(first.refreshToken)), 'old token reused').toBe('IF_ERR_AUTH_TOKEN_REUSED');
    expect(await code(auth.refresh(second.refreshToken)), 'family revoked by the reuse').toBe(
      'IF_ERR_AUTH_TOKEN_REUSED',
    );
    const other = await auth.login('asha', PASSWORD);
    await auth.logout(other.refreshToken);
    expect(await code(auth.refresh(other.refreshToken)), 'logged out').toBe('IF_ERR_AUTH_TOKEN_REUSED');
    expect(await code(auth.refresh('not-a-token')), 'unknown token').toBe('IF_ERR_AUTH_TOKEN_INVALID');
  });

  it('expires access tokens after 15 minutes and refresh tokens after 7 days (SimulatedClock)', async () => {
    const { auth, clock } = await setup();
    const pair = await auth.login('asha', PASSWORD);
    clock.advanceTo(T0 + ACCESS_TOKEN_TTL_MS - 1_000);
    expect(await auth.verifyAccessToken(pair.accessToken), 'still valid just before').toBeDefined();
    clock.advanceTo(T0 + ACCESS_TOKEN_TTL_MS + 1_000);
    expect(await auth.verifyAccessToken(pair.accessToken), 'expired after 15 min').toBeUndefined();
    clock.advanceTo(T0 + REFRESH_TOKEN_TTL_MS + 1);
    expect(await code(auth.refresh(pair.refreshToken)), 'refresh expired').toBe('IF_ERR_AUTH_TOKEN_INVALID');
  });

  it('rate-limits logins to 5 a minute per username and per address', async () => {
    const { auth, clock } = await setup();
    for (let i = 0; i < 5; i++) await code(auth.login('asha', 'wrong password!', `10.0.0.${i}`));
    expect(await code(auth.login('asha', PASSWORD, '10.0.1.1')), 'sixth for the username').toBe(
      'IF_ERR_AUTH_RATE_LIMITED',
    );
    for (let i = 0; i < 5; i++) await code(auth.login(`user${i}`, 'x', '10.9.9.9'));
    expect(await code(auth.login('other', 'x', '10.9.9.9')), 'sixth from the address').toBe(
      'IF_ERR_AUTH_RATE_LIMITED',
    );
    clock.advanceTo(T0 + 61_000);
    expect(await code(auth.login('asha', PASSWORD, '10.0.1.1')), 'a minute later it works').toBeUndefined();
  });
});

describe('auth routes', () => {
  async function gateway() {
    const { auth } = await setup();
    const app = createGateway({
      registry: new ComponentRegistry(silentLogger()),
      metrics: createMetricsRegistry(),
      auth,
    });
    return app;
  }

  it('logs in, refreshes and logs out over HTTP', async () => {
    const app = await gateway();
    try {
      const login = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'asha', password: PASSWORD },
      });
      expect(login.statusCode).toBe(200);
      const pair = login.json<{ accessToken: string; refreshToken: string }>();
      expect(typeof pair.accessToken).toBe('string');
      const refresh = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refreshToken: pair.refreshToken },
      });
      expect(refresh.statusCode, 'rotation').toBe(200);
      const next = refresh.json<{ refreshToken: string }>();
      const anonymous = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        payload: { refreshToken: next.refreshToken },
      });
      expect(anonymous.statusCode, 'logout needs an access token').toBe(401);
      const logout = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: { authorization: `Bearer ${refresh.json<{ accessToken: string }>().accessToken}` },
        payload: { refreshToken: next.refreshToken },
      });
      expect(logout.statusCode).toBe(204);
    } finally {
      await app.close();
    }
  });

  it('answers 400 on bad bodies, 401 on bad credentials, 429 when rate-limited', async () => {
    const app = await gateway();
    try {
      const bad = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'asha' },
      });
      expect(bad.statusCode).toBe(400);
      const body = bad.json<{ error: { code: string; message: string; details: { issues: unknown[] } } }>();
      expect(body.error.code).toBe('IF_ERR_VALIDATION');
      expect(body.error.message, 'names the missing field').toContain('body.password');
      expect(body.error.details.issues, 'each failing field').toEqual([
        { field: 'body.password', message: 'is required' },
      ]);
      const noBody = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh' });
      expect(noBody.statusCode, 'missing body').toBe(400);
      let last = 0;
      for (let i = 0; i < 5; i++) {
        const wrong = await app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username: 'asha', password: 'wrong password!' },
        });
        last = wrong.statusCode;
        expect(wrong.body, 'no password echoed').not.toContain('wrong password!');
      }
      expect(last, 'wrong password').toBe(401);
      const limited = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'asha', password: PASSWORD },
      });
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after'], 'tells when to retry').toBeDefined();
      const badRefresh = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refreshToken: 'nope' },
      });
      expect(badRefresh.statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});
