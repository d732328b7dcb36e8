import { IfError } from '../../core/errors.js';
import type { SeededRandom } from '../../core/random.js';

/**
 * Faults the simulated feed can inject, to prove the client survives what the real feed does
 * (reliability-and-security.md §5.1, F1–F7). Set per connection or as the default for new connections
 * with `SmartStreamServer.setFaults`; randomness comes from a SeededRandom so every run is reproducible.
 *
 * - `drop`: destroy the TCP socket at once, without a close frame (the client sees 1006). As a default
 *   it drops every new connection right after the upgrade succeeds.
 * - `dropAfterFrames: n`: destroy the socket after the n-th data frame since the faults were set.
 * - `stallHeartbeat`: a frozen server. Text `ping`, protocol PING and subscribe requests go unanswered,
 *   no data is sent, the socket stays open.
 * - `malformedEvery: n`: every n-th data frame is replaced by garbage — random bytes of a length no mode
 *   has, or a frame of the right length whose mode byte is unknown.
 * - `truncateEvery: n`: every n-th data frame is cut to a random shorter length (at least 1 byte).
 * - `duplicateEvery: n`: every n-th data frame is sent twice.
 * - `reorderEvery: n`: every n-th data frame is held back and sent right after the next one.
 * - `errorJson`: an unsolicited E1001 text frame, sent once when the faults are applied (for a default:
 *   once to each new connection).
 * - `handshake: { status, count }`: the next `count` upgrade requests are refused with 401 or 429,
 *   before authentication. Honoured only in the default faults (a refused socket has no id).
 *
 * Counting of "every n-th" is per connection, over data frames offered to it (snapshots included),
 * restarting when its faults are replaced.
 */
export interface FeedFaults {
  drop?: boolean;
  dropAfterFrames?: number;
  stallHeartbeat?: boolean;
  malformedEvery?: number;
  truncateEvery?: number;
  duplicateEvery?: number;
  reorderEvery?: number;
  errorJson?: boolean;
  handshake?: { status: 401 | 429; count: number };
}

/** How often each fault actually fired. */
export interface FaultCounters {
  dropped: number;
  stalledFrames: number;
  stalledPings: number;
  stalledRequests: number;
  malformed: number;
  truncated: number;
  duplicated: number;
  reordered: number;
  errorJson: number;
  handshakeRefused: number;
}

export function emptyFaultCounters(): FaultCounters {
  return {
    dropped: 0,
    stalledFrames: 0,
    stalledPings: 0,
    stalledRequests: 0,
    malformed: 0,
    truncated: 0,
    duplicated: 0,
    reordered: 0,
    errorJson: 0,
    handshakeRefused: 0,
  };
}

export function addFaultCounters(into: FaultCounters, from: FaultCounters): void {
  for (const key of Object.keys(into) as (keyof FaultCounters)[]) into[key] += from[key];
}

function checkEvery(name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 1) {
    throw new IfError('IF_ERR_VALIDATION', {
      detail: `fault ${name} must be a positive integer, got ${value}`,
    });
  }
}

/** Rejects nonsensical fault settings up front rather than letting them misbehave mid-test. */
export function validateFaults(faults: FeedFaults): FeedFaults {
  checkEvery('dropAfterFrames', faults.dropAfterFrames);
  checkEvery('malformedEvery', faults.malformedEvery);
  checkEvery('truncateEvery', faults.truncateEvery);
  checkEvery('duplicateEvery', faults.duplicateEvery);
  checkEvery('reorderEvery', faults.reorderEvery);
  if (faults.handshake !== undefined) {
    const { status, count } = faults.handshake;
    if (status !== 401 && status !== 429) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: `handshake fault status must be 401 or 429, got ${status}`,
      });
    }
    if (!Number.isInteger(count) || count < 0) {
      throw new IfError('IF_ERR_VALIDATION', { detail: `handshake fault count must be >= 0, got ${count}` });
    }
  }
  return { ...faults, ...(faults.handshake ? { handshake: { ...faults.handshake } } : {}) };
}

const VALID_SIZES = new Set([51, 123, 379, 443]);

/** Garbage in place of `frame`: a length no mode has, or the right length with an unknown mode byte. */
export function malformedFrame(frame: Uint8Array, random: SeededRandom): Uint8Array {
  if (random.next() < 0.5) {
    let length = random.int(1, 600);
    while (VALID_SIZES.has(length)) length = random.int(1, 600);
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = random.int(0, 255);
    return bytes;
  }
  const bytes = new Uint8Array(frame);
  // 0 and 5–255 are not modes.
  const mode = random.int(0, 251);
  bytes[0] = mode === 0 ? 0 : mode + 4;
  return bytes;
}

/** A prefix of `frame`, 1 to length − 1 bytes long. */
export function truncatedFrame(frame: Uint8Array, random: SeededRandom): Uint8Array {
  if (frame.length <= 1) return new Uint8Array(0);
  return frame.subarray(0, random.int(1, frame.length - 1));
}
