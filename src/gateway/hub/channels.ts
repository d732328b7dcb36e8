import { IfError } from '../../core/errors.js';

export type HubRole = 'viewer' | 'trader' | 'admin';

/** Who is on the other end of a hub connection, as the injected `authenticate` reports it. */
export interface HubPrincipal {
  readonly userId: string;
  readonly role: HubRole;
}

/** Resolves a bearer token to a principal, or `undefined` when the token is not valid. */
export type Authenticate = (token: string) => Promise<HubPrincipal | undefined>;

export type HubChannel =
  | { readonly kind: 'ticks'; readonly name: string; readonly token: string }
  | { readonly kind: 'chain'; readonly name: string; readonly underlying: string; readonly expiry: string }
  | { readonly kind: 'signals'; readonly name: 'signals' }
  | { readonly kind: 'orders'; readonly name: 'orders' }
  | { readonly kind: 'positions'; readonly name: 'positions' }
  | { readonly kind: 'risk'; readonly name: 'risk' }
  | { readonly kind: 'health'; readonly name: 'health' };

export type ChannelKind = HubChannel['kind'];

/** Decides whether a principal may read a channel; injected so deployments can narrow or widen it. */
export type ChannelAuthoriser = (principal: HubPrincipal, channel: HubChannel) => boolean;

/**
 * Default read rights. Market data and signals are for every signed-in user; the account's orders,
 * positions and risk state are for those who trade it.
 *
 * | channel                          | viewer | trader | admin |
 * |----------------------------------|--------|--------|-------|
 * | ticks:<token>, chain:<u>:<expiry> | yes    | yes    | yes   |
 * | signals, health                  | yes    | yes    | yes   |
 * | orders, positions, risk          | no     | yes    | yes   |
 */
export const DEFAULT_CHANNEL_ROLES: Readonly<Record<ChannelKind, readonly HubRole[]>> = {
  ticks: ['viewer', 'trader', 'admin'],
  chain: ['viewer', 'trader', 'admin'],
  signals: ['viewer', 'trader', 'admin'],
  health: ['viewer', 'trader', 'admin'],
  orders: ['trader', 'admin'],
  positions: ['trader', 'admin'],
  risk: ['trader', 'admin'],
};

export const defaultAuthorise: ChannelAuthoriser = (principal, channel) =>
  DEFAULT_CHANNEL_ROLES[channel.kind].includes(principal.role);

const MAX_CHANNEL_LENGTH = 64;
// Angel One tokens are numeric strings (e.g. 99926000 for the NIFTY index).
const TOKEN = /^[0-9]{1,20}$/;
// Underlyings as the instrument master names them: NIFTY, BANKNIFTY, MIDCPNIFTY, M&M, BAJAJ-AUTO.
const UNDERLYING = /^[A-Z][A-Z0-9&-]{0,19}$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SINGLE = new Set(['signals', 'orders', 'positions', 'risk', 'health']);

function invalid(channel: string, detail: string): IfError {
  const shown = channel.length > MAX_CHANNEL_LENGTH ? `${channel.slice(0, MAX_CHANNEL_LENGTH)}…` : channel;
  return new IfError('IF_ERR_HUB_CHANNEL_INVALID', { channel: shown, detail });
}

function isCalendarDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (match === null) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Parses a channel name such as `ticks:99926000` or `chain:NIFTY:2026-12-01`; throws IF_ERR_HUB_CHANNEL_INVALID. */
export function parseChannel(name: string): HubChannel {
  if (name.length === 0 || name.length > MAX_CHANNEL_LENGTH) {
    throw invalid(name, `must be 1 to ${MAX_CHANNEL_LENGTH} characters`);
  }
  if (SINGLE.has(name)) return { kind: name, name } as HubChannel;
  const parts = name.split(':');
  if (parts[0] === 'ticks') {
    const token = parts[1];
    if (parts.length !== 2 || token === undefined || !TOKEN.test(token)) {
      throw invalid(name, 'expected ticks:<numeric instrument token>');
    }
    return { kind: 'ticks', name, token };
  }
  if (parts[0] === 'chain') {
    const [, underlying, expiry] = parts;
    if (parts.length !== 3 || underlying === undefined || expiry === undefined) {
      throw invalid(name, 'expected chain:<UNDERLYING>:<YYYY-MM-DD>');
    }
    if (!UNDERLYING.test(underlying)) throw invalid(name, 'underlying must be upper case, e.g. NIFTY');
    if (!isCalendarDate(expiry)) throw invalid(name, 'expiry must be a date as YYYY-MM-DD');
    return { kind: 'chain', name, underlying, expiry };
  }
  throw invalid(name, 'unknown channel; use ticks:, chain:, signals, orders, positions, risk or health');
}

/** Channel name for one instrument's ticks. */
export function ticksChannel(token: string): string {
  return `ticks:${token}`;
}

/** Channel name for one option chain; `expiry` as YYYY-MM-DD. */
export function chainChannel(underlying: string, expiry: string): string {
  return `chain:${underlying}:${expiry}`;
}
