import { describe, expect, it } from 'vitest';
import { black76 } from '../index.js';
import { parityForward } from './forward.js';

const RATE = 0.065;
const T = 7 / 365;
const D = Math.exp(-RATE * T);

/** Black-76 premiums (₹) at a known forward, with a skew so calls and puts differ in IV by strike. */
function quotes(forward: number, strikes: readonly number[]): { calls: number[]; puts: number[] } {
  const vol = (k: number): number => 0.12 - 0.3 * Math.log(k / forward);
  return {
    calls: strikes.map((k) =>
      black76({ forward, strike: k, timeYears: T, rate: RATE, vol: vol(k), isCall: true }),
    ),
    puts: strikes.map((k) =>
      black76({ forward, strike: k, timeYears: T, rate: RATE, vol: vol(k), isCall: false }),
    ),
  };
}

describe('parityForward', () => {
  const strikes = Array.from({ length: 21 }, (_, i) => 24_500 + 50 * i);

  it('recovers the forward the premiums were priced at, whatever the smile', () => {
    const { calls, puts } = quotes(25_012.4, strikes);
    const result = parityForward(strikes, calls, puts, D, 5);
    expect(result?.forward, 'F = K + (C − P)/D at every strike').toBeCloseTo(25_012.4, 8);
    expect(result?.used).toBe(5);
    expect(strikes[result?.first ?? -1], 'nearest five around 25,000').toBe(24_900);
    expect(strikes[result?.last ?? -1]).toBe(25_100);
  });

  it('is not moved by one bad quote among the strikes it medians', () => {
    const { calls, puts } = quotes(25_012.4, strikes);
    const clean = parityForward(strikes, calls, puts, D, 5)?.forward;
    const i = strikes.indexOf(25_050);
    calls[i] = (calls[i] ?? 0) + 40; // a stale call ₹40 rich
    expect(parityForward(strikes, calls, puts, D, 5)?.forward, 'median ignores one outlier').toBeCloseTo(
      clean ?? 0,
      8,
    );
  });

  it('skips strikes without both prices and is undefined when none has both', () => {
    const { calls, puts } = quotes(25_012.4, strikes);
    const centre = strikes.indexOf(25_000);
    calls[centre] = 0;
    const result = parityForward(strikes, calls, puts, D, 3);
    expect(result?.forward).toBeCloseTo(25_012.4, 8);
    expect(result?.used).toBe(3);
    expect(
      parityForward(
        strikes,
        calls.map(() => 0),
        puts,
        D,
      ),
      'no calls at all',
    ).toBeUndefined();
    expect(parityForward([], [], [], D)).toBeUndefined();
  });

  it('uses what there is when fewer strikes than asked have both prices', () => {
    const { calls, puts } = quotes(25_012.4, [25_000, 25_050]);
    expect(parityForward([25_000, 25_050], calls, puts, D, 5)?.used).toBe(2);
  });
});
