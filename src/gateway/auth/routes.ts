import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { IfError, isIfError } from '../../core/errors.js';
import type { AuthService } from './service.js';

const LoginBody = z.strictObject({
  username: z.string().min(1, 'username is required').max(64),
  password: z.string().min(1, 'password is required').max(1024),
});
const RefreshBody = z.strictObject({ refreshToken: z.string().min(1, 'refreshToken is required').max(512) });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const detail = result.error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
  throw new IfError('IF_ERR_VALIDATION', { detail });
}

function sendError(reply: FastifyReply, error: IfError): FastifyReply {
  if (error.code === 'IF_ERR_AUTH_RATE_LIMITED')
    reply.header('Retry-After', String(error.params['retryAfterS']));
  if (error.httpStatus === 401) reply.header('WWW-Authenticate', 'Bearer');
  return reply.code(error.httpStatus).send(error.toJSON());
}

/**
 * `POST /api/v1/auth/login {username, password}`, `/refresh {refreshToken}` and `/logout {refreshToken}`.
 * Bodies never reach a log: errors name the field, never its value.
 */
export function authRoutes(app: FastifyInstance, auth: AuthService): void {
  const handle = async (reply: FastifyReply, work: () => Promise<unknown>) => {
    try {
      return await work();
    } catch (error) {
      if (isIfError(error)) return sendError(reply, error);
      throw error;
    }
  };

  app.post('/api/v1/auth/login', async (request, reply) =>
    handle(reply, async () => {
      const { username, password } = parse(LoginBody, request.body);
      return auth.login(username, password, request.ip);
    }),
  );

  app.post('/api/v1/auth/refresh', async (request, reply) =>
    handle(reply, async () => auth.refresh(parse(RefreshBody, request.body).refreshToken)),
  );

  app.post('/api/v1/auth/logout', async (request, reply) =>
    handle(reply, async () => {
      await auth.logout(parse(RefreshBody, request.body).refreshToken);
      return reply.code(204).send();
    }),
  );
}
