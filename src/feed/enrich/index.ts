export { Enricher, type EnricherOptions, EnrichmentSlot } from './enricher.js';
export {
  DEFAULT_MONEYNESS_BANDS,
  type MoneynessBands,
  MoneynessClassifier,
  moneynessBucket,
} from './moneyness.js';
