import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IfError } from '../../core/errors.js';
import { auditNote } from '../audit.js';
import type { AuthService } from '../auth/index.js';
import { errorResponses, RoleSchema } from '../schemas.js';

const UserSchema = z
  .object({
    username: z.string(),
    role: RoleSchema,
    disabled: z.boolean(),
    createdAtMs: z.number().int().describe('epoch ms'),
  })
  .meta({ id: 'User' });

const NewUserBody = z.strictObject({
  username: z.string().min(1, 'username is required').max(64),
  password: z
    .string()
    .min(1, 'password is required')
    .max(1024)
    .describe('at least 10 characters, not containing the username'),
  role: RoleSchema,
});

const UserChangeBody = z
  .strictObject({
    role: RoleSchema.optional(),
    disabled: z.boolean().optional().describe('true signs the user out everywhere and refuses new logins'),
  })
  .refine((change) => change.role !== undefined || change.disabled !== undefined, {
    message: 'give role or disabled',
  });

const UsernameParams = z.object({ username: z.string().min(1).max(64) });

function unavailable(): IfError {
  return new IfError('IF_ERR_UNAVAILABLE', { what: 'user management', detail: 'no user store' });
}

/** Admin: list, add, and change (role, disabled) users. */
export function userRoutes(auth: AuthService | undefined): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/users',
      {
        config: { role: 'admin' },
        schema: {
          tags: ['admin'],
          summary: 'Every user (never a password hash)',
          response: { 200: z.object({ users: z.array(UserSchema) }), ...errorResponses(401, 403, 503) },
        },
      },
      async () => {
        if (auth === undefined) throw unavailable();
        return { users: await auth.listUsers() };
      },
    );

    app.post(
      '/api/v1/users',
      {
        config: { role: 'admin', audit: 'user.add' },
        schema: {
          tags: ['admin'],
          summary: 'Add a user',
          body: NewUserBody,
          response: { 201: UserSchema, ...errorResponses(400, 401, 403, 409, 503) },
        },
      },
      async (request, reply) => {
        if (auth === undefined) throw unavailable();
        const { username, password, role } = request.body;
        auditNote(request, { target: username.trim().toLowerCase(), details: { role } });
        const created = await auth.createUser(username, password, role);
        const user = (await auth.listUsers()).find((u) => u.username === created.username);
        if (user === undefined) throw new IfError('IF_ERR_INTERNAL', { detail: 'created user not found' });
        return reply.code(201).send(user);
      },
    );

    app.patch(
      '/api/v1/users/:username',
      {
        config: { role: 'admin', audit: 'user.update' },
        schema: {
          tags: ['admin'],
          summary: "Change a user's role or disable/enable it",
          description:
            'Takes effect at once in this process: tokens issued before the change are refused. The last enabled admin cannot be demoted or disabled (409).',
          params: UsernameParams,
          body: UserChangeBody,
          response: { 200: UserSchema, ...errorResponses(400, 401, 403, 404, 409, 503) },
        },
      },
      async (request) => {
        if (auth === undefined) throw unavailable();
        const { role, disabled } = request.body;
        auditNote(request, {
          details: {
            ...(role !== undefined ? { role } : {}),
            ...(disabled !== undefined ? { disabled } : {}),
          },
        });
        return auth.updateUser(request.params.username, { role, disabled });
      },
    );
  };
}
