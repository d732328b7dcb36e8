import type { ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import type { Clock, TimerHandle } from '../../core/clock.js';

export type TransportKind = 'WebSockets' | 'ServerSentEvents' | 'LongPolling';

export const ALL_TRANSPORTS: readonly TransportKind[] = ['WebSockets', 'ServerSentEvents', 'LongPolling'];

/** The server→client half of a connection. Client→server bytes arrive through `HubConnection.receive`. */
export interface HubTransport {
  readonly kind: TransportKind;
  /** Server-Sent Events carry text only, so binary protocols cannot use them */
  readonly supportsBinary: boolean;
  /**
   * Long polling keeps itself alive (the client is always re-polling), so it gets no pings and no
   * client timeout; a missing poll is the sign of a dead client instead.
   */
  readonly inherentKeepAlive: boolean;
  /** the client never sends (REST event streams): no client timeout, but keep-alive pings still go out */
  readonly oneWay?: boolean;
  /** Writes one payload of whole records; `binary` picks the WebSocket frame type. */
  send(data: Buffer, binary: boolean): void;
  /** bytes accepted by `send` and not yet handed to the network */
  bufferedBytes(): number;
  /** since when no poll has been held (epoch ms), or `undefined` while one is; long polling only */
  idleSince(): number | undefined;
  /** Ends the transport after what was already sent. Idempotent. */
  close(): void;
}

export class WebSocketTransport implements HubTransport {
  readonly kind = 'WebSockets';
  readonly supportsBinary = true;
  readonly inherentKeepAlive = false;

  constructor(private readonly socket: WebSocket) {}

  send(data: Buffer, binary: boolean): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(data, { binary });
  }

  bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  idleSince(): number | undefined {
    return undefined;
  }

  close(): void {
    // 1000 is the only code the JS client does not report as an error.
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(1000);
  }
}

/**
 * Frames one transport payload as one SSE event: each LF-separated line becomes `data: <line>`, a trailing
 * CR is stripped (EventSource would treat it as a line break), and a blank line ends the event.
 */
export function sseEvent(payload: string): string {
  let out = '';
  for (const raw of payload.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    out += `data: ${line}\r\n`;
  }
  return `${out}\r\n`;
}

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache,no-store',
  Pragma: 'no-cache',
  'Content-Encoding': 'identity',
  // nginx buffers proxied responses unless told not to, which would hold events back.
  'X-Accel-Buffering': 'no',
};

export class ServerSentEventsTransport implements HubTransport {
  readonly kind = 'ServerSentEvents';
  readonly supportsBinary = false;
  readonly inherentKeepAlive = false;

  constructor(private readonly response: ServerResponse) {}

  /** Sends the headers and a comment line at once: some EventSource implementations open only on data. */
  start(): void {
    this.response.writeHead(200, SSE_HEADERS);
    this.response.write(':\r\n');
  }

  send(data: Buffer): void {
    if (this.response.writableEnded || this.response.destroyed) return;
    this.response.write(sseEvent(data.toString('utf8')));
  }

  bufferedBytes(): number {
    return this.response.writableLength;
  }

  idleSince(): number | undefined {
    return undefined;
  }

  close(): void {
    if (!this.response.writableEnded) this.response.end();
  }
}

export type PollOutcome = { readonly status: 200; readonly body: Buffer } | { readonly status: 204 };

interface Waiter {
  readonly resolve: (outcome: PollOutcome) => void;
  readonly timer: TimerHandle;
}

const NO_DATA: PollOutcome = { status: 200, body: Buffer.alloc(0) };
const TERMINATED: PollOutcome = { status: 204 };

/**
 * Long polling: sends queue up until a poll takes them all. A poll with nothing to take is held until
 * data arrives or `pollTimeoutMs` passes (then 200 with no body, and the client polls again).
 */
export class LongPollingTransport implements HubTransport {
  readonly kind = 'LongPolling';
  readonly supportsBinary = true;
  readonly inherentKeepAlive = true;
  private queue: Buffer[] = [];
  private queued = 0;
  private waiter: Waiter | undefined;
  private ended = false;
  private idleFrom: number;

  constructor(
    private readonly clock: Clock,
    private readonly pollTimeoutMs: number,
  ) {
    this.idleFrom = clock.now();
  }

  send(data: Buffer): void {
    if (this.ended) return;
    this.queue.push(data);
    this.queued += data.length;
    if (this.waiter !== undefined) this.finish(this.take());
  }

  bufferedBytes(): number {
    return this.queued;
  }

  idleSince(): number | undefined {
    return this.waiter === undefined ? this.idleFrom : undefined;
  }

  /** true once the transport is closed and every queued byte has been polled */
  get drained(): boolean {
    return this.ended && this.queued === 0;
  }

  /**
   * Starts a poll. A poll already held is answered 204 (ASP.NET does the same: only the newest poll
   * lives). `cancel` releases this poll without losing queued data, for a client that went away.
   */
  poll(): { result: Promise<PollOutcome>; cancel: () => void } {
    if (this.waiter !== undefined) this.finish(TERMINATED);
    this.idleFrom = this.clock.now();
    if (this.queued > 0) return { result: Promise.resolve(this.take()), cancel: () => {} };
    if (this.ended) return { result: Promise.resolve(TERMINATED), cancel: () => {} };
    let mine: Waiter | undefined;
    const result = new Promise<PollOutcome>((resolve) => {
      const timer = this.clock.setTimeout(() => this.finish(NO_DATA), this.pollTimeoutMs);
      mine = { resolve, timer };
      this.waiter = mine;
    });
    const cancel = (): void => {
      if (mine !== undefined && this.waiter === mine) this.finish(TERMINATED);
    };
    return { result, cancel };
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    // A held poll takes whatever is queued (typically the Close message); the next poll then gets 204.
    if (this.waiter !== undefined) this.finish(this.queued > 0 ? this.take() : TERMINATED);
  }

  private take(): PollOutcome {
    const body = this.queue.length === 1 ? (this.queue[0] as Buffer) : Buffer.concat(this.queue, this.queued);
    this.queue = [];
    this.queued = 0;
    return { status: 200, body };
  }

  private finish(outcome: PollOutcome): void {
    const waiter = this.waiter;
    if (waiter === undefined) return;
    this.waiter = undefined;
    this.idleFrom = this.clock.now();
    this.clock.clearTimer(waiter.timer);
    waiter.resolve(outcome);
  }
}
