import { describe, expect, it } from 'vitest';
import { index, option, scrip } from './fixtures/scripRows.js';
import { parseScripMaster } from './master.js';

describe('parseScripMaster', () => {
  it('converts the reference NIFTY option row: strike already in paise, tick in paise, ISO expiry', () => {
    const { instruments, rejected } = parseScripMaster([
      {
        token: '40921',
        symbol: 'NIFTY11AUG2622350CE',
        name: 'NIFTY',
        expiry: '11AUG2026',
        strike: '2235000.000000',
        lotsize: '65',
        instrumenttype: 'OPTIDX',
        exch_seg: 'NFO',
        tick_size: '5.000000',
      },
    ]);
    expect(rejected).toBe(0);
    expect(instruments[0]).toEqual({
      token: '40921',
      symbol: 'NIFTY11AUG2622350CE',
      name: 'NIFTY',
      exchange: 'NFO',
      exchangeType: 2,
      kind: 'option',
      instrumentType: 'OPTIDX',
      expiry: '2026-08-11',
      strikePaise: 2_235_000,
      optionType: 'CE',
      lotSize: 65,
      tickSizePaise: 5,
    });
  });

  it('maps instrumenttype to kind and exch_seg to the WS exchange type', () => {
    const { instruments } = parseScripMaster([
      index('99926000', 'Nifty 50', 'NIFTY'),
      index('99919000', 'SENSEX', 'SENSEX', 'BSE'),
      scrip({ token: '2885', symbol: 'RELIANCE-EQ', name: 'RELIANCE' }),
      scrip({
        token: '35000',
        symbol: 'NIFTY24NOV26FUT',
        name: 'NIFTY',
        expiry: '24NOV2026',
        instrumenttype: 'FUTIDX',
        exch_seg: 'NFO',
        lotsize: '65',
      }),
      scrip({
        token: '60000',
        symbol: 'RELIANCE24NOV26FUT',
        name: 'RELIANCE',
        expiry: '24NOV2026',
        instrumenttype: 'FUTSTK',
        exch_seg: 'NFO',
        lotsize: '500',
      }),
      option('61000', 'RELIANCE', '24NOV2026', 1500, 'PE'),
      scrip({ token: '1', symbol: 'GOLD', name: 'GOLD', instrumenttype: 'COMDTY', exch_seg: 'MCX' }),
    ]);
    expect(instruments.map((i) => [i.token, i.kind, i.exchangeType])).toEqual([
      ['99926000', 'index', 1],
      ['99919000', 'index', 3],
      ['2885', 'equity', 1],
      ['35000', 'future', 2],
      ['60000', 'future', 2],
      ['61000', 'option', 2],
      ['1', 'other', 5],
    ]);
    expect(instruments[0]?.expiry, 'indices have no expiry').toBeUndefined();
    expect(instruments[0]?.strikePaise, 'non-options have no strike').toBeUndefined();
    expect(instruments[5]?.optionType).toBe('PE');
  });

  it('scales CDS strikes (rupees×1e7) to paise', () => {
    const { instruments, rejected } = parseScripMaster([
      scrip({
        token: '1001',
        symbol: 'USDINR26NOV2683.25CE',
        name: 'USDINR',
        expiry: '26NOV2026',
        strike: '832500000.000000',
        lotsize: '1000',
        instrumenttype: 'OPTCUR',
        exch_seg: 'CDS',
        tick_size: '0.250000',
      }),
    ]);
    expect(rejected).toBe(0);
    expect(instruments[0]?.strikePaise, '₹83.25').toBe(8325);
    expect(instruments[0]?.exchangeType).toBe(13);
  });

  it('rejects and counts bad rows instead of passing them inward', () => {
    const good = option('40001', 'NIFTY', '24NOV2026', 25000, 'CE');
    const rows: unknown[] = [
      good,
      null,
      'row',
      { ...good, token: 40001 },
      { ...good, strike: undefined },
      { ...good, exch_seg: 'XYZ' },
      { ...good, expiry: '31FEB2026' },
      { ...good, expiry: '' },
      { ...good, lotsize: '0' },
      { ...good, lotsize: 'abc' },
      { ...good, strike: '-1.000000' },
      { ...good, symbol: 'NIFTY24NOV2625000XX' },
      { ...good, tick_size: 'NaN' },
      { ...good, token: '' },
    ];
    const { instruments, rejected } = parseScripMaster(rows);
    expect(instruments.length, 'only the good row survives').toBe(1);
    expect(rejected, 'every bad row is counted').toBe(rows.length - 1);
  });
});
