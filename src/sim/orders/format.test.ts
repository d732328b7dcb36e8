import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../core/random.js';
import { istToEpochMs } from '../../core/time.js';
import { angelDateTime, angelExpiry, angelTimeOfDay, istYymmdd, rupeeString, seededUuid } from './format.js';

describe('Angel formats', () => {
  it('order times are DD-Mon-YYYY HH:mm:ss in IST and fill times HH:mm:ss', () => {
    const t = istToEpochMs(2023, 10, 25, 23, 53, 21);
    expect(angelDateTime(t), 'the documented sample').toBe('25-Oct-2023 23:53:21');
    expect(angelTimeOfDay(istToEpochMs(2020, 10, 20, 13, 27, 53))).toBe('13:27:53');
    expect(istYymmdd(istToEpochMs(2026, 11, 25, 0, 30)), '00:30 IST is still the 25th in IST').toBe('261125');
  });

  it('expiries are DDMMMYYYY and absent expiries are empty', () => {
    expect(angelExpiry('2026-11-24')).toBe('24NOV2026');
    expect(angelExpiry(undefined)).toBe('');
    expect(angelExpiry('24-11-2026'), 'malformed input gives empty, not garbage').toBe('');
  });

  it('rupee strings have two decimals and a sign only when negative', () => {
    expect(rupeeString(223_580)).toBe('2235.80');
    expect(rupeeString(-223_580)).toBe('-2235.80');
    expect(rupeeString(-223_580, 'spaced')).toBe('- 2235.80');
    expect(rupeeString(-0.4), 'rounds to zero without a sign').toBe('0.00');
    expect(rupeeString(100.5), 'fractional paise round half away from zero').toBe('1.01');
  });

  it('rupee strings read back to the same paise (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (paise) => {
        expect(Math.round(Number(rupeeString(paise)) * 100)).toBe(paise);
      }),
    );
  });

  it('seeded UUIDs are v4-shaped and repeat for the same seed', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    for (let i = 0; i < 50; i++) {
      const id = seededUuid(a);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(seededUuid(b), 'same seed, same sequence').toBe(id);
    }
  });
});
