import { useEffect, useState } from 'preact/hooks';
import type { Readiness } from '../api/wire';

const POLL_MS = 5_000;

/** `GET /health/ready`, whose body is the report on 200 and on 503 alike; undefined while unreachable. */
export function useReadiness(): { report: Readiness | undefined; error: string | undefined } {
  const [state, setState] = useState<{ report: Readiness | undefined; error: string | undefined }>({
    report: undefined,
    error: undefined,
  });
  useEffect(() => {
    let live = true;
    const load = async () => {
      if (document.visibilityState !== 'visible') return;
      try {
        const response = await fetch('/health/ready');
        const report = (await response.json()) as Readiness;
        if (live) setState({ report, error: undefined });
      } catch {
        if (live) setState((previous) => ({ ...previous, error: 'the platform cannot be reached' }));
      }
    };
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  return state;
}
