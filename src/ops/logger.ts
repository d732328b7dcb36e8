import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Every field name that may hold a secret, at any depth we log. pino's redact paths do not support a
 * recursive wildcard, so the common nestings are listed explicitly; the canary test in logger.test.ts
 * proves none of them leaks.
 */
const SECRET_KEYS = [
  'password',
  'pin',
  'mpin',
  'totp',
  'totpSecret',
  'apiKey',
  'api_key',
  'secret',
  'secretKey',
  'jwtToken',
  'feedToken',
  'refreshToken',
  'accessToken',
  'authorization',
  'Authorization',
  'x-privatekey',
  'X-PrivateKey',
  'x-api-key',
  'x-feed-token',
  'cookie',
  'access_token',
  'feedtoken',
];

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SECRET_KEYS) {
    const safe = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    const join = (prefix: string) => (safe.startsWith('[') ? `${prefix}${safe}` : `${prefix}.${safe}`);
    paths.push(safe.startsWith('[') ? safe : key, join('*'), join('*.*'), join('*.*.*'));
    paths.push(join('req.headers'), join('headers'), join('*.headers'));
  }
  return [...new Set(paths)];
}

export interface LoggerSettings {
  level: string;
  pretty?: boolean;
  name?: string;
}

export function createLogger(settings: LoggerSettings, destination?: NodeJS.WritableStream): Logger {
  const options: LoggerOptions = {
    name: settings.name ?? 'indexflow',
    level: settings.level,
    redact: { paths: redactPaths(), censor: '[redacted]' },
    base: undefined,
  };
  if (destination) return pino(options, destination as pino.DestinationStream);
  if (settings.pretty) {
    // pino-pretty runs in a worker thread (pino transport) so formatting never blocks the event loop.
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return pino(options);
}

/** A logger that discards everything (tests, library defaults). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
