export { createRiskState, evaluateOrder, nextSendSlot } from './engine.js';
export { netPosition, premiumAtRiskPaise, projectedLots, reducesExposure, usableLists } from './exposure.js';
export { rupees } from './format.js';
export { stepRisk } from './killSwitch.js';
export { DEFAULT_FREEZE_QUANTITIES, DEFAULT_RISK_LIMITS, riskLimitsProblems } from './limits.js';
export { estimateMargin, type MarginEstimate, type MarginInput } from './margin.js';
export { collarPaise, insideCollar, protectedLimitPaise, referencePricePaise } from './priceBand.js';
export {
  type Actor,
  type ExposureLists,
  type ExposureView,
  type FundsView,
  type HaltTrigger,
  type RiskOpenOrder,
  type PnlView,
  type RiskPosition,
  type QuoteView,
  RISK_RULE,
  type ReduceTrigger,
  type RiskAction,
  type RiskCommand,
  type RiskContext,
  type RiskDecision,
  type RiskDenial,
  type RiskEffect,
  type RiskEvent,
  type RiskLimits,
  type RiskOrder,
  type RiskRule,
  type RiskState,
  type RiskStepResult,
  ROUTE,
  type Route,
  SYSTEM_ACTOR,
  type TradingState,
  type TradingStatus,
} from './types.js';
