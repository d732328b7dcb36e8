import { describe, expect, it } from 'vitest';
import { isIfError } from '../../core/errors.js';
import { istToEpochMs } from '../../core/time.js';
import {
  ANGEL_ONE_SCHEDULE,
  type ChargeSchedule,
  checkSchedule,
  percent,
  resolveRates,
  valueOn,
  venueOf,
} from './rates.js';

function errorCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isIfError(error) ? error.code : 'not an IfError';
  }
  return undefined;
}

describe('percent', () => {
  it('turns published percentages into exact parts per 10^8', () => {
    expect(percent('0.03503'), 'NSE option fee').toBe(35_030);
    expect(percent('0.0005'), 'IPFT').toBe(500);
    expect(percent('0.0001'), 'SEBI ₹10/crore').toBe(100);
    expect(percent('18'), 'GST').toBe(18_000_000);
    expect(percent('0'), 'nil').toBe(0);
  });

  it('refuses text that is not a plain percentage with at most six decimals', () => {
    for (const text of ['', '-1', '0.0000001', '1e-3', '0,1', ' 0.1']) {
      expect(
        errorCode(() => percent(text)),
        text,
      ).toBe('IF_ERR_VALIDATION');
    }
  });
});

describe('the Angel One schedule', () => {
  it('is well formed: every timeline non-empty, dated and ascending', () => {
    expect(() => checkSchedule(ANGEL_ONE_SCHEDULE), 'default schedule').not.toThrow();
  });

  it('maps derivative segments to their parent exchange', () => {
    expect([venueOf('NFO'), venueOf('NSE'), venueOf('BFO'), venueOf('BSE')], 'venues').toEqual([
      'NSE',
      'NSE',
      'BSE',
      'BSE',
    ]);
  });

  it('resolves the 2025 rates for a 2025 NSE option fill', () => {
    const rates = resolveRates(ANGEL_ONE_SCHEDULE, 'NSE', 'option', istToEpochMs(2025, 6, 2, 11));
    expect(rates.dateKey, 'IST date').toBe('2025-06-02');
    expect(rates.sttSell, 'STT 0.1 %').toBe(percent('0.1'));
    expect(rates.transaction, 'NSE 0.03503 %').toBe(percent('0.03503'));
    expect(rates.brokeragePerOrderPaise, '₹20').toBe(20_00);
    expect(rates.estimated, 'published rates').toBe(false);
  });

  it('rejects a malformed override schedule', () => {
    const unsorted: ChargeSchedule = {
      ...ANGEL_ONE_SCHEDULE,
      gst: [
        { from: '2026-01-01', value: percent('18') },
        { from: '2025-01-01', value: percent('18') },
      ],
    };
    expect(
      errorCode(() => checkSchedule(unsorted)),
      'dates out of order',
    ).toBe('IF_ERR_VALIDATION');
    expect(
      errorCode(() => checkSchedule({ ...ANGEL_ONE_SCHEDULE, sebiFee: [] })),
      'empty',
    ).toBe('IF_ERR_VALIDATION');
  });

  it('names the missing component when a date precedes a timeline', () => {
    try {
      valueOn(ANGEL_ONE_SCHEDULE.gst, '2020-01-01', 'GST');
      expect.unreachable('a date before the schedule must throw');
    } catch (error) {
      expect(isIfError(error, 'IF_ERR_CHARGES_NO_RATE'), 'coded error').toBe(true);
      expect(isIfError(error) && error.params['component'], 'component in params').toBe('GST');
    }
  });
});
