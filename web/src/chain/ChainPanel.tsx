import { useState } from 'preact/hooks';
import type { MarketHubClient } from '../api/hub';
import { Segmented } from '../ui/Segmented';
import { useMedia, WIDE } from '../ui/useMedia';
import { ChainSummaryCard } from './ChainSummaryCard';
import { type ChainView, ChainTable } from './ChainTable';
import { useChain } from './useChain';

const VIEWS: ReadonlyArray<{ value: ChainView; label: string }> = [
  { value: 'price', label: 'LTP · IV' },
  { value: 'oi', label: 'OI' },
  { value: 'greeks', label: 'Greeks' },
];

interface Props {
  hub: MarketHubClient;
  /** underlying → expiries (YYYY-MM-DD), nearest first */
  markets: Record<string, string[]>;
  underlying: string;
  expiry: string | undefined;
  onSelect: (underlying: string, expiry: string | undefined) => void;
}

/** The live option chain of the chosen underlying and expiry. */
export function ChainPanel({ hub, markets, underlying, expiry, onSelect }: Props) {
  const chain = useChain(hub, underlying, expiry);
  const wide = useMedia(WIDE);
  const [view, setView] = useState<ChainView>('price');
  const expiries = markets[underlying] ?? [];

  return (
    <>
      <div class="toolbar">
        <label>
          <span class="sr-only">Underlying</span>
          <select
            value={underlying}
            onChange={(e) => {
              const next = e.currentTarget.value;
              onSelect(next, markets[next]?.[0]);
            }}
          >
            {Object.keys(markets).map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span class="sr-only">Expiry</span>
          <select value={expiry} onChange={(e) => onSelect(underlying, e.currentTarget.value)}>
            {expiries.map((date) => (
              <option key={date} value={date}>
                {date}
              </option>
            ))}
          </select>
        </label>
        {!wide && <Segmented label="Chain columns" options={VIEWS} value={view} onChange={setView} />}
      </div>
      {chain.error !== undefined && <p class="error">{chain.error}</p>}
      <ChainSummaryCard summary={chain.summary} />
      {chain.rows.length > 0 && (
        <ChainTable rows={chain.rows} summary={chain.summary} view={wide ? 'all' : view} />
      )}
    </>
  );
}
