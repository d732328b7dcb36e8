import type { OrderSide } from '../execution/orders/index.js';
import type { QuoteView, RiskLimits } from './types.js';

type Band = RiskLimits['priceBand'];

/** Reference price in paise: the mid when both sides are quoted and not crossed, else the LTP. */
export function referencePricePaise(quote: QuoteView | undefined): number | undefined {
  if (quote === undefined) return undefined;
  const { bidPaise, askPaise, ltpPaise } = quote;
  if (bidPaise !== undefined && askPaise !== undefined && bidPaise > 0 && askPaise >= bidPaise) {
    return Math.round((bidPaise + askPaise) / 2);
  }
  return ltpPaise !== undefined && ltpPaise > 0 ? ltpPaise : undefined;
}

/**
 * The worst limit price the collar allows, in paise (may be fractional): above the reference for a BUY,
 * below it for a SELL. Only the aggressive side is collared: a passive price far from the market cannot
 * trade badly, and a bracket's target often rests more than 10% away.
 */
export function collarPaise(side: OrderSide, referencePaise: number, band: Band): number {
  const width =
    referencePaise <= band.absoluteBelowPaise ? band.absolutePaise : (referencePaise * band.percent) / 100;
  return side === 'BUY' ? referencePaise + width : referencePaise - width;
}

/** Whether a limit price is inside the collar around `referencePaise`. Edges are inside. */
export function insideCollar(
  side: OrderSide,
  limitPaise: number,
  referencePaise: number,
  band: Band,
): boolean {
  if (referencePaise <= band.absoluteBelowPaise) {
    return side === 'BUY'
      ? limitPaise <= referencePaise + band.absolutePaise
      : limitPaise >= referencePaise - band.absolutePaise;
  }
  // compare in integers (limit × 100 against reference × (100 ± %)) so the edge is exact
  const scaled = limitPaise * 100;
  return side === 'BUY'
    ? scaled <= referencePaise * (100 + band.percent)
    : scaled >= referencePaise * (100 - band.percent);
}

/**
 * The limit price a market order becomes on a limit-only route: `percent` beyond the reference against the
 * trader, rounded to the tick towards the reference so the protection is never exceeded, never better
 * than the reference itself and never below one tick. In paise.
 */
export function protectedLimitPaise(
  side: OrderSide,
  referencePaise: number,
  percent: number,
  tickPaise: number,
): number {
  const tick = Math.max(1, tickPaise);
  const basisPoints = Math.round(percent * 100);
  if (side === 'BUY') {
    const raw = Math.floor((referencePaise * (10_000 + basisPoints)) / (10_000 * tick)) * tick;
    return Math.max(raw, Math.ceil(referencePaise / tick) * tick);
  }
  const raw = Math.ceil((referencePaise * (10_000 - basisPoints)) / (10_000 * tick)) * tick;
  return Math.max(tick, Math.min(raw, Math.floor(referencePaise / tick) * tick));
}
