import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isIfError } from '../core/errors.js';
import { loadConfig, parseConfig } from './load.js';

describe('configuration', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function tempFile(content: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'if-config-'));
    dirs.push(dir);
    const path = join(dir, 'config.json');
    writeFileSync(path, content);
    return path;
  }

  it('needs nothing to run the embedded demo: every field has a default', () => {
    const config = loadConfig({ env: {} });
    expect(config.server.port, 'dashboard port default').toBe(8080);
    expect(config.feed.source, 'the simulator is the default feed').toBe('simulator');
    expect(config.subscriptions.underlyings).toEqual(['NIFTY', 'BANKNIFTY']);
    expect(config.dataDir).toBe('./data');
  });

  it('applies defaults < file < environment < overrides', () => {
    const file = tempFile(
      JSON.stringify({ server: { port: 9000 }, log: { level: 'debug' }, sim: { seed: 7 } }),
    );
    const config = loadConfig({
      file,
      env: { PORT: '9100', INDEXFLOW__SIM__SEED: '11', INDEXFLOW__SUBSCRIPTIONS__STRIKESEACHSIDE: '4' },
      overrides: { sim: { seed: 12 } },
    });
    expect(config.server.port, 'PORT beats the file').toBe(9100);
    expect(config.log.level, 'file beats the default').toBe('debug');
    expect(config.sim.seed, 'CLI override beats environment').toBe(12);
    expect(config.subscriptions.strikesEachSide, 'generic env keys match camelCase case-insensitively').toBe(
      4,
    );
  });

  it('reads the file named by INDEXFLOW_CONFIG', () => {
    const file = tempFile(JSON.stringify({ dataDir: '/tmp/if-data' }));
    expect(loadConfig({ env: { INDEXFLOW_CONFIG: file } }).dataDir).toBe('/tmp/if-data');
  });

  it('names the bad key when a value is invalid', () => {
    try {
      loadConfig({ env: { PORT: '70000' } });
      expect.fail('an out-of-range port must be refused');
    } catch (error) {
      expect(isIfError(error, 'IF_ERR_CONFIG_INVALID'), 'coded config error').toBe(true);
      expect((error as { params: { key: string } }).params.key).toBe('server.port');
    }
  });

  it('refuses unknown keys instead of silently ignoring a typo', () => {
    try {
      parseConfig({ feed: { sorce: 'angelone' } });
      expect.fail('a misspelt key must be refused');
    } catch (error) {
      expect(isIfError(error, 'IF_ERR_CONFIG_INVALID')).toBe(true);
      expect(String((error as Error).message)).toContain('sorce');
    }
  });

  it('reports an unreadable or malformed file with its path', () => {
    const bad = tempFile('{ not json');
    expect(() => loadConfig({ file: bad, env: {} })).toThrowError(/not valid JSON/);
    try {
      loadConfig({ file: '/nonexistent/indexflow.json', env: {} });
      expect.fail('missing file must be refused');
    } catch (error) {
      expect(isIfError(error, 'IF_ERR_CONFIG_FILE')).toBe(true);
    }
  });
});
