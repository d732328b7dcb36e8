import { useState } from 'preact/hooks';
import { postJson } from '../api/http';
import type { Session } from '../api/session';
import { ConfirmDialog } from '../ui/ConfirmDialog';

/**
 * The kill switch (`POST /api/v1/risk/kill`) and its undo (`/resume`), each behind a confirm dialog.
 * As the API rules, anyone who may trade may halt trading, and only an admin may resume it. Shown even
 * when the risk state cannot be read: that is when it may be needed most.
 */
export function KillSwitch({
  session,
  halted,
  canResume,
  onChanged,
}: {
  session: Session;
  halted: boolean;
  canResume: boolean;
  onChanged: () => void;
}) {
  const [asking, setAsking] = useState<'kill' | 'resume' | undefined>(undefined);
  const send = async (path: string, body: unknown) => {
    const error = await postJson(session, path, body);
    if (error === undefined) onChanged();
    return error;
  };
  return (
    <div class="actions">
      {halted ? (
        canResume && (
          <button type="button" class="primary" onClick={() => setAsking('resume')}>
            Resume trading
          </button>
        )
      ) : (
        <button type="button" class="danger kill" onClick={() => setAsking('kill')}>
          Kill switch
        </button>
      )}
      {asking === 'kill' && (
        <ConfirmDialog
          title="Halt all trading?"
          confirmLabel="Halt trading"
          defaultReason="kill switch from the dashboard"
          danger
          onClose={() => setAsking(undefined)}
          onConfirm={(reason) => send('/api/v1/risk/kill', { reason })}
        >
          <p>New orders are refused and open orders are cancelled until an admin resumes trading.</p>
        </ConfirmDialog>
      )}
      {asking === 'resume' && (
        <ConfirmDialog
          title="Resume trading?"
          confirmLabel="Resume"
          defaultReason="resumed from the dashboard"
          onClose={() => setAsking(undefined)}
          onConfirm={(reason) => send('/api/v1/risk/resume', { to: 'active', reason })}
        >
          <p>Strategies and traders may place orders again.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
