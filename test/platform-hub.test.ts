import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpTransportType, HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { startPlatform } from '../src/engine/platform.js';
import { silentLogger } from '../src/ops/logger.js';

describe('the platform hub behind login', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('a viewer created in storage logs in over HTTP and receives NIFTY index ticks on the official client', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'if-platform-hub-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = parseConfig({
      dataDir,
      server: { port: 0 },
      log: { level: 'silent' },
      sim: { speed: 5 },
      subscriptions: { strikesEachSide: 1 },
    });
    const platform = await startPlatform(config, silentLogger());
    cleanups.push(() => platform.close());
    const auth = platform.auth;
    expect(auth, 'the platform creates the auth service over its storage').toBeDefined();
    await auth?.createUser('viewer1', 'a long viewer passphrase', 'viewer');

    const unauthenticated = await fetch(`${platform.url}/hubs/market/negotiate?negotiateVersion=1`, {
      method: 'POST',
    });
    expect(unauthenticated.status, 'the hub needs a token').toBe(401);

    const login = await fetch(`${platform.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'viewer1', password: 'a long viewer passphrase' }),
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };

    const index = platform.instruments.indexInstrument('NIFTY');
    expect(index, 'NIFTY index in the master').toBeDefined();
    const channel = `ticks:${index?.token ?? ''}`;
    const connection = new HubConnectionBuilder()
      .withUrl(`${platform.url}/hubs/market`, {
        transport: HttpTransportType.WebSockets,
        accessTokenFactory: () => accessToken,
      })
      .configureLogging(LogLevel.None)
      .build();
    cleanups.push(() => connection.stop());
    const received = new Promise<{ channel: string; payload: { token?: string } }>((resolve) => {
      connection.on('update', (name: string, payload: { token?: string }) => {
        if (name === channel) resolve({ channel: name, payload });
      });
    });
    await connection.start();
    await connection.invoke('subscribe', channel);
    const update = await received;
    expect(update.payload.token, 'a tick of the subscribed index').toBe(index?.token);
    expect((await fetch(`${platform.url}/api/v1/feed`)).status, 'the REST API needs a token too').toBe(401);
    const feed = await fetch(`${platform.url}/api/v1/feed`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(feed.status, 'a viewer reads the feed view').toBe(200);

    const health = new Promise<{ components?: Record<string, unknown> }>((resolve) => {
      connection.on('update', (name: string, payload: { components?: Record<string, unknown> }) => {
        if (name === 'health' && payload.components !== undefined) resolve(payload);
      });
    });
    await connection.invoke('subscribe', 'health');
    expect(
      Object.keys((await health).components ?? {}),
      'readiness per component on the health channel',
    ).toContain('feed');
  }, 30_000);
});
