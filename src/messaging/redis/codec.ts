/** What JSON can carry; values read back from Redis have this shape. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The channel name under a key prefix; keys live at `<prefix><key>`, notifications on `<prefix>updates`. */
export function updatesChannel(keyPrefix: string): string {
  return `${keyPrefix}updates`;
}

/**
 * The notification published after every flush. `keys` are unprefixed and include deleted ones (a read
 * then finds nothing). `resync` marks a full rewrite after the mirror (re)connected: a follower should
 * re-read everything it holds, because the values may have been missing while Redis was away.
 */
export interface StateUpdate {
  keys: string[];
  resync: boolean;
}

/** Version tag so that a future format can be told apart by old readers. */
const FORMAT = 1;

export function encodeUpdate(update: StateUpdate): string {
  return JSON.stringify({ v: FORMAT, resync: update.resync, keys: update.keys });
}

/** Parses a notification; undefined for anything that is not one (foreign publishers on the channel). */
export function decodeUpdate(message: string): StateUpdate | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { v, resync, keys } = parsed as { v?: unknown; resync?: unknown; keys?: unknown };
  if (v !== FORMAT || typeof resync !== 'boolean' || !Array.isArray(keys)) return undefined;
  if (!keys.every((key): key is string => typeof key === 'string')) return undefined;
  return { keys, resync };
}

/**
 * Serializes a mirrored value. JSON rules apply: `undefined` properties and functions are dropped, NaN and
 * ±Infinity become null. BigInt, cycles and a top level that is not a plain object are refused (the
 * mirror counts and drops such a key rather than write something a reader cannot use).
 */
export function encodeValue(value: object): string | Error {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return new TypeError('value is not a plain object');
  }
  try {
    const text = JSON.stringify(value);
    // a toJSON() may turn the object into something else
    if (typeof text !== 'string' || text.charCodeAt(0) !== 123 /* { */) {
      return new TypeError('value does not serialize to a JSON object');
    }
    return text;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Parses a stored value; an Error when it is not a JSON object (someone else wrote the key). */
export function decodeValue(text: string): JsonObject | Error {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return new TypeError('not a JSON object');
  }
  return parsed as JsonObject;
}
