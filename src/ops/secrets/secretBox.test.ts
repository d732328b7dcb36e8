import { createHash, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIfError } from '../../core/errors.js';
import { BrokerCredentialVault, credentialAad, type SealedSecretStore } from './credentials.js';
import { parseSecretKey, type SealedSecret, SecretBox, secretBoxFromEnv } from './secretBox.js';

const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const KEY_B64 = KEY.toString('base64');
const KEY_HEX = KEY.toString('hex');
const PLAINTEXT = 'angel-api-key-Zq81xT';
const AAD = credentialAad('angelone.apiKey');

/** The error a call throws (undefined when it returns). */
function thrown(work: () => unknown): unknown {
  try {
    work();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Everything an error could show a log or a client. */
function exposed(error: unknown): string {
  return `${String(error)} ${JSON.stringify(error)} ${inspect(error, { depth: 5 })}`;
}

/** `sealed` with one byte of a base64 field flipped. */
function flipped(sealed: SealedSecret, field: 'ciphertext' | 'iv' | 'authTag', index = 0): SealedSecret {
  const bytes = Buffer.from(sealed[field], 'base64');
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return { ...sealed, [field]: bytes.toString('base64') };
}

describe('SecretBox', () => {
  const box = new SecretBox(KEY);

  it('round-trips text (ASCII, Unicode, empty) under the same AAD', () => {
    for (const text of [PLAINTEXT, 'पिन 1234 ✓', '']) {
      expect(box.open(box.seal(text, AAD), AAD), `round trip of ${JSON.stringify(text)}`).toBe(text);
    }
  });

  it('round-trips any string and AAD (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.string({ maxLength: 50 }),
        (text, aad) => {
          expect(box.open(box.seal(text, aad), aad)).toBe(text);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('uses a fresh 12-byte IV per seal and a 16-byte tag, so equal plaintexts seal differently', () => {
    const a = box.seal(PLAINTEXT, AAD);
    const b = box.seal(PLAINTEXT, AAD);
    expect(Buffer.from(a.iv, 'base64'), '96-bit IV').toHaveLength(12);
    expect(Buffer.from(a.authTag, 'base64'), '128-bit tag').toHaveLength(16);
    expect(a.iv, 'random IV per seal').not.toBe(b.iv);
    expect(a.ciphertext, 'so the ciphertexts differ too').not.toBe(b.ciphertext);
    expect(a.ciphertext, 'the plaintext is not in the blob').not.toContain(PLAINTEXT);
  });

  it('names its key by the first 8 hex of SHA-256 of the key, whatever text form the key came in', () => {
    const expected = createHash('sha256').update(KEY).digest('hex').slice(0, 8);
    expect(box.keyId).toBe(expected);
    expect(box.seal('x', AAD).keyId, 'each blob carries the key id').toBe(expected);
    expect(SecretBox.fromText(KEY_B64).keyId, 'base64 form').toBe(expected);
    expect(SecretBox.fromText(KEY_HEX).keyId, 'hex form').toBe(expected);
    expect(SecretBox.fromText(KEY_HEX.toUpperCase()).keyId, 'upper-case hex').toBe(expected);
    expect(SecretBox.fromText(` ${KEY_B64}\n`).keyId, 'surrounding whitespace (a trailing newline)').toBe(
      expected,
    );
    const urlSafe = KEY.toString('base64url');
    expect(SecretBox.fromText(urlSafe).keyId, 'URL-safe base64 without padding').toBe(expected);
    expect(new SecretBox(randomBytes(32)).keyId, 'another key, another id').not.toBe(expected);
  });

  it('detects a flipped byte in the ciphertext, the IV and the tag', () => {
    const sealed = box.seal(PLAINTEXT, AAD);
    for (const field of ['ciphertext', 'iv', 'authTag'] as const) {
      for (const index of [0, Buffer.from(sealed[field], 'base64').length - 1]) {
        const error = thrown(() => box.open(flipped(sealed, field, index), AAD));
        expect(isIfError(error, 'IF_ERR_SECRET_DECRYPT'), `${field}[${index}] flipped`).toBe(true);
      }
    }
  });

  it('refuses a truncated tag, a short IV and fields that are not base64', () => {
    const sealed = box.seal(PLAINTEXT, AAD);
    const tag = Buffer.from(sealed.authTag, 'base64');
    const cases: Array<[string, SealedSecret]> = [
      [
        '4-byte tag (Node would accept it without a length check)',
        { ...sealed, authTag: tag.subarray(0, 4).toString('base64') },
      ],
      ['8-byte IV', { ...sealed, iv: randomBytes(8).toString('base64') }],
      ['ciphertext not base64', { ...sealed, ciphertext: `${sealed.ciphertext}!*` }],
      ['tag with stray characters', { ...sealed, authTag: ` ${sealed.authTag}` }],
    ];
    for (const [why, blob] of cases) {
      expect(
        isIfError(
          thrown(() => box.open(blob, AAD)),
          'IF_ERR_SECRET_DECRYPT',
        ),
        why,
      ).toBe(true);
    }
  });

  it('refuses another key: by key id, and by authentication when the key id is forged', () => {
    const other = new SecretBox(randomBytes(32));
    const sealed = other.seal(PLAINTEXT, AAD);
    const byId = thrown(() => box.open(sealed, AAD, 'credential angelone.apiKey'));
    expect(isIfError(byId, 'IF_ERR_SECRET_DECRYPT'), 'key id differs').toBe(true);
    expect(String(byId), 'says which keys, by id only').toContain(other.keyId);
    const forged = thrown(() => box.open({ ...sealed, keyId: box.keyId }, AAD));
    expect(isIfError(forged, 'IF_ERR_SECRET_DECRYPT'), 'tag fails under the wrong key').toBe(true);
  });

  it('refuses another AAD, so a blob moved to another name does not open', () => {
    const sealed = box.seal(PLAINTEXT, credentialAad('angelone.apiKey'));
    const error = thrown(() => box.open(sealed, credentialAad('angelone.pin')));
    expect(isIfError(error, 'IF_ERR_SECRET_DECRYPT'), 'AAD is authenticated').toBe(true);
  });

  it('never shows the key or the plaintext in errors, JSON or inspect output', () => {
    const sealed = box.seal(PLAINTEXT, AAD);
    const errors = [
      thrown(() => box.open(sealed, 'other aad')),
      thrown(() => box.open(flipped(sealed, 'authTag'), AAD)),
      thrown(() => new SecretBox(randomBytes(32)).open(sealed, AAD)),
    ];
    for (const error of errors) {
      const text = exposed(error);
      for (const secret of [KEY_B64, KEY_HEX, PLAINTEXT])
        expect(text, 'no secret in an error').not.toContain(secret);
    }
    const shown = `${JSON.stringify(box)} ${inspect(box, { showHidden: true, depth: 5 })}`;
    for (const secret of [KEY_B64, KEY_HEX, '00 01 02 03'])
      expect(shown, 'the box hides its key').not.toContain(secret);
  });
});

describe('secret key from the environment', () => {
  it('is disabled (undefined) when INDEXFLOW_SECRET_KEY is unset or blank', () => {
    expect(secretBoxFromEnv({})).toBeUndefined();
    expect(secretBoxFromEnv({ INDEXFLOW_SECRET_KEY: '' })).toBeUndefined();
    expect(secretBoxFromEnv({ INDEXFLOW_SECRET_KEY: '  ' })).toBeUndefined();
    expect(secretBoxFromEnv({ INDEXFLOW_SECRET_KEY: KEY_B64 })?.keyId).toBe(new SecretBox(KEY).keyId);
  });

  it('refuses every other shape with IF_ERR_SECRET_KEY and never echoes the value', () => {
    const bad: Array<[string, string]> = [
      ['a passphrase', 'correct horse battery staple'],
      ['31 bytes as base64', randomBytes(31).toString('base64')],
      ['33 bytes as base64', randomBytes(33).toString('base64')],
      ['48 bytes (openssl rand -base64 48)', randomBytes(48).toString('base64')],
      ['63 hex characters', KEY_HEX.slice(1)],
      ['65 hex characters', `${KEY_HEX}a`],
      ['64 characters that are not hex', 'g'.repeat(64)],
      ['base64 with a space inside', `${KEY_B64.slice(0, 20)} ${KEY_B64.slice(20)}`],
      ['hex with a 0x prefix', `0x${KEY_HEX}`],
    ];
    for (const [why, value] of bad) {
      const error = thrown(() => secretBoxFromEnv({ INDEXFLOW_SECRET_KEY: value }));
      expect(isIfError(error, 'IF_ERR_SECRET_KEY'), why).toBe(true);
      expect(exposed(error), `${why}: the value is not echoed`).not.toContain(value.trim());
      expect(
        thrown(() => parseSecretKey(value)),
        why,
      ).toBeInstanceOf(Error);
    }
    expect(
      isIfError(
        thrown(() => new SecretBox(randomBytes(16))),
        'IF_ERR_SECRET_KEY',
      ),
      '16 raw bytes',
    ).toBe(true);
  });
});

/** An in-memory SealedSecretStore: the storage adapter's contract suite runs the real one. */
class MemoryStore implements SealedSecretStore {
  readonly rows = new Map<string, { sealed: SealedSecret; updatedAtMs: number }>();
  async put(name: string, sealed: SealedSecret, updatedAtMs: number) {
    this.rows.set(name, { sealed, updatedAtMs });
  }
  async get(name: string) {
    return this.rows.get(name)?.sealed;
  }
  async names() {
    return [...this.rows.keys()].sort();
  }
  async remove(name: string) {
    return this.rows.delete(name);
  }
}

describe('BrokerCredentialVault', () => {
  it('stores only sealed blobs, binds each to its name, and lists names sealed under an old key', async () => {
    const store = new MemoryStore();
    let now = 1_000;
    const vault = new BrokerCredentialVault(new SecretBox(KEY), store, { now: () => now });
    await vault.put('angelone.apiKey', PLAINTEXT);
    now = 2_000;
    await vault.put('angelone.pin', '4321');
    expect(await vault.get('angelone.apiKey')).toBe(PLAINTEXT);
    expect(await vault.get('missing'), 'nothing stored').toBeUndefined();
    expect(await vault.names()).toEqual(['angelone.apiKey', 'angelone.pin']);
    expect(JSON.stringify([...store.rows]), 'no plaintext reaches the store').not.toContain(PLAINTEXT);
    expect(store.rows.get('angelone.pin')?.updatedAtMs, 'time comes from the clock').toBe(2_000);

    const moved = await store.get('angelone.apiKey');
    if (moved === undefined) throw new Error('fixture: blob missing');
    await store.put('angelone.pin', moved, now);
    await expect(vault.get('angelone.pin'), 'a blob copied to another name does not open').rejects.toSatisfy(
      (e: unknown) => isIfError(e, 'IF_ERR_SECRET_DECRYPT'),
    );

    const rotated = new BrokerCredentialVault(new SecretBox(randomBytes(32)), store, { now: () => now });
    expect(await rotated.sealedUnderOtherKey(), 'after a key change every name needs re-entry').toEqual([
      'angelone.apiKey',
      'angelone.pin',
    ]);
    await rotated.put('angelone.pin', '9999');
    expect(await rotated.sealedUnderOtherKey()).toEqual(['angelone.apiKey']);
    expect(await vault.remove('angelone.apiKey')).toBe(true);
    expect(await vault.names()).toEqual(['angelone.pin']);
  });
});
