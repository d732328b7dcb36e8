import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { IfError } from '../core/errors.js';
import { sendError } from './errors.js';

/**
 * Where `npm run build:web` writes the dashboard: `<repo>/dist/web`, found from this file in `src/gateway/`
 * (tsx, tests) and in `dist/gateway/` (the built CLI) alike.
 */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../dist/web', import.meta.url));

export interface DashboardOptions {
  /** the built dashboard; default {@link DEFAULT_DASHBOARD_DIR} */
  root?: string;
}

/** Paths the dashboard never answers, so a typo under them stays an API-style 404. */
const RESERVED = ['/api', '/hubs', '/health', '/metrics'];

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Indexflow: dashboard not built</title>
<style>body{font-family:system-ui,sans-serif;background:#0b1220;color:#e2e8f0;margin:0;padding:2rem 1rem;line-height:1.5}
main{max-width:36rem;margin:auto}code{background:#1e293b;padding:.1rem .35rem;border-radius:4px}a{color:#38bdf8}</style>
</head><body><main>
<h1>The dashboard is not built</h1>
<p>The platform is running; its web dashboard has not been built yet. From the repository, run</p>
<p><code>npm run build:web</code> (or <code>npm run build</code>)</p>
<p>then restart the platform (<code>npm start</code> builds it when it is missing).</p>
<p>Meanwhile: <a href="/health/ready">/health/ready</a> · <a href="/api/v1/feed">/api/v1/feed</a> ·
<a href="/metrics">/metrics</a></p>
</main></body></html>
`;

const isReserved = (path: string) =>
  RESERVED.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

function sendHtml(reply: FastifyReply, html: string | Buffer): FastifyReply {
  return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
}

function staticHeaders(root: string) {
  return (reply: FastifyReply, filePath: string): void => {
    const file = relative(root, filePath).split(sep).join('/');
    // Vite names everything under assets/ by content hash, so those never change; the rest (index.html,
    // the manifest, icons) must be revalidated or a phone keeps yesterday's app.
    reply.header(
      'cache-control',
      file.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    if (file.endsWith('.webmanifest')) reply.header('content-type', 'application/manifest+json');
  };
}

/**
 * Serves the built web dashboard at `/` with a single-page-app fallback: a GET for any other unknown
 * path without a file extension (a deep link such as `/signals`) gets `index.html`. `/api`, `/hubs`,
 * `/health` and `/metrics` are never shadowed: unknown paths under them get the API's 404. Without a
 * build, `/` explains how to make one. Security headers (CSP, framing) come from the gateway's helmet.
 *
 * Register it last (`app.register(dashboardPlugin)`): it owns the root not-found handler. The files are
 * listed once at registration, so restart the platform after rebuilding the dashboard.
 */
export async function dashboardPlugin(app: FastifyInstance, options: DashboardOptions = {}): Promise<void> {
  const root = options.root ?? DEFAULT_DASHBOARD_DIR;
  const indexFile = join(root, 'index.html');
  const built = existsSync(indexFile);

  if (built) {
    // One route per file (wildcard: false): every other path reaches the not-found handler below.
    await app.register(fastifyStatic, {
      root,
      wildcard: false,
      index: 'index.html',
      decorateReply: false,
      // web/vite.config.ts writes .br and .gz beside each text file: a phone on 4G downloads a third.
      preCompressed: true,
      setHeaders: staticHeaders(root),
    });
  }

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const navigation = request.method === 'GET' || request.method === 'HEAD';
    // A missing asset is a 404, not the app's HTML (which a browser would try to run as a script).
    if (!navigation || isReserved(path) || extname(path) !== '') {
      return sendError(
        request,
        reply,
        new IfError('IF_ERR_NOT_FOUND', { what: `${request.method} ${path}` }),
      );
    }
    if (!built) return sendHtml(reply, NOT_BUILT);
    try {
      // Read per request (it is small), so the fallback and `/` always serve the same build.
      return sendHtml(reply, await readFile(indexFile));
    } catch {
      return sendHtml(reply, NOT_BUILT);
    }
  });
}
