/**
 * The three response dialects of Angel One's REST gateway (reference §3.2), reproduced byte for byte:
 * the standard `{status,message,errorcode,data}` envelope, the gateway's `{success,message,errorCode,data}`
 * for token problems, and the plain-text 403 for rate-limit breaches.
 */

/** Standard envelope; key order as live responses have it. */
export interface StandardEnvelope {
  status: boolean;
  message: string;
  errorcode: string;
  data: unknown;
}

/** Gateway dialect: `success` and camel-case `errorCode`, `data` an empty string. */
export interface GatewayEnvelope {
  success: false;
  message: string;
  errorCode: string;
  data: '';
}

export function ok(data: unknown): StandardEnvelope {
  return { status: true, message: 'SUCCESS', errorcode: '', data };
}

/** A business error: still HTTP 200, as live. */
export function fail(errorcode: string, message: string): StandardEnvelope {
  return { status: false, message, errorcode, data: null };
}

export function gatewayFail(errorCode: string, message: string): GatewayEnvelope {
  return { success: false, message, errorCode, data: '' };
}

/**
 * Angel business error codes the simulator emits. Messages follow the official table (§3.3) where it has
 * one; codes marked inferred are our choice where live behaviour is unknown.
 */
export const ANGEL_ERRORS = {
  invalidCredentials: ['AB1000', 'Invalid Email Or Password'],
  somethingWrong: ['AB1004', 'Something Went Wrong, Please Try After Sometime'],
  invalidVariety: ['AB1008', 'Invalid Order Variety'],
  symbolNotFound: ['AB1009', 'Symbol Not Found'],
  invalidProduct: ['AB1012', 'Invalid Product Type'],
  orderNotFound: ['AB1013', 'Order not found'],
  symbolDetails: ['AB1018', 'Failed to get symbol details'],
  invalidTotp: ['AB1050', 'Invalid totp'],
  notSpecified: ['AB2000', 'Error not specified'],
  internal: ['AB2001', 'Internal Error, Please try after sometime'],
  ordertagLength: ['AB4008', 'ordertag length should be less than 20 characters'],
  emptyToken: ['AB4018', 'Symbol token cannot be empty'],
  invalidRefreshToken: ['AB8050', 'Invalid Refresh Token'],
  refreshTokenExpired: ['AB8051', 'Refresh Token Expired'],
} as const satisfies Record<string, readonly [string, string]>;

export type AngelErrorName = keyof typeof ANGEL_ERRORS;

export function failWith(name: AngelErrorName, message?: string): StandardEnvelope {
  const [code, text] = ANGEL_ERRORS[name];
  return fail(code, message ?? text);
}

/** Gateway-dialect errors (AG codes). AG7002 and AG8004 use this dialect too: both come from the gateway. */
export const GATEWAY_ERRORS = {
  invalidToken: ['AG8001', 'Invalid Token'],
  tokenExpired: ['AG8002', 'Token Expired'],
  tokenMissing: ['AG8003', 'Token missing'],
  invalidApiKey: ['AG8004', 'Invalid API Key'],
  unregisteredIp: ['AG7002', 'Unregistered IP'],
} as const satisfies Record<string, readonly [string, string]>;

export type GatewayErrorName = keyof typeof GATEWAY_ERRORS;

export function gatewayFailWith(name: GatewayErrorName): GatewayEnvelope {
  const [code, text] = GATEWAY_ERRORS[name];
  return gatewayFail(code, text);
}

/** The body of a rate-limit rejection: HTTP 403, `text/plain`, not JSON (it breaks naive SDK parsing). */
export const RATE_LIMIT_TEXT = 'Access denied because of exceeding access rate';

const STATUS_TEXT: Record<number, string> = {
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** An nginx-style HTML error page, as the gateway serves during incidents. */
export function htmlErrorPage(status: number): string {
  const title = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  return (
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n` +
    `<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  );
}
