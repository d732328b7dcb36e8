import { describe, expect, it, vi } from 'vitest';

// Counts every IfError constructed, so the test can prove the reject path of tryDecodePacket builds none.
const constructed = vi.hoisted(() => ({ count: 0 }));

vi.mock('../../../core/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../core/index.js')>();
  class CountingIfError extends original.IfError {
    constructor(...args: ConstructorParameters<typeof original.IfError>) {
      super(...args);
      constructed.count++;
    }
  }
  return { ...original, IfError: CountingIfError };
});

const { decodePacket, tryDecodePacket } = await import('./decode.js');

const BAD_FRAMES: Record<string, Uint8Array> = {
  empty: new Uint8Array(0),
  'unknown mode': Uint8Array.of(9, 1, 0x31),
  'wrong size': new Uint8Array(52).fill(1),
  'bad exchange': Uint8Array.from({ length: 51 }, (_, i) => (i === 0 ? 1 : i === 1 ? 6 : 0)),
  'empty token': Uint8Array.from({ length: 51 }, (_, i) => (i < 2 ? 1 : 0)),
};

describe('tryDecodePacket reject path', () => {
  it('rejects every malformed frame without constructing an IfError', () => {
    constructed.count = 0;
    for (const [name, bytes] of Object.entries(BAD_FRAMES)) {
      expect(tryDecodePacket(bytes).ok, `${name} is rejected`).toBe(false);
    }
    expect(constructed.count, 'no IfError built on the reject path').toBe(0);
  });

  it('the counting hook works: decodePacket on the same frames does construct IfErrors', () => {
    constructed.count = 0;
    for (const bytes of Object.values(BAD_FRAMES)) expect(() => decodePacket(bytes), 'throws').toThrow();
    expect(constructed.count, 'one IfError per throw').toBe(Object.keys(BAD_FRAMES).length);
  });
});
