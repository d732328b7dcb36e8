import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../core/clock.js';
import { LongPollingTransport, sseEvent } from './transports.js';

const RS = '\u001e';

describe('Server-Sent Events framing', () => {
  it('sends one payload as one event of data lines', () => {
    expect(sseEvent(`{"type":6}${RS}`)).toBe(`data: {"type":6}${RS}\r\n\r\n`);
  });

  it('splits on LF and strips a CR before it, so the client rebuilds the payload with LF', () => {
    expect(sseEvent('a\r\nb\nc')).toBe('data: a\r\ndata: b\r\ndata: c\r\n\r\n');
  });
});

describe('long-polling transport', () => {
  const start = Date.UTC(2026, 0, 5, 4, 0);

  it('answers a poll at once when data is queued, taking all of it', async () => {
    const lp = new LongPollingTransport(new SimulatedClock(start), 90_000);
    lp.send(Buffer.from('a'));
    lp.send(Buffer.from('b'));
    expect(lp.bufferedBytes()).toBe(2);
    const outcome = await lp.poll().result;
    expect(outcome.status === 200 && outcome.body.toString()).toBe('ab');
    expect(lp.bufferedBytes()).toBe(0);
  });

  it('holds an empty poll until data arrives', async () => {
    const lp = new LongPollingTransport(new SimulatedClock(start), 90_000);
    const { result } = lp.poll();
    expect(lp.idleSince(), 'a held poll means the client is alive').toBeUndefined();
    lp.send(Buffer.from('x'));
    const outcome = await result;
    expect(outcome.status === 200 && outcome.body.toString()).toBe('x');
  });

  it('answers an empty 200 when the poll timeout passes', async () => {
    const clock = new SimulatedClock(start);
    const lp = new LongPollingTransport(clock, 90_000);
    const { result } = lp.poll();
    clock.advanceBy(90_000);
    const outcome = await result;
    expect(outcome.status === 200 && outcome.body.length).toBe(0);
  });

  it('ends an older poll with 204 when a newer one arrives', async () => {
    const lp = new LongPollingTransport(new SimulatedClock(start), 90_000);
    const first = lp.poll();
    const second = lp.poll();
    expect((await first.result).status).toBe(204);
    lp.send(Buffer.from('y'));
    expect((await second.result).status).toBe(200);
  });

  it('keeps data queued when the client abandons its poll', async () => {
    const lp = new LongPollingTransport(new SimulatedClock(start), 90_000);
    const abandoned = lp.poll();
    abandoned.cancel();
    lp.send(Buffer.from('kept'));
    const outcome = await lp.poll().result;
    expect(outcome.status === 200 && outcome.body.toString()).toBe('kept');
  });

  it('delivers what was queued before close, then answers 204', async () => {
    const lp = new LongPollingTransport(new SimulatedClock(start), 90_000);
    const held = lp.poll();
    lp.send(Buffer.from('close-message'));
    lp.close();
    expect((await held.result).status).toBe(200);
    expect((await lp.poll().result).status, 'the client reads 204 as terminated').toBe(204);
  });
});
