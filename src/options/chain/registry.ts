import type { MarketCalendar } from '../../core/calendar/index.js';
import { IfError } from '../../core/errors.js';
import type { Instrument } from '../../core/instrument.js';
import { istDateKey } from '../../core/time.js';
import type { MarketEvent, QuoteEvent, TickEvent } from '../../feed/events.js';
import { OptionChain } from './chain.js';
import type { ChainStrikeInstruments, OptionChainOptions } from './types.js';

/**
 * The parts of an instrument master a registry reads. The Angel One InstrumentStore fits it as it is;
 * the chain code names this shape instead of importing the adapter.
 */
export interface ChainInstrumentSource {
  /** option expiries of an underlying on or after a `YYYY-MM-DD`, ascending */
  expiries(underlying: string, kind?: 'option' | 'future' | 'any', onOrAfter?: string): string[];
  optionChain(
    underlying: string,
    expiry: string,
  ): { readonly strikes: readonly ChainStrikeInstruments[] } | undefined;
  future(underlying: string, expiry?: string, onOrAfter?: string): Instrument | undefined;
  indexInstrument(underlying: string): Instrument | undefined;
}

/** Which chains to build. */
export interface ChainRegistryRequest {
  /** underlyings, e.g. ['NIFTY', 'BANKNIFTY'] */
  readonly underlyings: readonly string[];
  /** option expiries per underlying, nearest first; default 2 */
  readonly expiries?: number;
  /** build time, epoch ms: expiries whose close has passed by then are left out */
  readonly nowMs: number;
}

/** One chain as the warehouse stores it: storage's ChainSnapshotInput, field for field. */
export interface WarehouseChainSnapshot {
  underlying: string;
  /** `YYYY-MM-DD` */
  expiry: string;
  takenAtMs: number;
  /** paise, integer */
  spotPaise: number | undefined;
  /** paise, rounded to an integer (the live forward is a mid or a median and can be fractional) */
  forwardPaise: number | undefined;
  rows: readonly unknown[];
}

/**
 * The live chains of the engine: built from the instrument master, fed every market event (it routes by
 * token, an index tick reaching every expiry of its underlying), and read by underlying and expiry.
 */
export class ChainRegistry {
  private readonly list: OptionChain[] = [];
  private readonly byUnderlying = new Map<string, OptionChain[]>();
  private readonly routes = new Map<string, OptionChain[]>();

  constructor(chains: Iterable<OptionChain> = []) {
    for (const chain of chains) this.add(chain);
  }

  /**
   * Builds the chains of `request.underlyings`, the nearest `request.expiries` option expiries each that
   * are still open at `request.nowMs`, with each expiry's future (if listed) and the index. Lot size comes
   * from the master's option rows. Underlyings without options are skipped; throws IF_ERR_VALIDATION for
   * an expiry count that is not a positive integer.
   */
  static fromInstruments(
    source: ChainInstrumentSource,
    calendar: MarketCalendar,
    request: ChainRegistryRequest,
    options: OptionChainOptions = {},
  ): ChainRegistry {
    const count = request.expiries ?? 2;
    if (!Number.isInteger(count) || count < 1) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `expiries per underlying must be >= 1, got ${count}`,
      });
    }
    const registry = new ChainRegistry();
    const today = istDateKey(request.nowMs);
    for (const name of request.underlyings) {
      const underlying = name.toUpperCase();
      const index = source.indexInstrument(underlying);
      let built = 0;
      for (const expiry of source.expiries(underlying, 'option', today)) {
        if (built === count) break;
        const instruments = source.optionChain(underlying, expiry);
        const first = instruments?.strikes.find((s) => s.call !== undefined || s.put !== undefined);
        const lotSize = first?.call?.lotSize ?? first?.put?.lotSize;
        if (instruments === undefined || lotSize === undefined) continue;
        const chain = new OptionChain(
          {
            underlying,
            expiry,
            strikes: instruments.strikes,
            future: source.future(underlying, expiry),
            index,
            lotSize,
            calendar,
          },
          options,
        );
        if (chain.expiryCloseMs <= request.nowMs) continue;
        registry.add(chain);
        built++;
      }
    }
    return registry;
  }

  /** Adds a chain and routes its instruments' events to it. */
  add(chain: OptionChain): void {
    this.list.push(chain);
    const same = this.byUnderlying.get(chain.underlying) ?? [];
    same.push(chain);
    same.sort((a, b) => (a.expiry < b.expiry ? -1 : a.expiry > b.expiry ? 1 : 0));
    this.byUnderlying.set(chain.underlying, same);
    for (const instrument of chain.instruments()) {
      const routed = this.routes.get(instrument.token);
      if (routed === undefined) this.routes.set(instrument.token, [chain]);
      else if (!routed.includes(chain)) routed.push(chain);
    }
  }

  /** Routes a tick or quote to the chains that hold its token; false when none does. */
  onEvent(event: MarketEvent): boolean {
    if (event.type === 'depth') return false;
    const chains = this.routes.get(event.token);
    if (chains === undefined) return false;
    let used = false;
    // Index and future events reach every chain that lists them; option tokens belong to one chain.
    for (const chain of chains) if (chain.onEvent(event)) used = true;
    return used;
  }

  /** {@link onEvent} for a tick. */
  onTick(event: TickEvent): boolean {
    return this.onEvent(event);
  }

  /** {@link onEvent} for a quote. */
  onQuote(event: QuoteEvent): boolean {
    return this.onEvent(event);
  }

  /**
   * The chain of `underlying` and `expiry`; without an expiry, the nearest one whose close is still ahead
   * of the latest market time the registry has seen. Undefined when there is none.
   */
  chain(underlying: string, expiry?: string): OptionChain | undefined {
    const chains = this.byUnderlying.get(underlying.toUpperCase());
    if (chains === undefined) return undefined;
    if (expiry !== undefined) return chains.find((c) => c.expiry === expiry);
    const now = this.latestMs();
    return chains.find((c) => c.expiryCloseMs > now);
  }

  /** Every chain, in the order added. */
  chains(): readonly OptionChain[] {
    return this.list;
  }

  /** Expiries with a chain for `underlying`, ascending. */
  expiries(underlying: string): string[] {
    return (this.byUnderlying.get(underlying.toUpperCase()) ?? []).map((c) => c.expiry);
  }

  /** Every instrument the chains listen to, each once: what the feed must subscribe. */
  instruments(): Instrument[] {
    const seen = new Map<string, Instrument>();
    for (const chain of this.list) {
      for (const i of chain.instruments()) seen.set(`${i.exchangeType}:${i.token}`, i);
    }
    return [...seen.values()];
  }

  /** Refreshes every chain (see OptionChain.refresh). */
  refresh(nowMs?: number): void {
    for (const chain of this.list) chain.refresh(nowMs);
  }

  /**
   * One warehouse row per chain that has seen data and has not expired at `nowMs`, taken at `nowMs`
   * (the caller's clock time, so T advances even in a quiet market). The rows are the snapshot rows,
   * plain JSON without NaN, ready for ChainSnapshotRepository.insertMany.
   */
  /**
   * Gives every chain of `underlying` the same daily ATM-IV history (see OptionChain.setAtmIvHistory):
   * the history is per underlying, built across expiries. Returns how many chains took it.
   */
  setAtmIvHistory(underlying: string, values: readonly number[]): number {
    const chains = this.byUnderlying.get(underlying.toUpperCase()) ?? [];
    for (const chain of chains) chain.setAtmIvHistory(values);
    return chains.length;
  }

  snapshotsForWarehouse(nowMs: number): WarehouseChainSnapshot[] {
    const out: WarehouseChainSnapshot[] = [];
    for (const chain of this.list) {
      if (chain.asOfMs === 0 || chain.expiryCloseMs <= nowMs) continue;
      chain.refresh(nowMs);
      const forward = chain.forward();
      out.push({
        underlying: chain.underlying,
        expiry: chain.expiry,
        takenAtMs: Math.round(nowMs),
        spotPaise: chain.spot(),
        forwardPaise: forward === undefined ? undefined : Math.round(forward.paise),
        rows: chain.snapshot().rows,
      });
    }
    return out;
  }

  private latestMs(): number {
    let latest = 0;
    for (const chain of this.list) if (chain.asOfMs > latest) latest = chain.asOfMs;
    return latest;
  }
}
