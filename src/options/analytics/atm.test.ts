import { describe, expect, it } from 'vitest';
import { atmStrike, expectedMove, straddlePrice } from './atm.js';
import { quote, TOY_CHAIN } from './fixtures/toyChain.js';

describe('atmStrike', () => {
  it('picks the strike nearest the forward, the lower one on a tie', () => {
    expect(atmStrike(TOY_CHAIN, 2_506_235), 'F = 25,062.35 is 37.65 from 25,100 and 62.35 from 25,000').toBe(
      2_510_000,
    );
    expect(atmStrike(TOY_CHAIN, 2_504_000), 'F = 25,040 → 25,000').toBe(2_500_000);
    expect(atmStrike(TOY_CHAIN, 2_505_000), 'exactly between 25,000 and 25,100 → lower').toBe(2_500_000);
    expect(atmStrike(TOY_CHAIN, 2_000_000), 'below the grid → first strike').toBe(2_480_000);
    expect(atmStrike([], 2_500_000), 'empty chain').toBeUndefined();
  });
});

describe('straddlePrice', () => {
  const chain = [
    {
      strike: 2_505_000,
      call: quote({ ltp: 12_652, bid: 12_640, ask: 12_665 }),
      put: quote({ ltp: 11_418, bid: 11_400, ask: 11_425 }),
    },
    { strike: 2_510_000, call: quote({ ltp: 9_000, bid: 8_990, ask: 9_010 }), put: quote({ ltp: 0 }) },
  ];

  it('adds call and put at the strike on LTP by default and on mid when asked', () => {
    expect(straddlePrice(chain, 2_505_000), 'C + P on LTP = ₹240.70').toBe(24_070);
    expect(straddlePrice(chain, 2_505_000, 'mid'), '(12,652.5 + 11,412.5) paise').toBe(24_065);
  });

  it('is undefined when a side has no price or the strike is absent', () => {
    expect(straddlePrice(chain, 2_510_000), 'untraded put').toBeUndefined();
    expect(straddlePrice(chain, 2_510_000, 'mid'), 'put has no book').toBeUndefined();
    expect(straddlePrice(chain, 2_600_000), 'strike not listed').toBeUndefined();
  });
});

describe('expectedMove', () => {
  // Reference §2.5(c)/§4: F = 25,062.35, σ = 11.5%, T = 4/365; 1σ = 301.72 points, straddle 240.71.
  const move = expectedMove({ forward: 2_506_235, atmIv: 0.115, timeYears: 4 / 365, straddle: 24_071 });

  it('gives the 1σ move F·σ·√T = 301.72 points', () => {
    expect(move.oneSigma, '1σ in paise').toBeCloseTo(30_172, 0);
  });

  it('reads the straddle as the expected absolute move and converts it to ≈ the same 1σ', () => {
    expect(move.absolute, 'straddle is E|S_T − F|').toBe(24_071);
    expect((move.absolute ?? 0) / (move.oneSigma ?? 1), 'straddle ≈ 0.798 × 1σ').toBeCloseTo(0.798, 3);
    expect(Math.abs((move.straddleOneSigma ?? 0) / (move.oneSigma ?? 1) - 1), 'within 0.1%').toBeLessThan(
      1e-3,
    );
  });

  it('leaves out what its inputs cannot support', () => {
    const onlyIv = expectedMove({ forward: 2_506_235, atmIv: 0.115, timeYears: 4 / 365 });
    expect(onlyIv.absolute, 'no straddle given').toBeUndefined();
    expect(onlyIv.straddleOneSigma, 'no straddle given').toBeUndefined();
    expect(expectedMove({ forward: 2_506_235, straddle: 24_071 }).oneSigma, 'no IV given').toBeUndefined();
  });
});
