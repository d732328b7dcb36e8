import { IfError } from '../../core/errors.js';
import type { OptionType } from '../../core/instrument.js';
import type { MoneynessBucket } from '../events.js';

/**
 * Moneyness bands on x = |ln(K/S)| (strike over the underlying's spot): ATM when x ≤ `atm`, ITM/OTM when
 * `atm` < x ≤ `deep`, deep ITM/OTM beyond. A call is ITM when K < S, a put when K > S.
 *
 * Defaults: `atm` 0.005 (0.5%: about ±125 points, five 50-point strikes, at NIFTY 25,000) and `deep` 0.03
 * (3%: roughly a weekly one-sigma move of NIFTY at 15% IV, ±750 points). Log distance rather than points
 * keeps the buckets comparable across NIFTY, BANKNIFTY and SENSEX.
 */
export interface MoneynessBands {
  atm: number;
  deep: number;
}

export const DEFAULT_MONEYNESS_BANDS: Readonly<MoneynessBands> = Object.freeze({ atm: 0.005, deep: 0.03 });

/**
 * Buckets by comparing K/S with e^±atm and e^±deep, precomputed, so the hot path does one division and
 * no logarithm.
 */
export class MoneynessClassifier {
  private readonly atmLow: number;
  private readonly atmHigh: number;
  private readonly deepLow: number;
  private readonly deepHigh: number;

  constructor(bands: Readonly<MoneynessBands> = DEFAULT_MONEYNESS_BANDS) {
    if (!(bands.atm >= 0 && bands.deep > bands.atm && Number.isFinite(bands.deep))) {
      throw new IfError('IF_ERR_CONFIG_INVALID', {
        key: 'moneyness',
        detail: `need 0 ≤ atm < deep < ∞, got atm ${bands.atm}, deep ${bands.deep}`,
      });
    }
    this.atmLow = Math.exp(-bands.atm);
    this.atmHigh = Math.exp(bands.atm);
    this.deepLow = Math.exp(-bands.deep);
    this.deepHigh = Math.exp(bands.deep);
  }

  /** Bucket of an option with strike `strikePaise` when the underlying trades at `spotPaise` (> 0). */
  classify(optionType: OptionType, strikePaise: number, spotPaise: number): MoneynessBucket {
    const r = strikePaise / spotPaise;
    if (optionType === 'CE') {
      if (r < this.deepLow) return 'deep-itm';
      if (r < this.atmLow) return 'itm';
      if (r <= this.atmHigh) return 'atm';
      if (r <= this.deepHigh) return 'otm';
      return 'deep-otm';
    }
    if (r > this.deepHigh) return 'deep-itm';
    if (r > this.atmHigh) return 'itm';
    if (r >= this.atmLow) return 'atm';
    if (r >= this.deepLow) return 'otm';
    return 'deep-otm';
  }
}

const DEFAULT_CLASSIFIER = new MoneynessClassifier();

/** Moneyness bucket with the default bands (see {@link MoneynessBands}); strike and spot in paise. */
export function moneynessBucket(
  optionType: OptionType,
  strikePaise: number,
  spotPaise: number,
): MoneynessBucket {
  return DEFAULT_CLASSIFIER.classify(optionType, strikePaise, spotPaise);
}
