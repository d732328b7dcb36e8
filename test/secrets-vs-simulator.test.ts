import { afterEach, describe, expect, it } from 'vitest';
import { generateTotp, verifyTotp } from '../src/brokers/angelone/auth/totp.js';
import { SubscriptionMode } from '../src/brokers/angelone/codec/index.js';
import { AngelOrderUpdatesClient } from '../src/brokers/angelone/orderupdates/index.js';
import { IfError } from '../src/core/errors.js';
import { LiveClock } from '../src/engine/clocks.js';
import type { SimSession } from '../src/sim/auth/sessions.js';
import { randomSimAccount } from '../src/sim/simulator.js';
import {
  Cleanup,
  capturingLogger,
  FAST_FEED,
  nearOptions,
  pairsOf,
  recordingFeed,
  restClient,
  startWallSim,
  waitFor,
  watchProcessErrors,
} from './support/simHarness.js';

/**
 * Secrets never reach the logs (reliability-and-security.md, secrets handling; STYLE.md "errors never
 * carry secrets"): the whole stack — simulator, REST client, feed client, order-status client — logs at
 * debug level into one buffer through a login, a refused login, a 401 feed handshake with its session
 * refresh, a forced AG8001 refresh and failing REST calls; then the buffer and every error thrown are
 * searched for the PIN, TOTP secret, API key and every jwt, refresh and feed token issued.
 */

let cleanup = new Cleanup();
let processErrors: unknown[] = [];

afterEach(async () => {
  const errors = processErrors;
  await cleanup.run();
  cleanup = new Cleanup();
  expect(errors, 'no unhandled rejection or uncaught exception escaped the clients').toEqual([]);
});

/** Records every session the simulator issues (login and refresh), tokens included. */
function recordIssuedSessions(sessions: {
  create(clientCode: string): SimSession;
  refresh(refreshToken: string): SimSession | undefined;
}): SimSession[] {
  const issued: SimSession[] = [];
  const create = sessions.create.bind(sessions);
  const refresh = sessions.refresh.bind(sessions);
  sessions.create = (clientCode) => {
    const session = create(clientCode);
    issued.push(session);
    return session;
  };
  sessions.refresh = (refreshToken) => {
    const session = refresh(refreshToken);
    if (session !== undefined) issued.push(session);
    return session;
  };
  return issued;
}

async function caught(promise: Promise<unknown>): Promise<IfError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IfError) return error;
    throw new Error(`expected an IfError, got ${String(error)}`);
  }
  throw new Error('expected the call to fail, it succeeded');
}

describe('secrets stay out of logs and errors', () => {
  it('login, a refused login, a 401 feed handshake, token refreshes and failing REST calls log no pin, TOTP secret, API key or token', async () => {
    processErrors = watchProcessErrors(cleanup);
    const { logger, lines } = capturingLogger();
    // A fixed PIN, so the digit-boundary search below cannot hit a random coincidence in a log number.
    const account = { ...randomSimAccount(), pin: '8642' };
    const { sim, clock } = await startWallSim(cleanup, {
      account,
      logger: logger.child({ component: 'sim' }),
    });
    const issued = recordIssuedSessions(sim.sessions);
    const errors: IfError[] = [];

    // A full second of padding on the client's rate windows: this test is about secrets, not pacing. The
    // client stamps a call when it sends it, the server when it arrives; a request stalled in between (a
    // cold first fetch, a CPU-starved worker) lets the next login or refresh, paced one padded window
    // later, land < 1 s after it at the server: 403, and logins and refreshes are not retried (see the
    // report). The cost is two extra seconds of waiting.
    await (await fetch(sim.instrumentMasterUrl)).arrayBuffer();
    const rest = restClient(sim, clock, { logger, retry: { maxAttempts: 1 }, limits: { paddingMs: 1000 } });
    // A refused login (wrong TOTP), then the real one.
    let skewMs = 90_000;
    while (
      verifyTotp(account.totpSecret, generateTotp(account.totpSecret, clock.now() + skewMs), clock.now())
        .valid
    ) {
      skewMs += 30_000;
    }
    const wrongTotp = generateTotp(account.totpSecret, clock.now() + skewMs);
    errors.push(await caught(rest.login({ pin: account.pin, totp: wrongTotp })));
    await rest.loginWithTotpSecret({ pin: account.pin, totpSecret: account.totpSecret });

    // The feed, refused once with 401, refreshing the session through REST.
    let refreshes = 0;
    const feed = recordingFeed(cleanup, sim, rest, {
      logger,
      onAuthFailure: async () => {
        refreshes++;
        await rest.refreshSession();
      },
    });
    const pairs = pairsOf(nearOptions(sim, 'NIFTY', 5), SubscriptionMode.SNAP_QUOTE);
    sim.feed.setFaults('default', { handshake: { status: 401, count: 1 } });
    feed.client.subscribe(pairs);
    await waitFor(
      () => feed.packets.length >= pairs.length,
      'snapshots after the re-authenticated handshake',
    );
    expect(refreshes, 'the 401 path (with its refresh) really ran').toBe(1);

    // The order-status socket, with the same session.
    const orderUpdates = new AngelOrderUpdatesClient({
      url: sim.orderFeedUrl,
      credentials: () => {
        const session = rest.session();
        if (session === undefined) throw new Error('not logged in');
        return session;
      },
      clock: new LiveClock(),
      logger,
      pingIntervalMs: FAST_FEED.pingIntervalMs,
      backoff: FAST_FEED.backoff,
    });
    cleanup.add(() => orderUpdates.close());
    orderUpdates.start();
    await waitFor(() => orderUpdates.stats().updates >= 1, 'the AB00 acknowledgement');

    // Failing REST calls: an HTML 502, a forced AG8001 (refresh and repeat), a 403 rate limit.
    const tokens = { NFO: pairs.map((pair) => pair.token) };
    sim.restFaults.forceGatewayError(502, 1, 'market/v1/quote');
    errors.push(await caught(rest.getQuote('FULL', tokens)));
    sim.restFaults.forceInvalidToken(1);
    await rest.getQuote('FULL', tokens);
    sim.restFaults.forceRateLimit(1, 'market/v1/quote');
    errors.push(await caught(rest.getQuote('LTP', tokens)));

    expect(issued.length, 'one login and two refreshes issued tokens').toBe(3);
    const text = lines.join('');
    // The paths above must actually have been logged, or the search below proves nothing.
    for (const message of [
      'angel login ok',
      'angel rest call refused',
      'angel token rejected; refreshing',
      'angel session refreshed',
      'reconnect scheduled',
    ]) {
      expect(text.includes(message), `the log shows "${message}"`).toBe(true);
    }
    expect(text.includes(account.clientCode), 'values do reach the log (the client code is not secret)').toBe(
      true,
    );
    expect(
      errors.map((error) => error.code),
      'the failures that were meant to be logged happened',
    ).toEqual(['IF_ERR_BROKER_AUTH', 'IF_ERR_BROKER_UNAVAILABLE', 'IF_ERR_BROKER_RATE_LIMITED']);

    const secrets: Array<[string, string]> = [
      ['TOTP secret', account.totpSecret],
      ['API key', account.apiKey],
    ];
    for (const session of issued) {
      secrets.push(['jwt', session.jwtToken], ['refresh token', session.refreshToken]);
      secrets.push(['feed token', session.feedToken]);
      // The header segment is the same for every token; the signature is what is secret.
      const signature = session.jwtToken.split('.').at(-1) ?? '';
      secrets.push(['jwt signature', signature]);
    }
    const errorText = errors.map((error) => `${error.message} ${JSON.stringify(error.params)}`).join('\n');
    for (const [name, value] of secrets) {
      expect(value.length, `${name} is a real value to search for`).toBeGreaterThanOrEqual(8);
      expect(text.includes(value), `the ${name} is not in the logs`).toBe(false);
      expect(errorText.includes(value), `the ${name} is not in any error`).toBe(false);
    }
    const pin = /(?<!\d)8642(?!\d)/;
    expect(pin.test(text), 'the PIN is not in the logs').toBe(false);
    expect(pin.test(errorText), 'the PIN is not in any error').toBe(false);
    const totp = new RegExp(`(?<!\\d)${wrongTotp}(?!\\d)`);
    expect(totp.test(text), 'the TOTP code sent is not in the logs').toBe(false);
  });
});
