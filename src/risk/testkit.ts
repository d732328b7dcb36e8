import { paise } from '../core/money.js';
import type { OrderInstrument } from '../execution/orders/index.js';
import { createRiskState } from './engine.js';
import { DEFAULT_RISK_LIMITS } from './limits.js';
import type { RiskOpenOrder, RiskPosition, RiskContext, RiskLimits, RiskOrder, RiskState } from './types.js';

/** Test fixtures for risk tests (not exported from the folder's index). */

/** 2026-01-20 10:00 IST */
export const T0 = Date.UTC(2026, 0, 20, 4, 30);

export const NIFTY_CE: OrderInstrument = {
  token: '43215',
  symbol: 'NIFTY27JAN2625000CE',
  exchange: 'NFO',
  underlying: 'NIFTY',
  kind: 'option',
  lotSize: 65,
  tickSizePaise: 5,
  expiry: '2026-01-27',
};

export const NIFTY_PE: OrderInstrument = { ...NIFTY_CE, token: '43216', symbol: 'NIFTY27JAN2625000PE' };

export const BANKNIFTY_CE: OrderInstrument = {
  token: '51000',
  symbol: 'BANKNIFTY27JAN2658000CE',
  exchange: 'NFO',
  underlying: 'BANKNIFTY',
  kind: 'option',
  lotSize: 30,
  tickSizePaise: 5,
  expiry: '2026-01-27',
};

export const SENSEX_CE: OrderInstrument = {
  token: '80000',
  symbol: 'SENSEX22JAN2682000CE',
  exchange: 'BFO',
  underlying: 'SENSEX',
  kind: 'option',
  lotSize: 20,
  tickSizePaise: 5,
  expiry: '2026-01-22',
};

export const LIMITS: RiskLimits = DEFAULT_RISK_LIMITS;

/** A 1-lot NIFTY call BUY at ₹100.00 to Angel One. */
export function order(overrides: Partial<RiskOrder> = {}): RiskOrder {
  return {
    action: 'place',
    clientOrderId: 'IF2601200000001',
    instrument: NIFTY_CE,
    side: 'BUY',
    quantity: 65,
    pricing: { type: 'LIMIT', limitPricePaise: paise(10_000) },
    timeInForce: 'DAY',
    route: 'angelone',
    ...overrides,
  };
}

/** Flat book, zero P&L, ₹10 lakh free, NIFTY CE quoted 99.95 / 100.05 just now, NIFTY at 25,000. */
export function context(overrides: Partial<RiskContext> = {}): RiskContext {
  return {
    nowMs: T0,
    exposure: { status: 'known', positions: [], openOrders: [] },
    pnl: { status: 'known', realisedPaise: 0, unrealisedPaise: 0 },
    funds: { status: 'known', availablePaise: 100_000_000 },
    quote: { ltpPaise: 10_000, bidPaise: 9_995, askPaise: 10_005, receivedAtMs: T0 },
    underlyingPricePaise: 2_500_000,
    ...overrides,
  };
}

export function position(
  instrument: OrderInstrument,
  netQuantity: number,
  extra: Partial<RiskPosition> = {},
): RiskPosition {
  return {
    token: instrument.token,
    symbol: instrument.symbol,
    underlying: instrument.underlying,
    exchange: instrument.exchange,
    kind: instrument.kind,
    lotSize: instrument.lotSize,
    netQuantity,
    averagePricePaise: 10_000,
    ...extra,
  };
}

let openCounter = 0;
export function openOrder(
  instrument: OrderInstrument,
  side: 'BUY' | 'SELL',
  remainingQuantity: number,
  extra: Partial<RiskOpenOrder> = {},
): RiskOpenOrder {
  openCounter += 1;
  return {
    clientOrderId: `OPEN${openCounter}`,
    brokerOrderId: `B${openCounter}`,
    token: instrument.token,
    symbol: instrument.symbol,
    underlying: instrument.underlying,
    exchange: instrument.exchange,
    kind: instrument.kind,
    lotSize: instrument.lotSize,
    side,
    remainingQuantity,
    limitPricePaise: 10_000,
    ...extra,
  };
}

export function known(
  positions: RiskPosition[] = [],
  openOrders: RiskOpenOrder[] = [],
): RiskContext['exposure'] {
  return { status: 'known', positions, openOrders };
}

export function freshState(): RiskState {
  return createRiskState(T0);
}

export function halted(): RiskState {
  return { ...freshState(), trading: { status: 'halted', sinceMs: T0, trigger: 'manual', reason: 'test' } };
}

export function reducingState(): RiskState {
  return { ...freshState(), trading: { status: 'reducing', sinceMs: T0, trigger: 'manual', reason: 'test' } };
}
