import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { IfError } from '../../core/errors.js';
import { auditNote } from '../audit.js';
import { AnyJson, errorResponses } from '../schemas.js';

/**
 * The signal engine's live rules (strategies, weights, composite, picker). `update` parses and either
 * swaps the rules in (they apply from the next evaluation) or refuses with a coded error, leaving the
 * rules in force unchanged.
 */
export interface SignalConfigControl {
  current(): unknown;
  update(
    raw: unknown,
  ): { readonly ok: true; readonly config: unknown } | { readonly ok: false; readonly error: IfError };
}

function unavailable(): IfError {
  return new IfError('IF_ERR_UNAVAILABLE', { what: 'signal configuration', detail: 'signals are disabled' });
}

/** `GET /api/v1/signals/config` (trader) and `PUT /api/v1/signals/config` (admin, hot reload). */
export function signalConfigRoutes(control: SignalConfigControl | undefined): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/signals/config',
      {
        config: { role: 'trader' },
        schema: {
          tags: ['signals'],
          summary: 'The strategies, weights and rules the signal engine runs now',
          response: { 200: AnyJson, ...errorResponses(401, 403, 503) },
        },
      },
      async () => {
        if (control === undefined) throw unavailable();
        return control.current();
      },
    );

    app.put(
      '/api/v1/signals/config',
      {
        config: { role: 'admin', audit: 'signals.config' },
        schema: {
          tags: ['signals'],
          summary: 'Replace the signal rules without a restart',
          description:
            'The whole rule set (missing sections take their defaults). A bad one is refused with 400 IF_ERR_SIGNAL_CONFIG naming the first bad key, and the rules in force stay as they were.',
          body: AnyJson,
          response: { 200: AnyJson, ...errorResponses(400, 401, 403, 503) },
        },
      },
      async (request) => {
        if (control === undefined) throw unavailable();
        const result = control.update(request.body);
        if (!result.ok) {
          auditNote(request, { details: { refused: result.error.code } });
          throw result.error;
        }
        return result.config;
      },
    );
  };
}
