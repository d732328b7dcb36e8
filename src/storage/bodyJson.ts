import { corrupt } from './checks.js';

/**
 * JSON text for whole domain objects (`Order`, `Signal`) kept in a `body` column, exactly round-tripped.
 *
 * Plain JSON drops keys whose value is `undefined`, but those types carry required keys that may be
 * undefined (`averagePricePaise` before the first fill, `brokerOrderId` of an order rejected before the
 * broker saw it). The types hold no `null` anywhere, so `undefined` is written as `null` and read back
 * as `undefined`; a `null` on the way in is refused instead of silently turning into `undefined`.
 */
function bodyReplacer(key: string, value: unknown): unknown {
  if (value === null) throw new RangeError(`${key === '' ? 'the value' : `"${key}"`} is null`);
  if (value === undefined) return key === '' ? value : null;
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new RangeError(`"${key}" is the non-finite number ${value}`);
  }
  if (typeof value === 'bigint') throw new RangeError(`"${key}" is a bigint`);
  return value;
}

/** The body's JSON text; throws a RangeError naming the key when the value holds null, NaN or Infinity. */
export function encodeBody(value: object): string {
  return JSON.stringify(value, bodyReplacer);
}

function restoreUndefined(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++)
      value[i] = value[i] === null ? undefined : restoreUndefined(value[i]);
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const v = record[key];
      record[key] = v === null ? undefined : restoreUndefined(v);
    }
  }
  return value;
}

/** Parses a body written by `encodeBody`; a text that is not a JSON object is reported as corrupt. */
export function decodeBody(table: string, key: string, text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw corrupt(table, `body of ${key} is not JSON`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw corrupt(table, `body of ${key} is not a JSON object`);
  }
  return restoreUndefined(parsed) as Record<string, unknown>;
}

export type ScalarDetails = Readonly<Record<string, string | number | boolean | null>>;

/** Why a details record cannot be stored: it must be a flat object of strings, finite numbers, booleans, null. */
export function detailsProblem(field: string, details: unknown): string | undefined {
  if (details === null || typeof details !== 'object' || Array.isArray(details)) {
    return `${field} must be an object`;
  }
  for (const [key, value] of Object.entries(details)) {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') continue;
    if (typeof value === 'number' && Number.isFinite(value)) continue;
    return `${field}.${key} must be a string, finite number, boolean or null`;
  }
  return undefined;
}

export function decodeDetails(table: string, key: string, text: string): ScalarDetails {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw corrupt(table, `details of ${key} are not JSON`);
  }
  if (detailsProblem('details', parsed) !== undefined) {
    throw corrupt(table, `details of ${key} are not an object of scalars`);
  }
  return parsed as ScalarDetails;
}
