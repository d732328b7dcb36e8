// Angel One behind the execution port (src/execution/ports.ts): REST order writes, order-status events.
export {
  AngelExecutionClient,
  type AngelExecutionClientOptions,
  type AngelExecutionRest,
  type AngelExecutionStats,
  type AngelOrderStatusFeed,
} from './client.js';
export {
  ANGEL_STATUS_TO_REPORT,
  ANGEL_VENUE,
  angelReportStatus,
  fillTimeMs,
  orderLookup,
  orderWriteError,
  placeRequest,
  modifyRequest,
  unsupportedReason,
} from './mapping.js';
