import type { RiskLimits } from './types.js';

/**
 * Freeze quantities (maximum units per order) as published for 1 Feb 2026: NSE per the monthly revisions
 * (reference reliability-and-security.md §2.2), BSE from ICICI Direct's table. NSE revised them again on
 * 2 Mar 2026 and the figures were not found, so an operator must confirm them each month; they are
 * configuration, and `freezeQuantityAsOf` says how old they are. An order exactly at the freeze
 * quantity is allowed (Angel: "maximum units you can buy or sell per order").
 */
export const DEFAULT_FREEZE_QUANTITIES: Readonly<Record<string, number>> = {
  NIFTY: 1_800,
  BANKNIFTY: 600,
  FINNIFTY: 1_800,
  MIDCPNIFTY: 2_800,
  NIFTYNXT50: 600,
  SENSEX: 1_000,
  BANKEX: 900,
};

/**
 * Defaults; [ours] marks numbers nothing external requires (reference §2.3).
 * - price collar ±10% of the reference, ±₹5 when it is ₹50 or less [ours], inside NSE's limit price
 *   protection (±40%, ±₹20 at ₹50 or less); a reference older than 2 s is stale [ours];
 * - market orders become limits 5% beyond the reference [ours] (Angel's own MPP for index options is
 *   2.5–20% by premium);
 * - 10 order messages per second per segment (SEBI TOPS, reference §3.2);
 * - 20 open orders, 50 lots per underlying, ₹5 lakh premium at risk, ₹10,000 daily loss with reducing
 *   at 80% [ours];
 * - margin estimate 5% SPAN + 2% exposure of notional, +2% on expiry day (SEBI's extra ELM) [ours,
 *   calibrate against Angel's margin API];
 * - a reject storm is 5 broker rejects in 10 s [ours].
 */
export const DEFAULT_RISK_LIMITS: RiskLimits = {
  freezeQuantity: DEFAULT_FREEZE_QUANTITIES,
  freezeQuantityAsOf: '2026-02-01',
  priceBand: {
    percent: 10,
    absolutePaise: 500,
    absoluteBelowPaise: 5_000,
    maxQuoteAgeMs: 2_000,
    marketProtectionPercent: 5,
  },
  orderRate: [{ limit: 10, windowMs: 1_000 }],
  maxOpenOrders: 20,
  maxLotsPerUnderlying: { default: 50, byUnderlying: {} },
  maxPremiumAtRiskPaise: 50_000_000,
  maxDailyLossPaise: 1_000_000,
  dailyLossReduceFraction: 0.8,
  margin: { spanPercent: 5, exposurePercent: 2, expiryDayExtraPercent: 2 },
  limitOnlyRoutes: ['angelone'],
  rejectStorm: { count: 5, windowMs: 10_000 },
  logoutOnHalt: 'manual',
};

/** NSE limit price protection for index options (NSE/FAOP/54242): our collar must stay inside it. */
const LPP_PERCENT = 40;
const LPP_ABSOLUTE_PAISE = 2_000;
/** SEBI's threshold orders per second per exchange segment. */
const TOPS = 10;

/** Problems with a limits object, as readable sentences; empty when it is usable. */
export function riskLimitsProblems(limits: RiskLimits): string[] {
  const problems: string[] = [];
  const positive = (name: string, value: number) => {
    if (!(Number.isFinite(value) && value > 0)) problems.push(`${name} must be > 0, got ${value}`);
  };
  for (const [underlying, qty] of Object.entries(limits.freezeQuantity)) {
    if (!(Number.isSafeInteger(qty) && qty > 0)) problems.push(`freeze quantity of ${underlying} is ${qty}`);
  }
  const band = limits.priceBand;
  positive('priceBand.percent', band.percent);
  positive('priceBand.absolutePaise', band.absolutePaise);
  positive('priceBand.maxQuoteAgeMs', band.maxQuoteAgeMs);
  positive('priceBand.marketProtectionPercent', band.marketProtectionPercent);
  if (band.percent > LPP_PERCENT)
    problems.push(`price collar ${band.percent}% is wider than NSE's 40% protection`);
  if (band.absolutePaise > LPP_ABSOLUTE_PAISE) {
    problems.push(`price collar ₹${band.absolutePaise / 100} is wider than NSE's ₹20 protection`);
  }
  if (band.marketProtectionPercent > band.percent) {
    problems.push('market protection must not exceed the collar, or converted orders would be denied');
  }
  for (const w of limits.orderRate) {
    if (!(Number.isSafeInteger(w.limit) && w.limit > 0 && w.windowMs > 0)) {
      problems.push(`order rate window ${w.limit}/${w.windowMs} ms is invalid`);
    }
  }
  const perSecond = limits.orderRate.find((w) => w.windowMs === 1_000);
  if (perSecond === undefined || perSecond.limit > TOPS) {
    problems.push(`orderRate needs a 1 s window of at most ${TOPS} messages (SEBI TOPS)`);
  }
  positive('maxOpenOrders', limits.maxOpenOrders);
  positive('maxLotsPerUnderlying.default', limits.maxLotsPerUnderlying.default);
  positive('maxPremiumAtRiskPaise', limits.maxPremiumAtRiskPaise);
  positive('maxDailyLossPaise', limits.maxDailyLossPaise);
  if (!(limits.dailyLossReduceFraction > 0 && limits.dailyLossReduceFraction <= 1)) {
    problems.push(`dailyLossReduceFraction must be in (0, 1], got ${limits.dailyLossReduceFraction}`);
  }
  positive('rejectStorm.count', limits.rejectStorm.count);
  positive('rejectStorm.windowMs', limits.rejectStorm.windowMs);
  return problems;
}
