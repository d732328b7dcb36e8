import {
  CandlestickSeries,
  ColorType,
  createChart,
  type IChartApi,
  type ISeriesApi,
  LineSeries,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { MarketHubClient } from '../api/hub';
import type { Tick } from '../api/wire';
import { clock, paise } from '../ui/format';
import { Segmented } from '../ui/Segmented';
import { type Candle, CandleSeries, Ema, emaPoints } from './candles';

const INTERVALS: ReadonlyArray<{ value: number; label: string }> = [
  { value: 15_000, label: '15s' },
  { value: 60_000, label: '1m' },
  { value: 300_000, label: '5m' },
];
const EMA_FAST = 9;
const EMA_SLOW = 21;
/** ticks kept so a change of interval can redraw what was already seen */
const MAX_TICKS = 50_000;
/** lightweight-charts draws UTC; shifting by IST's offset makes the axis read Indian time */
const IST_OFFSET_S = 19_800;

const chartTime = (ms: number) => (Math.floor(ms / 1000) + IST_OFFSET_S) as UTCTimestamp;
const bar = (c: Candle) => ({
  time: chartTime(c.time),
  open: c.open / 100,
  high: c.high / 100,
  low: c.low / 100,
  close: c.close / 100,
});
const line = (p: { time: number; value: number }) => ({ time: chartTime(p.time), value: p.value / 100 });

interface Drawing {
  chart: IChartApi;
  candles: ISeriesApi<'Candlestick'>;
  fast: ISeriesApi<'Line'>;
  slow: ISeriesApi<'Line'>;
}

/** One series of candles with its two EMAs, fed tick by tick. */
class LiveCandles {
  readonly series: CandleSeries;
  private readonly fast = new Ema(EMA_FAST);
  private readonly slow = new Ema(EMA_SLOW);

  constructor(
    intervalMs: number,
    private readonly drawing: Drawing,
    ticks: ReadonlyArray<readonly [number, number]>,
  ) {
    this.series = new CandleSeries(intervalMs);
    for (const [time, price] of ticks) this.series.add(time, price);
    const all = this.series.candles;
    drawing.candles.setData(all.map(bar));
    drawing.fast.setData(emaPoints(all, EMA_FAST).map(line));
    drawing.slow.setData(emaPoints(all, EMA_SLOW).map(line));
    for (const candle of all.slice(0, -1)) {
      this.fast.commit(candle.close);
      this.slow.commit(candle.close);
    }
  }

  add(timeMs: number, price: number): void {
    const candles = this.series.candles;
    const before = candles[candles.length - 1];
    const candle = this.series.add(timeMs, price);
    if (candle === undefined) return;
    // A new bucket closes the previous candle: its close joins the EMAs for good.
    if (before !== undefined && before !== candle) {
      this.fast.commit(before.close);
      this.slow.commit(before.close);
    }
    this.drawing.candles.update(bar(candle));
    const fast = this.fast.peek(candle.close);
    const slow = this.slow.peek(candle.close);
    if (fast !== undefined) this.drawing.fast.update(line({ time: candle.time, value: fast }));
    if (slow !== undefined) this.drawing.slow.update(line({ time: candle.time, value: slow }));
  }
}

function createDrawing(container: HTMLElement): Drawing {
  const chart = createChart(container, {
    autoSize: true,
    layout: { background: { type: ColorType.Solid, color: '#0f1729' }, textColor: '#94a3b8' },
    grid: { vertLines: { color: '#1e293b' }, horzLines: { color: '#1e293b' } },
    timeScale: { timeVisible: true, secondsVisible: true, borderColor: '#334155' },
    rightPriceScale: { borderColor: '#334155' },
  });
  const candles = chart.addSeries(CandlestickSeries, {
    upColor: '#22c55e',
    downColor: '#ef4444',
    wickUpColor: '#22c55e',
    wickDownColor: '#ef4444',
    borderVisible: false,
  });
  const fast = chart.addSeries(LineSeries, { color: '#38bdf8', lineWidth: 2, priceLineVisible: false });
  const slow = chart.addSeries(LineSeries, { color: '#f59e0b', lineWidth: 2, priceLineVisible: false });
  return { chart, candles, fast, slow };
}

interface Props {
  hub: MarketHubClient;
  /** the index's instrument token, e.g. 99926000 for NIFTY */
  token: string;
  name: string;
}

/** Candles of the underlying index from its live ticks, with EMA 9 and 21. */
export function PriceChart({ hub, token, name }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const ticks = useRef<Array<readonly [number, number]>>([]);
  const live = useRef<LiveCandles | undefined>(undefined);
  const drawing = useRef<Drawing | undefined>(undefined);
  const [intervalMs, setIntervalMs] = useState<number>(60_000);
  const [last, setLast] = useState<Tick | undefined>(undefined);

  useEffect(() => {
    if (container.current === null) return;
    drawing.current = createDrawing(container.current);
    return () => {
      drawing.current?.chart.remove();
      drawing.current = undefined;
    };
  }, []);

  useEffect(() => {
    ticks.current = [];
    setLast(undefined);
    return hub.subscribe(`ticks:${token}`, (payload) => {
      const tick = payload as Tick;
      if (tick.lastPrice <= 0) return;
      ticks.current.push([tick.exchangeTimeMs, tick.lastPrice]);
      if (ticks.current.length > MAX_TICKS) ticks.current.splice(0, ticks.current.length - MAX_TICKS);
      live.current?.add(tick.exchangeTimeMs, tick.lastPrice);
      setLast(tick);
    });
  }, [hub, token]);

  useEffect(() => {
    if (drawing.current === undefined) return;
    live.current = new LiveCandles(intervalMs, drawing.current, ticks.current);
  }, [intervalMs, token]);

  return (
    <div class="chart">
      <div class="chart-head">
        <div>
          <strong>{name}</strong>{' '}
          <span class="big" data-testid="last-price">
            {paise(last?.lastPrice)}
          </span>{' '}
          <span class="muted">{clock(last?.exchangeTimeMs)}</span>
        </div>
        <Segmented label="Candle interval" options={INTERVALS} value={intervalMs} onChange={setIntervalMs} />
      </div>
      <div class="legend muted">
        <span class="swatch fast" /> EMA {EMA_FAST} <span class="swatch slow" /> EMA {EMA_SLOW}
      </div>
      <div class="chart-canvas" ref={container} data-testid="price-chart" />
      {last === undefined && <p class="muted">Waiting for {name} ticks…</p>}
    </div>
  );
}
