import { Decoder, Encoder } from '@msgpack/msgpack';
import { IfError } from '../../core/errors.js';
import type { Headers, HubMessage, HubProtocol, ParseResult } from './protocol.js';
import { MessageType } from './protocol.js';

/**
 * MessagePack hub protocol as ASP.NET Core SignalR speaks it (reference §1.6, §1.7, §1.14): each message is a
 * VarInt length prefix followed by one MessagePack array whose first item is the message type. Values are
 * encoded by `@msgpack/msgpack`, the library the official JS client uses, so numbers and maps match.
 */

const EMPTY = Buffer.alloc(0);
/** a VarInt of a 32-bit length has at most 5 bytes; ASP.NET refuses messages of 2 GB or more */
const MAX_VARINT_BYTES = 5;
const MAX_LENGTH = 0x7fffffff;

/** ResultKind of a Completion */
const ERROR_RESULT = 1;
const VOID_RESULT = 2;
const NON_VOID_RESULT = 3;

// undefined fields are "absent", as JSON.stringify treats them in the JSON protocol.
const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder();

const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(MessageType));
const NO_HEADERS: Headers = Object.freeze({});

function protocolError(detail: string): IfError {
  return new IfError('IF_ERR_HUB_PROTOCOL', { detail });
}

/** Appends the VarInt of `value` (7-bit groups, least significant first, high bit = more). */
export function writeVarInt(value: number): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > MAX_LENGTH) {
    throw protocolError(`a message length of ${value} cannot be framed`);
  }
  const bytes: number[] = [];
  let rest = value;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return Buffer.from(bytes);
}

/**
 * Reads the VarInt at `offset`: its value and size, or `undefined` while its last byte has not arrived.
 */
export function readVarInt(input: Buffer, offset: number): { value: number; size: number } | undefined {
  let value = 0;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    const at = offset + i;
    if (at >= input.length) return undefined;
    const byte = input[at] as number;
    // The 5th byte holds bits 28..31; anything above bit 30 means a length of 2 GB or more.
    if (i === MAX_VARINT_BYTES - 1 && byte > 0x07) {
      throw protocolError('messages over 2 GB are not supported');
    }
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return { value, size: i + 1 };
  }
  throw protocolError('a length prefix is longer than 5 bytes');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

function readHeaders(value: unknown, type: number): Headers | undefined {
  if (!isPlainObject(value)) throw protocolError(`message of type ${type} has no header map`);
  const entries = Object.entries(value);
  if (entries.length === 0) return undefined;
  for (const [, v] of entries) {
    if (typeof v !== 'string')
      throw protocolError(`message of type ${type} has a header that is not a string`);
  }
  return value as Headers;
}

function readString(value: unknown, type: number, what: string): string {
  if (typeof value !== 'string') throw protocolError(`message of type ${type} has no string ${what}`);
  return value;
}

function readOptionalString(value: unknown, type: number, what: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  return readString(value, type, what);
}

function readArguments(value: unknown, type: number): unknown[] {
  if (!Array.isArray(value)) throw protocolError(`message of type ${type} has no argument array`);
  return value;
}

function readStreamIds(value: unknown, type: number): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((id) => typeof id !== 'string')) {
    throw protocolError(`message of type ${type} has stream ids that are not strings`);
  }
  return value.length === 0 ? undefined : (value as string[]);
}

function readSequenceId(value: unknown, type: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw protocolError(`message of type ${type} has no sequence id`);
  }
  return value;
}

function withHeaders<T extends object>(message: T, headers: Headers | undefined): T {
  return headers === undefined ? message : { ...message, headers };
}

function need(items: readonly unknown[], count: number, type: number): void {
  if (items.length < count) throw protocolError(`message of type ${type} has fewer than ${count} items`);
}

/** Decodes one message body; `undefined` for a type this server does not know (clients skip those too). */
function parseBody(body: Buffer): HubMessage | undefined {
  let items: unknown;
  try {
    items = decoder.decode(body);
  } catch {
    throw protocolError('a message is not valid MessagePack');
  }
  if (!Array.isArray(items) || items.length === 0)
    throw protocolError('a message is not a MessagePack array');
  const type = items[0];
  if (typeof type !== 'number' || !Number.isInteger(type))
    throw protocolError('a message has no integer type');
  if (!KNOWN_TYPES.has(type)) return undefined;
  switch (type) {
    case MessageType.Invocation: {
      // The JS client leaves out the 6th item (stream ids) when it has no streams.
      need(items, 5, type);
      const headers = readHeaders(items[1], type);
      const invocationId = readOptionalString(items[2], type, 'invocation id');
      const target = readString(items[3], type, 'target');
      if (target.length === 0) throw protocolError('message of type 1 has an empty target');
      const streamIds = readStreamIds(items[5], type);
      return withHeaders(
        {
          type,
          ...(invocationId === undefined ? {} : { invocationId }),
          target,
          arguments: readArguments(items[4], type),
          ...(streamIds === undefined ? {} : { streamIds }),
        },
        headers,
      );
    }
    case MessageType.StreamItem:
      need(items, 4, type);
      return withHeaders(
        { type, invocationId: readString(items[2], type, 'invocation id'), item: items[3] },
        readHeaders(items[1], type),
      );
    case MessageType.Completion: {
      need(items, 4, type);
      const headers = readHeaders(items[1], type);
      const invocationId = readString(items[2], type, 'invocation id');
      switch (items[3]) {
        case ERROR_RESULT:
          need(items, 5, type);
          return withHeaders({ type, invocationId, error: readString(items[4], type, 'error') }, headers);
        case VOID_RESULT:
          return withHeaders({ type, invocationId }, headers);
        case NON_VOID_RESULT:
          need(items, 5, type);
          return withHeaders({ type, invocationId, result: items[4] }, headers);
        default:
          throw protocolError('message of type 3 has an unknown result kind');
      }
    }
    case MessageType.StreamInvocation: {
      need(items, 5, type);
      const headers = readHeaders(items[1], type);
      const target = readString(items[3], type, 'target');
      if (target.length === 0) throw protocolError('message of type 4 has an empty target');
      const streamIds = readStreamIds(items[5], type);
      return withHeaders(
        {
          type,
          invocationId: readString(items[2], type, 'invocation id'),
          target,
          arguments: readArguments(items[4], type),
          ...(streamIds === undefined ? {} : { streamIds }),
        },
        headers,
      );
    }
    case MessageType.CancelInvocation:
      need(items, 3, type);
      return withHeaders(
        { type, invocationId: readString(items[2], type, 'invocation id') },
        readHeaders(items[1], type),
      );
    case MessageType.Ping:
      return { type };
    case MessageType.Close: {
      need(items, 2, type);
      const error = readOptionalString(items[1], type, 'error');
      const allowReconnect = items[2];
      if (allowReconnect !== undefined && typeof allowReconnect !== 'boolean') {
        throw protocolError('message of type 7 has a non-boolean allowReconnect');
      }
      return {
        type,
        ...(error === undefined ? {} : { error }),
        ...(allowReconnect === undefined ? {} : { allowReconnect }),
      };
    }
    case MessageType.Ack:
    case MessageType.Sequence:
      need(items, 2, type);
      return { type, sequenceId: readSequenceId(items[1], type) };
    default:
      return undefined;
  }
}

/** The MessagePack array of a message, item for item as ASP.NET writes it. */
function toArray(message: HubMessage): unknown[] {
  switch (message.type) {
    case MessageType.Invocation:
      return [
        message.type,
        message.headers ?? NO_HEADERS,
        message.invocationId ?? null,
        message.target,
        message.arguments,
        message.streamIds ?? [],
      ];
    case MessageType.StreamItem:
      return [message.type, message.headers ?? NO_HEADERS, message.invocationId, message.item];
    case MessageType.Completion: {
      const head = [message.type, message.headers ?? NO_HEADERS, message.invocationId];
      if (message.error !== undefined) return [...head, ERROR_RESULT, message.error];
      if (message.result !== undefined) return [...head, NON_VOID_RESULT, message.result];
      return [...head, VOID_RESULT];
    }
    case MessageType.StreamInvocation:
      return [
        message.type,
        message.headers ?? NO_HEADERS,
        message.invocationId,
        message.target,
        message.arguments,
        message.streamIds ?? [],
      ];
    case MessageType.CancelInvocation:
      return [message.type, message.headers ?? NO_HEADERS, message.invocationId];
    case MessageType.Ping:
      // exactly 0x91 0x06: no headers
      return [message.type];
    case MessageType.Close:
      return [message.type, message.error ?? null, message.allowReconnect ?? false];
    case MessageType.Ack:
    case MessageType.Sequence:
      return [message.type, message.sequenceId];
  }
}

/**
 * MessagePack hub protocol, transfer format Binary: WebSockets (binary frames) and long polling only.
 * A transport payload may hold several framed messages; `write` output can be concatenated freely.
 */
export const messagePackProtocol: HubProtocol = {
  name: 'messagepack',
  maxVersion: 1,
  transferFormat: 'Binary',

  parse(input: Buffer, maxMessageBytes: number): ParseResult {
    const messages: HubMessage[] = [];
    let start = 0;
    while (start < input.length) {
      const prefix = readVarInt(input, start);
      if (prefix === undefined) break;
      // Refuse an oversized message as soon as its length is known, before buffering its body.
      if (prefix.value > maxMessageBytes) {
        throw protocolError(`a message of ${prefix.value} bytes exceeds the limit of ${maxMessageBytes}`);
      }
      const bodyStart = start + prefix.size;
      const end = bodyStart + prefix.value;
      if (end > input.length) break;
      if (prefix.value === 0) throw protocolError('a message is empty');
      const message = parseBody(input.subarray(bodyStart, end));
      if (message !== undefined) messages.push(message);
      start = end;
    }
    return { messages, rest: start === input.length ? EMPTY : input.subarray(start) };
  },

  write(message: HubMessage): Buffer {
    // A view of the encoder's own buffer: concat copies it out before the next encode reuses it.
    const body = encoder.encodeSharedRef(toArray(message));
    return Buffer.concat([writeVarInt(body.length), body]);
  },
};
