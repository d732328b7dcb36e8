import { istParts } from '../../core/time.js';
import type { ClientOrderId } from './types.js';

/**
 * Client order ids are the idempotency key sent as Angel's `ordertag`, how reconciliation finds our order
 * in the broker's book after a crash (reference §0.1, invariant I2).
 *
 * Layout, 15 characters, upper-case alphanumeric: `PREFIX` (1–4 letters) + `YYMMDD` (IST trading date) +
 * a base-36 counter padded to fill the rest (5 to 8 characters, at least 60 million ids a day).
 * Angel accepts tags under 20 characters; 15 leaves room and fits other brokers' tag fields too.
 *
 * Uniqueness across restarts: the date changes every day (and Angel sessions end daily), and within a day
 * the counter resumes from the highest counter among that day's stored intents. Because every intent is
 * committed before its broker call (I1), no id that ever reached the broker is missing from the store, so
 * resuming from the stored maximum never reissues one. Engines that run side by side (disjoint
 * underlyings) take distinct prefixes. The prefix is letters only, so the date boundary is unambiguous.
 */
export const CLIENT_ORDER_ID_LENGTH = 15;
const DATE_LENGTH = 6;
const PREFIX_PATTERN = /^[A-Z]{1,4}$/;
const ID_PATTERN = /^([A-Z]{1,4})(\d{6})([0-9A-Z]+)$/;

/** The generator's whole state; advance it with `nextClientOrderId`. */
export interface ClientOrderIdSequence {
  readonly prefix: string;
  /** `YYMMDD` of the IST trading date */
  readonly day: string;
  /** the last counter issued (0 before the first id) */
  readonly lastIssued: number;
}

export interface ParsedClientOrderId {
  prefix: string;
  day: string;
  counter: number;
}

function counterWidth(prefix: string): number {
  return CLIENT_ORDER_ID_LENGTH - prefix.length - DATE_LENGTH;
}

/** `YYMMDD` of the IST date containing `epochMs`. */
export function clientOrderIdDay(epochMs: number): string {
  const p = istParts(epochMs);
  const yy = String(p.year % 100).padStart(2, '0');
  return `${yy}${String(p.month).padStart(2, '0')}${String(p.day).padStart(2, '0')}`;
}

/**
 * Starts (or resumes) the day's sequence. `lastIssued` is the highest counter already used today, read
 * back from stored intents with `parseClientOrderId` (0 on a fresh day).
 */
export function startClientOrderIds(prefix: string, nowMs: number, lastIssued = 0): ClientOrderIdSequence {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new RangeError(`client order id prefix must be 1-4 upper-case letters, got "${prefix}"`);
  }
  if (!Number.isSafeInteger(lastIssued) || lastIssued < 0) {
    throw new RangeError(`lastIssued must be a non-negative integer, got ${lastIssued}`);
  }
  return { prefix, day: clientOrderIdDay(nowMs), lastIssued };
}

/** Issues the next id and the sequence to keep. Throws when the day's counter space is used up. */
export function nextClientOrderId(sequence: ClientOrderIdSequence): {
  id: ClientOrderId;
  next: ClientOrderIdSequence;
} {
  const counter = sequence.lastIssued + 1;
  const width = counterWidth(sequence.prefix);
  const text = counter.toString(36).toUpperCase();
  if (text.length > width) {
    throw new RangeError(`client order id counter exhausted for ${sequence.prefix}${sequence.day}`);
  }
  const id = `${sequence.prefix}${sequence.day}${text.padStart(width, '0')}` as ClientOrderId;
  return { id, next: { ...sequence, lastIssued: counter } };
}

/** Splits an id into prefix, day and counter; undefined when it is not one of ours. */
export function parseClientOrderId(text: string): ParsedClientOrderId | undefined {
  if (text.length !== CLIENT_ORDER_ID_LENGTH) return undefined;
  const match = ID_PATTERN.exec(text);
  if (match === null) return undefined;
  const [, prefix = '', day = '', counterText = ''] = match;
  if (counterText.length !== counterWidth(prefix)) return undefined;
  return { prefix, day, counter: Number.parseInt(counterText, 36) };
}

/** Whether `text` has the shape of one of our client order ids. */
export function isClientOrderId(text: string): text is ClientOrderId {
  return parseClientOrderId(text) !== undefined;
}

/** The highest counter among `ids` for `prefix` on `day` (0 if none): where a restarted sequence resumes. */
export function lastIssuedCounter(ids: Iterable<string>, prefix: string, day: string): number {
  let last = 0;
  for (const id of ids) {
    const parsed = parseClientOrderId(id);
    if (parsed !== undefined && parsed.prefix === prefix && parsed.day === day) {
      last = Math.max(last, parsed.counter);
    }
  }
  return last;
}
