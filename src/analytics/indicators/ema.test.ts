import { describe, expect, it } from 'vitest';
import { Ema } from './ema.js';
import { flat } from './fixtures/series.js';

describe('Ema', () => {
  it('seeds with the first close and smooths with α = 2 / (period + 1), hand-worked', () => {
    const ema = new Ema(3); // α = 0.5
    expect(ema.update(flat(0, 10)), 'seed withheld while warming').toBeUndefined();
    expect(ema.update(flat(1, 20)), 'EMA 15 withheld while warming').toBeUndefined();
    expect(ema.update(flat(2, 30)), '0.5 × 30 + 0.5 × 15').toBe(22.5);
    expect(ema.update(flat(3, 40)), '0.5 × 40 + 0.5 × 22.5').toBe(31.25);
  });

  it('evaluates a forming candle against the committed EMA, however often it is revised', () => {
    const ema = new Ema(3);
    for (const [i, c] of [10, 20, 30].entries()) ema.update(flat(i, c));
    expect(ema.replace(flat(3, 0)), '0.5 × 0 + 0.5 × 22.5').toBe(11.25);
    expect(ema.replace(flat(3, 100)), '0.5 × 100 + 0.5 × 22.5, not on top of 11.25').toBe(61.25);
    expect(ema.update(flat(3, 40)), 'the close supersedes the forming candle').toBe(31.25);
    expect(ema.replace(flat(4, 40)), 'next bucket forms on 31.25').toBe(35.625);
  });

  it('counts a forming candle towards the warm-up but not as committed', () => {
    const ema = new Ema(2);
    ema.update(flat(0, 10));
    expect(ema.replace(flat(1, 20)), 'α = 2/3: 20 × 2/3 + 10 / 3').toBeCloseTo(50 / 3, 12);
    expect(ema.count, 'one closed candle').toBe(1);
  });
});
