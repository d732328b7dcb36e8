import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IfError } from '../../core/errors.js';
import { auditNote } from '../audit.js';
import { errorResponses } from '../schemas.js';

/**
 * Where broker credentials are kept, sealed (AES-256-GCM under INDEXFLOW_SECRET_KEY) by the
 * implementation the composition root injects. The gateway only writes and asks whether they exist:
 * no route ever reads a value back.
 */
export interface CredentialVault {
  /** seals and stores `value` under `name`, replacing what was there */
  put(name: string, value: Readonly<Record<string, string>>): Promise<void>;
  has(name: string): Promise<boolean>;
  /** when `name` was last stored (epoch ms), where the store keeps it */
  updatedAtMs?(name: string): Promise<number | undefined>;
}

/** The vault entry holding the Angel One login: `{clientCode, pin, totpSecret, apiKey}`. */
export const BROKER_CREDENTIALS_NAME = 'angelone';

// Messages describe the expected shape only: the submitted value must never be echoed.
const CredentialsBody = z.strictObject({
  clientCode: z
    .string()
    .regex(/^[A-Za-z0-9]{1,32}$/, 'clientCode must be 1-32 letters or digits')
    .describe('Angel One client code'),
  pin: z
    .string()
    .regex(/^[0-9]{4,8}$/, 'pin must be 4-8 digits')
    .describe('Angel One MPIN'),
  totpSecret: z
    .string()
    .regex(/^[A-Za-z2-7]{16,128}={0,6}$/, 'totpSecret must be the base32 TOTP seed (16-128 of A-Z, 2-7)')
    .describe('base32 TOTP seed from the Angel One 2FA set-up'),
  apiKey: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,128}$/, 'apiKey must be 1-128 of letters, digits, "_" or "-"')
    .describe('SmartAPI app key'),
});

const StatusSchema = z
  .object({
    configured: z.boolean(),
    updatedAtMs: z.number().int().optional().describe('epoch ms of the last change'),
  })
  .meta({ id: 'CredentialStatus' });

/** Admin: store the broker login (write-only) and see whether one is stored. */
export function credentialRoutes(vault: CredentialVault | undefined): FastifyPluginAsyncZod {
  const need = (): CredentialVault => {
    if (vault === undefined) {
      throw new IfError('IF_ERR_UNAVAILABLE', {
        what: 'the credential vault',
        detail: 'set INDEXFLOW_SECRET_KEY so broker credentials can be sealed at rest',
      });
    }
    return vault;
  };
  const status = async (v: CredentialVault) => {
    const configured = await v.has(BROKER_CREDENTIALS_NAME);
    const updatedAtMs = configured ? await v.updatedAtMs?.(BROKER_CREDENTIALS_NAME) : undefined;
    return { configured, ...(updatedAtMs !== undefined ? { updatedAtMs } : {}) };
  };

  return async (app) => {
    app.get(
      '/api/v1/broker/credentials',
      {
        config: { role: 'admin' },
        schema: {
          tags: ['admin'],
          summary: 'Whether broker credentials are stored (never their values)',
          response: { 200: StatusSchema, ...errorResponses(401, 403, 503) },
        },
      },
      async () => status(need()),
    );

    app.put(
      '/api/v1/broker/credentials',
      {
        config: { role: 'admin', audit: 'credentials.put' },
        schema: {
          tags: ['admin'],
          summary: 'Store the Angel One login, sealed at rest; write-only',
          body: CredentialsBody,
          response: { 200: StatusSchema, ...errorResponses(400, 401, 403, 503) },
        },
      },
      async (request) => {
        const v = need();
        auditNote(request, { target: BROKER_CREDENTIALS_NAME });
        const { clientCode, pin, totpSecret, apiKey } = request.body;
        await v.put(BROKER_CREDENTIALS_NAME, {
          clientCode,
          pin,
          totpSecret: totpSecret.toUpperCase(),
          apiKey,
        });
        return status(v);
      },
    );
  };
}
