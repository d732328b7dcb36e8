import { CANDLE_INTERVALS, type Candle } from '../../feed/candles/index.js';
import { detectPatterns, PATTERN_WINDOW } from './detect.js';
import type { PatternCandle, PatternMatch } from './rules.js';

const NONE: readonly PatternMatch[] = Object.freeze([]);

/** Patterns over one series of closed candles, keeping only the last PATTERN_WINDOW of them. */
export class PatternDetector {
  private readonly window: PatternCandle[] = [];

  /** Adds a closed candle and returns the patterns it completes (often none). */
  update(candle: PatternCandle): readonly PatternMatch[] {
    this.window.push(candle);
    if (this.window.length > PATTERN_WINDOW) this.window.shift();
    const matches = detectPatterns(this.window);
    return matches.length === 0 ? NONE : matches;
  }

  /** the candles held, oldest first */
  get candles(): readonly PatternCandle[] {
    return this.window;
  }
}

/** What a PatternSet reads from a candle. */
export type PatternSeriesCandle = Pick<
  Candle,
  'token' | 'interval' | 'closed' | 'startMs' | 'open' | 'high' | 'low' | 'close'
>;

/**
 * A PatternDetector per (token, interval), fed straight from the candle builder. Patterns are judged on
 * closed candles only, so forming candles are ignored, as is a candle at or before the series' last one.
 */
export class PatternSet {
  private readonly series = new Map<string, { detector: PatternDetector; lastStartMs: number }[]>();

  /** Applies a candle; returns the patterns it completes, empty for forming, late or patternless ones. */
  onCandle(candle: PatternSeriesCandle): readonly PatternMatch[] {
    if (!candle.closed) return NONE;
    const index = CANDLE_INTERVALS.indexOf(candle.interval);
    let slots = this.series.get(candle.token);
    if (slots === undefined) {
      slots = [];
      this.series.set(candle.token, slots);
    }
    let slot = slots[index];
    if (slot === undefined) {
      slot = { detector: new PatternDetector(), lastStartMs: Number.NEGATIVE_INFINITY };
      slots[index] = slot;
    }
    if (candle.startMs <= slot.lastStartMs) return NONE;
    slot.lastStartMs = candle.startMs;
    return slot.detector.update(candle);
  }

  /** Forgets every series of a token. */
  remove(token: string): void {
    this.series.delete(token);
  }
}
