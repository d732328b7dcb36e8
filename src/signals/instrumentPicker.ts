import type { ChainRowSnapshot, ChainSideSnapshot } from '../options/index.js';
import type { Direction, SignalInstrument } from './types.js';

/** Rules for choosing the option (or future) a signal trades. */
export interface PickerConfig {
  /** 'option' buys premium (CE for long, PE for short); 'future' trades the configured future */
  readonly mode: 'option' | 'future';
  /** |delta| band the option should sit in; rows outside are ranked by distance to it */
  readonly deltaMin: number;
  readonly deltaMax: number;
  /** contracts */
  readonly minOi: number;
  readonly minVolume: number;
  /** widest bid–ask spread accepted, in ticks */
  readonly maxSpreadTicks: number;
  /** the options' tick, paise (NSE index options: 5) */
  readonly tickSizePaise: number;
}

/** The chosen contract and the price a buyer (or, for a short future, a seller) would pay now. */
export interface Picked {
  readonly type: 'picked';
  readonly instrument: SignalInstrument;
  /** paise: the ask for a buy, the bid for a sell */
  readonly entryPaise: number;
  /** paise */
  readonly tickSizePaise: number;
}

export interface NotPicked {
  readonly type: 'not-picked';
  readonly detail: string;
}

export type PickResult = Picked | NotPicked;

/** What composite calls once it knows the direction; the engine closes it over the current chain. */
export type PickInstrument = (direction: Direction) => PickResult;

/** Top of book of the configured future. */
export interface FutureQuote {
  readonly token: string;
  readonly symbol: string;
  /** paise; 0 when that side is empty */
  readonly bid: number;
  readonly ask: number;
  readonly tickSizePaise: number;
}

/** How far |delta| is outside [min, max]; 0 inside. */
export function deltaBandDistance(absDelta: number, min: number, max: number): number {
  if (absDelta < min) return min - absDelta;
  if (absDelta > max) return absDelta - max;
  return 0;
}

interface Candidate {
  readonly side: ChainSideSnapshot;
  readonly strike: number;
  readonly absDelta: number;
  readonly distance: number;
  readonly centreDistance: number;
  readonly spreadTicks: number;
}

/**
 * Picks the option to buy: CE for long, PE for short. Drops rows without a delta, without a two-sided
 * book, under minOi/minVolume or wider than maxSpreadTicks. Ranks by distance of |delta| to the band, then
 * by distance to the band's centre, then tighter spread, higher OI, lower strike — a total order, so the
 * same chain always gives the same pick.
 */
export function pickOption(
  rows: readonly ChainRowSnapshot[],
  direction: Direction,
  config: PickerConfig,
): PickResult {
  const optionType = direction === 'long' ? 'CE' : 'PE';
  const centre = (config.deltaMin + config.deltaMax) / 2;
  const candidates: Candidate[] = [];
  let seen = 0;
  for (const row of rows) {
    const side = optionType === 'CE' ? row.call : row.put;
    if (side === undefined) continue;
    seen++;
    if (side.delta === undefined || !Number.isFinite(side.delta)) continue;
    if (side.bid <= 0 || side.ask <= 0 || side.ask < side.bid) continue;
    if (side.oi < config.minOi || side.volume < config.minVolume) continue;
    const spreadTicks = (side.ask - side.bid) / config.tickSizePaise;
    if (spreadTicks > config.maxSpreadTicks) continue;
    const absDelta = Math.abs(side.delta);
    candidates.push({
      side,
      strike: row.strike,
      absDelta,
      distance: deltaBandDistance(absDelta, config.deltaMin, config.deltaMax),
      centreDistance: Math.abs(absDelta - centre),
      spreadTicks,
    });
  }
  if (candidates.length === 0) {
    return { type: 'not-picked', detail: `no ${optionType} of ${seen} passes the delta/liquidity rules` };
  }
  candidates.sort(
    (a, b) =>
      a.distance - b.distance ||
      a.centreDistance - b.centreDistance ||
      a.spreadTicks - b.spreadTicks ||
      b.side.oi - a.side.oi ||
      a.strike - b.strike,
  );
  const best = candidates[0];
  if (best === undefined) return { type: 'not-picked', detail: 'no candidate' };
  return {
    type: 'picked',
    instrument: {
      token: best.side.token,
      symbol: best.side.symbol,
      kind: 'option',
      strikePaise: best.strike,
      optionType,
      ...(best.side.delta === undefined ? {} : { delta: best.side.delta }),
    },
    entryPaise: best.side.ask,
    tickSizePaise: config.tickSizePaise,
  };
}

/** The future: bought at the ask for long, sold at the bid for short. */
export function pickFuture(future: FutureQuote | undefined, direction: Direction): PickResult {
  if (future === undefined) return { type: 'not-picked', detail: 'no future configured' };
  const entry = direction === 'long' ? future.ask : future.bid;
  if (entry <= 0)
    return {
      type: 'not-picked',
      detail: `future ${future.symbol} has no ${direction === 'long' ? 'ask' : 'bid'}`,
    };
  return {
    type: 'picked',
    instrument: { token: future.token, symbol: future.symbol, kind: 'future', delta: 1 },
    entryPaise: entry,
    tickSizePaise: future.tickSizePaise,
  };
}

/** Builds the picker composite calls, from the config's mode and the market as it stands. */
export function instrumentPicker(
  config: PickerConfig,
  market: { readonly rows: readonly ChainRowSnapshot[]; readonly future?: FutureQuote },
): PickInstrument {
  return (direction) =>
    config.mode === 'future'
      ? pickFuture(market.future, direction)
      : pickOption(market.rows, direction, config);
}
