import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../../core/clock.js';
import { IfError } from '../../core/errors.js';
import { SlidingWindowLimiter, type WindowLimit } from '../../core/rateLimit.js';
import type { Logger } from '../../ops/logger.js';
import { isUserRole, type StoredUser, type UserRepository, type UserRole } from '../../storage/index.js';

/** OWASP password-storage cheat sheet, argon2id minimum: m=19 MiB, t=2, p=1 (@node-rs default algorithm). */
const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const ISSUER = 'indexflow';
const AUDIENCE = 'indexflow';
export const ACCESS_TOKEN_TTL_MS = 15 * 60_000;
export const REFRESH_TOKEN_TTL_MS = 7 * 24 * 60 * 60_000;
export const DEFAULT_LOGIN_LIMIT: WindowLimit = { limit: 5, windowMs: 60_000 };
/** limiter maps are swept past this many keys, so a spray of usernames cannot grow memory without bound */
const MAX_LIMITER_KEYS = 10_000;
export const MIN_PASSWORD_LENGTH = 10;

export interface Principal {
  userId: string;
  username: string;
  role: UserRole;
}

/** A user as the admin API shows it: never the password hash. */
export interface UserSummary {
  username: string;
  role: UserRole;
  disabled: boolean;
  createdAtMs: number;
}

export interface UserChange {
  role?: UserRole | undefined;
  disabled?: boolean | undefined;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** seconds, as OAuth's expires_in */
  expiresIn: number;
}

export interface AuthServiceOptions {
  users: UserRepository;
  clock: Clock;
  /** HS256 key, at least 32 bytes; when absent a random per-process key is used (tokens die on restart) */
  jwtSecret?: string | undefined;
  logger?: Logger;
  /** per username and per client address (default 5 per minute) */
  loginLimit?: WindowLimit;
}

/** sha-256 hex: refresh tokens are 256 random bits, so a fast hash is enough (no dictionary to guess from). */
function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Why a password is refused, or undefined. Length over composition rules, as NIST SP 800-63B advises. */
export function passwordProblem(password: string, username: string): string | undefined {
  if (password.length === 0) return 'it is empty';
  if (password.length < MIN_PASSWORD_LENGTH) return `it must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > 1024) return 'it must be at most 1024 characters';
  if (password.toLowerCase().includes(username.toLowerCase())) return 'it must not contain the username';
  if (new Set(password).size < 4) return 'it must use at least 4 different characters';
  return undefined;
}

/**
 * Users, passwords and sessions: argon2id password hashes, 15-minute HS256 access tokens and opaque
 * 7-day refresh tokens stored as sha-256, rotated on every use. Presenting a revoked refresh token (a
 * stolen copy used after the owner rotated, or the reverse) revokes every token of that login.
 * Time comes only from the injected clock.
 */
export class AuthService {
  private readonly key: Uint8Array;
  private readonly users: UserRepository;
  private readonly clock: Clock;
  private readonly loginLimit: WindowLimit;
  private readonly byUsername = new Map<string, SlidingWindowLimiter>();
  private readonly byAddress = new Map<string, SlidingWindowLimiter>();
  private dummyHash: Promise<string> | undefined;
  /**
   * Role and disabled changes made through this service, by user id. Access tokens are stateless for 15
   * minutes; with this an admin's change applies at once to tokens verified in this process (another
   * gateway process sees it when the token expires or is refreshed, since refresh reads the database).
   */
  private readonly changed = new Map<string, { role: UserRole; disabled: boolean }>();

  constructor(options: AuthServiceOptions) {
    this.users = options.users;
    this.clock = options.clock;
    this.loginLimit = options.loginLimit ?? DEFAULT_LOGIN_LIMIT;
    const secret = options.jwtSecret;
    if (secret !== undefined && secret !== '') {
      if (Buffer.byteLength(secret) < 32) {
        throw new IfError('IF_ERR_CONFIG_INVALID', {
          key: 'INDEXFLOW_JWT_SECRET',
          detail: 'must be at least 32 bytes',
        });
      }
      this.key = new TextEncoder().encode(secret);
    } else {
      this.key = randomBytes(32);
      options.logger?.warn(
        'INDEXFLOW_JWT_SECRET is not set: using a random per-process key; sessions end on restart',
      );
    }
  }

  /** Creates a user with an argon2id hash; IF_ERR_AUTH_WEAK_PASSWORD or IF_ERR_AUTH_USER_EXISTS. */
  async createUser(username: string, password: string, role: UserRole): Promise<Principal> {
    const name = normaliseUsername(username);
    if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(name)) {
      throw new IfError('IF_ERR_VALIDATION', {
        detail: 'username must be 1-64 of a-z, 0-9, ".", "_" or "-", starting with a letter or digit',
      });
    }
    if (!isUserRole(role))
      throw new IfError('IF_ERR_VALIDATION', { detail: 'role must be viewer, trader or admin' });
    const problem = passwordProblem(password, name);
    if (problem !== undefined) throw new IfError('IF_ERR_AUTH_WEAK_PASSWORD', { detail: problem });
    if ((await this.users.findByUsername(name)) !== undefined) {
      throw new IfError('IF_ERR_AUTH_USER_EXISTS', { username: name });
    }
    const passwordHash = await hash(password, ARGON2_OPTIONS);
    const user = await this.users.create({
      username: name,
      passwordHash,
      role,
      createdAtMs: this.clock.now(),
    });
    return { userId: String(user.id), username: user.username, role: user.role };
  }

  /** Every user, by username. */
  async listUsers(): Promise<UserSummary[]> {
    return (await this.users.list()).map(summary);
  }

  /**
   * Changes a user's role or disables/enables it. Disabling revokes the user's refresh tokens and, in this
   * process, its access tokens. Refuses to demote or disable the last enabled admin (IF_ERR_AUTH_LAST_ADMIN);
   * IF_ERR_NOT_FOUND for an unknown user.
   */
  async updateUser(username: string, change: UserChange): Promise<UserSummary> {
    const name = normaliseUsername(username);
    const user = await this.users.findByUsername(name);
    if (user === undefined) throw new IfError('IF_ERR_NOT_FOUND', { what: `user ${name}` });
    const role = change.role ?? user.role;
    const disabled = change.disabled ?? user.disabled;
    if (user.role === 'admin' && !user.disabled && (role !== 'admin' || disabled)) {
      const admins = (await this.users.list()).filter((u) => u.role === 'admin' && !u.disabled);
      if (admins.length <= 1) {
        throw new IfError('IF_ERR_AUTH_LAST_ADMIN', {
          username: name,
          detail: 'add or enable another admin first',
        });
      }
    }
    if (role !== user.role) await this.users.setRole(user.id, role);
    if (disabled !== user.disabled) {
      await this.users.setDisabled(user.id, disabled);
      if (disabled) await this.users.revokeUserTokens(user.id, this.clock.now());
    }
    this.changed.set(String(user.id), { role, disabled });
    return summary({ ...user, role, disabled });
  }

  /** How many users exist (the platform hints at `indexflow user add` when there are none). */
  userCount(): Promise<number> {
    return this.users.count();
  }

  /**
   * Checks the password and opens a session. Rate-limited per username and per client address
   * (IF_ERR_AUTH_RATE_LIMITED); a wrong password and an unknown user give the same error after the same work.
   */
  async login(username: string, password: string, address = 'local'): Promise<TokenPair> {
    const name = normaliseUsername(username);
    const now = this.clock.now();
    const wait = Math.max(
      this.limiter(this.byUsername, name).delayUntilAllowed(now),
      this.limiter(this.byAddress, address).delayUntilAllowed(now),
    );
    if (wait > 0) throw new IfError('IF_ERR_AUTH_RATE_LIMITED', { retryAfterS: Math.ceil(wait / 1000) });
    this.limiter(this.byUsername, name).record(now);
    this.limiter(this.byAddress, address).record(now);

    const user = await this.users.findByUsername(name);
    // Verify against a dummy hash for unknown users, so response time does not reveal which names exist.
    const ok = await verify(user?.passwordHash ?? (await this.dummy()), password).catch(() => false);
    if (user === undefined || !ok) throw new IfError('IF_ERR_AUTH_INVALID_CREDENTIALS');
    if (user.disabled) throw new IfError('IF_ERR_AUTH_DISABLED', { username: user.username });
    return this.issue({ userId: String(user.id), username: user.username, role: user.role }, randomUUID());
  }

  /** Swaps a refresh token for a new pair; the old token is revoked. Reuse revokes the whole family. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const now = this.clock.now();
    const stored = await this.users.findRefreshToken(sha256(refreshToken));
    if (stored === undefined) throw new IfError('IF_ERR_AUTH_TOKEN_INVALID');
    if (stored.revokedAtMs !== undefined) {
      await this.users.revokeFamily(stored.familyId, now);
      throw new IfError('IF_ERR_AUTH_TOKEN_REUSED');
    }
    if (stored.expiresAtMs <= now) throw new IfError('IF_ERR_AUTH_TOKEN_INVALID');
    const user = await this.users.findById(stored.userId);
    if (user === undefined || user.disabled) {
      await this.users.revokeFamily(stored.familyId, now);
      throw new IfError('IF_ERR_AUTH_TOKEN_INVALID');
    }
    const principal = { userId: String(user.id), username: user.username, role: user.role };
    const { pair, id } = await this.issueWithId(principal, stored.familyId);
    if (!(await this.users.revokeRefreshToken(stored.id, now, id))) {
      // Another request rotated the same token between our read and write: treat it as reuse.
      await this.users.revokeFamily(stored.familyId, now);
      throw new IfError('IF_ERR_AUTH_TOKEN_REUSED');
    }
    return pair;
  }

  /** Revokes the refresh token's whole login (all its rotations). Unknown tokens are ignored. */
  async logout(refreshToken: string): Promise<void> {
    const stored = await this.users.findRefreshToken(sha256(refreshToken));
    if (stored !== undefined) await this.users.revokeFamily(stored.familyId, this.clock.now());
  }

  /** The principal of a valid access token, or undefined (bad signature, expired, malformed). */
  async verifyAccessToken(token: string): Promise<Principal | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        currentDate: new Date(this.clock.now()),
      });
      const { sub, username, role } = payload;
      if (typeof sub !== 'string' || typeof username !== 'string' || typeof role !== 'string')
        return undefined;
      if (!isUserRole(role)) return undefined;
      const changed = this.changed.get(sub);
      // A token minted before an admin's change: refused, so the client refreshes (or is shut out).
      if (changed !== undefined && (changed.disabled || changed.role !== role)) return undefined;
      return { userId: sub, username, role };
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return undefined;
      throw error;
    }
  }

  private async issue(principal: Principal, familyId: string): Promise<TokenPair> {
    return (await this.issueWithId(principal, familyId)).pair;
  }

  private async issueWithId(
    principal: Principal,
    familyId: string,
  ): Promise<{ pair: TokenPair; id: number }> {
    const now = this.clock.now();
    const nowS = Math.floor(now / 1000);
    const accessToken = await new SignJWT({ username: principal.username, role: principal.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(principal.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + ACCESS_TOKEN_TTL_MS / 1000)
      .setJti(randomUUID())
      .sign(this.key);
    const refreshToken = randomBytes(32).toString('base64url');
    const stored = await this.users.insertRefreshToken({
      userId: Number(principal.userId),
      tokenHash: sha256(refreshToken),
      familyId,
      createdAtMs: now,
      expiresAtMs: now + REFRESH_TOKEN_TTL_MS,
    });
    return { pair: { accessToken, refreshToken, expiresIn: ACCESS_TOKEN_TTL_MS / 1000 }, id: stored.id };
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hash(randomBytes(16).toString('hex'), ARGON2_OPTIONS);
    return this.dummyHash;
  }

  private limiter(map: Map<string, SlidingWindowLimiter>, key: string): SlidingWindowLimiter {
    let limiter = map.get(key);
    if (limiter === undefined) {
      if (map.size >= MAX_LIMITER_KEYS) this.sweep(map);
      limiter = new SlidingWindowLimiter([this.loginLimit]);
      map.set(key, limiter);
    }
    return limiter;
  }

  /** Drops limiters that would allow the next attempt now (a partly used window is forgotten: rare, bounded). */
  private sweep(map: Map<string, SlidingWindowLimiter>): void {
    const now = this.clock.now();
    for (const [key, limiter] of map) {
      if (limiter.delayUntilAllowed(now) === 0) map.delete(key);
    }
  }
}

function summary(user: StoredUser): UserSummary {
  return {
    username: user.username,
    role: user.role,
    disabled: user.disabled,
    createdAtMs: user.createdAtMs,
  };
}

export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase();
}
