import type { CalendarSegment, MarketCalendar } from '../core/calendar/index.js';
import { istDateKey, istParts, istToEpochMs } from '../core/time.js';

export interface SimStartChoice {
  /** simulated epoch ms at start */
  startMs: number;
  /** the simulated trading day, YYYY-MM-DD */
  dayKey: string;
  /** whether the simulated clock follows the real one (market open right now) */
  followsRealClock: boolean;
}

/**
 * Picks where the simulated clock starts. `auto`: when the exchange is open right now the simulation runs
 * on real time; otherwise it replays the most recent session (today's if it is over, else the previous
 * trading day's) from `startTime`, so the demo always has a live-looking market. A date runs that day.
 */
export function chooseSimStart(
  nowMs: number,
  day: 'auto' | string,
  startTime: string,
  calendar: MarketCalendar,
  segment: CalendarSegment = 'NSE',
): SimStartChoice {
  const [hour, minute] = startTime.split(':').map(Number) as [number, number];
  const at = (dayKey: string): number => {
    const [y, m, d] = dayKey.split('-').map(Number) as [number, number, number];
    return istToEpochMs(y, m, d, hour, minute);
  };
  if (day !== 'auto') return { startMs: at(day), dayKey: day, followsRealClock: false };
  if (calendar.isMarketOpen(segment, nowMs)) {
    return { startMs: nowMs, dayKey: istDateKey(nowMs), followsRealClock: true };
  }
  const today = istDateKey(nowMs);
  const bounds = calendar.isTradingDay(segment, today) ? calendar.sessionBounds(segment, today) : undefined;
  const dayKey =
    bounds !== undefined && nowMs >= bounds.closeMs ? today : calendar.previousTradingDay(segment, today);
  return { startMs: at(dayKey), dayKey, followsRealClock: false };
}

/** `HH:MM` of an epoch in IST, for logs. */
export function istClock(epochMs: number): string {
  const p = istParts(epochMs);
  return `${String(Math.floor(p.minuteOfDay / 60)).padStart(2, '0')}:${String(p.minuteOfDay % 60).padStart(2, '0')}`;
}
