/**
 * Test support for the simulator's REST and order-feed tests: a small, fixed market (an index, a future,
 * an option pair and a cash stock) behind the MarketModel interface, an account with a real TOTP secret,
 * and helpers to log in. Not used by production code.
 */
import { generateTotp } from '../../brokers/angelone/auth/index.js';
import type { Clock } from '../../core/clock.js';
import { EXCHANGE_TYPE_BY_SEGMENT, type Instrument } from '../../core/instrument.js';
import { istParts, istToEpochMs } from '../../core/time.js';
import type { SimAccount } from '../auth/sessions.js';
import type { BookLevel, InstrumentMarketState, MarketModel, ScripMasterRow } from '../market/index.js';

/** Wednesday 2026-11-25 10:30 IST: a trading day (the day after the Gurpurb holiday), market open. */
export const MARKET_OPEN_MS = istToEpochMs(2026, 11, 25, 10, 30);

export const TEST_ACCOUNT: SimAccount = {
  clientCode: 'S1234567',
  pin: '1234',
  // 20 random bytes in base32, as Angel's "enable TOTP" page hands out
  totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  apiKey: 'simKey01',
};

export const OTHER_ACCOUNT: SimAccount = {
  clientCode: 'S7654321',
  pin: '4321',
  totpSecret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
  apiKey: 'simKey02',
};

export function totpNow(account: SimAccount, clock: Clock): string {
  return generateTotp(account.totpSecret, clock.now());
}

function instrument(
  token: string,
  symbol: string,
  name: string,
  exchange: Instrument['exchange'],
  kind: Instrument['kind'],
  instrumentType: string,
  extra: Partial<Instrument> = {},
): Instrument {
  return {
    token,
    symbol,
    name,
    exchange,
    exchangeType: EXCHANGE_TYPE_BY_SEGMENT[exchange],
    kind,
    instrumentType,
    lotSize: 1,
    tickSizePaise: 5,
    ...extra,
  };
}

export const NIFTY_INDEX = instrument('99926000', 'Nifty 50', 'NIFTY', 'NSE', 'index', 'AMXIDX', {
  tickSizePaise: 1,
});
export const NIFTY_FUT = instrument('52001', 'NIFTY29DEC26FUT', 'NIFTY', 'NFO', 'future', 'FUTIDX', {
  expiry: '2026-12-29',
  lotSize: 65,
});
export const NIFTY_CE = instrument('52101', 'NIFTY01DEC2626000CE', 'NIFTY', 'NFO', 'option', 'OPTIDX', {
  expiry: '2026-12-01',
  strikePaise: 2_600_000,
  optionType: 'CE',
  lotSize: 65,
});
export const NIFTY_PE = instrument('52102', 'NIFTY01DEC2626000PE', 'NIFTY', 'NFO', 'option', 'OPTIDX', {
  expiry: '2026-12-01',
  strikePaise: 2_600_000,
  optionType: 'PE',
  lotSize: 65,
});
export const SBIN = instrument('3045', 'SBIN-EQ', 'SBIN', 'NSE', 'equity', '');

function book(mid: number, tick: number, side: 1 | -1, levels: number): BookLevel[] {
  return Array.from({ length: levels }, (_, i) => ({
    price: mid + side * tick * (i + 1),
    quantity: 650 * (i + 1),
    orders: 3 + i,
  }));
}

function state(inst: Instrument, ltp: number, nowMs: number, openInterest: number): InstrumentMarketState {
  const tradable = inst.kind !== 'index';
  const tick = inst.tickSizePaise;
  return {
    token: inst.token,
    exchangeType: inst.exchangeType,
    sequenceNumber: 1,
    exchangeTimeMs: nowMs,
    lastTradedPrice: ltp,
    lastTradedQuantity: tradable ? inst.lotSize : 0,
    lastTradedTimeMs: nowMs - 1000,
    averageTradedPrice: tradable ? ltp - tick : 0,
    volume: tradable ? 123_450 : 0,
    totalBuyQuantity: tradable ? 50_000 : 0,
    totalSellQuantity: tradable ? 45_000 : 0,
    open: ltp - 20 * tick,
    high: ltp + 40 * tick,
    low: ltp - 60 * tick,
    close: ltp - 30 * tick,
    openInterest,
    openInterestChangePercent: openInterest > 0 ? 5 : 0,
    bids: tradable ? book(ltp, tick, -1, 5) : [],
    asks: tradable ? book(ltp, tick, 1, 5) : [],
    bids20: tradable ? book(ltp, tick, -1, 20) : [],
    asks20: tradable ? book(ltp, tick, 1, 20) : [],
    upperCircuit: Math.round(ltp * 1.2),
    lowerCircuit: Math.round(ltp * 0.8),
    fiftyTwoWeekHigh: Math.round(ltp * 1.3),
    fiftyTwoWeekLow: Math.round(ltp * 0.7),
  };
}

function masterRow(inst: Instrument): ScripMasterRow {
  const expiry = inst.expiry?.replace(/^(\d{4})-(\d{2})-(\d{2})$/, (_, y: string, m: string, d: string) => {
    const months = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
    return `${d}${months[Number(m) - 1]}${y}`;
  });
  return {
    token: inst.token,
    symbol: inst.symbol,
    name: inst.name,
    expiry: expiry ?? '',
    strike: `${(inst.strikePaise ?? -1).toFixed(6)}`,
    lotsize: String(inst.lotSize),
    instrumenttype: inst.instrumentType,
    exch_seg: inst.exchange,
    tick_size: `${inst.tickSizePaise.toFixed(6)}`,
  };
}

/** A fixed market: prices stand still unless a test moves them with `setLtp`. */
export class FakeMarket implements MarketModel {
  readonly instruments: readonly Instrument[] = [NIFTY_INDEX, NIFTY_FUT, NIFTY_CE, NIFTY_PE, SBIN];
  private readonly states = new Map<string, InstrumentMarketState>();
  scripMasterCalls = 0;

  constructor(private readonly clock: Clock) {
    const now = clock.now();
    this.states.set(NIFTY_INDEX.token, state(NIFTY_INDEX, 2_601_230, now, 0));
    this.states.set(NIFTY_FUT.token, state(NIFTY_FUT, 2_615_000, now, 1_300_000));
    this.states.set(NIFTY_CE.token, state(NIFTY_CE, 14_560, now, 6_500_000));
    this.states.set(NIFTY_PE.token, state(NIFTY_PE, 12_345, now, 7_800_000));
    this.states.set(SBIN.token, state(SBIN, 81_225, now, 0));
  }

  scripMaster(): ScripMasterRow[] {
    this.scripMasterCalls += 1;
    return this.instruments.map(masterRow);
  }

  instrument(token: string): Instrument | undefined {
    return this.instruments.find((i) => i.token === token);
  }

  resolveToken(token: string): string | undefined {
    if (token === '26000') return NIFTY_INDEX.token;
    return this.instrument(token)?.token;
  }

  state(token: string): InstrumentMarketState | undefined {
    return this.states.get(token);
  }

  advanceTo(_nowMs: number): string[] {
    return [];
  }

  isMarketOpen(nowMs: number): boolean {
    const p = istParts(nowMs);
    return p.weekday >= 1 && p.weekday <= 5 && p.minuteOfDay >= 555 && p.minuteOfDay < 930;
  }

  recordTrade(token: string, pricePaise: number, quantity: number, nowMs: number): void {
    const s = this.states.get(token);
    if (s === undefined) return;
    s.lastTradedPrice = pricePaise;
    s.lastTradedQuantity = quantity;
    s.lastTradedTimeMs = nowMs;
    s.volume += quantity;
  }

  /** Moves an instrument's last price (paise) and re-centres its book around it. */
  setLtp(token: string, pricePaise: number): void {
    const s = this.states.get(token);
    const inst = this.instrument(token);
    if (s === undefined || inst === undefined) return;
    this.states.set(token, {
      ...state(inst, pricePaise, this.clock.now(), s.openInterest),
      sequenceNumber: s.sequenceNumber + 1,
    });
  }
}
