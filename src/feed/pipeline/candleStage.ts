import type { CandleBuilder } from '../candles/index.js';
import type { PipelineStage } from './pipeline.js';

/** Feeds accepted ticks to a candle builder, so live runs and replays build candles the same way. */
export function candleStage(builder: CandleBuilder): PipelineStage {
  return {
    name: 'candles',
    onEvent: (event, state) => {
      if (event.type === 'tick') builder.onTick(event, state.instrument.exchange);
    },
  };
}
