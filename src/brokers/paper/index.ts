// The paper venue: a pure, clock-driven broker core with a queue-aware fill model.
export {
  type AdverseSelection,
  type Book,
  type BookLevel,
  EMPTY_BOOK,
  isAtOrThrough,
  type ModelFill,
  onBook,
  onTrade,
  queueOnJoin,
  type RestingState,
  takeLiquidity,
  takeLiquidityAfterPrint,
} from './fillModel.js';
export {
  PAPER_REASON,
  PaperBroker,
  type PaperBrokerConfig,
  type PaperBrokerEvent,
  type PaperOrderRow,
  type PaperTrade,
} from './paperBroker.js';
export {
  PAPER_VENUE,
  PaperExecutionClient,
  type PaperExecutionClientOptions,
} from './executionClient.js';
