import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type ErrorCode, IfError, isIfError } from '../core/errors.js';
import type { Logger } from '../ops/logger.js';
import { redactUrl } from './hub/index.js';

/** Facts that help a client act on an error: the failing fields, or the error's own params. Never secrets. */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/** The one error body of the HTTP API (REST routes and the hub's HTTP refusals). */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: ErrorDetails };
}

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.string().describe('stable IF_ERR_* code; clients branch on it, never on the message'),
      message: z.string().describe('what went wrong and what to do, in English; never secrets'),
      details: z
        .record(z.string(), z.unknown())
        .optional()
        .describe('for validation errors `issues: [{field, message}]`; otherwise the error parameters'),
    }),
  })
  .meta({ id: 'Error', description: 'Every refusal of the API has this shape.' });

/**
 * `{ error: { code, message, details? } }` for an IfError. Without explicit details, the error's params
 * are shown, less `detail` (already part of the message).
 */
export function errorBody(error: IfError, details?: ErrorDetails): ErrorBody {
  const { detail: _inMessage, ...params } = error.params;
  const shown = details ?? (Object.keys(params).length > 0 ? params : undefined);
  return { error: { code: error.code, message: error.message, ...(shown ? { details: shown } : {}) } };
}

/** One field that failed validation, named as `body.password`, `query.expiry`, `params.id`. */
export interface FieldIssue {
  field: string;
  message: string;
}

// Fastify's names for the request parts, shortened to what a client writes.
const PART: Readonly<Record<string, string>> = {
  body: 'body',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

function fieldIssues(error: FastifyError): FieldIssue[] {
  const part = PART[error.validationContext ?? 'body'] ?? 'body';
  return (error.validation ?? []).map((issue) => {
    const path = (issue.instancePath ?? '').split('/').filter((segment) => segment.length > 0);
    // zod prefixes many messages with "Invalid input: "; the error's own message already says so.
    const message = (issue.message ?? 'is invalid')
      .replace(/^Invalid input: /, '')
      .replace(/^expected \w+, received undefined$/, 'is required');
    return { field: [part, ...path].join('.'), message };
  });
}

/** The catalogue code a request was refused with (read by the audit hook), if any. */
const refusals = new WeakMap<FastifyRequest, ErrorCode>();

export function refusalCode(request: FastifyRequest): ErrorCode | undefined {
  return refusals.get(request);
}

/** Sends an IfError in the API's format, with the headers its status calls for. */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: IfError,
  details?: ErrorDetails,
  status = error.httpStatus,
): FastifyReply {
  refusals.set(request, error.code);
  if (status === 401) reply.header('WWW-Authenticate', 'Bearer');
  const retryAfter = error.params['retryAfterS'];
  if (status === 429 && retryAfter !== undefined) reply.header('Retry-After', String(retryAfter));
  return reply.code(status).send(errorBody(error, details));
}

// Fastify's own refusals of a request before any handler ran. JSON parse errors are replaced by a fixed
// text: V8 quotes the start of the offending body, which may be a password.
const FASTIFY_DETAIL: Readonly<Record<string, string>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'body is not valid JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'body is empty but content-type is application/json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported content-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'content-length does not match the body',
};

/**
 * Renders every error as `{ error: { code, message, details? } }`: schema validation as 400
 * IF_ERR_VALIDATION naming each field, IfErrors with their catalogue status, Fastify's 4xx refusals with
 * their own status, and anything else as a logged 500 that tells the client nothing internal.
 */
export function installErrorHandler(app: FastifyInstance, logger: Logger | undefined): void {
  app.setErrorHandler((raw: unknown, request, reply) => {
    if (isIfError(raw)) return sendError(request, reply, raw);
    const error = raw as FastifyError;
    if (hasZodFastifySchemaValidationErrors(error) || Array.isArray(error.validation)) {
      const issues = fieldIssues(error);
      const detail = issues.map((i) => `${i.field}: ${i.message}`).join('; ') || 'request is invalid';
      return sendError(request, reply, new IfError('IF_ERR_VALIDATION', { detail }), { issues });
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      const detail = FASTIFY_DETAIL[error.code] ?? 'request refused';
      const code = status === 400 ? 'IF_ERR_VALIDATION' : 'IF_ERR_REQUEST';
      return sendError(request, reply, new IfError(code, { detail }), undefined, status);
    }
    logger?.error(
      { err: raw, method: request.method, url: redactUrl(request.url) },
      'gateway request failed',
    );
    return sendError(request, reply, new IfError('IF_ERR_INTERNAL', { detail: 'unexpected server error' }));
  });
}
