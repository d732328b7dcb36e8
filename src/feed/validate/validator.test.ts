import { describe, expect, it } from 'vitest';
import { createMarketCalendar } from '../../core/calendar/index.js';
import { isIfError } from '../../core/errors.js';
import type { Instrument } from '../../core/instrument.js';
import { istToEpochMs } from '../../core/time.js';
import type { DataQualityEvent, MarketEvent } from '../events.js';
import {
  depthEvent,
  levels,
  NIFTY_25000_CE,
  NIFTY_INDEX,
  niftyOption,
  OPEN_MS,
  quoteEvent,
  tickEvent,
} from './testkit.js';
import { type ValidationSlot, Validator, type ValidatorOptions } from './validator.js';

const calendar = createMarketCalendar();

function setup(
  options: Partial<ValidatorOptions> = {},
  instrument: Instrument = NIFTY_25000_CE,
): {
  validator: Validator;
  slot: ValidationSlot;
  changes: DataQualityEvent[];
  run: (e: MarketEvent) => string;
} {
  const changes: DataQualityEvent[] = [];
  const validator = new Validator({ calendar, onQualityChange: (e) => changes.push(e), ...options });
  const slot = validator.slot(instrument);
  const run = (event: MarketEvent): string => {
    const verdict = validator.validate(slot, event);
    return verdict.action === 'accept' ? 'accept' : `${verdict.action}:${verdict.reason}`;
  };
  return { validator, slot, changes, run };
}

describe('Validator — duplicates', () => {
  it('drops a second event with the same token, sequence and exchange time', () => {
    const { run, validator } = setup();
    expect(run(tickEvent({ sequence: 100 })), 'first delivery').toBe('accept');
    expect(run(tickEvent({ sequence: 100, receivedAtMs: OPEN_MS + 50 })), 'redelivery').toBe(
      'drop:duplicate',
    );
    expect(validator.stats().dropped.duplicate, 'counted under its reason').toBe(1);
  });

  it('calls a late repeat of an older accepted update a duplicate, not out of order', () => {
    const { run } = setup();
    run(tickEvent({ sequence: 100, exchangeTimeMs: OPEN_MS }));
    run(tickEvent({ sequence: 101, exchangeTimeMs: OPEN_MS + 1000 }));
    expect(run(tickEvent({ sequence: 100, exchangeTimeMs: OPEN_MS })), 'still in the window').toBe(
      'drop:duplicate',
    );
  });

  it('forgets sequences older than the window, so a very late repeat is only out of order', () => {
    const { run } = setup({ duplicateWindow: 32 });
    for (let s = 100; s <= 140; s++) run(tickEvent({ sequence: s, exchangeTimeMs: OPEN_MS + s }));
    expect(run(tickEvent({ sequence: 100, exchangeTimeMs: OPEN_MS + 100 })), 'left the window').toBe(
      'drop:out-of-order',
    );
    expect(
      run(tickEvent({ sequence: 109, exchangeTimeMs: OPEN_MS + 109 })),
      'oldest still in the window',
    ).toBe('drop:duplicate');
  });

  it('does not take a sequence skipped by a gap for a duplicate when it arrives late', () => {
    const { run } = setup();
    run(tickEvent({ sequence: 100 }));
    run(tickEvent({ sequence: 103, exchangeTimeMs: OPEN_MS + 1000 }));
    expect(run(tickEvent({ sequence: 101 })), 'late, never seen').toBe('drop:out-of-order');
    expect(run(tickEvent({ sequence: 100 })), 'late, seen before').toBe('drop:duplicate');
  });

  it('judges each event type on its own: a packet’s tick and quote share a sequence', () => {
    const { run } = setup();
    expect(run(quoteEvent({ sequence: 100 })), 'quote').toBe('accept');
    expect(run(tickEvent({ sequence: 100 })), 'tick of the same packet').toBe('accept');
    expect(run(depthEvent({ sequence: 100 })), 'depth of the same packet').toBe('accept');
  });

  it('drops a byte-identical repeat of an index update, whose sequence is meaningless', () => {
    const { run } = setup({}, NIFTY_INDEX);
    const base = { token: NIFTY_INDEX.token, exchangeType: 1, sequence: 0, lastPrice: 2_500_000 };
    expect(run(tickEvent(base)), 'first').toBe('accept');
    expect(run(tickEvent({ ...base, receivedAtMs: OPEN_MS + 99 })), 'repeat, other arrival time').toBe(
      'drop:duplicate',
    );
    expect(run(tickEvent({ ...base, lastPrice: 2_500_100 })), 'same second, new price').toBe('accept');
  });

  it('ignores junk sequence numbers of indices (no gaps, no sequence reorders)', () => {
    const { run, validator } = setup({}, NIFTY_INDEX);
    const base = { token: NIFTY_INDEX.token, exchangeType: 1 };
    expect(run(tickEvent({ ...base, sequence: 900, lastPrice: 2_500_000 })), 'first').toBe('accept');
    expect(run(tickEvent({ ...base, sequence: 5, lastPrice: 2_500_100 })), 'junk lower sequence').toBe(
      'accept',
    );
    expect(run(tickEvent({ ...base, sequence: 7_000, lastPrice: 2_500_200 })), 'junk jump').toBe('accept');
    expect(validator.stats().flagged['sequence-gap'], 'no gap for an index').toBe(0);
  });
});

describe('Validator — ordering', () => {
  it('drops an event with an exchange time older than the last accepted one of its type', () => {
    const { run } = setup();
    run(tickEvent({ sequence: 101, exchangeTimeMs: OPEN_MS + 1000 }));
    expect(run(tickEvent({ sequence: 102, exchangeTimeMs: OPEN_MS })), 'older time, higher sequence').toBe(
      'drop:out-of-order',
    );
  });

  it('drops an equal exchange time with a lower sequence and accepts a higher one', () => {
    const { run } = setup();
    run(tickEvent({ sequence: 105 }));
    expect(run(tickEvent({ sequence: 104, lastPrice: 1 })), 'lower sequence, same second').toBe(
      'drop:out-of-order',
    );
    expect(run(tickEvent({ sequence: 106 })), 'next sequence, same second').toBe('accept');
  });

  it('lets a newer exchange time win even if the sequence went backwards', () => {
    const { run } = setup();
    run(tickEvent({ sequence: 105 }));
    expect(run(tickEvent({ sequence: 3, exchangeTimeMs: OPEN_MS + 1000 })), 'time orders first').toBe(
      'accept',
    );
  });
});

describe('Validator — sequence gaps and quality', () => {
  it('flags a jump of more than one, marks the instrument gapped, and clears it after N clean updates', () => {
    const { run, changes, slot } = setup({ gapRecoveryUpdates: 3 });
    expect(run(tickEvent({ sequence: 100 })), 'first').toBe('accept');
    expect(run(tickEvent({ sequence: 101 })), 'next').toBe('accept');
    expect(run(tickEvent({ sequence: 104 })), 'two missing').toBe('flag:sequence-gap');
    expect(slot.quality, 'gapped after the gap').toBe('gapped');
    run(tickEvent({ sequence: 105 }));
    run(tickEvent({ sequence: 106 }));
    expect(slot.quality, 'two clean updates are not enough').toBe('gapped');
    run(tickEvent({ sequence: 107 }));
    expect(slot.quality, 'three clean updates clear it').toBe('fresh');
    expect(
      changes.map((c) => [c.previous, c.quality]),
      'quality change events in order',
    ).toEqual([
      [undefined, 'fresh'],
      ['fresh', 'gapped'],
      ['gapped', 'fresh'],
    ]);
  });

  it('counts a packet’s tick, quote and depth as one update towards recovery', () => {
    const { run, slot } = setup({ gapRecoveryUpdates: 2 });
    run(tickEvent({ sequence: 100 }));
    run(tickEvent({ sequence: 110 }));
    for (const make of [depthEvent, quoteEvent, tickEvent]) run(make({ sequence: 111 }));
    expect(slot.quality, 'one packet of three events is one update').toBe('gapped');
    run(tickEvent({ sequence: 112 }));
    expect(slot.quality, 'the second update clears it').toBe('fresh');
  });

  it('goes gapped → stale → gapped → fresh: staleness wins, and the gap still needs its clean updates', () => {
    const { run, validator, changes } = setup({ gapRecoveryUpdates: 2, staleAfterMs: 10_000 });
    run(tickEvent({ sequence: 100, receivedAtMs: OPEN_MS }));
    run(tickEvent({ sequence: 105, receivedAtMs: OPEN_MS + 1 }));
    validator.checkStale(OPEN_MS + 20_000);
    run(tickEvent({ sequence: 106, exchangeTimeMs: OPEN_MS + 21_000, receivedAtMs: OPEN_MS + 21_000 }));
    run(tickEvent({ sequence: 107, exchangeTimeMs: OPEN_MS + 22_000, receivedAtMs: OPEN_MS + 22_000 }));
    expect(
      changes.map((c) => `${c.previous ?? '-'}→${c.quality}@${c.atMs - OPEN_MS}`),
      'every transition, at engine time',
    ).toEqual([
      '-→fresh@0',
      'fresh→gapped@1',
      'gapped→stale@20000',
      'stale→gapped@21000',
      'gapped→fresh@22000',
    ]);
    expect(validator.stats().qualities, 'instruments per quality').toEqual({ fresh: 1, stale: 0, gapped: 0 });
  });

  it('does not flag the second event of a packet whose first event carried the gap', () => {
    const { run, validator } = setup();
    run(tickEvent({ sequence: 100 }));
    expect(run(quoteEvent({ sequence: 105 })), 'the first event of the packet').toBe('flag:sequence-gap');
    expect(run(tickEvent({ sequence: 105 })), 'the same packet’s tick').toBe('accept');
    expect(validator.stats().flagged['sequence-gap'], 'one gap counted').toBe(1);
  });
});

describe('Validator — stale detection', () => {
  const at = (h: number, m: number, s = 0) => istToEpochMs(2026, 3, 10, h, m, s);

  it('marks an instrument stale after staleAfterMs without updates while its market is open', () => {
    const { run, validator, slot, changes } = setup({ staleAfterMs: 30_000 });
    run(tickEvent({ receivedAtMs: at(10, 0), exchangeTimeMs: at(10, 0) }));
    expect(validator.checkStale(at(10, 0, 29)), '29 s of silence').toBe(0);
    expect(slot.quality, 'still fresh').toBe('fresh');
    expect(validator.checkStale(at(10, 0, 30)), '30 s of silence').toBe(1);
    expect(slot.quality, 'stale').toBe('stale');
    expect(changes.at(-1), 'a stale change at the check time').toMatchObject({
      quality: 'stale',
      previous: 'fresh',
      atMs: at(10, 0, 30),
    });
    expect(validator.stats().flagged.stale, 'counted once').toBe(1);
    expect(validator.checkStale(at(10, 5)), 'already stale is not counted again').toBe(0);
    run(tickEvent({ sequence: 101, receivedAtMs: at(10, 5), exchangeTimeMs: at(10, 5) }));
    expect(slot.quality, 'an update makes it fresh again').toBe('fresh');
    expect(changes.at(-1)?.reason, 'why it changed').toBe('updates resumed');
  });

  it('never marks stale while the market is closed, and does not count time before the open', () => {
    const { run, validator, slot } = setup({ staleAfterMs: 30_000 });
    const yesterdayClose = istToEpochMs(2026, 3, 9, 15, 29, 59);
    run(tickEvent({ receivedAtMs: yesterdayClose, exchangeTimeMs: yesterdayClose }));
    expect(validator.checkStale(istToEpochMs(2026, 3, 9, 20, 0)), 'evening, market closed').toBe(0);
    expect(validator.checkStale(at(9, 0)), 'before the open').toBe(0);
    expect(validator.checkStale(at(9, 15, 29)), '29 s into the session').toBe(0);
    expect(slot.quality, 'overnight silence is not staleness').toBe('fresh');
    expect(validator.checkStale(at(9, 15, 30)), '30 s into the session').toBe(1);
  });

  it('does not mark stale on a holiday', () => {
    const { run, validator } = setup({ staleAfterMs: 1_000 });
    run(tickEvent({ receivedAtMs: at(10, 0), exchangeTimeMs: at(10, 0) }));
    expect(validator.checkStale(istToEpochMs(2026, 3, 26, 11, 0)), 'Ram Navami 2026 is an NSE holiday').toBe(
      0,
    );
  });

  it('takes staleAfterMs per instrument, where undefined means never stale', () => {
    const far = niftyOption('45999', 30_000, 'CE');
    const { validator } = setup({
      staleAfterMs: (instrument) => (instrument.token === far.token ? undefined : 5_000),
    });
    const farSlot = validator.watch(far, at(10, 0));
    const nearSlot = validator.watch(NIFTY_25000_CE, at(10, 0));
    validator.checkStale(at(11, 0));
    expect(farSlot.quality, 'illiquid far strike never goes stale').toBeUndefined();
    expect(nearSlot.quality, 'a watched, silent liquid contract goes stale').toBe('stale');
  });

  it('leaves instruments on segments without calendar data alone', () => {
    const mcx: Instrument = { ...NIFTY_25000_CE, token: '777', exchange: 'MCX', exchangeType: 5 };
    const { validator } = setup({ staleAfterMs: 1 }, mcx);
    validator.watch(mcx, at(10, 0));
    expect(validator.checkStale(at(12, 0)), 'MCX hours are unknown to the calendar').toBe(0);
  });
});

describe('Validator — sanity rules', () => {
  it('drops a crossed quote (bid ≥ ask, both > 0) and accepts a one-sided one', () => {
    const { run } = setup();
    expect(run(quoteEvent({ bidPrice: 12_350, askPrice: 12_350 })), 'locked book').toBe('drop:crossed-book');
    expect(run(quoteEvent({ bidPrice: 12_400, askPrice: 12_350 })), 'crossed book').toBe('drop:crossed-book');
    expect(run(quoteEvent({ bidPrice: 0, askPrice: 12_350, bidQuantity: 0 })), 'no bids').toBe('accept');
  });

  it('drops crossed depth', () => {
    const { run } = setup();
    expect(run(depthEvent({ bids: levels(12_360, -5, 5), asks: levels(12_350, 5, 5) })), 'crossed').toBe(
      'drop:crossed-book',
    );
    expect(run(depthEvent({ bids: [], asks: levels(12_350, 5, 5) })), 'empty bid side').toBe('accept');
  });

  it('drops prices outside known circuit limits and checks nothing while they are unknown', () => {
    const { run } = setup();
    expect(run(tickEvent({ sequence: 99, lastPrice: 90_000 })), 'limits not known yet').toBe('accept');
    expect(run(quoteEvent({ sequence: 100, upperCircuit: 20_000, lowerCircuit: 5 })), 'limits learnt').toBe(
      'accept',
    );
    expect(run(tickEvent({ sequence: 101, lastPrice: 20_005 })), 'above the upper circuit').toBe(
      'drop:outside-circuit',
    );
    // The dropped update still used sequence 101; a test reusing it keeps gap flags out of the way.
    expect(run(tickEvent({ sequence: 101, lastPrice: 20_000 })), 'at the upper circuit').toBe('accept');
    expect(run(tickEvent({ sequence: 102, lastPrice: 0 })), 'LTP 0 is no price to check').toBe(
      'flag:zero-price',
    );
    expect(
      run(quoteEvent({ sequence: 103, lastPrice: 30_000, bidPrice: 0, askPrice: 0, upperCircuit: 25_000 })),
      'a quote is checked against its own limits',
    ).toBe('drop:outside-circuit');
  });

  it('drops negative quantities in ticks, quotes and depth', () => {
    const { run, validator } = setup();
    expect(run(tickEvent({ lastQuantity: -65 })), 'tick').toBe('drop:negative-quantity');
    expect(run(quoteEvent({ bidQuantity: -1 })), 'quote').toBe('drop:negative-quantity');
    expect(run(depthEvent({ asks: [{ price: 12_350, quantity: -65, orders: 1 }] })), 'depth level').toBe(
      'drop:negative-quantity',
    );
    expect(validator.stats().dropped['negative-quantity'], 'all three counted').toBe(3);
  });

  it('drops NaN and Infinity anywhere in an event', () => {
    const { run } = setup();
    expect(run(tickEvent({ lastPrice: Number.NaN })), 'NaN price').toBe('drop:not-finite');
    expect(run(tickEvent({ openInterest: Number.POSITIVE_INFINITY })), 'infinite OI').toBe('drop:not-finite');
    expect(run(quoteEvent({ totalBuyQuantity: Number.NaN })), 'NaN total').toBe('drop:not-finite');
    expect(
      run(depthEvent({ bids: [{ price: Number.NEGATIVE_INFINITY, quantity: 1, orders: 1 }] })),
      'infinite depth price',
    ).toBe('drop:not-finite');
    expect(run(tickEvent({ exchangeTimeMs: Number.NaN })), 'NaN time').toBe('drop:not-finite');
  });

  it('keeps an LTP of 0 but flags it, since it means "not traded" rather than a price', () => {
    const { run, validator, slot } = setup();
    expect(run(tickEvent({ lastPrice: 0 })), 'untraded contract').toBe('flag:zero-price');
    expect(validator.stats().flagged['zero-price'], 'counted').toBe(1);
    expect(slot.quality, 'a zero price is not bad data quality').toBe('fresh');
  });

  it('drops implausible prices and times', () => {
    const { run } = setup({ maxPricePaise: 1_000_000 });
    expect(run(tickEvent({ lastPrice: -5 })), 'negative price').toBe('drop:implausible-price');
    expect(run(tickEvent({ lastPrice: 1_000_005 })), 'above the ceiling').toBe('drop:implausible-price');
    expect(run(quoteEvent({ high: -1 })), 'negative high').toBe('drop:implausible-price');
    expect(run(tickEvent({ exchangeTimeMs: 0 })), 'zero time').toBe('drop:implausible-time');
    expect(run(tickEvent({ exchangeTimeMs: OPEN_MS + 0.5 })), 'fractional ms').toBe('drop:implausible-time');
  });

  it('rejects a non-positive duplicate window at construction', () => {
    expect.assertions(1);
    try {
      new Validator({ calendar, duplicateWindow: 0 });
    } catch (error) {
      expect(isIfError(error, 'IF_ERR_CONFIG_INVALID'), 'configuration error code').toBe(true);
    }
  });
});

describe('Validator — feed reconnects', () => {
  it('accepts the first update after a reconnect without a gap even when sequences restarted', () => {
    const { run, validator, slot } = setup();
    run(tickEvent({ sequence: 500, exchangeTimeMs: OPEN_MS }));
    validator.onFeedReconnect();
    expect(run(tickEvent({ sequence: 7, exchangeTimeMs: OPEN_MS })), 'restarted sequence, same second').toBe(
      'accept',
    );
    expect(run(tickEvent({ sequence: 8, exchangeTimeMs: OPEN_MS + 1000 })), 'normal rules resume').toBe(
      'accept',
    );
    expect(run(tickEvent({ sequence: 12, exchangeTimeMs: OPEN_MS + 2000 })), 'a real gap later').toBe(
      'flag:sequence-gap',
    );
    expect(slot.quality, 'gapped by the later gap').toBe('gapped');
  });

  it('does not flag the updates missed while disconnected as a sequence gap', () => {
    const { run, validator, slot } = setup();
    run(tickEvent({ sequence: 100 }));
    validator.onFeedReconnect();
    expect(
      run(tickEvent({ sequence: 180, exchangeTimeMs: OPEN_MS + 60_000 })),
      'snapshot after reconnect',
    ).toBe('accept');
    expect(slot.quality, 'still fresh').toBe('fresh');
  });

  it('still drops a real duplicate delivered again after a reconnect', () => {
    const { run, validator } = setup();
    run(tickEvent({ sequence: 100 }));
    run(tickEvent({ sequence: 101, exchangeTimeMs: OPEN_MS + 1000 }));
    validator.onFeedReconnect();
    expect(run(tickEvent({ sequence: 101, exchangeTimeMs: OPEN_MS + 1000 })), 'the same last update').toBe(
      'drop:duplicate',
    );
  });

  it('still drops an older exchange time after a reconnect (the exchange clock does not restart)', () => {
    const { run, validator } = setup();
    run(tickEvent({ sequence: 100, exchangeTimeMs: OPEN_MS + 5_000 }));
    validator.onFeedReconnect();
    expect(run(tickEvent({ sequence: 3, exchangeTimeMs: OPEN_MS })), 'older data').toBe('drop:out-of-order');
  });

  it('relaxes only the first update per event type', () => {
    const { run, validator } = setup();
    run(tickEvent({ sequence: 100 }));
    run(quoteEvent({ sequence: 100 }));
    validator.onFeedReconnect();
    expect(run(tickEvent({ sequence: 5, exchangeTimeMs: OPEN_MS + 1000 })), 'first tick after').toBe(
      'accept',
    );
    expect(run(tickEvent({ sequence: 4, exchangeTimeMs: OPEN_MS + 1000 })), 'second tick, lower').toBe(
      'drop:out-of-order',
    );
    expect(run(quoteEvent({ sequence: 5, exchangeTimeMs: OPEN_MS + 1000 })), 'first quote after').toBe(
      'accept',
    );
  });
});

describe('Validator — unknown instruments', () => {
  it('counts events of unknown instruments as drops', () => {
    const { validator } = setup();
    expect(validator.countUnknownInstrument(), 'verdict').toEqual({
      action: 'drop',
      reason: 'unknown-instrument',
    });
    expect(validator.stats().dropped['unknown-instrument'], 'counted').toBe(1);
  });
});
