import { z } from 'zod';
import { IfError } from '../../core/errors.js';
import { RECORD_SEPARATOR } from './protocol.js';

const SEPARATOR = Buffer.from([RECORD_SEPARATOR]);
const EMPTY = Buffer.alloc(0);

function protocolError(detail: string): IfError {
  return new IfError('IF_ERR_HUB_PROTOCOL', { detail });
}

export interface HandshakeRequest {
  readonly protocol: string;
  readonly version: number;
}

const handshakeSchema = z.looseObject({ protocol: z.string().min(1), version: z.number().int() });

/**
 * Reads the handshake request, always JSON text ending in 0x1E whatever protocol it names. Returns
 * `undefined` until the separator has arrived; `rest` holds any messages sent in the same payload.
 */
export function parseHandshake(
  input: Buffer,
  maxMessageBytes: number,
): { request: HandshakeRequest; rest: Buffer } | undefined {
  const end = input.indexOf(RECORD_SEPARATOR);
  if (end < 0) {
    if (input.length > maxMessageBytes) throw protocolError('the handshake request is too large');
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(input.toString('utf8', 0, end));
  } catch {
    throw protocolError('the handshake request is not valid JSON');
  }
  const parsed = handshakeSchema.safeParse(value);
  if (!parsed.success) throw protocolError('the handshake request needs "protocol" and "version"');
  return {
    request: { protocol: parsed.data.protocol, version: parsed.data.version },
    rest: end + 1 === input.length ? EMPTY : input.subarray(end + 1),
  };
}

/** The handshake reply that lets the client start: `{}` and the separator. */
export const HANDSHAKE_OK: Buffer = Buffer.from([0x7b, 0x7d, RECORD_SEPARATOR]);

export function handshakeError(error: string): Buffer {
  return Buffer.concat([Buffer.from(JSON.stringify({ error }), 'utf8'), SEPARATOR]);
}
