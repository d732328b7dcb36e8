import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ErrorCode, IfError } from '../../core/index.js';
import { type Black76Input, black76, greeks } from './black76.js';
import { type BsmInput, bsm, bsmGreeks } from './bsm.js';
import { perLot } from './units.js';

// Well-conditioned contracts: the strike within 4 standard deviations of the forward (|ln(F/K)| ≤ 4σ√T),
// σ√T between 0.03 and 1.2, so every Greek is comfortably away from underflow and from N(d) = 1 in double.
const black76Arb = fc
  .record({
    forward: fc.double({ min: 50, max: 80_000, noNaN: true }),
    deviations: fc.double({ min: -4, max: 4, noNaN: true }),
    timeYears: fc.double({ min: 0.01, max: 2, noNaN: true }),
    rate: fc.double({ min: -0.01, max: 0.12, noNaN: true }),
    totalVol: fc.double({ min: 0.03, max: 1.2, noNaN: true }),
    isCall: fc.boolean(),
  })
  .map(
    ({ forward, deviations, timeYears, rate, totalVol, isCall }): Black76Input => ({
      forward,
      strike: forward * Math.exp(-deviations * totalVol),
      timeYears,
      rate,
      vol: totalVol / Math.sqrt(timeYears),
      isCall,
    }),
  );

const bsmArb = fc.tuple(black76Arb, fc.double({ min: 0, max: 0.05, noNaN: true })).map(
  ([b, dividendYield]): BsmInput => ({
    spot: b.forward,
    strike: b.strike,
    timeYears: b.timeYears,
    rate: b.rate,
    dividendYield,
    vol: b.vol,
    isCall: b.isCall,
  }),
);

/** Central difference of f at x with step h. */
function central(f: (x: number) => number, x: number, h: number): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

/**
 * Analytic vs finite difference. Steps move d1 by ~2e-4, which leaves truncation ~1e-8 and rounding
 * ~1e-12 relative, so 1e-6 of the Greek plus 1e-9 of its natural scale separates a wrong formula from noise.
 */
function expectClose(analytic: number, numeric: number, scale: number, what: string): void {
  expect(
    Math.abs(analytic - numeric),
    `${what}: analytic ${analytic} vs central difference ${numeric}`,
  ).toBeLessThan(1e-6 * Math.abs(analytic) + 1e-9 * scale);
}

describe('Black-76 Greeks', () => {
  it('match central finite differences of the premium (property)', () => {
    fc.assert(
      fc.property(black76Arb, (input) => {
        const g = greeks(input);
        const { forward, vol, timeYears, rate } = input;
        const priceAt = (change: Partial<Black76Input>): number => black76({ ...input, ...change });
        const deltaAt = (change: Partial<Black76Input>): number => greeks({ ...input, ...change }).delta;
        const vegaAt = (change: Partial<Black76Input>): number => greeks({ ...input, ...change }).vega;
        const priceScale = forward * Math.sqrt(timeYears) * vol;
        const totalVol = vol * Math.sqrt(timeYears);
        const hF = 2e-4 * forward * totalVol;
        const hVol = 2e-4 * vol;
        const hT = 2e-4 * timeYears;
        expectClose(
          g.delta,
          central((f) => priceAt({ forward: f }), forward, hF),
          1,
          'delta = ∂V/∂F',
        );
        expectClose(
          g.gamma,
          central((f) => deltaAt({ forward: f }), forward, hF),
          1 / forward,
          'gamma = ∂Δ/∂F',
        );
        expectClose(
          g.vega,
          central((v) => priceAt({ vol: v }), vol, hVol),
          priceScale / vol,
          'vega = ∂V/∂σ',
        );
        expectClose(
          g.theta,
          -central((t) => priceAt({ timeYears: t }), timeYears, hT),
          priceScale / timeYears,
          'theta = −∂V/∂T',
        );
        expectClose(
          g.rho,
          central((r) => priceAt({ rate: r }), rate, 1e-5),
          priceScale,
          'rho = ∂V/∂r',
        );
        expectClose(
          g.vanna,
          central((v) => deltaAt({ vol: v }), vol, hVol),
          1 / vol,
          'vanna = ∂Δ/∂σ',
        );
        expectClose(
          g.vomma,
          central((v) => vegaAt({ vol: v }), vol, hVol),
          priceScale / (vol * vol),
          'vomma = ∂vega/∂σ',
        );
        expectClose(
          g.charm,
          -central((t) => deltaAt({ timeYears: t }), timeYears, hT),
          1 / timeYears,
          'charm = −∂Δ/∂T',
        );
      }),
      { numRuns: 300 },
    );
  });

  it('satisfy put–call parity C − P = e^{−rT}(F − K) (property)', () => {
    fc.assert(
      fc.property(black76Arb, (input) => {
        const call = black76({ ...input, isCall: true });
        const put = black76({ ...input, isCall: false });
        const parity = Math.exp(-input.rate * input.timeYears) * (input.forward - input.strike);
        expect(Math.abs(call - put - parity), 'C − P').toBeLessThan(
          8 * Number.EPSILON * (call + put + Math.abs(parity)),
        );
        const gc = greeks({ ...input, isCall: true });
        const gp = greeks({ ...input, isCall: false });
        expect(gc.delta - gp.delta, 'Δc − Δp = D').toBeCloseTo(Math.exp(-input.rate * input.timeYears), 14);
        expect(gc.gamma, 'same gamma').toBeCloseTo(gp.gamma, 12);
        expect(gc.vega / gp.vega, 'same vega').toBeCloseTo(1, 13);
      }),
    );
  });

  it('have the right signs: call Δ in (0, e^{−rT}), put Δ in (−e^{−rT}, 0), Γ > 0, vega > 0 (property)', () => {
    fc.assert(
      fc.property(black76Arb, (input) => {
        const g = greeks(input);
        const discount = Math.exp(-input.rate * input.timeYears);
        if (input.isCall) {
          expect(g.delta, 'call delta > 0').toBeGreaterThan(0);
          expect(g.delta, 'call delta < e^{−rT}').toBeLessThan(discount);
        } else {
          expect(g.delta, 'put delta < 0').toBeLessThan(0);
          expect(g.delta, 'put delta > −e^{−rT}').toBeGreaterThan(-discount);
        }
        expect(g.gamma, 'gamma > 0').toBeGreaterThan(0);
        expect(g.vega, 'vega > 0').toBeGreaterThan(0);
        expect(g.vegaPerPoint, 'vega per point is vega/100').toBe(g.vega / 100);
        expect(g.thetaPerDay, 'theta per calendar day is theta/365').toBe(g.theta / 365);
      }),
    );
  });

  it('price increases with volatility and stays between discounted intrinsic and the bound (property)', () => {
    fc.assert(
      fc.property(black76Arb, fc.double({ min: 1.01, max: 3, noNaN: true }), (input, factor) => {
        const low = black76(input);
        const high = black76({ ...input, vol: input.vol * factor });
        const discount = Math.exp(-input.rate * input.timeYears);
        const intrinsic =
          discount * Math.max(input.isCall ? input.forward - input.strike : input.strike - input.forward, 0);
        expect(high, 'increasing in σ').toBeGreaterThan(low);
        expect(low, 'above intrinsic').toBeGreaterThanOrEqual(intrinsic);
        expect(high, 'below the bound').toBeLessThan(
          discount * (input.isCall ? input.forward : input.strike),
        );
      }),
    );
  });
});

describe('Black–Scholes–Merton Greeks with dividend yield', () => {
  it('match central finite differences of the premium (property)', () => {
    fc.assert(
      fc.property(bsmArb, (input) => {
        const g = bsmGreeks(input);
        const { spot, vol, timeYears, rate } = input;
        const priceAt = (change: Partial<BsmInput>): number => bsm({ ...input, ...change });
        const deltaAt = (change: Partial<BsmInput>): number => bsmGreeks({ ...input, ...change }).delta;
        const vegaAt = (change: Partial<BsmInput>): number => bsmGreeks({ ...input, ...change }).vega;
        const priceScale = spot * Math.sqrt(timeYears) * vol;
        const totalVol = vol * Math.sqrt(timeYears);
        const hS = 2e-4 * spot * totalVol;
        const hVol = 2e-4 * vol;
        const hT = 2e-4 * timeYears;
        expectClose(
          g.delta,
          central((s) => priceAt({ spot: s }), spot, hS),
          1,
          'delta = ∂V/∂S',
        );
        expectClose(
          g.gamma,
          central((s) => deltaAt({ spot: s }), spot, hS),
          1 / spot,
          'gamma = ∂Δ/∂S',
        );
        expectClose(
          g.vega,
          central((v) => priceAt({ vol: v }), vol, hVol),
          priceScale / vol,
          'vega',
        );
        expectClose(
          g.theta,
          -central((t) => priceAt({ timeYears: t }), timeYears, hT),
          priceScale / timeYears + spot * rate,
          'theta = −∂V/∂T',
        );
        expectClose(
          g.rho,
          central((r) => priceAt({ rate: r }), rate, 1e-5),
          spot * timeYears,
          'rho = ∂V/∂r (F moves too)',
        );
        expectClose(
          g.vanna,
          central((v) => deltaAt({ vol: v }), vol, hVol),
          1 / vol,
          'vanna',
        );
        expectClose(
          g.vomma,
          central((v) => vegaAt({ vol: v }), vol, hVol),
          priceScale / (vol * vol),
          'vomma',
        );
        expectClose(
          g.charm,
          -central((t) => deltaAt({ timeYears: t }), timeYears, hT),
          1 / timeYears,
          'charm',
        );
      }),
      { numRuns: 300 },
    );
  });

  it('satisfy put–call parity C − P = S·e^{−qT} − K·e^{−rT} and call Δ in (0, e^{−qT}) (property)', () => {
    fc.assert(
      fc.property(bsmArb, (input) => {
        const call = bsm({ ...input, isCall: true });
        const put = bsm({ ...input, isCall: false });
        const carrySpot = input.spot * Math.exp(-input.dividendYield * input.timeYears);
        const parity = carrySpot - input.strike * Math.exp(-input.rate * input.timeYears);
        expect(Math.abs(call - put - parity), 'C − P').toBeLessThan(
          16 * Number.EPSILON * (call + put + carrySpot),
        );
        const delta = bsmGreeks({ ...input, isCall: true }).delta;
        expect(delta, 'call delta > 0').toBeGreaterThan(0);
        expect(delta, 'call delta < e^{−qT}').toBeLessThan(Math.exp(-input.dividendYield * input.timeYears));
      }),
    );
  });
});

describe('degenerate and invalid inputs', () => {
  const nifty = { forward: 26_000, strike: 25_000, timeYears: 7 / 365, rate: 0.065, vol: 0.12, isCall: true };

  function codeOf(run: () => unknown): ErrorCode | 'none' {
    try {
      run();
      return 'none';
    } catch (error) {
      return error instanceof IfError ? error.code : 'none';
    }
  }

  it('prices zero volatility or zero time as the discounted intrinsic value', () => {
    expect(black76({ ...nifty, vol: 0 }), 'σ = 0').toBeCloseTo(Math.exp(-0.065 * (7 / 365)) * 1000, 9);
    expect(black76({ ...nifty, timeYears: 0 }), 'T = 0').toBe(1000);
    expect(black76({ ...nifty, timeYears: 0, isCall: false }), 'OTM put at T = 0').toBe(0);
  });

  it('rejects NaN, infinite and impossible inputs with catalogue codes instead of NaN Greeks', () => {
    expect(
      codeOf(() => black76({ ...nifty, forward: Number.NaN })),
      'NaN forward',
    ).toBe('IF_ERR_OPTION_INPUT');
    expect(
      codeOf(() => black76({ ...nifty, strike: -1 })),
      'negative strike',
    ).toBe('IF_ERR_OPTION_INPUT');
    expect(
      codeOf(() => black76({ ...nifty, vol: -0.1 })),
      'negative vol',
    ).toBe('IF_ERR_OPTION_INPUT');
    expect(
      codeOf(() => black76({ ...nifty, timeYears: -1 })),
      'negative time',
    ).toBe('IF_ERR_OPTION_EXPIRED');
    expect(
      codeOf(() => greeks({ ...nifty, timeYears: 0 })),
      'Greeks at expiry',
    ).toBe('IF_ERR_OPTION_EXPIRED');
    expect(
      codeOf(() => greeks({ ...nifty, vol: 0 })),
      'Greeks at σ = 0',
    ).toBe('IF_ERR_OPTION_INPUT');
    expect(
      codeOf(() => greeks({ ...nifty, rate: Number.POSITIVE_INFINITY })),
      'infinite rate',
    ).toBe('IF_ERR_OPTION_INPUT');
    expect(
      codeOf(() =>
        bsmGreeks({
          spot: 26_000,
          strike: 25_000,
          timeYears: 0.1,
          rate: 0.065,
          dividendYield: Number.NaN,
          vol: 0.1,
          isCall: true,
        }),
      ),
      'NaN dividend yield',
    ).toBe('IF_ERR_OPTION_INPUT');
    expect(
      codeOf(() => perLot(greeks(nifty), 0)),
      'lot size 0',
    ).toBe('IF_ERR_OPTION_INPUT');
  });

  it('scales every display figure by the lot size', () => {
    const unit = greeks(nifty, { dayBasis: 'trading' });
    const lot = perLot(unit, 65);
    expect(lot.thetaPerDay, 'theta per trading day per lot').toBe(unit.thetaPerDay * 65);
    expect(lot.vegaPerPoint, 'vega per point per lot').toBe(unit.vegaPerPoint * 65);
    expect(lot.charmPerDay, 'charm per day per lot').toBe(unit.charmPerDay * 65);
    expect(unit.thetaPerDay, 'trading basis divides by 252').toBe(unit.theta / 252);
  });
});
