import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IfError } from '../../core/errors.js';
import { principalOrThrow } from '../guard.js';
import type { MarketHub } from '../hub/index.js';
import { errorResponses } from '../schemas.js';
import { EventStreamTransport, eventStreamProtocol } from './eventStream.js';

const STREAM_DESCRIPTION = `Server-Sent Events for one hub channel: \`ticks:<token>\`, \`chain:<UNDERLYING>:<YYYY-MM-DD>\`,
\`signals\`, \`health\` (viewer) and \`orders\`, \`positions\`, \`risk\` (trader). The token goes in
\`Authorization: Bearer\` or, for EventSource, in \`?access_token=\`. Events: \`event: update\` with
\`data: {"channel","key","payload"}\` (the channel's snapshot first, then conflated updates per key),
\`: ping\` comments when idle for 15 s, \`retry: 3000\`, and \`event: close\` before the server ends the stream
(slow client, shutdown).`;

/** `GET /api/v1/stream/:channel`: a hub channel as Server-Sent Events, one more subscriber of the hub. */
export function streamRoutes(hub: MarketHub | undefined): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/stream/:channel',
      {
        config: { role: 'viewer', tokenInQuery: true },
        schema: {
          tags: ['streams'],
          summary: 'Stream a hub channel as Server-Sent Events',
          description: STREAM_DESCRIPTION,
          params: z.object({
            channel: z.string().describe('hub channel name, e.g. ticks:99926000 or chain:NIFTY:2026-12-01'),
          }),
          querystring: z.looseObject({
            access_token: z
              .string()
              .optional()
              .describe('the access token, for clients that cannot set headers'),
          }),
          response: {
            200: {
              description: 'an endless text/event-stream',
              content: { 'text/event-stream': { schema: z.string() } },
            },
            ...errorResponses(400, 401, 403, 429, 503),
          },
        },
      },
      async (request, reply) => {
        if (hub === undefined) {
          throw new IfError('IF_ERR_UNAVAILABLE', {
            what: 'streaming',
            detail: 'this gateway runs without a user store, so it has no hub',
          });
        }
        const transport = new EventStreamTransport(reply.raw);
        // Refusals (bad channel 400, role 403, too many streams 429) throw here, before a byte is written.
        const connection = hub.openStream(
          principalOrThrow(request),
          request.params.channel,
          transport,
          eventStreamProtocol,
        );
        reply.hijack();
        transport.start(reply.getHeaders());
        reply.raw.on('close', () => connection.close('transport_closed'));
      },
    );
  };
}
