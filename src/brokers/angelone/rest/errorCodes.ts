import { type ErrorCode, IfError } from '../../../core/errors.js';

/** What one Angel One error code means for us. */
export interface BrokerCodeEntry {
  code: ErrorCode;
  /** Angel's documented (or observed) message, for reference and tests */
  brokerMessage: string;
}

/**
 * Every Angel One code in reference §3.3 (documented, observed and GTT-specific) mapped to our catalogue.
 * The classification follows what the caller can do about it: log in again (AUTH), refresh or re-login
 * (SESSION), fix the request (INPUT/ORDER), wait (UNAVAILABLE), or give up (PERMISSION/REJECTED).
 */
export const ANGEL_ERROR_CODES = {
  // gateway (token) codes, sent in the `success`/`errorCode` dialect
  AG8001: { code: 'IF_ERR_BROKER_SESSION', brokerMessage: 'Invalid Token' },
  AG8002: { code: 'IF_ERR_BROKER_SESSION', brokerMessage: 'Token Expired' },
  AG8003: { code: 'IF_ERR_BROKER_SESSION', brokerMessage: 'Token missing' },
  AG8004: { code: 'IF_ERR_BROKER_API_KEY', brokerMessage: 'Invalid API key' },
  AG7002: { code: 'IF_ERR_BROKER_STATIC_IP', brokerMessage: 'Unregistered IP' },
  AB8050: { code: 'IF_ERR_BROKER_SESSION', brokerMessage: 'Invalid Refresh Token' },
  AB8051: { code: 'IF_ERR_BROKER_SESSION', brokerMessage: 'Refresh Token Expired' },

  // login and account
  AB1000: { code: 'IF_ERR_BROKER_AUTH', brokerMessage: 'Invalid Email Or Password' },
  AB1001: { code: 'IF_ERR_BROKER_AUTH', brokerMessage: 'Invalid Email' },
  AB1002: { code: 'IF_ERR_BROKER_AUTH', brokerMessage: 'Invalid Password Length' },
  AB1003: { code: 'IF_ERR_BROKER_INPUT', brokerMessage: 'Client Already Exists' },
  // "please try after sometime": the broker's own transient failure
  AB1004: {
    code: 'IF_ERR_BROKER_UNAVAILABLE',
    brokerMessage: 'Something Went Wrong, Please Try After Sometime',
  },
  AB1005: { code: 'IF_ERR_BROKER_INPUT', brokerMessage: 'User Type Must Be USER' },
  AB1006: { code: 'IF_ERR_BROKER_PERMISSION', brokerMessage: 'Client Is Block For Trading' },
  // one code for several unrelated messages ("AMX Error", "Invalid parameters", bad user id/password)
  AB1007: { code: 'IF_ERR_BROKER_REJECTED', brokerMessage: 'AMX Error' },
  AB1010: { code: 'IF_ERR_BROKER_SESSION', brokerMessage: 'AMX Session Expired' },
  AB1011: { code: 'IF_ERR_BROKER_SESSION', brokerMessage: 'Client not login' },
  AB1031: { code: 'IF_ERR_BROKER_AUTH', brokerMessage: 'Old Password Mismatch' },
  AB1032: { code: 'IF_ERR_BROKER_AUTH', brokerMessage: 'User Not Found' },
  AB1050: { code: 'IF_ERR_BROKER_AUTH', brokerMessage: 'Invalid totp' },

  // orders, trades, positions
  AB1008: { code: 'IF_ERR_BROKER_ORDER', brokerMessage: 'Invalid Order Variety' },
  AB1009: { code: 'IF_ERR_BROKER_ORDER', brokerMessage: 'Symbol Not Found' },
  AB1012: { code: 'IF_ERR_BROKER_INPUT', brokerMessage: 'Invalid Product Type' },
  AB1013: { code: 'IF_ERR_BROKER_ORDER', brokerMessage: 'Order not found' },
  AB1014: { code: 'IF_ERR_BROKER_ORDER', brokerMessage: 'Trade not found' },
  AB1015: { code: 'IF_ERR_BROKER_ORDER', brokerMessage: 'Holding not found' },
  AB1016: { code: 'IF_ERR_BROKER_ORDER', brokerMessage: 'Position not found' },
  AB1017: { code: 'IF_ERR_BROKER_ORDER', brokerMessage: 'Position conversion failed' },
  AB1018: { code: 'IF_ERR_BROKER_INPUT', brokerMessage: 'Failed to get symbol details' },
  AB2000: { code: 'IF_ERR_BROKER_REJECTED', brokerMessage: 'Error not specified' },
  AB2001: { code: 'IF_ERR_BROKER_UNAVAILABLE', brokerMessage: 'Internal Error, Please try after sometime' },
  AB2002: { code: 'IF_ERR_BROKER_PERMISSION', brokerMessage: 'ROBO order is block' },
  AB2020: { code: 'IF_ERR_BROKER_FUNDS', brokerMessage: 'Insufficient Funds' },
  AB4008: { code: 'IF_ERR_BROKER_INPUT', brokerMessage: 'ordertag length should be less than 20 characters' },
  AB4018: { code: 'IF_ERR_BROKER_INPUT', brokerMessage: 'Symbol token cannot be empty' },

  // GTT
  AB9000: { code: 'IF_ERR_BROKER_UNAVAILABLE', brokerMessage: 'Internal Server Error' },
  AB9001: { code: 'IF_ERR_BROKER_INPUT', brokerMessage: 'Invalid Parameters' },
  AB9002: { code: 'IF_ERR_BROKER_INPUT', brokerMessage: 'Method Not Allowed' },
  AB9003: { code: 'IF_ERR_BROKER_INPUT', brokerMessage: 'Invalid Client ID' },
  AB9004: { code: 'IF_ERR_BROKER_INPUT', brokerMessage: 'Invalid Status Array Size' },
  AB9005: { code: 'IF_ERR_BROKER_SESSION', brokerMessage: 'Invalid Session ID' },
  AB9006: { code: 'IF_ERR_BROKER_ORDER', brokerMessage: 'Invalid Order Quantity' },
  AB9007: { code: 'IF_ERR_BROKER_ORDER', brokerMessage: 'Invalid Disclosed Quantity' },
  AB9008: { code: 'IF_ERR_BROKER_ORDER', brokerMessage: 'Invalid Price' },
  AB9009: { code: 'IF_ERR_BROKER_ORDER', brokerMessage: 'Invalid Trigger Price' },
  AB9010: { code: 'IF_ERR_BROKER_INPUT', brokerMessage: 'Invalid Exchange Segment' },
  AB9011: { code: 'IF_ERR_BROKER_INPUT', brokerMessage: 'Invalid Symbol Token' },
  AB9012: { code: 'IF_ERR_BROKER_INPUT', brokerMessage: 'Invalid Trading Symbol' },
  AB9013: { code: 'IF_ERR_BROKER_INPUT', brokerMessage: 'Invalid Rule ID' },
  AB9014: { code: 'IF_ERR_BROKER_ORDER', brokerMessage: 'Invalid Order Side' },
  AB9015: { code: 'IF_ERR_BROKER_INPUT', brokerMessage: 'Invalid Product Type' },
  AB9016: { code: 'IF_ERR_BROKER_INPUT', brokerMessage: 'Invalid Time Period' },
  AB9017: { code: 'IF_ERR_BROKER_INPUT', brokerMessage: 'Invalid Page Value' },
  AB9018: { code: 'IF_ERR_BROKER_INPUT', brokerMessage: 'Invalid Count Value' },
} as const satisfies Record<string, BrokerCodeEntry>;

export type AngelErrorCode = keyof typeof ANGEL_ERROR_CODES;

/** Codes after which a fresh jwt (generateTokens) may make the same call succeed. */
export const REFRESHABLE_CODES: ReadonlySet<string> = new Set(['AG8001', 'AG8002']);

export function isKnownAngelCode(code: string): code is AngelErrorCode {
  return Object.hasOwn(ANGEL_ERROR_CODES, code);
}

/** Our catalogue code for an Angel code; unknown codes are plain rejections. */
export function ifCodeForBrokerCode(brokerCode: string): ErrorCode {
  return isKnownAngelCode(brokerCode) ? ANGEL_ERROR_CODES[brokerCode].code : 'IF_ERR_BROKER_REJECTED';
}

const JWT_LIKE = /eyJ[\w-]{6,}(?:\.[\w-]*){0,2}/g;
const LONG_OPAQUE = /\b[A-Za-z0-9+/_-]{40,}={0,2}/g;
const MAX_DETAIL = 200;

/**
 * Makes broker-supplied text safe for an error message: tokens never reach logs even if a gateway ever
 * echoed one back, and control characters and very long bodies are cut.
 */
export function sanitizeBrokerText(text: string): string {
  const cleaned = text
    .replace(JWT_LIKE, '[redacted]')
    .replace(LONG_OPAQUE, '[redacted]')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim();
  return cleaned.length > MAX_DETAIL ? `${cleaned.slice(0, MAX_DETAIL)}…` : cleaned;
}

/** The IfError for an Angel error code returned by `endpoint`; `brokerCode` stays in params. */
export function brokerError(brokerCode: string, brokerMessage: string, endpoint: string): IfError {
  const code = ifCodeForBrokerCode(brokerCode);
  const detail = sanitizeBrokerText(brokerMessage) || 'no message';
  return new IfError(code, { brokerCode: sanitizeBrokerText(brokerCode), detail, endpoint });
}
