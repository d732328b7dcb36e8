import { ALL_TRANSPORTS, type TransportKind } from './transports.js';

/**
 * Timings and limits of the hub. Defaults follow ASP.NET Core SignalR (keep-alive, timeouts, message
 * size) and the gateway's own needs (conflation, slow clients).
 */
export interface HubSettings {
  /** a Ping goes out when nothing else was sent for this long (ASP.NET KeepAliveInterval) */
  keepAliveIntervalMs: number;
  /** a connection that sent nothing for this long is closed (ASP.NET ClientTimeoutInterval) */
  clientTimeoutMs: number;
  /** time from transport start to a valid handshake request */
  handshakeTimeoutMs: number;
  /** how often timers above and the slow-client rule are checked */
  heartbeatIntervalMs: number;
  /** a negotiated connection without a transport, or a long-polling one without a poll, dies after this */
  disconnectTimeoutMs: number;
  /** a held long poll is answered empty after this (ASP.NET LongPolling PollTimeout) */
  pollTimeoutMs: number;
  /** largest single hub message accepted from a client (ASP.NET MaximumReceiveMessageSize) */
  maxMessageBytes: number;
  /** largest POST body (several messages) and WebSocket frame */
  maxRequestBytes: number;
  /** at most one batch of updates per connection per this period; 0 batches within one event-loop turn */
  flushIntervalMs: number;
  /** while a transport buffers more than this, updates stay conflated instead of being written */
  highWaterMarkBytes: number;
  /** a connection whose transport buffers more than this ... */
  maxBufferedBytes: number;
  /** ... for this long is dropped with a Close message */
  slowClientGraceMs: number;
  /** a connection with more distinct (channel, key) updates pending than this is dropped */
  maxPendingUpdates: number;
  /** channels one connection may hold */
  maxSubscriptions: number;
  /** open connections one user may hold (each negotiate allocates state) */
  maxConnectionsPerUser: number;
  /** transports offered in negotiate and accepted on connect, in preference order */
  transports: readonly TransportKind[];
}

export const DEFAULT_SETTINGS: Readonly<HubSettings> = {
  keepAliveIntervalMs: 15_000,
  clientTimeoutMs: 30_000,
  handshakeTimeoutMs: 15_000,
  heartbeatIntervalMs: 1_000,
  disconnectTimeoutMs: 15_000,
  pollTimeoutMs: 90_000,
  maxMessageBytes: 32 * 1024,
  maxRequestBytes: 1024 * 1024,
  flushIntervalMs: 50,
  highWaterMarkBytes: 64 * 1024,
  maxBufferedBytes: 1024 * 1024,
  slowClientGraceMs: 10_000,
  maxPendingUpdates: 10_000,
  maxSubscriptions: 2_048,
  maxConnectionsPerUser: 32,
  transports: ALL_TRANSPORTS,
};

/** Why a connection ended; counted per reason in the hub statistics. */
export const CLOSE_REASONS = [
  'client_close',
  'transport_closed',
  'deleted',
  'handshake_failed',
  'handshake_timeout',
  'protocol_error',
  'client_timeout',
  'poll_timeout',
  'unattached',
  'slow_client',
  'pending_overflow',
  'shutdown',
  'server_error',
] as const;

export type CloseReason = (typeof CLOSE_REASONS)[number];

/** Reasons where the server gave up on a client that was still there; these are the "drops". */
export const DROP_REASONS: ReadonlySet<CloseReason> = new Set<CloseReason>([
  'slow_client',
  'pending_overflow',
  'client_timeout',
  'poll_timeout',
]);

/** Running totals since the hub was created. Mutated in place on the hot path; read through `stats()`. */
export interface HubCounters {
  published: number;
  updatesQueued: number;
  updatesConflated: number;
  updatesSent: number;
  flushesDeferred: number;
  encodeFailures: number;
  bytesSent: number;
  bytesReceived: number;
  messagesReceived: number;
  invocations: number;
  invocationErrors: number;
  authFailures: number;
  handshakeFailures: number;
  connectionsOpened: number;
  closed: Record<CloseReason, number>;
}

export function newCounters(): HubCounters {
  const closed = Object.fromEntries(CLOSE_REASONS.map((reason) => [reason, 0])) as Record<
    CloseReason,
    number
  >;
  return {
    published: 0,
    updatesQueued: 0,
    updatesConflated: 0,
    updatesSent: 0,
    flushesDeferred: 0,
    encodeFailures: 0,
    bytesSent: 0,
    bytesReceived: 0,
    messagesReceived: 0,
    invocations: 0,
    invocationErrors: 0,
    authFailures: 0,
    handshakeFailures: 0,
    connectionsOpened: 0,
    closed,
  };
}
