import { describe, expect, it } from 'vitest';
import type { QuoteView } from '../../risk/index.js';
import type { Signal } from '../../signals/types.js';
import { orderFromSignal, type SignalSizing } from './sizing.js';
import { NIFTY_CE, NIFTY_FUT, NIFTY_PE, T0 } from './testkit.js';

function signal(overrides: Partial<Signal> = {}): Signal {
  return {
    type: 'signal',
    id: `trend:NIFTY:${T0}`,
    strategy: 'trend',
    underlying: 'NIFTY',
    direction: 'long',
    structure: 'buy-premium',
    side: 'BUY',
    instrument: {
      token: NIFTY_CE.token,
      symbol: NIFTY_CE.symbol,
      kind: 'option',
      optionType: 'CE',
      delta: 0.5,
    },
    entryPaise: 10_000,
    stopPaise: 8_000,
    targetPaise: 12_000,
    score: 0.7,
    confidence: 0.6,
    createdAtMs: T0,
    validUntilMs: T0 + 60_000,
    contributions: [],
    status: 'active',
    ...overrides,
  };
}

const SIZING: SignalSizing = {
  lots: 4,
  maxPremiumPerTradePaise: 2_000_000,
  protectionPercent: 5,
  product: 'INTRADAY',
};

const QUOTE: QuoteView = { bidPaise: 9_995, askPaise: 10_005, ltpPaise: 10_000, receivedAtMs: T0 };

describe('orderFromSignal', () => {
  it('buys the call for a long signal, lots cut to the premium cap, at a protected limit', () => {
    const sized = orderFromSignal(signal(), NIFTY_CE, SIZING, QUOTE);
    if (!sized.ok) throw new Error(sized.reason);
    // limit: min(ask 100.05 + 5% → 105.05, entry 100 + 5% → 105.00) = 105.00; a lot costs ₹6,825
    expect(sized.request.pricing).toEqual({ type: 'LIMIT', limitPricePaise: 10_500 });
    expect(sized.lots, '₹20,000 cap / ₹6,825 a lot = 2 of the 4 configured').toBe(2);
    expect(sized.request).toMatchObject({
      side: 'BUY',
      quantity: 130,
      timeInForce: 'DAY',
      product: 'INTRADAY',
      strategy: 'trend',
      signalId: signal().id,
      idempotencyKey: `signal:${signal().id}`,
    });
    expect(sized.valuePaise).toBe(130 * 10_500);
  });

  it('takes the bracket from the signal: a stop-limit protected beyond the stop, and the target', () => {
    const sized = orderFromSignal(signal(), NIFTY_CE, SIZING, QUOTE);
    if (!sized.ok) throw new Error(sized.reason);
    // sell stop at ₹80: limit ₹80 − 5% = ₹76 on the tick
    expect(sized.request.bracket).toEqual({
      stopTriggerPaise: 8_000,
      stopLimitPaise: 7_600,
      targetPaise: 12_000,
    });
    const none = orderFromSignal(signal(), NIFTY_CE, { ...SIZING, bracket: false }, QUOTE);
    expect(none.ok && none.request.bracket, 'no bracket when configured off').toBeUndefined();
  });

  it('buys the put for a short option signal and refuses a signal naming the wrong type', () => {
    const put = signal({
      direction: 'short',
      instrument: { token: NIFTY_PE.token, symbol: NIFTY_PE.symbol, kind: 'option', optionType: 'PE' },
    });
    const sized = orderFromSignal(put, NIFTY_PE, SIZING, QUOTE);
    expect(sized.ok && sized.request.side, 'an option signal always buys').toBe('BUY');
    const wrong = orderFromSignal({ ...put, direction: 'long' }, NIFTY_PE, SIZING, QUOTE);
    expect(wrong.ok).toBe(false);
  });

  it('sells a future for a short signal, priced from the bid, with no premium cap', () => {
    const future = signal({
      direction: 'short',
      side: 'SELL',
      instrument: { token: NIFTY_FUT.token, symbol: NIFTY_FUT.symbol, kind: 'future' },
      entryPaise: 2_510_000,
      stopPaise: 2_530_000,
      targetPaise: 2_470_000,
    });
    const quote: QuoteView = { bidPaise: 2_509_950, askPaise: 2_510_050, receivedAtMs: T0 };
    const sized = orderFromSignal(future, NIFTY_FUT, { ...SIZING, lots: 1 }, quote);
    if (!sized.ok) throw new Error(sized.reason);
    expect(sized.request.side).toBe('SELL');
    expect(sized.request.quantity).toBe(65);
    // max(bid − 5% → 2,384,460, entry − 5% → 2,384,500): never sell below the entry's protection
    expect(sized.request.pricing).toEqual({ type: 'LIMIT', limitPricePaise: 2_384_500 });
    expect(sized.request.bracket).toMatchObject({ stopTriggerPaise: 2_530_000, targetPaise: 2_470_000 });
  });

  it('rests below a market that ran away instead of chasing it', () => {
    const sized = orderFromSignal(signal(), NIFTY_CE, SIZING, {
      askPaise: 12_000,
      bidPaise: 11_990,
      receivedAtMs: T0,
    });
    expect(sized.ok && sized.request.pricing).toEqual({ type: 'LIMIT', limitPricePaise: 10_500 });
  });

  it('refuses what it cannot size or price', () => {
    expect(
      orderFromSignal(signal(), NIFTY_CE, { ...SIZING, maxPremiumPerTradePaise: 500_000 }, QUOTE).ok,
      'a lot above the cap',
    ).toBe(false);
    expect(orderFromSignal(signal(), NIFTY_CE, SIZING, undefined).ok, 'no quote').toBe(false);
    expect(orderFromSignal(signal({ status: 'expired' }), NIFTY_CE, SIZING, QUOTE).ok, 'not active').toBe(
      false,
    );
    expect(orderFromSignal(signal(), NIFTY_PE, SIZING, QUOTE).ok, 'another instrument').toBe(false);
    expect(
      orderFromSignal(signal({ stopPaise: 12_500 }), NIFTY_CE, SIZING, QUOTE).ok,
      'stop above target',
    ).toBe(false);
    expect(orderFromSignal(signal(), NIFTY_CE, { ...SIZING, lots: 0 }, QUOTE).ok, 'no lots').toBe(false);
    expect(
      orderFromSignal(signal({ side: 'SELL' }), NIFTY_CE, SIZING, QUOTE).ok,
      'sell an option it should buy',
    ).toBe(false);
    const spread = signal({
      structure: 'sell-premium',
      side: 'SELL',
      direction: 'long',
      instrument: { token: NIFTY_PE.token, symbol: NIFTY_PE.symbol, kind: 'option', optionType: 'PE' },
      hedge: {
        instrument: { token: '43217', symbol: 'NIFTY27JAN2624500PE', kind: 'option' },
        entryPaise: 4_000,
      },
    });
    const refused = orderFromSignal(spread, NIFTY_PE, SIZING, QUOTE);
    expect(refused.ok, 'a credit spread never becomes a lone short option').toBe(false);
  });
});
