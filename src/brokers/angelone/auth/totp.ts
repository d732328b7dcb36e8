import { createGuardrails, generateSync, verifySync } from 'otplib';
import type { Clock } from '../../../core/clock.js';
import { IfError } from '../../../core/errors.js';

/** Angel One's TOTP: RFC 6238 with the authenticator-app defaults. */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;

/**
 * otplib 13 refuses secrets shorter than 16 bytes by default; authenticator apps (and so Angel's
 * "enable TOTP" page) accept 80-bit secrets too, so the floor is lowered to RFC 4226's 10 bytes.
 */
const GUARDRAILS = createGuardrails({ MIN_SECRET_BYTES: 10 });

/** Users paste secrets with spaces, lower case or `=` padding; base32 itself has none of those. */
export function normaliseTotpSecret(secret: string): string {
  return secret.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Decodes base32 the way authenticator apps and pyotp do: padding optional and the unused low bits of
 * the last character ignored. otplib's strict decoder refuses such secrets ("Non-zero padding"), and
 * Angel's 26-character secrets are exactly that shape, so the bytes are handed to otplib instead.
 */
function secretOrThrow(secret: string): Uint8Array {
  const normalised = normaliseTotpSecret(secret);
  // The secret itself must never reach an error message, so only its shape is reported.
  if (normalised.length === 0 || !/^[A-Z2-7]+$/.test(normalised)) {
    throw new IfError('IF_ERR_VALIDATION', { detail: 'TOTP secret is not base32 (A-Z, 2-7)' });
  }
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of normalised) {
    buffer = ((buffer << 5) | BASE32.indexOf(char)) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Uint8Array.from(bytes);
}

function wrapOtpError(error: unknown): IfError {
  const detail =
    error instanceof Error && /at least \d+ bytes/.test(error.message)
      ? 'TOTP secret is too short'
      : 'TOTP secret rejected';
  return new IfError('IF_ERR_VALIDATION', { detail });
}

/** The 6-digit TOTP code for `secret` (base32) at epoch milliseconds `atMs`. */
export function generateTotp(secret: string, atMs: number): string {
  const normalised = secretOrThrow(secret);
  try {
    return generateSync({
      secret: normalised,
      epoch: Math.floor(atMs / 1000),
      period: TOTP_PERIOD_SECONDS,
      digits: TOTP_DIGITS,
      algorithm: 'sha1',
      guardrails: GUARDRAILS,
    });
  } catch (error) {
    throw wrapOtpError(error);
  }
}

/** The TOTP code for the Clock's current time. */
export function currentTotp(secret: string, clock: Clock): string {
  return generateTotp(secret, clock.now());
}

export interface TotpCheck {
  valid: boolean;
  /** which step matched relative to `atMs`: -1 previous, 0 current, +1 next; absent when invalid */
  delta?: number;
}

/**
 * Verifies `code` against `secret` at `atMs`, accepting the previous, current and next 30 s step
 * (±1 step absorbs phone/server clock drift, the usual cause of Angel's AB1050).
 */
export function verifyTotp(secret: string, code: string, atMs: number, windowSteps = 1): TotpCheck {
  if (!/^\d{6}$/.test(code)) return { valid: false };
  const normalised = secretOrThrow(secret);
  try {
    const result = verifySync({
      secret: normalised,
      token: code,
      epoch: Math.floor(atMs / 1000),
      period: TOTP_PERIOD_SECONDS,
      digits: TOTP_DIGITS,
      algorithm: 'sha1',
      epochTolerance: windowSteps * TOTP_PERIOD_SECONDS,
      guardrails: GUARDRAILS,
    });
    return result.valid ? { valid: true, delta: result.delta } : { valid: false };
  } catch (error) {
    throw wrapOtpError(error);
  }
}
