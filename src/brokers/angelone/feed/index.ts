export { type BackoffPolicy, backoffDelayMs, DEFAULT_BACKOFF, resolveBackoff } from './backoff.js';
export {
  type FeedClientEvent,
  type FeedClientStats,
  type FeedConnectionSummary,
  type FeedHealth,
  MODE_NAMES,
  type ModeName,
  type RawFrameRecorder,
  SmartStreamClient,
  type SmartStreamClientOptions,
  type SubscriptionChange,
} from './client.js';
export {
  type FeedConnectionEvent,
  type FeedConnectionStats,
  type FeedCredentials,
  type PacketHandler,
  type RawFrameTap,
  SMART_STREAM_URL,
  SmartStreamConnection,
  type SmartStreamConnectionOptions,
  smartStreamHeaders,
} from './connection.js';
export { EventHub, type TypedEvent } from './events.js';
export { type FeedMetricsSource, registerFeedMetrics } from './metrics.js';
export {
  type HeartbeatStyle,
  ReconnectingSocket,
  type ReconnectingSocketOptions,
  type ReconnectPolicyOptions,
  type ReconnectReason,
  SOCKET_STATES,
  type SocketCounters,
  type SocketErrorFactory,
  type SocketEvent,
  type SocketState,
} from './socket.js';
export {
  buildRequests,
  DEFAULT_LIMITS,
  FeedAction,
  type FeedRequest,
  instrumentKey,
  pairKey,
  SubscriptionBook,
  type SubscriptionLimits,
  type SubscriptionPair,
  validatePair,
} from './subscriptions.js';
