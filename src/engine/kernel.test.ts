import { describe, expect, it } from 'vitest';
import { MessageBus } from './bus.js';
import { Cache } from './cache.js';
import { type Component, type ComponentHealth, ComponentRegistry } from './lifecycle.js';

declare module './bus.js' {
  interface BusTopics {
    'test.number': number;
  }
}

describe('MessageBus', () => {
  it('delivers in subscription order and keeps delivering when one handler throws', () => {
    const bus = new MessageBus();
    const seen: string[] = [];
    bus.subscribe('test.number', (n) => seen.push(`a${n}`));
    bus.subscribe('test.number', () => {
      throw new Error('boom');
    });
    const off = bus.subscribe('test.number', (n) => seen.push(`c${n}`));
    bus.publish('test.number', 1);
    off();
    bus.publish('test.number', 2);
    expect(seen, 'order kept, throwing handler isolated, unsubscribed handler gone').toEqual([
      'a1',
      'c1',
      'a2',
    ]);
    expect(bus.failedDeliveries).toBe(2);
  });
});

describe('Cache', () => {
  it('keeps the latest value per key in each namespace', () => {
    const cache = new Cache();
    cache.set('ltp', '26000', 1);
    cache.set('ltp', '26000', 2);
    cache.set('oi', '26000', 9);
    expect(cache.get('ltp', '26000')).toBe(2);
    expect(cache.size('ltp')).toBe(1);
    expect([...cache.entries('oi')]).toEqual([['26000', 9]]);
  });
});

class FakeComponent implements Component {
  state: ComponentHealth['state'] = 'created';
  constructor(
    readonly name: string,
    readonly critical: boolean,
    private readonly log: string[],
  ) {}
  async start(): Promise<void> {
    this.log.push(`start ${this.name}`);
    this.state = 'running';
  }
  async stop(): Promise<void> {
    this.log.push(`stop ${this.name}`);
    this.state = 'stopped';
  }
  health(): ComponentHealth {
    return { state: this.state };
  }
}

describe('ComponentRegistry', () => {
  it('starts in order, stops in reverse, and is ready only while critical components run', async () => {
    const log: string[] = [];
    const registry = new ComponentRegistry();
    const feed = new FakeComponent('feed', true, log);
    const extra = new FakeComponent('extra', false, log);
    registry.add(feed);
    registry.add(extra);
    expect(registry.readiness().ready, 'not ready before start').toBe(false);
    await registry.startAll();
    expect(registry.readiness().ready).toBe(true);
    extra.state = 'degraded';
    expect(registry.readiness().ready, 'an optional component does not gate readiness').toBe(true);
    feed.state = 'degraded';
    expect(registry.readiness().ready, 'a degraded critical component does').toBe(false);
    await registry.stopAll();
    expect(log).toEqual(['start feed', 'start extra', 'stop extra', 'stop feed']);
  });
});
