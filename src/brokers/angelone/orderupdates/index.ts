export {
  AngelOrderUpdatesClient,
  type AngelOrderUpdatesClientOptions,
  ORDER_UPDATES_URL,
  type OrderUpdatesCredentials,
  type OrderUpdatesEvent,
  type OrderUpdatesStats,
  orderUpdatesHeaders,
} from './client.js';
export {
  ORDER_STATUS_MEANING,
  type OrderStatusCode,
  type OrderUpdate,
  type OrderUpdateMeaning,
  type OrderUpdateOrder,
  type OrderUpdateParse,
  parseAngelTime,
  parseOrderUpdate,
} from './messages.js';
