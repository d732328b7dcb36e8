import { IfError } from '../core/errors.js';

export interface RiskCommandOptions {
  /** the running platform, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly action: 'kill' | 'resume';
  readonly reason: string;
}

interface ErrorBody {
  readonly error?: { readonly code?: string; readonly message?: string };
}

async function failure(response: Response, what: string): Promise<IfError> {
  const body = (await response.json().catch(() => ({}))) as ErrorBody;
  return new IfError('IF_ERR_UNAVAILABLE', {
    what,
    detail: `HTTP ${response.status} ${body.error?.code ?? ''} ${body.error?.message ?? ''}`.trim(),
  });
}

/**
 * The kill switch from a terminal: logs in to the running platform as a trader or admin and halts trading
 * (cancelling working orders), or resumes it (admins). Goes through the API, so the action is audited and
 * the risk engine's role rules apply exactly as from the dashboard.
 */
export async function runRiskCommand(options: RiskCommandOptions): Promise<unknown> {
  const base = options.url.replace(/\/+$/, '');
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: options.username, password: options.password }),
  });
  if (!login.ok) throw await failure(login, 'login');
  const { accessToken } = (await login.json()) as { accessToken: string };
  const response = await fetch(`${base}/api/v1/risk/${options.action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify(
      options.action === 'kill' ? { reason: options.reason } : { to: 'active', reason: options.reason },
    ),
  });
  if (!response.ok) throw await failure(response, `risk ${options.action}`);
  return response.json();
}
