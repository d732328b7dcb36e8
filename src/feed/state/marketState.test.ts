import { describe, expect, it } from 'vitest';
import { createMarketCalendar } from '../../core/calendar/index.js';
import type { Instrument } from '../../core/instrument.js';
import { Cache } from '../../engine/cache.js';
import { Enricher } from '../enrich/index.js';
import { depthEvent, NIFTY_25000_CE, quoteEvent, tickEvent } from '../validate/testkit.js';
import { MARKET_NAMESPACE, MarketStateStore, marketKey } from './marketState.js';

const enricher = new Enricher({ calendar: createMarketCalendar() });

describe('MarketStateStore', () => {
  it('keeps one record per instrument in the cache’s market namespace, keyed by exchange type and token', () => {
    const cache = new Cache();
    const store = new MarketStateStore(cache);
    const state = store.open(NIFTY_25000_CE, enricher.slot(NIFTY_25000_CE).context);
    expect(marketKey(2, '45001'), 'key format').toBe('2:45001');
    expect(cache.get(MARKET_NAMESPACE, '2:45001'), 'the record is in the cache').toBe(state);
    expect(store.get(2, '45001'), 'lookup by exchange type and token').toBe(state);
    expect(store.open(NIFTY_25000_CE, state.context), 'opening again returns the same record').toBe(state);
  });

  it('does not mix up equal tokens on different exchanges', () => {
    const store = new MarketStateStore(new Cache());
    const bse: Instrument = { ...NIFTY_25000_CE, exchange: 'BFO', exchangeType: 4 };
    const nfo = store.open(NIFTY_25000_CE, enricher.slot(NIFTY_25000_CE).context);
    const bfo = store.open(bse, enricher.slot(bse).context);
    expect(nfo, 'two records').not.toBe(bfo);
    expect([...store.all()].length, 'both listed').toBe(2);
  });

  it('applies accepted events in place: latest tick, quote and depth, update time and count', () => {
    const store = new MarketStateStore(new Cache());
    const state = store.open(NIFTY_25000_CE, enricher.slot(NIFTY_25000_CE).context);
    const tick = tickEvent({ receivedAtMs: 10 });
    const quote = quoteEvent({ receivedAtMs: 11 });
    const depth = depthEvent({ receivedAtMs: 12 });
    for (const event of [tick, quote, depth]) store.apply(state, event);
    store.setQuality(state, 'gapped');
    expect(state, 'record after three events').toMatchObject({
      tick,
      quote,
      depth,
      quality: 'gapped',
      updatedAtMs: 12,
      updates: 3,
    });
  });
});
