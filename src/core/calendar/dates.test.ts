import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { istDateKey, istToEpochMs } from '../time.js';
import {
  civilFromDays,
  dateKeyFromDays,
  daysFromCivil,
  daysFromDateKey,
  daysInMonth,
  istDayNumber,
  istEpochMsOfDay,
  weekdayOfDays,
} from './dates.js';

const DAY_MS = 86_400_000;

describe('day-number arithmetic', () => {
  it('property: day numbers round-trip and agree with Date.UTC and getUTCDay', () => {
    fc.assert(
      fc.property(fc.integer({ min: -200_000, max: 200_000 }), (days) => {
        const civil = civilFromDays(days);
        expect(daysFromCivil(civil.year, civil.month, civil.day), 'civil → days round trip').toBe(days);
        const reference = new Date(days * DAY_MS);
        expect(civil, 'matches the JS calendar').toEqual({
          year: reference.getUTCFullYear(),
          month: reference.getUTCMonth() + 1,
          day: reference.getUTCDate(),
        });
        expect(weekdayOfDays(days), 'weekday matches getUTCDay').toBe(reference.getUTCDay());
        expect(daysFromDateKey(dateKeyFromDays(days)), 'date key round trip').toBe(days);
      }),
    );
  });

  it('knows leap years', () => {
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2026, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
    expect(daysInMonth(2100, 2)).toBe(28);
  });

  it('property: IST day numbers and wall-clock minutes agree with core/time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }), (ms) => {
        expect(dateKeyFromDays(istDayNumber(ms)), 'same IST date as istDateKey').toBe(istDateKey(ms));
      }),
    );
    expect(istEpochMsOfDay(daysFromDateKey('2026-03-02'), 9 * 60 + 15)).toBe(istToEpochMs(2026, 3, 2, 9, 15));
  });
});
