import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../core/clock.js';
import { isIfError } from '../../../core/errors.js';
import { istToEpochMs } from '../../../core/time.js';
import { createLogger } from '../../../ops/logger.js';
import { generateTotp } from '../auth/totp.js';
import { AngelRestClient } from './client.js';
import {
  type FakeAngelServer,
  fail,
  gateway,
  ok,
  PATHS,
  settle,
  startFakeAngelServer,
} from './fixtures/fakeAngelServer.js';

// Token canaries are JWT-shaped like Angel's; the refresh failure below even echoes one back.
const jwtLike = (tag: string) => `eyJhbGciOiJIUzUxMiJ9.eyJ0YWciOiI${tag}In0.${tag}SIGNATURExyz`;
const CANARIES = {
  pin: 'PINCANARY7731',
  totpSecret: 'CANARYSECRETQWERTYUIOPASDF',
  apiKey: 'APIKEYCANARY5521',
  jwt: jwtLike('JWTCANARY'),
  refresh: jwtLike('REFRESHCANARY'),
  feed: jwtLike('FEEDCANARY'),
};

let server: FakeAngelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('secrets never reach logs or errors', () => {
  it('a login (failed, then good), a token rejection with a failed refresh and a 502 order leak nothing', async () => {
    const clock = new SimulatedClock(istToEpochMs(2026, 11, 24, 9, 0));
    let loginAttempts = 0;
    server = await startFakeAngelServer((request) => {
      switch (request.path) {
        case PATHS.login:
          loginAttempts++;
          return loginAttempts === 1
            ? fail('AB1050', 'Invalid totp')
            : ok({ jwtToken: CANARIES.jwt, refreshToken: CANARIES.refresh, feedToken: CANARIES.feed });
        case PATHS.profile:
          return gateway('AG8001', 'Invalid Token');
        case PATHS.refresh:
          return fail('AB8050', `Invalid Refresh Token ${CANARIES.refresh}`);
        default:
          return { status: 502, contentType: 'text/html', text: `<html>${CANARIES.apiKey}</html>` };
      }
    });

    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString('utf8'));
        callback();
      },
    });
    const logger = createLogger({ level: 'trace' }, sink);
    const client = new AngelRestClient({
      baseUrl: server.baseUrl,
      apiKey: CANARIES.apiKey,
      clientCode: 'A123456',
      clock,
      logger,
    });
    const errors: unknown[] = [];
    const capture = async (promise: Promise<unknown>) => {
      try {
        await settle(clock, promise);
      } catch (error) {
        errors.push(error);
      }
    };

    await capture(client.loginWithTotpSecret({ pin: CANARIES.pin, totpSecret: CANARIES.totpSecret }));
    await capture(client.login({ pin: CANARIES.pin, totp: generateTotp(CANARIES.totpSecret, clock.now()) }));
    expect(client.isLoggedIn(), 'second login worked').toBe(true);
    await capture(client.getProfile());
    await capture(client.loginWithTotpSecret({ pin: CANARIES.pin, totpSecret: CANARIES.totpSecret }));
    await capture(
      client.placeOrder({
        variety: 'NORMAL',
        tradingSymbol: 'X',
        symbolToken: '1',
        transactionType: 'BUY',
        exchange: 'NFO',
        orderType: 'LIMIT',
        productType: 'CARRYFORWARD',
        duration: 'DAY',
        price: 100,
        quantity: 75,
      }),
    );
    await capture(client.loginWithTotpSecret({ pin: CANARIES.pin, totpSecret: 'bad secret!' }));

    expect(
      errors.map((e) => (isIfError(e) ? e.code : 'other')),
      'the failures happened as scripted',
    ).toEqual([
      'IF_ERR_BROKER_AUTH',
      'IF_ERR_BROKER_SESSION',
      'IF_ERR_BROKER_UNAVAILABLE',
      'IF_ERR_VALIDATION',
    ]);
    const logText = chunks.join('');
    expect(logText.length, 'the client did log').toBeGreaterThan(0);
    const errorText = errors
      .map((e) =>
        isIfError(e) ? `${e.message} ${JSON.stringify(e.toJSON())} ${String(e.cause)}` : String(e),
      )
      .join('\n');
    for (const [name, canary] of Object.entries(CANARIES)) {
      expect(logText.includes(canary), `${name} absent from logs`).toBe(false);
      expect(errorText.includes(canary), `${name} absent from errors`).toBe(false);
    }
    const totp = generateTotp(CANARIES.totpSecret, clock.now());
    expect(logText.includes(`"${totp}"`), 'TOTP code absent from logs').toBe(false);
    expect(errorText.includes(totp), 'TOTP code absent from errors').toBe(false);
  });
});
