/**
 * The server's JSON as the dashboard reads it: a subset mirrored from src/options/chain/types.ts
 * (ChainRowSnapshot, ChainSummary), src/feed/events.ts (TickEvent) and src/signals/types.ts (Signal).
 * Kept apart so the browser build never type-checks server code. Prices are paise, times epoch ms.
 */

export type Role = 'viewer' | 'trader' | 'admin';

export interface LoginResponse {
  accessToken: string;
  refreshToken: string;
  /** seconds */
  expiresIn?: number;
}

/** The API's error body: `{ error: { code, message, details? } }`. */
export interface ErrorBody {
  error?: { code?: string; message?: string };
}

export type BuildUp = 'long-build-up' | 'short-build-up' | 'short-covering' | 'long-unwinding' | 'neutral';

export interface ChainSide {
  token: string;
  symbol: string;
  ltp: number;
  bid: number;
  ask: number;
  volume: number;
  /** contracts */
  oi: number;
  oiChange: number;
  change?: number;
  prevClose?: number;
  /** annualised, 0.12 = 12% */
  iv?: number;
  ivReason?: string;
  delta?: number;
  /** per ₹ of the underlying */
  gamma?: number;
  /** ₹ per day per unit */
  theta?: number;
  /** ₹ per vol point per unit */
  vega?: number;
  buildUp?: BuildUp;
  exchangeTimeMs: number;
  version: number;
}

export interface ChainRow {
  strike: number;
  call?: ChainSide;
  put?: ChainSide;
  version: number;
}

export interface ChainSummary {
  underlying: string;
  expiry: string;
  asOfMs: number;
  timeYears: number;
  lotSize: number;
  spot?: number;
  forward?: number;
  forwardSource?: string;
  atmStrike?: number;
  pcr: { oi?: number; volume?: number; oiChange?: number };
  maxPain?: { strike: number; payout: number };
  straddle: { strike?: number; ltp?: number; mid?: number };
  expectedMove: { oneSigma?: number; absolute?: number };
  smile: { atmIv?: number };
  ivRank?: number;
  ivPercentile?: number;
  version: number;
}

export interface ChainSnapshot {
  summary: ChainSummary;
  rows: ChainRow[];
}

export interface Tick {
  type: 'tick';
  token: string;
  lastPrice: number;
  exchangeTimeMs: number;
}

export interface Contribution {
  component: string;
  score: number;
  weight: number;
  value: number | string;
  reason: string;
}

export interface Signal {
  type: 'signal';
  id: string;
  strategy: string;
  underlying: string;
  direction: 'long' | 'short';
  instrument: { token: string; symbol: string; kind: 'option' | 'future'; strikePaise?: number };
  entryPaise: number;
  stopPaise: number;
  targetPaise: number;
  score: number;
  /** 0..1 */
  confidence: number;
  createdAtMs: number;
  validUntilMs: number;
  contributions: Contribution[];
  status: 'active' | 'target-hit' | 'stopped' | 'expired' | 'cancelled';
  closed?: { status: string; atMs: number; pricePaise?: number; reason: string };
}

export interface SignalsView {
  signals: Signal[];
  active: number;
}

/** `GET /api/v1/feed` */
export interface FeedView {
  stats: {
    health: string;
    subscriptions: number;
    packetsPerSecond: Record<string, number>;
    reconnects: number;
    staleEvents: number;
    rejectedFrames: Record<string, number>;
    connections: Array<{ index: number; state: string; pairs: number; reconnects: number }>;
  };
  selection: Record<string, { expiries: string[]; atmStrikePaise?: number; contracts: number }>;
}

/** `GET /health/ready` (200 or 503, same body) */
export interface Readiness {
  status: 'ready' | 'not-ready';
  components: Record<
    string,
    { state: string; detail?: string; critical?: boolean; facts?: Record<string, unknown> }
  >;
}
