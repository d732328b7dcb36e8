import { describe, expect, it } from 'vitest';
import { classifyAggressor, quoteRule, tickRule } from './aggressor.js';

const BID = 10_000;
const ASK = 10_010;

describe('quote rule', () => {
  it('calls trades at or through the ask buys and at or through the bid sells', () => {
    expect(quoteRule(ASK, BID, ASK), 'at the ask').toBe('buy');
    expect(quoteRule(ASK + 5, BID, ASK), 'above the ask').toBe('buy');
    expect(quoteRule(BID, BID, ASK), 'at the bid').toBe('sell');
    expect(quoteRule(BID - 5, BID, ASK), 'below the bid').toBe('sell');
  });

  it('uses the midpoint inside the spread and cannot tell at the mid', () => {
    expect(quoteRule(10_006, BID, ASK), 'above the mid').toBe('buy');
    expect(quoteRule(10_004, BID, ASK), 'below the mid').toBe('sell');
    expect(quoteRule(10_005, BID, ASK), 'at the mid').toBe('unknown');
    expect(quoteRule(10_003, 10_000, 10_005), 'above a half-paisa mid of 10002.5').toBe('buy');
  });

  it('cannot tell without a two-sided book', () => {
    expect(quoteRule(10_005, 0, ASK), 'no bid').toBe('unknown');
    expect(quoteRule(10_005, BID, 0), 'no ask').toBe('unknown');
    expect(quoteRule(10_005, ASK, BID), 'crossed').toBe('unknown');
  });
});

describe('tick rule', () => {
  it('calls upticks buys, downticks sells and zero ticks the previous side', () => {
    expect(tickRule(105, 100, undefined), 'uptick').toBe('buy');
    expect(tickRule(95, 100, 'buy'), 'downtick').toBe('sell');
    expect(tickRule(100, 100, 'sell'), 'zero tick after a sell').toBe('sell');
    expect(tickRule(100, 100, 'buy'), 'zero tick after a buy').toBe('buy');
  });

  it('cannot tell without a previous trade or its side', () => {
    expect(tickRule(100, undefined, undefined), 'first trade').toBe('unknown');
    expect(tickRule(100, 100, undefined), 'zero tick with no previous side').toBe('unknown');
  });
});

describe('classifyAggressor', () => {
  it('prefers the quote rule over the tick rule', () => {
    expect(classifyAggressor(BID, BID, ASK, BID - 50, 'buy'), 'at the bid on an uptick is a sell').toBe(
      'sell',
    );
  });

  it('falls back to the tick rule at the mid and without a book', () => {
    expect(classifyAggressor(10_005, BID, ASK, 10_000, 'sell'), 'mid, uptick').toBe('buy');
    expect(classifyAggressor(10_005, 0, 0, 10_010, 'buy'), 'no book, downtick').toBe('sell');
    expect(classifyAggressor(10_005, 0, 0, 10_005, 'buy'), 'no book, zero tick').toBe('buy');
  });
});
