import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type Logger, silentLogger } from '../../ops/logger.js';
import type { HubPrincipal } from './channels.js';
import type { MarketHub } from './hub.js';
import { type HubPluginOptions, hubPlugin } from './plugin.js';

const RS = '\u001e';
const USERS: Record<string, HubPrincipal> = {
  'viewer-token': { userId: 'u1', role: 'viewer' },
  'other-token': { userId: 'u2', role: 'viewer' },
};
const authenticate = async (token: string): Promise<HubPrincipal | undefined> => USERS[token];
const AUTH = { authorization: 'Bearer viewer-token' };

function makeApp(logger: Logger) {
  return Fastify({ loggerInstance: logger });
}
type App = ReturnType<typeof makeApp>;

let app: App | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function build(
  options: Partial<HubPluginOptions> = {},
  logger: Logger = silentLogger(),
): Promise<{ app: App; hub: MarketHub }> {
  const plugin = hubPlugin({ authenticate, ...options });
  const server = makeApp(logger);
  app = server;
  await server.register(plugin);
  await server.ready();
  return { app: server, hub: plugin.hub };
}

async function negotiate(server: App): Promise<string> {
  const response = await server.inject({
    method: 'POST',
    url: '/hubs/market/negotiate?negotiateVersion=1',
    headers: AUTH,
  });
  return response.json().connectionToken as string;
}

describe('hub HTTP endpoints', () => {
  it('negotiates version 1 with a secret token and all three transports in preference order', async () => {
    const { app } = await build();
    const response = await app.inject({
      method: 'POST',
      url: '/hubs/market/negotiate?negotiateVersion=1',
      headers: AUTH,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.json();
    expect(body).toEqual({
      negotiateVersion: 1,
      connectionId: expect.any(String),
      connectionToken: expect.any(String),
      availableTransports: [
        { transport: 'WebSockets', transferFormats: ['Text', 'Binary'] },
        { transport: 'ServerSentEvents', transferFormats: ['Text'] },
        { transport: 'LongPolling', transferFormats: ['Text', 'Binary'] },
      ],
    });
    expect(body.connectionToken, 'the token is not the public id').not.toBe(body.connectionId);
  });

  it('negotiates version 0 (no token) when the client names none, and caps higher versions at 1', async () => {
    const { app } = await build({ transports: ['LongPolling'] });
    const v0 = (await app.inject({ method: 'POST', url: '/hubs/market/negotiate', headers: AUTH })).json();
    expect(v0.negotiateVersion).toBe(0);
    expect(v0.connectionToken).toBeUndefined();
    expect(v0.availableTransports, 'only enabled transports are offered').toEqual([
      { transport: 'LongPolling', transferFormats: ['Text', 'Binary'] },
    ]);
    const v5 = (
      await app.inject({ method: 'POST', url: '/hubs/market/negotiate?negotiateVersion=5', headers: AUTH })
    ).json();
    expect(v5.negotiateVersion).toBe(1);
    const bad = await app.inject({
      method: 'POST',
      url: '/hubs/market/negotiate?negotiateVersion=x',
      headers: AUTH,
    });
    expect(bad.json(), 'clients read the error from a 200 body').toEqual({
      error: "The client requested an invalid protocol version 'x'",
    });
  });

  it.each([
    ['POST', '/hubs/market/negotiate'],
    ['GET', '/hubs/market?id=abc'],
    ['POST', '/hubs/market?id=abc'],
    ['DELETE', '/hubs/market?id=abc'],
  ] as const)('refuses %s %s with 401 without a valid token', async (method, url) => {
    const { app, hub } = await build();
    for (const headers of [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: 'Basic dmlld2VyLXRva2Vu' },
    ]) {
      const response = await app.inject({ method, url, headers });
      expect(response.statusCode, JSON.stringify(headers)).toBe(401);
      expect(response.json().error.code).toBe('IF_ERR_HUB_UNAUTHENTICATED');
      expect(response.headers['www-authenticate']).toBe('Bearer');
    }
    expect(hub.stats().authFailures).toBe(3);
  });

  it('accepts the token from the access_token query, as browsers and EventSource send it', async () => {
    const { app } = await build();
    const response = await app.inject({
      method: 'POST',
      url: '/hubs/market/negotiate?access_token=viewer-token',
    });
    expect(response.statusCode).toBe(200);
  });

  it('answers 500, not 401, when the authenticator itself fails', async () => {
    const { app } = await build({
      authenticate: async () => {
        throw new Error('user store down');
      },
    });
    const response = await app.inject({ method: 'POST', url: '/hubs/market/negotiate', headers: AUTH });
    expect(response.statusCode, 'a broken authenticator is not the client failing to authenticate').toBe(500);
    expect(response.json().error.code).toBe('IF_ERR_INTERNAL');
  });

  it('answers 400 without id, 404 for an unknown id and 403 for another user', async () => {
    const { app } = await build();
    const token = await negotiate(app);
    expect((await app.inject({ method: 'GET', url: '/hubs/market', headers: AUTH })).statusCode).toBe(400);
    expect(
      (await app.inject({ method: 'POST', url: '/hubs/market?id=nope', headers: AUTH })).statusCode,
    ).toBe(404);
    const other = await app.inject({
      method: 'GET',
      url: `/hubs/market?id=${token}`,
      headers: { authorization: 'Bearer other-token' },
    });
    expect(other.statusCode, 'a connection belongs to the user who negotiated it').toBe(403);
    expect(other.json().error.code).toBe('IF_ERR_HUB_IDENTITY_CHANGED');
  });

  it('runs a long-polling connection: start, handshake, invoke, delete, then 404/204', async () => {
    const { app, hub } = await build();
    const token = await negotiate(app);
    const url = `/hubs/market?id=${token}`;
    const first = await app.inject({ method: 'GET', url: `${url}&_=1`, headers: AUTH });
    expect(first.statusCode, 'the first poll starts the transport at once').toBe(200);
    expect(first.body).toBe('');

    // Dart posts with application/json although the body ends in 0x1E; it must still be read raw.
    const handshake = await app.inject({
      method: 'POST',
      url,
      headers: { ...AUTH, 'content-type': 'application/json;charset=UTF-8' },
      payload: `{"protocol":"json","version":1}${RS}`,
    });
    expect(handshake.statusCode).toBe(200);
    const reply = await app.inject({ method: 'GET', url: `${url}&_=2`, headers: AUTH });
    expect(reply.body).toBe(`{}${RS}`);
    expect(reply.headers['content-type']).toBe('application/octet-stream');
    expect(reply.headers['cache-control']).toBe('no-cache, no-store');

    const invoke = await app.inject({
      method: 'POST',
      url,
      headers: { ...AUTH, 'content-type': 'application/octet-stream' },
      payload: `{"type":1,"invocationId":"0","target":"subscribe","arguments":["signals"]}${RS}`,
    });
    expect(invoke.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `${url}&_=3`, headers: AUTH })).body).toBe(
      `{"type":3,"invocationId":"0"}${RS}`,
    );

    // A held poll is answered as soon as an update is flushed.
    const held = app.inject({ method: 'GET', url: `${url}&_=4`, headers: AUTH });
    hub.publish('signals', 's1', { id: 's1' });
    expect((await held).body).toBe(`{"type":1,"target":"update","arguments":["signals",{"id":"s1"}]}${RS}`);

    const removed = await app.inject({ method: 'DELETE', url, headers: AUTH });
    expect(removed.statusCode).toBe(202);
    const lateClose = await app.inject({ method: 'POST', url, headers: AUTH, payload: `{"type":7}${RS}` });
    expect(lateClose.statusCode, 'the Close the JS client posts after DELETE').toBe(404);
    expect((await app.inject({ method: 'GET', url: `${url}&_=5`, headers: AUTH })).statusCode).toBe(204);
    expect(hub.stats().closed.deleted).toBe(1);
  });

  it('refuses DELETE for connections that are not long polling', async () => {
    const { app } = await build();
    const token = await negotiate(app);
    const response = await app.inject({ method: 'DELETE', url: `/hubs/market?id=${token}`, headers: AUTH });
    expect(response.statusCode).toBe(400);
  });

  it('refuses a POST before any transport started and a transport that is not enabled', async () => {
    const { app } = await build({ transports: ['WebSockets'] });
    const token = await negotiate(app);
    const post = await app.inject({
      method: 'POST',
      url: `/hubs/market?id=${token}`,
      headers: AUTH,
      payload: 'x',
    });
    expect(post.statusCode).toBe(400);
    const poll = await app.inject({ method: 'GET', url: `/hubs/market?id=${token}`, headers: AUTH });
    expect(poll.statusCode, 'long polling is off').toBe(400);
  });

  it('limits connections per user with 429', async () => {
    const { app } = await build({ maxConnectionsPerUser: 1 });
    await negotiate(app);
    const second = await app.inject({ method: 'POST', url: '/hubs/market/negotiate', headers: AUTH });
    expect(second.statusCode).toBe(429);
    expect(second.json().error.code).toBe('IF_ERR_HUB_TOO_MANY_CONNECTIONS');
  });

  it('mounts at another path when asked', async () => {
    const { app } = await build({ path: '/hubs/other/' });
    const response = await app.inject({ method: 'POST', url: '/hubs/other/negotiate', headers: AUTH });
    expect(response.statusCode).toBe(200);
  });

  it('never writes the access token into request logs', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const { app } = await build({}, createLogger({ level: 'info' }, sink));
    await app.inject({
      method: 'POST',
      url: '/hubs/market/negotiate?access_token=viewer-token&negotiateVersion=1',
    });
    await app.inject({ method: 'GET', url: '/hubs/market?id=x&access_token=viewer-token' });
    const log = lines.join('');
    expect(log, 'requests were logged').toContain('incoming request');
    expect(log).toContain('access_token=[redacted]');
    expect(log, 'the token itself never appears').not.toContain('viewer-token');
  });
});
