import { afterEach, describe, expect, it } from 'vitest';
import { type Fixture, gatewayFixture, PASSWORDS } from '../gateway/testkit.js';
import { runRiskCommand } from './risk.js';

describe('indexflow risk kill | resume', () => {
  const fixtures: Fixture[] = [];
  afterEach(async () => {
    for (const f of fixtures.splice(0)) await f.close();
  });

  it('halts through the API as a trader, refuses a trader resume, and resumes as an admin', async () => {
    const f = await gatewayFixture();
    fixtures.push(f);
    await f.app.listen({ host: '127.0.0.1', port: 0 });
    const address = f.app.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const killed = await runRiskCommand({
      url,
      username: 'trader1',
      password: PASSWORDS.trader1,
      action: 'kill',
      reason: 'fat finger',
    });
    expect(killed).toEqual({ trading: 'halted' });
    await expect(
      runRiskCommand({
        url,
        username: 'trader1',
        password: PASSWORDS.trader1,
        action: 'resume',
        reason: 'x',
      }),
    ).rejects.toThrow(/403/);
    await expect(
      runRiskCommand({ url, username: 'trader1', password: 'wrong password!', action: 'kill', reason: 'x' }),
    ).rejects.toThrow(/login.*401/);
    const resumed = await runRiskCommand({
      url,
      username: 'admin1',
      password: PASSWORDS.admin1,
      action: 'resume',
      reason: 'checked',
    });
    expect(resumed).toEqual({ trading: 'active' });
    expect(f.audit.entries.map((e) => [e.action, e.actor])).toEqual(
      expect.arrayContaining([
        ['risk.kill', 'trader1'],
        ['risk.resume', 'admin1'],
      ]),
    );
  });
});
