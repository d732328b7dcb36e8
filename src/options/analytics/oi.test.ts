import { describe, expect, it } from 'vitest';
import { quote, TOY_CHAIN } from './fixtures/toyChain.js';
import { oiWalls, putCallRatio } from './oi.js';

describe('putCallRatio on the reference toy chain', () => {
  it('gives OI PCR 33,700/37,700 = 0.894', () => {
    expect(putCallRatio(TOY_CHAIN, 'oi'), 'exact ratio').toBe(33_700 / 37_700);
    expect(putCallRatio(TOY_CHAIN), 'OI is the default basis').toBeCloseTo(0.894, 3);
  });

  it('gives volume PCR 86,500/100,000 = 0.865', () => {
    expect(putCallRatio(TOY_CHAIN, 'volume'), 'volume PCR').toBeCloseTo(0.865, 15);
  });
});

describe('putCallRatio edge cases', () => {
  it('is undefined when the call total is not positive, as for OI change on a call-unwinding day', () => {
    const chain = [
      { strike: 2_500_000, call: quote({ oiChange: -500 }), put: quote({ oiChange: 800 }) },
      { strike: 2_510_000, call: quote({ oiChange: 200 }), put: quote({ oiChange: 100 }) },
    ];
    expect(putCallRatio(chain, 'oiChange'), 'Σ call ΔOI = −300').toBeUndefined();
    expect(putCallRatio([], 'oi'), 'empty chain').toBeUndefined();
  });

  it('computes the change-in-OI PCR and counts one-sided rows', () => {
    const chain = [
      { strike: 2_500_000, call: quote({ oiChange: 400 }), put: quote({ oiChange: 600 }) },
      { strike: 2_510_000, put: quote({ oiChange: 200 }) },
    ];
    expect(putCallRatio(chain, 'oiChange'), '800 / 400').toBe(2);
  });
});

describe('oiWalls', () => {
  it('puts resistance at the largest call OI and support at the largest put OI', () => {
    const walls = oiWalls(TOY_CHAIN);
    expect(walls.resistance, 'call OI 11,000 at 25,200').toBe(2_520_000);
    expect(walls.support, 'put OI 10,500 at 24,900').toBe(2_490_000);
    expect(walls.callOiAddition, 'no OI change in the toy chain').toBeUndefined();
  });
});
