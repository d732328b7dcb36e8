import type { HubStatus } from '../api/hub';
import type { User } from '../api/session';

const LABEL: Record<HubStatus, string> = {
  connected: 'Live',
  connecting: 'Connecting',
  reconnecting: 'Reconnecting',
  offline: 'Offline',
};

/** Brand, whether updates are live, who is signed in, and sign-out. */
export function Header({
  user,
  hubStatus,
  onLogout,
}: {
  user: User;
  hubStatus: HubStatus;
  onLogout: () => void;
}) {
  return (
    <header class="top">
      <span class="brand">
        <img src="/icon.svg" alt="" width={24} height={24} /> Indexflow
      </span>
      <span class={`live ${hubStatus}`} data-testid="hub-status" aria-live="polite">
        <span class="dot" /> {LABEL[hubStatus]}
      </span>
      <span class="user">
        {user.username} <span class="muted">({user.role})</span>
      </span>
      <button type="button" class="ghost" onClick={onLogout}>
        Sign out
      </button>
    </header>
  );
}
