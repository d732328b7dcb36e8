import { describe, expect, it } from 'vitest';
import { PATTERN_WINDOW } from './detect.js';
import { PatternDetector, type PatternSeriesCandle, PatternSet } from './detector.js';

const OPEN_MS = 1_770_003_900_000;

function candle(minute: number, open: number, high: number, low: number, close: number): PatternSeriesCandle {
  return {
    token: 'T',
    interval: '1m',
    closed: true,
    startMs: OPEN_MS + minute * 60_000,
    open,
    high,
    low,
    close,
  };
}

/** A falling run ending in a hammer (see detect.test.ts for the rule). */
const RUN = [
  candle(0, 1115, 1120, 1095, 1100),
  candle(1, 1095, 1100, 1075, 1080),
  candle(2, 1075, 1080, 1055, 1060),
  candle(3, 1055, 1060, 1035, 1040),
  candle(4, 1035, 1040, 1015, 1020),
  candle(5, 1000, 1016, 960, 1015),
];

describe('PatternDetector', () => {
  it('reports a pattern on the candle that completes it, using the candles before as context', () => {
    const detector = new PatternDetector();
    const found = RUN.map((c) => detector.update(c).map((m) => m.pattern));
    expect(found.slice(0, 5).flat(), 'a plain decline has no pattern').toEqual([]);
    expect(found[5], 'the hammer').toContain('hammer');
  });

  it('keeps only the last PATTERN_WINDOW candles', () => {
    const detector = new PatternDetector();
    for (let i = 0; i < 50; i++) detector.update(candle(i, 1000, 1010, 990, 1005));
    expect(detector.candles.length, 'bounded window').toBe(PATTERN_WINDOW);
  });
});

describe('PatternSet', () => {
  it('judges closed candles per token and interval, ignoring forming and late ones', () => {
    const set = new PatternSet();
    for (const c of RUN.slice(0, 5)) set.onCandle(c);
    set.onCandle({ ...RUN[0], token: 'OTHER', startMs: OPEN_MS } as PatternSeriesCandle);
    const hammer = RUN[5] ?? candle(5, 0, 0, 0, 0);
    expect(set.onCandle({ ...hammer, closed: false }), 'forming candles are not judged').toEqual([]);
    expect(set.onCandle({ ...hammer, interval: '5m' }), 'the 5m series has no history').toEqual([]);
    expect(
      set.onCandle(hammer).map((m) => m.pattern),
      'the 1m series completes the hammer',
    ).toContain('hammer');
    expect(set.onCandle(hammer), 'the same candle again is late').toEqual([]);
  });
});
