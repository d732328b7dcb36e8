import type { ExchangeSegment, Instrument } from '../../../core/instrument.js';

/** One strike of an option chain: the call and the put at that strike (either may be missing). */
export interface ChainStrike {
  strikePaise: number;
  call: Instrument | undefined;
  put: Instrument | undefined;
}

export interface OptionChainInstruments {
  underlying: string;
  /** `YYYY-MM-DD` */
  expiry: string;
  exchange: ExchangeSegment;
  /** ascending by strike */
  strikes: ChainStrike[];
}

/** Where an underlying's derivatives trade, most likely first (stocks can list on both NFO and BFO). */
const DERIVATIVE_SEGMENTS: readonly ExchangeSegment[] = ['NFO', 'BFO', 'MCX', 'CDS', 'NCDEX'];

/** The cash segment whose index rows belong to a derivative segment. */
const CASH_SEGMENT_OF: Partial<Record<ExchangeSegment, ExchangeSegment>> = { NFO: 'NSE', BFO: 'BSE' };

/**
 * Tie-breakers for index rows, used only when the master holds several index rows under one name.
 * The row itself must still be in the master: nothing is invented from these.
 */
const INDEX_HINTS: Readonly<Record<string, { token: string; symbol: string; exchange: ExchangeSegment }>> = {
  NIFTY: { token: '99926000', symbol: 'Nifty 50', exchange: 'NSE' },
  BANKNIFTY: { token: '99926009', symbol: 'Nifty Bank', exchange: 'NSE' },
  FINNIFTY: { token: '99926037', symbol: 'Nifty Fin Service', exchange: 'NSE' },
  MIDCPNIFTY: { token: '99926074', symbol: 'NIFTY MID SELECT', exchange: 'NSE' },
  SENSEX: { token: '99919000', symbol: 'SENSEX', exchange: 'BSE' },
};

const key = (exchange: string, id: string) => `${exchange}|${id}`;

/**
 * An immutable, indexed view of the instrument master. Tokens are unique only within an exchange
 * segment, so lookups by token or symbol take the segment.
 */
export class InstrumentStore {
  private readonly all: readonly Instrument[];
  private readonly tokenIndex = new Map<string, Instrument>();
  private readonly symbolIndex = new Map<string, Instrument>();
  /** underlying name (upper case) → its futures and options on its primary segment */
  private readonly derivatives = new Map<string, Instrument[]>();
  private readonly primary = new Map<string, ExchangeSegment>();
  private readonly indices: Instrument[] = [];

  constructor(instruments: readonly Instrument[]) {
    this.all = instruments;
    for (const instrument of instruments) {
      this.tokenIndex.set(key(instrument.exchange, instrument.token), instrument);
      this.symbolIndex.set(key(instrument.exchange, instrument.symbol.toUpperCase()), instrument);
      if (instrument.kind === 'index') this.indices.push(instrument);
      if (instrument.kind === 'future' || instrument.kind === 'option') {
        const name = instrument.name.toUpperCase();
        const list = this.derivatives.get(name);
        if (list === undefined) this.derivatives.set(name, [instrument]);
        else list.push(instrument);
      }
    }
    // A stock listed on NFO and BFO would otherwise show every strike twice.
    for (const [name, list] of this.derivatives) {
      const present = new Set(list.map((i) => i.exchange));
      const segment = DERIVATIVE_SEGMENTS.find((s) => present.has(s));
      if (segment === undefined) continue;
      this.primary.set(name, segment);
      if (present.size > 1)
        this.derivatives.set(
          name,
          list.filter((i) => i.exchange === segment),
        );
    }
  }

  get size(): number {
    return this.all.length;
  }

  instruments(): readonly Instrument[] {
    return this.all;
  }

  byToken(exchange: ExchangeSegment, token: string): Instrument | undefined {
    return this.tokenIndex.get(key(exchange, token));
  }

  /** Case-insensitive trading-symbol lookup within a segment. */
  bySymbol(exchange: ExchangeSegment, symbol: string): Instrument | undefined {
    return this.symbolIndex.get(key(exchange, symbol.toUpperCase()));
  }

  /** Underlyings that have futures or options, upper case, sorted. */
  underlyings(): string[] {
    return [...this.derivatives.keys()].sort();
  }

  /**
   * Distinct expiries (`YYYY-MM-DD`, ascending) of an underlying's options (default), futures or both,
   * optionally only those on or after `onOrAfter`.
   */
  expiries(underlying: string, kind: 'option' | 'future' | 'any' = 'option', onOrAfter?: string): string[] {
    const set = new Set<string>();
    for (const instrument of this.derivativesOf(underlying)) {
      if (kind !== 'any' && instrument.kind !== kind) continue;
      if (instrument.expiry === undefined) continue;
      if (onOrAfter !== undefined && instrument.expiry < onOrAfter) continue;
      set.add(instrument.expiry);
    }
    return [...set].sort();
  }

  /** Calls and puts of one expiry paired by strike; undefined when the expiry has no options. */
  optionChain(underlying: string, expiry: string): OptionChainInstruments | undefined {
    const options = this.derivativesOf(underlying).filter((i) => i.kind === 'option' && i.expiry === expiry);
    if (options.length === 0) return undefined;
    const byStrike = new Map<number, ChainStrike>();
    for (const option of options) {
      const strikePaise = option.strikePaise;
      if (strikePaise === undefined) continue;
      let row = byStrike.get(strikePaise);
      if (row === undefined) {
        row = { strikePaise, call: undefined, put: undefined };
        byStrike.set(strikePaise, row);
      }
      if (option.optionType === 'CE') row.call = option;
      else if (option.optionType === 'PE') row.put = option;
    }
    const exchange = options[0]?.exchange ?? 'NFO';
    return {
      underlying: underlying.toUpperCase(),
      expiry,
      exchange,
      strikes: [...byStrike.values()].sort((a, b) => a.strikePaise - b.strikePaise),
    };
  }

  /**
   * The future of `expiry`, or when omitted the nearest one expiring on or after `onOrAfter`
   * (`YYYY-MM-DD`; give today's IST date so a stale cached master does not return an expired contract).
   */
  future(underlying: string, expiry?: string, onOrAfter?: string): Instrument | undefined {
    let best: Instrument | undefined;
    for (const instrument of this.derivativesOf(underlying)) {
      if (instrument.kind !== 'future' || instrument.expiry === undefined) continue;
      if (expiry !== undefined) {
        if (instrument.expiry === expiry) return instrument;
        continue;
      }
      if (onOrAfter !== undefined && instrument.expiry < onOrAfter) continue;
      if (best === undefined || (best.expiry !== undefined && instrument.expiry < best.expiry))
        best = instrument;
    }
    return best;
  }

  /**
   * The index row of an underlying (NIFTY → "Nifty 50", 99926000 on NSE; SENSEX → 99919000 on BSE),
   * found by name among the master's AMXIDX rows; hints only break ties between several such rows.
   */
  indexInstrument(underlying: string): Instrument | undefined {
    const name = underlying.toUpperCase();
    const hint = INDEX_HINTS[name];
    const named = this.indices.filter((i) => i.name.toUpperCase() === name);
    if (named.length === 1) return named[0];
    const pool = named.length > 0 ? named : this.indices;
    if (hint !== undefined) {
      const byToken = pool.find((i) => i.exchange === hint.exchange && i.token === hint.token);
      if (byToken !== undefined) return byToken;
      const bySymbol = pool.find(
        (i) => i.exchange === hint.exchange && i.symbol.toUpperCase() === hint.symbol.toUpperCase(),
      );
      if (bySymbol !== undefined) return bySymbol;
    }
    if (named.length === 0) return undefined;
    const cash = CASH_SEGMENT_OF[this.primary.get(name) ?? 'NFO'];
    const sorted = [...named].sort((a, b) => a.token.localeCompare(b.token));
    return sorted.find((i) => i.exchange === cash) ?? sorted[0];
  }

  private derivativesOf(underlying: string): readonly Instrument[] {
    return this.derivatives.get(underlying.toUpperCase()) ?? [];
  }
}
