export {
  attachOrderFeed,
  createOrderFeed,
  DEFAULT_IDLE_TIMEOUT_MS,
  MAX_ORDER_FEED_CONNECTIONS,
  type OrderFeed,
  type OrderFeedDeps,
} from './server.js';
export { OrderFeedFaults } from './faults.js';
export {
  EMPTY_ORDER_DATA,
  ORDER_FEED_PATH,
  acknowledgement,
  updateMessage,
  type OrderFeedMessage,
} from './messages.js';
