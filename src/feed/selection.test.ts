import { describe, expect, it } from 'vitest';
import type { Instrument } from '../core/instrument.js';
import { selectChainSubscriptions } from './selection.js';

function option(token: string, expiry: string, strikeRupees: number, optionType: 'CE' | 'PE'): Instrument {
  return {
    token,
    symbol: `NIFTY${expiry}${strikeRupees}${optionType}`,
    name: 'NIFTY',
    exchange: 'NFO',
    exchangeType: 2,
    kind: 'option',
    instrumentType: 'OPTIDX',
    expiry,
    strikePaise: strikeRupees * 100,
    optionType,
    lotSize: 65,
    tickSizePaise: 5,
  };
}

const index: Instrument = {
  token: '99926000',
  symbol: 'Nifty 50',
  name: 'NIFTY',
  exchange: 'NSE',
  exchangeType: 1,
  kind: 'index',
  instrumentType: 'AMXIDX',
  lotSize: 1,
  tickSizePaise: 5,
};

const future = (token: string, expiry: string): Instrument => ({
  ...index,
  token,
  symbol: `NIFTY${expiry}FUT`,
  exchange: 'NFO',
  exchangeType: 2,
  kind: 'future',
  instrumentType: 'FUTIDX',
  expiry,
  lotSize: 65,
});

describe('selectChainSubscriptions', () => {
  const strikes = [25700, 25750, 25800, 25850, 25900, 25950, 26000];
  const instruments: Instrument[] = [index, future('f2', '2026-12-29'), future('f1', '2026-11-24')];
  let token = 1000;
  for (const expiry of ['2026-11-24', '2026-12-01', '2026-12-08']) {
    for (const strike of strikes) {
      instruments.push(
        option(String(token++), expiry, strike, 'CE'),
        option(String(token++), expiry, strike, 'PE'),
      );
    }
  }

  it('takes the index, the nearest live future and ±N strikes around ATM of the nearest expiries', () => {
    const selection = selectChainSubscriptions(
      instruments,
      new Map([['NIFTY', 2_587_000]]),
      { underlyings: ['NIFTY'], expiries: 1, strikesEachSide: 1, includeFutures: true, mode: 'snapquote' },
      '2026-11-25',
    );
    const kinds = selection.subscriptions.map((s) => s.instrument.kind);
    expect(kinds.filter((k) => k === 'index')).toHaveLength(1);
    const fut = selection.subscriptions.find((s) => s.instrument.kind === 'future');
    expect(fut?.token, 'the future that expired yesterday is skipped').toBe('f2');
    expect(selection.summary['NIFTY']?.expiries, 'expired 24-Nov contracts skipped').toEqual(['2026-12-01']);
    expect(selection.summary['NIFTY']?.atmStrikePaise, 'ATM is the strike nearest 25,870').toBe(2_585_000);
    const optionStrikes = selection.subscriptions
      .filter((s) => s.instrument.kind === 'option')
      .map((s) => (s.instrument.strikePaise ?? 0) / 100);
    expect(new Set(optionStrikes)).toEqual(new Set([25800, 25850, 25900]));
    expect(optionStrikes, 'a call and a put per strike').toHaveLength(6);
    expect(
      selection.subscriptions.every((s) => s.mode === 3),
      'SnapQuote mode code',
    ).toBe(true);
  });

  it('reports underlyings missing from the master instead of failing', () => {
    const selection = selectChainSubscriptions(
      instruments,
      new Map(),
      {
        underlyings: ['NIFTY', 'SENSEX'],
        expiries: 2,
        strikesEachSide: 0,
        includeFutures: false,
        mode: 'ltp',
      },
      '2026-11-25',
    );
    expect(selection.missing).toEqual(['SENSEX']);
    expect(selection.summary['NIFTY']?.contracts, 'middle strike of two expiries, CE+PE').toBe(4);
  });
});
