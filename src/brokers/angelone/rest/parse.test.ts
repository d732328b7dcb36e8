import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { istToEpochMs } from '../../../core/time.js';
import {
  formatIstMinute,
  paiseToRupeeString,
  parseIsoTime,
  parseIstDateTime,
  parseLooseNumber,
  rupeesToPaiseLoose,
} from './parse.js';

describe('broker number and time parsing', () => {
  it('reads Angel\'s numeric strings, including "- 2235.80" with a space after the sign', () => {
    expect(parseLooseNumber('- 2235.80')).toBe(-2235.8);
    expect(parseLooseNumber('2235.80')).toBe(2235.8);
    expect(parseLooseNumber('1,234.5'), 'thousands separators').toBe(1234.5);
    expect(parseLooseNumber(42)).toBe(42);
    expect(parseLooseNumber(''), 'empty is absent').toBeUndefined();
    expect(parseLooseNumber('abc'), 'garbage is absent').toBeUndefined();
    expect(parseLooseNumber(Number.NaN), 'NaN never travels inward').toBeUndefined();
    expect(parseLooseNumber('Infinity')).toBeUndefined();
  });

  it('converts rupees to integer paise without float noise', () => {
    expect(rupeesToPaiseLoose(101.05)).toBe(10105);
    expect(rupeesToPaiseLoose(-2235.8)).toBe(-223580);
    expect(rupeesToPaiseLoose(0.07)).toBe(7);
    expect(rupeesToPaiseLoose(undefined)).toBeUndefined();
  });

  it('paise → rupee string → paise round-trips for any integer amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (amount) => {
        expect(rupeesToPaiseLoose(parseLooseNumber(paiseToRupeeString(amount)))).toBe(amount);
      }),
    );
    expect(paiseToRupeeString(10105)).toBe('101.05');
    expect(paiseToRupeeString(5)).toBe('0.05');
    expect(paiseToRupeeString(-5)).toBe('-0.05');
  });

  it('formats candle request stamps in IST', () => {
    expect(formatIstMinute(istToEpochMs(2023, 9, 6, 11, 15))).toBe('2023-09-06 11:15');
    expect(formatIstMinute(istToEpochMs(2024, 1, 1, 0, 0)), 'IST midnight is not UTC midnight').toBe(
      '2024-01-01 00:00',
    );
  });

  it('parses quote and order-book stamps as IST', () => {
    expect(parseIstDateTime('21-Jun-2023 10:46:10')).toBe(istToEpochMs(2023, 6, 21, 10, 46, 10));
    expect(parseIstDateTime('20-Oct-2020 13:10:59')).toBe(istToEpochMs(2020, 10, 20, 13, 10, 59));
    expect(parseIstDateTime('31-Feb-2023 10:00:00'), 'impossible date').toBeUndefined();
    expect(parseIstDateTime('')).toBeUndefined();
  });

  it('parses candle timestamps with their offset', () => {
    expect(parseIsoTime('2023-09-06T11:15:00+05:30')).toBe(istToEpochMs(2023, 9, 6, 11, 15));
    expect(parseIsoTime('2023-09-06T11:15:00'), 'no offset means IST').toBe(istToEpochMs(2023, 9, 6, 11, 15));
    expect(parseIsoTime('yesterday')).toBeUndefined();
  });
});
