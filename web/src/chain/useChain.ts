import { useEffect, useRef, useState } from 'preact/hooks';
import type { MarketHubClient } from '../api/hub';
import type { ChainRow, ChainSummary } from '../api/wire';

export interface LiveChain {
  /** ascending by strike */
  rows: ChainRow[];
  summary: ChainSummary | undefined;
  /** updates received since subscribing (the first batch is the full chain) */
  updates: number;
  error: string | undefined;
}

const isRow = (payload: unknown): payload is ChainRow =>
  typeof payload === 'object' &&
  payload !== null &&
  typeof (payload as { strike?: unknown }).strike === 'number';

/**
 * The live chain of `chain:<UNDERLYING>:<YYYY-MM-DD>`: the hub sends every row and the summary on
 * subscribe, then the rows that changed (keyed by strike) and the summary once a second.
 */
export function useChain(hub: MarketHubClient, underlying: string, expiry: string | undefined): LiveChain {
  const rows = useRef(new Map<number, ChainRow>());
  const [state, setState] = useState<LiveChain>({
    rows: [],
    summary: undefined,
    updates: 0,
    error: undefined,
  });

  useEffect(() => {
    rows.current = new Map();
    setState({ rows: [], summary: undefined, updates: 0, error: undefined });
    if (expiry === undefined) return;
    let summary: ChainSummary | undefined;
    let updates = 0;
    let sorted: ChainRow[] = [];
    return hub.subscribe(
      `chain:${underlying}:${expiry}`,
      (payload) => {
        updates++;
        if (isRow(payload)) {
          const known = rows.current.has(payload.strike);
          rows.current.set(payload.strike, payload);
          // Strikes rarely appear; re-sort only then, otherwise swap the changed row in place.
          sorted = known
            ? sorted.map((row) => (row.strike === payload.strike ? payload : row))
            : [...rows.current.values()].sort((a, b) => a.strike - b.strike);
        } else {
          summary = payload as ChainSummary;
        }
        // One hub batch calls this once per row; Preact renders once after the batch.
        setState({ rows: sorted, summary, updates, error: undefined });
      },
      (error) => setState((previous) => ({ ...previous, error })),
    );
  }, [hub, underlying, expiry]);

  return state;
}
