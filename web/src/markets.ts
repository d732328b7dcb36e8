import { useEffect, useState } from 'preact/hooks';
import { getJson } from './api/http';
import type { Session } from './api/session';
import type { ChainSnapshot, FeedView } from './api/wire';
import type { Loaded } from './api/http';

/**
 * Instrument-master tokens of the index rows, for the price chart's `ticks:<token>` channel. The API
 * does not name the index token of an underlying yet; these are Angel One's (and the simulator's) stable
 * tokens, the same hints src/brokers/angelone/instruments/store.ts uses.
 */
export const INDEX_TOKENS: Readonly<Record<string, string>> = {
  NIFTY: '99926000',
  BANKNIFTY: '99926009',
  FINNIFTY: '99926037',
  MIDCPNIFTY: '99926074',
  SENSEX: '99919000',
};

const FALLBACK_UNDERLYING = 'NIFTY';

/**
 * Underlyings and their subscribed expiries, from the feed's chain selection (`GET /api/v1/feed`); when
 * that view is missing, the nearest NIFTY expiry from `GET /api/v1/chains/NIFTY`.
 */
export function useMarkets(session: Session, feed: Loaded<FeedView>): Record<string, string[]> {
  const [fallback, setFallback] = useState<Record<string, string[]>>({ [FALLBACK_UNDERLYING]: [] });
  const fromFeed = feed.state === 'ok' ? feed.data.selection : undefined;
  const needFallback = feed.state === 'unavailable' || feed.state === 'error';

  useEffect(() => {
    if (!needFallback) return;
    let live = true;
    void getJson<ChainSnapshot>(session, `/api/v1/chains/${FALLBACK_UNDERLYING}`).then((loaded) => {
      if (live && loaded.state === 'ok') setFallback({ [FALLBACK_UNDERLYING]: [loaded.data.summary.expiry] });
    });
    return () => {
      live = false;
    };
  }, [session, needFallback]);

  if (fromFeed !== undefined && Object.keys(fromFeed).length > 0) {
    return Object.fromEntries(Object.entries(fromFeed).map(([name, chosen]) => [name, chosen.expiries]));
  }
  return fallback;
}
