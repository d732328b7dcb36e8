import { describe, expect, it } from 'vitest';
import { type SviParams, sviTotalVariance } from './svi.js';
import { atmTermStructure, interpolateAtmIv, ivPercentile, ivRank } from './term.js';

function flat(vol: number, t: number): SviParams {
  return { a: vol * vol * t, b: 0, rho: 0, m: 0, sigma: 0.1 };
}

describe('ATM term structure', () => {
  const smiles = [
    { expiry: '2026-12-29', timeYears: 35 / 365, params: flat(0.13, 35 / 365) },
    { expiry: '2026-12-01', timeYears: 7 / 365, params: flat(0.12, 7 / 365) },
    { expiry: 'expired', timeYears: 0, params: flat(0.2, 0) },
    {
      expiry: '2026-12-08',
      timeYears: 14 / 365,
      params: { a: 0.0003, b: 0.004, rho: -0.7, m: 0.005, sigma: 0.01 },
    },
  ];

  it('sorts expiries by time, reads ATM IV at k = 0 and leaves out expired slices', () => {
    const term = atmTermStructure(smiles);
    expect(
      term.map((p) => p.expiry),
      'sorted, expired dropped',
    ).toEqual(['2026-12-01', '2026-12-08', '2026-12-29']);
    expect(term[0]?.atmIv, 'flat 12%').toBeCloseTo(0.12, 14);
    const w = sviTotalVariance({ a: 0.0003, b: 0.004, rho: -0.7, m: 0.005, sigma: 0.01 }, 0);
    expect(term[1]?.atmTotalVariance, 'w(0) of the SVI slice').toBe(w);
    expect(term[1]?.atmIv, 'σ = √(w/T)').toBeCloseTo(Math.sqrt(w / (14 / 365)), 14);
  });

  it('interpolates linearly in total variance and extrapolates flat in vol', () => {
    const term = atmTermStructure([smiles[0], smiles[1]].filter((s) => s !== undefined));
    const t = 21 / 365;
    const w = (0.12 ** 2 * (7 / 365) + 0.13 ** 2 * (35 / 365)) / 2;
    expect(interpolateAtmIv(term, t), 'midpoint in T is the mean total variance').toBeCloseTo(
      Math.sqrt(w / t),
      14,
    );
    expect(interpolateAtmIv(term, 1 / 365), 'before the first expiry').toBe(0.12);
    expect(interpolateAtmIv(term, 1), 'after the last expiry').toBeCloseTo(0.13, 14);
    expect(interpolateAtmIv(term, 7 / 365), 'at a node').toBe(0.12);
  });
});

describe('IV rank and IV percentile', () => {
  const history = [0.1, 0.12, 0.14, 0.16, 0.18, 0.2];

  it('ranks today between the window min and max', () => {
    expect(ivRank(history, 0.15), 'halfway between 10% and 20%').toBeCloseTo(50, 12);
    expect(ivRank(history, 0.25), 'a new high ranks 100').toBe(100);
    expect(ivRank(history, 0.05), 'a new low ranks 0').toBe(0);
  });

  it('counts the share of days strictly below today', () => {
    expect(ivPercentile(history, 0.15), '3 of 6 days below').toBeCloseTo(50, 12);
    expect(ivPercentile(history, 0.14), 'a day equal to today does not count').toBeCloseTo(200 / 6, 12);
    expect(ivPercentile(history, 0.25), 'every day below').toBe(100);
  });

  it('uses only the last `window` days', () => {
    expect(ivRank(history, 0.15, 3), 'window [16, 18, 20] with today 15 → 0').toBe(0);
    expect(ivPercentile(history, 0.17, 3), '1 of [16, 18, 20] below 17').toBeCloseTo(100 / 3, 12);
  });

  it('is undefined without history or when the window is flat', () => {
    expect(ivRank([], 0.15), 'no history').toBeUndefined();
    expect(ivPercentile([], 0.15), 'no history').toBeUndefined();
    expect(ivRank([0.15, 0.15], 0.15), 'flat window').toBeUndefined();
  });
});
