import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { startPlatform } from '../src/engine/platform.js';
import { silentLogger } from '../src/ops/logger.js';

describe('platform hub settings from config', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('hub.flushIntervalMs reaches the hub, and the hub counters are on /metrics', async () => {
    expect(parseConfig({}).hub.flushIntervalMs, 'the default stays 50 ms').toBe(50);
    const dataDir = mkdtempSync(join(tmpdir(), 'if-platform-hub-settings-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = parseConfig({
      dataDir,
      server: { port: 0 },
      log: { level: 'silent' },
      hub: { flushIntervalMs: 0 },
      subscriptions: { underlyings: ['NIFTY'], strikesEachSide: 1 },
    });
    const platform = await startPlatform(config, silentLogger());
    cleanups.push(() => platform.close());

    expect(platform.hub?.settings.flushIntervalMs, 'flush within the event-loop turn').toBe(0);
    const metrics = await (await fetch(`${platform.url}/metrics`)).text();
    for (const name of [
      'indexflow_hub_updates_sent_total',
      'indexflow_hub_updates_conflated_total',
      'indexflow_hub_connections_closed_total',
    ]) {
      expect(metrics, `${name} is exported`).toContain(`# TYPE ${name} counter`);
    }
  }, 30_000);
});
