import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIfError } from '../errors.js';
import { istToEpochMs } from '../time.js';
import {
  createMarketCalendar,
  dateKeyFromDays,
  daysFromDateKey,
  EXCHANGE_HOLIDAYS,
  weekdayOfDays,
} from './index.js';

const cal = createMarketCalendar();

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isIfError(error) ? error.code : 'not an IfError';
  }
  return undefined;
}

describe('holiday data', () => {
  it('lists only weekdays, so every entry really closes a session', () => {
    for (const exchange of ['NSE', 'BSE'] as const) {
      for (const entries of Object.values(EXCHANGE_HOLIDAYS[exchange])) {
        for (const entry of entries) {
          const weekday = weekdayOfDays(daysFromDateKey(entry.date));
          expect(weekday, `${exchange} ${entry.date} ${entry.description} is a weekday`).toBeGreaterThan(0);
          expect(weekday, `${exchange} ${entry.date} ${entry.description} is a weekday`).toBeLessThan(6);
        }
      }
    }
  });

  it('holds the 16 NSE 2026 weekday holidays of the reference list', () => {
    expect(cal.holidays('NSE', 2026).map((h) => h.date)).toEqual([
      '2026-01-15',
      '2026-01-26',
      '2026-03-03',
      '2026-03-26',
      '2026-03-31',
      '2026-04-03',
      '2026-04-14',
      '2026-05-01',
      '2026-05-28',
      '2026-06-26',
      '2026-09-14',
      '2026-10-02',
      '2026-10-20',
      '2026-11-10',
      '2026-11-24',
      '2026-12-25',
    ]);
    expect(cal.hasHolidayData('NSE', 2025), '2025 is covered').toBe(true);
    expect(cal.hasHolidayData('NSE', 2027), '2027 is not covered yet').toBe(false);
  });
});

describe('trading days', () => {
  it('closes weekends and holidays and opens ordinary weekdays', () => {
    expect(cal.isTradingDay('NSE', '2026-03-02'), 'Monday 2-Mar-2026').toBe(true);
    expect(cal.isTradingDay('NSE', '2026-03-03'), 'Holi 3-Mar-2026').toBe(false);
    expect(cal.isTradingDay('NFO', '2026-03-03'), 'NFO follows the NSE list').toBe(false);
    expect(cal.isTradingDay('BFO', '2026-05-28'), 'Bakri Id on BSE').toBe(false);
    expect(cal.isTradingDay('NSE', '2026-03-07'), 'Saturday').toBe(false);
    expect(cal.isTradingDay('NSE', '2026-03-08'), 'Sunday').toBe(false);
  });

  it('steps to the previous and next trading day across holidays and weekends', () => {
    expect(cal.previousTradingDay('NSE', '2026-03-04')).toBe('2026-03-02');
    expect(cal.nextTradingDay('NSE', '2026-03-02')).toBe('2026-03-04');
    expect(cal.nextTradingDay('NSE', '2026-03-27'), 'Friday to Monday').toBe('2026-03-30');
    expect(cal.previousTradingDay('NSE', '2026-04-06'), 'over Good Friday 3-Apr').toBe('2026-04-02');
    expect(cal.nextTradingDay('BSE', '2026-12-31'), 'over the year end').toBe('2027-01-01');
  });

  it('rejects malformed or impossible date keys with IF_ERR_VALIDATION', () => {
    expect(codeOf(() => cal.isTradingDay('NSE', '2026-2-3'))).toBe('IF_ERR_VALIDATION');
    expect(codeOf(() => cal.isTradingDay('NSE', '2026-02-30'))).toBe('IF_ERR_VALIDATION');
    expect(codeOf(() => cal.isTradingDay('NSE', '20260203'))).toBe('IF_ERR_VALIDATION');
  });
});

describe('sessions', () => {
  it('runs the normal market 09:15–15:30 IST on trading days only', () => {
    expect(cal.sessionBounds('NSE', '2026-03-02')).toEqual({
      openMs: istToEpochMs(2026, 3, 2, 9, 15),
      closeMs: istToEpochMs(2026, 3, 2, 15, 30),
    });
    expect(cal.sessionBounds('NSE', '2026-03-03'), 'holiday has no session').toBeUndefined();
    const open = istToEpochMs(2026, 3, 2, 9, 15);
    const close = istToEpochMs(2026, 3, 2, 15, 30);
    expect(cal.isMarketOpen('NFO', open - 1), 'one ms before the open').toBe(false);
    expect(cal.isMarketOpen('NFO', open), 'at the open').toBe(true);
    expect(cal.isMarketOpen('NFO', close - 1), 'one ms before the close').toBe(true);
    expect(cal.isMarketOpen('NFO', close), 'at the close').toBe(false);
    expect(cal.isMarketOpen('NFO', istToEpochMs(2026, 3, 3, 11, 0)), 'holiday mid-morning').toBe(false);
  });

  it('keeps the Aug-2026 15:40 F&O close off by default and NFO-only when switched on', () => {
    const extended = createMarketCalendar({ extendedFnoClose: true });
    const at1535 = istToEpochMs(2026, 8, 3, 15, 35);
    expect(cal.isMarketOpen('NFO', at1535), 'default calendar closes NFO at 15:30').toBe(false);
    expect(extended.isMarketOpen('NFO', at1535), 'extended close keeps NFO open at 15:35').toBe(true);
    expect(extended.isMarketOpen('NSE', at1535), 'cash market still closes at 15:30').toBe(false);
    expect(extended.isMarketOpen('BFO', at1535), 'BSE has no announced extension').toBe(false);
    expect(
      extended.isMarketOpen('NFO', istToEpochMs(2026, 7, 31, 15, 35)),
      'the extension starts on 3-Aug-2026',
    ).toBe(false);
    expect(extended.expiryCloseMs('NFO', '2026-08-04')).toBe(istToEpochMs(2026, 8, 4, 15, 40));
  });

  it('finds the next open across nights, weekends and holidays', () => {
    expect(cal.nextOpenMs('NSE', istToEpochMs(2026, 3, 2, 16, 0)), 'Monday evening to Wednesday').toBe(
      istToEpochMs(2026, 3, 4, 9, 15),
    );
    const inSession = istToEpochMs(2026, 3, 4, 10, 0);
    expect(cal.nextOpenMs('NSE', inSession), 'already open').toBe(inSession);
  });
});

describe('expiries', () => {
  it('moves 2026 NIFTY Tuesday expiries on holidays to the Monday before (reference §5.2)', () => {
    expect(cal.listExpiries('NIFTY', '2026-03-01', 6)).toEqual([
      '2026-03-02',
      '2026-03-10',
      '2026-03-17',
      '2026-03-24',
      '2026-03-30',
      '2026-04-07',
    ]);
    const pairs: [string, string][] = [
      ['2026-04-14', '2026-04-13'],
      ['2026-10-20', '2026-10-19'],
      ['2026-11-10', '2026-11-09'],
      ['2026-11-24', '2026-11-23'],
    ];
    for (const [holiday, expected] of pairs) {
      const from = dateKeyFromDays(daysFromDateKey(holiday) - 2);
      expect(cal.listExpiries('NIFTY', from, 1)[0], `NIFTY expiry of the week of ${holiday}`).toBe(expected);
    }
  });

  it('moves the March and November 2026 monthlies to 30-Mar and 23-Nov', () => {
    expect(cal.listMonthlyExpiries('BANKNIFTY', '2026-03-01', 1)).toEqual(['2026-03-30']);
    expect(cal.listMonthlyExpiries('NIFTY', '2026-11-01', 1)).toEqual(['2026-11-23']);
    expect(cal.isMonthlyExpiry('NIFTY', '2026-03-30'), '30-Mar is the March monthly').toBe(true);
    expect(cal.isMonthlyExpiry('NIFTY', '2026-03-24'), '24-Mar is only a weekly').toBe(false);
  });

  it('gives monthly-only underlyings one expiry per month on the last Tuesday', () => {
    expect(cal.listExpiries('MIDCPNIFTY', '2025-10-01', 5)).toEqual([
      '2025-10-28',
      '2025-11-25',
      '2025-12-30',
      '2026-01-27',
      '2026-02-24',
    ]);
    expect(cal.listExpiries('FINNIFTY', '2026-03-01', 1)).toEqual(['2026-03-30']);
  });

  it('moves 2026 SENSEX Thursday expiries on BSE holidays to the Wednesday before', () => {
    expect(cal.listExpiries('SENSEX', '2026-01-12', 1), '15-Jan special closure').toEqual(['2026-01-14']);
    expect(cal.listMonthlyExpiries('SENSEX', '2026-03-01', 1), 'Ram Navami March monthly').toEqual([
      '2026-03-25',
    ]);
    expect(cal.listMonthlyExpiries('SENSEX', '2026-05-01', 1), 'Bakri Id May monthly').toEqual([
      '2026-05-27',
    ]);
  });

  it('switches NSE from Thursday to Tuesday and SENSEX from Tuesday to Thursday on 1-Sep-2025', () => {
    expect(cal.listExpiries('NIFTY', '2025-08-20', 4)).toEqual([
      '2025-08-21',
      '2025-08-28',
      '2025-09-02',
      '2025-09-09',
    ]);
    expect(cal.listExpiries('SENSEX', '2025-08-20', 3)).toEqual(['2025-08-26', '2025-09-04', '2025-09-11']);
    expect(cal.listMonthlyExpiries('BANKNIFTY', '2025-08-01', 2)).toEqual(['2025-08-28', '2025-09-30']);
    expect(cal.listExpiries('SENSEX', '2025-09-29', 1), 'Gandhi Jayanti Thursday').toEqual(['2025-10-01']);
    expect(cal.listExpiries('NIFTY', '2025-10-19', 1), 'Diwali Tuesday 21-Oct-2025').toEqual(['2025-10-20']);
  });

  it('includes an expiry that falls on the from date itself, and excludes one adjusted before it', () => {
    expect(cal.listExpiries('NIFTY', '2026-03-02', 1)).toEqual(['2026-03-02']);
    expect(cal.listExpiries('NIFTY', '2026-03-03', 1), '3-Mar expired on 2-Mar already').toEqual([
      '2026-03-10',
    ]);
  });

  it('closes an expiry at the session close, and a listed date that became a holiday at the day before', () => {
    expect(cal.expiryCloseMs('NFO', '2026-03-30')).toBe(istToEpochMs(2026, 3, 30, 15, 30));
    expect(cal.expiryCloseMs('NFO', '2026-03-31'), 'holiday resolves to 30-Mar').toBe(
      istToEpochMs(2026, 3, 30, 15, 30),
    );
  });

  it('rejects unknown underlyings, dates before the rules and bad counts', () => {
    expect(codeOf(() => cal.listExpiries('CRUDEOIL', '2026-03-01', 1))).toBe('IF_ERR_NOT_FOUND');
    expect(codeOf(() => cal.listExpiries('NIFTY', '2024-06-01', 1))).toBe('IF_ERR_VALIDATION');
    expect(codeOf(() => cal.listExpiries('NIFTY', '2026-03-01', -1))).toBe('IF_ERR_VALIDATION');
  });

  it('property: expiries are ascending trading days on the rule weekday or pulled back over closed days', () => {
    const start = daysFromDateKey('2025-09-01');
    const end = daysFromDateKey('2026-11-30');
    fc.assert(
      fc.property(
        fc.integer({ min: start, max: end }),
        fc.constantFrom('NIFTY', 'BANKNIFTY', 'SENSEX'),
        (fromDay, underlying) => {
          const weekday = underlying === 'SENSEX' ? 4 : 2;
          const segment = underlying === 'SENSEX' ? 'BFO' : 'NFO';
          const list = cal.listExpiries(underlying, dateKeyFromDays(fromDay), 5);
          expect(list).toHaveLength(5);
          let previous = fromDay - 1;
          for (const key of list) {
            const day = daysFromDateKey(key);
            expect(day, 'ascending and not before the from date').toBeGreaterThan(previous);
            expect(cal.isTradingDay(segment, key), `${key} is a trading day`).toBe(true);
            let scheduled = day;
            while (weekdayOfDays(scheduled) !== weekday) scheduled++;
            for (let d = day + 1; d <= scheduled; d++) {
              expect(
                cal.isTradingDay(segment, dateKeyFromDays(d)),
                `${key} was pulled back over a closed day`,
              ).toBe(false);
            }
            previous = day;
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('runtime overrides', () => {
  it('adds and removes holidays on one calendar only, moving expiries accordingly', () => {
    const local = createMarketCalendar();
    local.addHoliday('NSE', '2026-12-29', 'test closure');
    expect(local.isTradingDay('NFO', '2026-12-29'), 'NFO closes with NSE').toBe(false);
    expect(local.listMonthlyExpiries('NIFTY', '2026-12-01', 1), 'December monthly moves back').toEqual([
      '2026-12-28',
    ]);
    local.removeHoliday('NSE', '2026-03-03');
    expect(local.listExpiries('NIFTY', '2026-03-01', 1), 'Holi reopened').toEqual(['2026-03-03']);
    expect(cal.listExpiries('NIFTY', '2026-03-01', 1), 'the shared calendar is untouched').toEqual([
      '2026-03-02',
    ]);
    expect(
      local.holidays('NSE', 2026).some((h) => h.date === '2026-12-29' && h.description === 'test closure'),
    ).toBe(true);
  });
});
