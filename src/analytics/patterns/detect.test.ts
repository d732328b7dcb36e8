import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectPatterns } from './detect.js';
import type { PatternCandle, PatternName } from './rules.js';

const k = (open: number, high: number, low: number, close: number): PatternCandle => ({
  open,
  high,
  low,
  close,
});

/** Five falling and five rising candles: the trend context a hammer or shooting star needs. */
const DECLINE = [1100, 1080, 1060, 1040, 1020].map((c) => k(c + 15, c + 20, c - 5, c));
const RISE = [900, 920, 940, 960, 980].map((c) => k(c - 15, c + 5, c - 20, c));

const names = (candles: readonly PatternCandle[]): PatternName[] =>
  detectPatterns(candles).map((m) => m.pattern);

describe('doji', () => {
  it('matches a body of at most 10% of the range, stronger the smaller the body', () => {
    const [match] = detectPatterns([k(1000, 1020, 980, 1001)]);
    expect(match, 'body 1 of range 40').toEqual({
      pattern: 'doji',
      direction: 'neutral',
      strength: 0.875,
      candlesUsed: 1,
    });
    expect(detectPatterns([k(1000, 1020, 980, 1000)])[0]?.strength, 'no body: textbook').toBe(1);
  });

  it('does not match a body just over 10%, nor a candle without range', () => {
    expect(names([k(1000, 1020, 980, 1005)]), 'body 5 of 40 = 12.5%').toEqual([]);
    expect(names([k(1000, 1000, 1000, 1000)]), 'one price all candle').toEqual([]);
  });
});

describe('hammer', () => {
  const shape = k(1000, 1016, 960, 1015); // lower shadow 40 of range 56, body 15, upper 1

  it('matches a long lower shadow with a small upper one after a decline', () => {
    const matches = detectPatterns([...DECLINE, shape]);
    expect(
      matches.map((m) => m.pattern),
      'only the hammer (the body is too big for a doji)',
    ).toEqual(['hammer']);
    expect(matches[0]?.direction, 'reversal up').toBe('bullish');
    expect(matches[0]?.candlesUsed, 'the hammer itself').toBe(1);
    const lowerShare = 40 / 56;
    expect(matches[0]?.strength, 'lower shadow 40/56 of the range').toBeCloseTo(
      0.5 + (0.5 * (lowerShare - 0.6)) / 0.4,
      12,
    );
  });

  it('does not match the same shape after a rise (a hanging man) or without enough history', () => {
    expect(names([...RISE, shape]), 'after a rise').not.toContain('hammer');
    expect(names([...DECLINE.slice(-2), shape]), 'two prior candles only').not.toContain('hammer');
  });

  it('does not match with an upper shadow over 10% of the range or a lower shadow under two bodies', () => {
    expect(names([...DECLINE, k(1000, 1024, 960, 1015)]), 'upper shadow 9 of 64').not.toContain('hammer');
    expect(names([...DECLINE, k(1000, 1032, 980, 1030)]), 'lower shadow 20, body 30').not.toContain('hammer');
  });
});

describe('shooting star', () => {
  const shape = k(1015, 1056, 999, 1000); // upper shadow 41 of range 57, body 15, lower 1

  it('matches a long upper shadow with a small lower one after a rise', () => {
    expect(detectPatterns([...RISE, shape]), 'only the shooting star').toEqual([
      {
        pattern: 'shooting-star',
        direction: 'bearish',
        strength: 0.5 + (0.5 * (41 / 57 - 0.6)) / 0.4,
        candlesUsed: 1,
      },
    ]);
  });

  it('does not match after a decline (an inverted hammer) or with a lower shadow over 10%', () => {
    expect(names([...DECLINE, shape]), 'after a decline').not.toContain('shooting-star');
    expect(names([...RISE, k(1015, 1056, 990, 1000)]), 'lower shadow 10 of 66').not.toContain(
      'shooting-star',
    );
  });
});

describe('engulfing', () => {
  it('matches a bullish body covering the previous bearish body, strength by size ratio', () => {
    const [match] = detectPatterns([k(1020, 1022, 998, 1000), k(1000, 1032, 998, 1030)]);
    expect(match, 'body 30 over body 20').toEqual({
      pattern: 'bullish-engulfing',
      direction: 'bullish',
      strength: 0.75,
      candlesUsed: 2,
    });
  });

  it('matches the bearish mirror image', () => {
    expect(names([k(1000, 1022, 998, 1020), k(1020, 1022, 988, 990)]), 'body 30 over body 20').toEqual([
      'bearish-engulfing',
    ]);
  });

  it('does not match when the close falls short of the previous open or the previous candle is a doji', () => {
    expect(names([k(1020, 1022, 998, 1000), k(1000, 1020, 998, 1018)]), 'closes 2 short').not.toContain(
      'bullish-engulfing',
    );
    expect(names([k(1001, 1020, 980, 1000), k(1000, 1032, 998, 1030)]), 'engulfs a doji').not.toContain(
      'bullish-engulfing',
    );
    expect(names([k(1020, 1022, 998, 1000), k(1000, 1022, 998, 1020)]), 'same size body').not.toContain(
      'bullish-engulfing',
    );
  });
});

describe('inside bar', () => {
  const mother = k(1000, 1050, 990, 1040);

  it("matches a range inside the previous candle's, stronger the tighter", () => {
    expect(detectPatterns([mother, k(1020, 1040, 1010, 1030)]), 'half the range').toEqual([
      { pattern: 'inside-bar', direction: 'neutral', strength: 0.5 + 0.5 * (0.5 / 0.75), candlesUsed: 2 },
    ]);
  });

  it('does not match when the high pokes out or the range is the same', () => {
    expect(names([mother, k(1020, 1051, 1010, 1030)]), 'high 1 above').not.toContain('inside-bar');
    expect(names([mother, k(1000, 1050, 990, 1040)]), 'identical range').not.toContain('inside-bar');
  });
});

describe('morning and evening star', () => {
  const longDown = k(1100, 1105, 995, 1000);
  const lowStar = k(995, 1000, 985, 990);
  const longUp = k(1000, 1105, 995, 1100);
  const highStar = k(1105, 1115, 1100, 1110);

  it('matches long bearish, small star below its close, bullish close 80% back into the first body', () => {
    expect(detectPatterns([longDown, lowStar, k(992, 1085, 990, 1080)]), 'morning star').toContainEqual({
      pattern: 'morning-star',
      direction: 'bullish',
      strength: 0.8,
      candlesUsed: 3,
    });
  });

  it('matches the evening star mirror image', () => {
    expect(detectPatterns([longUp, highStar, k(1108, 1110, 1015, 1020)]), 'evening star').toContainEqual({
      pattern: 'evening-star',
      direction: 'bearish',
      strength: 0.8,
      candlesUsed: 3,
    });
  });

  it('does not match when the third candle recovers under half the first body or the star is too big', () => {
    expect(names([longDown, lowStar, k(992, 1045, 990, 1040)]), 'recovers 40%').not.toContain('morning-star');
    expect(names([longDown, k(1000, 1002, 955, 960), k(962, 1085, 960, 1080)]), 'star body 40').not.toContain(
      'morning-star',
    );
    expect(names([longUp, highStar, k(1108, 1110, 1055, 1060)]), 'falls back 40%').not.toContain(
      'evening-star',
    );
  });
});

describe('three white soldiers and three black crows', () => {
  const soldiers = [k(1000, 1055, 995, 1050), k(1040, 1095, 1035, 1090), k(1080, 1135, 1075, 1130)];
  const crows = [k(1130, 1135, 1075, 1080), k(1090, 1095, 1035, 1040), k(1050, 1055, 995, 1000)];

  it('matches three long rising candles, each opening in the previous body', () => {
    const match = detectPatterns(soldiers).find((m) => m.pattern === 'three-white-soldiers');
    expect(match, 'soldiers').toMatchObject({ direction: 'bullish', candlesUsed: 3 });
    expect(match?.strength, 'smallest body 50 of 60').toBeCloseTo(0.5 + (0.5 * (50 / 60 - 0.6)) / 0.3, 12);
  });

  it('matches three long falling candles as crows', () => {
    expect(names(crows), 'crows').toContain('three-black-crows');
  });

  it('does not match when the third closes lower, or its body is short', () => {
    const lower = [soldiers[0], soldiers[1], k(1080, 1090, 1075, 1085)].filter((c) => c !== undefined);
    expect(names(lower), 'third closes below the second').not.toContain('three-white-soldiers');
    const short = [soldiers[0], soldiers[1], k(1080, 1135, 1075, 1110)].filter((c) => c !== undefined);
    expect(names(short), 'third body 30 of 60').not.toContain('three-white-soldiers');
  });
});

describe('detectPatterns', () => {
  const DIRECTION: Record<PatternName, string> = {
    'bullish-engulfing': 'bullish',
    hammer: 'bullish',
    'morning-star': 'bullish',
    'three-white-soldiers': 'bullish',
    'bearish-engulfing': 'bearish',
    'shooting-star': 'bearish',
    'evening-star': 'bearish',
    'three-black-crows': 'bearish',
    doji: 'neutral',
    'inside-bar': 'neutral',
  };

  it('returns nothing for an empty window', () => {
    expect(detectPatterns([]), 'no candles').toEqual([]);
  });

  it('keeps every match in range on arbitrary candles: strength 0.5..1, fixed direction, enough candles', () => {
    const candle = fc
      .record({
        open: fc.integer({ min: 900, max: 1100 }),
        close: fc.integer({ min: 900, max: 1100 }),
        up: fc.integer({ min: 0, max: 60 }),
        down: fc.integer({ min: 0, max: 60 }),
      })
      .map(({ open, close, up, down }) =>
        k(open, Math.max(open, close) + up, Math.min(open, close) - down, close),
      );
    fc.assert(
      fc.property(fc.array(candle, { maxLength: 8 }), (candles) => {
        for (const m of detectPatterns(candles)) {
          expect(m.strength >= 0.5 && m.strength <= 1, `${m.pattern} strength ${m.strength}`).toBe(true);
          expect(m.direction, m.pattern).toBe(DIRECTION[m.pattern]);
          expect(m.candlesUsed <= candles.length, `${m.pattern} uses candles it was given`).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
