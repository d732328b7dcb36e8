import { afterEach, describe, expect, it } from 'vitest';
import { SignalConfigHolder, SignalConfigSchema } from '../../signals/index.js';
import { type Fixture, gatewayFixture } from '../testkit.js';

describe('signal rules hot reload', () => {
  const fixtures: Fixture[] = [];
  afterEach(async () => {
    for (const f of fixtures.splice(0)) await f.close();
  });

  it('swaps valid rules in and refuses bad ones with the key, keeping the rules in force', async () => {
    const holder = new SignalConfigHolder(SignalConfigSchema.parse({}));
    const f = await gatewayFixture({
      signalConfig: { current: () => holder.current, update: (raw) => holder.update(raw) },
    });
    fixtures.push(f);
    const admin = await f.as('admin1');
    const put = (payload: object) =>
      f.app.inject({ method: 'PUT', url: '/api/v1/signals/config', headers: admin, payload });

    const ok = await put({ composite: { threshold: 0.5 }, strategies: { ivRegime: { enabled: false } } });
    expect(ok.statusCode).toBe(200);
    expect(holder.current.composite.threshold).toBe(0.5);
    expect(holder.current.strategies.ivRegime.enabled).toBe(false);

    const bad = await put({ composite: { threshold: 2 } });
    expect(bad.statusCode).toBe(400);
    const error = bad.json<{ error: { code: string; message: string } }>().error;
    expect(error.code).toBe('IF_ERR_SIGNAL_CONFIG');
    expect(error.message).toContain('composite.threshold');
    expect(holder.current.composite.threshold, 'the previous rules stay in force').toBe(0.5);

    const typo = await put({ strategies: { trnd: {} } });
    expect(typo.json<{ error: { message: string } }>().error.message).toContain('strategies.trnd');

    const read = await f.app.inject({ url: '/api/v1/signals/config', headers: await f.as('trader1') });
    expect(read.json<{ composite: { threshold: number } }>().composite.threshold).toBe(0.5);
    expect(
      f.audit.entries.some((e) => e.action === 'signals.config' && e.outcome === 'IF_ERR_SIGNAL_CONFIG'),
    ).toBe(true);
  });
});
