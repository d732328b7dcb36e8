import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { black76, greeks, tryImpliedVolatility } from '../index.js';
import {
  black76GreeksInto,
  FAULT_ABOVE_MAX,
  FAULT_BELOW_INTRINSIC,
  FAULT_EXPIRED,
  type GreeksSlot,
  type SolveStats,
  solveVol,
} from './kernel.js';

const RATE = 0.065;

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

describe('solveVol (warm-started Halley, library fallback)', () => {
  it('agrees with Let’s Be Rational to 1e-11 relative from a start 1% off, mostly without the library', () => {
    const stats: SolveStats = { warm: 0, warmSteps: 0, cold: 0 };
    fc.assert(
      fc.property(
        fc.double({ min: 15_000, max: 60_000, noNaN: true }),
        fc.double({ min: -0.15, max: 0.15, noNaN: true }),
        fc.double({ min: 0.5 / 365, max: 90 / 365, noNaN: true }),
        fc.double({ min: 0.06, max: 0.8, noNaN: true }),
        fc.double({ min: -0.01, max: 0.01, noNaN: true }),
        fc.boolean(),
        (forward, k, timeYears, vol, offset, isCall) => {
          const strike = forward * Math.exp(k);
          const price = black76({ forward, strike, timeYears, rate: RATE, vol, isCall });
          const reference = tryImpliedVolatility({ price, forward, strike, timeYears, rate: RATE, isCall });
          // Premiums of a few paise, or time values lost under intrinsic, have no IV worth comparing.
          if (!reference.ok || price < 0.05 || reference.vol === 0) return;
          const warm = solveVol(
            price,
            forward,
            strike,
            timeYears,
            RATE,
            isCall,
            reference.vol * (1 + offset),
            stats,
          );
          expect(relative(warm, reference.vol), 'same root as the library').toBeLessThan(1e-11);
        },
      ),
      { numRuns: 3000, seed: 20261125 },
    );
    expect(stats.cold / (stats.warm + stats.cold), 'the library is the exception').toBeLessThan(0.05);
    expect(stats.warmSteps / stats.warm, 'two Halley steps from 1% off').toBeLessThanOrEqual(2.1);
  });

  it('takes one step from a start within 1e-7 (what the chain’s first-order prediction gives)', () => {
    const stats: SolveStats = { warm: 0, warmSteps: 0, cold: 0 };
    const forward = 25_062.35;
    for (let strike = 24_500; strike <= 25_600; strike += 50) {
      const price = black76({
        forward,
        strike,
        timeYears: 4 / 365,
        rate: RATE,
        vol: 0.115,
        isCall: strike >= forward,
      });
      const vol = solveVol(
        price,
        forward,
        strike,
        4 / 365,
        RATE,
        strike >= forward,
        0.115 * (1 + 1e-7),
        stats,
      );
      expect(relative(vol, 0.115), `K=${strike}`).toBeLessThan(1e-12);
    }
    expect(stats.warmSteps, 'one step each').toBe(stats.warm);
    expect(stats.cold).toBe(0);
  });

  it('falls back to the library without a start, with the same answer', () => {
    const stats: SolveStats = { warm: 0, warmSteps: 0, cold: 0 };
    const price = black76({
      forward: 25_000,
      strike: 25_300,
      timeYears: 0.02,
      rate: RATE,
      vol: 0.14,
      isCall: true,
    });
    expect(relative(solveVol(price, 25_000, 25_300, 0.02, RATE, true, 0, stats), 0.14)).toBeLessThan(1e-12);
    expect(stats, 'no guess: one cold solve').toEqual({ warm: 0, warmSteps: 0, cold: 1 });
  });

  it('reports a premium below intrinsic, above the bound or an expired option as a code, never NaN', () => {
    const below = solveVol(90, 25_100, 25_000, 0.02, RATE, true, 0.12);
    expect(below, 'call at 90 with 100 intrinsic (warm start)').toBe(FAULT_BELOW_INTRINSIC);
    expect(solveVol(90, 25_100, 25_000, 0.02, RATE, true, 0), 'same without a start').toBe(
      FAULT_BELOW_INTRINSIC,
    );
    expect(solveVol(25_100, 25_100, 25_000, 0.02, RATE, true, 0.12), 'call worth the forward').toBe(
      FAULT_ABOVE_MAX,
    );
    expect(solveVol(10, 25_100, 25_000, 0, RATE, true, 0.12), 'no time left').toBe(FAULT_EXPIRED);
    expect(solveVol(Number.NaN, 25_100, 25_000, 0.02, RATE, true, 0.12), 'NaN price').toBeLessThan(0);
  });
});

describe('black76GreeksInto', () => {
  const slot = (): GreeksSlot => ({ delta: 0, gamma: 0, theta: 0, vega: 0, rho: 0 });

  it('reproduces reference §2.5(c), the NIFTY weekly call and put, in display units', () => {
    const input = { forward: 25_062.35, strike: 25_050, timeYears: 4 / 365, rate: RATE, vol: 0.115 };
    const call = slot();
    black76GreeksInto(
      call,
      input.forward,
      input.strike,
      input.timeYears,
      RATE,
      0.115,
      true,
      126.523915437599,
      365,
    );
    expect(call.delta, 'delta_F = D·N(d1)').toBeCloseTo(0.518358685964142, 12);
    expect(call.gamma).toBeCloseTo(0.00131983188918488, 15);
    expect(call.vega, 'per vol point').toBeCloseTo(10.4478557058733, 10);
    expect(call.theta, 'per calendar day').toBeCloseTo(-5473.63523617196 / 365, 9);
    expect(call.rho, 'per 1%').toBeCloseTo(-1.3865634568504 / 100, 12);
    const put = slot();
    black76GreeksInto(
      put,
      input.forward,
      input.strike,
      input.timeYears,
      RATE,
      0.115,
      false,
      114.182709565346,
      365,
    );
    expect(put.delta).toBeCloseTo(-0.480929238914641, 12);
    expect(put.theta).toBeCloseTo(-5474.43741455365 / 365, 9);
  });

  it('equals greeks() display fields for any contract, on either day basis', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 15_000, max: 60_000, noNaN: true }),
        fc.double({ min: -0.2, max: 0.2, noNaN: true }),
        fc.double({ min: 0.5 / 365, max: 0.5, noNaN: true }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.boolean(),
        fc.constantFrom<'calendar' | 'trading'>('calendar', 'trading'),
        (forward, k, timeYears, vol, isCall, dayBasis) => {
          const strike = forward * Math.exp(k);
          const expected = greeks({ forward, strike, timeYears, rate: RATE, vol, isCall }, { dayBasis });
          const out = slot();
          const days = dayBasis === 'calendar' ? 365 : 252;
          black76GreeksInto(out, forward, strike, timeYears, RATE, vol, isCall, expected.price, days);
          const close = (a: number, b: number): boolean =>
            Math.abs(a - b) <= 1e-11 * Math.max(1, Math.abs(b));
          expect(close(out.delta, expected.delta), 'delta').toBe(true);
          expect(close(out.gamma * forward, expected.gamma * forward), 'gamma').toBe(true);
          expect(close(out.theta, expected.thetaPerDay), 'theta per day').toBe(true);
          expect(close(out.vega, expected.vegaPerPoint), 'vega per point').toBe(true);
          expect(close(out.rho, expected.rhoPerPercent), 'rho per 1%').toBe(true);
        },
      ),
      { numRuns: 500, seed: 7 },
    );
  });
});
