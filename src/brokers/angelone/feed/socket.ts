import WebSocket from 'ws';
import type { IncomingMessage } from 'node:http';
import type { Clock, TimerHandle } from '../../../core/clock.js';
import type { IfError } from '../../../core/errors.js';
import type { Logger } from '../../../ops/logger.js';
import { type BackoffPolicy, backoffDelayMs } from './backoff.js';

/**
 * `closed`: not wanted (never started, or closed by the owner). `connecting`: handshake in flight.
 * `open`: handshake done, frames flowing. `stale`: the watchdog found the open socket silent, killed it
 * and waits to reconnect. `backing-off`: waiting to reconnect after a close, error or refusal.
 */
export type SocketState = 'connecting' | 'open' | 'stale' | 'backing-off' | 'closed';

export const SOCKET_STATES: readonly SocketState[] = ['connecting', 'open', 'stale', 'backing-off', 'closed'];

/** `text` sends the documented text `ping`; `protocol` sends RFC 6455 PING frames; `both` sends both. */
export type HeartbeatStyle = 'text' | 'protocol' | 'both';

export type ReconnectReason =
  | 'closed'
  | 'connect-failed'
  | 'timeout'
  | 'auth'
  | 'rate-limited'
  | 'stale'
  | 'bad-frames';

/** Events every reconnecting socket emits. `atMs` is clock time. */
export type SocketEvent =
  | { type: 'state'; from: SocketState; to: SocketState; atMs: number }
  | { type: 'open'; atMs: number }
  | { type: 'close'; code: number; reason: string; wasOpen: boolean; atMs: number }
  | { type: 'reconnect-scheduled'; delayMs: number; step: number; reason: ReconnectReason; atMs: number }
  | { type: 'stale'; silentForMs: number; atMs: number }
  | { type: 'error'; error: IfError; atMs: number; correlationId?: string }
  | { type: 'alert'; consecutiveFailures: number; atMs: number }
  | { type: 'recovered'; atMs: number };

/** How the owner turns socket-level failures into catalogued errors (codes differ per socket). */
export interface SocketErrorFactory {
  auth(status: number, detail: string): IfError;
  rateLimited(detail: string): IfError;
  unavailable(detail: string): IfError;
}

/**
 * The liveness and reconnect policy every Angel socket client accepts (market data and order status); each
 * client fills its own defaults. Backoff and heartbeat timers run on `clock` (wall time in live use).
 */
export interface ReconnectPolicyOptions {
  clock: Clock;
  logger?: Logger;
  /** heartbeat period, ms (Angel asks for a ping every 10 s) */
  pingIntervalMs?: number;
  /** no frame at all (data or pong) for this long while the market is open → stale; default 2 × ping */
  staleAfterMs?: number;
  /** gates the stale watchdog and picks the backoff cap */
  isMarketOpen?: (nowMs: number) => boolean;
  backoff?: Partial<BackoffPolicy>;
  /** uniform [0, 1) for jitter; inject a constant in tests */
  random?: () => number;
  /** called when the handshake refuses the credentials, so the owner can refresh the session first */
  onAuthFailure?: () => Promise<void>;
  /** pause after an auth failure before the next attempt, ms */
  authRetryMs?: number;
  connectTimeoutMs?: number;
  /** consecutive failed attempts before an `alert` event */
  alertAfterFailures?: number;
}

export interface ReconnectingSocketOptions {
  /** for logs only, e.g. `smart-stream#1` */
  name: string;
  url: string;
  /** called before every attempt, so refreshed credentials are picked up; a throw counts as an auth failure */
  headers: () => Promise<Record<string, string>>;
  clock: Clock;
  logger: Logger;
  pingIntervalMs: number;
  heartbeat: HeartbeatStyle;
  /** no frame for this long while the market is open → stale */
  staleAfterMs: number;
  isMarketOpen: (nowMs: number) => boolean;
  backoff: BackoffPolicy;
  random: () => number;
  onAuthFailure: (() => Promise<void>) | undefined;
  /** handshake statuses that mean "credentials refused" */
  authStatuses: readonly number[];
  /** after an auth failure, no new attempt for this long (no hot loop against a login wall) */
  authRetryMs: number;
  connectTimeoutMs: number;
  alertAfterFailures: number;
  maxPayloadBytes: number;
  /** recycle the socket when more than `count` frames are rejected within `windowMs` */
  badFrameLimit: { count: number; windowMs: number };
  errors: SocketErrorFactory;
  /** the hot path: every data frame, after liveness has been recorded */
  onMessage: (data: Buffer, isBinary: boolean, receivedAtMs: number) => void;
  emit: (event: SocketEvent) => void;
}

export interface SocketCounters {
  /** connection attempts made (handshakes started) */
  attempts: number;
  /** handshakes completed */
  opens: number;
  /** reconnects scheduled after a close, failure, refusal or stale socket */
  reconnects: number;
  staleEvents: number;
  /** consecutive attempts that did not lead to a connection staying up */
  consecutiveFailures: number;
  /** clock time of the last frame of any kind (data, text, pong, ping), 0 before the first */
  lastFrameAtMs: number;
  /** clock time the current socket opened, undefined when none is open */
  openSinceMs: number | undefined;
}

interface Timers {
  reconnect?: TimerHandle;
  connect?: TimerHandle;
  ping?: TimerHandle;
  watchdog?: TimerHandle;
  stable?: TimerHandle;
}

function headerText(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join('; ') : value;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * One WebSocket kept alive: connects with fresh headers, sends heartbeats, declares the socket stale
 * when it goes silent during market hours, and reconnects with capped, jittered exponential backoff.
 *
 * Invariant: at most one `ws` instance is live per object. A socket is retired (its handlers turned
 * into no-ops, its TCP connection destroyed) before the next is created, so a late `close` from an old
 * socket can never schedule a second reconnect (the JS SDK's watchdog bug that ends in handshake 429s).
 * Every timer comes from the injected Clock and is cleared on close.
 */
export class ReconnectingSocket {
  private socketState: SocketState = 'closed';
  private socket: WebSocket | undefined;
  /** bumped on every start/close so continuations of an abandoned attempt notice and stop */
  private epoch = 0;
  private running = false;
  private readonly timers: Timers = {};
  /** backoff exponent within the current outage */
  private step = 0;
  private failures = 0;
  private alerted = false;
  /** the current socket has stayed up for `resetAfterMs` */
  private stable = false;
  private lastFrameAtMs = 0;
  private openedAtMs: number | undefined;
  private authBlockedUntilMs = 0;
  private authRefresh: Promise<void> | undefined;
  private lastSocketError: string | undefined;
  private badFrameWindowStartMs = 0;
  private badFramesInWindow = 0;
  private attempts = 0;
  private opens = 0;
  private reconnects = 0;
  private staleEvents = 0;

  constructor(private readonly options: ReconnectingSocketOptions) {}

  get state(): SocketState {
    return this.socketState;
  }

  isOpen(): boolean {
    return this.socketState === 'open';
  }

  counters(): SocketCounters {
    return {
      attempts: this.attempts,
      opens: this.opens,
      reconnects: this.reconnects,
      staleEvents: this.staleEvents,
      consecutiveFailures: this.failures,
      lastFrameAtMs: this.lastFrameAtMs,
      openSinceMs: this.openedAtMs,
    };
  }

  /** Starts connecting (no-op when already started). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.epoch++;
    this.step = 0;
    this.failures = 0;
    this.alerted = false;
    const wait = this.authBlockedUntilMs - this.options.clock.now();
    if (wait > 0) {
      // a restart must not sidestep the pacing that follows an auth failure
      this.setState('backing-off');
      this.timers.reconnect = this.options.clock.setTimeout(() => this.fireReconnect(), wait);
      return;
    }
    this.launch();
  }

  /**
   * Stops for good (until `start` again): clears every timer synchronously and closes the socket.
   * Resolves once the socket has closed.
   */
  close(): Promise<void> {
    this.running = false;
    this.epoch++;
    this.clearTimer('reconnect');
    this.clearSocketTimers();
    const ws = this.socket;
    this.socket = undefined;
    this.openedAtMs = undefined;
    this.setState('closed');
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once('close', () => resolve());
      // Say goodbye, but do not wait for the server's reply: the connection must be gone at once, or a
      // restart could briefly hold two sockets against Angel's three-per-client limit.
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'client closing');
      ws.terminate();
    });
  }

  /** Sends a text frame when open; returns false (and sends nothing) otherwise. */
  send(text: string): boolean {
    const ws = this.socket;
    if (ws === undefined || this.socketState !== 'open' || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(text);
    return true;
  }

  /** The owner rejected a frame; too many in a window recycles the socket (F4: > 100 in 60 s). */
  reportBadFrame(atMs: number): void {
    const { count, windowMs } = this.options.badFrameLimit;
    if (atMs - this.badFrameWindowStartMs >= windowMs) {
      this.badFrameWindowStartMs = atMs;
      this.badFramesInWindow = 0;
    }
    this.badFramesInWindow++;
    if (this.badFramesInWindow > count && this.socket !== undefined && this.socketState === 'open') {
      this.options.logger.warn(
        { socket: this.options.name, badFrames: this.badFramesInWindow, windowMs },
        'too many rejected frames; recycling the socket',
      );
      this.badFramesInWindow = 0;
      this.retire(this.socket);
      this.scheduleReconnect('bad-frames', 0, 'backing-off');
    }
  }

  private async connect(): Promise<void> {
    const epoch = this.epoch;
    const { clock, logger, name } = this.options;
    this.setState('connecting');
    this.attempts++;
    this.stable = false;
    this.lastSocketError = undefined;
    let headers: Record<string, string>;
    try {
      headers = await this.options.headers();
    } catch (error) {
      if (epoch !== this.epoch) return;
      this.onAuthRefused(0, `credentials unavailable: ${errorText(error)}`);
      return;
    }
    if (epoch !== this.epoch) return;
    if (this.socket !== undefined) this.retire(this.socket);

    let ws: WebSocket;
    try {
      ws = new WebSocket(this.options.url, {
        headers,
        perMessageDeflate: false,
        followRedirects: false,
        maxPayload: this.options.maxPayloadBytes,
      });
    } catch (error) {
      this.emitError(this.options.errors.unavailable(errorText(error)));
      this.scheduleReconnect('connect-failed', 0, 'backing-off');
      return;
    }
    this.socket = ws;
    logger.debug({ socket: name, url: this.options.url, attempt: this.attempts }, 'connecting');
    this.timers.connect = clock.setTimeout(() => {
      this.timers.connect = undefined;
      if (ws !== this.socket) return;
      this.retire(ws);
      this.emitError(
        this.options.errors.unavailable(`handshake not completed within ${this.options.connectTimeoutMs} ms`),
      );
      this.scheduleReconnect('timeout', 0, 'backing-off');
    }, this.options.connectTimeoutMs);

    ws.on('unexpected-response', (_request, response: IncomingMessage) => {
      if (ws !== this.socket) return;
      this.onHandshakeRefused(ws, response);
    });
    ws.on('open', () => {
      if (ws === this.socket) this.onOpen(ws);
    });
    ws.on('message', (data, isBinary) => {
      if (ws !== this.socket) return;
      const now = clock.now();
      this.lastFrameAtMs = now;
      try {
        this.options.onMessage(toBuffer(data), isBinary, now);
      } catch (error) {
        logger.error({ socket: name, err: errorText(error) }, 'frame handler threw; frame dropped');
      }
    });
    ws.on('pong', () => {
      if (ws === this.socket) this.lastFrameAtMs = clock.now();
    });
    ws.on('ping', () => {
      if (ws === this.socket) this.lastFrameAtMs = clock.now();
    });
    // Kept on retired sockets too: ws emits 'error' after terminate(), and an EventEmitter 'error' with
    // no listener would crash the process.
    ws.on('error', (error) => {
      if (ws === this.socket) this.lastSocketError = error.message;
    });
    ws.on('close', (code, reason) => {
      if (ws === this.socket) this.onSocketClosed(code, reason.toString('utf8'));
    });
  }

  private onHandshakeRefused(ws: WebSocket, response: IncomingMessage): void {
    const status = response.statusCode ?? 0;
    const detail = headerText(response.headers['x-error-message']) ?? `HTTP ${status}`;
    // terminate() aborts the request and destroys the TCP socket: a refused handshake must not leave a
    // connection behind (leaked connections are what trips Angel's 3-connection limit)
    this.retire(ws);
    if (this.options.authStatuses.includes(status)) {
      this.onAuthRefused(status, detail);
    } else if (status === 429) {
      this.emitError(this.options.errors.rateLimited(detail));
      this.scheduleReconnect('rate-limited', this.currentCapMs(), 'backing-off');
    } else {
      this.emitError(this.options.errors.unavailable(`handshake refused with HTTP ${status}: ${detail}`));
      this.scheduleReconnect('connect-failed', 0, 'backing-off');
    }
  }

  private onAuthRefused(status: number, detail: string): void {
    const { clock, logger, name, onAuthFailure } = this.options;
    this.emitError(this.options.errors.auth(status, detail));
    this.authBlockedUntilMs = clock.now() + this.options.authRetryMs;
    // Not awaited by the next attempt: the 30 s pause gives the refresh its time, and a refresh that
    // hangs must not freeze the socket (the attempt then uses whatever credentials() returns).
    if (onAuthFailure !== undefined && this.authRefresh === undefined) {
      const refresh = Promise.resolve()
        .then(onAuthFailure)
        .catch((error: unknown) => {
          logger.error(
            { socket: name, err: errorText(error) },
            'session refresh after an auth failure failed',
          );
        })
        .finally(() => {
          if (this.authRefresh === refresh) this.authRefresh = undefined;
        });
      this.authRefresh = refresh;
    }
    this.scheduleReconnect('auth', this.options.authRetryMs, 'backing-off');
  }

  private onOpen(ws: WebSocket): void {
    const { clock, logger, name } = this.options;
    this.clearTimer('connect');
    const now = clock.now();
    this.openedAtMs = now;
    // the handshake itself proves liveness; without this a reopened socket would look stale at once
    this.lastFrameAtMs = now;
    this.opens++;
    this.setState('open');
    logger.info({ socket: name, opens: this.opens }, 'connected');
    this.timers.ping = clock.setInterval(() => this.sendHeartbeat(ws), this.options.pingIntervalMs);
    this.armWatchdog(this.options.staleAfterMs);
    this.timers.stable = clock.setTimeout(() => {
      this.timers.stable = undefined;
      this.stable = true;
      this.step = 0;
      this.failures = 0;
      if (this.alerted) {
        this.alerted = false;
        this.options.emit({ type: 'recovered', atMs: clock.now() });
      }
    }, this.options.backoff.resetAfterMs);
    this.options.emit({ type: 'open', atMs: now });
  }

  private onSocketClosed(code: number, reason: string): void {
    const now = this.options.clock.now();
    const wasOpen = this.openedAtMs !== undefined;
    this.socket = undefined;
    this.clearSocketTimers();
    this.options.emit({ type: 'close', code, reason, wasOpen, atMs: now });
    if (!wasOpen) {
      const detail = this.lastSocketError ?? `closed during handshake (code ${code})`;
      this.emitError(this.options.errors.unavailable(detail));
    }
    this.scheduleReconnect(wasOpen ? 'closed' : 'connect-failed', 0, 'backing-off');
  }

  private sendHeartbeat(ws: WebSocket): void {
    if (ws !== this.socket || ws.readyState !== WebSocket.OPEN) return;
    const style = this.options.heartbeat;
    try {
      if (style !== 'protocol') ws.send('ping');
      if (style !== 'text') ws.ping();
    } catch (error) {
      // the socket is going down; its close event drives the reconnect
      this.options.logger.debug({ socket: this.options.name, err: errorText(error) }, 'heartbeat not sent');
    }
  }

  private armWatchdog(delayMs: number): void {
    this.timers.watchdog = this.options.clock.setTimeout(() => this.checkLiveness(), Math.max(1, delayMs));
  }

  private checkLiveness(): void {
    this.timers.watchdog = undefined;
    const ws = this.socket;
    if (ws === undefined || this.socketState !== 'open') return;
    const { clock, staleAfterMs } = this.options;
    const now = clock.now();
    const silentForMs = now - this.lastFrameAtMs;
    if (silentForMs < staleAfterMs) {
      this.armWatchdog(staleAfterMs - silentForMs);
      return;
    }
    if (!this.options.isMarketOpen(now)) {
      // quiet markets are not dead sockets (the stall detectors openalgo had to fix fired at night)
      this.armWatchdog(staleAfterMs);
      return;
    }
    this.staleEvents++;
    this.options.logger.warn({ socket: this.options.name, silentForMs }, 'socket stale; recycling');
    this.options.emit({ type: 'stale', silentForMs, atMs: now });
    this.retire(ws);
    this.scheduleReconnect('stale', 0, 'stale');
  }

  private scheduleReconnect(reason: ReconnectReason, minDelayMs: number, nextState: SocketState): void {
    this.openedAtMs = undefined;
    if (!this.running) {
      this.setState('closed');
      return;
    }
    const { clock, logger, name } = this.options;
    const now = clock.now();
    if (!this.stable) this.failures++;
    if (this.failures >= this.options.alertAfterFailures && !this.alerted) {
      this.alerted = true;
      logger.error({ socket: name, consecutiveFailures: this.failures }, 'socket keeps failing to connect');
      this.options.emit({ type: 'alert', consecutiveFailures: this.failures, atMs: now });
    }
    const step = this.step;
    this.step++;
    const delay = Math.max(
      backoffDelayMs(step, this.currentCapMs(), this.options.backoff, this.options.random()),
      minDelayMs,
      this.authBlockedUntilMs - now,
    );
    this.reconnects++;
    this.setState(nextState);
    logger.info({ socket: name, reason, delayMs: delay, step }, 'reconnect scheduled');
    this.options.emit({ type: 'reconnect-scheduled', delayMs: delay, step, reason, atMs: now });
    this.clearTimer('reconnect');
    this.timers.reconnect = clock.setTimeout(() => this.fireReconnect(), delay);
  }

  private fireReconnect(): void {
    this.timers.reconnect = undefined;
    if (this.running) this.launch();
  }

  private launch(): void {
    this.connect().catch((error: unknown) => {
      // connect() handles its own failures; anything reaching here is a bug, and it must not become an
      // unhandled rejection that takes the process down
      this.options.logger.error(
        { socket: this.options.name, err: errorText(error) },
        'connect failed unexpectedly',
      );
      if (this.running && this.socket === undefined && this.timers.reconnect === undefined) {
        this.scheduleReconnect('connect-failed', 0, 'backing-off');
      }
    });
  }

  private currentCapMs(): number {
    const { backoff, clock, isMarketOpen } = this.options;
    return isMarketOpen(clock.now()) ? backoff.maxMs : backoff.closedMarketMaxMs;
  }

  /** Detaches a socket from this object and destroys it; its late events are ignored. */
  private retire(ws: WebSocket): void {
    if (this.socket === ws) this.socket = undefined;
    this.clearSocketTimers();
    ws.terminate();
  }

  private clearSocketTimers(): void {
    this.clearTimer('connect');
    this.clearTimer('ping');
    this.clearTimer('watchdog');
    this.clearTimer('stable');
  }

  private clearTimer(key: keyof Timers): void {
    const handle = this.timers[key];
    if (handle !== undefined) {
      this.options.clock.clearTimer(handle);
      this.timers[key] = undefined;
    }
  }

  private setState(to: SocketState): void {
    const from = this.socketState;
    if (from === to) return;
    this.socketState = to;
    this.options.emit({ type: 'state', from, to, atMs: this.options.clock.now() });
  }

  private emitError(error: IfError): void {
    this.options.emit({ type: 'error', error, atMs: this.options.clock.now() });
  }
}
