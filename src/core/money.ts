declare const paiseBrand: unique symbol;

/** An amount of money in integer paise (1 rupee = 100 paise). */
export type Paise = number & { readonly [paiseBrand]: true };

export function paise(value: number): Paise {
  if (!Number.isSafeInteger(value)) throw new RangeError(`paise must be a safe integer, got ${value}`);
  return value as Paise;
}

/** Rupees (possibly fractional, e.g. 101.05) to integer paise, rounding half away from zero. */
export function rupeesToPaise(rupees: number): Paise {
  if (!Number.isFinite(rupees)) throw new RangeError(`rupees must be finite, got ${rupees}`);
  return paise(Math.sign(rupees) * Math.round(Math.abs(rupees) * 100));
}

export function paiseToRupees(amount: number): number {
  return amount / 100;
}
