// Position book: per-instrument and per-strategy positions, P&L net of charges, known-state; pure, no I/O.
export {
  type ApplyOutcome,
  type BrokerPosition,
  type ChargeAdjustment,
  type DayAggregate,
  type DayFigures,
  type KnownState,
  PositionBook,
  type PositionBookOptions,
  type PositionFill,
  type PositionView,
  type ReconcileMismatch,
  type ReconcileReport,
} from './book.js';
export {
  applyTrade,
  averagePrice,
  FLAT,
  type OpenPosition,
  type TradeResult,
  unrealisedAt,
} from './position.js';
