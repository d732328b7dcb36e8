import type { Loaded } from '../api/http';
import type { HubStatus } from '../api/hub';
import type { FeedView } from '../api/wire';
import { Resource } from '../ui/Resource';
import { Stat } from '../ui/Stat';
import { useReadiness } from './useReadiness';

const STATE_TONE: Record<string, string> = {
  running: 'up',
  healthy: 'up',
  open: 'up',
  ready: 'up',
  connected: 'up',
  degraded: 'warn',
  starting: 'warn',
  reconnecting: 'warn',
  connecting: 'warn',
  stale: 'warn',
};
const tone = (state: string) => STATE_TONE[state] ?? 'down';

function FeedStats({ feed }: { feed: FeedView }) {
  const perSecond = Object.values(feed.stats.packetsPerSecond).reduce((sum, n) => sum + n, 0);
  const rejected = Object.values(feed.stats.rejectedFrames).reduce((sum, n) => sum + n, 0);
  return (
    <div class="stats">
      <Stat label="Feed" value={feed.stats.health} tone={tone(feed.stats.health)} />
      <Stat label="Packets/s" value={String(perSecond)} />
      <Stat label="Subscriptions" value={String(feed.stats.subscriptions)} />
      <Stat label="Reconnects" value={String(feed.stats.reconnects)} />
      <Stat label="Stale events" value={String(feed.stats.staleEvents)} />
      <Stat label="Rejected frames" value={String(rejected)} />
      <Stat
        label="Connections"
        value={
          feed.stats.connections.filter((c) => c.state === 'open').length +
          ` / ${feed.stats.connections.length}`
        }
      />
    </div>
  );
}

/** Is the platform fit to trade on: the feed, each component's lifecycle state, this page's hub link. */
export function HealthPanel({ feed, hubStatus }: { feed: Loaded<FeedView>; hubStatus: HubStatus }) {
  const { report, error } = useReadiness();
  return (
    <>
      <Resource loaded={feed} what="Feed statistics">
        {(data) => <FeedStats feed={data} />}
      </Resource>
      {error !== undefined && <p class="error">{error}</p>}
      <ul class="components" data-testid="health">
        <li>
          <span class={`dot ${tone(hubStatus)}`} /> live updates <span class="muted">{hubStatus}</span>
        </li>
        {report &&
          Object.entries(report.components).map(([name, component]) => (
            <li key={name}>
              <span class={`dot ${tone(component.state)}`} /> {name}
              {component.critical ? <span class="muted"> (critical)</span> : null}{' '}
              <span class="muted">
                {component.state}
                {component.detail ? ` · ${component.detail}` : ''}
              </span>
            </li>
          ))}
      </ul>
      {report && (
        <p class={report.status === 'ready' ? 'up' : 'down'}>
          Platform {report.status === 'ready' ? 'ready' : 'not ready'}
        </p>
      )}
    </>
  );
}
