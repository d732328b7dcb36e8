import type { ChainRowSnapshot, ChainSideSnapshot } from '../options/index.js';
import type { FeatureSnapshot } from './types.js';

/** A fresh NIFTY feature snapshot for tests; override what a test is about. */
export function features(over: Partial<FeatureSnapshot> = {}): FeatureSnapshot {
  return {
    underlying: 'NIFTY',
    underlyingToken: '26000',
    timeMs: 1_700_000_000_000,
    spotPaise: 2_400_000,
    atrPaise: 4_000,
    quality: { '26000': 'fresh', CE1: 'fresh', PE1: 'fresh', CE2: 'fresh', FUT: 'fresh' },
    indicators: {},
    orderFlow: undefined,
    chain: undefined,
    ...over,
  };
}

/** One chain side with liquid defaults. */
export function side(token: string, delta: number, over: Partial<ChainSideSnapshot> = {}): ChainSideSnapshot {
  return {
    token,
    symbol: `SYM${token}`,
    ltp: 10_000,
    bid: 9_990,
    ask: 10_000,
    volume: 5_000,
    oi: 20_000,
    oiChange: 0,
    delta,
    bidQty: 650,
    askQty: 650,
    exchangeTimeMs: 1,
    version: 1,
    ...over,
  };
}

export function row(strike: number, call?: ChainSideSnapshot, put?: ChainSideSnapshot): ChainRowSnapshot {
  return { strike, version: 1, ...(call ? { call } : {}), ...(put ? { put } : {}) };
}
