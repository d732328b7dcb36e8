import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { IfError, isIfError } from '../../core/errors.js';
import { LiveClock } from '../../engine/clocks.js';
import { type Logger, silentLogger } from '../../ops/logger.js';
import type { Registry } from '../../ops/metrics.js';
import {
  type Authenticate,
  type ChannelAuthoriser,
  defaultAuthorise,
  type HubPrincipal,
  parseChannel,
} from './channels.js';
import { type ConnectionHost, errorText, HubConnection, SharedUpdate } from './connection.js';
import { jsonProtocol } from './jsonProtocol.js';
import { messagePackProtocol } from './messagePackProtocol.js';
import { registerHubMetrics } from './metrics.js';
import {
  type HubMessage,
  type HubProtocol,
  type InvocationMessage,
  MessageType,
  type StreamInvocationMessage,
} from './protocol.js';
import {
  type CloseReason,
  DEFAULT_SETTINGS,
  DROP_REASONS,
  type HubCounters,
  type HubSettings,
  newCounters,
} from './settings.js';
import type { HubTransport, TransportKind } from './transports.js';

/**
 * Current state of a channel for a client that has just subscribed: `[key, payload]` pairs, read from
 * the engine's cache (which is written before anything is published, so nothing is missed).
 */
export type SnapshotSource = (channel: string) => Iterable<readonly [string, unknown]> | undefined;

export interface HubOptions extends Partial<HubSettings> {
  authenticate: Authenticate;
  /** default: `defaultAuthorise` (see DEFAULT_CHANNEL_ROLES) */
  authorise?: ChannelAuthoriser;
  snapshot?: SnapshotSource;
  /** default: LiveClock; tests pass a SimulatedClock to drive keep-alive, timeouts and flushing */
  clock?: Clock;
  logger?: Logger;
  /** when given, hub metrics (indexflow_hub_*) are registered here and read at scrape time */
  metrics?: Registry;
  /** wire encodings offered in the handshake; default JSON and MessagePack */
  protocols?: readonly HubProtocol[];
}

export interface HubStats extends Omit<HubCounters, 'closed'> {
  /** connections that have completed the handshake */
  connections: number;
  /** negotiated or handshaking, not yet connected */
  connecting: number;
  connectionsByTransport: Record<TransportKind, number>;
  /** (connection, channel) pairs */
  subscriptions: number;
  /** channels with at least one subscriber */
  channels: number;
  /** updates waiting in conflation buffers right now */
  pendingUpdates: number;
  /** connections the server gave up on (slow, silent, overflowing) */
  dropped: number;
  closed: Record<CloseReason, number>;
}

type HubMethod = (connection: HubConnection, args: readonly unknown[]) => void;

function singleString(method: string, args: readonly unknown[]): string {
  const [value] = args;
  if (args.length !== 1 || typeof value !== 'string') {
    throw new IfError('IF_ERR_HUB_ARGUMENTS', { method, expected: 'one string argument (a channel)' });
  }
  return value;
}

/**
 * The market hub: connection registry, channel subscriptions, per-client conflation and the
 * keep-alive heartbeat. Transport-agnostic; `hubPlugin` binds it to HTTP routes.
 *
 * Updates are state, not events: for each (channel, key) a client receives the latest value, possibly
 * skipping intermediate ones. Publish event-like data (signals) under a unique key per event.
 */
export class MarketHub {
  readonly settings: HubSettings;
  readonly clock: Clock;
  private readonly logger: Logger;
  private readonly authoriser: ChannelAuthoriser;
  private readonly counters: HubCounters = newCounters();
  /** by connection token (the secret `?id=`) */
  private readonly connections = new Map<string, HubConnection>();
  /** closed long-polling connections kept briefly so their next poll gets 204, not 404; value: closed at */
  private readonly lingering = new Map<HubConnection, number>();
  private readonly channels = new Map<string, Set<HubConnection>>();
  private readonly perUser = new Map<string, number>();
  private readonly host: ConnectionHost;
  private readonly methods: ReadonlyMap<string, HubMethod>;
  private heartbeat: TimerHandle | undefined;

  constructor(private readonly options: HubOptions) {
    const { authenticate, authorise, snapshot, clock, logger, metrics, protocols, ...rest } = options;
    const overrides = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
    this.settings = { ...DEFAULT_SETTINGS, ...overrides };
    this.validateSettings();
    this.clock = clock ?? new LiveClock();
    this.logger = (logger ?? silentLogger()).child({ component: 'hub' });
    this.authoriser = authorise ?? defaultAuthorise;
    this.host = {
      clock: this.clock,
      settings: this.settings,
      counters: this.counters,
      protocols: protocols ?? [jsonProtocol, messagePackProtocol],
      logger: this.logger,
      dispatch: (connection, message) => this.dispatch(connection, message),
      closed: (connection, reason) => this.onClosed(connection, reason),
    };
    // Lower-case keys: ASP.NET matches hub method names case-insensitively.
    this.methods = new Map<string, HubMethod>([
      ['subscribe', (connection, args) => this.subscribe(connection, singleString('subscribe', args))],
      ['unsubscribe', (connection, args) => this.unsubscribe(connection, singleString('unsubscribe', args))],
    ]);
    if (metrics !== undefined) registerHubMetrics(metrics, () => this.stats());
  }

  /**
   * Sends `payload` to every subscriber of `channel` as the client call `update(channel, payload)`.
   * Never blocks: each subscriber keeps only the latest value per `key` until its next flush.
   */
  publish(channel: string, key: string, payload: unknown): void {
    this.counters.published++;
    const subscribers = this.channels.get(channel);
    if (subscribers === undefined) return;
    const update = new SharedUpdate(channel, payload, key);
    const slot = `${channel}\u0000${key}`;
    for (const connection of subscribers) connection.enqueue(slot, update);
  }

  /** true when at least one connection listens on `channel` (lets producers skip building payloads) */
  hasSubscribers(channel: string): boolean {
    return this.channels.has(channel);
  }

  stats(): HubStats {
    const byTransport: Record<TransportKind, number> = { WebSockets: 0, ServerSentEvents: 0, LongPolling: 0 };
    let connections = 0;
    let connecting = 0;
    let subscriptions = 0;
    let pendingUpdates = 0;
    for (const connection of this.connections.values()) {
      if (connection.state === 'closed') continue;
      if (connection.state !== 'connected') {
        connecting++;
        continue;
      }
      connections++;
      if (connection.transport !== undefined) byTransport[connection.transport.kind]++;
      subscriptions += connection.subscriptions.size;
      pendingUpdates += connection.pendingUpdates;
    }
    let dropped = 0;
    for (const reason of DROP_REASONS) dropped += this.counters.closed[reason];
    return {
      ...this.counters,
      closed: { ...this.counters.closed },
      connections,
      connecting,
      connectionsByTransport: byTransport,
      subscriptions,
      channels: this.channels.size,
      pendingUpdates,
      dropped,
    };
  }

  /** Starts the heartbeat (keep-alive, timeouts, slow clients). Called by the plugin when mounted. */
  start(): void {
    if (this.heartbeat !== undefined) return;
    this.heartbeat = this.clock.setInterval(() => this.beat(), this.settings.heartbeatIntervalMs);
  }

  /**
   * Closes every connection with a Close that allows reconnecting, so clients with automatic
   * reconnect come back once the server is up again. Call before stopping the HTTP server.
   */
  shutdown(): void {
    const message = { error: errorText(new IfError('IF_ERR_HUB_SHUTDOWN')), allowReconnect: true };
    for (const connection of [...this.connections.values()]) connection.close('shutdown', message);
  }

  /** Shuts down and stops the heartbeat. */
  stop(): void {
    this.shutdown();
    if (this.heartbeat !== undefined) this.clock.clearTimer(this.heartbeat);
    this.heartbeat = undefined;
    for (const connection of this.lingering.keys()) this.connections.delete(connection.token);
    this.lingering.clear();
  }

  // ---- used by the transport bindings (plugin) ----

  /**
   * Resolves a token with the injected authenticator; counts failures. Throws when the authenticator
   * itself fails, which is not the client's fault (the plugin answers 503, not 401).
   */
  async authenticate(token: string | undefined): Promise<HubPrincipal | undefined> {
    if (token === undefined || token.length === 0) {
      this.counters.authFailures++;
      return undefined;
    }
    const principal = await this.options.authenticate(token);
    if (principal === undefined) this.counters.authFailures++;
    return principal;
  }

  /** A new logical connection (negotiate, or a WebSocket without `id`). Throws IF_ERR_HUB_TOO_MANY_CONNECTIONS. */
  createConnection(principal: HubPrincipal, negotiateVersion: number): HubConnection {
    const open = this.perUser.get(principal.userId) ?? 0;
    if (open >= this.settings.maxConnectionsPerUser) {
      throw new IfError('IF_ERR_HUB_TOO_MANY_CONNECTIONS', { limit: this.settings.maxConnectionsPerUser });
    }
    const connectionId = randomBytes(16).toString('base64url');
    // Version 0 has no separate token: the client presents the connection id itself.
    const token = negotiateVersion >= 1 ? randomBytes(16).toString('base64url') : connectionId;
    const connection = new HubConnection(this.host, connectionId, token, principal);
    this.connections.set(token, connection);
    this.perUser.set(principal.userId, open + 1);
    this.counters.connectionsOpened++;
    this.logger.debug({ connectionId, userId: principal.userId }, 'hub connection negotiated');
    return connection;
  }

  /**
   * A one-way subscriber on one channel (the REST event stream `GET /api/v1/stream/:channel`): a connection
   * without negotiate or handshake that receives the channel's snapshot and conflated updates through
   * `protocol`, and is kept alive, counted and dropped when slow exactly like a hub client. Checks run
   * before anything is created, so a refusal leaves nothing behind: IF_ERR_HUB_CHANNEL_INVALID,
   * IF_ERR_HUB_FORBIDDEN, IF_ERR_HUB_TOO_MANY_CONNECTIONS.
   */
  openStream(
    principal: HubPrincipal,
    channel: string,
    transport: HubTransport,
    protocol: HubProtocol,
  ): HubConnection {
    const parsed = parseChannel(channel);
    if (!this.authoriser(principal, parsed)) {
      throw new IfError('IF_ERR_HUB_FORBIDDEN', { role: principal.role, channel: parsed.name });
    }
    const connection = this.createConnection(principal, 1);
    connection.attachConnected(transport, protocol);
    try {
      this.subscribe(connection, parsed.name);
    } catch (error) {
      connection.close('server_error');
      throw error;
    }
    return connection;
  }

  findConnection(token: string): HubConnection | undefined {
    return this.connections.get(token);
  }

  // ---- internals ----

  private beat(): void {
    const now = this.clock.now();
    for (const connection of [...this.connections.values()]) connection.tick(now);
    for (const [connection, closedAt] of this.lingering) {
      if (now - closedAt >= this.settings.disconnectTimeoutMs) {
        this.lingering.delete(connection);
        this.connections.delete(connection.token);
      }
    }
  }

  private onClosed(connection: HubConnection, reason: CloseReason): void {
    this.counters.closed[reason]++;
    for (const channel of connection.subscriptions) this.removeSubscriber(channel, connection);
    connection.subscriptions.clear();
    const open = (this.perUser.get(connection.principal.userId) ?? 1) - 1;
    if (open <= 0) this.perUser.delete(connection.principal.userId);
    else this.perUser.set(connection.principal.userId, open);
    if (connection.transport?.kind === 'LongPolling') this.lingering.set(connection, this.clock.now());
    else this.connections.delete(connection.token);
    this.logger.debug({ connectionId: connection.connectionId, reason }, 'hub connection closed');
  }

  private dispatch(connection: HubConnection, message: HubMessage): void {
    switch (message.type) {
      case MessageType.Invocation:
        this.invoke(connection, message);
        return;
      case MessageType.StreamInvocation:
        this.refuseStream(connection, message);
        return;
      case MessageType.Close:
        connection.close('client_close');
        return;
      // Pings only prove liveness (already noted on receipt). No hub method streams or takes client
      // streams, so cancels, stream items and completions have nothing to act on. Ack and Sequence
      // belong to stateful reconnect, which is never negotiated.
      case MessageType.Ping:
      case MessageType.CancelInvocation:
      case MessageType.StreamItem:
      case MessageType.Completion:
      case MessageType.Ack:
      case MessageType.Sequence:
        return;
    }
  }

  private invoke(connection: HubConnection, message: InvocationMessage): void {
    this.counters.invocations++;
    const { target, invocationId } = message;
    const reply = (error?: string): void => {
      if (error !== undefined) this.counters.invocationErrors++;
      // A call without an id is fire-and-forget: the protocol forbids any answer, even an error.
      if (invocationId === undefined) return;
      connection.send({ type: MessageType.Completion, invocationId, error });
    };
    const method = this.methods.get(target.toLowerCase());
    if (method === undefined) {
      reply(`Unknown hub method '${target}'`);
      return;
    }
    if (message.streamIds !== undefined && message.streamIds.length > 0) {
      const detail = `Client sent ${message.streamIds.length} stream(s), Hub method expects 0.`;
      reply(`Failed to invoke '${target}' due to an error on the server. HubException: ${detail}`);
      return;
    }
    try {
      method(connection, message.arguments);
      reply();
    } catch (error) {
      if (isIfError(error)) {
        // ASP.NET's HubException format; clients strip the prefix and read "<code>: <message>".
        reply(
          `An unexpected error occurred invoking '${target}' on the server. HubException: ${errorText(error)}`,
        );
        return;
      }
      this.logger.error({ err: error, target, connectionId: connection.connectionId }, 'hub method failed');
      reply(`An unexpected error occurred invoking '${target}' on the server.`);
    }
  }

  private refuseStream(connection: HubConnection, message: StreamInvocationMessage): void {
    this.counters.invocations++;
    this.counters.invocationErrors++;
    const { target, invocationId } = message;
    const error = this.methods.has(target.toLowerCase())
      ? `The client attempted to invoke the non-streaming '${target}' method with a streaming invocation.`
      : `Unknown hub method '${target}'`;
    connection.send({ type: MessageType.Completion, invocationId, error });
  }

  private subscribe(connection: HubConnection, name: string): void {
    const channel = parseChannel(name);
    const { principal } = connection;
    if (!this.authoriser(principal, channel)) {
      throw new IfError('IF_ERR_HUB_FORBIDDEN', { role: principal.role, channel: channel.name });
    }
    // Idempotent, so clients can simply subscribe again after a reconnect.
    if (connection.subscriptions.has(name)) return;
    if (connection.subscriptions.size >= this.settings.maxSubscriptions) {
      throw new IfError('IF_ERR_HUB_TOO_MANY_SUBSCRIPTIONS', { limit: this.settings.maxSubscriptions });
    }
    // Read before subscribing: a failing snapshot source leaves nothing half done.
    const snapshot = this.options.snapshot === undefined ? [] : [...(this.options.snapshot(name) ?? [])];
    connection.subscriptions.add(name);
    let subscribers = this.channels.get(name);
    if (subscribers === undefined) {
      subscribers = new Set();
      this.channels.set(name, subscribers);
    }
    subscribers.add(connection);
    for (const [key, payload] of snapshot) {
      connection.enqueue(`${name}\u0000${key}`, new SharedUpdate(name, payload, key));
    }
  }

  private unsubscribe(connection: HubConnection, name: string): void {
    if (!connection.subscriptions.delete(name)) return;
    this.removeSubscriber(name, connection);
    connection.discardPending(name);
  }

  private removeSubscriber(channel: string, connection: HubConnection): void {
    const subscribers = this.channels.get(channel);
    if (subscribers === undefined) return;
    subscribers.delete(connection);
    if (subscribers.size === 0) this.channels.delete(channel);
  }

  private validateSettings(): void {
    const s = this.settings;
    const positive: (keyof HubSettings)[] = [
      'keepAliveIntervalMs',
      'clientTimeoutMs',
      'handshakeTimeoutMs',
      'heartbeatIntervalMs',
      'disconnectTimeoutMs',
      'pollTimeoutMs',
      'maxMessageBytes',
      'maxRequestBytes',
      'slowClientGraceMs',
      'maxPendingUpdates',
      'maxSubscriptions',
      'maxConnectionsPerUser',
    ];
    for (const key of positive) {
      const value = s[key];
      if (typeof value !== 'number' || !(value > 0)) {
        throw new IfError('IF_ERR_CONFIG_INVALID', { key: `hub.${key}`, detail: 'must be > 0' });
      }
    }
    for (const key of ['flushIntervalMs', 'highWaterMarkBytes', 'maxBufferedBytes'] as const) {
      if (!(s[key] >= 0))
        throw new IfError('IF_ERR_CONFIG_INVALID', { key: `hub.${key}`, detail: 'must be >= 0' });
    }
    if (s.transports.length === 0) {
      throw new IfError('IF_ERR_CONFIG_INVALID', {
        key: 'hub.transports',
        detail: 'needs at least one transport',
      });
    }
  }
}
