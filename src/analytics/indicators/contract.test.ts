import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SERIES_OPEN_MS } from './fixtures/series.js';
import { deepNear } from './fixtures/near.js';
import { createIndicator, type IndicatorSpec, indicatorName } from './set.js';
import type { IndicatorCandle } from './types.js';

/** Short periods so a few dozen candles cover warm-up and the steady state. */
const SPECS: readonly IndicatorSpec[] = [
  { kind: 'sma', period: 3 },
  { kind: 'ema', period: 3 },
  { kind: 'rsi', period: 3 },
  { kind: 'atr', period: 3 },
  { kind: 'vwap' },
  { kind: 'macd', fast: 2, slow: 4, signal: 3 },
  { kind: 'bollinger', period: 4, multiplier: 2 },
  { kind: 'supertrend', period: 3, multiplier: 1.5 },
];

/** OHLCV in paise on the 5-paise grid, high/low enclosing open/close, volume sometimes zero. */
const candleShape = fc
  .record({
    open: fc.integer({ min: 2_000, max: 4_000 }),
    close: fc.integer({ min: 2_000, max: 4_000 }),
    up: fc.integer({ min: 0, max: 50 }),
    down: fc.integer({ min: 0, max: 50 }),
    volume: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5_000 })),
  })
  .map(({ open, close, up, down, volume }) => ({
    open: 5 * open,
    close: 5 * close,
    high: 5 * (Math.max(open, close) + up),
    low: 5 * (Math.min(open, close) - down),
    volume,
  }));

/** Buckets of one series: 0–3 forming revisions, then the closed candle; some start a new session. */
const bucketsArb = fc.array(
  fc.record({
    forming: fc.array(candleShape, { maxLength: 3 }),
    closed: candleShape,
    newSession: fc.boolean(),
  }),
  { minLength: 1, maxLength: 30 },
);

function withTimes(buckets: readonly Bucket[]): TimedBucket[] {
  let startMs = SERIES_OPEN_MS;
  return buckets.map((b, i) => {
    if (i > 0) startMs += b.newSession ? 86_400_000 : 60_000;
    return {
      forming: b.forming.map((f) => ({ ...f, startMs })),
      closed: { ...b.closed, startMs },
    };
  });
}

interface Bucket {
  forming: Omit<IndicatorCandle, 'startMs'>[];
  closed: Omit<IndicatorCandle, 'startMs'>;
  newSession: boolean;
}
interface TimedBucket {
  forming: IndicatorCandle[];
  closed: IndicatorCandle;
}

/**
 * The contract every StreamingIndicator keeps, whatever its implementation: forming candles never leak
 * into committed state, and a forming value is exactly what the candle would give had it closed there.
 * A new indicator joins by adding its spec to SPECS.
 */
describe.each(SPECS.map((spec) => [indicatorName(spec), spec] as const))(
  '%s keeps the streaming contract',
  (_, spec) => {
    it('gives the same values after any forming revisions as when fed closed candles only', () => {
      fc.assert(
        fc.property(bucketsArb, (raw) => {
          const mixed = createIndicator(spec);
          const closedOnly = createIndicator(spec);
          for (const bucket of withTimes(raw)) {
            for (const f of bucket.forming) mixed.replace(f);
            const a = mixed.update(bucket.closed);
            const b = closedOnly.update(bucket.closed);
            expect(deepNear(a, b), 'value after the closed candle').toBe(true);
            expect(mixed.forming, 'update ends the forming state').toBe(false);
            expect(mixed.count, 'only closed candles are counted').toBe(closedOnly.count);
          }
        }),
        { numRuns: 150 },
      );
    });

    it('gives, for a forming candle, the value that candle would give once closed', () => {
      fc.assert(
        fc.property(bucketsArb, (raw) => {
          const live = createIndicator(spec);
          const history: IndicatorCandle[] = [];
          for (const bucket of withTimes(raw)) {
            for (const f of bucket.forming) {
              const shown = live.replace(f);
              const twin = createIndicator(spec);
              for (const h of history) twin.update(h);
              expect(deepNear(shown, twin.update(f)), 'forming value = value had it closed').toBe(true);
              expect(live.isStable, 'isStable follows the shown value').toBe(shown !== undefined);
              expect(live.forming, 'replace marks the value as forming').toBe(true);
            }
            live.update(bucket.closed);
            history.push(bucket.closed);
          }
        }),
        { numRuns: 100 },
      );
    });

    it('has no value before requiredInputs closed candles and one from then on (VWAP: once volume trades)', () => {
      fc.assert(
        fc.property(bucketsArb, (raw) => {
          const ind = createIndicator(spec);
          for (const bucket of withTimes(raw)) {
            const value = ind.update({ ...bucket.closed, volume: bucket.closed.volume + 1 });
            expect(value === undefined, `warming at count ${ind.count}`).toBe(ind.count < ind.requiredInputs);
          }
        }),
        { numRuns: 50 },
      );
    });
  },
);
