import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { dashboardPlugin } from './dashboard.js';

const INDEX =
  '<!doctype html><html><body><div id="app"></div><script type="module" src="/assets/app-1a2b.js"></script></body></html>';
const SCRIPT = 'console.log("indexflow dashboard");'.repeat(20);

describe('dashboardPlugin', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function gateway(root: string): Promise<FastifyInstance> {
    const app = Fastify({ logger: false });
    app.get('/api/v1/ping', async () => ({ pong: true }));
    app.get('/health/live', async () => ({ status: 'live' }));
    await app.register(dashboardPlugin, { root });
    cleanups.push(() => app.close());
    return app;
  }

  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'if-dashboard-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  function builtDashboard(): string {
    const root = tempDir();
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), INDEX);
    writeFileSync(join(root, 'assets', 'app-1a2b.js'), SCRIPT);
    writeFileSync(join(root, 'assets', 'app-1a2b.js.br'), brotliCompressSync(SCRIPT));
    writeFileSync(join(root, 'manifest.webmanifest'), '{"name":"Indexflow"}');
    return root;
  }

  it('serves the build at / and falls back to index.html for deep links, revalidating HTML', async () => {
    const app = await gateway(builtDashboard());
    const home = await app.inject('/');
    expect(home.statusCode).toBe(200);
    expect(home.headers['content-type'], 'HTML').toContain('text/html');
    expect(home.body).toBe(INDEX);
    expect(home.headers['cache-control'], 'a new build reaches phones at once').toBe('no-cache');

    const deep = await app.inject('/signals?tab=1');
    expect(deep.statusCode, 'SPA fallback for a path without an extension').toBe(200);
    expect(deep.body).toBe(INDEX);
    expect((await app.inject({ method: 'HEAD', url: '/trading' })).statusCode, 'HEAD too').toBe(200);
  });

  it('serves hashed assets as immutable and the pre-compressed copy to browsers that take it', async () => {
    const app = await gateway(builtDashboard());
    const plain = await app.inject('/assets/app-1a2b.js');
    expect(plain.statusCode).toBe(200);
    expect(plain.body).toBe(SCRIPT);
    expect(plain.headers['cache-control'], 'content-hashed names never change').toContain('immutable');

    const brotli = await app.inject({
      url: '/assets/app-1a2b.js',
      headers: { 'accept-encoding': 'br, gzip' },
    });
    expect(brotli.headers['content-encoding'], 'the .br file beside the asset').toBe('br');
    expect(brotli.headers['content-type']).toContain('javascript');

    const manifest = await app.inject('/manifest.webmanifest');
    expect(manifest.headers['content-type'], 'browsers install the PWA from this type').toContain(
      'application/manifest+json',
    );
  });

  it('never shadows the API, the hub, health or metrics, and does not answer missing assets with HTML', async () => {
    const app = await gateway(builtDashboard());
    expect((await app.inject('/api/v1/ping')).json(), 'API routes still answer').toEqual({ pong: true });
    expect((await app.inject('/health/live')).json()).toEqual({ status: 'live' });
    for (const url of [
      '/api/v1/nothing',
      '/api',
      '/hubs/other',
      '/health/nothing',
      '/metrics/x',
      '/assets/gone.js',
    ]) {
      const response = await app.inject(url);
      expect(response.statusCode, `${url} is a 404`).toBe(404);
      expect(response.json().error.code, `${url} in the API's error format, not the app's HTML`).toBe(
        'IF_ERR_NOT_FOUND',
      );
    }
    expect(
      (await app.inject({ method: 'POST', url: '/signals' })).statusCode,
      'only GET/HEAD fall back',
    ).toBe(404);
  });

  it('without a build, / says the dashboard is not built and how to build it (not a 404)', async () => {
    const app = await gateway(tempDir());
    const home = await app.inject('/');
    expect(home.statusCode).toBe(200);
    expect(home.headers['content-type']).toContain('text/html');
    expect(home.body).toContain('not built');
    expect(home.body, 'the command to run').toContain('npm run build:web');
    expect((await app.inject('/api/v1/nothing')).statusCode).toBe(404);
    expect((await app.inject('/api/v1/ping')).statusCode).toBe(200);
  });
});
