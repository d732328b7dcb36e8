import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { IfError } from '../core/errors.js';
import { type Config, ConfigSchema } from './schema.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * Named environment variables (DESIGN.md §7) and the config path each sets. Any other key can be set
 * as `INDEXFLOW__SECTION__KEY` (double underscores, camelCase key names are matched case-insensitively).
 */
const NAMED_ENV: Record<string, string> = {
  PORT: 'server.port',
  HOST: 'server.host',
  INDEXFLOW_DATA_DIR: 'dataDir',
  INDEXFLOW_LOG_LEVEL: 'log.level',
  INDEXFLOW_FEED_SOURCE: 'feed.source',
  DATABASE_URL: 'storage.databaseUrl',
  REDIS_URL: 'redis.url',
  ANGELONE_CLIENT_CODE: 'angelone.clientCode',
  ANGELONE_PIN: 'angelone.pin',
  ANGELONE_TOTP_SECRET: 'angelone.totpSecret',
  ANGELONE_API_KEY: 'angelone.apiKey',
};

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Environment values are strings; turn numbers, booleans and JSON arrays into their types. */
function coerceEnvValue(raw: string): Json {
  const text = raw.trim();
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text.startsWith('[') || text.startsWith('{')) {
    try {
      return JSON.parse(text) as Json;
    } catch {
      return raw;
    }
  }
  return raw;
}

/** Resolves a case-insensitive dotted path against the schema's known keys. */
function canonicalPath(path: string[]): string[] {
  const out: string[] = [];
  let shape: Record<string, unknown> | undefined = ConfigSchema.shape;
  for (const part of path) {
    const keys: string[] = shape ? Object.keys(shape) : [];
    const match = keys.find((k) => k.toLowerCase() === part.toLowerCase()) ?? part;
    out.push(match);
    const next: unknown = shape?.[match];
    shape = unwrapShape(next);
  }
  return out;
}

function unwrapShape(schema: unknown): Record<string, unknown> | undefined {
  let current: unknown = schema;
  for (let i = 0; i < 5 && current; i++) {
    if (current instanceof z.ZodObject) return current.shape as Record<string, unknown>;
    const def = (current as { _zod?: { def?: { innerType?: unknown } } })._zod?.def;
    current = def?.innerType;
  }
  return undefined;
}

function setPath(target: JsonObject, path: string[], value: Json): void {
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    const child = node[key];
    if (!isObject(child)) node[key] = {};
    node = node[key] as JsonObject;
  }
  node[path[path.length - 1] as string] = value;
}

function mergeDeep(base: JsonObject, override: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const existing = out[key];
    out[key] = isObject(existing) && isObject(value) ? mergeDeep(existing, value) : value;
  }
  return out;
}

export function configFromEnv(env: NodeJS.ProcessEnv): JsonObject {
  const out: JsonObject = {};
  for (const [name, path] of Object.entries(NAMED_ENV)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') setPath(out, path.split('.'), coerceEnvValue(raw));
  }
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('INDEXFLOW__') || raw === undefined) continue;
    const path = canonicalPath(name.slice('INDEXFLOW__'.length).split('__').filter(Boolean));
    if (path.length > 0) setPath(out, path, coerceEnvValue(raw));
  }
  return out;
}

export function readConfigFile(path: string): JsonObject {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new IfError('IF_ERR_CONFIG_FILE', { path, detail: (error as Error).message });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new IfError('IF_ERR_CONFIG_FILE', { path, detail: `not valid JSON (${(error as Error).message})` });
  }
  if (!isObject(parsed))
    throw new IfError('IF_ERR_CONFIG_FILE', { path, detail: 'top level must be an object' });
  return parsed;
}

/** Validates a raw object into a Config, naming the first bad key in the error. */
export function parseConfig(raw: unknown): Config {
  const result = ConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
  const detail = result.error.issues
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
  throw new IfError('IF_ERR_CONFIG_INVALID', { key, detail });
}

export interface LoadConfigOptions {
  /** JSON config file; defaults to $INDEXFLOW_CONFIG when set */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** highest precedence (CLI flags) */
  overrides?: JsonObject;
}

/** defaults < file < environment < CLI overrides */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env['INDEXFLOW_CONFIG'];
  let merged: JsonObject = file ? readConfigFile(file) : {};
  merged = mergeDeep(merged, configFromEnv(env));
  if (options.overrides) merged = mergeDeep(merged, options.overrides);
  return parseConfig(merged);
}

export type { JsonObject };
