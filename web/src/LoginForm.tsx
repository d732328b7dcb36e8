import { useState } from 'preact/hooks';
import { ApiError, type Session } from './api/session';

/** Username and password against `POST /api/v1/auth/login`; the server's reason is shown on refusal. */
export function LoginForm({ session }: { session: Session }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await session.login(username.trim(), password);
    } catch (failure) {
      setError(
        failure instanceof ApiError ? failure.message : 'The platform cannot be reached. Is it running?',
      );
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form onSubmit={submit} aria-label="Sign in" data-testid="login-form">
        <h1>
          <img src="/icon.svg" alt="" width={32} height={32} /> Indexflow
        </h1>
        <label>
          Username
          <input
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {error !== undefined && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="muted small">
          No account? An admin creates one with <code>indexflow user add NAME --role viewer</code>.
        </p>
      </form>
    </main>
  );
}
