import type { Logger } from '../../ops/logger.js';
import type { MarketCalendar } from '../../core/calendar/index.js';
import type { Clock } from '../../core/clock.js';
import type { SimAccount, SimSessionStore } from '../auth/sessions.js';
import type { MarketModel } from '../market/index.js';
import type {
  CancelOrderBody,
  ModifyOrderBody,
  OrderActionResult,
  OrderBookRow,
  OrderUpdateListener,
  PlaceOrderBody,
  PlaceOrderResult,
  PositionRow,
  RmsData,
  TradeBookRow,
} from '../orders/index.js';
import type { SimRestFaults } from './faults.js';

type Awaitable<T> = T | Promise<T>;

/**
 * What the REST layer needs from the simulated order engine (src/sim/orders). Every call also receives
 * the caller's client code, so one engine can serve several accounts; an engine that keeps a single
 * account may ignore it. Results may be plain values or promises.
 */
export interface SimOrderEngineLike {
  place(body: PlaceOrderBody, clientCode: string): Awaitable<PlaceOrderResult>;
  modify(body: ModifyOrderBody, clientCode: string): Awaitable<OrderActionResult>;
  cancel(body: CancelOrderBody, clientCode: string): Awaitable<OrderActionResult>;
  orderBook(clientCode: string): Awaitable<readonly OrderBookRow[]>;
  orderDetails(uniqueorderid: string, clientCode: string): Awaitable<OrderBookRow | undefined>;
  tradeBook(clientCode: string): Awaitable<readonly TradeBookRow[]>;
  positions(clientCode: string): Awaitable<readonly PositionRow[]>;
  rms(clientCode: string): Awaitable<RmsData>;
  /** returns a function that removes the listener */
  onOrderUpdate(listener: OrderUpdateListener): () => void;
}

export interface SimRestDeps {
  /** simulated (or live) time: sessions, rate-limit windows, market timestamps */
  clock: Clock;
  /**
   * timers for network behaviour only (fault delays and hangs); defaults to `clock`. Pass a wall clock
   * when the simulated clock runs faster than real time and latency should stay real.
   */
  timerClock?: Clock;
  sessions: SimSessionStore;
  accounts: readonly SimAccount[];
  market: MarketModel;
  orders: SimOrderEngineLike;
  /** runtime fault switches; a private, inert instance when omitted */
  faults?: SimRestFaults;
  /**
   * source addresses allowed to place/modify/cancel (Angel's static-IP rule); others get AG7002.
   * Omitted or empty: any address may trade.
   */
  staticIpAllowList?: readonly string[];
  /** trading days for synthetic history (holidays skipped); the built-in NSE/BSE calendar by default */
  calendar?: MarketCalendar;
  /** profile fields for getProfile, per client code */
  profiles?: Readonly<Record<string, { name?: string; email?: string; mobileno?: string }>>;
  logger?: Logger;
}
