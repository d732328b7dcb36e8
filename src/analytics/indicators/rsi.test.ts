import { describe, expect, it } from 'vitest';
import { flat } from './fixtures/series.js';
import { Rsi } from './rsi.js';

describe('Rsi', () => {
  it("follows Wilder's smoothing of gains and losses, hand-worked", () => {
    const rsi = new Rsi(2);
    expect(rsi.update(flat(0, 10)), 'no change yet').toBeUndefined();
    expect(rsi.update(flat(1, 12)), 'one change of two').toBeUndefined();
    // changes +2, −1: avg gain 1, avg loss 0.5, RS 2
    expect(rsi.update(flat(2, 11)), '100 − 100 / 3').toBeCloseTo(200 / 3, 12);
    // change +2: gain 1 + (2 − 1) / 2 = 1.5, loss 0.5 + (0 − 0.5) / 2 = 0.25, RS 6
    expect(rsi.update(flat(3, 13)), '100 − 100 / 7').toBeCloseTo(600 / 7, 12);
  });

  it('is 100 when nothing fell, including a flat series (as trading-signals and Pine)', () => {
    const up = new Rsi(3);
    const still = new Rsi(3);
    for (let i = 0; i < 6; i++) {
      up.update(flat(i, 100 + i));
      still.update(flat(i, 100));
    }
    expect(up.value, 'only gains').toBe(100);
    expect(still.value, 'no gains, no losses').toBe(100);
  });

  it('is 0 when nothing rose', () => {
    const down = new Rsi(3);
    for (let i = 0; i < 6; i++) down.update(flat(i, 100 - i));
    expect(down.value, 'only losses').toBe(0);
  });

  it('stays within 0..100 and shows a forming candle against the last closed close', () => {
    const rsi = new Rsi(2);
    for (const [i, c] of [10, 12, 11].entries()) rsi.update(flat(i, c));
    // forming change 11 → 15 = +4: gain 1 + (4 − 1) / 2 = 2.5, loss 0.25, RS 10
    expect(rsi.replace(flat(3, 15)), '100 − 100 / 11').toBeCloseTo(1000 / 11, 12);
    expect(rsi.replace(flat(3, 11)), 'no change: gain 0.5, loss 0.25, RS 2').toBeCloseTo(200 / 3, 12);
  });
});
