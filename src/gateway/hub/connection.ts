import type { Clock, TimerHandle } from '../../core/clock.js';
import { IfError, isIfError } from '../../core/errors.js';
import type { Logger } from '../../ops/logger.js';
import type { HubPrincipal } from './channels.js';
import { HANDSHAKE_OK, type HandshakeRequest, handshakeError, parseHandshake } from './handshake.js';
import { type CloseMessage, type HubMessage, type HubProtocol, MessageType } from './protocol.js';
import type { CloseReason, HubCounters, HubSettings } from './settings.js';
import type { HubTransport } from './transports.js';

/**
 * One published value, shared by every subscriber it is queued for. Its encoded frame is cached, so a
 * value fanned out to 100 connections is serialised once per protocol rather than 100 times.
 */
export class SharedUpdate {
  private frameProtocol: HubProtocol | undefined;
  private frame: Buffer | undefined;
  /** frames in further protocols (hub JSON and REST event streams on one channel), made on demand */
  private others: Map<HubProtocol, Buffer | undefined> | undefined;

  constructor(
    readonly channel: string,
    readonly payload: unknown,
    /** the conflation key within the channel (event streams show it; hub clients do not see it) */
    readonly key = '',
  ) {}

  /** The `update(channel, payload)` invocation in `protocol`, or `undefined` if the payload cannot be encoded. */
  encode(protocol: HubProtocol): Buffer | undefined {
    if (this.frameProtocol === protocol) return this.frame;
    if (this.frameProtocol !== undefined) {
      this.others ??= new Map();
      if (this.others.has(protocol)) return this.others.get(protocol);
      const frame = this.render(protocol);
      this.others.set(protocol, frame);
      return frame;
    }
    this.frameProtocol = protocol;
    this.frame = this.render(protocol);
    return this.frame;
  }

  private render(protocol: HubProtocol): Buffer | undefined {
    try {
      if (protocol.writeUpdate !== undefined) {
        return protocol.writeUpdate(this.channel, this.key, this.payload);
      }
      return protocol.write({
        type: MessageType.Invocation,
        target: 'update',
        arguments: [this.channel, this.payload],
      });
    } catch {
      return undefined;
    }
  }
}

/** What a connection needs from the hub that owns it. */
export interface ConnectionHost {
  readonly clock: Clock;
  readonly settings: HubSettings;
  readonly counters: HubCounters;
  readonly protocols: readonly HubProtocol[];
  readonly logger: Logger;
  dispatch(connection: HubConnection, message: HubMessage): void;
  closed(connection: HubConnection, reason: CloseReason): void;
}

/**
 * negotiated → attaching (WebSocket upgrade under way) → handshaking (transport up) → connected → closed.
 */
export type ConnectionState = 'negotiated' | 'attaching' | 'handshaking' | 'connected' | 'closed';

const EMPTY = Buffer.alloc(0);
const PING: HubMessage = { type: MessageType.Ping };

/** The text clients show after the ASP.NET prefix: the stable code first, so clients can branch on it. */
export function errorText(error: IfError): string {
  return `${error.code}: ${error.message}`;
}

/** One logical SignalR connection: handshake, inbound parsing, outbound writes and per-client conflation. */
export class HubConnection {
  state: ConnectionState = 'negotiated';
  transport: HubTransport | undefined;
  protocol: HubProtocol | undefined;
  closeReason: CloseReason | undefined;
  /** channels this connection is subscribed to; the hub keeps the reverse index */
  readonly subscriptions = new Set<string>();
  private stateSince: number;
  private lastReceivedAt: number;
  private lastSentAt: number;
  private inbound: Buffer = EMPTY;
  private binary = false;
  /** latest value per (channel, key) not yet written; insertion order is send order */
  private readonly pending = new Map<string, SharedUpdate>();
  private flushTimer: TimerHandle | undefined;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private overLimitSince: number | undefined;

  constructor(
    private readonly host: ConnectionHost,
    /** public identity, safe to log */
    readonly connectionId: string,
    /** secret the client presents as `?id=`; never log it */
    readonly token: string,
    readonly principal: HubPrincipal,
  ) {
    const now = host.clock.now();
    this.stateSince = now;
    this.lastReceivedAt = now;
    this.lastSentAt = now;
  }

  get pendingUpdates(): number {
    return this.pending.size;
  }

  /** Claims the connection for a WebSocket whose upgrade is in progress, so a second one gets 409. */
  reserve(): void {
    if (this.state === 'negotiated') this.setState('attaching');
  }

  attach(transport: HubTransport): void {
    if (this.state !== 'negotiated' && this.state !== 'attaching') {
      transport.close();
      return;
    }
    this.transport = transport;
    this.lastReceivedAt = this.host.clock.now();
    this.setState('handshaking');
  }

  /**
   * Attaches a one-way transport that has no handshake (a REST event stream): connected at once, its
   * updates rendered by `protocol`, conflated, flushed and dropped when slow like any other connection.
   */
  attachConnected(transport: HubTransport, protocol: HubProtocol): void {
    if (this.state !== 'negotiated') {
      transport.close();
      return;
    }
    this.transport = transport;
    this.protocol = protocol;
    this.binary = false;
    this.lastReceivedAt = this.host.clock.now();
    this.setState('connected');
  }

  /** Bytes from the client: the handshake first, then hub messages. Partial records wait for the rest. */
  receive(data: Buffer): void {
    if (this.state !== 'handshaking' && this.state !== 'connected') return;
    const { counters, settings } = this.host;
    this.lastReceivedAt = this.host.clock.now();
    counters.bytesReceived += data.length;
    let input = this.inbound.length === 0 ? data : Buffer.concat([this.inbound, data]);
    this.inbound = EMPTY;
    try {
      if (this.state === 'handshaking') {
        const handshake = parseHandshake(input, settings.maxMessageBytes);
        if (handshake === undefined) {
          this.inbound = Buffer.from(input);
          return;
        }
        if (!this.completeHandshake(handshake.request)) return;
        input = handshake.rest;
        if (input.length === 0) return;
      }
      const protocol = this.protocol;
      if (protocol === undefined) return;
      const { messages, rest } = protocol.parse(input, settings.maxMessageBytes);
      // Copy the tail so a large transport buffer is not kept alive by a few bytes.
      if (rest.length > 0) this.inbound = Buffer.from(rest);
      for (const message of messages) {
        if (this.state !== 'connected') break;
        counters.messagesReceived++;
        this.host.dispatch(this, message);
      }
    } catch (error) {
      if (isIfError(error, 'IF_ERR_HUB_PROTOCOL')) {
        this.host.logger.debug({ connectionId: this.connectionId, err: error }, 'hub protocol error');
        if (this.state === 'handshaking') this.failHandshake(errorText(error), 'handshake_failed');
        else this.close('protocol_error', { error: errorText(error), allowReconnect: false });
        return;
      }
      // Dispatch contains its own errors; anything reaching here is a bug, and it must not take the
      // process down from inside a socket event.
      this.host.logger.error({ connectionId: this.connectionId, err: error }, 'hub connection failed');
      this.close('server_error', { error: 'Connection closed with an error.', allowReconnect: true });
    }
  }

  /** Writes one message now, ahead of any conflated updates still pending. */
  send(message: HubMessage): void {
    const protocol = this.protocol;
    if (this.state !== 'connected' || protocol === undefined) return;
    this.write(protocol.write(message));
  }

  /** Queues the latest value for `slot` (channel and key); an older value still pending is replaced. */
  enqueue(slot: string, update: SharedUpdate): void {
    if (this.state !== 'connected') return;
    const { counters, settings } = this.host;
    const before = this.pending.size;
    this.pending.set(slot, update);
    if (this.pending.size === before) {
      counters.updatesConflated++;
    } else {
      counters.updatesQueued++;
      if (this.pending.size > settings.maxPendingUpdates) {
        const detail = `more than ${settings.maxPendingUpdates} distinct updates pending`;
        this.drop('pending_overflow', new IfError('IF_ERR_HUB_SLOW_CLIENT', { detail }));
        return;
      }
    }
    if (this.flushTimer === undefined) this.scheduleFlush();
  }

  /** Forgets pending updates of a channel the client has just left. */
  discardPending(channel: string): void {
    for (const [slot, update] of this.pending) {
      if (update.channel === channel) this.pending.delete(slot);
    }
  }

  /** Timer checks, run by the hub every heartbeat. */
  tick(now: number): void {
    const { settings } = this.host;
    switch (this.state) {
      case 'negotiated':
      case 'attaching':
        if (now - this.stateSince >= settings.disconnectTimeoutMs) this.close('unattached');
        return;
      case 'handshaking':
        if (now - this.stateSince >= settings.handshakeTimeoutMs) {
          this.failHandshake('Handshake was canceled.', 'handshake_timeout');
        }
        return;
      case 'closed':
        return;
      case 'connected':
        break;
    }
    const transport = this.transport;
    if (transport === undefined) return;
    if (transport.inherentKeepAlive) {
      const idleSince = transport.idleSince();
      if (idleSince !== undefined && now - idleSince >= settings.disconnectTimeoutMs) {
        this.close('poll_timeout');
        return;
      }
    } else {
      // A one-way client (event stream) never sends: only its socket closing tells it has gone.
      if (transport.oneWay !== true && now - this.lastReceivedAt >= settings.clientTimeoutMs) {
        const error = new IfError('IF_ERR_HUB_CLIENT_TIMEOUT', { ms: settings.clientTimeoutMs });
        this.drop('client_timeout', error);
        return;
      }
      if (now - this.lastSentAt >= settings.keepAliveIntervalMs) this.send(PING);
    }
    if (transport.bufferedBytes() > settings.maxBufferedBytes) {
      this.overLimitSince ??= now;
      if (now - this.overLimitSince >= settings.slowClientGraceMs) {
        const detail = `send buffer above ${settings.maxBufferedBytes} bytes for ${settings.slowClientGraceMs} ms`;
        this.drop('slow_client', new IfError('IF_ERR_HUB_SLOW_CLIENT', { detail }));
      }
    } else {
      this.overLimitSince = undefined;
    }
  }

  /**
   * Ends the connection. When it had completed the handshake, `message` (a Close) goes out first so
   * the client learns why and whether to reconnect. Idempotent.
   */
  close(reason: CloseReason, message?: Omit<CloseMessage, 'type'>): void {
    if (this.state === 'closed') return;
    if (message !== undefined) this.send({ type: MessageType.Close, ...message });
    this.setState('closed');
    this.closeReason = reason;
    if (this.flushTimer !== undefined) this.host.clock.clearTimer(this.flushTimer);
    this.flushTimer = undefined;
    this.pending.clear();
    this.transport?.close();
    this.host.closed(this, reason);
  }

  private drop(reason: CloseReason, error: IfError): void {
    this.host.logger.warn(
      { connectionId: this.connectionId, userId: this.principal.userId, reason },
      'hub client dropped',
    );
    // A slow or silent client may do better on a fresh connection, so it is allowed to come back.
    this.close(reason, { error: errorText(error), allowReconnect: true });
  }

  private completeHandshake(request: HandshakeRequest): boolean {
    const protocol = this.host.protocols.find((p) => p.name === request.protocol);
    // The messages are ASP.NET's own, which client code in the wild already recognises.
    if (protocol === undefined) {
      this.failHandshake(`The protocol '${request.protocol}' is not supported.`, 'handshake_failed');
      return false;
    }
    if (request.version < 1 || request.version > protocol.maxVersion) {
      const text = `The server does not support version ${request.version} of the '${protocol.name}' protocol.`;
      this.failHandshake(text, 'handshake_failed');
      return false;
    }
    if (protocol.transferFormat === 'Binary' && this.transport?.supportsBinary !== true) {
      const text = `Cannot use the '${protocol.name}' protocol on the current transport. The transport does not support 'Binary' transfer format.`;
      this.failHandshake(text, 'handshake_failed');
      return false;
    }
    this.protocol = protocol;
    this.binary = protocol.transferFormat === 'Binary';
    this.write(HANDSHAKE_OK);
    this.setState('connected');
    return true;
  }

  private failHandshake(error: string, reason: CloseReason): void {
    this.host.counters.handshakeFailures++;
    this.write(handshakeError(error));
    this.close(reason);
  }

  private write(frame: Buffer): void {
    const transport = this.transport;
    if (transport === undefined || this.state === 'closed') return;
    transport.send(frame, this.binary);
    this.lastSentAt = this.host.clock.now();
    this.host.counters.bytesSent += frame.length;
  }

  private scheduleFlush(): void {
    const { clock, settings } = this.host;
    // Leading edge: after a quiet spell the first update leaves on the next timer turn; later ones
    // wait for the period to end, so a client never gets more than one batch per period.
    const wait = Math.max(0, this.lastFlushAt + settings.flushIntervalMs - clock.now());
    this.flushTimer = clock.setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.flushTimer = undefined;
    const protocol = this.protocol;
    const transport = this.transport;
    if (this.state !== 'connected' || protocol === undefined || transport === undefined) return;
    if (this.pending.size === 0) return;
    const { clock, counters, settings } = this.host;
    if (transport.bufferedBytes() > settings.highWaterMarkBytes) {
      // The network is behind: keep conflating and look again later. A blocked socket drains at network
      // speed, so checking it more often than 20 times a second only burns CPU.
      counters.flushesDeferred++;
      this.flushTimer = clock.setTimeout(() => this.flush(), Math.max(settings.flushIntervalMs, 50));
      return;
    }
    const frames: Buffer[] = [];
    let bytes = 0;
    for (const update of this.pending.values()) {
      const frame = update.encode(protocol);
      if (frame === undefined) {
        counters.encodeFailures++;
        continue;
      }
      frames.push(frame);
      bytes += frame.length;
    }
    this.pending.clear();
    this.lastFlushAt = clock.now();
    if (frames.length === 0) return;
    counters.updatesSent += frames.length;
    this.write(frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames, bytes));
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.stateSince = this.host.clock.now();
  }
}
