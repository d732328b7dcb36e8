import { useEffect } from 'preact/hooks';
import type { MarketHubClient } from '../api/hub';
import type { Session, User } from '../api/session';
import { useResource } from '../api/useResource';
import { DataTable, fieldTitle, formatField, rowsOf } from '../ui/DataTable';
import { Resource } from '../ui/Resource';
import { KillSwitch } from './KillSwitch';
import { type RiskView, RiskState, tradingStatus } from './RiskState';

const POLL_MS = 5_000;

/** Scalar fields of an object as a list of figures (P&L). */
function Figures({ data }: { data: unknown }) {
  const entries = Object.entries((data ?? {}) as Record<string, unknown>).filter(
    ([, value]) => typeof value === 'number' || typeof value === 'string',
  );
  if (entries.length === 0) return <p class="muted">Nothing to show yet.</p>;
  return (
    <dl class="facts">
      {entries.map(([name, value]) => (
        <div key={name}>
          <dt>{fieldTitle(name)}</dt>
          <dd
            class={
              typeof value === 'number' && name.endsWith('Paise') ? (value < 0 ? 'down' : 'up') : undefined
            }
          >
            {formatField(name, value)}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** Orders, positions, P&L and risk are the trading account's: traders and admins only (as the API rules). */
export function TradingPanel({ session, hub, user }: { session: Session; hub: MarketHubClient; user: User }) {
  if (user.role === 'viewer') {
    return <p class="muted">Orders, positions, P&amp;L and risk need the trader or admin role.</p>;
  }
  return <TradingViews session={session} hub={hub} user={user} />;
}

/** Refreshed on a timer and whenever the hub says they moved. */
function TradingViews({ session, hub, user }: { session: Session; hub: MarketHubClient; user: User }) {
  const [orders, reloadOrders] = useResource<unknown>(session, '/api/v1/orders', POLL_MS);
  const [positions, reloadPositions] = useResource<unknown>(session, '/api/v1/positions', POLL_MS);
  const [pnl, reloadPnl] = useResource<unknown>(session, '/api/v1/pnl', POLL_MS);
  const [risk, reloadRisk] = useResource<RiskView>(session, '/api/v1/risk', POLL_MS);

  useEffect(() => {
    const offs = [
      hub.subscribe('orders', reloadOrders),
      hub.subscribe('positions', () => {
        reloadPositions();
        reloadPnl();
      }),
      hub.subscribe('risk', reloadRisk),
    ];
    return () => {
      for (const off of offs) off();
    };
  }, [hub, reloadOrders, reloadPositions, reloadPnl, reloadRisk]);

  return (
    <div class="trading">
      <section>
        <h3>Risk</h3>
        <Resource loaded={risk} what="Risk state">
          {(data) => <RiskState risk={data} />}
        </Resource>
        <KillSwitch
          session={session}
          halted={risk.state === 'ok' && tradingStatus(risk.data) === 'halted'}
          canResume={user.role === 'admin'}
          onChanged={reloadRisk}
        />
      </section>
      <section>
        <h3>P&amp;L</h3>
        <Resource loaded={pnl} what="P&L">
          {(data) => <Figures data={data} />}
        </Resource>
      </section>
      <section>
        <h3>Positions</h3>
        <Resource loaded={positions} what="Positions">
          {(data) => <DataTable rows={rowsOf(data, 'positions') ?? []} empty="No open positions." />}
        </Resource>
      </section>
      <section>
        <h3>Orders</h3>
        <Resource loaded={orders} what="Orders">
          {(data) => <DataTable rows={rowsOf(data, 'orders') ?? []} empty="No orders today." />}
        </Resource>
      </section>
    </div>
  );
}
