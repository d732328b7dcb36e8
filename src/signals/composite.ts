import type { PickInstrument } from './instrumentPicker.js';
import type { Contribution, Direction, FeatureSnapshot, NoSignal, Signal, SignalStructure } from './types.js';

/** How contributions become a signal. */
export interface CompositeConfig {
  /** least |weighted score| that fires, 0..1 */
  readonly threshold: number;
  /** least agreement (|Σ w·s| / Σ w·|s|) that fires, 0..1; below it the components conflict */
  readonly minAgreement: number;
  /** stop distance in ATRs of the underlying, scaled to the instrument by |delta| */
  readonly stopAtrMultiple: number;
  /** target distance in ATRs of the underlying, scaled to the instrument by |delta| */
  readonly targetAtrMultiple: number;
  /** how long a signal stays valid, ms */
  readonly validityMs: number;
}

/** Weighted score, agreement and confidence of a set of contributions. */
export interface CompositeScore {
  /** Σ w·s / Σ w, in [−1, 1] */
  readonly score: number;
  /** |Σ w·s| / Σ w·|s|, in [0, 1]: 1 when every voting component points the same way */
  readonly agreement: number;
  /** |score| × agreement, in [0, 1] */
  readonly confidence: number;
}

/** Scores contributions; undefined when no weight is positive. Assumes validated scores and weights. */
export function compositeScore(contributions: readonly Contribution[]): CompositeScore | undefined {
  let sumW = 0;
  let sumWs = 0;
  let sumWAbs = 0;
  for (const c of contributions) {
    sumW += c.weight;
    sumWs += c.weight * c.score;
    sumWAbs += c.weight * Math.abs(c.score);
  }
  if (sumW <= 0) return undefined;
  const score = sumWs / sumW;
  const agreement = sumWAbs === 0 ? 0 : Math.abs(sumWs) / sumWAbs;
  return { score, agreement, confidence: Math.min(1, Math.abs(score) * agreement) };
}

function qualityRefusal(features: FeatureSnapshot, token: string, what: string): NoSignal | undefined {
  const quality = features.quality[token];
  // Fail closed: an instrument the quality monitor has not reported on is not known to be fresh.
  if (quality === undefined) {
    return { type: 'no-signal', reason: 'quality-unknown', detail: `no data quality for ${what} ${token}` };
  }
  if (quality === 'stale')
    return { type: 'no-signal', reason: 'stale-data', detail: `${what} ${token} is stale` };
  if (quality === 'gapped')
    return { type: 'no-signal', reason: 'gapped-data', detail: `${what} ${token} is gapped` };
  return undefined;
}

function validContribution(c: Contribution): boolean {
  return (
    Number.isFinite(c.score) && c.score >= -1 && c.score <= 1 && Number.isFinite(c.weight) && c.weight >= 0
  );
}

function ceilToTick(paise: number, tick: number): number {
  return Math.max(tick, Math.ceil(paise / tick) * tick);
}

/**
 * Turns one strategy's contributions into a Signal, or says why not. Checks, in order: the underlying's
 * data quality (missing counts as bad), the contributions, agreement, threshold, ATR, the instrument pick
 * and the instrument's own data quality.
 *
 * Levels: the instrument moves about |delta| × the underlying's move, so the stop lies
 * `stopAtrMultiple × ATR × |delta|` and the target `targetAtrMultiple × ATR × |delta|` paise from the entry
 * (delta 1 for the future), each rounded up to whole ticks and at least one tick. A bought option or a long
 * future gains as its price rises; a short future or the sold leg of a credit spread as it falls. For a
 * spread, levels are on the sold leg (the hedge moves less, so the spread's loss at the stop is smaller).
 */
export function buildSignal(
  strategy: string,
  features: FeatureSnapshot,
  contributions: readonly Contribution[],
  config: CompositeConfig,
  pickInstrument: PickInstrument,
  structure: SignalStructure = 'buy-premium',
): Signal | NoSignal {
  const underlyingRefusal = qualityRefusal(features, features.underlyingToken, 'underlying');
  if (underlyingRefusal !== undefined) return underlyingRefusal;
  if (contributions.length === 0) {
    return { type: 'no-signal', reason: 'no-contributions', detail: `${strategy} proposed nothing` };
  }
  const invalid = contributions.find((c) => !validContribution(c));
  if (invalid !== undefined) {
    return {
      type: 'no-signal',
      reason: 'invalid-contribution',
      detail: `${invalid.component}: score ${invalid.score}, weight ${invalid.weight}`,
    };
  }
  const scored = compositeScore(contributions);
  if (scored === undefined) {
    return { type: 'no-signal', reason: 'no-contributions', detail: 'every contribution has weight 0' };
  }
  const { score, agreement, confidence } = scored;
  if (agreement < config.minAgreement) {
    return {
      type: 'no-signal',
      reason: 'conflicting',
      detail: `agreement ${agreement.toFixed(3)} < ${config.minAgreement}`,
      score,
    };
  }
  if (Math.abs(score) < config.threshold || score === 0) {
    return {
      type: 'no-signal',
      reason: 'below-threshold',
      detail: `|score| ${Math.abs(score).toFixed(3)} < ${config.threshold}`,
      score,
    };
  }
  const atr = features.atrPaise;
  if (atr === undefined || !Number.isFinite(atr) || atr <= 0) {
    return { type: 'no-signal', reason: 'no-atr', detail: 'no positive ATR to size stop and target', score };
  }
  const direction: Direction = score > 0 ? 'long' : 'short';
  const picked = pickInstrument(direction, structure);
  if (picked.type === 'not-picked') {
    return { type: 'no-signal', reason: 'no-instrument', detail: picked.detail, score };
  }
  const { instrument, entryPaise, tickSizePaise, side, hedge } = picked;
  const instrumentRefusal = qualityRefusal(features, instrument.token, 'instrument');
  if (instrumentRefusal !== undefined) return { ...instrumentRefusal, score };
  if (hedge !== undefined) {
    const hedgeRefusal = qualityRefusal(features, hedge.instrument.token, 'hedge');
    if (hedgeRefusal !== undefined) return { ...hedgeRefusal, score };
  }

  const absDelta = instrument.kind === 'future' ? 1 : Math.abs(instrument.delta ?? Number.NaN);
  if (!Number.isFinite(absDelta) || absDelta <= 0) {
    return {
      type: 'no-signal',
      reason: 'invalid-levels',
      detail: `${instrument.symbol} has no delta`,
      score,
    };
  }
  const stopDistance = ceilToTick(config.stopAtrMultiple * atr * absDelta, tickSizePaise);
  const targetDistance = ceilToTick(config.targetAtrMultiple * atr * absDelta, tickSizePaise);
  // A bought contract gains as its price rises; a sold one (short future, sold spread leg) as it falls.
  const gainsUp = side === 'BUY';
  const stopPaise = gainsUp ? entryPaise - stopDistance : entryPaise + stopDistance;
  const targetPaise = gainsUp ? entryPaise + targetDistance : entryPaise - targetDistance;
  if (stopPaise <= 0 || targetPaise <= 0) {
    return {
      type: 'no-signal',
      reason: 'invalid-levels',
      detail: `stop ${stopPaise} / target ${targetPaise} paise on entry ${entryPaise} is not a price`,
      score,
    };
  }
  return {
    type: 'signal',
    id: `${strategy}:${features.underlying}:${features.timeMs}`,
    strategy,
    underlying: features.underlying,
    direction,
    structure,
    side,
    instrument,
    ...(hedge === undefined ? {} : { hedge }),
    entryPaise,
    stopPaise,
    targetPaise,
    score,
    confidence,
    createdAtMs: features.timeMs,
    validUntilMs: features.timeMs + config.validityMs,
    contributions: [...contributions],
    status: 'active',
  };
}
