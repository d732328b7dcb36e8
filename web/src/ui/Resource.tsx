import type { ComponentChildren } from 'preact';
import type { Loaded } from '../api/http';

/** Renders a REST resource, or why it cannot: not offered by this server yet, not allowed, failing. */
export function Resource<T>({
  loaded,
  what,
  children,
}: {
  loaded: Loaded<T>;
  what: string;
  children: (data: T) => ComponentChildren;
}) {
  switch (loaded.state) {
    case 'loading':
      return <p class="muted">Loading {what}…</p>;
    case 'unavailable':
      return (
        <p class="muted" data-testid="unavailable">
          {what} not available on this server yet.
        </p>
      );
    case 'forbidden':
      return <p class="muted">{loaded.message}</p>;
    case 'error':
      return <p class="error">{loaded.message}</p>;
    case 'ok':
      return <>{children(loaded.data)}</>;
  }
}
