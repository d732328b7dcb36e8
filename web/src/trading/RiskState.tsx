import { clock, label } from '../ui/format';
import { fieldTitle, formatField } from '../ui/DataTable';

export interface RiskView {
  trading?: { status?: string; sinceMs?: number; reason?: string; trigger?: string };
  status?: string;
  [field: string]: unknown;
}

const TONES: Record<string, string> = { active: 'up', reducing: 'warn', halted: 'down' };

/** 'active' | 'reducing' | 'halted', wherever the server puts it */
export function tradingStatus(risk: RiskView | undefined): string | undefined {
  return risk?.trading?.status ?? risk?.status;
}

/** The risk gate's trading state (active / reducing / halted), since when and why, and its scalar facts. */
export function RiskState({ risk }: { risk: RiskView }) {
  const status = tradingStatus(risk) ?? 'unknown';
  const facts = Object.entries(risk).filter(
    ([name, value]) => name !== 'status' && typeof value !== 'object',
  );
  return (
    <div data-testid="risk">
      <p>
        Trading <span class={`badge ${TONES[status] ?? 'muted'}`}>{label(status)}</span>
        {risk.trading?.sinceMs !== undefined && (
          <span class="muted"> since {clock(risk.trading.sinceMs)}</span>
        )}
      </p>
      {risk.trading?.reason && <p class="muted">{risk.trading.reason}</p>}
      {facts.length > 0 && (
        <dl class="facts">
          {facts.map(([name, value]) => (
            <div key={name}>
              <dt>{fieldTitle(name)}</dt>
              <dd>{formatField(name, value)}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
