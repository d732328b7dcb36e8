import { describe, expect, it } from 'vitest';
import { row, side } from './fixtures.js';
import { RecentBuildUp } from './recentBuildUp.js';

const chainAt = (callLtp: number, callOi: number, putLtp: number, putOi: number) => [
  row(2_395_000, side('C1', 0.6), side('P1', -0.4)),
  row(2_400_000, side('C2', 0.5, { ltp: callLtp, oi: callOi }), side('P2', -0.5, { ltp: putLtp, oi: putOi })),
  row(2_405_000, side('C3', 0.4), side('P3', -0.6)),
];

describe('RecentBuildUp', () => {
  it('labels the ATM strike against the sample `lookback` evaluations back, once the window is full', () => {
    const recent = new RecentBuildUp(2);
    recent.record('NIFTY', 1_000, 2_400_000, chainAt(10_000, 1_000, 10_000, 1_000));
    recent.record('NIFTY', 2_000, 2_400_000, chainAt(10_500, 1_100, 9_500, 1_050));
    expect(recent.buildUp('NIFTY', 2_400_000), 'two samples of a 2-window').toBeUndefined();
    recent.record('NIFTY', 3_000, 2_400_000, chainAt(11_000, 1_300, 9_000, 900));
    expect(recent.buildUp('NIFTY', 2_400_000)).toEqual({ call: 'long-build-up', put: 'long-unwinding' });
    recent.record('NIFTY', 4_000, 2_400_000, chainAt(10_000, 1_400, 9_800, 950));
    expect(recent.buildUp('NIFTY', 2_400_000), 'the oldest sample slid out').toEqual({
      call: 'short-build-up',
      put: 'short-covering',
    });
  });

  it('ignores samples that go back in time and strikes it never saw', () => {
    const recent = new RecentBuildUp(1);
    recent.record('NIFTY', 2_000, 2_400_000, chainAt(10_000, 1_000, 10_000, 1_000));
    recent.record('NIFTY', 1_000, 2_400_000, chainAt(50_000, 9_000, 10_000, 1_000));
    expect(recent.buildUp('NIFTY', 2_400_000)).toBeUndefined();
    recent.record('NIFTY', 3_000, 2_400_000, chainAt(10_000, 1_000, 10_000, 1_000));
    expect(recent.buildUp('NIFTY', 2_400_000)).toEqual({ call: 'neutral', put: 'neutral' });
    expect(recent.buildUp('NIFTY', 9_999_900)).toBeUndefined();
    expect(() => new RecentBuildUp(0)).toThrow(RangeError);
  });
});
