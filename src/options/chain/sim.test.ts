/**
 * The chain against the exchange simulator: the simulator prices every option by Black-76 on its own
 * SVI smile and quotes a book around that price, so a chain fed the simulator's packets must find the
 * simulator's forward and IVs back, up to what the book and the passage of time blur.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { SubscriptionMode } from '../../brokers/angelone/codec/index.js';
import { InstrumentStore, parseScripMaster } from '../../brokers/angelone/instruments/index.js';
import { createMarketCalendar } from '../../core/calendar/index.js';
import { istToEpochMs } from '../../core/time.js';
import { normalisePacket } from '../../feed/normalise/index.js';
import { buildPacket } from '../../sim/feed/index.js';
import { createMarketModel, type SimMarketModel } from '../../sim/market/index.js';
import { deltaSkew, sviTotalVariance } from '../smile/index.js';
import { ChainRegistry } from './registry.js';

const calendar = createMarketCalendar();
// Wednesday 25-Nov-2026, 10:00 IST: a normal session, four NIFTY weeklies and the December monthly listed.
const START = istToEpochMs(2026, 11, 25, 10, 0);
const MINUTES = 3;

describe('an OptionChain fed by the simulator', () => {
  let model: SimMarketModel;
  let registry: ChainRegistry;

  beforeAll(() => {
    model = createMarketModel({
      seed: 2026,
      startMs: START,
      calendar,
      underlyings: ['NIFTY'],
      expiriesPerUnderlying: 5,
    });
    const store = new InstrumentStore(parseScripMaster(model.scripMaster()).instruments);
    registry = ChainRegistry.fromInstruments(store, calendar, {
      underlyings: ['NIFTY'],
      expiries: 5,
      nowMs: START,
    });
    const feed = (token: string): void => {
      const state = model.state(token);
      const instrument = model.instrument(token);
      if (state === undefined || instrument === undefined) return;
      const mode = instrument.kind === 'index' ? SubscriptionMode.QUOTE : SubscriptionMode.SNAP_QUOTE;
      const packet = buildPacket(state, mode, token, instrument.exchangeType === 1 ? 1 : 2);
      for (const event of normalisePacket(packet, state.exchangeTimeMs)) registry.onEvent(event);
    };
    // The opening picture (every contract's first quote), then the ticks of a few minutes.
    for (const instrument of model.instruments) feed(instrument.token);
    for (let t = START + 250; t <= START + MINUTES * 60_000; t += 250) {
      for (const token of model.advanceTo(t)) feed(token);
    }
  });

  it('builds all five expiries, the monthly on its future and the weeklies on put–call parity', () => {
    const chains = registry.chains();
    expect(chains.map((c) => c.expiry)).toEqual(model.optionExpiries('NIFTY').slice(0, 5));
    for (const chain of chains) {
      const forward = (chain.forward()?.paise ?? 0) / 100;
      if (chain.expiry === '2026-12-29') {
        expect(chain.forward()?.source).toBe('future');
        // The future is liquid and quoted a tick or two wide around the simulator's forward.
        const now = model.smile('NIFTY', chain.expiry)?.forward ?? 0;
        expect(Math.abs(forward - now), 'future mid vs the simulator’s forward, points').toBeLessThan(1.5);
        continue;
      }
      expect(chain.forward()?.source, chain.expiry).toBe('parity');
      // Each option was quoted at its own last tick, on the forward of that instant (the simulator's
      // forward carries basis noise); parity must find the forward those near-the-money quotes encode.
      const quoted = chain
        .instruments()
        .map((i) => model.impliedVol(i.token))
        .filter((q) => q !== undefined && Math.abs(q.strike - forward) < 150)
        .map((q) => q?.forward ?? 0)
        .sort((a, b) => a - b);
      const median = quoted[quoted.length >> 1] ?? 0;
      expect(
        Math.abs(forward - median),
        `${chain.expiry} parity vs the quotes’ forward, points`,
      ).toBeLessThan(1);
    }
  });

  it('finds each contract’s IV within the book’s noise of the IV the simulator priced it at', () => {
    let compared = 0;
    const errors: number[] = [];
    for (const chain of registry.chains()) {
      const { rows, summary } = chain.snapshot();
      const forward = (summary.forward ?? 0) / 100;
      for (const row of rows) {
        for (const side of [row.call, row.put]) {
          const truth = side === undefined ? undefined : model.impliedVol(side.token);
          if (side === undefined || truth === undefined || side.ivMid === undefined) continue;
          const vegaRaw = (side.vega ?? 0) * 100;
          // Skip quotes at the tick floor and the far wings, where a paisa is a large part of the price,
          // and deep in the money, where the premium is nearly all intrinsic and the first-order bound
          // below does not hold (the smile is read from out-of-the-money options anyway).
          if (side.bid <= 10 || !(vegaRaw > 0.5) || Math.abs(side.delta ?? 1) > 0.85) continue;
          // The mid is within half a tick of the simulator's fair price (its book is built around it), so
          // within half the spread; the chain's forward and T differ from those of the quote's instant.
          const bookNoise = (side.ask - side.bid) / 2 / 100 / vegaRaw;
          const forwardNoise = (Math.abs(forward - truth.forward) * Math.abs(side.delta ?? 1)) / vegaRaw;
          const timeNoise =
            truth.impliedVol * Math.abs(Math.sqrt(truth.timeToExpiryYears / summary.timeYears) - 1);
          // 10% over the sum: the forward and time terms are linearisations.
          const bound = 1.1 * (bookNoise + forwardNoise + timeNoise);
          const error = Math.abs(side.ivMid - truth.impliedVol);
          expect(
            error,
            `${side.symbol}: chain ${side.ivMid} vs simulator ${truth.impliedVol}`,
          ).toBeLessThanOrEqual(bound);
          errors.push(error);
          compared++;
        }
      }
    }
    expect(compared, 'most OTM and near-the-money contracts of 5 × 41 strikes').toBeGreaterThan(200);
    errors.sort((a, b) => a - b);
    expect(errors[errors.length >> 1] ?? 1, 'median error, in vol (1e-3 = 0.1 vol point)').toBeLessThan(1e-3);
  });

  it('fits a smile whose ATM IV and 25Δ skew are the simulator’s, on the same calendar basis', () => {
    for (const chain of registry.chains()) {
      const { smile, timeYears } = chain.snapshot().summary;
      const truth = model.smile('NIFTY', chain.expiry);
      if (truth === undefined) throw new Error(`simulator has no smile for ${chain.expiry}`);
      expect(smile.atmIvSource, chain.expiry).toBe('svi');
      // The simulator's SVI is in total variance; its IVs are annualised on calendar time.
      const atm = Math.sqrt(sviTotalVariance(truth.svi, 0) / truth.timeToExpiryYears);
      expect(Math.abs((smile.atmIv ?? 0) - atm), `${chain.expiry} ATM IV`).toBeLessThan(2e-3);
      const skew = deltaSkew(truth.svi, truth.timeToExpiryYears, 0.25);
      expect(Math.abs((smile.rr25 ?? 0) - skew.riskReversal), `${chain.expiry} RR25`).toBeLessThan(4e-3);
      expect(smile.rr25 ?? 0, 'index put skew').toBeLessThan(0);
      expect(Math.abs(timeYears - truth.timeToExpiryYears), 'T within the 1 s time step').toBeLessThan(
        1_000 / (365 * 86_400_000) + 1e-15,
      );
    }
  });
});
