import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { IfError } from '../../core/errors.js';

/** The environment variable that holds the key for secrets at rest. */
export const SECRET_KEY_ENV = 'INDEXFLOW_SECRET_KEY';

const KEY_BYTES = 32;
/** 96-bit IVs are GCM's native size; a random one per seal makes reuse under one key negligible. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
// Standard or URL-safe alphabet, padding optional: 32 bytes are 43 characters plus one `=`.
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * One secret encrypted with AES-256-GCM; every field is base64 except `keyId`. Safe to store and to log
 * (it reveals the plaintext's length, nothing else).
 */
export interface SealedSecret {
  readonly ciphertext: string;
  /** 12 random bytes, fresh per seal */
  readonly iv: string;
  /** 16-byte GCM authentication tag */
  readonly authTag: string;
  /** first 8 hex characters of SHA-256(key): tells which key sealed it, so a rotation is detectable */
  readonly keyId: string;
}

function keyError(detail: string): IfError {
  return new IfError('IF_ERR_SECRET_KEY', { detail });
}

/**
 * The 32 key bytes from their text form: base64 (what `openssl rand -base64 32` prints) or 64 hex
 * characters. Errors describe the shape expected and never echo the value.
 */
export function parseSecretKey(text: string): Buffer {
  const value = text.trim();
  if (HEX_KEY.test(value)) return Buffer.from(value, 'hex');
  if (BASE64_KEY.test(value)) {
    const key = Buffer.from(value, 'base64');
    if (key.length === KEY_BYTES) return key;
  }
  throw keyError(
    `expected 32 bytes as base64 (44 characters, e.g. from \`openssl rand -base64 32\`) or 64 hex characters; got ${value.length} characters that are neither`,
  );
}

function decryptError(what: string, detail: string): IfError {
  return new IfError('IF_ERR_SECRET_DECRYPT', { what, detail });
}

/** Decodes one base64 field of a sealed secret, refusing text Buffer would silently skip over. */
function field(sealed: SealedSecret, name: 'ciphertext' | 'iv' | 'authTag', what: string): Buffer {
  const text = sealed[name];
  if (typeof text !== 'string' || text.length % 4 !== 0 || !BASE64.test(text)) {
    throw decryptError(what, `${name} is not base64`);
  }
  return Buffer.from(text, 'base64');
}

/**
 * AES-256-GCM over one key. The additional authenticated data (AAD) binds a sealed blob to its purpose:
 * opening it under any other AAD fails, so a blob copied to another name is refused.
 */
export class SecretBox {
  readonly keyId: string;
  // An ES private field, not TS `private`: it stays out of JSON.stringify, util.inspect and pino.
  readonly #key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length !== KEY_BYTES) throw keyError(`expected ${KEY_BYTES} bytes, got ${key.length}`);
    // A private copy: the caller's buffer may be reused or zeroed.
    this.#key = Buffer.from(key);
    this.keyId = createHash('sha256').update(this.#key).digest('hex').slice(0, 8);
  }

  /** A box from the key's text form (base64 or hex; see `parseSecretKey`). */
  static fromText(text: string): SecretBox {
    return new SecretBox(parseSecretKey(text));
  }

  /** Encrypts `plaintext` (UTF-8) bound to `aad`, under a fresh random IV. */
  seal(plaintext: string, aad: string): SealedSecret {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      ciphertext: ciphertext.toString('base64'),
      iv: iv.toString('base64'),
      authTag: cipher.getAuthTag().toString('base64'),
      keyId: this.keyId,
    };
  }

  /**
   * Decrypts a blob sealed under this key with the same `aad`. Fails with IF_ERR_SECRET_DECRYPT when it was
   * sealed under another key, or when the data, IV, tag or AAD do not match (tampered or moved).
   * `what` names the secret in the error (a credential name, never its value).
   */
  open(sealed: SealedSecret, aad: string, what = 'secret'): string {
    if (sealed.keyId !== this.keyId) {
      throw decryptError(
        what,
        `sealed with key ${String(sealed.keyId)} but ${SECRET_KEY_ENV} is key ${this.keyId} (was the key changed?)`,
      );
    }
    const ciphertext = field(sealed, 'ciphertext', what);
    const iv = field(sealed, 'iv', what);
    const tag = field(sealed, 'authTag', what);
    if (iv.length !== IV_BYTES) throw decryptError(what, `iv must be ${IV_BYTES} bytes, got ${iv.length}`);
    // Without this check Node accepts truncated tags, which weakens authentication to the tag's length.
    if (tag.length !== TAG_BYTES) {
      throw decryptError(what, `authTag must be ${TAG_BYTES} bytes, got ${tag.length}`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      // No cause: OpenSSL's message says nothing useful and nothing secret, but keep errors uniform.
      throw decryptError(what, 'authentication failed: wrong key, tampered data, or sealed for another name');
    }
  }
}

/**
 * The box for `INDEXFLOW_SECRET_KEY`, or undefined when it is unset or blank (encrypted secrets at rest
 * are then disabled). A set but malformed key fails with IF_ERR_SECRET_KEY rather than disabling silently.
 */
export function secretBoxFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): SecretBox | undefined {
  const text = env[SECRET_KEY_ENV];
  if (text === undefined || text.trim() === '') return undefined;
  return SecretBox.fromText(text);
}
