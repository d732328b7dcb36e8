import { describe, expect, it } from 'vitest';
import { index, sampleMaster } from './fixtures/scripRows.js';
import { parseScripMaster } from './master.js';
import { InstrumentStore } from './store.js';

const store = new InstrumentStore(parseScripMaster(sampleMaster()).instruments);

describe('InstrumentStore', () => {
  it('finds instruments by token and by symbol within a segment', () => {
    expect(store.byToken('NFO', '40001')?.symbol).toBe('NIFTY24NOV2625000CE');
    expect(store.byToken('NSE', '40001'), 'tokens are per segment').toBeUndefined();
    expect(store.bySymbol('NSE', 'reliance-eq')?.token, 'symbol lookup ignores case').toBe('2885');
  });

  it('lists expiries sorted, for options, futures or both', () => {
    expect(store.expiries('NIFTY')).toEqual(['2026-11-24', '2026-12-01']);
    expect(store.expiries('nifty', 'future')).toEqual(['2026-11-24', '2026-12-30', '2027-01-26']);
    expect(store.expiries('NIFTY', 'any', '2026-11-25'), 'from a date on').toEqual([
      '2026-12-01',
      '2026-12-30',
      '2027-01-26',
    ]);
    expect(store.expiries('UNKNOWN')).toEqual([]);
  });

  it('builds an option chain with calls and puts paired by strike, ascending', () => {
    const chain = store.optionChain('NIFTY', '2026-11-24');
    expect(chain?.exchange).toBe('NFO');
    expect(chain?.strikes.map((s) => [s.strikePaise, s.call?.token, s.put?.token])).toEqual([
      [2_495_000, '40003', undefined],
      [2_500_000, '40001', '40002'],
      [2_505_000, undefined, '40004'],
    ]);
    expect(store.optionChain('NIFTY', '2030-01-01'), 'no such expiry').toBeUndefined();
  });

  it('keeps a stock listed on NFO and BFO to its primary segment (no doubled strikes)', () => {
    const chain = store.optionChain('RELIANCE', '2026-11-24');
    expect(chain?.strikes.length).toBe(1);
    expect(chain?.strikes[0]?.call?.exchange).toBe('NFO');
    expect(store.future('RELIANCE')?.exchange).toBe('NFO');
  });

  it('SENSEX derivatives live on BFO', () => {
    expect(store.optionChain('SENSEX', '2026-11-26')?.exchange).toBe('BFO');
    expect(store.optionChain('SENSEX', '2026-11-26')?.strikes[0]?.call?.lotSize).toBe(20);
  });

  it('returns a future by expiry, or the nearest one (optionally not before a date)', () => {
    expect(store.future('NIFTY')?.token, 'nearest').toBe('35000');
    expect(store.future('NIFTY', '2026-12-30')?.token).toBe('35001');
    expect(store.future('NIFTY', undefined, '2026-11-25')?.token, 'skips the expired November future').toBe(
      '35001',
    );
    expect(store.future('NIFTY', '2031-01-01')).toBeUndefined();
  });

  it('finds index rows from the master for the five traded underlyings', () => {
    expect(store.indexInstrument('NIFTY')?.token).toBe('99926000');
    expect(store.indexInstrument('NIFTY')?.symbol).toBe('Nifty 50');
    expect(store.indexInstrument('BANKNIFTY')?.token).toBe('99926009');
    expect(store.indexInstrument('FINNIFTY')?.token).toBe('99926037');
    expect(store.indexInstrument('MIDCPNIFTY')?.token).toBe('99926074');
    const sensex = store.indexInstrument('SENSEX');
    expect(sensex?.token).toBe('99919000');
    expect(sensex?.exchange, 'SENSEX is a BSE index').toBe('BSE');
    expect(store.indexInstrument('RELIANCE'), 'not an index').toBeUndefined();
  });

  it('breaks ties between several index rows with one name using the known token, then the segment', () => {
    const rows = [index('99926999', 'Nifty 50 Equal', 'NIFTY'), index('99926000', 'Nifty 50', 'NIFTY')];
    const tied = new InstrumentStore(parseScripMaster(rows).instruments);
    expect(tied.indexInstrument('NIFTY')?.token).toBe('99926000');
    const renamed = new InstrumentStore(
      parseScripMaster([index('12345', 'Nifty 50', 'NIFTY 50')]).instruments,
    );
    expect(renamed.indexInstrument('NIFTY')?.token, 'found by the known symbol when the name differs').toBe(
      '12345',
    );
  });
});
