import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

export const DOCS_PATH = '/api/docs';

const DESCRIPTION = `The Indexflow gateway. Sign in with \`POST /api/v1/auth/login\` and send the access token as
\`Authorization: Bearer <accessToken>\`. Roles: viewer (market data, signals), trader (+ orders, positions,
P&L, risk, kill switch), admin (+ risk limits, resume, users, broker credentials, audit log). Every refusal
is \`{ "error": { "code", "message", "details"? } }\`. The SignalR-compatible hub is at \`/hubs/market\`.`;

/**
 * OpenAPI 3.1 generated from the routes' zod schemas (@fastify/swagger + fastify-type-provider-zod):
 * the document at `/api/docs/openapi.json` (also `/api/docs/json` and `/api/docs/yaml`) and Swagger UI,
 * served from the package's own files (no CDN), at `/api/docs`. Register before the routes it documents.
 */
export function registerDocs(app: FastifyInstance, version: string): void {
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Indexflow API', version, description: DESCRIPTION },
      tags: [
        { name: 'auth', description: 'sessions' },
        { name: 'market', description: 'market data and signals (viewer)' },
        { name: 'streams', description: 'Server-Sent Events of hub channels' },
        {
          name: 'trading',
          description: 'orders, positions, P&L and risk (trader; limits and resume: admin)',
        },
        { name: 'admin', description: 'users, broker credentials, audit log (admin)' },
        { name: 'ops', description: 'health and metrics (open, for local operations)' },
      ],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    transform: createJsonSchemaTransform({ skipList: [] }),
    transformObject: jsonSchemaTransformObject,
  });
  void app.register(swaggerUi, {
    routePrefix: DOCS_PATH,
    uiConfig: { deepLinking: true, defaultModelsExpandDepth: 0 },
  });
  void app.register(async (scope) => {
    scope.get(`${DOCS_PATH}/openapi.json`, async () => scope.swagger());
  });
}
