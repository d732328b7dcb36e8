import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { type RunningPlatform, startPlatform } from '../src/engine/platform.js';
import { silentLogger } from '../src/ops/logger.js';
import type { Signal } from '../src/signals/index.js';

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function token(platform: RunningPlatform): Promise<string> {
  await platform.auth?.createUser('signals-viewer', 'a long viewer passphrase', 'trader');
  const login = await fetch(`${platform.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'signals-viewer', password: 'a long viewer passphrase' }),
  });
  expect(login.status).toBe(200);
  return ((await login.json()) as { accessToken: string }).accessToken;
}

describe('signals from the simulator (the demo)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('warms up from candle history, fires signals within minutes and keeps them across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'if-signals-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    // Speed 2, close to the demo's real time: faster runs thin out each option's updates per simulated
    // minute, and the picker rightly refuses contracts whose data is not fresh.
    const config = parseConfig({
      dataDir,
      server: { port: 0 },
      log: { level: 'silent' },
      sim: { speed: 2 },
    });
    const platform = await startPlatform(config, silentLogger());
    let closed = false;
    cleanups.push(async () => {
      if (!closed) await platform.close();
    });
    expect(platform.signals.stats.warmedUp['NIFTY'], 'a session and more of 1-minute bars').toBeGreaterThan(
      300,
    );

    await waitFor(() => platform.signals.stats.signals > 0, 200_000, 'a signal');
    const accessToken = await token(platform);
    const response = await fetch(`${platform.url}/api/v1/signals`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { signals: Signal[]; stats: { signals: number } };
    const first = body.signals.at(-1);
    expect(first, 'the API lists the signal').toBeDefined();
    if (first === undefined) return;
    expect(first.contributions.length, 'it says which parts agreed').toBeGreaterThan(0);
    expect(first.entryPaise).toBeGreaterThan(0);
    expect(
      first.side === 'BUY' ? first.stopPaise < first.entryPaise : first.stopPaise > first.entryPaise,
      'the stop is on the losing side of the entry',
    ).toBe(true);
    expect(['trend', 'mean-reversion', 'iv-regime']).toContain(first.strategy);

    // Paper trading: the signal became an order at the paper venue, visible with its position.
    await waitFor(() => (platform.trading?.manager.risk().counters.placed ?? 0) > 0, 60_000, 'a paper order');
    const orders = (await (
      await fetch(`${platform.url}/api/v1/orders`, { headers: { authorization: `Bearer ${accessToken}` } })
    ).json()) as { orders: { clientOrderId: string; status: string }[] };
    expect(orders.orders.length, 'the order API lists the signal order').toBeGreaterThan(0);
    expect(
      orders.orders.every((o) => /^IF\d{6}[0-9A-Z]+$/.test(o.clientOrderId)),
      'tagged ids',
    ).toBe(true);
    const risk = await fetch(`${platform.url}/api/v1/risk`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(((await risk.json()) as { route: string }).route).toBe('paper');

    // Persisted: a new platform on the same data directory serves it again.
    const stored = await platform.storage.repositories()?.signals.byId(first.id);
    expect(stored?.contributions).toEqual(first.contributions);
    await platform.close();
    closed = true;
    const again = await startPlatform(
      { ...config, signals: { ...config.signals, enabled: false } },
      silentLogger(),
    );
    cleanups.push(() => again.close());
    const login = await fetch(`${again.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'signals-viewer', password: 'a long viewer passphrase' }),
    });
    const { accessToken: second } = (await login.json()) as { accessToken: string };
    const after = (await (
      await fetch(`${again.url}/api/v1/signals`, { headers: { authorization: `Bearer ${second}` } })
    ).json()) as { signals: Signal[] };
    expect(after.signals.map((s) => s.id)).toContain(first.id);
  }, 300_000);
});
