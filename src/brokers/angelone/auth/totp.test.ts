import { createGuardrails, generateSync } from 'otplib';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../core/clock.js';
import { isIfError } from '../../../core/errors.js';
import { currentTotp, generateTotp, normaliseTotpSecret, verifyTotp } from './totp.js';

// RFC 6238 appendix B seed "12345678901234567890" in base32; expected values are the SHA-1 column
// truncated to 6 digits (TOTP's last 6 digits are HOTP's 6-digit code).
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: Array<[number, string]> = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
  [20000000000, '353130'],
];

describe('TOTP (RFC 6238, SHA-1, 6 digits, 30 s)', () => {
  it('matches the RFC 6238 SHA-1 test vectors at the given epoch seconds', () => {
    for (const [seconds, code] of RFC_VECTORS) {
      expect(generateTotp(RFC_SECRET, seconds * 1000), `T=${seconds}s`).toBe(code);
    }
  });

  it('takes time from the Clock, not the wall clock', () => {
    const clock = new SimulatedClock(1111111109_000);
    expect(currentTotp(RFC_SECRET, clock), 'code for the simulated instant').toBe('081804');
  });

  it('accepts secrets pasted with spaces, lower case and padding', () => {
    expect(normaliseTotpSecret('gezd gnbv gy3t qojq gezd gnbv gy3t qojq==')).toBe(RFC_SECRET);
    expect(generateTotp('gezd gnbv gy3t qojq gezd gnbv gy3t qojq', 59_000), 'same code as canonical').toBe(
      '287082',
    );
  });

  it('accepts 26-character secrets whose last character carries unused bits (as apps and pyotp do)', () => {
    // 26 base32 characters = 130 bits: 16 bytes plus 2 ignored bits, non-zero in "F" (00101), zero
    // in "E" (00100); otplib's strict decoder accepts only the latter.
    const code = generateTotp('CANARYSECRETQWERTYUIOPASDF', 59_000);
    const strict = generateSync({
      secret: 'CANARYSECRETQWERTYUIOPASDE======',
      epoch: 59,
      guardrails: createGuardrails({ MIN_SECRET_BYTES: 10 }),
    });
    expect(code, 'same bytes as the variant with zero trailing bits').toBe(strict);
  });

  it('verifies the previous, current and next step but not two steps away', () => {
    const at = 1111111109_000;
    const code = generateTotp(RFC_SECRET, at);
    expect(verifyTotp(RFC_SECRET, code, at), 'same step').toEqual({ valid: true, delta: 0 });
    expect(verifyTotp(RFC_SECRET, code, at + 30_000).valid, 'one step later (client clock behind)').toBe(
      true,
    );
    expect(verifyTotp(RFC_SECRET, code, at - 30_000).valid, 'one step earlier (client clock ahead)').toBe(
      true,
    );
    expect(verifyTotp(RFC_SECRET, code, at + 60_000).valid, 'two steps later is stale').toBe(false);
    expect(verifyTotp(RFC_SECRET, code, at - 60_000).valid, 'two steps earlier is refused').toBe(false);
  });

  it('rejects malformed codes without throwing', () => {
    expect(verifyTotp(RFC_SECRET, '12345', 59_000).valid, 'five digits').toBe(false);
    expect(verifyTotp(RFC_SECRET, 'abcdef', 59_000).valid, 'letters').toBe(false);
  });

  it('refuses a non-base32 or too-short secret with a coded error that does not echo the secret', () => {
    const canary = 'NOT-BASE32-CANARY-1!';
    try {
      generateTotp(canary, 0);
      expect.unreachable('a bad secret must throw');
    } catch (error) {
      expect(isIfError(error, 'IF_ERR_VALIDATION'), 'coded validation error').toBe(true);
      expect(String(error instanceof Error ? error.message : error)).not.toContain('CANARY');
    }
    expect(() => generateTotp('JBSWY3DP', 0), '5-byte secret is too short').toThrow(/too short/);
  });
});
