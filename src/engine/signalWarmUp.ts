import type {
  AngelCandle,
  CandleInterval as BrokerInterval,
  CandleRequest,
} from '../brokers/angelone/rest/types.js';
import type { MarketCalendar } from '../core/calendar/index.js';
import { istDateKey } from '../core/time.js';
import type { Candle, CandleInterval } from '../feed/candles/index.js';
import type { Logger } from '../ops/logger.js';
import type { SignalEngine } from '../signals/index.js';

const BROKER_INTERVAL: Partial<Record<CandleInterval, { name: BrokerInterval; ms: number }>> = {
  '1m': { name: 'ONE_MINUTE', ms: 60_000 },
  '3m': { name: 'THREE_MINUTE', ms: 180_000 },
  '5m': { name: 'FIVE_MINUTE', ms: 300_000 },
  '15m': { name: 'FIFTEEN_MINUTE', ms: 900_000 },
};

export interface WarmUpIndex {
  readonly underlying: string;
  readonly token: string;
  /** master segment of the index: NSE, BSE */
  readonly exchange: string;
}

export interface SignalWarmUpOptions {
  readonly getCandles: (request: CandleRequest) => Promise<AngelCandle[]>;
  readonly signals: SignalEngine;
  readonly indices: readonly WarmUpIndex[];
  readonly interval: CandleInterval;
  readonly calendar: MarketCalendar;
  readonly nowMs: number;
  readonly logger: Logger;
}

/** History bars in Angel's shape as closed candles of our builder (ends before `nowMs` only). */
export function brokerCandles(
  token: string,
  interval: CandleInterval,
  bars: readonly AngelCandle[],
  nowMs: number,
): Candle[] {
  const spec = BROKER_INTERVAL[interval];
  if (spec === undefined) return [];
  const out: Candle[] = [];
  for (const bar of bars) {
    const endMs = bar.timeMs + spec.ms;
    // The bar still forming at the broker is left to the live candle builder.
    if (endMs > nowMs) continue;
    out.push({
      token,
      interval,
      startMs: bar.timeMs,
      endMs,
      open: bar.open,
      high: bar.high,
      low: bar.low,
      close: bar.close,
      volume: bar.volume,
      openInterest: undefined,
      openInterestOpen: undefined,
      trades: 0,
      closed: true,
      gapBefore: false,
    });
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}

/**
 * Loads today's and the previous session's bars of each signal index from the broker's candle API and
 * warms the signal engine's indicators with them, so signals can fire minutes after start-up rather than
 * after a slow EMA's worth of live candles. Advisory: a failure leaves the engine to warm up live.
 */
export async function warmUpSignals(options: SignalWarmUpOptions): Promise<Record<string, number>> {
  const spec = BROKER_INTERVAL[options.interval];
  const applied: Record<string, number> = {};
  if (spec === undefined) return applied;
  const today = istDateKey(options.nowMs);
  for (const index of options.indices) {
    const segment = index.exchange === 'BSE' ? 'BSE' : 'NSE';
    const previous = options.calendar.previousTradingDay(segment, today);
    const fromMs = options.calendar.sessionBounds(segment, previous)?.openMs;
    if (fromMs === undefined) continue;
    try {
      const bars = await options.getCandles({
        exchange: index.exchange,
        symbolToken: index.token,
        interval: spec.name,
        fromMs,
        toMs: options.nowMs,
      });
      const candles = brokerCandles(index.token, options.interval, bars, options.nowMs);
      applied[index.underlying] = options.signals.warmUp(index.token, candles);
    } catch (error) {
      options.logger.warn(
        { err: error, underlying: index.underlying },
        'signal warm-up history unavailable; indicators warm up on live candles',
      );
    }
  }
  return applied;
}
