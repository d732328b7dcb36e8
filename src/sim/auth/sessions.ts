import { createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { istMidnight, DAY_MS } from '../../core/time.js';

/** A trading account the simulator accepts. */
export interface SimAccount {
  clientCode: string;
  /** 4-digit MPIN */
  pin: string;
  /** base32 TOTP secret */
  totpSecret: string;
  apiKey: string;
}

export interface SimSession {
  clientCode: string;
  jwtToken: string;
  refreshToken: string;
  feedToken: string;
  issuedAtMs: number;
  /** Angel sessions end at the next IST midnight */
  expiresAtMs: number;
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/**
 * Session tokens for the simulator: JWT-shaped (HS512 header, like Angel's) but opaque to clients.
 * Sessions expire at the next IST midnight of the simulated clock; a fresh login may supersede older
 * sessions of the same client code (Angel reportedly does this).
 */
export class SimSessionStore {
  private readonly secret = randomBytes(32);
  private readonly byJwt = new Map<string, SimSession>();
  private readonly byRefresh = new Map<string, SimSession>();

  constructor(
    private readonly clock: Clock,
    private readonly options: { newLoginInvalidatesOld?: boolean } = {},
  ) {}

  create(clientCode: string): SimSession {
    if (this.options.newLoginInvalidatesOld) this.revokeClient(clientCode);
    const now = this.clock.now();
    const session: SimSession = {
      clientCode,
      jwtToken: this.token(clientCode, 'jwt', now),
      refreshToken: this.token(clientCode, 'refresh', now),
      feedToken: this.token(clientCode, 'feed', now),
      issuedAtMs: now,
      expiresAtMs: istMidnight(now) + DAY_MS,
    };
    this.byJwt.set(session.jwtToken, session);
    this.byRefresh.set(session.refreshToken, session);
    return session;
  }

  /** Accepts `Bearer <jwt>` or a bare jwt. */
  findByJwt(authorization: string | undefined): SimSession | undefined {
    if (!authorization) return undefined;
    const jwt = authorization.replace(/^Bearer\s+/i, '').trim();
    return this.live(this.byJwt.get(jwt));
  }

  /**
   * Tells a live jwt from one this store issued that has since expired and from one it never issued (or
   * revoked): the order-status socket answers 403 for the second and 401 for the third.
   */
  jwtStatus(authorization: string | undefined): 'live' | 'expired' | 'unknown' {
    if (!authorization) return 'unknown';
    const session = this.byJwt.get(authorization.replace(/^Bearer\s+/i, '').trim());
    if (!session) return 'unknown';
    return this.live(session) ? 'live' : 'expired';
  }

  /** Same as `jwtStatus` for a refresh token (AB8051 expired vs AB8050 invalid). */
  refreshTokenStatus(refreshToken: string): 'live' | 'expired' | 'unknown' {
    const session = this.byRefresh.get(refreshToken);
    if (!session) return 'unknown';
    return this.live(session) ? 'live' : 'expired';
  }

  findByRefreshToken(refreshToken: string): SimSession | undefined {
    return this.live(this.byRefresh.get(refreshToken));
  }

  findByFeedToken(clientCode: string, feedToken: string): SimSession | undefined {
    for (const session of this.byJwt.values()) {
      if (session.clientCode === clientCode && session.feedToken === feedToken) return this.live(session);
    }
    return undefined;
  }

  /** Issues new tokens for a session found by its refresh token; the old ones stop working. */
  refresh(refreshToken: string): SimSession | undefined {
    const old = this.findByRefreshToken(refreshToken);
    if (!old) return undefined;
    this.revoke(old);
    const now = this.clock.now();
    const session: SimSession = {
      ...old,
      jwtToken: this.token(old.clientCode, 'jwt', now),
      refreshToken: this.token(old.clientCode, 'refresh', now),
      feedToken: this.token(old.clientCode, 'feed', now),
      issuedAtMs: now,
    };
    this.byJwt.set(session.jwtToken, session);
    this.byRefresh.set(session.refreshToken, session);
    return session;
  }

  revoke(session: SimSession): void {
    this.byJwt.delete(session.jwtToken);
    this.byRefresh.delete(session.refreshToken);
  }

  revokeClient(clientCode: string): void {
    for (const session of [...this.byJwt.values()]) {
      if (session.clientCode === clientCode) this.revoke(session);
    }
  }

  /** Expires every session now (tests use it to force AG8002 / 401 paths). */
  expireAll(): void {
    for (const session of this.byJwt.values()) session.expiresAtMs = this.clock.now();
  }

  private live(session: SimSession | undefined): SimSession | undefined {
    if (!session) return undefined;
    return this.clock.now() < session.expiresAtMs ? session : undefined;
  }

  private token(clientCode: string, kind: string, nowMs: number): string {
    const header = base64url(JSON.stringify({ alg: 'HS512', typ: 'JWT' }));
    const payload = base64url(
      JSON.stringify({
        sub: clientCode,
        kind,
        iat: Math.floor(nowMs / 1000),
        nonce: randomBytes(6).toString('hex'),
      }),
    );
    const signature = createHmac('sha512', this.secret).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  }
}
