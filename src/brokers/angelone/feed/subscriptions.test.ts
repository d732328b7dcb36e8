import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIfError } from '../../../core/errors.js';
import { ExchangeType, SubscriptionMode } from '../codec/index.js';
import {
  buildRequests,
  FeedAction,
  pairKey,
  SubscriptionBook,
  type SubscriptionPair,
} from './subscriptions.js';

const LIMITS = { maxConnections: 3, perConnection: 1000, maxDepthTokens: 50 };

function pairs(
  count: number,
  mode: SubscriptionMode = SubscriptionMode.LTP,
  from = 40_000,
): SubscriptionPair[] {
  return Array.from({ length: count }, (_, i) => ({
    exchangeType: ExchangeType.NSE_FO,
    token: String(from + i),
    mode,
  }));
}

function counter(): () => string {
  let n = 0;
  return () => `c${String(++n).padStart(9, '0')}`;
}

describe('buildRequests', () => {
  it('groups pairs into one message per mode with tokenList grouped by exchangeType', () => {
    const requests = buildRequests(
      FeedAction.SUBSCRIBE,
      [
        { exchangeType: ExchangeType.NSE_FO, token: '43650', mode: SubscriptionMode.SNAP_QUOTE },
        { exchangeType: ExchangeType.NSE_CM, token: '26000', mode: SubscriptionMode.LTP },
        { exchangeType: ExchangeType.NSE_FO, token: '43651', mode: SubscriptionMode.SNAP_QUOTE },
        { exchangeType: ExchangeType.BSE_CM, token: '99919000', mode: SubscriptionMode.LTP },
        { exchangeType: ExchangeType.NSE_CM, token: '26009', mode: SubscriptionMode.LTP },
      ],
      500,
      counter(),
    );
    expect(
      requests.map((r) => JSON.parse(r.text)),
      'modes ascending, exchange types ascending, tokens as strings in the order given',
    ).toEqual([
      {
        correlationID: 'c000000001',
        action: 1,
        params: {
          mode: 1,
          tokenList: [
            { exchangeType: 1, tokens: ['26000', '26009'] },
            { exchangeType: 3, tokens: ['99919000'] },
          ],
        },
      },
      {
        correlationID: 'c000000002',
        action: 1,
        params: { mode: 3, tokenList: [{ exchangeType: 2, tokens: ['43650', '43651'] }] },
      },
    ]);
    expect(requests[0]?.pairs, 'each request knows the pairs it carries').toHaveLength(3);
  });

  it('chunks long token lists into messages of at most maxTokensPerMessage tokens', () => {
    const list = [
      ...pairs(700),
      ...pairs(500, SubscriptionMode.LTP, 90_000).map((p) => ({ ...p, exchangeType: 4 as const })),
    ];
    const requests = buildRequests(FeedAction.UNSUBSCRIBE, list, 500, counter());
    const sizes = requests.map((r) => r.pairs.length);
    expect(sizes, '1200 tokens → 500 + 500 + 200').toEqual([500, 500, 200]);
    const second = JSON.parse(requests[1]?.text ?? '{}') as {
      action: number;
      params: { tokenList: { exchangeType: number; tokens: string[] }[] };
    };
    expect(second.action, 'unsubscribe is action 0').toBe(0);
    expect(
      second.params.tokenList.map((t) => [t.exchangeType, t.tokens.length]),
      'a message may span exchange types',
    ).toEqual([
      [2, 200],
      [4, 300],
    ]);
  });

  it('property: the messages carry exactly the pairs given, each at most once, within the size limit', () => {
    const pairArb = fc.record({
      exchangeType: fc.constantFrom(1, 2, 3, 4, 5) as fc.Arbitrary<ExchangeType>,
      token: fc.integer({ min: 1, max: 400 }).map(String),
      mode: fc.constantFrom(1, 2, 3) as fc.Arbitrary<SubscriptionMode>,
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(pairArb, { selector: pairKey, maxLength: 300 }),
        fc.integer({ min: 1, max: 60 }),
        (list, max) => {
          const requests = buildRequests(FeedAction.SUBSCRIBE, list, max, counter());
          const sent: string[] = [];
          for (const request of requests) {
            const body = JSON.parse(request.text) as {
              params: { mode: number; tokenList: { exchangeType: number; tokens: string[] }[] };
            };
            const tokens = body.params.tokenList.flatMap((t) =>
              t.tokens.map((token) => `${body.params.mode}|${t.exchangeType}|${token}`),
            );
            expect(tokens.length).toBeLessThanOrEqual(max);
            expect(tokens).toEqual(request.pairs.map(pairKey));
            sent.push(...tokens);
          }
          expect(sent.sort()).toEqual(list.map(pairKey).sort());
        },
      ),
    );
  });
});

describe('SubscriptionBook', () => {
  it('fills connection 0 to 1000 pairs, then 1, then 2', () => {
    const book = new SubscriptionBook(LIMITS);
    const placed = book.add(pairs(2500));
    expect(
      [...placed].map(([shard, list]) => [shard, list.length]),
      '1000 + 1000 + 500',
    ).toEqual([
      [0, 1000],
      [1, 1000],
      [2, 500],
    ]);
    expect(book.size).toBe(2500);
  });

  it('refuses the 3001st pair with IF_ERR_FEED_CAPACITY and changes nothing', () => {
    const book = new SubscriptionBook(LIMITS);
    book.add(pairs(3000));
    let thrown: unknown;
    try {
      book.add(pairs(1, SubscriptionMode.QUOTE));
    } catch (error) {
      thrown = error;
    }
    expect(isIfError(thrown, 'IF_ERR_FEED_CAPACITY'), 'typed capacity error').toBe(true);
    expect(book.size, 'state unchanged').toBe(3000);
    expect(book.instruments.get('2:40000')?.has(SubscriptionMode.QUOTE), 'mode not added').toBe(false);

    const fresh = new SubscriptionBook(LIMITS);
    fresh.add(pairs(10));
    expect(
      () => fresh.add(pairs(2991, SubscriptionMode.QUOTE)),
      'a batch that does not fit is refused whole',
    ).toThrow();
    expect(fresh.size, 'none of the batch was added').toBe(10);
  });

  it('ignores duplicates, counts each (token, mode) pair and keeps the canonical map', () => {
    const book = new SubscriptionBook(LIMITS);
    book.add([...pairs(2), ...pairs(2)]);
    book.add(pairs(1, SubscriptionMode.SNAP_QUOTE));
    expect(book.size, 'two LTP + one SnapQuote').toBe(3);
    expect([...(book.instruments.get('2:40000') ?? [])], 'one instrument, two modes').toEqual([1, 3]);
    book.remove(pairs(1));
    expect([...(book.instruments.get('2:40000') ?? [])]).toEqual([3]);
    book.remove(pairs(1, SubscriptionMode.SNAP_QUOTE));
    expect(book.instruments.has('2:40000'), 'an instrument with no mode left is gone').toBe(false);
  });

  it('refills freed slots on the lowest connection first', () => {
    const book = new SubscriptionBook(LIMITS);
    book.add(pairs(1500));
    book.remove(pairs(10, SubscriptionMode.LTP, 40_100));
    const placed = book.add(pairs(20, SubscriptionMode.LTP, 80_000));
    expect(
      [...placed].map(([shard, list]) => [shard, list.length]),
      '10 back on 0, the rest on 1',
    ).toEqual([
      [0, 10],
      [1, 10],
    ]);
  });

  it('rejects bad pairs at the boundary without changing anything', () => {
    const book = new SubscriptionBook(LIMITS);
    const bad: SubscriptionPair[] = [
      { exchangeType: 6 as ExchangeType, token: '1', mode: 1 },
      { exchangeType: 1, token: '', mode: 1 },
      { exchangeType: 1, token: '12"3', mode: 1 },
      { exchangeType: 1, token: '1', mode: 7 as SubscriptionMode },
      { exchangeType: 2, token: '1', mode: 4 },
    ];
    for (const pair of bad) {
      expect(() => book.add([...pairs(1), pair]), JSON.stringify(pair)).toThrow(/Invalid input/);
    }
    expect(book.size, 'nothing added by a batch holding a bad pair').toBe(0);
  });

  it('limits depth-20 to 50 tokens', () => {
    const book = new SubscriptionBook(LIMITS);
    const depth = (n: number, from: number): SubscriptionPair[] =>
      Array.from({ length: n }, (_, i) => ({ exchangeType: 1, token: String(from + i), mode: 4 }));
    book.add(depth(50, 1000));
    expect(() => book.add(depth(1, 5000)), 'the 51st depth token is refused').toThrow();
    book.remove(depth(1, 1000));
    expect(() => book.add(depth(1, 5000)), 'room again after removing one').not.toThrow();
  });

  it('property: shards never exceed the quota and always hold exactly the canonical set', () => {
    const small = { maxConnections: 3, perConnection: 20, maxDepthTokens: 50 };
    const op = fc.record({
      add: fc.boolean(),
      tokens: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 25 }),
      mode: fc.constantFrom(1, 2, 3) as fc.Arbitrary<SubscriptionMode>,
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const book = new SubscriptionBook(small);
        const model = new Set<string>();
        for (const { add, tokens, mode } of ops) {
          const list = tokens.map((t) => ({ exchangeType: 2 as const, token: String(t), mode }));
          if (add) {
            const fresh = new Set(list.map(pairKey).filter((k) => !model.has(k)));
            if (model.size + fresh.size > 60) {
              expect(() => book.add(list)).toThrow();
            } else {
              book.add(list);
              for (const k of fresh) model.add(k);
            }
          } else {
            book.remove(list);
            for (const p of list) model.delete(pairKey(p));
          }
          for (let shard = 0; shard < 3; shard++) expect(book.sizeOf(shard)).toBeLessThanOrEqual(20);
          expect(book.all().map(pairKey).sort()).toEqual([...model].sort());
          const fromCanonical = [...book.instruments].flatMap(([key, modes]) =>
            [...modes].map((m) => `${m}|${key.replace(':', '|')}`),
          );
          expect(fromCanonical.sort()).toEqual([...model].sort());
        }
      }),
    );
  });
});
