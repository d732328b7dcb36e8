export {
  PIPELINE_STAGES,
  type PipelineMetricsSource,
  type PipelineStageName,
  registerPipelineMetrics,
} from './metrics.js';
export {
  type InstrumentLookup,
  instrumentLookup,
  MarketDataPipeline,
  type MarketDataPipelineOptions,
  type PipelineStage,
  type PipelineStats,
} from './pipeline.js';
export { candleStage } from './candleStage.js';
