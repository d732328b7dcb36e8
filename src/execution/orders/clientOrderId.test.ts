import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_ORDER_ID_LENGTH,
  clientOrderIdDay,
  isClientOrderId,
  lastIssuedCounter,
  nextClientOrderId,
  parseClientOrderId,
  startClientOrderIds,
} from './clientOrderId.js';

// 2026-01-20 23:59 IST is still the 20th in India although it is the 20th 18:29 UTC
const LATE_EVENING_IST = Date.UTC(2026, 0, 20, 18, 29);
const AFTER_MIDNIGHT_IST = Date.UTC(2026, 0, 20, 18, 31);

describe('client order ids (Angel ordertag)', () => {
  it('are 15 upper-case alphanumerics: prefix, IST date, base-36 counter', () => {
    const { id } = nextClientOrderId(startClientOrderIds('IF', LATE_EVENING_IST));
    expect(id).toBe('IF2601200000001');
    expect(id).toHaveLength(CLIENT_ORDER_ID_LENGTH);
    expect(id, 'fits ordertag: under 20 chars, letters and digits only').toMatch(/^[A-Z0-9]{1,19}$/);
  });

  it('take the date in IST, not UTC', () => {
    expect(clientOrderIdDay(LATE_EVENING_IST)).toBe('260120');
    expect(clientOrderIdDay(AFTER_MIDNIGHT_IST)).toBe('260121');
  });

  it('are deterministic: the same start gives the same ids', () => {
    const issue = () => {
      // resuming after counter 35 (Z in base 36): the next is 36, written 10
      let seq = startClientOrderIds('AB', LATE_EVENING_IST, 35);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = nextClientOrderId(seq);
        ids.push(r.id);
        seq = r.next;
      }
      return ids;
    };
    expect(issue()).toEqual(issue());
    expect(issue()).toEqual(['AB2601200000010', 'AB2601200000011', 'AB2601200000012']);
  });

  it('resume after a restart from the stored maximum without reissuing an id', () => {
    let seq = startClientOrderIds('IF', LATE_EVENING_IST);
    const issued: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = nextClientOrderId(seq);
      issued.push(r.id);
      seq = r.next;
    }
    // the process dies; on restart only the stored intents remain (plus other days' and prefixes' ids)
    const stored = [...issued, 'IF2601190000ZZZ', 'XY2601200009999', 'garbage'];
    const resumed = startClientOrderIds('IF', LATE_EVENING_IST, lastIssuedCounter(stored, 'IF', '260120'));
    const after = nextClientOrderId(resumed).id;
    expect(issued).not.toContain(after);
    expect(parseClientOrderId(after)?.counter).toBe(41);
  });

  it('round-trip through parse for any prefix and counter (property)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z]{1,4}$/),
        fc.integer({ min: 0, max: 36 ** 5 - 2 }),
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2099, 0, 1) }),
        (prefix, last, now) => {
          const seq = startClientOrderIds(prefix, now, last);
          const { id } = nextClientOrderId(seq);
          expect(id).toHaveLength(15);
          expect(isClientOrderId(id)).toBe(true);
          expect(parseClientOrderId(id)).toEqual({ prefix, day: seq.day, counter: last + 1 });
        },
      ),
    );
  });

  it('refuse bad prefixes and an exhausted counter instead of emitting a longer tag', () => {
    expect(() => startClientOrderIds('if', 0)).toThrow(RangeError);
    expect(() => startClientOrderIds('ABCDE', 0)).toThrow(RangeError);
    expect(() => startClientOrderIds('I1', 0)).toThrow(RangeError);
    const full = startClientOrderIds('ABCD', 0, 36 ** 5 - 1);
    expect(() => nextClientOrderId(full)).toThrow(RangeError);
  });

  it('do not recognise foreign tags', () => {
    for (const text of ['if2601200000001', 'IF260120000001', 'IF-601200000001', '123456789012345']) {
      expect(isClientOrderId(text), text).toBe(false);
    }
  });
});
