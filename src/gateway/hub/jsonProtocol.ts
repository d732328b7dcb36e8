import { z } from 'zod';
import { IfError } from '../../core/errors.js';
import {
  type HubMessage,
  type HubProtocol,
  MessageType,
  type ParseResult,
  RECORD_SEPARATOR,
} from './protocol.js';

const SEPARATOR = Buffer.from([RECORD_SEPARATOR]);
const EMPTY = Buffer.alloc(0);

// Loose objects: ASP.NET skips JSON properties it does not know, and clients add new ones over time.
const headers = z.record(z.string(), z.string()).optional();
const streamIds = z.array(z.string()).optional();
const messageSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal(MessageType.Invocation),
    invocationId: z.string().optional(),
    target: z.string().min(1),
    arguments: z.array(z.unknown()),
    streamIds,
    headers,
  }),
  z.looseObject({
    type: z.literal(MessageType.StreamItem),
    invocationId: z.string(),
    item: z.unknown(),
    headers,
  }),
  z.looseObject({
    type: z.literal(MessageType.Completion),
    invocationId: z.string(),
    result: z.unknown().optional(),
    error: z.string().optional(),
    headers,
  }),
  z.looseObject({
    type: z.literal(MessageType.StreamInvocation),
    invocationId: z.string(),
    target: z.string().min(1),
    arguments: z.array(z.unknown()),
    streamIds,
    headers,
  }),
  z.looseObject({ type: z.literal(MessageType.CancelInvocation), invocationId: z.string(), headers }),
  z.looseObject({ type: z.literal(MessageType.Ping) }),
  z.looseObject({
    type: z.literal(MessageType.Close),
    error: z.string().optional(),
    allowReconnect: z.boolean().optional(),
  }),
  z.looseObject({ type: z.literal(MessageType.Ack), sequenceId: z.number().int().nonnegative() }),
  z.looseObject({ type: z.literal(MessageType.Sequence), sequenceId: z.number().int().nonnegative() }),
]);

const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(MessageType));

function protocolError(detail: string): IfError {
  return new IfError('IF_ERR_HUB_PROTOCOL', { detail });
}

/** Parses one JSON record (without its separator); `undefined` for a type this server does not know. */
function parseRecord(text: string): HubMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw protocolError('a record is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw protocolError('a record is not a JSON object');
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'number') throw protocolError('a message has no numeric "type"');
  // Clients log and skip types they do not know; the server does the same so newer clients still work.
  if (!KNOWN_TYPES.has(type)) return undefined;
  const parsed = messageSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : ` at "${issue.path.join('.')}"`;
    throw protocolError(`message of type ${type} is malformed${where}`);
  }
  return parsed.data as HubMessage;
}

/**
 * JSON hub protocol: each message is one UTF-8 JSON object followed by 0x1E. A transport payload may
 * carry several records but never part of one, so `write` output can be concatenated freely.
 */
export const jsonProtocol: HubProtocol = {
  name: 'json',
  maxVersion: 2,
  transferFormat: 'Text',

  parse(input: Buffer, maxMessageBytes: number): ParseResult {
    const messages: HubMessage[] = [];
    let start = 0;
    for (;;) {
      const end = input.indexOf(RECORD_SEPARATOR, start);
      if (end < 0) break;
      if (end - start > maxMessageBytes) {
        throw protocolError(`a message of ${end - start} bytes exceeds the limit of ${maxMessageBytes}`);
      }
      const message = parseRecord(input.toString('utf8', start, end));
      if (message !== undefined) messages.push(message);
      start = end + 1;
    }
    const restBytes = input.length - start;
    if (restBytes > maxMessageBytes) {
      throw protocolError(`an unterminated message exceeds the limit of ${maxMessageBytes} bytes`);
    }
    return { messages, rest: restBytes === 0 ? EMPTY : input.subarray(start) };
  },

  write(message: HubMessage): Buffer {
    // JSON.stringify drops undefined fields, which is what "absent" means on the wire.
    return Buffer.concat([Buffer.from(JSON.stringify(message), 'utf8'), SEPARATOR]);
  },
};
