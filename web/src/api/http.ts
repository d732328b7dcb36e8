import type { Session } from './session';
import type { ErrorBody } from './wire';

/**
 * What a panel shows for a REST resource. `unavailable` is a resource this server does not offer (yet):
 * 404, 501 or 503 — rendered as "not available", never as a failure.
 */
export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'ok'; data: T }
  | { state: 'unavailable'; status: number }
  | { state: 'forbidden'; message: string }
  | { state: 'error'; message: string };

const UNAVAILABLE = new Set([404, 501, 503]);

export async function getJson<T>(session: Session, path: string): Promise<Loaded<T>> {
  let response: Response;
  try {
    response = await session.fetch(path);
  } catch {
    return { state: 'error', message: 'the server cannot be reached' };
  }
  if (response.ok) {
    try {
      return { state: 'ok', data: (await response.json()) as T };
    } catch {
      return { state: 'error', message: 'the server sent something that is not JSON' };
    }
  }
  if (UNAVAILABLE.has(response.status)) return { state: 'unavailable', status: response.status };
  const body = (await response.json().catch(() => ({}))) as ErrorBody;
  const message = body.error?.message ?? `${response.status} ${response.statusText}`;
  if (response.status === 403 || response.status === 401) return { state: 'forbidden', message };
  return { state: 'error', message };
}

/** POSTs JSON; resolves to the error's message, or undefined on success. */
export async function postJson(session: Session, path: string, body: unknown): Promise<string | undefined> {
  let response: Response;
  try {
    response = await session.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    return 'the server cannot be reached';
  }
  if (response.ok) return undefined;
  if (UNAVAILABLE.has(response.status)) return `not available on this server (${response.status})`;
  const error = (await response.json().catch(() => ({}))) as ErrorBody;
  return error.error?.message ?? `${response.status} ${response.statusText}`;
}
