import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { liveTradingRefusal } from './platform.js';

const live = (execution: Record<string, unknown>, feed: Record<string, unknown> = { source: 'angelone' }) =>
  parseConfig({ feed, execution: { route: 'angelone', ...execution } });

describe('live trading guard', () => {
  it('lets paper trading through without any check', async () => {
    expect(await liveTradingRefusal(parseConfig({}), {})).toBeUndefined();
  });

  it('refuses real money unless enabled, confirmed, and from the registered static IP', async () => {
    const ip = async () => '203.0.113.7';
    expect(await liveTradingRefusal(live({ live: true }, { source: 'simulator' }), {})).toContain(
      'feed.source',
    );
    expect(await liveTradingRefusal(live({}), { confirmLive: true, publicIp: ip })).toContain(
      'execution.live',
    );
    expect(
      await liveTradingRefusal(live({ live: true, staticIp: '203.0.113.7' }), { publicIp: ip }),
    ).toContain('confirmed');
    expect(await liveTradingRefusal(live({ live: true }), { confirmLive: true, publicIp: ip })).toContain(
      'staticIp',
    );
    expect(
      await liveTradingRefusal(live({ live: true, staticIp: '198.51.100.1' }), {
        confirmLive: true,
        publicIp: ip,
      }),
    ).toContain('is not the registered static IP');
    expect(
      await liveTradingRefusal(live({ live: true, staticIp: '203.0.113.7' }), {
        confirmLive: true,
        publicIp: ip,
      }),
    ).toBeUndefined();
  });

  it('fails closed when the public IP cannot be read', async () => {
    const down = async (): Promise<string> => {
      throw new Error('no route to host');
    };
    const refusal = await liveTradingRefusal(live({ live: true, staticIp: '203.0.113.7' }), {
      confirmLive: true,
      publicIp: down,
    });
    expect(refusal).toContain('could not be checked');
  });
});
