/**
 * Average-price accounting for one position, the method Indian brokers use for F&O day positions.
 *
 * A position is its signed quantity and the cost of its open units (`openValuePaise`, always ≥ 0: what was
 * paid for a long, what was received for a short). Adding on the same side adds to the cost; reducing
 * releases the reduced units' share of the cost and realises the difference from the fill price; a fill
 * larger than the position closes it and opens the remainder on the other side at the fill price.
 *
 * The released share of the cost is rounded half up to the paisa. The residue stays in the open cost and
 * is released when the position closes, so a position that returns to flat has realised exactly
 * Σ sell value − Σ buy value, to the paisa.
 */
import type { TradeSide } from '../charges/index.js';

/** The open part of a position: signed units and the cost of those units in paise. */
export interface OpenPosition {
  /** units, positive long, negative short */
  readonly quantity: number;
  /** cost of the open units at their average price, paise, ≥ 0; 0 when flat */
  readonly openValuePaise: number;
}

export const FLAT: OpenPosition = { quantity: 0, openValuePaise: 0 };

/** The result of one trade on a position. */
export interface TradeResult {
  readonly position: OpenPosition;
  /** gross P&L the trade realised, paise (before charges) */
  readonly realisedPaise: number;
}

/** Applies `quantity` units at `pricePaise` per unit to `position`; returns the new position and realised P&L. */
export function applyTrade(
  position: OpenPosition,
  side: TradeSide,
  quantity: number,
  pricePaise: number,
): TradeResult {
  const direction = side === 'BUY' ? 1 : -1;
  const held = Math.abs(position.quantity);
  if (position.quantity === 0 || Math.sign(position.quantity) === direction) {
    return {
      position: {
        quantity: position.quantity + direction * quantity,
        openValuePaise: position.openValuePaise + pricePaise * quantity,
      },
      realisedPaise: 0,
    };
  }

  const closed = Math.min(quantity, held);
  const released =
    closed === held ? position.openValuePaise : shareHalfUp(position.openValuePaise, closed, held);
  const exitValue = pricePaise * closed;
  // A long's cost was paid, so selling realises proceeds − cost; a short's cost was received, the reverse.
  const realisedPaise = position.quantity > 0 ? exitValue - released : released - exitValue;
  const remainder = quantity - closed;
  if (remainder > 0) {
    return {
      position: { quantity: direction * remainder, openValuePaise: pricePaise * remainder },
      realisedPaise,
    };
  }
  return {
    position: {
      quantity: position.quantity + direction * closed,
      openValuePaise: position.openValuePaise - released,
    },
    realisedPaise,
  };
}

/** Unrealised P&L of the open units marked at `markPaise` per unit, paise. */
export function unrealisedAt(position: OpenPosition, markPaise: number): number {
  if (position.quantity === 0) return 0;
  const markValue = markPaise * Math.abs(position.quantity);
  return position.quantity > 0 ? markValue - position.openValuePaise : position.openValuePaise - markValue;
}

/** Average price of the open units, paise per unit (fractional); 0 when flat. */
export function averagePrice(position: OpenPosition): number {
  return position.quantity === 0 ? 0 : position.openValuePaise / Math.abs(position.quantity);
}

/** round(total × part / whole), half up, for non-negative integers; BigInt keeps the product exact. */
function shareHalfUp(total: number, part: number, whole: number): number {
  const numerator = 2n * BigInt(total) * BigInt(part) + BigInt(whole);
  return Number(numerator / (2n * BigInt(whole)));
}
