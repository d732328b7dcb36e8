import type { Insertable, Kysely, Selectable } from 'kysely';
import type { SealedSecret, SealedSecretStore } from '../ops/secrets/index.js';
import { assertRows, corrupt, intProblem, textProblem } from './checks.js';
import type { BrokerCredentialsTable, StorageTables } from './schema.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const KEY_ID = /^[0-9a-f]{8}$/;

function base64Problem(field: string, value: unknown, allowEmpty = false): string | undefined {
  if (typeof value !== 'string' || !BASE64.test(value)) return `${field} must be base64`;
  return value === '' && !allowEmpty ? `${field} must not be empty` : undefined;
}

/**
 * Why a sealed blob cannot be stored: it must have the shape `SecretBox.seal` gives (base64 fields, a
 * 12-byte IV, a 16-byte tag, an 8-hex key id). This catches a caller handing over something else; it
 * cannot prove the ciphertext is not plaintext, which is why only the vault writes here.
 */
export function sealedSecretProblem(s: SealedSecret): string | undefined {
  return (
    // An empty plaintext seals to an empty ciphertext; the tag still authenticates it.
    base64Problem('ciphertext', s.ciphertext, true) ??
    base64Problem('iv', s.iv) ??
    (s.iv.length === 16 ? undefined : 'iv must be 12 bytes') ??
    base64Problem('authTag', s.authTag) ??
    (s.authTag.length === 24 ? undefined : 'authTag must be 16 bytes') ??
    (typeof s.keyId === 'string' && KEY_ID.test(s.keyId) ? undefined : 'keyId must be 8 hex characters')
  );
}

function toRow(name: string, s: SealedSecret, updatedAtMs: number): Insertable<BrokerCredentialsTable> {
  return {
    name,
    ciphertext: s.ciphertext,
    iv: s.iv,
    auth_tag: s.authTag,
    key_id: s.keyId,
    updated_at_ms: updatedAtMs,
  };
}

function fromRow(r: Selectable<BrokerCredentialsTable>): SealedSecret {
  const sealed = { ciphertext: r.ciphertext, iv: r.iv, authTag: r.auth_tag, keyId: r.key_id };
  if (sealedSecretProblem(sealed) !== undefined) {
    throw corrupt('broker_credentials', `credential ${r.name} is not a sealed blob`);
  }
  return sealed;
}

/**
 * Broker credentials at rest, as sealed blobs only (AES-256-GCM, see src/ops/secrets). Sealing and
 * opening happen in `BrokerCredentialVault`; this table never sees a plaintext.
 */
export class BrokerCredentialRepository implements SealedSecretStore {
  constructor(private readonly db: Kysely<StorageTables>) {}

  /** Inserts or replaces the blob stored under `name`. */
  async put(name: string, sealed: SealedSecret, updatedAtMs: number): Promise<void> {
    assertRows(
      'broker_credentials',
      [{ name, sealed, updatedAtMs }],
      (r) =>
        textProblem('name', r.name) ??
        intProblem('updatedAtMs', r.updatedAtMs, 0) ??
        sealedSecretProblem(r.sealed),
    );
    await this.db
      .insertInto('broker_credentials')
      .values(toRow(name, sealed, updatedAtMs))
      .onConflict((oc) =>
        oc.column('name').doUpdateSet((eb) => ({
          ciphertext: eb.ref('excluded.ciphertext'),
          iv: eb.ref('excluded.iv'),
          auth_tag: eb.ref('excluded.auth_tag'),
          key_id: eb.ref('excluded.key_id'),
          updated_at_ms: eb.ref('excluded.updated_at_ms'),
        })),
      )
      .execute();
  }

  async get(name: string): Promise<SealedSecret | undefined> {
    const row = await this.db
      .selectFrom('broker_credentials')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  }

  /** Every stored name, sorted (byte order, the same on both dialects). */
  async names(): Promise<readonly string[]> {
    const rows = await this.db.selectFrom('broker_credentials').select('name').execute();
    return rows.map((r) => r.name).sort();
  }

  /** Deletes the blob; returns whether there was one. */
  async remove(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('broker_credentials').where('name', '=', name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
