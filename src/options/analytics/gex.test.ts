import { describe, expect, it } from 'vitest';
import { quote } from './fixtures/toyChain.js';
import { gammaExposure, NAIVE_DEALER_GEX, WRITERS_SHORT_GEX } from './gex.js';

// Reference §2.5(c): Γ_F = 0.00131983188918488 per unit per ₹ at F = 25,062.35, K = 25,050.
const GAMMA = 0.00131983188918488;
const SPOT = 2_506_235;
const LOT = 65;
// Γ × OI × lot × S² × 0.01 for 1,000 contracts, by hand: 0.0013198 × 65,000 × 25,062.35² × 0.01 ≈ ₹53.89 crore.
const ONE_K = GAMMA * 1_000 * LOT * 25_062.35 ** 2 * 0.01;

describe('gammaExposure', () => {
  it('computes Γ × OI × lot × S² × 0.01 for one strike (hand-checked: ≈ ₹53.89 crore per 1%)', () => {
    const chain = [{ strike: 2_505_000, call: quote({ oi: 1_000, gamma: GAMMA }) }];
    const gex = gammaExposure(chain, SPOT, LOT);
    expect(gex.call, 'call GEX').toBeCloseTo(ONE_K, 6);
    expect(gex.call / 1e7, 'about ₹53.89 crore').toBeCloseTo(53.886, 3);
    expect(gex.net, 'net = call only').toBe(gex.call);
  });

  it('signs calls positive and puts negative under the naive dealer convention', () => {
    const chain = [
      {
        strike: 2_500_000,
        call: quote({ oi: 1_000, gamma: GAMMA }),
        put: quote({ oi: 3_000, gamma: GAMMA }),
      },
      { strike: 2_510_000, call: quote({ oi: 2_000, gamma: GAMMA }) },
    ];
    const gex = gammaExposure(chain, SPOT, LOT);
    expect(gex.convention, 'labelled naive').toBe(NAIVE_DEALER_GEX.label);
    expect(gex.call, 'calls positive').toBeCloseTo(3 * ONE_K, 6);
    expect(gex.put, 'puts negative').toBeCloseTo(-3 * ONE_K, 6);
    expect(gex.net, 'call and put GEX cancel').toBeCloseTo(0, 6);
    expect(gex.strikes[0]?.net, 'put-heavy strike is net short gamma').toBeLessThan(0);
    expect(gex.strikes[1]?.net, 'call-only strike is net long gamma').toBeGreaterThan(0);
  });

  it('turns every side negative when writers are assumed short both, and scales with the multiplier', () => {
    const chain = [
      {
        strike: 2_500_000,
        call: quote({ oi: 1_000, gamma: GAMMA }),
        put: quote({ oi: 1_000, gamma: GAMMA }),
      },
    ];
    const gex = gammaExposure(chain, SPOT, LOT, 1, WRITERS_SHORT_GEX);
    expect(gex.call, 'short calls').toBeCloseTo(-ONE_K, 6);
    expect(gex.put, 'short puts').toBeCloseTo(-ONE_K, 6);
    expect(gammaExposure(chain, SPOT, LOT, 2).call, 'multiplier 2 doubles it').toBeCloseTo(2 * ONE_K, 6);
  });

  it('counts sides with OI but no gamma instead of silently treating them as zero-gamma', () => {
    const chain = [
      { strike: 2_500_000, call: quote({ oi: 1_000 }), put: quote({ oi: 0 }) },
      { strike: 2_510_000, call: quote({ oi: 1_000, gamma: GAMMA }) },
    ];
    const gex = gammaExposure(chain, SPOT, LOT);
    expect(gex.missingGamma, 'one side lacks gamma; zero-OI sides do not count').toBe(1);
    expect(gex.call, 'only the priced side contributes').toBeCloseTo(ONE_K, 6);
  });
});
