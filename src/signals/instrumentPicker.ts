import type { ChainRowSnapshot, ChainSideSnapshot } from '../options/index.js';
import type { Direction, SignalHedge, SignalInstrument, SignalStructure } from './types.js';

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
  /** |delta| band of the sold leg of a credit spread (out of the money) */
  readonly sellDeltaMin: number;
  readonly sellDeltaMax: number;
  /** strikes further out of the money than the sold leg for the bought hedge */
  readonly hedgeStrikes: number;
}

/** The chosen contract and the price a buyer (or, for a short future, a seller) would pay now. */
export interface Picked {
  readonly type: 'picked';
  readonly instrument: SignalInstrument;
  readonly side: 'BUY' | 'SELL';
  /** paise: the ask for a buy, the bid for a sell */
  readonly entryPaise: number;
  /** the bought leg of a credit spread */
  readonly hedge?: SignalHedge;
  /** paise */
  readonly tickSizePaise: number;
}

export interface NotPicked {
  readonly type: 'not-picked';
  readonly detail: string;
}

export type PickResult = Picked | NotPicked;

/** What composite calls once it knows the direction; the engine closes it over the current chain. */
export type PickInstrument = (direction: Direction, structure?: SignalStructure) => PickResult;

/** Whether an instrument's data may be traded on now (fresh quality); the engine closes it over the monitor. */
export type UsableInstrument = (token: string) => boolean;

const anyInstrument: UsableInstrument = () => true;

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
  usable: UsableInstrument = anyInstrument,
): PickResult {
  const optionType = direction === 'long' ? 'CE' : 'PE';
  const best = bestOption(rows, optionType, config.deltaMin, config.deltaMax, config, usable);
  if (best.type === 'none') return { type: 'not-picked', detail: best.detail };
  return {
    type: 'picked',
    instrument: optionInstrument(best.candidate, optionType),
    side: 'BUY',
    entryPaise: best.candidate.side.ask,
    tickSizePaise: config.tickSizePaise,
  };
}

function optionInstrument(c: Candidate, optionType: 'CE' | 'PE'): SignalInstrument {
  return {
    token: c.side.token,
    symbol: c.side.symbol,
    kind: 'option',
    strikePaise: c.strike,
    optionType,
    ...(c.side.delta === undefined ? {} : { delta: c.side.delta }),
  };
}

/**
 * Picks a credit spread: sells the out-of-the-money option in the sell band (PE for long, CE for short) at
 * its bid and buys the option `hedgeStrikes` strikes further out at its ask. Both legs must pass the
 * liquidity rules and be usable; the spread must take in premium (sold bid above the hedge's ask).
 */
export function pickCreditSpread(
  rows: readonly ChainRowSnapshot[],
  direction: Direction,
  config: PickerConfig,
  usable: UsableInstrument = anyInstrument,
): PickResult {
  const optionType = direction === 'long' ? 'PE' : 'CE';
  const sold = bestOption(rows, optionType, config.sellDeltaMin, config.sellDeltaMax, config, usable);
  if (sold.type === 'none') return { type: 'not-picked', detail: `sold leg: ${sold.detail}` };
  const strikes = rows.map((r) => r.strike).sort((a, b) => a - b);
  const at = strikes.indexOf(sold.candidate.strike);
  // Further out of the money: lower strikes for puts, higher for calls.
  const hedgeAt = optionType === 'PE' ? at - config.hedgeStrikes : at + config.hedgeStrikes;
  const hedgeStrike = strikes[hedgeAt];
  const hedgeRow = hedgeStrike === undefined ? undefined : rows.find((r) => r.strike === hedgeStrike);
  const hedgeSide = optionType === 'PE' ? hedgeRow?.put : hedgeRow?.call;
  if (hedgeRow === undefined || hedgeSide === undefined) {
    return {
      type: 'not-picked',
      detail: `no ${optionType} ${config.hedgeStrikes} strikes beyond ${sold.candidate.strike} for the hedge`,
    };
  }
  const hedge = candidateOf(hedgeRow.strike, hedgeSide, config, usable, 0, 1);
  if (hedge === undefined) {
    return {
      type: 'not-picked',
      detail: `hedge ${hedgeSide.symbol} fails the liquidity rules or is not fresh`,
    };
  }
  if (sold.candidate.side.bid <= hedge.side.ask) {
    return {
      type: 'not-picked',
      detail: `no credit: sold bid ${sold.candidate.side.bid} ≤ hedge ask ${hedge.side.ask}`,
    };
  }
  return {
    type: 'picked',
    instrument: optionInstrument(sold.candidate, optionType),
    side: 'SELL',
    entryPaise: sold.candidate.side.bid,
    hedge: { instrument: optionInstrument(hedge, optionType), entryPaise: hedge.side.ask },
    tickSizePaise: config.tickSizePaise,
  };
}

/** A row side as a candidate, or undefined when it has no delta or fails the liquidity and usability rules. */
function candidateOf(
  strike: number,
  side: ChainSideSnapshot,
  config: PickerConfig,
  usable: UsableInstrument,
  deltaMin: number,
  deltaMax: number,
): Candidate | undefined {
  if (side.delta === undefined || !Number.isFinite(side.delta)) return undefined;
  if (side.bid <= 0 || side.ask <= 0 || side.ask < side.bid) return undefined;
  if (side.oi < config.minOi || side.volume < config.minVolume) return undefined;
  const spreadTicks = (side.ask - side.bid) / config.tickSizePaise;
  if (spreadTicks > config.maxSpreadTicks) return undefined;
  if (!usable(side.token)) return undefined;
  const absDelta = Math.abs(side.delta);
  return {
    side,
    strike,
    absDelta,
    distance: deltaBandDistance(absDelta, deltaMin, deltaMax),
    centreDistance: Math.abs(absDelta - (deltaMin + deltaMax) / 2),
    spreadTicks,
  };
}

function bestOption(
  rows: readonly ChainRowSnapshot[],
  optionType: 'CE' | 'PE',
  deltaMin: number,
  deltaMax: number,
  config: PickerConfig,
  usable: UsableInstrument,
): { type: 'best'; candidate: Candidate } | { type: 'none'; detail: string } {
  const candidates: Candidate[] = [];
  let seen = 0;
  for (const row of rows) {
    const side = optionType === 'CE' ? row.call : row.put;
    if (side === undefined) continue;
    seen++;
    const candidate = candidateOf(row.strike, side, config, usable, deltaMin, deltaMax);
    if (candidate !== undefined) candidates.push(candidate);
  }
  if (candidates.length === 0) {
    return { type: 'none', detail: `no ${optionType} of ${seen} passes the delta/liquidity/freshness rules` };
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
  return best === undefined ? { type: 'none', detail: 'no candidate' } : { type: 'best', candidate: best };
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
    side: direction === 'long' ? 'BUY' : 'SELL',
    entryPaise: entry,
    tickSizePaise: future.tickSizePaise,
  };
}

/** Builds the picker composite calls, from the config's mode and the market as it stands. */
export function instrumentPicker(
  config: PickerConfig,
  market: {
    readonly rows: readonly ChainRowSnapshot[];
    readonly future?: FutureQuote;
    readonly usable?: UsableInstrument;
  },
): PickInstrument {
  const usable = market.usable ?? anyInstrument;
  return (direction, structure = 'buy-premium') => {
    // A premium-selling view is always a defined-risk option spread, whatever the buying mode.
    if (structure === 'sell-premium') return pickCreditSpread(market.rows, direction, config, usable);
    if (config.mode === 'future') {
      const future = market.future;
      if (future !== undefined && !usable(future.token)) {
        return { type: 'not-picked', detail: `future ${future.symbol} is not fresh` };
      }
      return pickFuture(future, direction);
    }
    return pickOption(market.rows, direction, config, usable);
  };
}
