import { describe, expect, it } from 'vitest';
import { createMarketCalendar } from '../../core/calendar/index.js';
import { isIfError } from '../../core/errors.js';
import { istToEpochMs } from '../../core/time.js';
import { createMarketModel } from './model.js';

const calendar = createMarketCalendar();
// Thursday 20-Nov-2025, before the open: NIFTY's nearest expiry is the 25-Nov-2025 monthly.
const START = istToEpochMs(2025, 11, 20, 9, 0);
const model = createMarketModel({ seed: 7, startMs: START, calendar });
const rows = model.scripMaster();

const LOTS: Record<string, number> = { NIFTY: 65, BANKNIFTY: 30, FINNIFTY: 60, MIDCPNIFTY: 120, SENSEX: 20 };
const KEYS = [
  'token',
  'symbol',
  'name',
  'expiry',
  'strike',
  'lotsize',
  'instrumenttype',
  'exch_seg',
  'tick_size',
];

describe('scrip master rows', () => {
  it('carry every field as a string, in the real file’s key order', () => {
    for (const row of rows) {
      expect(Object.keys(row), `${row.symbol} keys`).toEqual(KEYS);
      for (const value of Object.values(row)) expect(typeof value, `${row.symbol} value type`).toBe('string');
    }
  });

  it('list NIFTY options and futures in Angel’s symbol, expiry and strike×100 formats', () => {
    const ce = rows.find((r) => r.symbol === 'NIFTY25NOV2525900CE');
    expect(ce, 'the ATM monthly call exists').toMatchObject({
      name: 'NIFTY',
      expiry: '25NOV2025',
      strike: '2590000.000000',
      lotsize: '65',
      instrumenttype: 'OPTIDX',
      exch_seg: 'NFO',
      tick_size: '5.000000',
    });
    expect(
      rows.find((r) => r.symbol === 'NIFTY25NOV25FUT'),
      'the November future exists',
    ).toMatchObject({
      expiry: '25NOV2025',
      strike: '-1.000000',
      instrumenttype: 'FUTIDX',
      exch_seg: 'NFO',
      tick_size: '5.000000',
    });
  });

  it('list the five index rows with master tokens and real names, strike 0 and lot 1', () => {
    const indices = rows.filter((r) => r.instrumenttype === 'AMXIDX');
    expect(indices.map((r) => [r.token, r.symbol, r.name, r.exch_seg])).toEqual([
      ['99926000', 'Nifty 50', 'NIFTY', 'NSE'],
      ['99926009', 'Nifty Bank', 'BANKNIFTY', 'NSE'],
      ['99926037', 'Nifty Fin Service', 'FINNIFTY', 'NSE'],
      ['99926074', 'NIFTY MID SELECT', 'MIDCPNIFTY', 'NSE'],
      ['99919000', 'SENSEX', 'SENSEX', 'BSE'],
    ]);
    for (const r of indices) expect([r.expiry, r.strike, r.lotsize]).toEqual(['', '0.000000', '1']);
  });

  it('encode strike×100 consistently with the symbol, and use each underlying’s lot size', () => {
    for (const r of rows.filter((x) => x.instrumenttype === 'OPTIDX')) {
      const match = /^([A-Z]+)(\d{2})([A-Z]{3})(\d{2})(\d+)(CE|PE)$/.exec(r.symbol);
      expect(match, `${r.symbol} is name+DDMMMYY+strike+CE/PE`).not.toBeNull();
      if (match === null) continue;
      expect(match[1]).toBe(r.name);
      expect(`${match[2]}${match[3]}20${match[4]}`, `${r.symbol} date part equals the expiry`).toBe(r.expiry);
      expect(r.strike, `${r.symbol} strike field`).toBe(`${Number(match[5]) * 100}.000000`);
      expect(Number(r.lotsize), `${r.name} lot`).toBe(LOTS[r.name]);
    }
  });

  it('use unique numeric tokens: 5–6 digits on NFO, 6+ on BFO', () => {
    expect(new Set(rows.map((r) => r.token)).size, 'tokens are unique').toBe(rows.length);
    for (const r of rows) {
      if (r.exch_seg === 'NFO') expect(r.token, r.symbol).toMatch(/^\d{5,6}$/);
      if (r.exch_seg === 'BFO') expect(r.token, r.symbol).toMatch(/^\d{6,}$/);
    }
  });

  it('follow the calendar’s expiry rules: NIFTY/SENSEX 4 weeklies, others 2 monthlies, 3 monthly futures', () => {
    const today = '2025-11-20';
    const expiriesOf = (name: string, type: string): string[] => [
      ...new Set(rows.filter((r) => r.name === name && r.instrumenttype === type).map((r) => r.expiry)),
    ];
    const asMaster = (keys: string[]): string[] =>
      keys.map((k) => {
        const [y, m, d] = k.split('-');
        const month = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'][
          Number(m) - 1
        ];
        return `${d}${month}${y}`;
      });
    for (const name of ['NIFTY', 'SENSEX']) {
      expect(expiriesOf(name, 'OPTIDX'), `${name} weeklies`).toEqual(
        asMaster(calendar.listExpiries(name, today, 4)),
      );
    }
    // SENSEX's 20-Nov-2025 weekly is today (a Thursday) and still trades, so it is listed.
    expect(expiriesOf('SENSEX', 'OPTIDX')[0]).toBe('20NOV2025');
    for (const name of ['BANKNIFTY', 'FINNIFTY', 'MIDCPNIFTY']) {
      expect(expiriesOf(name, 'OPTIDX'), `${name} monthlies`).toEqual(
        asMaster(calendar.listMonthlyExpiries(name, today, 2)),
      );
    }
    for (const name of Object.keys(LOTS)) {
      expect(expiriesOf(name, 'FUTIDX'), `${name} futures`).toEqual(
        asMaster(calendar.listMonthlyExpiries(name, today, 3)),
      );
    }
  });

  it('list ±20 strikes around the ATM strike on each option expiry, CE and PE', () => {
    const nifty = rows.filter(
      (r) => r.name === 'NIFTY' && r.expiry === '25NOV2025' && r.instrumenttype === 'OPTIDX',
    );
    expect(nifty).toHaveLength(41 * 2);
    const strikes = nifty.map((r) => Number(r.strike) / 100);
    expect(Math.min(...strikes)).toBe(25_900 - 20 * 50);
    expect(Math.max(...strikes)).toBe(25_900 + 20 * 50);
    const midcap = rows.filter((r) => r.name === 'MIDCPNIFTY' && r.instrumenttype === 'OPTIDX');
    expect(
      new Set(midcap.map((r) => Number(r.strike) / 100 - 13_500)).has(25),
      'MIDCPNIFTY steps by 25',
    ).toBe(true);
  });

  it('match the typed instruments field for field', () => {
    expect(model.instruments).toHaveLength(rows.length);
    model.instruments.forEach((instrument, i) => {
      const row = rows[i];
      expect(row?.token).toBe(instrument.token);
      expect(row?.symbol).toBe(instrument.symbol);
      expect(Number(row?.lotsize)).toBe(instrument.lotSize);
      expect(Number(row?.tick_size)).toBe(instrument.tickSizePaise);
      if (instrument.kind === 'option') {
        expect(Number(row?.strike), `${instrument.symbol} strike paise`).toBe(instrument.strikePaise);
        expect(row?.symbol.endsWith(instrument.optionType ?? '?')).toBe(true);
      }
      expect(instrument.exchangeType, instrument.symbol).toBe(
        { NSE: 1, NFO: 2, BSE: 3, BFO: 4 }[instrument.exchange as 'NSE' | 'NFO' | 'BSE' | 'BFO'],
      );
    });
  });

  it('resolves exchange-style index aliases and master tokens, and nothing else', () => {
    expect(model.resolveToken('26000')).toBe('99926000');
    expect(model.resolveToken('26009')).toBe('99926009');
    expect(model.resolveToken('26037')).toBe('99926037');
    expect(model.resolveToken('26074')).toBe('99926074');
    expect(model.resolveToken('1')).toBe('99919000');
    expect(model.resolveToken('99926000')).toBe('99926000');
    expect(model.resolveToken('35001')).toBe('35001');
    expect(model.resolveToken('42')).toBeUndefined();
  });

  it('rejects colliding token ranges and bad option values with IF_ERR_CONFIG_INVALID', () => {
    const codeOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (error) {
        return isIfError(error) ? error.code : 'not an IfError';
      }
      return undefined;
    };
    expect(
      codeOf(() =>
        createMarketModel({
          seed: 1,
          startMs: START,
          underlyings: ['NIFTY', { name: 'FINNIFTY', tokenBase: 35_010 }],
        }),
      ),
    ).toBe('IF_ERR_CONFIG_INVALID');
    expect(codeOf(() => createMarketModel({ seed: 1, startMs: START, strikesEachSide: -1 }))).toBe(
      'IF_ERR_CONFIG_INVALID',
    );
    expect(
      codeOf(() => createMarketModel({ seed: 1, startMs: START, underlyings: [{ name: 'CUSTOM' }] })),
    ).toBe('IF_ERR_CONFIG_INVALID');
  });
});
