import type { MarketCalendar } from '../../core/calendar/index.js';
import { IfError } from '../../core/errors.js';

/** Everything the simulator needs to list and move one underlying. */
export interface UnderlyingConfig {
  /** the master's `name` and the expiry-schedule key, e.g. NIFTY */
  name: string;
  /** master token of the index row, e.g. 99926000 */
  indexToken: string;
  /** exchange-style index token accepted as an alias, e.g. 26000 (1 for SENSEX) */
  indexAlias: string;
  /** the index row's `symbol`, e.g. "Nifty 50" */
  indexSymbol: string;
  exchange: 'NSE' | 'BSE';
  derivativeExchange: 'NFO' | 'BFO';
  /** previous close of the index, rupees */
  spot: number;
  /** strike interval, index points */
  strikeStep: number;
  lotSize: number;
  /** option expiries listed (nearest first) */
  optionExpiries: number;
  /** monthly futures listed */
  futureExpiries: number;
  /** first derivative token; contracts take consecutive numbers from here */
  tokenBase: number;
  /** continuous dividend yield, per year */
  dividendYield: number;
  /** long-run volatility of the index (annualised on 252 trading days) */
  volatility: number;
  /** volatility at the start */
  initialVolatility: number;
  /** mean reversion speed of the variance, per year */
  meanReversion: number;
  /** volatility of the variance (Heston ξ) */
  volOfVol: number;
  /** correlation of spot and variance shocks (leverage, negative) */
  spotVolCorrelation: number;
  /** loading on the common market factor; the correlation of two indices is the product of loadings */
  marketBeta: number;
  /** expected jumps per year */
  jumpsPerYear: number;
  /** mean log jump size */
  jumpMean: number;
  /** standard deviation of the log jump size */
  jumpStdDev: number;
  /** SSVI ρ of the smile (negative: put skew) */
  smileSkew: number;
  /** SSVI η of the smile; keep η(1 + |ρ|) ≤ 2 for a butterfly-free smile */
  smileCurvature: number;
  /** implied over expected variance (variance risk premium), e.g. 1.1 */
  variancePremium: number;
  /** activity relative to NIFTY (1) */
  liquidity: number;
  /** open interest of the nearest ATM option at the start, lots */
  atmOpenInterestLots: number;
}

export type UnderlyingName = 'NIFTY' | 'BANKNIFTY' | 'FINNIFTY' | 'MIDCPNIFTY' | 'SENSEX';

const COMMON = {
  optionExpiries: 2,
  futureExpiries: 3,
  meanReversion: 6,
  volOfVol: 0.6,
  spotVolCorrelation: -0.7,
  jumpsPerYear: 12,
  jumpMean: -0.002,
  jumpStdDev: 0.004,
  smileSkew: -0.65,
  smileCurvature: 1,
  variancePremium: 1.1,
} as const;

/**
 * Defaults for the five index-derivative underlyings: lot sizes in force from the Jan-2026 expiries and the
 * strike intervals of reference §5.3–5.4; spot levels of late 2025.
 */
export const DEFAULT_UNDERLYINGS: Readonly<Record<UnderlyingName, UnderlyingConfig>> = {
  NIFTY: {
    ...COMMON,
    name: 'NIFTY',
    indexToken: '99926000',
    indexAlias: '26000',
    indexSymbol: 'Nifty 50',
    exchange: 'NSE',
    derivativeExchange: 'NFO',
    spot: 25_900,
    strikeStep: 50,
    lotSize: 65,
    optionExpiries: 4,
    tokenBase: 35_001,
    dividendYield: 0.012,
    volatility: 0.12,
    initialVolatility: 0.115,
    marketBeta: 0.98,
    liquidity: 1,
    atmOpenInterestLots: 150_000,
  },
  BANKNIFTY: {
    ...COMMON,
    name: 'BANKNIFTY',
    indexToken: '99926009',
    indexAlias: '26009',
    indexSymbol: 'Nifty Bank',
    exchange: 'NSE',
    derivativeExchange: 'NFO',
    spot: 58_000,
    strikeStep: 100,
    lotSize: 30,
    tokenBase: 45_001,
    dividendYield: 0.009,
    volatility: 0.14,
    initialVolatility: 0.135,
    marketBeta: 0.85,
    liquidity: 0.6,
    atmOpenInterestLots: 40_000,
  },
  FINNIFTY: {
    ...COMMON,
    name: 'FINNIFTY',
    indexToken: '99926037',
    indexAlias: '26037',
    indexSymbol: 'Nifty Fin Service',
    exchange: 'NSE',
    derivativeExchange: 'NFO',
    spot: 27_500,
    strikeStep: 50,
    lotSize: 60,
    tokenBase: 55_001,
    dividendYield: 0.009,
    volatility: 0.14,
    initialVolatility: 0.14,
    marketBeta: 0.85,
    liquidity: 0.25,
    atmOpenInterestLots: 6_000,
  },
  MIDCPNIFTY: {
    ...COMMON,
    name: 'MIDCPNIFTY',
    indexToken: '99926074',
    indexAlias: '26074',
    // Angel's master spells this row "NIFTY MID SELECT" as far as we know (unverified).
    indexSymbol: 'NIFTY MID SELECT',
    exchange: 'NSE',
    derivativeExchange: 'NFO',
    spot: 13_500,
    strikeStep: 25,
    lotSize: 120,
    tokenBase: 65_001,
    dividendYield: 0.007,
    volatility: 0.17,
    initialVolatility: 0.165,
    marketBeta: 0.75,
    liquidity: 0.25,
    atmOpenInterestLots: 10_000,
  },
  SENSEX: {
    ...COMMON,
    name: 'SENSEX',
    indexToken: '99919000',
    indexAlias: '1',
    indexSymbol: 'SENSEX',
    exchange: 'BSE',
    derivativeExchange: 'BFO',
    spot: 85_000,
    strikeStep: 100,
    lotSize: 20,
    optionExpiries: 4,
    tokenBase: 820_001,
    dividendYield: 0.011,
    volatility: 0.12,
    initialVolatility: 0.115,
    marketBeta: 0.97,
    liquidity: 0.7,
    atmOpenInterestLots: 60_000,
  },
};

/** An underlying to simulate: a default by name, a default with changes, or a full new config. */
export type UnderlyingInput = UnderlyingName | (Partial<UnderlyingConfig> & { name: string });

export interface MarketModelOptions {
  seed: number;
  /** simulated start time, epoch ms; the IST date of this instant is the first session day */
  startMs: number;
  /** which underlyings, in order; default all five */
  underlyings?: readonly UnderlyingInput[];
  /** option strikes on each side of the initial ATM strike; default 20 */
  strikesEachSide?: number;
  /** option expiries per underlying; default per underlying (NIFTY and SENSEX 4 weeklies, others 2) */
  expiriesPerUnderlying?: number;
  /** trading calendar; default `createMarketCalendar()` */
  calendar?: MarketCalendar;
  /** simulated step, ms; default 200 */
  stepMs?: number;
  /** continuously compounded risk-free rate, per year; default 0.065 */
  riskFreeRate?: number;
  /** correlate the indices through a common market factor and common jumps; default true */
  correlated?: boolean;
  /** index value broadcast interval, ms; default 1000 */
  indexTickMs?: number;
  /** multiplies every contract's tick rate; default 1 */
  activity?: number;
}

export interface ResolvedOptions {
  seed: number;
  startMs: number;
  underlyings: UnderlyingConfig[];
  strikesEachSide: number;
  stepMs: number;
  riskFreeRate: number;
  correlated: boolean;
  indexTickMs: number;
  activity: number;
}

function invalid(key: string, detail: string): IfError {
  return new IfError('IF_ERR_CONFIG_INVALID', { key, detail });
}

function isDefaultName(name: string): name is UnderlyingName {
  return Object.hasOwn(DEFAULT_UNDERLYINGS, name);
}

const NUMERIC_KEYS = [
  'spot',
  'strikeStep',
  'lotSize',
  'optionExpiries',
  'futureExpiries',
  'tokenBase',
  'dividendYield',
  'volatility',
  'initialVolatility',
  'meanReversion',
  'volOfVol',
  'spotVolCorrelation',
  'marketBeta',
  'jumpsPerYear',
  'jumpMean',
  'jumpStdDev',
  'smileSkew',
  'smileCurvature',
  'variancePremium',
  'liquidity',
  'atmOpenInterestLots',
] as const satisfies readonly (keyof UnderlyingConfig)[];

function resolveUnderlying(input: UnderlyingInput, expiries: number | undefined): UnderlyingConfig {
  const partial = typeof input === 'string' ? { name: input } : input;
  const base = isDefaultName(partial.name) ? DEFAULT_UNDERLYINGS[partial.name] : undefined;
  const merged = { ...base, ...partial };
  const key = `underlyings.${partial.name}`;
  for (const field of NUMERIC_KEYS) {
    const value = merged[field];
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw invalid(`${key}.${field}`, 'must be a finite number');
  }
  for (const field of [
    'indexToken',
    'indexAlias',
    'indexSymbol',
    'exchange',
    'derivativeExchange',
  ] as const) {
    if (typeof merged[field] !== 'string')
      throw invalid(`${key}.${field}`, 'is required for a custom underlying');
  }
  const config = merged as UnderlyingConfig;
  if (expiries !== undefined) config.optionExpiries = expiries;
  if (!(config.spot > 0 && config.strikeStep > 0)) throw invalid(key, 'spot and strikeStep must be > 0');
  if (!Number.isInteger(config.lotSize) || config.lotSize < 1)
    throw invalid(`${key}.lotSize`, 'must be a positive integer');
  if (!Number.isInteger(config.optionExpiries) || config.optionExpiries < 0 || config.optionExpiries > 16)
    throw invalid(`${key}.optionExpiries`, 'must be an integer 0–16');
  if (!Number.isInteger(config.futureExpiries) || config.futureExpiries < 0 || config.futureExpiries > 3)
    throw invalid(`${key}.futureExpiries`, 'must be an integer 0–3');
  if (
    Math.abs(config.spotVolCorrelation) >= 1 ||
    Math.abs(config.smileSkew) >= 1 ||
    Math.abs(config.marketBeta) > 1
  )
    throw invalid(key, 'correlations must lie in (-1, 1)');
  if (!(config.volatility > 0 && config.initialVolatility > 0 && config.variancePremium > 0))
    throw invalid(key, 'volatilities and variancePremium must be > 0');
  return config;
}

/** Fills defaults and validates; throws IF_ERR_CONFIG_INVALID. */
export function resolveOptions(options: MarketModelOptions): ResolvedOptions {
  if (!Number.isFinite(options.seed)) throw invalid('seed', 'must be a finite number');
  if (!Number.isSafeInteger(options.startMs)) throw invalid('startMs', 'must be an integer epoch ms');
  const strikesEachSide = options.strikesEachSide ?? 20;
  if (!Number.isInteger(strikesEachSide) || strikesEachSide < 0 || strikesEachSide > 200)
    throw invalid('strikesEachSide', 'must be an integer 0–200');
  const stepMs = options.stepMs ?? 200;
  if (!Number.isInteger(stepMs) || stepMs < 10 || stepMs > 60_000)
    throw invalid('stepMs', 'must be an integer 10–60000');
  const indexTickMs = options.indexTickMs ?? 1000;
  if (!Number.isInteger(indexTickMs) || indexTickMs < stepMs)
    throw invalid('indexTickMs', 'must be an integer ≥ stepMs');
  const activity = options.activity ?? 1;
  if (!(activity > 0 && Number.isFinite(activity))) throw invalid('activity', 'must be > 0');
  const riskFreeRate = options.riskFreeRate ?? 0.065;
  if (!Number.isFinite(riskFreeRate)) throw invalid('riskFreeRate', 'must be finite');
  const inputs = options.underlyings ?? (Object.keys(DEFAULT_UNDERLYINGS) as UnderlyingName[]);
  const underlyings = inputs.map((input) => resolveUnderlying(input, options.expiriesPerUnderlying));
  const names = new Set(underlyings.map((u) => u.name));
  if (names.size !== underlyings.length) throw invalid('underlyings', 'names must be unique');
  return {
    seed: options.seed,
    startMs: options.startMs,
    underlyings,
    strikesEachSide,
    stepMs,
    riskFreeRate,
    correlated: options.correlated ?? true,
    indexTickMs,
    activity,
  };
}
