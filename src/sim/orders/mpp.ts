import type { Instrument } from '../../core/instrument.js';
import type { TransactionType } from './types.js';

/** Premium tiers in paise: below ₹10, below ₹20, up to ₹50, above. */
function byPremium(pricePaise: number, tiers: readonly [number, number, number, number]): number {
  if (pricePaise < 1_000) return tiers[0];
  if (pricePaise < 2_000) return tiers[1];
  if (pricePaise <= 5_000) return tiers[2];
  return tiers[3];
}

/**
 * Angel One's market-price-protection buffer in percent for an instrument at a reference price (paise),
 * from Angel's published MPP table: cash 0.5%, index futures 0.5%, stock futures 1%, commodity futures 1%,
 * index and commodity options 20/10/5/2.5% and stock options 40/20/10/5% by premium band.
 */
export function angelMppPercent(instrument: Instrument, referencePaise: number): number {
  const type = instrument.instrumentType;
  if (instrument.kind === 'option') {
    if (type === 'OPTSTK') return byPremium(referencePaise, [40, 20, 10, 5]);
    return byPremium(referencePaise, [20, 10, 5, 2.5]);
  }
  if (instrument.kind === 'future') {
    if (type === 'FUTIDX') return 0.5;
    return 1;
  }
  return 0.5;
}

/**
 * The limit price a market order becomes: the reference moved by `percent` against the trader (up for a
 * BUY, down for a SELL), rounded inward to the tick so the protection is never exceeded, and kept inside
 * the circuit band when one is given (0 means no band). Never below one tick.
 */
export function protectedLimitPaise(
  side: TransactionType,
  referencePaise: number,
  percent: number,
  tickPaise: number,
  band: { lowerPaise: number; upperPaise: number },
): number {
  const tick = Math.max(1, tickPaise);
  let price: number;
  if (side === 'BUY') {
    const raw = referencePaise * (1 + percent / 100);
    price = Math.max(Math.floor(raw / tick) * tick, Math.ceil(referencePaise / tick) * tick);
    if (band.upperPaise > 0) price = Math.min(price, Math.floor(band.upperPaise / tick) * tick);
  } else {
    const raw = referencePaise * (1 - percent / 100);
    price = Math.min(Math.ceil(raw / tick) * tick, Math.floor(referencePaise / tick) * tick);
    if (band.lowerPaise > 0) price = Math.max(price, Math.ceil(band.lowerPaise / tick) * tick);
  }
  return Math.max(tick, price);
}
