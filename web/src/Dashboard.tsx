import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { type HubStatus, MarketHubClient } from './api/hub';
import type { Session, User } from './api/session';
import { useResource } from './api/useResource';
import type { FeedView } from './api/wire';
import { ChainPanel } from './chain/ChainPanel';
import { PriceChart } from './chart/PriceChart';
import { HealthPanel } from './health/HealthPanel';
import { INDEX_TOKENS, useMarkets } from './markets';
import { useSignals } from './signals/useSignals';
import { SignalsPanel } from './signals/SignalsPanel';
import { TradingPanel } from './trading/TradingPanel';
import { Header } from './ui/Header';
import { type Tab, TabBar } from './ui/TabBar';

const FEED_POLL_MS = 10_000;

function Panel({
  id,
  title,
  active,
  children,
}: {
  id: Tab;
  title: string;
  active: boolean;
  children: ComponentChildren;
}) {
  return (
    <section class={`panel panel-${id}${active ? ' active' : ''}`} id={`panel-${id}`} aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/**
 * Everything a signed-in trader watches. Every panel stays mounted (a phone shows one at a time), so the
 * chart keeps building candles and signals keep arriving while another tab is open.
 */
export function Dashboard({ session, user }: { session: Session; user: User }) {
  const hub = useMemo(() => new MarketHubClient(() => session.token()), [session]);
  const [hubStatus, setHubStatus] = useState<HubStatus>(hub.status);
  const [tab, setTab] = useState<Tab>('chain');
  const [feed] = useResource<FeedView>(session, '/api/v1/feed', FEED_POLL_MS);
  const markets = useMarkets(session, feed);
  const [choice, setChoice] = useState<{ underlying?: string; expiry?: string }>({});
  const signals = useSignals(session, hub);

  useEffect(() => {
    const off = hub.onStatus(setHubStatus);
    hub.start();
    return () => {
      off();
      void hub.stop();
    };
  }, [hub]);

  const underlying = choice.underlying ?? Object.keys(markets)[0] ?? 'NIFTY';
  const expiry = choice.expiry ?? markets[underlying]?.[0];
  const indexToken = INDEX_TOKENS[underlying];

  return (
    <div class="app">
      <Header user={user} hubStatus={hubStatus} onLogout={() => void session.logout()} />
      <main class="grid">
        <Panel
          id="chain"
          title={`${underlying} option chain${expiry ? ` · ${expiry}` : ''}`}
          active={tab === 'chain'}
        >
          <ChainPanel
            hub={hub}
            markets={markets}
            underlying={underlying}
            expiry={expiry}
            onSelect={(u, e) => setChoice({ underlying: u, ...(e ? { expiry: e } : {}) })}
          />
        </Panel>
        <Panel id="chart" title={`${underlying} chart`} active={tab === 'chart'}>
          {indexToken ? (
            <PriceChart hub={hub} token={indexToken} name={underlying} />
          ) : (
            <p class="muted">No index chart for {underlying}.</p>
          )}
        </Panel>
        <Panel id="signals" title="Signals" active={tab === 'signals'}>
          <SignalsPanel feed={signals} />
        </Panel>
        <Panel id="trading" title="Orders · positions · risk" active={tab === 'trading'}>
          <TradingPanel session={session} hub={hub} user={user} />
        </Panel>
        <Panel id="health" title="System health" active={tab === 'health'}>
          <HealthPanel feed={feed} hubStatus={hubStatus} />
        </Panel>
      </main>
      <TabBar
        tab={tab}
        onChange={setTab}
        signals={signals.signals.filter((s) => s.status === 'active').length}
      />
    </div>
  );
}
