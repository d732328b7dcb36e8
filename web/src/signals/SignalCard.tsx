import type { Signal } from '../api/wire';
import { clock, fixed, label, paise, percent } from '../ui/format';

/** One signal: what to buy, where to get out, how sure, and why (each contribution with its reading). */
export function SignalCard({ signal }: { signal: Signal }) {
  const long = signal.direction === 'long';
  return (
    <article class={`signal ${signal.status}`} data-testid="signal">
      <header>
        <span class={`badge ${long ? 'up' : 'down'}`}>{long ? 'LONG' : 'SHORT'}</span>
        <strong>{signal.instrument.symbol}</strong>
        <span class="muted">
          {signal.strategy} · {clock(signal.createdAtMs)}
        </span>
        <span class={`status ${signal.status}`}>{label(signal.status)}</span>
      </header>
      <div class="levels">
        <span>
          Entry <b>₹{paise(signal.entryPaise)}</b>
        </span>
        <span>
          Stop <b class="down">₹{paise(signal.stopPaise)}</b>
        </span>
        <span>
          Target <b class="up">₹{paise(signal.targetPaise)}</b>
        </span>
        <span>
          Confidence <b>{percent(signal.confidence, 0)}</b>
        </span>
      </div>
      <meter min={0} max={1} value={signal.confidence} aria-label="confidence" />
      <details>
        <summary>
          {signal.contributions.length} contribution{signal.contributions.length === 1 ? '' : 's'} · score{' '}
          {fixed(signal.score, 2)}
        </summary>
        <ul class="contributions">
          {signal.contributions.map((c) => (
            <li key={c.component}>
              <span class={c.score >= 0 ? 'up' : 'down'}>
                {c.component} {fixed(c.score, 2)}×{fixed(c.weight, 2)}
              </span>{' '}
              <span class="mono">{typeof c.value === 'number' ? fixed(c.value, 2) : c.value}</span>
              <div class="muted">{c.reason}</div>
            </li>
          ))}
        </ul>
      </details>
      {signal.closed && (
        <p class="muted">
          {label(signal.closed.status)} at {clock(signal.closed.atMs)}
          {signal.closed.pricePaise !== undefined ? ` · ₹${paise(signal.closed.pricePaise)}` : ''} ·{' '}
          {signal.closed.reason}
        </p>
      )}
    </article>
  );
}
