export {
  type InstrumentMarketState,
  MARKET_NAMESPACE,
  MarketStateStore,
  marketKey,
} from './marketState.js';
