import { describe, expect, it } from 'vitest';
import { chainChannel, defaultAuthorise, type HubRole, parseChannel, ticksChannel } from './channels.js';

describe('hub channels', () => {
  it('parses every channel kind the hub serves', () => {
    expect(parseChannel(ticksChannel('99926000'))).toEqual({
      kind: 'ticks',
      name: 'ticks:99926000',
      token: '99926000',
    });
    expect(parseChannel(chainChannel('BANKNIFTY', '2026-01-27'))).toEqual({
      kind: 'chain',
      name: 'chain:BANKNIFTY:2026-01-27',
      underlying: 'BANKNIFTY',
      expiry: '2026-01-27',
    });
    for (const name of ['signals', 'orders', 'positions', 'risk', 'health']) {
      expect(parseChannel(name).kind).toBe(name);
    }
  });

  it.each([
    '',
    'ticks:',
    'ticks:abc',
    'ticks:1:2',
    'chain:NIFTY',
    'chain:nifty:2026-01-27',
    'chain:NIFTY:2026-02-30',
    'chain:NIFTY:27-01-2026',
    'Signals',
    'fills',
    `ticks:${'1'.repeat(80)}`,
  ])('rejects %j with IF_ERR_HUB_CHANNEL_INVALID', (name) => {
    expect(() => parseChannel(name)).toThrowError(
      expect.objectContaining({ code: 'IF_ERR_HUB_CHANNEL_INVALID' }),
    );
  });

  it('grants market data to every role and account data only to traders and admins', () => {
    const table: Record<string, Record<HubRole, boolean>> = {};
    for (const name of [
      'ticks:1',
      'chain:NIFTY:2026-01-06',
      'signals',
      'health',
      'orders',
      'positions',
      'risk',
    ]) {
      const channel = parseChannel(name);
      table[channel.kind] = {
        viewer: defaultAuthorise({ userId: 'v', role: 'viewer' }, channel),
        trader: defaultAuthorise({ userId: 't', role: 'trader' }, channel),
        admin: defaultAuthorise({ userId: 'a', role: 'admin' }, channel),
      };
    }
    const all = { viewer: true, trader: true, admin: true };
    const account = { viewer: false, trader: true, admin: true };
    expect(table).toEqual({
      ticks: all,
      chain: all,
      signals: all,
      health: all,
      orders: account,
      positions: account,
      risk: account,
    });
  });
});
