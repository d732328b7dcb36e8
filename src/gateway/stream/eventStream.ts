import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { type HubProtocol, type HubTransport, MessageType, SSE_HEADERS } from '../hub/index.js';

/** How long EventSource waits before reconnecting after the stream ends (the `retry:` field), ms. */
export const STREAM_RETRY_MS = 3_000;

const EMPTY = Buffer.alloc(0);
const PING = Buffer.from(': ping\n\n');

/**
 * The REST event stream's rendering of hub traffic: each update as `event: update` with
 * `data: {"channel","key","payload"}`, keep-alive pings as `: ping` comments, and the hub's Close (slow
 * client, shutdown) as `event: close` with `data: {"error","allowReconnect"}` before the stream ends.
 * JSON never holds a raw line break, so every event is one `data:` line.
 */
export const eventStreamProtocol: HubProtocol = {
  name: 'event-stream',
  maxVersion: 1,
  transferFormat: 'Text',
  // The client never sends on an event stream.
  parse: () => ({ messages: [], rest: EMPTY }),
  write(message) {
    switch (message.type) {
      case MessageType.Ping:
        return PING;
      case MessageType.Close: {
        const data = JSON.stringify({
          error: message.error ?? null,
          allowReconnect: message.allowReconnect ?? false,
        });
        return Buffer.from(`event: close\ndata: ${data}\n\n`);
      }
      default:
        // Completions and the rest answer client calls, which an event stream cannot make.
        return EMPTY;
    }
  },
  writeUpdate(channel, key, payload) {
    return Buffer.from(`event: update\ndata: ${JSON.stringify({ channel, key, payload })}\n\n`);
  },
};

/**
 * The server half of one `GET /api/v1/stream/:channel` response, as a hub transport. Nothing is written
 * until `start`, so the route can still refuse with a normal HTTP error after the hub accepted it.
 */
export class EventStreamTransport implements HubTransport {
  readonly kind = 'ServerSentEvents';
  readonly supportsBinary = false;
  readonly inherentKeepAlive = false;
  readonly oneWay = true;
  private started = false;

  constructor(private readonly response: ServerResponse) {}

  /** Sends the status, `headers` (security and CORS headers the route already set) and the retry hint. */
  start(
    headers: Readonly<Record<string, string | number | readonly string[] | undefined>>,
    retryMs = STREAM_RETRY_MS,
  ): void {
    if (this.started) return;
    this.started = true;
    const head: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined)
        head[name] = typeof value === 'number' ? String(value) : (value as string | string[]);
    }
    this.response.writeHead(200, { ...head, ...SSE_HEADERS });
    this.response.write(`retry: ${retryMs}\n: open\n\n`);
  }

  send(data: Buffer): void {
    if (!this.started || this.response.writableEnded || this.response.destroyed) return;
    if (data.length > 0) this.response.write(data);
  }

  bufferedBytes(): number {
    return this.response.writableLength;
  }

  idleSince(): number | undefined {
    return undefined;
  }

  close(): void {
    if (this.started && !this.response.writableEnded) this.response.end();
  }
}
