import type { SignalFeed } from './useSignals';
import { SignalCard } from './SignalCard';

export function SignalsPanel({ feed }: { feed: SignalFeed }) {
  return (
    <>
      {feed.error !== undefined && <p class="error">{feed.error}</p>}
      {feed.signals.length === 0 ? (
        <p class="muted">No signals yet. They appear here the moment a strategy fires.</p>
      ) : (
        <div class="signal-list">
          {feed.signals.map((signal) => (
            <SignalCard key={signal.id} signal={signal} />
          ))}
        </div>
      )}
    </>
  );
}
