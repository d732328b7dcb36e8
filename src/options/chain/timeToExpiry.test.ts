import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMarketCalendar } from '../../core/calendar/index.js';
import { istToEpochMs } from '../../core/time.js';
import { CALENDAR_YEAR_MS, ExpiryClock, timeToExpiryYears } from './timeToExpiry.js';

const calendar = createMarketCalendar();
// Tuesday 1-Dec-2026, a NIFTY weekly expiry; Monday 30-Nov is a trading day.
const EXPIRY = '2026-12-01';
const CLOSE = istToEpochMs(2026, 12, 1, 15, 30);

describe('timeToExpiryYears', () => {
  it('on the calendar basis counts every ms to the expiry-day close over 365 days', () => {
    const now = istToEpochMs(2026, 11, 27, 10, 0); // Friday
    expect(timeToExpiryYears(calendar, 'NFO', EXPIRY, now, 'calendar')).toBe(
      (CLOSE - now) / CALENDAR_YEAR_MS,
    );
  });

  it('on the trading basis counts today’s session left plus whole sessions to expiry, over 252', () => {
    const monday10 = istToEpochMs(2026, 11, 30, 10, 0);
    expect(
      timeToExpiryYears(calendar, 'NFO', EXPIRY, monday10, 'trading'),
      '330/375 of Monday + Tuesday',
    ).toBeCloseTo((330 / 375 + 1) / 252, 15);
    const friday = istToEpochMs(2026, 11, 27, 16, 0);
    expect(
      timeToExpiryYears(calendar, 'NFO', EXPIRY, friday, 'trading'),
      'after Friday’s close: Mon + Tue',
    ).toBe(2 / 252);
    const saturday = istToEpochMs(2026, 11, 28, 12, 0);
    expect(timeToExpiryYears(calendar, 'NFO', EXPIRY, saturday, 'trading'), 'weekends carry no time').toBe(
      2 / 252,
    );
    const mondayEarly = istToEpochMs(2026, 11, 30, 8, 0);
    expect(
      timeToExpiryYears(calendar, 'NFO', EXPIRY, mondayEarly, 'trading'),
      'before the open: all of Monday',
    ).toBe(2 / 252);
    expect(timeToExpiryYears(calendar, 'NFO', EXPIRY, CLOSE, 'trading'), 'at the close').toBe(0);
    expect(timeToExpiryYears(calendar, 'NFO', EXPIRY, CLOSE + 60_000, 'calendar'), 'past it').toBeLessThan(0);
  });

  it('runs to the previous trading day’s close when the expiry date is a holiday', () => {
    // Tuesday 3-Mar-2026 is an NSE holiday: that week's NIFTY weekly expires Monday 2-Mar.
    const friday = istToEpochMs(2026, 2, 27, 10, 0);
    const mondayClose = istToEpochMs(2026, 3, 2, 15, 30);
    expect(timeToExpiryYears(calendar, 'NFO', '2026-03-03', friday, 'calendar')).toBe(
      (mondayClose - friday) / CALENDAR_YEAR_MS,
    );
    expect(
      timeToExpiryYears(calendar, 'NFO', '2026-03-03', friday, 'trading'),
      'Friday’s rest + Monday',
    ).toBeCloseTo((330 / 375 + 1) / 252, 15);
  });

  it('gives near-expiry IVs 0.424× apart on the two bases with 3 hours left (reference §2.4)', () => {
    const now = CLOSE - 3 * 3_600_000;
    const calendarT = timeToExpiryYears(calendar, 'NFO', EXPIRY, now, 'calendar');
    const tradingT = timeToExpiryYears(calendar, 'NFO', EXPIRY, now, 'trading');
    // The same premium means the same total variance σ²T, so σ scales as 1/√T.
    expect(Math.sqrt(calendarT / tradingT)).toBeCloseTo(0.424, 3);
  });
});

describe('ExpiryClock', () => {
  it('gives the same T as timeToExpiryYears at any time, on both bases, with its per-day cache', () => {
    const from = istToEpochMs(2026, 11, 20, 0, 0);
    const clocks = {
      calendar: new ExpiryClock(calendar, 'NFO', EXPIRY, 'calendar'),
      trading: new ExpiryClock(calendar, 'NFO', EXPIRY, 'trading'),
    };
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: CLOSE + 86_400_000 - from }), { minLength: 1, maxLength: 20 }),
        fc.constantFrom<'calendar' | 'trading'>('calendar', 'trading'),
        (offsets, basis) => {
          for (const offset of offsets) {
            const now = from + offset;
            expect(clocks[basis].yearsAt(now)).toBe(timeToExpiryYears(calendar, 'NFO', EXPIRY, now, basis));
          }
        },
      ),
      { numRuns: 200, seed: 3 },
    );
    expect(clocks.calendar.closeMs).toBe(CLOSE);
  });
});
