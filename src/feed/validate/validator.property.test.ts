import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMarketCalendar } from '../../core/calendar/index.js';
import type { Instrument } from '../../core/instrument.js';
import { Cache } from '../../engine/cache.js';
import type { TickEvent } from '../events.js';
import { MarketStateStore } from '../state/index.js';
import { Enricher } from '../enrich/index.js';
import { NIFTY_25000_CE, NIFTY_INDEX, OPEN_MS, tickEvent } from './testkit.js';
import { Validator } from './validator.js';

const calendar = createMarketCalendar();

/** Delivers ticks through a fresh validator into a fresh market state: the final tick and those accepted. */
function deliver(
  instrument: Instrument,
  ticks: readonly TickEvent[],
): { last: TickEvent | undefined; accepted: TickEvent[] } {
  const validator = new Validator({ calendar });
  const slot = validator.slot(instrument);
  const store = new MarketStateStore(new Cache());
  const state = store.open(instrument, new Enricher({ calendar }).slot(instrument).context);
  const accepted: TickEvent[] = [];
  for (const tick of ticks) {
    if (validator.validate(slot, tick).action === 'drop') continue;
    store.apply(state, tick);
    accepted.push(tick);
  }
  return { last: state.tick, accepted };
}

/** What the exchange sent: a repeat that arrived first legitimately wins with its own arrival time. */
function exchangeData(tick: TickEvent | undefined): Omit<TickEvent, 'receivedAtMs'> | undefined {
  if (tick === undefined) return undefined;
  const { receivedAtMs: _, ...rest } = tick;
  return rest;
}

const byTimeThenSequence = (a: TickEvent, b: TickEvent): number =>
  a.exchangeTimeMs - b.exchangeTimeMs || a.sequence - b.sequence;

/** A set of ticks of one token with distinct (exchange time, sequence), in arbitrary order. */
function tickSet(sequenced: boolean): fc.Arbitrary<TickEvent[]> {
  return fc
    .uniqueArray(
      fc.record({ second: fc.integer({ min: 0, max: 20 }), sequence: fc.integer({ min: 1, max: 200 }) }),
      {
        minLength: 1,
        maxLength: 40,
        selector: (k) => (sequenced ? `${k.second}:${k.sequence}` : `${k.second}`),
      },
    )
    .chain((keys) =>
      fc.tuple(
        fc.constant(keys),
        fc.array(fc.integer({ min: 5, max: 1_000_000 }), { minLength: keys.length, maxLength: keys.length }),
      ),
    )
    .map(([keys, prices]) =>
      keys.map((k, i) =>
        tickEvent({
          token: sequenced ? NIFTY_25000_CE.token : NIFTY_INDEX.token,
          exchangeType: sequenced ? 2 : 1,
          exchangeTimeMs: OPEN_MS + k.second * 1000,
          sequence: sequenced ? k.sequence : 0,
          lastPrice: prices[i] ?? 5,
        }),
      ),
    );
}

/** A delivery of `set`: any permutation, with some updates delivered twice. */
function delivery(set: TickEvent[]): fc.Arbitrary<TickEvent[]> {
  return fc
    .tuple(
      fc.shuffledSubarray(set, { minLength: set.length, maxLength: set.length }),
      fc.shuffledSubarray(set, { maxLength: Math.min(5, set.length) }),
      fc.nat(),
    )
    .map(([permutation, repeats, at]) => {
      const out = [...permutation];
      for (const repeat of repeats)
        out.splice(at % (out.length + 1), 0, { ...repeat, receivedAtMs: repeat.receivedAtMs + 1 });
      return out;
    });
}

describe('Validator — ordering properties', () => {
  it('ends in the sorted delivery’s state for any permutation (last-writer-wins on time, then sequence)', () => {
    fc.assert(
      fc.property(
        tickSet(true).chain((set) => fc.tuple(fc.constant(set), delivery(set))),
        ([set, shuffled]) => {
          const sorted = [...set].sort(byTimeThenSequence);
          const expected = exchangeData(deliver(NIFTY_25000_CE, sorted).last);
          const actual = exchangeData(deliver(NIFTY_25000_CE, shuffled).last);
          expect(actual, 'final tick equals sorted delivery’s').toEqual(expected);
          expect(actual?.exchangeTimeMs, 'the newest update wins').toBe(sorted.at(-1)?.exchangeTimeMs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never lets an accepted tick go back in (time, sequence) order', () => {
    fc.assert(
      fc.property(
        tickSet(true).chain((set) => delivery(set)),
        (shuffled) => {
          const { accepted } = deliver(NIFTY_25000_CE, shuffled);
          for (let i = 1; i < accepted.length; i++) {
            const previous = accepted[i - 1];
            const current = accepted[i];
            if (previous === undefined || current === undefined) continue;
            expect(
              byTimeThenSequence(previous, current),
              'accepted stream is strictly increasing',
            ).toBeLessThan(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('orders index ticks (no sequence) by exchange time alone', () => {
    fc.assert(
      fc.property(
        tickSet(false).chain((set) => fc.tuple(fc.constant(set), delivery(set))),
        ([set, shuffled]) => {
          const sorted = [...set].sort(byTimeThenSequence);
          expect(
            exchangeData(deliver(NIFTY_INDEX, shuffled).last),
            'final index tick equals sorted delivery’s',
          ).toEqual(exchangeData(deliver(NIFTY_INDEX, sorted).last));
        },
      ),
      { numRuns: 300 },
    );
  });
});
