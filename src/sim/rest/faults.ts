/**
 * A route pattern: a string matches any canonical path containing it (`'market/v1/quote'`), a RegExp is
 * tested against the canonical path; omitted means every route.
 */
export type RoutePattern = string | RegExp;

export type GatewayErrorStatus = 502 | 503;

interface CountedRule {
  route: RoutePattern | undefined;
  /** calls left; Infinity until cleared */
  remaining: number;
}

interface DelayRule {
  route: RoutePattern | undefined;
  ms: number;
}

interface GatewayErrorRule extends CountedRule {
  status: GatewayErrorStatus;
}

interface HangRule extends CountedRule {
  holdMs: number;
}

/** What the app must do to one request before (or instead of) handling it. */
export interface FaultDecision {
  /** never answer: hold the request this long, then drop the connection without a response */
  hangMs: number | undefined;
  /** answer normally, but only after this many ms */
  delayMs: number;
  /** answer with the gateway's HTML error page */
  gatewayError: GatewayErrorStatus | undefined;
  /** answer with the 403 text/plain rate-limit rejection */
  rateLimited: boolean;
}

function matches(route: RoutePattern | undefined, path: string): boolean {
  if (route === undefined) return true;
  if (typeof route === 'string') return path.includes(route);
  route.lastIndex = 0;
  return route.test(path);
}

function sameRoute(a: RoutePattern | undefined, b: RoutePattern | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return String(a) === String(b) && typeof a === typeof b;
}

function takeFirst<T extends CountedRule>(rules: T[], path: string): T | undefined {
  const index = rules.findIndex((rule) => rule.remaining > 0 && matches(rule.route, path));
  if (index === -1) return undefined;
  const rule = rules[index] as T;
  rule.remaining -= 1;
  if (rule.remaining <= 0) rules.splice(index, 1);
  return rule;
}

function checkCount(calls: number): void {
  if (!(calls > 0)) throw new RangeError(`fault call count must be > 0, got ${calls}`);
}

/**
 * Runtime switches for the simulator's REST faults. Share one instance with `createSimRestApp` and flip
 * it while the app runs (tests, chaos scripts, an admin endpoint). Faults apply in this order, before
 * authentication and real rate limits:
 *
 * 1. `hang` — the request is never answered: held for `holdMs`, then the TCP connection is dropped
 *    (a client sees its own timeout first when `holdMs` exceeds it; SDK timeouts are 7 s).
 * 2. `setDelay` — the answer is delayed by `ms` (the largest matching delay applies).
 * 3. `forceGatewayError` — HTTP 502/503 with an nginx-style `text/html` page instead of JSON.
 * 4. `forceRateLimit` — HTTP 403 `text/plain` `Access denied because of exceeding access rate`.
 * 5. `forceInvalidToken` — the next N calls to `/rest/secure/...` get the gateway-dialect AG8001 even
 *    with a valid session (what a token rollover looks like).
 *
 * Counted faults end after `calls` matching requests (default: until `reset`/`clear*`). Timings use the
 * app's timer clock.
 */
export class SimRestFaults {
  private delays: DelayRule[] = [];
  private hangs: HangRule[] = [];
  private gatewayErrors: GatewayErrorRule[] = [];
  private rateLimits: CountedRule[] = [];
  private invalidTokens = 0;

  /** Delays answers on matching routes by `ms` (0 removes the delay for that pattern). */
  setDelay(ms: number, route?: RoutePattern): this {
    if (!(ms >= 0 && Number.isFinite(ms))) throw new RangeError(`delay must be a finite ms >= 0, got ${ms}`);
    this.delays = this.delays.filter((rule) => !sameRoute(rule.route, route));
    if (ms > 0) this.delays.push({ route, ms });
    return this;
  }

  /** Never answers the next `calls` matching requests; each is dropped after `holdMs`. */
  hang(holdMs: number, route?: RoutePattern, calls = Number.POSITIVE_INFINITY): this {
    if (!(holdMs >= 0 && Number.isFinite(holdMs))) throw new RangeError(`holdMs must be finite >= 0`);
    checkCount(calls);
    this.hangs.push({ route, remaining: calls, holdMs });
    return this;
  }

  forceGatewayError(
    status: GatewayErrorStatus,
    calls = Number.POSITIVE_INFINITY,
    route?: RoutePattern,
  ): this {
    checkCount(calls);
    this.gatewayErrors.push({ route, remaining: calls, status });
    return this;
  }

  forceRateLimit(calls = Number.POSITIVE_INFINITY, route?: RoutePattern): this {
    checkCount(calls);
    this.rateLimits.push({ route, remaining: calls });
    return this;
  }

  /** The next `calls` secure calls answer AG8001 "Invalid Token" whatever the session. */
  forceInvalidToken(calls: number): this {
    checkCount(calls);
    this.invalidTokens += calls;
    return this;
  }

  clearDelays(): this {
    this.delays = [];
    return this;
  }

  clearHangs(): this {
    this.hangs = [];
    return this;
  }

  clearGatewayErrors(): this {
    this.gatewayErrors = [];
    return this;
  }

  clearRateLimits(): this {
    this.rateLimits = [];
    return this;
  }

  /** Switches every fault off. */
  reset(): this {
    this.delays = [];
    this.hangs = [];
    this.gatewayErrors = [];
    this.rateLimits = [];
    this.invalidTokens = 0;
    return this;
  }

  /** Decides (and consumes counted faults) for one request to `path` (canonical). */
  decide(path: string): FaultDecision {
    const hang = takeFirst(this.hangs, path);
    if (hang) return { hangMs: hang.holdMs, delayMs: 0, gatewayError: undefined, rateLimited: false };
    let delayMs = 0;
    for (const rule of this.delays) if (matches(rule.route, path)) delayMs = Math.max(delayMs, rule.ms);
    const gateway = takeFirst(this.gatewayErrors, path);
    const rateLimited = gateway === undefined && takeFirst(this.rateLimits, path) !== undefined;
    return { hangMs: undefined, delayMs, gatewayError: gateway?.status, rateLimited };
  }

  /** Consumes one forced AG8001 if any is pending. */
  takeInvalidToken(): boolean {
    if (this.invalidTokens <= 0) return false;
    this.invalidTokens -= 1;
    return true;
  }
}
