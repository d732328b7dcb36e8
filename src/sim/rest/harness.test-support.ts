/** Shared set-up for the REST tests: one app over the fake market and the real order engine. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { SimulatedClock } from '../../core/clock.js';
import { type SimAccount, SimSessionStore } from '../auth/sessions.js';
import { SimOrderEngine } from '../orders/index.js';
import { createSimRestApp } from './app.js';
import { SimRestFaults } from './faults.js';
import { FakeMarket, MARKET_OPEN_MS, OTHER_ACCOUNT, TEST_ACCOUNT, totpNow } from './testkit.js';
import type { SimRestDeps } from './types.js';

/** What the request helpers need: an app and the clock the TOTP is generated at. */
export interface RestTarget {
  app: FastifyInstance;
  clock: SimulatedClock;
}

export interface Harness extends RestTarget {
  sessions: SimSessionStore;
  market: FakeMarket;
  orders: SimOrderEngine;
  faults: SimRestFaults;
}

export function harness(overrides: Partial<SimRestDeps> = {}, startMs = MARKET_OPEN_MS): Harness {
  const clock = new SimulatedClock(startMs);
  const sessions = new SimSessionStore(clock);
  const market = new FakeMarket(clock);
  const orders = new SimOrderEngine({
    clock,
    market,
    clientCode: TEST_ACCOUNT.clientCode,
    orderIdPrefix: '261124',
  });
  const faults = new SimRestFaults();
  const app = createSimRestApp({
    clock,
    sessions,
    accounts: [TEST_ACCOUNT, OTHER_ACCOUNT],
    market,
    orders,
    faults,
    ...overrides,
  });
  return { app, clock, sessions, market, orders, faults };
}

export const LOGIN_PATH = '/rest/auth/angelbroking/user/v1/loginByPassword';
export const SECURE = '/rest/secure/angelbroking';

/** The headers every SDK sends; `X-PrivateKey` is the account's API key. */
export function baseHeaders(apiKey: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json',
    'x-usertype': 'USER',
    'x-sourceid': 'WEB',
    'x-clientlocalip': '127.0.0.1',
    'x-clientpublicip': '106.193.147.98',
    'x-macaddress': 'fe80::216e:6507:4b90:3719',
    'x-privatekey': apiKey,
  };
}

export function authHeaders(jwt: string, apiKey = TEST_ACCOUNT.apiKey): Record<string, string> {
  return { ...baseHeaders(apiKey), authorization: `Bearer ${jwt}` };
}

export interface Tokens {
  jwtToken: string;
  refreshToken: string;
  feedToken: string;
}

export async function login(h: RestTarget, account: SimAccount = TEST_ACCOUNT): Promise<Tokens> {
  const res = await h.app.inject({
    method: 'POST',
    url: LOGIN_PATH,
    headers: baseHeaders(account.apiKey),
    payload: { clientcode: account.clientCode, password: account.pin, totp: totpNow(account, h.clock) },
  });
  const body = res.json() as { status: boolean; data: Tokens };
  if (!body.status) throw new Error(`login failed: ${res.body}`);
  return body.data;
}

export function secureGet(h: RestTarget, jwt: string, path: string): Promise<LightMyRequestResponse> {
  return h.app.inject({ method: 'GET', url: `${SECURE}${path}`, headers: authHeaders(jwt) });
}

export function securePost(
  h: RestTarget,
  jwt: string,
  path: string,
  payload: Record<string, unknown>,
  remoteAddress?: string,
): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method: 'POST',
    url: `${SECURE}${path}`,
    headers: authHeaders(jwt),
    payload,
    ...(remoteAddress ? { remoteAddress } : {}),
  });
}
