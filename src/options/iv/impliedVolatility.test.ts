import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ErrorCode, IfError } from '../../core/index.js';
import { black76 } from '../pricing/index.js';
import { forwardOf, REFERENCE_CASES, type ReferenceCase } from './fixtures/referenceCases.js';
import { type ImpliedVolatilityInput, impliedVolatility, tryImpliedVolatility } from './impliedVolatility.js';
import { totalVolatilityOtmCall } from './letsBeRational.js';
import { normalisedBlackOtmCall, normalisedVega } from './normalisedBlack.js';
import { normCdf, normPdf } from './normal.js';

const EPSILON = Number.EPSILON;

function inputOf(rc: ReferenceCase): ImpliedVolatilityInput {
  return {
    price: rc.price,
    forward: forwardOf(rc),
    strike: rc.strike,
    timeYears: rc.timeYears,
    rate: rc.rate,
    isCall: rc.isCall,
  };
}

const SOLVABLE = REFERENCE_CASES.filter((rc) => Number(rc.expected) > 0);

describe('impliedVolatility on the 31 reference cases (§1.8.2)', () => {
  it.each(SOLVABLE.map((rc) => [rc.id, rc] as const))(
    '%s matches the 60-digit IV to 1e-12 relative',
    (id, rc) => {
      const vol = impliedVolatility(inputOf(rc));
      expect(Math.abs(vol / Number(rc.expected) - 1), `${id}: ${vol} vs ${rc.expected}`).toBeLessThan(1e-12);
    },
  );

  it('has a maximum relative error below 1e-14 over the 28 solvable cases (LBR-class precision)', () => {
    const errors = SOLVABLE.map((rc) => Math.abs(impliedVolatility(inputOf(rc)) / Number(rc.expected) - 1));
    expect(SOLVABLE.length, 'solvable cases').toBe(28);
    // BSM cases lose a few ulps forming F = S·e^{(r−q)T} in double; everything else is ≤ 1e-15.
    expect(Math.max(...errors), 'max relative error').toBeLessThan(1e-14);
  });

  it('returns 0 for a price exactly at intrinsic (X6), as LBR does', () => {
    const x6 = REFERENCE_CASES.find((rc) => rc.id === 'X6');
    expect(x6, 'X6 present').toBeDefined();
    if (x6 !== undefined) expect(impliedVolatility(inputOf(x6)), 'X6').toBe(0);
  });

  it.each([
    ['X7', 'IF_ERR_IV_BELOW_INTRINSIC'],
    ['X8', 'IF_ERR_IV_ABOVE_MAX'],
  ] as const)('%s is rejected with %s, never NaN', (id, code) => {
    const rc = REFERENCE_CASES.find((c) => c.id === id);
    if (rc === undefined) throw new Error(`${id} missing`);
    const result = tryImpliedVolatility(inputOf(rc));
    expect(result, `${id} result`).toMatchObject({ ok: false, code });
    expect(() => impliedVolatility(inputOf(rc)), `${id} throws`).toThrow(IfError);
    try {
      impliedVolatility(inputOf(rc));
    } catch (error) {
      expect(error instanceof IfError && error.code, `${id} code`).toBe(code);
    }
  });
});

describe('impliedVolatility input handling', () => {
  const valid: ImpliedVolatilityInput = {
    price: 126.5,
    forward: 25062.35,
    strike: 25050,
    timeYears: 4 / 365,
    rate: 0.065,
    isCall: true,
  };

  function codeOf(input: ImpliedVolatilityInput): ErrorCode | 'ok' {
    const result = tryImpliedVolatility(input);
    return result.ok ? 'ok' : result.code;
  }

  it('rejects non-finite or impossible inputs with IF_ERR_OPTION_INPUT', () => {
    for (const bad of [
      { price: Number.NaN },
      { price: -0.05 },
      { price: Number.POSITIVE_INFINITY },
      { forward: 0 },
      { forward: -25000 },
      { strike: Number.NaN },
      { rate: Number.NaN },
      { timeYears: Number.NaN },
    ]) {
      expect(codeOf({ ...valid, ...bad }), JSON.stringify(bad)).toBe('IF_ERR_OPTION_INPUT');
    }
  });

  it('reports an expired option (T ≤ 0) as IF_ERR_OPTION_EXPIRED', () => {
    expect(codeOf({ ...valid, timeYears: 0 }), 'T = 0').toBe('IF_ERR_OPTION_EXPIRED');
    expect(codeOf({ ...valid, timeYears: -1 / 365 }), 'T < 0').toBe('IF_ERR_OPTION_EXPIRED');
  });

  it('bounds puts by the discounted strike and calls by the discounted forward', () => {
    const discount = Math.exp(-valid.rate * valid.timeYears);
    expect(codeOf({ ...valid, isCall: false, price: valid.strike * discount }), 'put at D·K').toBe(
      'IF_ERR_IV_ABOVE_MAX',
    );
    expect(codeOf({ ...valid, price: valid.forward * discount * 1.0001 }), 'call above D·F').toBe(
      'IF_ERR_IV_ABOVE_MAX',
    );
    expect(
      codeOf({ ...valid, isCall: false, price: 0.999 * (valid.strike - 24000) * discount, forward: 24000 }),
      'ITM put under intrinsic',
    ).toBe('IF_ERR_IV_BELOW_INTRINSIC');
  });

  it('treats a premium quoted as D·(F − K) as at intrinsic (σ = 0) despite the discounting round-off', () => {
    const discount = Math.exp(-0.065 * 0.25);
    const atIntrinsic = {
      price: discount * (26000 - 24000),
      forward: 26000,
      strike: 24000,
      timeYears: 0.25,
      rate: 0.065,
      isCall: true,
    };
    expect(impliedVolatility(atIntrinsic), 'σ at intrinsic').toBe(0);
    expect(
      impliedVolatility({ ...atIntrinsic, price: 0, strike: 30000 }),
      'zero premium out of the money',
    ).toBe(0);
  });

  it('never returns NaN: any input gives a finite σ ≥ 0 or a catalogue code, and both APIs agree (property)', () => {
    const anyNumber = fc.oneof(
      fc.double(),
      fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
      fc.constantFrom(0, -0, 1, 100, 25000, Number.MIN_VALUE, Number.MAX_VALUE),
    );
    const codes = new Set<ErrorCode>([
      'IF_ERR_OPTION_INPUT',
      'IF_ERR_OPTION_EXPIRED',
      'IF_ERR_IV_BELOW_INTRINSIC',
      'IF_ERR_IV_ABOVE_MAX',
      'IF_ERR_IV_UNSOLVED', // only beyond double range, e.g. F = 1e-323 with K = 1e308
    ]);
    fc.assert(
      fc.property(
        anyNumber,
        anyNumber,
        anyNumber,
        anyNumber,
        fc.double({ min: -1, max: 1 }),
        fc.boolean(),
        (price, forward, strike, timeYears, rate, isCall) => {
          const input = { price, forward, strike, timeYears, rate, isCall };
          const result = tryImpliedVolatility(input);
          if (result.ok) {
            expect(
              Number.isFinite(result.vol) && result.vol >= 0,
              `finite σ ≥ 0 for ${JSON.stringify(input)}`,
            ).toBe(true);
            expect(impliedVolatility(input), 'throwing API agrees').toBe(result.vol);
          } else {
            expect(codes.has(result.code), `known code ${result.code}`).toBe(true);
            expect(result.detail.length, 'a reason').toBeGreaterThan(0);
            expect(() => impliedVolatility(input), 'throwing API throws').toThrow(IfError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('solves every valid premium of a realistic contract: no IF_ERR_IV_UNSOLVED (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-3, max: 1e7, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e7, noNaN: true }),
        fc.double({ min: 1e-6, max: 30, noNaN: true }),
        fc.double({ min: -0.1, max: 0.3, noNaN: true }),
        fc.double({ min: 1e-200, max: 1, noNaN: true }),
        fc.boolean(),
        (forward, strike, timeYears, rate, fraction, isCall) => {
          // Any premium between the discounted intrinsic value and the discounted bound (subnormal ones
          // excepted: those are IF_ERR_IV_UNSOLVED by design).
          const discount = Math.exp(-rate * timeYears);
          const intrinsic = Math.max(isCall ? forward - strike : strike - forward, 0);
          const bound = isCall ? forward : strike;
          const price = discount * (intrinsic + fraction * (bound - intrinsic));
          const result = tryImpliedVolatility({ price, forward, strike, timeYears, rate, isCall });
          if (!result.ok)
            expect(
              result.code,
              `${JSON.stringify({ price, forward, strike, timeYears, rate, isCall })}`,
            ).not.toBe('IF_ERR_IV_UNSOLVED');
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('round trips σ → price → σ', () => {
  it('recover s from b(x, s) to a few ulps of its conditioning (normalised, property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -3, max: 0, noNaN: true }),
        fc.double({ min: Math.log(1e-3), max: Math.log(3), noNaN: true }),
        (x, logS) => {
          const s = Math.exp(logS);
          const beta = normalisedBlackOtmCall(x, s);
          fc.pre(beta > 1e-300 && beta < Math.exp(0.5 * x));
          // A rounding of β moves s by ε·β/b′; s itself is only known to ε.
          const attainable = EPSILON * (s + beta / normalisedVega(x, s));
          expect(Math.abs(totalVolatilityOtmCall(beta, x) - s), `x=${x}, s=${s}`).toBeLessThan(
            8 * attainable,
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('recover σ from a Black-76 premium over log-moneyness −3…3 and total vol 1e-3…3, calls and puts (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: Math.log(1e-3), max: Math.log(3), noNaN: true }),
        fc.double({ min: 1e-4, max: 5, noNaN: true }),
        fc.double({ min: -0.02, max: 0.15, noNaN: true }),
        fc.boolean(),
        (x, logS, timeYears, rate, isCall) => {
          const forward = 25_000;
          const strike = forward * Math.exp(-x);
          const s = Math.exp(logS);
          const vol = s / Math.sqrt(timeYears);
          fc.pre(normalisedBlackOtmCall(-Math.abs(x), s) > 1e-300);
          const input = { forward, strike, timeYears, rate, vol, isCall };
          const price = black76(input);
          // The premium is known to a few ulps, which moves σ by ε·P/vega; σ itself is known to ε.
          const vega =
            Math.exp(-rate * timeYears) *
            Math.sqrt(forward * strike) *
            normalisedVega(x, s) *
            Math.sqrt(timeYears);
          const attainable = EPSILON * (vol + price / vega);
          const solved = impliedVolatility({ price, forward, strike, timeYears, rate, isCall });
          expect(
            Math.abs(solved - vol),
            `x=${x}, s=${s}, T=${timeYears}, ${isCall ? 'call' : 'put'}`,
          ).toBeLessThan(16 * attainable);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['price ~1e-300 (x = −3, s = 0.1)', -3, 0.1],
    ['F/K = e^20', -20, 2],
    ['price within 1e-12 of the bound (s = 14)', -0.5, 14],
    ['σ√T = 40, price within ulps of the bound', -0.01, 12],
    ['tiny log-moneyness x = −1e-12', -1e-12, 1e-6],
    ['at the money, β ≈ 4e-201', 0, 1e-200],
    ['at the money, β close to 1', 0, 9],
  ])('recovers s in the deep wing: %s', (_, x, s) => {
    const beta = normalisedBlackOtmCall(x, s);
    const attainable = EPSILON * (s + beta / normalisedVega(x, s));
    expect(Math.abs(totalVolatilityOtmCall(beta, x) - s), `x=${x}, s=${s}`).toBeLessThan(8 * attainable);
  });
});

/** Textbook Newton on σ with the naive Black price, seeded by Brenner–Subrahmanyam (§1.6). */
function newtonFromBrennerSubrahmanyam(input: ImpliedVolatilityInput): number {
  const { price, forward, strike, timeYears, rate, isCall } = input;
  const discount = Math.exp(-rate * timeYears);
  const sign = isCall ? 1 : -1;
  let vol = (price / (discount * forward)) * Math.sqrt((2 * Math.PI) / timeYears);
  for (let i = 0; i < 100; i++) {
    const s = vol * Math.sqrt(timeYears);
    const d1 = Math.log(forward / strike) / s + s / 2;
    const d2 = d1 - s;
    const model = discount * sign * (forward * normCdf(sign * d1) - strike * normCdf(sign * d2));
    const vega = discount * forward * normPdf(d1) * Math.sqrt(timeYears);
    const step = (model - price) / vega;
    vol -= step;
    if (!(vol > 0) || !Number.isFinite(vol)) return Number.NaN;
    if (Math.abs(step) < 1e-14 * vol) return vol;
  }
  return Number.NaN;
}

describe('deep wings where Newton from the Brenner–Subrahmanyam seed fails', () => {
  it.each(['N4', 'N6', 'S2', 'X1', 'X3', 'X5'])(
    '%s: Newton breaks down, Let’s Be Rational gets 1e-14',
    (id) => {
      const rc = REFERENCE_CASES.find((c) => c.id === id);
      if (rc === undefined) throw new Error(`${id} missing`);
      const expected = Number(rc.expected);
      const newton = newtonFromBrennerSubrahmanyam(inputOf(rc));
      expect(
        Number.isNaN(newton) || Math.abs(newton / expected - 1) > 1e-6,
        `${id}: Newton gives ${newton}`,
      ).toBe(true);
      expect(Math.abs(impliedVolatility(inputOf(rc)) / expected - 1), `${id}: LBR`).toBeLessThan(1e-14);
    },
  );
});
