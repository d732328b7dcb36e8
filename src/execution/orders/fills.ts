import { type Paise, paise } from '../../core/money.js';

/** The fill-accounting part of an order. */
export interface FillAccount {
  filledQuantity: number;
  filledNotionalPaise: Paise;
  averagePricePaise: Paise | undefined;
  fillIds: readonly string[];
}

export interface FillInput {
  fillId: string;
  /** units */
  quantity: number;
  pricePaise: Paise;
}

export type FillOutcome =
  | { ok: true; account: FillAccount }
  | { ok: false; kind: 'duplicate-fill' }
  | { ok: false; kind: 'overfill'; wouldFill: number };

export const NO_FILLS: FillAccount = {
  filledQuantity: 0,
  filledNotionalPaise: paise(0),
  averagePricePaise: undefined,
  fillIds: [],
};

/**
 * Adds one fill, never beyond `ceiling` units. The average is recomputed from the exact notional (rounded
 * half up to the paisa), so a hundred small fills give the same average as one large one.
 */
export function applyFill(account: FillAccount, fill: FillInput, ceiling: number): FillOutcome {
  if (account.fillIds.includes(fill.fillId)) return { ok: false, kind: 'duplicate-fill' };
  const filledQuantity = account.filledQuantity + fill.quantity;
  if (filledQuantity > ceiling) return { ok: false, kind: 'overfill', wouldFill: filledQuantity };
  const filledNotionalPaise = paise(account.filledNotionalPaise + fill.quantity * fill.pricePaise);
  return {
    ok: true,
    account: {
      filledQuantity,
      filledNotionalPaise,
      averagePricePaise: paise(Math.round(filledNotionalPaise / filledQuantity)),
      fillIds: [...account.fillIds, fill.fillId],
    },
  };
}
