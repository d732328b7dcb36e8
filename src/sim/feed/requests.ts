import { z } from 'zod';
import type { ExchangeType, SubscriptionMode } from '../../brokers/angelone/codec/index.js';

/** Exchange types every SDK accepts (angelone-smartapi.md §1.4). */
const EXCHANGE_TYPES = [1, 2, 3, 4, 5, 7, 13] as const;

// Tokens must be strings: the docs say so and every SDK sends strings, so a number is a malformed
// request here [INFER: the real server's handling of numeric tokens is undocumented].
const requestSchema = z.object({
  correlationID: z.string().optional(),
  action: z.literal([0, 1]),
  params: z.object({
    mode: z.literal([1, 2, 3, 4]),
    tokenList: z.array(
      z.object({
        exchangeType: z.literal(EXCHANGE_TYPES),
        tokens: z.array(z.string().min(1).max(24)),
      }),
    ),
  }),
});

export interface TokenGroup {
  exchangeType: ExchangeType;
  tokens: string[];
}

export type FeedRequest =
  | {
      ok: true;
      correlationID: string;
      action: 0 | 1;
      mode: SubscriptionMode;
      groups: TokenGroup[];
    }
  | { ok: false; correlationID: string };

function correlationOf(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'correlationID' in value) {
    const id = value.correlationID;
    if (typeof id === 'string') return id;
  }
  // Angel's docs show only requests that carry an id; echo an empty one rather than invent one.
  return '';
}

/**
 * Parses a client text frame as a subscribe/unsubscribe request (§1.4). Anything that is not exactly
 * that, including Depth-20 (mode 4) for an exchange other than nse_cm, is malformed (E1001).
 */
export function parseFeedRequest(text: string): FeedRequest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, correlationID: '' };
  }
  const correlationID = correlationOf(json);
  const parsed = requestSchema.safeParse(json);
  if (!parsed.success) return { ok: false, correlationID };
  const { action, params } = parsed.data;
  if (params.mode === 4 && params.tokenList.some((group) => group.exchangeType !== 1)) {
    return { ok: false, correlationID };
  }
  return { ok: true, correlationID, action, mode: params.mode, groups: params.tokenList };
}

export const FEED_ERRORS = {
  E1001: 'Invalid Request Payload.',
  E1002: 'Invalid Request. Subscription Limit Exceeded.',
} as const;

export function errorFrame(correlationID: string, errorCode: keyof typeof FEED_ERRORS): string {
  return JSON.stringify({ correlationID, errorCode, errorMessage: FEED_ERRORS[errorCode] });
}
