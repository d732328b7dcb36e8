import { useEffect, useState } from 'preact/hooks';
import type { Session, User } from './api/session';
import { Dashboard } from './Dashboard';
import { LoginForm } from './LoginForm';

/** Signed out: the login form. Signed in (or restored from a stored refresh token): the dashboard. */
export function App({ session }: { session: Session }) {
  const [user, setUser] = useState<User | undefined>(session.user);
  const [restoring, setRestoring] = useState(true);

  useEffect(() => {
    const off = session.onChange(setUser);
    void session.restore().finally(() => setRestoring(false));
    return off;
  }, [session]);

  if (user !== undefined) return <Dashboard key={user.username} session={session} user={user} />;
  if (restoring) return <p class="splash muted">Signing in…</p>;
  return <LoginForm session={session} />;
}
