import { istDayNumber } from '../../core/calendar/index.js';
import { BaseIndicator } from './base.js';
import type { IndicatorCandle } from './types.js';

export interface VwapOptions {
  /**
   * Maps a candle's start (epoch ms) to its session; VWAP restarts when this changes. Default: the IST
   * day, which is the NSE/BSE session since candles never straddle a session close.
   */
  sessionOf?: (startMs: number) => number;
}

/**
 * Session-anchored VWAP in paise: Σ(typical price × volume) / Σ volume since the session's first candle,
 * typical price = (high + low + close) / 3. Undefined until the session has traded volume, so always
 * undefined on an index, which has none. Our own: trading-signals' VWAP never restarts, and after a
 * zero-volume candle its `replace` takes back the previous closed candle instead of the forming one.
 */
export class Vwap extends BaseIndicator<number> {
  readonly requiredInputs = 1;
  private readonly sessionOf: (startMs: number) => number;
  private session = Number.NaN;
  /**
   * Sums are of (typical − anchor) × volume with the anchor at the session's first traded typical price,
   * which keeps a day's sum small enough that a double holds it to far below a paisa.
   */
  private anchor = 0;
  private sumPriceVolume = 0;
  private sumVolume = 0;

  constructor(options: VwapOptions = {}) {
    super();
    this.sessionOf = options.sessionOf ?? istDayNumber;
  }

  update(candle: IndicatorCandle): number | undefined {
    this.committed++;
    this.isForming = false;
    this.current = this.commit(candle);
    return this.current;
  }

  replace(candle: IndicatorCandle): number | undefined {
    this.isForming = true;
    this.current = this.preview(candle);
    return this.current;
  }

  /** Folds a closed candle into the committed state and returns the value it gives. */
  private commit(candle: IndicatorCandle): number | undefined {
    const session = this.sessionOf(candle.startMs);
    if (session !== this.session) {
      this.session = session;
      this.sumPriceVolume = 0;
      this.sumVolume = 0;
    }
    const volume = candle.volume;
    if (volume > 0) {
      const typical = (candle.high + candle.low + candle.close) / 3;
      if (this.sumVolume === 0) this.anchor = Math.round(typical);
      this.sumPriceVolume += (typical - this.anchor) * volume;
      this.sumVolume += volume;
    }
    return this.sumVolume > 0 ? this.anchor + this.sumPriceVolume / this.sumVolume : undefined;
  }

  /** The value with `candle` on top of the committed state, which it leaves unchanged. */
  private preview(candle: IndicatorCandle): number | undefined {
    const volume = candle.volume;
    const typical = (candle.high + candle.low + candle.close) / 3;
    if (this.sessionOf(candle.startMs) !== this.session || this.sumVolume === 0) {
      return volume > 0 ? typical : undefined;
    }
    return this.anchor + (this.sumPriceVolume + (typical - this.anchor) * volume) / (this.sumVolume + volume);
  }
}
