import { describe, expect, it } from 'vitest';
import { isIfError } from '../../core/errors.js';
import { istToEpochMs } from '../../core/time.js';
import { bucketEndMs, bucketStartMs, INTERVAL_MS, normaliseIntervals } from './intervals.js';

const OPEN = istToEpochMs(2026, 2, 2, 9, 15);
const CLOSE = istToEpochMs(2026, 2, 2, 15, 30);
const at = (h: number, m: number, s = 0): number => istToEpochMs(2026, 2, 2, h, m, s);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isIfError(error) ? error.code : 'not an IfError';
  }
  return undefined;
}

describe('bucket arithmetic', () => {
  it('lays buckets from the 09:15 open, not from midnight', () => {
    expect(bucketStartMs(at(9, 17, 59), OPEN, INTERVAL_MS['3m']), '09:17:59 is in 09:15–09:18').toBe(
      at(9, 15),
    );
    expect(bucketStartMs(at(9, 18), OPEN, INTERVAL_MS['3m']), '09:18 starts a 3m bucket').toBe(at(9, 18));
    expect(bucketStartMs(at(9, 29, 59), OPEN, INTERVAL_MS['15m']), '15m buckets: 09:15, 09:30').toBe(
      at(9, 15),
    );
    expect(bucketStartMs(at(9, 30), OPEN, INTERVAL_MS['15m'])).toBe(at(9, 30));
    // 09:15 sits on the midnight grid of all five intervals, so only an off-grid open tells the two apart.
    expect(bucketStartMs(at(9, 20), at(9, 7), INTERVAL_MS['5m']), 'aligned to the open given').toBe(
      at(9, 17),
    );
  });

  it('cuts the last bucket at the close', () => {
    const close1540 = at(15, 40);
    expect(bucketEndMs(at(15, 30), INTERVAL_MS['15m'], close1540), '15m: 15:30–15:40').toBe(close1540);
    expect(bucketEndMs(at(15, 15), INTERVAL_MS['15m'], CLOSE), 'a full bucket ends on the grid').toBe(CLOSE);
    expect(bucketEndMs(at(9, 15), INTERVAL_MS['15m'], CLOSE)).toBe(at(9, 30));
  });
});

describe('normaliseIntervals', () => {
  it('orders the set finest first whatever the configured order', () => {
    expect(normaliseIntervals(['15m', '1s', '3m'])).toEqual(['1s', '3m', '15m']);
  });

  it('rejects empty, unknown and repeated intervals with IF_ERR_VALIDATION', () => {
    expect(codeOf(() => normaliseIntervals([]))).toBe('IF_ERR_VALIDATION');
    expect(codeOf(() => normaliseIntervals(['2m']))).toBe('IF_ERR_VALIDATION');
    expect(codeOf(() => normaliseIntervals(['1m', '1m']))).toBe('IF_ERR_VALIDATION');
  });
});
