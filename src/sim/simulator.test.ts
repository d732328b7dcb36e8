import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../core/clock.js';
import { istToEpochMs } from '../core/time.js';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from './simulator.js';

/** Tuesday 2026-03-10, 10:00 IST: inside the session. */
const START = istToEpochMs(2026, 3, 10, 10, 0, 0);

describe('simulator tick-rate knobs (activity, marketStepMs)', () => {
  const running: RunningSimulator[] = [];
  afterEach(async () => {
    for (const sim of running.splice(0)) await sim.close();
  });

  /** Frames the simulator would send over 30 simulated seconds, stepped every 100 ms as its loop does. */
  async function framesIn30s(options: SimulatorOptions): Promise<number> {
    const clock = new SimulatedClock(START);
    const sim = await startSimulator({ ...options, clock, seed: 7, underlyings: ['NIFTY'] });
    running.push(sim);
    let frames = 0;
    for (let i = 0; i < 300; i++) {
      clock.advanceBy(100);
      frames += sim.step();
    }
    return frames;
  }

  it('activity multiplies how many contracts tick, and a shorter market step lifts the per-contract cap', async () => {
    const base = await framesIn30s({});
    const busy = await framesIn30s({ activity: 25 });
    const busyFineSteps = await framesIn30s({ activity: 25, marketStepMs: 100 });
    expect(busy, 'activity 25 ticks far more contracts than activity 1').toBeGreaterThan(base * 4);
    expect(busyFineSteps, 'with 100 ms steps the busy contracts may tick twice as often').toBeGreaterThan(
      busy * 1.2,
    );
  });

  it('the defaults are unchanged: activity 1 and 200 ms steps give the same market as not saying', async () => {
    expect(await framesIn30s({ activity: 1, marketStepMs: 200 }), 'explicit defaults').toBe(
      await framesIn30s({}),
    );
  });
});
