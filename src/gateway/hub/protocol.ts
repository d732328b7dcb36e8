/**
 * The SignalR hub protocol as a server sees it: message shapes shared by every encoding, and the
 * interface a wire encoding (JSON today, MessagePack later) implements. Numbers follow ASP.NET Core's
 * HubProtocol.md so the official clients connect unchanged.
 */

export const MessageType = {
  Invocation: 1,
  StreamItem: 2,
  Completion: 3,
  StreamInvocation: 4,
  CancelInvocation: 5,
  Ping: 6,
  Close: 7,
  Ack: 8,
  Sequence: 9,
} as const;

export type Headers = Readonly<Record<string, string>>;

export interface InvocationMessage {
  readonly type: typeof MessageType.Invocation;
  /** absent for a fire-and-forget call, which must never be answered */
  readonly invocationId?: string;
  readonly target: string;
  readonly arguments: readonly unknown[];
  readonly streamIds?: readonly string[];
  readonly headers?: Headers;
}

export interface StreamItemMessage {
  readonly type: typeof MessageType.StreamItem;
  readonly invocationId: string;
  readonly item: unknown;
  readonly headers?: Headers;
}

/** `result` and `error` are never both present; neither means a void method completed. */
export interface CompletionMessage {
  readonly type: typeof MessageType.Completion;
  readonly invocationId: string;
  readonly result?: unknown;
  readonly error?: string;
  readonly headers?: Headers;
}

export interface StreamInvocationMessage {
  readonly type: typeof MessageType.StreamInvocation;
  readonly invocationId: string;
  readonly target: string;
  readonly arguments: readonly unknown[];
  readonly streamIds?: readonly string[];
  readonly headers?: Headers;
}

export interface CancelInvocationMessage {
  readonly type: typeof MessageType.CancelInvocation;
  readonly invocationId: string;
  readonly headers?: Headers;
}

export interface PingMessage {
  readonly type: typeof MessageType.Ping;
}

export interface CloseMessage {
  readonly type: typeof MessageType.Close;
  readonly error?: string;
  /** clients with automatic reconnect reconnect only when this is true */
  readonly allowReconnect?: boolean;
}

export interface AckMessage {
  readonly type: typeof MessageType.Ack;
  readonly sequenceId: number;
}

export interface SequenceMessage {
  readonly type: typeof MessageType.Sequence;
  readonly sequenceId: number;
}

export type HubMessage =
  | InvocationMessage
  | StreamItemMessage
  | CompletionMessage
  | StreamInvocationMessage
  | CancelInvocationMessage
  | PingMessage
  | CloseMessage
  | AckMessage
  | SequenceMessage;

export type TransferFormat = 'Text' | 'Binary';

export interface ParseResult {
  /** complete messages, in order; message types this server does not know are skipped */
  readonly messages: HubMessage[];
  /** bytes of an incomplete trailing message, to be prefixed to the next input */
  readonly rest: Buffer;
}

/**
 * One wire encoding of hub messages. A second protocol (MessagePack) plugs in by implementing this
 * and being listed in the hub's `protocols` option; the handshake picks it by `name`.
 */
export interface HubProtocol {
  /** the name clients send in the handshake (`json`, `messagepack`) */
  readonly name: string;
  /** highest version understood; clients may ask for any version from 1 up to it */
  readonly maxVersion: number;
  /** Binary protocols cannot run over Server-Sent Events */
  readonly transferFormat: TransferFormat;
  /**
   * Splits `input` into complete messages. Throws IF_ERR_HUB_PROTOCOL on a malformed message or on one
   * (complete or still incomplete) larger than `maxMessageBytes`.
   */
  parse(input: Buffer, maxMessageBytes: number): ParseResult;
  /** Encodes one message with its framing, ready to be concatenated with others in one transport write. */
  write(message: HubMessage): Buffer;
  /**
   * Encodes one `update` with its conflation key, for protocols that show the key (REST event streams);
   * without it, updates are written as the invocation `update(channel, payload)`.
   */
  writeUpdate?(channel: string, key: string, payload: unknown): Buffer;
}

/** The ASCII record separator that ends every JSON record and the handshake. */
export const RECORD_SEPARATOR = 0x1e;
