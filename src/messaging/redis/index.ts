import type { Clock } from '../../core/clock.js';
import type { Config } from '../../config/index.js';
import type { Logger } from '../../ops/logger.js';
import type { Registry } from '../../ops/metrics.js';
import { RedisStateMirror } from './mirror.js';

export { type JsonObject, type JsonValue, type StateUpdate, updatesChannel } from './codec.js';
export { DEFAULT_RECONNECT, type ReconnectPolicy, parseRedisUrl } from './connection.js';
export { type RedisMirrorStats, RedisStateMirror, type RedisStateMirrorOptions } from './mirror.js';
export { RedisStateReader, type RedisStateReaderOptions, type StateUpdateListener } from './reader.js';

/** The mirror the `redis` config section asks for, or undefined when `redis.url` is unset (mirroring off). */
export function createRedisStateMirror(
  config: Config['redis'],
  deps: { clock: Clock; logger?: Logger; metrics?: Registry },
): RedisStateMirror | undefined {
  if (config.url === undefined) return undefined;
  return new RedisStateMirror({
    url: config.url,
    keyPrefix: config.keyPrefix,
    flushIntervalMs: config.flushIntervalMs,
    ...deps,
  });
}

/** Conventional key of an instrument's latest market state (`market:<token>`). */
export function marketStateKey(token: string): string {
  return `market:${token}`;
}
