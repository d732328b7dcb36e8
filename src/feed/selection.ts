import type { Instrument } from '../core/instrument.js';

export type FeedModeName = 'ltp' | 'quote' | 'snapquote';
export const MODE_CODE: Record<FeedModeName, 1 | 2 | 3> = { ltp: 1, quote: 2, snapquote: 3 };

export interface ChainSelectionOptions {
  underlyings: readonly string[];
  /** nearest expiries per underlying */
  expiries: number;
  /** strikes each side of the at-the-money strike */
  strikesEachSide: number;
  includeFutures: boolean;
  mode: FeedModeName;
}

export interface SelectedSubscription {
  exchangeType: number;
  token: string;
  mode: 1 | 2 | 3;
  instrument: Instrument;
}

export interface ChainSelection {
  subscriptions: SelectedSubscription[];
  /** per underlying: the expiries chosen and the ATM strike (paise) used */
  summary: Record<string, { expiries: string[]; atmStrikePaise?: number; contracts: number }>;
  /** underlyings that could not be found in the instrument master */
  missing: string[];
}

/**
 * Chooses what to subscribe for "the near chains": each underlying's index, its nearest future, and
 * calls and puts of the nearest `expiries` expiries within `strikesEachSide` strikes of the ATM strike.
 * Pure: spot prices and today's date are inputs. Expiries before `todayKey` (YYYY-MM-DD) are skipped.
 */
export function selectChainSubscriptions(
  instruments: readonly Instrument[],
  spotPaise: ReadonlyMap<string, number>,
  options: ChainSelectionOptions,
  todayKey: string,
): ChainSelection {
  const mode = MODE_CODE[options.mode];
  const subscriptions: SelectedSubscription[] = [];
  const summary: ChainSelection['summary'] = {};
  const missing: string[] = [];
  const add = (instrument: Instrument) =>
    subscriptions.push({ exchangeType: instrument.exchangeType, token: instrument.token, mode, instrument });

  for (const underlying of options.underlyings) {
    const own = instruments.filter((i) => i.name === underlying);
    const index = own.find((i) => i.kind === 'index');
    const options_ = own.filter((i) => i.kind === 'option' && i.expiry !== undefined && i.expiry >= todayKey);
    if (!index && options_.length === 0) {
      missing.push(underlying);
      continue;
    }
    if (index) add(index);

    if (options.includeFutures) {
      const future = own
        .filter((i) => i.kind === 'future' && i.expiry !== undefined && i.expiry >= todayKey)
        .sort((a, b) => (a.expiry ?? '').localeCompare(b.expiry ?? ''))[0];
      if (future) add(future);
    }

    const expiries = [...new Set(options_.map((i) => i.expiry as string))].sort().slice(0, options.expiries);
    const spot = spotPaise.get(underlying);
    let contracts = 0;
    let atmStrikePaise: number | undefined;
    for (const expiry of expiries) {
      const chain = options_.filter((i) => i.expiry === expiry && i.strikePaise !== undefined);
      const strikes = [...new Set(chain.map((i) => i.strikePaise as number))].sort((a, b) => a - b);
      if (strikes.length === 0) continue;
      const atmIndex = spot === undefined ? Math.floor(strikes.length / 2) : nearestIndex(strikes, spot);
      atmStrikePaise ??= strikes[atmIndex];
      const lo = Math.max(0, atmIndex - options.strikesEachSide);
      const hi = Math.min(strikes.length - 1, atmIndex + options.strikesEachSide);
      const wanted = new Set(strikes.slice(lo, hi + 1));
      for (const contract of chain) {
        if (wanted.has(contract.strikePaise as number)) {
          add(contract);
          contracts++;
        }
      }
    }
    summary[underlying] = { expiries, atmStrikePaise, contracts };
  }
  return { subscriptions, summary, missing };
}

function nearestIndex(sorted: readonly number[], value: number): number {
  let best = 0;
  for (let i = 1; i < sorted.length; i++) {
    if (Math.abs((sorted[i] as number) - value) < Math.abs((sorted[best] as number) - value)) best = i;
  }
  return best;
}
