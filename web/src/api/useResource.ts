import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { getJson, type Loaded } from './http';
import type { Session } from './session';

/** a resource this server does not offer is asked for again this rarely */
const UNAVAILABLE_POLL_MS = 60_000;

/**
 * A REST resource polled every `intervalMs` while the page is visible (a phone in a pocket polls
 * nothing), once a minute while the server does not offer it. `reload` fetches now, e.g. on a hub
 * update; a burst of reloads coalesces into one request in flight and at most one after it.
 */
export function useResource<T>(session: Session, path: string, intervalMs: number): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const current = useRef<() => void>(() => {});

  useEffect(() => {
    let live = true;
    let inFlight = false;
    let again = false;
    let unavailable = false;
    let lastFetchMs = 0;
    const load = () => {
      if (!live) return;
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      lastFetchMs = Date.now();
      void getJson<T>(session, path).then((next) => {
        inFlight = false;
        if (!live) return;
        unavailable = next.state === 'unavailable';
        setLoaded(next);
        if (again) {
          again = false;
          load();
        }
      });
    };
    current.current = load;
    setLoaded({ state: 'loading' });
    load();
    const timer = setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      const wait = unavailable ? UNAVAILABLE_POLL_MS : intervalMs;
      if (Date.now() - lastFetchMs >= wait - 50) load();
    }, intervalMs);
    const onVisible = () => {
      if (document.visibilityState === 'visible') load();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      live = false;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [session, path, intervalMs]);

  const reload = useCallback(() => current.current(), []);
  return [loaded, reload];
}
