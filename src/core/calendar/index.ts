export {
  createMarketCalendar,
  type MarketCalendar,
  type MarketCalendarOptions,
  type SessionBounds,
} from './calendar.js';
export {
  civilFromDays,
  type CivilDate,
  dateKeyFromDays,
  daysFromCivil,
  daysFromDateKey,
  daysInMonth,
  istDayNumber,
  istEpochMsOfDay,
  weekdayOfDays,
} from './dates.js';
export {
  EXCHANGE_HOLIDAYS,
  HOLIDAY_DATA_VERSION,
  type HolidayEntry,
  type HolidayExchange,
} from './holidays.js';
export {
  type CalendarSegment,
  EXPIRY_SCHEDULES,
  type ExpiryRule,
  type ExpirySchedule,
  SESSION_RULES,
  type SessionRule,
} from './rules.js';
