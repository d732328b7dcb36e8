import { paise } from '../../core/money.js';
import type { QuoteView } from '../../risk/index.js';
import { protectedLimitPaise } from '../../risk/index.js';
import type { Signal } from '../../signals/types.js';
import {
  type BracketSpec,
  bracketSpecError,
  type OrderInstrument,
  type OrderSide,
  oppositeSide,
  type Product,
} from '../orders/index.js';
import type { PlaceRequest } from './types.js';

/** How signals become orders; from configuration. */
export interface SignalSizing {
  /** lots per trade before the premium cap */
  readonly lots: number;
  /** most premium one option trade may cost, paise (limit × lot size × lots) */
  readonly maxPremiumPerTradePaise: number;
  /** % beyond the reference the entry limit (and the stop's limit) may go; Angel bars market orders */
  readonly protectionPercent: number;
  readonly product: Product;
  /** place the signal's stop and target as a bracket (default true) */
  readonly bracket?: boolean;
}

export type SizedOrder =
  | {
      readonly ok: true;
      readonly request: PlaceRequest;
      readonly lots: number;
      /** premium (options) or notional (futures) at the limit, paise */
      readonly valuePaise: number;
    }
  | { readonly ok: false; readonly reason: string };

function refuse(reason: string): SizedOrder {
  return { ok: false, reason };
}

function isPositiveInt(value: number | undefined): value is number {
  return value !== undefined && Number.isSafeInteger(value) && value > 0;
}

/** The price a taker pays now: the ask for a buy, the bid for a sell, else the last trade; paise. */
function takerPrice(side: OrderSide, quote: QuoteView | undefined): number | undefined {
  if (quote === undefined) return undefined;
  const touch = side === 'BUY' ? quote.askPaise : quote.bidPaise;
  if (isPositiveInt(touch)) return touch;
  return isPositiveInt(quote.ltpPaise) ? quote.ltpPaise : undefined;
}

/**
 * The order a signal asks for, sized and priced; pure. The caller checks the signal's validity time and
 * supplies the instrument from the master (lot size, tick, segment) and the latest quote.
 *
 * - An option signal always buys the option (long → the CE, short → the PE the picker chose); a future
 *   signal buys for long and sells for short. Credit-spread (`sell-premium`) signals are refused: their
 *   sold leg must wait for the hedge's fill, which two independent orders cannot promise.
 * - Lots are the configured lots, cut so an option buy's premium at the limit stays within
 *   `maxPremiumPerTradePaise`; a single lot above the cap refuses the trade.
 * - The limit is a protected limit (`protectionPercent` beyond the reference, on the tick), taken from the
 *   touch now but never worse than the same protection around the signal's entry: if the market ran away,
 *   the order rests instead of chasing it.
 * - The bracket is the signal's stop (a stop-limit whose limit is protected beyond the trigger) and target.
 */
export function orderFromSignal(
  signal: Signal,
  instrument: OrderInstrument,
  sizing: SignalSizing,
  quote: QuoteView | undefined,
): SizedOrder {
  if (signal.status !== 'active') return refuse(`signal ${signal.id} is ${signal.status}`);
  if (signal.structure !== 'buy-premium') {
    // A credit spread's sold leg may only go out once its hedge has filled; placing them as two
    // independent orders could leave a naked short, so spreads are refused until they are traded as one.
    return refuse(`a ${signal.structure} signal (credit spread) is not traded automatically`);
  }
  if (signal.instrument.token !== instrument.token) {
    return refuse(`signal is for token ${signal.instrument.token}, instrument given is ${instrument.token}`);
  }
  if (instrument.kind !== signal.instrument.kind) {
    return refuse(`signal instrument is a ${signal.instrument.kind}, the master says ${instrument.kind}`);
  }
  if (!isPositiveInt(instrument.lotSize) || !isPositiveInt(instrument.tickSizePaise)) {
    return refuse(
      `${instrument.symbol} has lot size ${instrument.lotSize}, tick ${instrument.tickSizePaise}`,
    );
  }
  if (!isPositiveInt(sizing.lots)) return refuse(`configured lots ${sizing.lots} is not a positive integer`);
  if (!(sizing.protectionPercent > 0 && sizing.protectionPercent < 100)) {
    return refuse(`protection ${sizing.protectionPercent}% must be between 0 and 100`);
  }
  for (const [name, price] of [
    ['entry', signal.entryPaise],
    ['stop', signal.stopPaise],
    ['target', signal.targetPaise],
  ] as const) {
    if (!isPositiveInt(price)) return refuse(`signal ${name} ${price} paise is not a price`);
  }

  let side: OrderSide;
  if (instrument.kind === 'option') {
    const wanted = signal.direction === 'long' ? 'CE' : 'PE';
    const optionType = signal.instrument.optionType;
    if (optionType !== undefined && optionType !== wanted) {
      return refuse(`a ${signal.direction} signal buys a ${wanted}, the signal names a ${optionType}`);
    }
    side = 'BUY';
  } else if (instrument.kind === 'future') {
    side = signal.direction === 'long' ? 'BUY' : 'SELL';
  } else {
    return refuse(`signals trade options and futures, not ${instrument.kind}`);
  }
  if (signal.side !== side)
    return refuse(`a ${signal.direction} ${instrument.kind} signal cannot ${signal.side}`);

  const percent = sizing.protectionPercent;
  const tick = instrument.tickSizePaise;
  const reference = takerPrice(side, quote);
  if (reference === undefined) return refuse(`no quote for ${instrument.symbol} to price the entry against`);
  const fromQuote = protectedLimitPaise(side, reference, percent, tick);
  const fromEntry = protectedLimitPaise(side, signal.entryPaise, percent, tick);
  const limit = side === 'BUY' ? Math.min(fromQuote, fromEntry) : Math.max(fromQuote, fromEntry);

  let lots = sizing.lots;
  if (instrument.kind === 'option') {
    // the premium a buyer may pay is the limit (or the entry, if that is higher)
    const perLot = Math.max(limit, signal.entryPaise) * instrument.lotSize;
    const affordable = Math.floor(sizing.maxPremiumPerTradePaise / perLot);
    if (affordable < 1) {
      return refuse(
        `one lot of ${instrument.symbol} costs ${perLot} paise, above the cap of ${sizing.maxPremiumPerTradePaise}`,
      );
    }
    lots = Math.min(lots, affordable);
  }
  const quantity = lots * instrument.lotSize;

  let bracket: BracketSpec | undefined;
  if (sizing.bracket ?? true) {
    const exit = oppositeSide(side);
    bracket = {
      stopTriggerPaise: paise(signal.stopPaise),
      stopLimitPaise: paise(protectedLimitPaise(exit, signal.stopPaise, percent, tick)),
      targetPaise: paise(signal.targetPaise),
    };
    const error = bracketSpecError(side, bracket);
    if (error !== undefined) return refuse(`signal levels cannot form a bracket: ${error}`);
  }

  const request: PlaceRequest = {
    instrument,
    side,
    quantity,
    pricing: { type: 'LIMIT', limitPricePaise: paise(limit) },
    timeInForce: 'DAY',
    product: sizing.product,
    strategy: signal.strategy,
    signalId: signal.id,
    // the same signal seen twice (replay, a retried bus delivery) never becomes two orders
    idempotencyKey: `signal:${signal.id}`,
    ...(bracket === undefined ? {} : { bracket }),
  };
  return { ok: true, request, lots, valuePaise: limit * quantity };
}
