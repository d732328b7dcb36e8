import type { TransferFormat } from './protocol.js';
import type { TransportKind } from './transports.js';

/** Highest negotiate version this server speaks; version 1 adds the secret connectionToken. */
export const MAX_NEGOTIATE_VERSION = 1;

const TRANSFER_FORMATS: Readonly<Record<TransportKind, readonly TransferFormat[]>> = {
  WebSockets: ['Text', 'Binary'],
  // EventSource delivers text only.
  ServerSentEvents: ['Text'],
  LongPolling: ['Text', 'Binary'],
};

export interface NegotiateResponse {
  negotiateVersion: number;
  connectionId: string;
  connectionToken?: string;
  availableTransports: { transport: TransportKind; transferFormats: readonly TransferFormat[] }[];
}

/**
 * The version to answer with: a missing parameter means 0, anything above ours gets ours. An
 * unparsable value yields the error ASP.NET sends (in a 200 body, where clients look for it).
 */
export function negotiateVersion(raw: string | undefined): { version: number } | { error: string } {
  if (raw === undefined) return { version: 0 };
  if (!/^\d{1,9}$/.test(raw)) return { error: `The client requested an invalid protocol version '${raw}'` };
  return { version: Math.min(Number(raw), MAX_NEGOTIATE_VERSION) };
}

/**
 * Never includes `useStatefulReconnect` (not supported, and clients reject it unasked) nor
 * `ProtocolVersion` (clients take it for the old ASP.NET SignalR and give up).
 */
export function negotiateResponse(
  version: number,
  connectionId: string,
  connectionToken: string,
  transports: readonly TransportKind[],
): NegotiateResponse {
  const availableTransports = transports.map((transport) => ({
    transport,
    transferFormats: TRANSFER_FORMATS[transport],
  }));
  if (version === 0) return { negotiateVersion: 0, connectionId, availableTransports };
  return { negotiateVersion: version, connectionId, connectionToken, availableTransports };
}
