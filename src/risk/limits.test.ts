import { describe, expect, it } from 'vitest';
import { rupees } from './format.js';
import { DEFAULT_RISK_LIMITS, riskLimitsProblems } from './limits.js';
import { estimateMargin } from './margin.js';

describe('risk limits', () => {
  it('the defaults are usable', () => {
    expect(riskLimitsProblems(DEFAULT_RISK_LIMITS)).toEqual([]);
  });

  it('refuse a collar wider than NSE protection, a rate above SEBI TOPS, and nonsense numbers', () => {
    const problems = riskLimitsProblems({
      ...DEFAULT_RISK_LIMITS,
      priceBand: { ...DEFAULT_RISK_LIMITS.priceBand, percent: 45, absolutePaise: 2_500 },
      orderRate: [{ limit: 12, windowMs: 1_000 }],
      freezeQuantity: { NIFTY: 0 },
      dailyLossReduceFraction: 1.5,
    });
    expect(problems.join('\n')).toMatch(/40% protection/);
    expect(problems.join('\n')).toMatch(/₹20 protection/);
    expect(problems.join('\n')).toMatch(/SEBI TOPS/);
    expect(problems.join('\n')).toMatch(/freeze quantity of NIFTY/);
    expect(problems.join('\n')).toMatch(/dailyLossReduceFraction/);
  });

  it('refuse a market protection wider than the collar (converted orders would be denied)', () => {
    const problems = riskLimitsProblems({
      ...DEFAULT_RISK_LIMITS,
      priceBand: { ...DEFAULT_RISK_LIMITS.priceBand, marketProtectionPercent: 15 },
    });
    expect(problems).toHaveLength(1);
  });
});

describe('rupees', () => {
  it('groups digits the Indian way with two decimals', () => {
    expect(rupees(0)).toBe('₹0.00');
    expect(rupees(5)).toBe('₹0.05');
    expect(rupees(100_000)).toBe('₹1,000.00');
    expect(rupees(11_375_000)).toBe('₹1,13,750.00');
    expect(rupees(123_456_789_01)).toBe('₹12,34,56,789.01');
    expect(rupees(-1_000_000)).toBe('-₹10,000.00');
  });
});

describe('margin estimate', () => {
  const params = DEFAULT_RISK_LIMITS.margin;
  it('short option: 7% of underlying × quantity, 9% on expiry day', () => {
    const input = {
      kind: 'option' as const,
      side: 'SELL' as const,
      quantity: 65,
      pricePaise: 10_000,
      underlyingPricePaise: 2_500_000,
    };
    expect(estimateMargin({ ...input, expiryDay: false }, params)).toMatchObject({
      ok: true,
      requiredPaise: 11_375_000,
      method: 'span-like',
    });
    expect(estimateMargin({ ...input, expiryDay: true }, params)).toMatchObject({
      requiredPaise: 14_625_000,
      percent: 9,
    });
  });

  it('long option: the premium; futures either side: span-like', () => {
    expect(
      estimateMargin(
        {
          kind: 'option',
          side: 'BUY',
          quantity: 65,
          pricePaise: 10_000,
          underlyingPricePaise: undefined,
          expiryDay: false,
        },
        params,
      ),
    ).toMatchObject({ ok: true, requiredPaise: 650_000, method: 'premium' });
    expect(
      estimateMargin(
        {
          kind: 'future',
          side: 'BUY',
          quantity: 65,
          pricePaise: 2_500_000,
          underlyingPricePaise: 2_500_000,
          expiryDay: false,
        },
        params,
      ),
    ).toMatchObject({ method: 'span-like', requiredPaise: 11_375_000 });
  });

  it('cannot estimate a short without the underlying price', () => {
    expect(
      estimateMargin(
        {
          kind: 'option',
          side: 'SELL',
          quantity: 65,
          pricePaise: 10_000,
          underlyingPricePaise: undefined,
          expiryDay: false,
        },
        params,
      ),
    ).toEqual({ ok: false, reason: 'underlying price unknown' });
  });
});
