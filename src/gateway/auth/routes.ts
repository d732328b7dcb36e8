import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses } from '../schemas.js';
import type { AuthService } from './service.js';

const LoginBody = z.strictObject({
  username: z.string().min(1, 'username is required').max(64),
  password: z.string().min(1, 'password is required').max(1024),
});

const RefreshBody = z.strictObject({
  refreshToken: z.string().min(1, 'refreshToken is required').max(512),
});

const TokenPairSchema = z
  .object({
    accessToken: z.string().describe('HS256 JWT for `Authorization: Bearer`, valid 15 minutes'),
    refreshToken: z.string().describe('opaque, single use (rotated by /auth/refresh), valid 7 days'),
    expiresIn: z.number().int().describe('access token lifetime in seconds'),
  })
  .meta({ id: 'TokenPair' });

/**
 * `POST /api/v1/auth/login {username, password}`, `/refresh {refreshToken}` (both public) and
 * `/logout {refreshToken}` (signed in). Bodies never reach a log: errors name the field, never its value.
 */
export function authRoutes(auth: AuthService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/auth/login',
      {
        config: { role: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'Log in: a 15-minute access token and a 7-day refresh token',
          description:
            'Rate-limited to 5 attempts a minute per username and per client address (429 with Retry-After).',
          body: LoginBody,
          response: { 200: TokenPairSchema, ...errorResponses(400, 401, 403, 429) },
        },
      },
      async (request) => auth.login(request.body.username, request.body.password, request.ip),
    );

    app.post(
      '/api/v1/auth/refresh',
      {
        config: { role: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'Swap a refresh token for a new pair (the old one is revoked)',
          description: 'Presenting an already used refresh token revokes every token of that login.',
          body: RefreshBody,
          response: { 200: TokenPairSchema, ...errorResponses(400, 401) },
        },
      },
      async (request) => auth.refresh(request.body.refreshToken),
    );

    app.post(
      '/api/v1/auth/logout',
      {
        config: { role: 'viewer' },
        schema: {
          tags: ['auth'],
          summary: 'End a login: revokes the refresh token and all its rotations',
          body: RefreshBody,
          response: { 204: z.undefined(), ...errorResponses(400, 401) },
        },
      },
      async (request, reply) => {
        await auth.logout(request.body.refreshToken);
        return reply.code(204).send();
      },
    );
  };
}
