import { z } from 'zod';
import { IfError } from '../core/errors.js';
import type { CompositeConfig } from './composite.js';
import type { PickerConfig } from './instrumentPicker.js';
import { DEFAULT_MEAN_REVERSION_PARAMS, type MeanReversionParams } from './strategies/meanReversion.js';
import { DEFAULT_IV_REGIME_PARAMS, type IvRegimeParams } from './strategies/ivRegime.js';
import { DEFAULT_TREND_PARAMS, type TrendParams } from './strategies/trend.js';

const unit = z.number().min(0).max(1);
const weight = z.number().min(0).finite();
const name = z.string().min(1);

// `.prefault({})` (zod 4): a missing section is parsed as `{}`, so its fields' defaults apply.
const CompositeSchema = z
  .object({
    threshold: unit.default(0.3),
    minAgreement: unit.default(0.6),
    stopAtrMultiple: z.number().positive().finite().default(1),
    targetAtrMultiple: z.number().positive().finite().default(2),
    validityMs: z
      .number()
      .int()
      .positive()
      .default(15 * 60_000),
  })
  .strict();

const PickerSchema = z
  .object({
    mode: z.enum(['option', 'future']).default('option'),
    deltaMin: unit.default(0.35),
    deltaMax: unit.default(0.55),
    minOi: z.number().int().min(0).default(1000),
    minVolume: z.number().int().min(0).default(100),
    maxSpreadTicks: z.number().positive().default(4),
    tickSizePaise: z.number().int().positive().default(5),
    sellDeltaMin: unit.default(0.2),
    sellDeltaMax: unit.default(0.35),
    hedgeStrikes: z.number().int().min(1).default(2),
  })
  .strict()
  .refine((p) => p.deltaMin <= p.deltaMax, {
    path: ['deltaMin'],
    message: 'deltaMin must not exceed deltaMax',
  })
  .refine((p) => p.sellDeltaMin <= p.sellDeltaMax, {
    path: ['sellDeltaMin'],
    message: 'sellDeltaMin must not exceed sellDeltaMax',
  });

const d = DEFAULT_TREND_PARAMS;
const TrendSchema = z
  .object({
    enabled: z.boolean().default(true),
    emaFast: name.default(d.emaFast),
    emaSlow: name.default(d.emaSlow),
    superTrend: name.default(d.superTrend),
    emaFullScale: z.number().positive().finite().default(d.emaFullScale),
    requireOiConfirmation: z.boolean().default(d.requireOiConfirmation),
    oiWindow: z.enum(['recent', 'day']).default(d.oiWindow),
    weights: z
      .object({
        ema: weight.default(d.weights.ema),
        superTrend: weight.default(d.weights.superTrend),
        oi: weight.default(d.weights.oi),
      })
      .strict()
      .prefault({}),
  })
  .strict();

const m = DEFAULT_MEAN_REVERSION_PARAMS;
const MeanReversionSchema = z
  .object({
    enabled: z.boolean().default(true),
    rsi: name.default(m.rsi),
    bollinger: name.default(m.bollinger),
    oversold: z.number().min(0).max(100).default(m.oversold),
    overbought: z.number().min(0).max(100).default(m.overbought),
    minImbalance: unit.default(m.minImbalance),
    requireFlowConfirmation: z.boolean().default(m.requireFlowConfirmation),
    weights: z
      .object({
        rsi: weight.default(m.weights.rsi),
        bollinger: weight.default(m.weights.bollinger),
        orderFlow: weight.default(m.weights.orderFlow),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((p) => p.oversold < p.overbought, {
    path: ['oversold'],
    message: 'oversold must be below overbought',
  });

const v = DEFAULT_IV_REGIME_PARAMS;
const IvRegimeSchema = z
  .object({
    enabled: z.boolean().default(true),
    emaFast: name.default(v.emaFast),
    emaSlow: name.default(v.emaSlow),
    superTrend: name.default(v.superTrend),
    rankHigh: z.number().min(0).max(100).default(v.rankHigh),
    rankLow: z.number().min(0).max(100).default(v.rankLow),
    ratioHigh: z.number().positive().finite().default(v.ratioHigh),
    ratioLow: z.number().positive().finite().default(v.ratioLow),
    weights: z
      .object({ regime: weight.default(v.weights.regime), trend: weight.default(v.weights.trend) })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((p) => p.rankLow < p.rankHigh, { path: ['rankLow'], message: 'rankLow must be below rankHigh' })
  .refine((p) => p.ratioLow < p.ratioHigh, {
    path: ['ratioLow'],
    message: 'ratioLow must be below ratioHigh',
  });

/** Engine-level feature windows, in candles of the signal interval. */
const FeaturesSchema = z
  .object({
    /** candles over which the ATM strike's recent OI build-up is read */
    oiLookbackCandles: z.number().int().min(1).max(120).default(5),
    /** bar returns in the realised volatility the IV regime compares ATM IV with */
    realizedVolCandles: z.number().int().min(2).max(1000).default(30),
  })
  .strict();

export const SignalConfigSchema = z
  .object({
    composite: CompositeSchema.prefault({}),
    picker: PickerSchema.prefault({}),
    features: FeaturesSchema.prefault({}),
    strategies: z
      .object({
        trend: TrendSchema.prefault({}),
        meanReversion: MeanReversionSchema.prefault({}),
        ivRegime: IvRegimeSchema.prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type SignalConfig = z.output<typeof SignalConfigSchema>;

// Compile-time checks that the parsed sections fit what composite, picker and strategies take.
const _fits: (
  c: SignalConfig,
) => [CompositeConfig, PickerConfig, TrendParams, MeanReversionParams, IvRegimeParams] = (c) => [
  c.composite,
  c.picker,
  c.strategies.trend,
  c.strategies.meanReversion,
  c.strategies.ivRegime,
];
void _fits;

export type ParseResult =
  | { readonly ok: true; readonly config: SignalConfig }
  | { readonly ok: false; readonly error: IfError };

/** Parses raw (JSON) signal config; a refusal is IF_ERR_SIGNAL_CONFIG with `key` the first bad path. */
export function parseSignalConfig(raw: unknown): ParseResult {
  const result = SignalConfigSchema.safeParse(raw);
  if (result.success) return { ok: true, config: result.data };
  const first = result.error.issues[0];
  const path = (issue: { path: readonly PropertyKey[] }): string =>
    issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  const unknownKeys = first !== undefined && 'keys' in first && Array.isArray(first.keys) ? first.keys : [];
  const key =
    first === undefined
      ? '(root)'
      : unknownKeys.length > 0
        ? [...first.path.map(String), String(unknownKeys[0])].join('.')
        : path(first);
  const detail = result.error.issues.map((i) => `${path(i)}: ${i.message}`).join('; ');
  return { ok: false, error: new IfError('IF_ERR_SIGNAL_CONFIG', { key, detail }) };
}

/**
 * Holds the live signal config for hot reload: a refused update leaves the previous config in force
 * and returns the coded error for the operator.
 */
export class SignalConfigHolder {
  private config: SignalConfig;

  constructor(initial: SignalConfig) {
    this.config = initial;
  }

  get current(): SignalConfig {
    return this.config;
  }

  update(raw: unknown): ParseResult {
    const parsed = parseSignalConfig(raw);
    if (parsed.ok) this.config = parsed.config;
    return parsed;
  }
}
