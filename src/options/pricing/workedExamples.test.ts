import { describe, expect, it } from 'vitest';
import { black76, greeks } from './black76.js';
import { bsm, bsmGreeks } from './bsm.js';
import { perLot } from './units.js';

/**
 * Half a unit in the last printed digit of `text`, plus a few ulps of the value for our own rounding:
 * what "matches to the digits given" allows.
 */
function digitsTolerance(text: string): number {
  const [mantissa = '', exponent = '0'] = text.toLowerCase().split('e');
  const decimals = (mantissa.split('.')[1] ?? '').length;
  return 0.5 * 10 ** (Number(exponent) - decimals) + 8 * Number.EPSILON * Math.abs(Number(text));
}

/** `slack`: extra relative allowance where the printed figure came from inputs a double cannot hold. */
function expectDigits(actual: number, printed: string, what: string, slack = 0): void {
  expect(Math.abs(actual - Number(printed)), `${what}: ${actual} vs ${printed}`).toBeLessThanOrEqual(
    digitsTolerance(printed) + slack * Math.abs(Number(printed)),
  );
}

describe('§2.5 (a) Hull, "The Greek letters": call on a non-dividend stock (BSM)', () => {
  const base = { spot: 49, strike: 50, rate: 0.05, dividendYield: 0, vol: 0.2 };

  it('T = 0.3846 (Hull rounding): price and every Greek to the 60-digit figures', () => {
    const call = bsmGreeks({ ...base, timeYears: 0.3846, isCall: true });
    expectDigits(call.price, '2.40046108696566', 'price');
    expectDigits(call.delta, '0.521601633971576', 'delta');
    expectDigits(call.gamma, '0.0655453772524787', 'gamma');
    expectDigits(call.vega, '12.1052427542438', 'vega per 1.00');
    expectDigits(call.theta, '-4.3053899645461', 'theta per year');
    expectDigits(call.thetaPerDay, '-0.0117956', 'theta per calendar day');
    expectDigits(call.rho, '8.90657409880095', 'rho per 1.00');
    expectDigits(call.vanna, '0.139143219927736', 'vanna');
    expectDigits(call.vomma, '-0.229061284771918', 'vomma');
    expectDigits(call.charm, '-0.196764858597157', 'charm per year');
    expectDigits(call.charmPerDay, '-0.000539', 'charm per day');
    const trading = bsmGreeks({ ...base, timeYears: 0.3846, isCall: true }, { dayBasis: 'trading' });
    expectDigits(trading.thetaPerDay, '-0.0170849', 'theta per trading day (÷252)');
  });

  it('T = 20/52 exactly', () => {
    const call = bsmGreeks({ ...base, timeYears: 20 / 52, isCall: true });
    expectDigits(call.price, '2.40052732327171', 'price');
    expectDigits(call.delta, '0.521604661066396', 'delta');
    expectDigits(call.gamma, '0.0655440393478444', 'gamma');
    expectDigits(call.vega, '12.1054798826288', 'vega');
    expectDigits(call.theta, '-4.30532982293257', 'theta per year');
    expectDigits(call.rho, '8.90696194960835', 'rho');
    expectDigits(call.vanna, '0.139132968234182', 'vanna');
    expectDigits(call.vomma, '-0.229081117858737', 'vomma');
    expectDigits(call.charm, '-0.196757468143106', 'charm per year');
  });

  it('the put at T = 0.3846', () => {
    const put = bsmGreeks({ ...base, timeYears: 0.3846, isCall: false });
    expectDigits(put.price, '2.4481469339504', 'price');
    expectDigits(put.delta, '-0.478398366028424', 'delta');
    expectDigits(put.theta, '-1.85300567219687', 'theta per year');
    expectDigits(put.rho, '-9.95716587794938', 'rho');
  });

  it("rounds to Hull's printed figures", () => {
    const call = bsmGreeks({ ...base, timeYears: 20 / 52, isCall: true });
    expect(call.delta, 'Δ = 0.522').toBeCloseTo(0.522, 3);
    expect(call.gamma, 'Γ = 0.066').toBeCloseTo(0.066, 3);
    expect(call.vegaPerPoint, 'vega 0.121 per 1%').toBeCloseTo(0.121, 3);
    expect(call.thetaPerDay, 'Θ −0.0118 per calendar day').toBeCloseTo(-0.0118, 4);
    expect(call.rhoPerPercent, 'ρ 0.0891 per 1%').toBeCloseTo(0.0891, 4);
  });
});

describe('§2.5 (b) BSM with dividend yield (py_vollib / vollib-ts pins)', () => {
  const base = { spot: 100, strike: 95, timeYears: 0.5, rate: 0.1, dividendYield: 0.05, vol: 0.2 };

  it('call: price, Greeks, display units', () => {
    const call = bsmGreeks({ ...base, isCall: true });
    expectDigits(call.price, '9.62898352202126', 'price');
    expectDigits(call.delta, '0.71112831239226', 'delta');
    expectDigits(call.gamma, '0.02283957429627', 'gamma');
    expectDigits(call.vegaPerPoint, '0.2283957429627', 'vega per 1%');
    expectDigits(call.thetaPerDay, '-0.0196182412849676', 'theta per day (÷365)');
    expectDigits(call.rhoPerPercent, '0.307419238586024', 'rho per 1%');
    expectDigits(call.vanna, '-0.757055311254479', 'vanna');
    expectDigits(call.vomma, '32.6643984208707', 'vomma');
    expectDigits(call.charm, '0.0727696063891589', 'charm per year');
    expectDigits(bsm({ ...base, isCall: true }), '9.62898352202126', 'bsm() price');
  });

  it('put: price (Haug 2.4648), Greeks, display units', () => {
    const put = bsmGreeks({ ...base, isCall: false });
    expectDigits(put.price, '2.46478764675582', 'price');
    expect(put.price, 'Haug').toBeCloseTo(2.4648, 4);
    expectDigits(put.delta, '-0.264181599636072', 'delta');
    expectDigits(put.gamma, '0.02283957429627', 'gamma');
    expectDigits(put.vegaPerPoint, '0.2283957429627', 'vega per 1%');
    expectDigits(put.thetaPerDay, '-0.0082206249216385', 'theta per day (÷365)');
    expectDigits(put.rhoPerPercent, '-0.144414738051815', 'rho per 1%');
    expectDigits(put.vanna, '-0.757055311254479', 'vanna');
    expectDigits(put.vomma, '32.6643984208707', 'vomma');
    expectDigits(put.charm, '0.0240041107877423', 'charm per year');
  });
});

describe('§2.5 (c) NIFTY weekly, Black-76, lot 65', () => {
  const base = { forward: 25_062.35, strike: 25_050, timeYears: 4 / 365, rate: 0.065, vol: 0.115 };
  // The reference evaluated the exact decimals 25062.35 and 4/365; their doubles differ by ~1e-16, which
  // the 15-digit figures see after the premium's sensitivity to F (F·Δ/V ≈ 100) magnifies it.
  const inputs = 2e-14;

  it('call per unit: raw and display units', () => {
    const call = greeks({ ...base, isCall: true });
    expectDigits(call.price, '126.523915437599', 'price', inputs);
    expectDigits(call.delta, '0.518358685964142', 'delta_F = D·N(d1)', inputs);
    expectDigits(call.gamma, '0.00131983188918488', 'gamma_F', inputs);
    expectDigits(call.vega, '1044.78557058733', 'vega per 1.00', inputs);
    expectDigits(call.vegaPerPoint, '10.4479', 'vega per vol point', inputs);
    expectDigits(call.theta, '-5473.63523617196', 'theta per year', inputs);
    expectDigits(call.thetaPerDay, '-14.9963', 'theta per calendar day', inputs);
    expectDigits(call.rho, '-1.3865634568504', 'rho (discounting only)', inputs);
    const trading = greeks({ ...base, isCall: true }, { dayBasis: 'trading' });
    expectDigits(trading.thetaPerDay, '-21.7208', 'theta per trading day (÷252)', inputs);
  });

  it('put per unit', () => {
    const put = greeks({ ...base, isCall: false });
    expectDigits(put.price, '114.182709565346', 'price', inputs);
    expectDigits(put.delta, '-0.480929238914641', 'delta', inputs);
    expectDigits(put.gamma, '0.00131983188918488', 'gamma', inputs);
    expectDigits(put.vegaPerPoint, '10.4479', 'vega per vol point', inputs);
    expectDigits(put.theta, '-5474.43741455365', 'theta per year', inputs);
    expectDigits(put.thetaPerDay, '-14.9985', 'theta per calendar day', inputs);
    expectDigits(put.rho, '-1.25131736509968', 'rho', inputs);
  });

  it('per lot of 65: delta, theta per day and vega per point as an Indian chain shows them', () => {
    const call = perLot(greeks({ ...base, isCall: true }), 65);
    const put = perLot(greeks({ ...base, isCall: false }), 65);
    expectDigits(call.delta, '33.69', 'call delta per lot', inputs);
    expectDigits(call.thetaPerDay, '-974.76', 'call theta per day per lot', inputs);
    expectDigits(call.vegaPerPoint, '679.11', 'call vega per point per lot', inputs);
    expectDigits(put.delta, '-31.26', 'put delta per lot', inputs);
    expectDigits(put.thetaPerDay, '-974.90', 'put theta per day per lot', inputs);
    expectDigits(put.vegaPerPoint, '679.11', 'put vega per point per lot', inputs);
  });

  it('satisfies put–call parity C − P = D(F − K) = 12.3412', () => {
    const call = black76({ ...base, isCall: true });
    const put = black76({ ...base, isCall: false });
    expectDigits(call - put, '12.3412', 'C − P', inputs);
  });
});

describe('§1.8.3 Black prices from Jäckel’s C++ vectors (undiscounted: r = 0)', () => {
  it.each([
    [100, 95, 0.3, 0.5, true, 10.974459762526392],
    [100, 95, 0.3, 0.5, false, 5.9744597625263918],
    [100, 100, 0.2, 0.5, true, 5.6371977797016619],
    [1e8, 1e8, 0.01, 30, false, 2184823.754801691],
  ])(
    'black(F=%d, K=%d, σ=%d, T=%d, call=%s) to 1e-15 relative',
    (forward, strike, vol, timeYears, isCall, expected) => {
      const price = black76({ forward, strike, timeYears, rate: 0, vol, isCall });
      expect(Math.abs(price / expected - 1), `${price} vs ${expected}`).toBeLessThan(1e-15);
    },
  );
});
