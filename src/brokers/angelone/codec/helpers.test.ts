import { describe, expect, it } from 'vitest';
import { bestAsks, bestBids } from './helpers.js';
import type { BestFiveRecord, SnapQuotePacket } from './types.js';

function snapWith(bestFive: BestFiveRecord[]): SnapQuotePacket {
  return {
    subscriptionMode: 3,
    exchangeType: 2,
    token: '35003',
    sequenceNumber: 1,
    exchangeTimestamp: 1_734_667_885_000,
    exchangeTimeMs: 1_734_667_885_000,
    lastTradedPrice: 10_000,
    lastTradedQuantity: 75,
    averageTradedPrice: 10_000,
    volumeTradedForTheDay: 0,
    totalBuyQuantity: 0,
    totalSellQuantity: 0,
    openPriceOfTheDay: 0,
    highPriceOfTheDay: 0,
    lowPriceOfTheDay: 0,
    closePrice: 0,
    lastTradedTimestamp: 1_734_667_885,
    lastTradedTimeMs: 1_734_667_885_000,
    openInterest: 0,
    openInterestChangePercentage: 0,
    bestFive,
    upperCircuitLimit: 0,
    lowerCircuitLimit: 0,
    fiftyTwoWeekHigh: 0,
    fiftyTwoWeekLow: 0,
  };
}

const level = (buySellFlag: number, price: number, quantity = 75): BestFiveRecord => ({
  buySellFlag,
  quantity,
  price,
  numberOfOrders: quantity === 0 ? 0 : 1,
});

describe('bestBids / bestAsks', () => {
  it('splits the server order (5 buys then 5 sells) by flag, best first', () => {
    const buys = [9_995, 9_990, 9_985, 9_980, 9_975].map((p) => level(1, p));
    const sells = [10_005, 10_010, 10_015, 10_020, 10_025].map((p) => level(0, p));
    const packet = snapWith([...buys, ...sells]);
    expect(bestBids(packet), 'the five flag-1 records in wire order').toEqual(buys);
    expect(bestAsks(packet), 'the five flag-0 records in wire order').toEqual(sells);
  });

  it('routes by the flag, not by position', () => {
    const packet = snapWith([
      level(0, 10_005),
      level(1, 9_995),
      level(0, 10_010),
      level(1, 9_990),
      level(1, 9_985),
      level(0, 10_015),
      level(1, 9_980),
      level(0, 10_020),
      level(1, 9_975),
      level(0, 10_025),
    ]);
    expect(
      bestBids(packet).map((r) => r.price),
      'buys found wherever they sit',
    ).toEqual([9_995, 9_990, 9_985, 9_980, 9_975]);
    expect(
      bestAsks(packet).map((r) => r.price),
      'sells found wherever they sit',
    ).toEqual([10_005, 10_010, 10_015, 10_020, 10_025]);
  });

  it('skips empty levels (zero quantity and zero price) but keeps zero-price or zero-quantity levels', () => {
    const packet = snapWith([
      level(1, 9_995),
      level(1, 0, 0),
      level(1, 0, 0),
      level(1, 0, 0),
      level(1, 0, 0),
      level(0, 10_005),
      level(0, 10_010, 0),
      level(0, 0, 0),
      level(0, 0, 0),
      level(0, 0, 0),
    ]);
    expect(bestBids(packet).length, 'one real bid').toBe(1);
    expect(
      bestAsks(packet).map((r) => r.price),
      'a level with a price but no quantity is not empty',
    ).toEqual([10_005, 10_010]);
  });
});
