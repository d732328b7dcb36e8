import { IfError } from '../../../core/errors.js';
import { brokerError, sanitizeBrokerText } from './errorCodes.js';

/** One HTTP response as received, before interpretation. */
export interface RawResponse {
  httpStatus: number;
  /** the Content-Type header, if any */
  contentType?: string | undefined;
  bodyText: string;
  /** our name for the endpoint, used in error messages */
  endpoint: string;
}

export type EnvelopeResult = { ok: true; data: unknown; message: string } | { ok: false; error: IfError };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Angel writes booleans as `true` and, in its own doc samples, as `"true"`. */
function truthFlag(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}

/** `"null"` (doc samples) and `""` (logout, gateway errors) both mean "no payload". */
function normaliseData(data: unknown): unknown {
  if (data === undefined || data === 'null' || data === '') return null;
  return data;
}

function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(trimmed) };
  } catch {
    return { ok: false };
  }
}

function describeBody(raw: RawResponse): string {
  const type = raw.contentType?.split(';')[0]?.trim() || 'no content type';
  return `HTTP ${raw.httpStatus}, ${type}, ${Buffer.byteLength(raw.bodyText)} bytes`;
}

/** An error decided by the HTTP status alone (no usable envelope). */
function statusError(raw: RawResponse, what: string): IfError {
  const { httpStatus, endpoint } = raw;
  // Angel's gateway answers a rate-limit breach with 403 and a text body, not with an auth error.
  if (httpStatus === 403 || httpStatus === 429) {
    return new IfError('IF_ERR_BROKER_RATE_LIMITED', { endpoint, source: 'broker', httpStatus });
  }
  if (httpStatus >= 500) {
    return new IfError('IF_ERR_BROKER_UNAVAILABLE', { endpoint, detail: describeBody(raw), httpStatus });
  }
  if (httpStatus === 401) {
    return new IfError('IF_ERR_BROKER_SESSION', {
      brokerCode: 'HTTP401',
      detail: describeBody(raw),
      endpoint,
    });
  }
  return new IfError('IF_ERR_BROKER_RESPONSE', {
    endpoint,
    detail: `${what} (${describeBody(raw)})`,
    httpStatus,
  });
}

/**
 * Interprets any SmartAPI response. Three dialects reach us (reference §3.2): the standard
 * `{status, message, errorcode, data}` (business failures arrive with HTTP 200), the gateway's
 * `{success, message, errorCode, data}` for token problems, and a plain-text 403/429 for rate limits;
 * HTML error pages appear during incidents. Never throws.
 */
export function parseEnvelope(raw: RawResponse): EnvelopeResult {
  const parsed = tryParseJson(raw.bodyText);
  if (!parsed.ok) return { ok: false, error: statusError(raw, 'body is not JSON') };
  const body = parsed.value;
  if (!isRecord(body)) return { ok: false, error: statusError(raw, 'body is not a JSON object') };

  const flag = truthFlag(body.status) ?? truthFlag(body.success);
  if (flag === undefined) return { ok: false, error: statusError(raw, 'no status or success flag') };

  const message = typeof body.message === 'string' ? body.message : '';
  if (flag) return { ok: true, data: normaliseData(body.data), message };

  const rawCode = body.errorcode ?? body.errorCode;
  const brokerCode = typeof rawCode === 'string' ? rawCode.trim() : '';
  if (brokerCode !== '') return { ok: false, error: brokerError(brokerCode, message, raw.endpoint) };
  if (raw.httpStatus === 403 || raw.httpStatus === 429 || raw.httpStatus >= 500) {
    return { ok: false, error: statusError(raw, 'failure without an error code') };
  }
  return {
    ok: false,
    error: new IfError('IF_ERR_BROKER_REJECTED', {
      brokerCode: 'none',
      detail: sanitizeBrokerText(message) || 'no message',
      endpoint: raw.endpoint,
    }),
  };
}

/** `parseEnvelope`, throwing the IfError on failure and returning `data` on success. */
export function unwrapEnvelope(raw: RawResponse): unknown {
  const result = parseEnvelope(raw);
  if (!result.ok) throw result.error;
  return result.data;
}
