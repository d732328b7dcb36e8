import { describe, expect, it } from 'vitest';
import { row, side } from './fixtures.js';
import {
  deltaBandDistance,
  instrumentPicker,
  type PickerConfig,
  pickFuture,
  pickCreditSpread,
  pickOption,
} from './instrumentPicker.js';

const cfg: PickerConfig = {
  mode: 'option',
  deltaMin: 0.35,
  deltaMax: 0.55,
  minOi: 1000,
  minVolume: 100,
  maxSpreadTicks: 4,
  tickSizePaise: 5,
  sellDeltaMin: 0.2,
  sellDeltaMax: 0.35,
  hedgeStrikes: 2,
};

describe('pickOption', () => {
  it('buys a CE for long and a PE for short', () => {
    const rows = [row(100, side('C', 0.45), side('P', -0.45))];
    const long = pickOption(rows, 'long', cfg);
    const short = pickOption(rows, 'short', cfg);
    expect(long.type === 'picked' && long.instrument.optionType).toBe('CE');
    expect(short.type === 'picked' && short.instrument.optionType).toBe('PE');
    expect(long.type === 'picked' && long.entryPaise, 'a buyer pays the ask').toBe(10_000);
  });

  it('treats band edges as inside and prefers the row nearest the band centre', () => {
    expect(deltaBandDistance(0.35, 0.35, 0.55), 'lower edge is inside').toBe(0);
    expect(deltaBandDistance(0.55, 0.35, 0.55), 'upper edge is inside').toBe(0);
    expect(deltaBandDistance(0.3, 0.35, 0.55)).toBeCloseTo(0.05);
    const rows = [row(100, side('edge', 0.55)), row(200, side('mid', 0.44)), row(300, side('out', 0.6))];
    const p = pickOption(rows, 'long', cfg);
    expect(p.type === 'picked' && p.instrument.token, 'inside and nearest the centre 0.45').toBe('mid');
  });

  it('falls back to the nearest row outside the band when none is inside', () => {
    const rows = [row(100, side('far', 0.8)), row(200, side('near', 0.3))];
    const p = pickOption(rows, 'long', cfg);
    expect(p.type === 'picked' && p.instrument.token, '0.05 away beats 0.25 away').toBe('near');
  });

  it('drops illiquid, wide and one-sided rows', () => {
    const rows = [
      row(100, side('lowOi', 0.45, { oi: 999 })),
      row(200, side('lowVol', 0.45, { volume: 99 })),
      row(300, side('wide', 0.45, { bid: 9_975, ask: 10_000 })),
      row(400, side('noBid', 0.45, { bid: 0 })),
      row(500, side('ok', 0.7, { bid: 9_980, ask: 10_000 })),
    ];
    const p = pickOption(rows, 'long', cfg);
    expect(p.type === 'picked' && p.instrument.token, 'only the 4-tick, liquid row remains').toBe('ok');
    expect(pickOption(rows.slice(0, 4), 'long', cfg).type, 'nothing passes').toBe('not-picked');
  });

  it('breaks exact ties by tighter spread, then higher OI, then lower strike', () => {
    const spread = [
      row(200, side('wider', 0.45, { bid: 9_985 })),
      row(100, side('tight', 0.45, { bid: 9_995 })),
    ];
    const a = pickOption(spread, 'long', cfg);
    expect(a.type === 'picked' && a.instrument.token).toBe('tight');
    const oi = [row(100, side('less', 0.45, { oi: 2000 })), row(200, side('more', 0.45, { oi: 3000 }))];
    const b = pickOption(oi, 'long', cfg);
    expect(b.type === 'picked' && b.instrument.token).toBe('more');
    const same = [row(200, side('high', 0.45)), row(100, side('low', 0.45))];
    const c = pickOption(same, 'long', cfg);
    expect(
      c.type === 'picked' && c.instrument.token,
      'lower strike wins a full tie, whatever the order',
    ).toBe('low');
  });
});

describe('future mode', () => {
  const future = { token: 'FUT', symbol: 'NIFTYFUT', bid: 2_400_000, ask: 2_400_100, tickSizePaise: 10 };
  it('buys at the ask and sells at the bid', () => {
    const pick = instrumentPicker({ ...cfg, mode: 'future' }, { rows: [], future });
    const long = pick('long');
    const short = pick('short');
    expect(long.type === 'picked' && long.entryPaise).toBe(2_400_100);
    expect(short.type === 'picked' && short.entryPaise).toBe(2_400_000);
    expect(long.type === 'picked' && long.instrument.kind).toBe('future');
  });
  it('refuses without a future or without the needed side', () => {
    expect(pickFuture(undefined, 'long').type).toBe('not-picked');
    expect(pickFuture({ ...future, ask: 0 }, 'long').type, 'empty ask').toBe('not-picked');
  });
});

describe('usable instruments and credit spreads', () => {
  it('skips a contract whose data is not fresh instead of refusing the signal', () => {
    const rows = [row(100, side('gapped', 0.45)), row(200, side('fresh', 0.3))];
    const p = pickOption(rows, 'long', cfg, (token) => token !== 'gapped');
    expect(p.type === 'picked' && p.instrument.token).toBe('fresh');
    const none = pickOption(rows, 'long', cfg, () => false);
    expect(none.type === 'not-picked' && none.detail).toContain('freshness');
  });

  // Strikes 100..500, puts with |delta| falling as strikes go down (further out of the money).
  const puts = [
    row(100, undefined, side('P100', -0.08, { bid: 1_000, ask: 1_010 })),
    row(200, undefined, side('P200', -0.14, { bid: 2_000, ask: 2_010 })),
    row(300, undefined, side('P300', -0.28, { bid: 4_000, ask: 4_010 })),
    row(400, undefined, side('P400', -0.45, { bid: 7_000, ask: 7_010 })),
    row(500, undefined, side('P500', -0.6, { bid: 9_000, ask: 9_010 })),
  ];

  it('a long premium-selling view sells the PE in the sell band and buys the PE two strikes lower', () => {
    const p = pickCreditSpread(puts, 'long', cfg);
    expect(p.type).toBe('picked');
    if (p.type !== 'picked') return;
    expect(p.side, 'the sold leg').toBe('SELL');
    expect(p.instrument.token, '|delta| 0.28 sits in 0.20–0.35').toBe('P300');
    expect(p.entryPaise, 'a seller gets the bid').toBe(4_000);
    expect(p.hedge?.instrument.token, 'two strikes further out of the money').toBe('P100');
    expect(p.hedge?.entryPaise, 'the hedge is bought at its ask').toBe(1_010);
  });

  it('a short view sells calls and hedges with a higher strike; no hedge strike, no spread', () => {
    const calls = [
      row(100, side('C100', 0.6)),
      row(200, side('C200', 0.45)),
      row(300, side('C300', 0.3, { bid: 4_000, ask: 4_010 })),
      row(400, side('C400', 0.15, { bid: 2_000, ask: 2_010 })),
      row(500, side('C500', 0.07, { bid: 900, ask: 910 })),
    ];
    const p = pickCreditSpread(calls, 'short', cfg);
    expect(p.type === 'picked' && [p.instrument.token, p.hedge?.instrument.token]).toEqual(['C300', 'C500']);
    const noRoom = pickCreditSpread(calls.slice(0, 4), 'short', cfg);
    expect(noRoom.type === 'not-picked' && noRoom.detail).toContain('strikes beyond');
  });

  it('refuses a spread that takes in no premium or whose hedge is not fresh', () => {
    const flat = puts.map((r) =>
      row(r.strike, undefined, { ...(r.put as NonNullable<typeof r.put>), bid: 1_000, ask: 1_010 }),
    );
    const noCredit = pickCreditSpread(flat, 'long', cfg);
    expect(noCredit.type === 'not-picked' && noCredit.detail).toContain('no credit');
    const staleHedge = pickCreditSpread(puts, 'long', cfg, (token) => token !== 'P100');
    expect(staleHedge.type === 'not-picked' && staleHedge.detail).toContain('hedge');
  });

  it('routes a sell-premium view to a spread even in future mode', () => {
    const pick = instrumentPicker({ ...cfg, mode: 'future' }, { rows: puts });
    const p = pick('long', 'sell-premium');
    expect(p.type === 'picked' && p.side).toBe('SELL');
    expect(pick('long').type, 'no future configured').toBe('not-picked');
  });
});
