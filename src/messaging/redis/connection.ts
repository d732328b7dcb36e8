import { type RedisClientType, createClient } from 'redis';
import { IfError } from '../../core/errors.js';

/** A Redis URL split into what may be shown (address) and what must not (credentials). */
export interface RedisEndpoint {
  url: string;
  /** `host:port` only, safe for logs, health and error messages */
  address: string;
  /** kept only to scrub it from any error text that might echo it back */
  password: string | undefined;
}

/**
 * Checks a `redis://` / `rediss://` URL at the boundary. The error never repeats the URL: it may carry a
 * password.
 */
export function parseRedisUrl(url: string): RedisEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new IfError('IF_ERR_CONFIG_INVALID', {
      key: 'redis.url',
      detail: 'not a URL; expected redis://[user:password@]host[:port][/db]',
    });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new IfError('IF_ERR_CONFIG_INVALID', {
      key: 'redis.url',
      detail: `scheme ${parsed.protocol} is not redis: or rediss:`,
    });
  }
  if (parsed.hostname === '') {
    throw new IfError('IF_ERR_CONFIG_INVALID', { key: 'redis.url', detail: 'no host' });
  }
  const port = parsed.port === '' ? '6379' : parsed.port;
  const password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  return { url, address: `${parsed.hostname}:${port}`, password };
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code !== '') return code;
  // Node's happy-eyeballs connect (localhost → ::1 and 127.0.0.1) fails with an AggregateError
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const innerCode = errorCode(inner);
      if (innerCode !== undefined) return innerCode;
    }
  }
  return undefined;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message !== '') return error.message;
  return String(error);
}

/**
 * Why a Redis call or connection failed, without credentials. A socket error code (ECONNREFUSED,
 * ETIMEDOUT…) is preferred over the message because it is stable and short; Redis replies (WRONGPASS,
 * LOADING…) have no code and keep their message.
 */
export function redisErrorReason(endpoint: RedisEndpoint, error: unknown): string {
  const reason = errorCode(error) ?? errorMessage(error);
  return endpoint.password === undefined ? reason : reason.split(endpoint.password).join('[redacted]');
}

/** One line for health and logs, e.g. `redis unreachable at 127.0.0.1:6380: ECONNREFUSED`. */
export function describeRedisError(endpoint: RedisEndpoint, error: unknown, what = 'unreachable'): string {
  return `redis ${what} at ${endpoint.address}: ${redisErrorReason(endpoint, error)}`;
}

export interface ReconnectPolicy {
  /** first retry delay, ms */
  initialDelayMs: number;
  /** cap on the delay, ms; Redis outages are usually restarts, so retry at least this often */
  maxDelayMs: number;
}

export const DEFAULT_RECONNECT: Readonly<ReconnectPolicy> = { initialDelayMs: 100, maxDelayMs: 5_000 };

/**
 * Delay before retry `retries` (0-based): `initialDelayMs · 2^retries`, capped, then scaled into
 * [50 %, 100 %] by `random` ∈ [0, 1) so that many processes restarting together do not reconnect in step.
 */
export function reconnectDelayMs(retries: number, policy: ReconnectPolicy, random: number): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(Math.max(0, retries), 30));
  const factor = 0.5 + 0.5 * Math.min(Math.max(random, 0), 1);
  return Math.max(1, Math.round(base * factor));
}

export function resolveReconnectPolicy(partial: Partial<ReconnectPolicy> | undefined): ReconnectPolicy {
  const policy = { ...DEFAULT_RECONNECT, ...partial };
  if (!(policy.initialDelayMs > 0) || !(policy.maxDelayMs >= policy.initialDelayMs)) {
    throw new IfError('IF_ERR_VALIDATION', {
      detail: `redis reconnect: need 0 < initialDelayMs ≤ maxDelayMs (got ${policy.initialDelayMs}, ${policy.maxDelayMs})`,
    });
  }
  return policy;
}

export type RedisClient = RedisClientType;

export interface ConnectionOptions {
  reconnect: ReconnectPolicy;
  /** TCP connect + handshake budget per attempt, ms */
  connectTimeoutMs: number;
  random?: () => number;
}

/**
 * A node-redis client that never gives up reconnecting (capped backoff) and rejects commands while
 * disconnected instead of queueing them: the caller keeps its own latest state, so a queue of stale
 * commands replayed after an outage would only be wasted memory and stale writes.
 */
export function createRedisConnection(endpoint: RedisEndpoint, options: ConnectionOptions): RedisClient {
  const random = options.random ?? Math.random;
  return createClient({
    url: endpoint.url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: options.connectTimeoutMs,
      reconnectStrategy: (retries) => reconnectDelayMs(retries, options.reconnect, random()),
    },
  });
}
