import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IfError } from '../../core/errors.js';
import type { UserRole } from '../../storage/index.js';
import { AnyJson, errorResponses } from '../schemas.js';

/** The live option chain of an underlying (nearest expiry when none is given), or undefined. */
export type ChainSource = (underlying: string, expiry: string | undefined) => unknown | undefined;

/** A read-only engine view mounted at `/api/v1/<name>`; a bare function is a viewer-level view. */
export type GatewayView =
  | (() => unknown)
  | {
      get: () => unknown;
      /** default viewer */
      role?: UserRole;
      summary?: string;
      /** response schema for the OpenAPI document; the value is passed through unchecked without it */
      response?: z.ZodType;
    };

const ChainSnapshotSchema = z
  .looseObject({
    summary: z
      .looseObject({})
      .describe(
        'forward and its source, PCR by OI and volume, max pain, ATM strike, straddle, expected move, GEX, SVI smile, ATM IV, 25Δ RR/BF',
      ),
    rows: z
      .array(z.looseObject({ strike: z.number() }))
      .describe(
        'per strike, ascending: call/put with LTP, bid, ask (paise), volume, OI, OI change, iv or ivReason, Greeks per unit and per lot, build-up',
      ),
  })
  .meta({ id: 'ChainSnapshot' });

/** `GET /api/v1/chains/:underlying?expiry=` and the engine's views (feed statistics, signals). */
export function marketRoutes(
  chain: ChainSource | undefined,
  views: Readonly<Record<string, GatewayView>>,
): FastifyPluginAsyncZod {
  return async (app) => {
    if (chain !== undefined) {
      app.get(
        '/api/v1/chains/:underlying',
        {
          config: { role: 'viewer' },
          schema: {
            tags: ['market'],
            summary: 'The live option chain of an underlying',
            description: 'Nearest expiry when `expiry` is omitted. 404 for an unknown underlying or expiry.',
            params: z.object({
              underlying: z
                .string()
                .regex(/^[A-Za-z][A-Za-z0-9&-]{0,19}$/, 'underlying must be a symbol such as NIFTY')
                .describe('NIFTY, BANKNIFTY, FINNIFTY, MIDCPNIFTY, SENSEX (case-insensitive)'),
            }),
            querystring: z.object({
              expiry: z.iso.date('expiry must be a date as YYYY-MM-DD').optional(),
            }),
            response: { 200: ChainSnapshotSchema, ...errorResponses(400, 401, 403, 404) },
          },
        },
        async (request) => {
          const underlying = request.params.underlying.toUpperCase();
          const expiry = request.query.expiry;
          const found = chain(underlying, expiry);
          if (found === undefined) {
            throw new IfError('IF_ERR_NOT_FOUND', {
              what: `option chain ${underlying}${expiry ? ` ${expiry}` : ''}`,
            });
          }
          return found as z.output<typeof ChainSnapshotSchema>;
        },
      );
    }

    for (const [name, view] of Object.entries(views)) {
      const spec = typeof view === 'function' ? { get: view } : view;
      app.get(
        `/api/v1/${name}`,
        {
          config: { role: spec.role ?? 'viewer' },
          schema: {
            tags: ['market'],
            summary: spec.summary ?? `engine view: ${name}`,
            response: { 200: spec.response ?? AnyJson, ...errorResponses(401, 403) },
          },
        },
        async () => spec.get(),
      );
    }
  };
}
