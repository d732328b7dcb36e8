import { describe, expect, it } from 'vitest';
import { ohlc, randomCandles } from './fixtures/series.js';
import { SuperTrend } from './supertrend.js';

describe('SuperTrend', () => {
  it('trails below a steady rise and flips once, on the candle that closes through the line', () => {
    const st = new SuperTrend(3, 2);
    let i = 0;
    for (; i < 20; i++) st.update(ohlc(i, 1_000 + 10 * i, 1_012 + 10 * i, 998 + 10 * i, 1_010 + 10 * i));
    const rising = st.value;
    expect(rising?.direction, 'bullish in the rise').toBe('bullish');
    expect((rising?.value ?? Number.POSITIVE_INFINITY) < 1_198, 'the line sits below the last low').toBe(
      true,
    );
    const crash = st.update(ohlc(i++, 1_200, 1_200, 1_100, 1_100));
    expect(crash?.direction, 'a close far below the line').toBe('bearish');
    expect(crash?.flipped, 'this candle flipped the trend').toBe(true);
    expect(st.update(ohlc(i, 1_100, 1_105, 1_090, 1_095))?.flipped, 'the next bearish candle did not').toBe(
      false,
    );
  });

  it('only ratchets: the line never falls in an uptrend nor rises in a downtrend', () => {
    const st = new SuperTrend(10, 3);
    let previous: ReturnType<SuperTrend['update']>;
    for (const [i, c] of randomCandles(5_000, 7).entries()) {
      const value = st.update(c);
      if (value !== undefined && previous !== undefined && !value.flipped) {
        if (value.direction === 'bullish')
          expect(value.value >= previous.value, `rising stop at ${i}`).toBe(true);
        else expect(value.value <= previous.value, `falling stop at ${i}`).toBe(true);
      }
      previous = value;
    }
  });
});
