import { describe, expect, it } from 'vitest';
import { createMarketCalendar } from '../../core/calendar/index.js';
import { isIfError } from '../../core/errors.js';
import type { Instrument } from '../../core/instrument.js';
import { istToEpochMs } from '../../core/time.js';
import { NIFTY_INDEX, niftyOption, tickEvent } from '../validate/testkit.js';
import { Enricher } from './enricher.js';
import { MoneynessClassifier, moneynessBucket } from './moneyness.js';

const calendar = createMarketCalendar();
const DAY = 86_400_000;

describe('Enricher — static context', () => {
  it('copies underlying, expiry, strike, option type and lot size from the instrument', () => {
    const option = niftyOption('45001', 25_000, 'PE', '2026-03-10');
    const { context } = new Enricher({ calendar }).slot(option);
    expect(context, 'static fields').toMatchObject({
      instrument: option,
      kind: 'option',
      underlying: 'NIFTY',
      expiry: '2026-03-10',
      expiryCloseMs: istToEpochMs(2026, 3, 10, 15, 30),
      strikePaise: 2_500_000,
      optionType: 'PE',
      lotSize: 65,
      daysToExpiry: undefined,
      moneyness: undefined,
    });
  });

  it('has no expiry facts for an index', () => {
    const enricher = new Enricher({ calendar });
    const slot = enricher.slot(NIFTY_INDEX);
    enricher.enrich(slot, tickEvent({ token: NIFTY_INDEX.token, exchangeType: 1, lastPrice: 2_500_000 }));
    expect(slot.context, 'index context').toMatchObject({
      underlying: 'NIFTY',
      expiry: undefined,
      expiryCloseMs: undefined,
      daysToExpiry: undefined,
      moneyness: undefined,
    });
  });
});

describe('Enricher — days to expiry', () => {
  it('counts calendar days to the expiry-day close across a weekend', () => {
    const enricher = new Enricher({ calendar });
    const slot = enricher.slot(niftyOption('45001', 25_000, 'CE', '2026-03-10'));
    enricher.enrich(slot, tickEvent({ exchangeTimeMs: istToEpochMs(2026, 3, 6, 15, 30) }));
    expect(slot.context.daysToExpiry, 'Friday 15:30 → Tuesday 15:30 is four calendar days').toBe(4);
    enricher.enrich(slot, tickEvent({ exchangeTimeMs: istToEpochMs(2026, 3, 9, 9, 15) }));
    expect(slot.context.daysToExpiry, 'Monday 09:15 → Tuesday 15:30').toBeCloseTo(1 + 6.25 / 24, 12);
    expect(slot.context.asOfMs, 'computed for the event’s exchange time').toBe(
      istToEpochMs(2026, 3, 9, 9, 15),
    );
  });

  it('ends at the previous trading day’s close when the listed expiry is a holiday', () => {
    // Tuesday 3-Mar-2026 is Holi; the NIFTY weekly expires on Monday 2-Mar.
    const enricher = new Enricher({ calendar });
    const slot = enricher.slot(niftyOption('45002', 25_000, 'CE', '2026-03-03'));
    expect(slot.context.expiryCloseMs, 'holiday-adjusted close').toBe(istToEpochMs(2026, 3, 2, 15, 30));
    enricher.enrich(slot, tickEvent({ exchangeTimeMs: istToEpochMs(2026, 2, 27, 15, 30) }));
    expect(slot.context.daysToExpiry, 'Friday 15:30 → Monday 15:30').toBe(3);
  });

  it('never goes below zero after the close of the expiry day', () => {
    const enricher = new Enricher({ calendar });
    const slot = enricher.slot(niftyOption('45001', 25_000, 'CE', '2026-03-10'));
    enricher.enrich(slot, tickEvent({ exchangeTimeMs: istToEpochMs(2026, 3, 10, 15, 30) + DAY }));
    expect(slot.context.daysToExpiry, 'expired').toBe(0);
  });

  it('leaves days to expiry unknown on a segment the calendar does not cover', () => {
    const mcx: Instrument = { ...niftyOption('9', 100, 'CE'), exchange: 'MCX', exchangeType: 5 };
    const enricher = new Enricher({ calendar });
    const slot = enricher.slot(mcx);
    enricher.enrich(slot, tickEvent({ token: '9', exchangeType: 5 }));
    expect(slot.context.daysToExpiry, 'no MCX sessions in the calendar').toBeUndefined();
  });
});

describe('Enricher — moneyness from the underlying’s spot', () => {
  const spotTick = (lastPrice: number) =>
    tickEvent({ token: NIFTY_INDEX.token, exchangeType: 1, sequence: 0, lastPrice });

  it('is unknown until the underlying has traded, then follows its latest price', () => {
    const enricher = new Enricher({ calendar });
    const index = enricher.slot(NIFTY_INDEX);
    const call = enricher.slot(niftyOption('45001', 25_000, 'CE'));
    enricher.enrich(call, tickEvent());
    expect(call.context.moneyness, 'no spot yet').toBeUndefined();
    enricher.enrich(index, spotTick(0));
    enricher.enrich(call, tickEvent());
    expect(call.context.moneyness, 'LTP 0 is not a spot').toBeUndefined();
    enricher.enrich(index, spotTick(2_500_000));
    enricher.enrich(call, tickEvent());
    expect(call.context, 'at the money').toMatchObject({ moneyness: 'atm', spotPaise: 2_500_000 });
    enricher.enrich(index, spotTick(2_600_000));
    enricher.enrich(call, tickEvent());
    expect(call.context, 'spot rallied 4%: the call is deep ITM').toMatchObject({
      moneyness: 'deep-itm',
      spotPaise: 2_600_000,
    });
    expect(enricher.spot('nifty'), 'spot lookup by underlying').toBe(2_600_000);
  });

  it('updates the same context object in place', () => {
    const enricher = new Enricher({ calendar });
    const call = enricher.slot(niftyOption('45001', 25_000, 'CE'));
    const before = call.context;
    enricher.enrich(call, tickEvent());
    expect(call.context, 'no copy per event').toBe(before);
  });

  it('uses the injected spot source when index rows are named differently', () => {
    const oddIndex: Instrument = { ...NIFTY_INDEX, name: 'Nifty 50' };
    const enricher = new Enricher({
      calendar,
      spotOf: (i) => (i.token === oddIndex.token ? 'NIFTY' : undefined),
    });
    const index = enricher.slot(oddIndex);
    const put = enricher.slot(niftyOption('45003', 25_200, 'PE'));
    enricher.enrich(index, spotTick(2_500_000));
    enricher.enrich(put, tickEvent({ token: '45003' }));
    expect(put.context.moneyness, 'K/S = 1.008: a put 0.8% ITM').toBe('itm');
    expect(index.context.underlying, 'the index is tagged with the underlying it quotes').toBe('NIFTY');
  });
});

describe('moneyness buckets', () => {
  const S = 2_500_000;
  const cases: Array<[number, 'CE' | 'PE', string]> = [
    [2_500_000, 'CE', 'atm'],
    [2_510_000, 'CE', 'atm'], // ln(K/S) = +0.0040
    [2_490_000, 'PE', 'atm'], // −0.0040
    [2_520_000, 'CE', 'otm'], // +0.0080
    [2_520_000, 'PE', 'itm'],
    [2_480_000, 'CE', 'itm'], // −0.0080
    [2_480_000, 'PE', 'otm'],
    [2_570_000, 'CE', 'otm'], // +0.0276
    [2_580_000, 'CE', 'deep-otm'], // +0.0315
    [2_580_000, 'PE', 'deep-itm'],
    [2_420_000, 'CE', 'deep-itm'], // −0.0325
    [2_420_000, 'PE', 'deep-otm'],
  ];
  for (const [strike, type, bucket] of cases) {
    it(`${type} ${strike / 100} with spot ${S / 100} is ${bucket}`, () => {
      expect(
        moneynessBucket(type, strike, S),
        `|ln(K/S)| = ${Math.abs(Math.log(strike / S)).toFixed(4)}`,
      ).toBe(bucket);
    });
  }

  it('takes custom bands', () => {
    const wide = new MoneynessClassifier({ atm: 0.01, deep: 0.05 });
    expect(wide.classify('CE', 2_520_000, S), '0.8% is ATM in a 1% band').toBe('atm');
    expect(wide.classify('CE', 2_580_000, S), '3.1% is only OTM in a 5% band').toBe('otm');
  });

  it('rejects bands that do not nest', () => {
    expect.assertions(1);
    try {
      new MoneynessClassifier({ atm: 0.05, deep: 0.01 });
    } catch (error) {
      expect(isIfError(error, 'IF_ERR_CONFIG_INVALID'), 'configuration error code').toBe(true);
    }
  });
});
