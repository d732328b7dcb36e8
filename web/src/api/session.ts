import type { ErrorBody, LoginResponse, Role } from './wire';

export interface User {
  username: string;
  role: Role;
}

/** A refused login or API call, with the server's IF_ERR_* code when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

// The refresh token survives reloads (the trader stays signed in on the phone); the access token lives
// only in memory.
const REFRESH_KEY = 'indexflow.refreshToken';
/** refresh this long before the access token expires, so a request never leaves with a dying token */
const EARLY_REFRESH_MS = 30_000;

interface Claims {
  exp?: number;
  iat?: number;
  username?: string;
  role?: string;
}

/** Reads a JWT's payload for display and expiry only; the server verifies every token it receives. */
function readClaims(token: string): Claims {
  const part = token.split('.')[1];
  if (part === undefined) return {};
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const parsed: unknown = JSON.parse(json);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Claims) : {};
  } catch {
    return {};
  }
}

function isRole(value: unknown): value is Role {
  return value === 'viewer' || value === 'trader' || value === 'admin';
}

async function errorOf(response: Response): Promise<ApiError> {
  let body: ErrorBody = {};
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    // not JSON: keep the status line
  }
  const { code, message } = body.error ?? {};
  return new ApiError(response.status, code, message ?? `${response.status} ${response.statusText}`);
}

/**
 * The signed-in user's tokens: login, silent refresh (before expiry and on a 401), logout. Refreshes are
 * serialised — across tabs too where Web Locks exist — because the server rotates refresh tokens and
 * treats a reused one as theft, revoking the whole login.
 */
export class Session {
  private accessToken: string | undefined;
  private accessExpiresAtMs = 0;
  private refreshing: Promise<boolean> | undefined;
  private readonly listeners = new Set<(user: User | undefined) => void>();
  user: User | undefined;

  onChange(listener: (user: User | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async login(username: string, password: string): Promise<void> {
    const response = await fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!response.ok) throw await errorOf(response);
    this.accept((await response.json()) as LoginResponse);
  }

  /** Signs in again from a stored refresh token (page reload); false when there is none or it is refused. */
  async restore(): Promise<boolean> {
    if (localStorage.getItem(REFRESH_KEY) === null) return false;
    return this.refresh();
  }

  /** A valid access token, refreshed first when it is about to expire; undefined when signed out. */
  async token(): Promise<string | undefined> {
    if (this.accessToken !== undefined && Date.now() < this.accessExpiresAtMs - EARLY_REFRESH_MS) {
      return this.accessToken;
    }
    return (await this.refresh()) ? this.accessToken : undefined;
  }

  /** fetch with the bearer token; on a 401 refreshes once and retries. */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const send = async (token: string | undefined) => {
      const headers = new Headers(init.headers);
      if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
      return fetch(path, { ...init, headers });
    };
    const first = await send(await this.token());
    if (first.status !== 401 || this.user === undefined) return first;
    return (await this.refresh()) ? send(this.accessToken) : first;
  }

  async logout(): Promise<void> {
    const refreshToken = localStorage.getItem(REFRESH_KEY);
    this.clear();
    if (refreshToken === null) return;
    // Best effort: the tokens are gone from this device either way.
    await fetch('/api/v1/auth/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    }).catch(() => undefined);
  }

  private refresh(): Promise<boolean> {
    if (this.refreshing !== undefined) return this.refreshing;
    const run = (): Promise<boolean> => this.rotate();
    // Web Locks need a secure context (https or localhost); on a LAN address the tab refreshes alone.
    const locks: LockManager | undefined = globalThis.navigator?.locks;
    // request() resolves to the callback's result (a promise of a promise in the DOM typings)
    const work = locks ? locks.request('indexflow-refresh', run).then((done) => done) : run();
    const refreshing = work.finally(() => {
      this.refreshing = undefined;
    });
    this.refreshing = refreshing;
    return refreshing;
  }

  private async rotate(): Promise<boolean> {
    // Read inside the lock: another tab may have rotated the token a moment ago.
    const refreshToken = localStorage.getItem(REFRESH_KEY);
    if (refreshToken === null) {
      this.clear();
      return false;
    }
    let response: Response;
    try {
      response = await fetch('/api/v1/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken }),
      });
    } catch {
      return false; // offline: keep the refresh token and try again later
    }
    if (!response.ok) {
      // 401 means the token is spent or revoked; anything else (5xx) is worth another try later.
      if (response.status === 401 || response.status === 400) this.clear();
      return false;
    }
    this.accept((await response.json()) as LoginResponse);
    return true;
  }

  private accept(tokens: LoginResponse): void {
    const claims = readClaims(tokens.accessToken);
    this.accessToken = tokens.accessToken;
    // Lifetime from the token's own iat/exp, counted on this device's clock: a phone whose clock is off
    // by minutes would otherwise refresh on every call or hold an expired token.
    const lifetimeS =
      claims.exp !== undefined && claims.iat !== undefined
        ? claims.exp - claims.iat
        : (tokens.expiresIn ?? 900);
    this.accessExpiresAtMs = Date.now() + lifetimeS * 1000;
    localStorage.setItem(REFRESH_KEY, tokens.refreshToken);
    const user: User = {
      username: claims.username ?? 'user',
      role: isRole(claims.role) ? claims.role : 'viewer',
    };
    const changed = this.user?.username !== user.username || this.user?.role !== user.role;
    this.user = user;
    if (changed) for (const listener of this.listeners) listener(user);
  }

  private clear(): void {
    const hadUser = this.user !== undefined;
    this.accessToken = undefined;
    this.accessExpiresAtMs = 0;
    this.user = undefined;
    localStorage.removeItem(REFRESH_KEY);
    if (hadUser) for (const listener of this.listeners) listener(undefined);
  }
}
