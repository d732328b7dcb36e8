import { describe, expect, it } from 'vitest';
import { buildUpBias, chainBuildUp, oiBuildUp } from './buildUp.js';
import { quote } from './fixtures/toyChain.js';

describe('oiBuildUp quadrants', () => {
  it('labels each sign combination as the reference table does', () => {
    expect(oiBuildUp(+500, +1_000), 'price up, OI up').toBe('long-build-up');
    expect(oiBuildUp(-500, +1_000), 'price down, OI up').toBe('short-build-up');
    expect(oiBuildUp(+500, -1_000), 'price up, OI down').toBe('short-covering');
    expect(oiBuildUp(-500, -1_000), 'price down, OI down').toBe('long-unwinding');
  });

  it('calls a change inside the dead band neutral on either axis', () => {
    expect(oiBuildUp(0, 1_000), 'unchanged price').toBe('neutral');
    expect(oiBuildUp(500, 0), 'unchanged OI').toBe('neutral');
    expect(oiBuildUp(5, 1_000, { price: 5 }), 'one tick is noise with a one-tick band').toBe('neutral');
    expect(oiBuildUp(10, 1_000, { price: 5 }), 'two ticks clear a one-tick band').toBe('long-build-up');
    expect(oiBuildUp(-500, 40, { oi: 50 }), 'small OI change').toBe('neutral');
  });

  it('reads calls as the underlying and puts reversed', () => {
    expect(buildUpBias('long-build-up', 'call'), 'call buying').toBe('bullish');
    expect(buildUpBias('short-build-up', 'call'), 'call writing').toBe('bearish');
    expect(buildUpBias('short-covering', 'call'), 'call shorts cover').toBe('bullish');
    expect(buildUpBias('long-unwinding', 'call'), 'call longs exit').toBe('bearish');
    expect(buildUpBias('long-build-up', 'put'), 'put buying').toBe('bearish');
    expect(buildUpBias('short-build-up', 'put'), 'put writing').toBe('bullish');
    expect(buildUpBias('short-covering', 'put'), 'put shorts cover').toBe('bearish');
    expect(buildUpBias('long-unwinding', 'put'), 'put longs exit').toBe('bullish');
    expect(buildUpBias('neutral', 'put'), 'neutral stays neutral').toBe('neutral');
  });
});

describe('chainBuildUp', () => {
  it('labels each side from LTP − previous close and OI change, and skips sides it cannot judge', () => {
    const chain = [
      {
        strike: 2_500_000,
        call: quote({ ltp: 12_000, prevClose: 10_000, oiChange: 3_000 }),
        put: quote({ ltp: 9_000, prevClose: 11_000, oiChange: 2_000 }),
      },
      {
        strike: 2_510_000,
        call: quote({ ltp: 8_000, prevClose: 9_000, oiChange: -1_500 }),
        put: quote({ ltp: 0, prevClose: 12_000, oiChange: 500 }),
      },
      { strike: 2_520_000, call: quote({ ltp: 5_000, oiChange: 100 }) },
    ];
    expect(chainBuildUp(chain), 'per strike').toEqual([
      { strike: 2_500_000, call: 'long-build-up', put: 'short-build-up' },
      { strike: 2_510_000, call: 'long-unwinding', put: undefined },
      { strike: 2_520_000, call: undefined, put: undefined },
    ]);
  });
});
