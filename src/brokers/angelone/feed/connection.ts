import { z } from 'zod';
import { IfError } from '../../../core/errors.js';
import { type Logger, silentLogger } from '../../../ops/logger.js';
import { type FeedPacket, tryDecodePacket } from '../codec/index.js';
import { resolveBackoff } from './backoff.js';
import { EventHub } from './events.js';
import {
  type ReconnectPolicyOptions,
  ReconnectingSocket,
  type SocketCounters,
  type SocketEvent,
  type SocketState,
} from './socket.js';

export const SMART_STREAM_URL = 'wss://smartapisocket.angelone.in/smart-stream';

/** What the WebSocket 2.0 handshake needs; from the REST login (or a token refresh). */
export interface FeedCredentials {
  clientCode: string;
  feedToken: string;
  jwtToken: string;
  apiKey: string;
}

/** Hot-path packet handler: a plain callback, not an event, so a tick costs one call. */
export type PacketHandler = (packet: FeedPacket, receivedAtMs: number) => void;

/** Sees every frame before it is decoded (for recording). `payload` is only valid during the call. */
export type RawFrameTap = (
  kind: 'binary' | 'text',
  payload: Uint8Array | string,
  receivedAtMs: number,
) => void;

export type FeedConnectionEvent =
  | SocketEvent
  | { type: 'rejected-frame'; code: string; detail: string; size: number; atMs: number }
  | { type: 'unknown-text'; text: string; atMs: number };

export interface SmartStreamConnectionOptions extends ReconnectPolicyOptions {
  url: string;
  credentials: () => Promise<FeedCredentials> | FeedCredentials;
  /** recycle the socket when more than `count` binary frames are rejected within `windowMs` */
  badFrameLimit?: { count: number; windowMs: number };
  /** for logs, e.g. `smart-stream#0` */
  name?: string;
  onPacket?: PacketHandler;
  onRawFrame?: RawFrameTap;
}

export interface FeedConnectionStats extends SocketCounters {
  state: SocketState;
  binaryFrames: number;
  textFrames: number;
  packets: number;
  pongs: number;
  /** rejected binary frames by catalogue code (IF_ERR_PACKET_SIZE, …) */
  rejectedFrames: Record<string, number>;
  unknownText: number;
  /** E1001 / E1002 and other error JSON from the server */
  serverErrors: number;
}

/** Builds the four handshake headers. Header values are secrets: never log them. */
export function smartStreamHeaders(credentials: FeedCredentials): Record<string, string> {
  const missing = (['clientCode', 'feedToken', 'jwtToken', 'apiKey'] as const).filter(
    (key) => typeof credentials[key] !== 'string' || credentials[key].trim() === '',
  );
  if (missing.length > 0) throw new Error(`missing credential field(s): ${missing.join(', ')}`);
  return {
    // Angel's docs say "the jwt token"; the JS SDK sends it bare and the Python SDK as `Bearer <jwt>`,
    // and both are accepted. We send the standard scheme, as the REST API and the order-status socket
    // require it, and never double the prefix when the login response already carries it.
    Authorization: `Bearer ${credentials.jwtToken.replace(/^Bearer\s+/i, '')}`,
    'x-api-key': credentials.apiKey,
    'x-client-code': credentials.clientCode,
    'x-feed-token': credentials.feedToken,
  };
}

const serverErrorSchema = z.object({
  errorCode: z.string(),
  errorMessage: z.string().optional(),
  correlationID: z.string().optional(),
});

/** Angel's own sample error JSON misses a comma; salvage the code from such text instead of dropping it. */
const LOOSE_ERROR_CODE = /"errorCode"\s*:\s*"(E\d{4})"/;
const LOOSE_ERROR_MESSAGE = /"errorMessage"\s*:\s*"([^"]*)"/;
const LOOSE_CORRELATION = /"correlationID"\s*:\s*"([^"]*)"/;

interface ServerError {
  errorCode: string;
  errorMessage: string;
  correlationID: string | undefined;
}

function parseServerError(text: string): ServerError | undefined {
  try {
    const parsed = serverErrorSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return undefined;
    return {
      errorCode: parsed.data.errorCode,
      errorMessage: parsed.data.errorMessage ?? '',
      correlationID: parsed.data.correlationID,
    };
  } catch {
    const code = LOOSE_ERROR_CODE.exec(text);
    if (code === null || code[1] === undefined) return undefined;
    return {
      errorCode: code[1],
      errorMessage: LOOSE_ERROR_MESSAGE.exec(text)?.[1] ?? '',
      correlationID: LOOSE_CORRELATION.exec(text)?.[1],
    };
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One Angel One WebSocket 2.0 socket: handshake with the four headers, text `ping` heartbeat, stale
 * watchdog, reconnect with backoff, decoding of binary frames. Subscriptions are the owner's business:
 * on every `open` event the owner resubscribes what this socket should carry (see SmartStreamClient).
 */
export class SmartStreamConnection {
  /** Receives every good packet. Exceptions are caught and logged, never passed to the socket. */
  onPacket: PacketHandler | undefined;
  /** Sees every frame before decoding. */
  onRawFrame: RawFrameTap | undefined;

  private readonly hub: EventHub<FeedConnectionEvent>;
  private readonly socket: ReconnectingSocket;
  private readonly logger: Logger;
  private readonly name: string;
  private binaryFrames = 0;
  private textFrames = 0;
  private packets = 0;
  private pongs = 0;
  private unknownText = 0;
  private serverErrors = 0;
  private readonly rejected = new Map<string, number>();

  constructor(options: SmartStreamConnectionOptions) {
    this.logger = options.logger ?? silentLogger();
    this.name = options.name ?? 'smart-stream';
    this.onPacket = options.onPacket;
    this.onRawFrame = options.onRawFrame;
    this.hub = new EventHub((type, error) =>
      this.logger.error(
        { socket: this.name, event: type, err: errorText(error) },
        'feed event listener threw',
      ),
    );
    const pingIntervalMs = options.pingIntervalMs ?? 10_000;
    const credentials = options.credentials;
    this.socket = new ReconnectingSocket({
      name: this.name,
      url: options.url,
      headers: async () => smartStreamHeaders(await credentials()),
      clock: options.clock,
      logger: this.logger,
      pingIntervalMs,
      heartbeat: 'text',
      staleAfterMs: options.staleAfterMs ?? 2 * pingIntervalMs,
      isMarketOpen: options.isMarketOpen ?? (() => true),
      backoff: resolveBackoff(options.backoff),
      random: options.random ?? Math.random,
      onAuthFailure: options.onAuthFailure,
      authStatuses: [401],
      authRetryMs: options.authRetryMs ?? 30_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
      alertAfterFailures: options.alertAfterFailures ?? 5,
      // packets are ≤ 443 bytes; a larger frame is still read (and rejected by size) so one bad frame does
      // not cost the connection, but a runaway one cannot exhaust memory
      maxPayloadBytes: 4 * 1024 * 1024,
      badFrameLimit: options.badFrameLimit ?? { count: 100, windowMs: 60_000 },
      errors: {
        auth: (_status, detail) => new IfError('IF_ERR_FEED_AUTH', { detail }),
        rateLimited: (detail) => new IfError('IF_ERR_FEED_RATE_LIMITED', { detail }),
        unavailable: (detail) =>
          new IfError('IF_ERR_BROKER_UNAVAILABLE', { endpoint: 'smart-stream', detail }),
      },
      onMessage: (data, isBinary, receivedAtMs) => this.handleFrame(data, isBinary, receivedAtMs),
      emit: (event) => this.hub.emit(event),
    });
  }

  get state(): SocketState {
    return this.socket.state;
  }

  isOpen(): boolean {
    return this.socket.isOpen();
  }

  /** Starts connecting; reconnects on its own until `close`. */
  start(): void {
    this.socket.start();
  }

  /** Clears every timer at once and closes the socket; resolves when it is closed. */
  close(): Promise<void> {
    return this.socket.close();
  }

  /** Sends a text frame (a subscribe/unsubscribe request) if open; false if not sent. */
  send(text: string): boolean {
    return this.socket.send(text);
  }

  on<T extends FeedConnectionEvent['type']>(
    type: T,
    listener: (event: Extract<FeedConnectionEvent, { type: T }>) => void,
  ): () => void {
    return this.hub.on(type, listener);
  }

  onAny(listener: (event: FeedConnectionEvent) => void): () => void {
    return this.hub.onAny(listener);
  }

  stats(): FeedConnectionStats {
    return {
      ...this.socket.counters(),
      state: this.socket.state,
      binaryFrames: this.binaryFrames,
      textFrames: this.textFrames,
      packets: this.packets,
      pongs: this.pongs,
      rejectedFrames: Object.fromEntries(this.rejected),
      unknownText: this.unknownText,
      serverErrors: this.serverErrors,
    };
  }

  private handleFrame(data: Buffer, isBinary: boolean, receivedAtMs: number): void {
    if (isBinary) {
      this.binaryFrames++;
      const tap = this.onRawFrame;
      if (tap !== undefined) this.tap(tap, 'binary', data, receivedAtMs);
      const result = tryDecodePacket(data);
      if (result.ok) {
        this.packets++;
        const handler = this.onPacket;
        if (handler === undefined) return;
        try {
          handler(result.packet, receivedAtMs);
        } catch (error) {
          this.logger.error({ socket: this.name, err: errorText(error) }, 'packet handler threw');
        }
        return;
      }
      this.rejected.set(result.code, (this.rejected.get(result.code) ?? 0) + 1);
      this.hub.emit({
        type: 'rejected-frame',
        code: result.code,
        detail: result.detail,
        size: data.byteLength,
        atMs: receivedAtMs,
      });
      this.socket.reportBadFrame(receivedAtMs);
      return;
    }
    this.textFrames++;
    const text = data.toString('utf8');
    const tap = this.onRawFrame;
    if (tap !== undefined) this.tap(tap, 'text', text, receivedAtMs);
    if (text === 'pong') {
      this.pongs++;
      return;
    }
    const serverError = parseServerError(text);
    if (serverError === undefined) {
      this.unknownText++;
      // bounded: a hostile or broken server can send megabytes of text
      this.hub.emit({ type: 'unknown-text', text: text.slice(0, 200), atMs: receivedAtMs });
      return;
    }
    this.serverErrors++;
    const code =
      serverError.errorCode === 'E1002' ? 'IF_ERR_FEED_SUBSCRIPTION_LIMIT' : 'IF_ERR_FEED_INVALID_REQUEST';
    const error = new IfError(code, {
      brokerCode: serverError.errorCode,
      detail: serverError.errorMessage,
      correlationID: serverError.correlationID,
    });
    this.logger.warn(
      { socket: this.name, code, brokerCode: serverError.errorCode },
      'feed rejected a request',
    );
    this.hub.emit(
      serverError.correlationID === undefined
        ? { type: 'error', error, atMs: receivedAtMs }
        : { type: 'error', error, atMs: receivedAtMs, correlationId: serverError.correlationID },
    );
  }

  private tap(tap: RawFrameTap, kind: 'binary' | 'text', payload: Uint8Array | string, atMs: number): void {
    try {
      tap(kind, payload, atMs);
    } catch (error) {
      this.logger.error({ socket: this.name, err: errorText(error) }, 'raw-frame tap threw');
    }
  }
}
