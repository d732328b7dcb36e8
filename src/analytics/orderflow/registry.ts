import type { MarketEvent } from '../../feed/events.js';
import { marketKey } from '../../feed/state/index.js';
import {
  type OrderFlowInstrument,
  type OrderFlowOptions,
  OrderFlowTracker,
  resolveOrderFlowOptions,
} from './tracker.js';

/**
 * One `OrderFlowTracker` per instrument, keyed like the market state (`exchangeType:token`): tokens are
 * unique only within an exchange, so the token alone could merge an NFO and a BFO contract.
 */
export class OrderFlowRegistry {
  private readonly trackers = new Map<string, OrderFlowTracker>();
  private ignored = 0;

  private readonly options: Required<OrderFlowOptions>;

  /** `options` apply to every tracker opened here; bad ones throw IF_ERR_VALIDATION now, not at first use. */
  constructor(options: OrderFlowOptions = {}) {
    this.options = resolveOrderFlowOptions(options);
  }

  /** The instrument's tracker, created on first use (the tick size comes from the instrument master). */
  open(instrument: OrderFlowInstrument): OrderFlowTracker {
    const key = marketKey(instrument.exchangeType, instrument.token);
    const existing = this.trackers.get(key);
    if (existing !== undefined) return existing;
    const tracker = new OrderFlowTracker(instrument, this.options);
    this.trackers.set(key, tracker);
    return tracker;
  }

  /** The tracker of an instrument, if opened. */
  get(exchangeType: number, token: string): OrderFlowTracker | undefined {
    return this.trackers.get(marketKey(exchangeType, token));
  }

  /**
   * Routes an accepted event to its instrument's tracker and returns it; events of instruments never
   * opened are counted and ignored (their tick size is unknown).
   */
  onEvent(event: MarketEvent): OrderFlowTracker | undefined {
    const tracker = this.trackers.get(marketKey(event.exchangeType, event.token));
    if (tracker === undefined) {
      this.ignored++;
      return undefined;
    }
    tracker.onEvent(event);
    return tracker;
  }

  /** Forgets an instrument (unsubscribed); true if it was open. */
  remove(exchangeType: number, token: string): boolean {
    return this.trackers.delete(marketKey(exchangeType, token));
  }

  /** Events of instruments that were not opened. */
  get ignoredEvents(): number {
    return this.ignored;
  }

  get size(): number {
    return this.trackers.size;
  }

  /** Every tracker, in opening order. */
  values(): IterableIterator<OrderFlowTracker> {
    return this.trackers.values();
  }
}
