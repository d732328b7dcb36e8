import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api/http';
import type { MarketHubClient } from '../api/hub';
import type { Session } from '../api/session';
import type { Signal, SignalsView } from '../api/wire';

const KEEP = 100;

export interface SignalFeed {
  /** newest first */
  signals: Signal[];
  error: string | undefined;
}

/** Recent signals from `GET /api/v1/signals`, then new ones and status changes from the hub's `signals`. */
export function useSignals(session: Session, hub: MarketHubClient): SignalFeed {
  const [feed, setFeed] = useState<SignalFeed>({ signals: [], error: undefined });

  useEffect(() => {
    const byId = new Map<string, Signal>();
    let live = true;
    const publish = () => {
      const signals = [...byId.values()].sort((a, b) => b.createdAtMs - a.createdAtMs);
      for (const old of signals.splice(KEEP)) byId.delete(old.id);
      setFeed({ signals, error: undefined });
    };
    const unsubscribe = hub.subscribe(
      'signals',
      (payload) => {
        const signal = payload as Signal;
        byId.set(signal.id, signal);
        publish();
      },
      (error) => setFeed((previous) => ({ ...previous, error })),
    );
    void getJson<SignalsView>(session, '/api/v1/signals').then((loaded) => {
      if (!live) return;
      if (loaded.state !== 'ok') {
        if (loaded.state === 'error') setFeed((previous) => ({ ...previous, error: loaded.message }));
        return;
      }
      // A signal that arrived on the hub meanwhile is newer than the list's copy.
      for (const signal of loaded.data.signals) if (!byId.has(signal.id)) byId.set(signal.id, signal);
      publish();
    });
    return () => {
      live = false;
      unsubscribe();
    };
  }, [session, hub]);

  return feed;
}
