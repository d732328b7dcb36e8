import { afterEach, describe, expect, it } from 'vitest';
import { PACKET_SIZE, tryDecodePacket } from '../../brokers/angelone/codec/index.js';
import { createMarketModel, type SimMarketModel } from '../market/index.js';
import {
  authHeaders,
  startHostWith,
  subscribeRequest,
  TEST_START_MS,
  TestClient,
  type TestHost,
} from './testkit.js';

let host: TestHost<SimMarketModel> | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await host?.close();
  host = undefined;
});

describe('smart-stream over the real market model', () => {
  it('every snapshot and tick of index, future and options encodes to a valid packet', async () => {
    const market = createMarketModel({ seed: 7, startMs: TEST_START_MS, underlyings: ['NIFTY'] });
    host = await startHostWith(market);
    const client = await TestClient.connect(host.url, authHeaders(host));
    clients.push(client);
    const options = market.instruments.filter((i) => i.kind === 'option').slice(0, 40);
    const future = market.instruments.find((i) => i.kind === 'future');
    expect(options.length, 'the model lists options').toBe(40);
    expect(future, 'the model lists a future').toBeDefined();
    const fo = [...options.map((i) => i.token), future?.token ?? ''];
    for (const mode of [1, 2, 3]) client.send(subscribeRequest(mode, [{ exchangeType: 2, tokens: fo }]));
    client.send(subscribeRequest(1, [{ exchangeType: 1, tokens: ['26000', '99926000'] }]));
    client.send(subscribeRequest(4, [{ exchangeType: 1, tokens: ['26000'] }]));
    const snapshots = fo.length * 3 + 3;
    await client.until(() => client.binary.length === snapshots);
    expect(client.errors(), 'index aliases and F&O tokens accepted').toEqual([]);

    let ticked = 0;
    let expected = snapshots;
    const subscribed = new Set([...fo, '99926000']);
    for (let step = 1; step <= 50; step++) {
      const tokens = market.advanceTo(TEST_START_MS + step * 200);
      host.server.publish(tokens);
      for (const token of tokens) {
        if (!subscribed.has(token)) continue;
        ticked++;
        // F&O: LTP + Quote + SnapQuote; the index: LTP under both aliases + Depth-20
        expected += 3;
      }
    }
    expect(ticked, 'the model ticked subscribed tokens').toBeGreaterThan(0);
    await client.until(() => client.binary.length === expected);
    await client.barrier();
    expect(client.binary.length, 'one frame per subscribed (token, mode) per tick').toBe(expected);
    for (const frame of client.binary) {
      const decoded = tryDecodePacket(frame);
      expect(decoded.ok, `frame of mode ${frame[0]} decodes: ${decoded.ok ? '' : decoded.detail}`).toBe(true);
      expect(frame.length, 'exact size for its mode').toBe(PACKET_SIZE[(frame[0] ?? 1) as 1 | 2 | 3 | 4]);
    }
    expect(host.server.stats().encodeErrors, 'no model state failed to encode').toBe(0);
  });
});
