/**
 * The one catalogue of coded errors. Tests assert on `code`, never on message text.
 * Messages are templates: `{name}` is replaced from the params given at the throw site.
 * Params must never carry secrets (passwords, TOTP secrets, tokens, API keys).
 */
export const ERROR_CATALOGUE = {
  // generic
  IF_ERR_INTERNAL: { status: 500, message: 'Internal error: {detail}' },
  IF_ERR_VALIDATION: { status: 400, message: 'Invalid input: {detail}' },
  IF_ERR_NOT_FOUND: { status: 404, message: '{what} not found' },
  IF_ERR_TIMEOUT: { status: 504, message: '{what} timed out after {ms} ms' },
  IF_ERR_UNAVAILABLE: { status: 503, message: '{what} is not available: {detail}' },
  /** other 4xx refusals of the HTTP layer (body too large, unsupported media type); sent with their own status */
  IF_ERR_REQUEST: { status: 400, message: 'Bad request: {detail}' },

  // configuration
  IF_ERR_CONFIG_INVALID: { status: 500, message: 'Invalid configuration at "{key}": {detail}' },
  IF_ERR_CONFIG_FILE: { status: 500, message: 'Cannot read configuration file {path}: {detail}' },

  // market-data feed packets (decoder boundary)
  IF_ERR_PACKET_SIZE: {
    status: 400,
    message: 'Packet of {size} bytes does not match mode {mode} ({expected} bytes)',
  },
  IF_ERR_PACKET_MODE: { status: 400, message: 'Unknown subscription mode {mode} in packet' },
  IF_ERR_PACKET_FIELD: { status: 400, message: 'Packet field {field} is invalid: {detail}' },
  IF_ERR_PACKET_TOKEN: { status: 400, message: 'Packet token is invalid: {detail}' },

  // market-data feed connection
  IF_ERR_FEED_AUTH: { status: 401, message: 'Feed handshake refused (401): {detail}' },
  IF_ERR_FEED_RATE_LIMITED: { status: 429, message: 'Feed handshake rate-limited (429): {detail}' },
  IF_ERR_FEED_INVALID_REQUEST: { status: 400, message: 'Feed rejected a request ({brokerCode}): {detail}' },
  IF_ERR_FEED_SUBSCRIPTION_LIMIT: {
    status: 400,
    message: 'Feed subscription limit exceeded ({brokerCode}): {detail}',
  },
  IF_ERR_FEED_CAPACITY: {
    status: 400,
    message:
      'Cannot subscribe {requested} pairs: capacity is {capacity} ({connections} connections x {perConnection})',
  },
  IF_ERR_FEED_STALE: { status: 503, message: 'Feed stale: no data for {ms} ms' },
  IF_ERR_FEED_NOT_CONNECTED: { status: 503, message: 'Feed is not connected' },

  // broker REST (Angel One codes are kept in `brokerCode`)
  IF_ERR_BROKER_AUTH: { status: 401, message: 'Broker login refused ({brokerCode}): {detail}' },
  IF_ERR_BROKER_SESSION: {
    status: 401,
    message: 'Broker session invalid or expired ({brokerCode}): {detail}',
  },
  IF_ERR_BROKER_API_KEY: { status: 401, message: 'Broker API key rejected ({brokerCode})' },
  IF_ERR_BROKER_PERMISSION: { status: 403, message: 'Broker refused the action ({brokerCode}): {detail}' },
  IF_ERR_BROKER_STATIC_IP: {
    status: 403,
    message: 'Broker refused an order from an unregistered IP ({brokerCode})',
  },
  IF_ERR_BROKER_RATE_LIMITED: { status: 429, message: 'Broker rate limit exceeded on {endpoint}' },
  IF_ERR_BROKER_INPUT: { status: 400, message: 'Broker rejected the request input ({brokerCode}): {detail}' },
  IF_ERR_BROKER_ORDER: { status: 400, message: 'Broker order error ({brokerCode}): {detail}' },
  IF_ERR_BROKER_FUNDS: { status: 400, message: 'Insufficient funds ({brokerCode}): {detail}' },
  IF_ERR_BROKER_UNAVAILABLE: { status: 503, message: 'Broker unavailable on {endpoint}: {detail}' },
  IF_ERR_BROKER_CIRCUIT_OPEN: {
    status: 503,
    message: 'Broker circuit open on {endpoint}; not calling until it recovers',
  },
  IF_ERR_BROKER_TIMEOUT: { status: 504, message: 'Broker call {endpoint} timed out after {ms} ms' },
  IF_ERR_BROKER_RESPONSE: {
    status: 502,
    message: 'Broker response from {endpoint} could not be understood: {detail}',
  },
  IF_ERR_BROKER_REJECTED: { status: 400, message: 'Broker rejected the request ({brokerCode}): {detail}' },

  // instruments
  IF_ERR_INSTRUMENT_MASTER: { status: 502, message: 'Instrument master invalid: {detail}' },
  IF_ERR_INSTRUMENT_UNKNOWN: { status: 404, message: 'Unknown instrument {instrument}' },

  // options maths (smile fitting)
  IF_ERR_SMILE_FIT: { status: 422, message: 'Cannot fit an SVI smile: {detail}' },

  // options maths (pricing, Greeks, implied volatility)
  IF_ERR_OPTION_INPUT: { status: 400, message: 'Invalid option input: {detail}' },
  IF_ERR_OPTION_EXPIRED: { status: 422, message: 'Option has no time left to expiry: {detail}' },
  IF_ERR_IV_BELOW_INTRINSIC: {
    status: 422,
    message: 'No implied volatility, price below intrinsic: {detail}',
  },
  IF_ERR_IV_ABOVE_MAX: {
    status: 422,
    message: 'No implied volatility, price at or above its bound: {detail}',
  },
  IF_ERR_IV_UNSOLVED: { status: 500, message: 'Implied volatility solver failed: {detail}' },

  // recording / replay
  IF_ERR_RECORDING_INVALID: { status: 400, message: 'Recording {path} is invalid: {detail}' },

  // Redis state mirror and reader ({address} is host:port, never the URL)
  IF_ERR_REDIS_UNAVAILABLE: { status: 503, message: 'Redis unavailable at {address}: {detail}' },
  IF_ERR_REDIS_VALUE: { status: 502, message: 'Redis value at key "{key}" is not a JSON object: {detail}' },

  // storage (database URLs in params are always redacted)
  IF_ERR_STORAGE_URL: { status: 500, message: 'Invalid database URL {url}: {detail}' },
  IF_ERR_STORAGE_UNAVAILABLE: { status: 503, message: 'Storage unavailable ({target}): {detail}' },
  IF_ERR_STORAGE_MIGRATION: { status: 500, message: 'Storage migration {migration} failed: {detail}' },
  IF_ERR_STORAGE_INVALID_ROW: { status: 400, message: 'Cannot store {table} row: {detail}' },
  IF_ERR_STORAGE_CORRUPT: { status: 500, message: 'Stored {table} row is corrupt: {detail}' },
  IF_ERR_STORAGE_CONFLICT: { status: 409, message: 'Cannot store {table} row: {detail}' },

  // SignalR-compatible hub (channel names are not secrets; tokens never appear in params)
  IF_ERR_HUB_UNAUTHENTICATED: { status: 401, message: 'Hub request needs a valid access token' },
  IF_ERR_HUB_IDENTITY_CHANGED: {
    status: 403,
    message: 'Hub request comes from another user than the connection',
  },
  IF_ERR_HUB_FORBIDDEN: { status: 403, message: 'Role {role} may not subscribe to {channel}' },
  IF_ERR_HUB_CHANNEL_INVALID: { status: 400, message: 'Invalid hub channel "{channel}": {detail}' },
  IF_ERR_HUB_ARGUMENTS: { status: 400, message: 'Hub method {method} expects {expected}' },
  IF_ERR_HUB_TOO_MANY_SUBSCRIPTIONS: {
    status: 429,
    message: 'Connection already holds {limit} subscriptions',
  },
  IF_ERR_HUB_TOO_MANY_CONNECTIONS: { status: 429, message: 'User already holds {limit} hub connections' },
  IF_ERR_HUB_PROTOCOL: { status: 400, message: 'Hub protocol error: {detail}' },
  IF_ERR_HUB_SLOW_CLIENT: { status: 503, message: 'Client dropped as too slow: {detail}' },
  IF_ERR_HUB_CLIENT_TIMEOUT: { status: 408, message: 'No message from the client for {ms} ms' },
  IF_ERR_HUB_SHUTDOWN: { status: 503, message: 'Hub is shutting down; reconnect shortly' },

  // users and sessions (usernames may appear; passwords and tokens never do)
  IF_ERR_AUTH_INVALID_CREDENTIALS: { status: 401, message: 'Wrong username or password' },
  IF_ERR_AUTH_DISABLED: { status: 403, message: 'User {username} is disabled' },
  IF_ERR_AUTH_RATE_LIMITED: { status: 429, message: 'Too many login attempts; retry in {retryAfterS} s' },
  IF_ERR_AUTH_TOKEN_INVALID: { status: 401, message: 'Refresh token is unknown, expired or revoked' },
  IF_ERR_AUTH_TOKEN_REUSED: {
    status: 401,
    message: 'Refresh token was already used; every session descended from its login is revoked',
  },
  IF_ERR_AUTH_USER_EXISTS: { status: 409, message: 'User {username} already exists' },
  IF_ERR_AUTH_WEAK_PASSWORD: { status: 400, message: 'Password refused: {detail}' },
  IF_ERR_AUTH_REQUIRED: {
    status: 401,
    message: 'This request needs a valid access token (Authorization: Bearer <accessToken>)',
  },
  IF_ERR_AUTH_FORBIDDEN: { status: 403, message: 'Role {role} may not {action}; it needs {required}' },
  IF_ERR_AUTH_LAST_ADMIN: { status: 409, message: 'User {username} is the last enabled admin: {detail}' },

  // execution: charges and positions
  IF_ERR_CHARGES_NO_RATE: {
    status: 422,
    message: 'No {component} rate on {date}: the charge schedule starts later',
  },
  IF_ERR_FILL_INVALID: { status: 400, message: 'Invalid fill {fillId}: {detail}' },

  // order state machine and pre-trade risk
  IF_ERR_ORDER_TRANSITION: {
    status: 409,
    message: 'Order {clientOrderId} in state {status} cannot take {event}: {detail}',
  },
  IF_ERR_ORDER_OVERFILL: {
    status: 409,
    message: 'Order {clientOrderId} fill of {fillQuantity} would make {wouldFill} of {quantity}',
  },
  IF_ERR_ORDER_INVALID: { status: 400, message: 'Order {clientOrderId} event {event} is invalid: {detail}' },
  IF_ERR_ORDER_RECONCILE: {
    status: 409,
    message: 'Order {clientOrderId} disagrees with the broker report: {detail}',
  },
  IF_ERR_RISK_DENIED: { status: 422, message: 'Order denied by risk rule {rule}: {detail}' },
  IF_ERR_RISK_HALTED: { status: 423, message: 'Trading is halted ({trigger}): {detail}' },
  IF_ERR_RISK_FORBIDDEN: { status: 403, message: '{actor} ({role}) may not {command}: {detail}' },
  IF_ERR_ORDER_MANAGER_NOT_RUNNING: { status: 503, message: 'Order manager is {state}; {detail}' },

  // execution clients (venue routes); `params.refused === true` marks a request that certainly did not take
  // effect at the venue (the order manager treats it as a rejection, never as an unknown outcome)
  IF_ERR_EXECUTION_UNSUPPORTED: {
    status: 422,
    message: '{venue} cannot {operation} order {clientOrderId}: {detail}',
  },
  IF_ERR_EXECUTION_REFUSED: {
    status: 422,
    message: '{venue} refused to {operation} order {clientOrderId}: {detail}',
  },
  IF_ERR_EXECUTION_DUPLICATE: {
    status: 409,
    message:
      'Order {clientOrderId} was already sent to {venue}; reconcile it by its tag instead of sending it again',
  },

  // signals (strategy and composite configuration)
  IF_ERR_SIGNAL_CONFIG: { status: 400, message: 'Signal configuration refused at "{key}": {detail}' },

  // secrets at rest (the key and the plaintext never appear in params)
  IF_ERR_SECRET_KEY: { status: 500, message: 'INDEXFLOW_SECRET_KEY is unusable: {detail}' },
  IF_ERR_SECRET_DECRYPT: { status: 500, message: 'Cannot decrypt {what}: {detail}' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
export type ErrorParams = Record<string, string | number | boolean | undefined>;

function render(template: string, params: ErrorParams): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = params[key];
    return value === undefined ? `{${key}}` : String(value);
  });
}

/** A coded, catalogued error. `params` are safe to log; they must never hold secrets. */
export class IfError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly params: ErrorParams;

  constructor(code: ErrorCode, params: ErrorParams = {}, options?: { cause?: unknown }) {
    const entry = ERROR_CATALOGUE[code];
    super(render(entry.message, params), options);
    this.name = 'IfError';
    this.code = code;
    this.httpStatus = entry.status;
    this.params = params;
  }

  toJSON(): { code: ErrorCode; message: string; params: ErrorParams } {
    return { code: this.code, message: this.message, params: this.params };
  }
}

export function isIfError(value: unknown, code?: ErrorCode): value is IfError {
  return value instanceof IfError && (code === undefined || value.code === code);
}
