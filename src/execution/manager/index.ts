// The order manager: risk gate, write-ahead, venue calls, reconciliation, kill switch, brackets, positions.
export { instrumentKey, rebuiltFills, riskOpenOrders, riskPositions } from './exposure.js';
export {
  isVenueRefusal,
  MANUAL_STRATEGY,
  OrderManager,
  type OrderManagerOptions,
  UNATTRIBUTED_STRATEGY,
} from './manager.js';
export { orderFromSignal, type SignalSizing, type SizedOrder } from './sizing.js';
export type {
  Actor,
  FundsSource,
  InstrumentLookup,
  ManagedOrderStore,
  ManagerEvent,
  ManagerRiskEvent,
  ManagerState,
  MarketView,
  ModifyResult,
  OrderDetail,
  OrderMeta,
  OrdersQuery,
  PlaceRequest,
  PlaceResult,
  PnlSummary,
  PositionsSnapshot,
  ReconcileStatus,
  ReconcileSummary,
  RiskSnapshot,
} from './types.js';
