import { describe, expect, it } from 'vitest';
import { paise } from '../../../core/money.js';
import { LiveClock } from '../../../engine/clocks.js';
import type { ExecutionReport } from '../../../execution/ports.js';
import { type OrderUpdate, parseOrderUpdate } from '../orderupdates/index.js';
import type { AngelTrade } from '../rest/index.js';
import { AngelExecutionClient, type AngelExecutionRest, type AngelOrderStatusFeed } from './index.js';

/**
 * The fill path's edge cases that the simulator never produces (its trade book is always current):
 * a trade book that lags the socket, one that never catches up, shared reads, repeated updates. The REST
 * side and the socket are small in-memory fakes of the two ports the client uses.
 */

const TAG_A = 'IF2601200000001';
const TAG_B = 'IF2601200000002';

function update(code: string, orderid: string, tag: string, filled: number, extra: object = {}): OrderUpdate {
  const parsed = parseOrderUpdate(
    JSON.stringify({
      'user-id': 'S1',
      'status-code': '200',
      'order-status': code,
      'error-message': '',
      orderData: {
        orderid,
        ordertag: tag,
        quantity: '130',
        filledshares: String(filled),
        unfilledshares: String(130 - filled),
        price: 100,
        ...extra,
      },
    }),
    0,
  );
  if (!parsed.ok) throw new Error(parsed.detail);
  return parsed.update;
}

function trade(orderId: string, fillId: string, fillSize: number): AngelTrade {
  return {
    orderId,
    fillId,
    fillTime: '10:15:30',
    fillPrice: paise(10_000),
    fillSize,
    tradeValue: undefined,
    transactionType: 'BUY',
    exchange: 'NFO',
    productType: 'INTRADAY',
    tradingSymbol: 'X',
    instrumentType: 'OPTIDX',
    strikePrice: undefined,
    optionType: 'CE',
    expiryDate: '',
    marketLot: 65,
  };
}

class FakeVenue {
  /** each getTradeBook call takes the next answer; the last one repeats */
  tradeBooks: AngelTrade[][] = [[]];
  reads = 0;
  readonly listeners = new Set<(update: OrderUpdate) => void>();

  readonly feed: AngelOrderStatusFeed = {
    state: 'open',
    onUpdate: (listener) => {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    },
  };

  readonly rest = {
    getTradeBook: async () => {
      const answer = this.tradeBooks[Math.min(this.reads, this.tradeBooks.length - 1)] ?? [];
      this.reads += 1;
      return answer;
    },
  } as unknown as AngelExecutionRest;

  push(u: OrderUpdate): void {
    for (const listener of this.listeners) listener(u);
  }
}

function setup(retries = 3) {
  const venue = new FakeVenue();
  const exec = new AngelExecutionClient({
    rest: venue.rest,
    orderUpdates: venue.feed,
    clock: new LiveClock(),
    tradeBookRetries: retries,
    tradeBookRetryDelayMs: 5,
  });
  const reports: ExecutionReport[] = [];
  exec.onReport((r) => reports.push(r));
  const typesOf = (tag: string) => reports.filter((r) => r.clientOrderId === tag).map((r) => r.event.type);
  return { venue, exec, reports, typesOf };
}

describe('AngelExecutionClient fills from the trade book', () => {
  it('a trade book that lags the socket is read again until the fill shows', async () => {
    const { venue, exec, typesOf, reports } = setup();
    venue.tradeBooks = [[], [], [trade('B1', 'F1', 130)]];
    venue.push(update('AB05', 'B1', TAG_A, 130));
    await exec.idle();
    expect(typesOf(TAG_A), 'acknowledged, then the fill once it is in the trade book').toEqual([
      'broker-accepted',
      'fill',
    ]);
    expect(venue.reads, 'three reads').toBe(3);
    const fill = reports.at(-1)?.event;
    expect(fill?.type === 'fill' && fill.fillId, "Angel's fill id").toBe('F1');
    expect(exec.stats().fillsMissing, 'nothing missing').toBe(0);
  });

  it('fills that never show are left to reconciliation, and the cancel still follows', async () => {
    const { venue, exec, typesOf } = setup(2);
    venue.push(update('AB01', 'B1', TAG_A, 65));
    venue.push(update('AB02', 'B1', TAG_A, 65, { text: 'user cancel' }));
    await exec.idle();
    expect(typesOf(TAG_A), 'no invented fill').toEqual(['broker-accepted', 'cancelled']);
    expect(exec.stats().fillsMissing, 'counted once per update that wanted fills').toBe(2);
  });

  it('one trade-book read serves the fill updates of several orders that arrived before it', async () => {
    const { venue, exec, typesOf } = setup();
    venue.tradeBooks = [[trade('B1', 'F1', 65), trade('B2', 'F2', 130), trade('B1', 'F3', 65)]];
    venue.push(update('AB01', 'B1', TAG_A, 65));
    venue.push(update('AB05', 'B2', TAG_B, 130));
    await exec.idle();
    expect(venue.reads, 'one shared read').toBe(1);
    expect(typesOf(TAG_A), 'every trade of the order already in the book is reported').toEqual([
      'broker-accepted',
      'fill',
      'fill',
    ]);
    expect(typesOf(TAG_B)).toEqual(['broker-accepted', 'fill']);
  });

  it('repeats of a finished order are dropped; a rejection carries the reason', async () => {
    const { venue, exec, typesOf, reports } = setup();
    venue.tradeBooks = [[trade('B1', 'F1', 130)]];
    venue.push(update('AB05', 'B1', TAG_A, 130));
    venue.push(update('AB05', 'B1', TAG_A, 130));
    venue.push(update('AB03', 'B2', TAG_B, 0, { text: 'RMS:Margin Exceeds' }));
    await exec.idle();
    expect(typesOf(TAG_A), 'the repeat adds nothing').toEqual(['broker-accepted', 'fill']);
    expect(exec.stats().afterTerminal, 'counted').toBe(1);
    const rejected = reports.find((r) => r.clientOrderId === TAG_B)?.event;
    expect(rejected).toMatchObject({ type: 'rejected', reason: 'RMS:Margin Exceeds', source: 'broker' });
  });

  it('a listener that throws does not stop the others', async () => {
    const { venue, exec, reports } = setup();
    exec.onReport(() => {
      throw new Error('boom');
    });
    venue.push(update('AB09', 'B1', TAG_A, 0));
    await exec.idle();
    expect(
      reports.map((r) => r.event.type),
      'delivered to the healthy listener',
    ).toEqual(['broker-accepted']);
    expect(exec.stats().listenerErrors).toBe(1);
  });
});
