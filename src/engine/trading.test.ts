import { describe, expect, it } from 'vitest';
import { DEFAULT_RISK_LIMITS } from '../risk/index.js';
import { mergeLimits } from './trading.js';

describe('risk limit changes from the API', () => {
  it('merges nested sections field by field and replaces lists', () => {
    const next = mergeLimits(DEFAULT_RISK_LIMITS, {
      priceBand: { percent: 5 },
      margin: { spanPercent: 9 },
      freezeQuantity: { NIFTY: 1_755 },
      orderRate: [{ limit: 5, windowMs: 1_000 }],
      maxOpenOrders: 7,
    });
    expect(next.priceBand).toEqual({ ...DEFAULT_RISK_LIMITS.priceBand, percent: 5 });
    expect(next.margin).toEqual({ ...DEFAULT_RISK_LIMITS.margin, spanPercent: 9 });
    expect(next.freezeQuantity, 'one underlying changes, the others stay').toEqual({
      ...DEFAULT_RISK_LIMITS.freezeQuantity,
      NIFTY: 1_755,
    });
    expect(next.orderRate).toEqual([{ limit: 5, windowMs: 1_000 }]);
    expect(next.maxOpenOrders).toBe(7);
    expect(next.maxDailyLossPaise, 'untouched').toBe(DEFAULT_RISK_LIMITS.maxDailyLossPaise);
    expect(DEFAULT_RISK_LIMITS.priceBand.percent, 'the defaults are not mutated').not.toBe(5);
  });
});
