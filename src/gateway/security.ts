import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The Content-Security-Policy of everything the gateway serves (dashboard, API docs, API): scripts,
 * styles, fonts and images only from this origin, fetch/WebSocket/EventSource only to this origin
 * (CSP Level 3 `'self'` covers ws: and wss: on the same host), no plugins, no framing, no inline script.
 * Inline styles stay allowed: UI libraries (Swagger UI among them) set style attributes, and a style
 * cannot run code.
 */
export const CONTENT_SECURITY_POLICY: Readonly<Record<string, readonly string[]>> = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
};

/** Exact origins (`https://dash.example.com`, no path) that may call the API from a browser. */
export interface SecurityOptions {
  corsOrigins: readonly string[];
}

/** Browsers may send these on cross-origin calls (bearer token, JSON bodies, idempotent order placement). */
const CORS_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key'];

/**
 * Security headers on every response (@fastify/helmet) and CORS closed by default: with no allowed
 * origins the plugin is not even registered, so no response carries Access-Control-* headers; with a
 * list, only an exact match is echoed (never `*`, never a reflected arbitrary origin). No credentials mode:
 * the API takes bearer tokens, not cookies.
 */
export function registerSecurity(app: FastifyInstance, options: SecurityOptions): void {
  void app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: Object.fromEntries(
        Object.entries(CONTENT_SECURITY_POLICY).map(([name, values]) => [name, [...values]]),
      ),
    },
    // The gateway serves plain HTTP on loopback by default; HSTS belongs to the TLS terminator in front.
    strictTransportSecurity: false,
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  const allowed = [...new Set(options.corsOrigins)];
  if (allowed.length === 0) return;
  void app.register(cors, {
    origin: allowed,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: CORS_HEADERS,
    credentials: false,
    maxAge: 600,
  });
}
