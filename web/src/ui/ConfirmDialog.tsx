import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * A modal asking the user to confirm a consequential action, with a reason for the audit log. Uses the
 * native <dialog> (focus trap, Escape to cancel) instead of a library.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  defaultReason,
  danger,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  defaultReason: string;
  danger?: boolean;
  onConfirm: (reason: string) => Promise<string | undefined>;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState(defaultReason);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const confirm = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const failure = await onConfirm(reason.trim() || defaultReason);
    setBusy(false);
    if (failure === undefined) onClose();
    else setError(failure);
  };

  return (
    <dialog ref={dialog} class="confirm" onClose={onClose} aria-labelledby="confirm-title">
      <form onSubmit={confirm}>
        <h2 id="confirm-title">{title}</h2>
        {children}
        <label>
          Reason
          <input value={reason} maxLength={200} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        {error !== undefined && <p class="error">{error}</p>}
        <div class="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class={danger ? 'danger' : 'primary'} disabled={busy}>
            {busy ? 'Working…' : confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
