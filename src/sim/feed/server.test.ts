import { afterEach, describe, expect, it } from 'vitest';
import {
  decodePacket,
  type Depth20Packet,
  PACKET_SIZE,
  type SnapQuotePacket,
  tryDecodePacket,
} from '../../brokers/angelone/codec/index.js';
import { isIfError } from '../../core/errors.js';
import { HANDSHAKE_ERRORS } from './server.js';
import {
  authHeaders,
  FIRST_OPTION,
  type HandshakeRefusal,
  NIFTY_INDEX,
  NIFTY_INDEX_ALIAS,
  RELIANCE,
  startTestHost,
  subscribeRequest,
  TestClient,
  type TestHost,
} from './testkit.js';

let host: TestHost | undefined;
const clients: TestClient[] = [];

async function start(...args: Parameters<typeof startTestHost>): Promise<TestHost> {
  host = await startTestHost(...args);
  return host;
}

async function open(h: TestHost, headers = authHeaders(h), url = h.url): Promise<TestClient> {
  const client = await TestClient.connect(url, headers);
  clients.push(client);
  return client;
}

async function refusal(url: string, headers: Record<string, string>): Promise<HandshakeRefusal> {
  try {
    const client = await TestClient.connect(url, headers);
    client.close();
    throw new Error('handshake unexpectedly accepted');
  } catch (error) {
    return error as HandshakeRefusal;
  }
}

function sequenceOf(frame: Uint8Array): number {
  const packet = decodePacket(frame);
  if (packet.subscriptionMode === 4) throw new Error('depth packets carry no sequence number');
  return packet.sequenceNumber;
}

function options(count: number, first = FIRST_OPTION): string[] {
  return Array.from({ length: count }, (_, i) => String(first + i));
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await host?.close();
  host = undefined;
});

describe('smart-stream handshake', () => {
  it('accepts the four documented headers, with a Bearer or a bare JWT', async () => {
    const h = await start();
    const headers = authHeaders(h);
    await open(h, headers);
    const bare = { ...headers, Authorization: (headers.Authorization ?? '').replace('Bearer ', '') };
    await open(h, bare);
    expect(h.server.connections().length, 'both header styles open a socket').toBe(2);
  });

  it('accepts header names in any case', async () => {
    const h = await start();
    const headers = authHeaders(h);
    const shouted = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    await open(h, shouted);
    expect(h.server.connections()[0]?.clientCode, 'upper-case header names authenticate').toBe('A123');
  });

  it('accepts the browser variant with clientCode, feedToken and apiKey in the query', async () => {
    const h = await start({ requireAllHeaders: true });
    const session = h.sessions.create('B777');
    await open(h, {}, `${h.url}?clientCode=B777&feedToken=${session.feedToken}&apiKey=key-1`);
    expect(h.server.connections()[0]?.clientCode, 'query credentials authenticate without a JWT').toBe(
      'B777',
    );
  });

  it('accepts the Java SDK style (client code and feed token only) unless requireAllHeaders', async () => {
    const h = await start();
    const { 'x-client-code': code = '', 'x-feed-token': feed = '' } = authHeaders(h);
    await open(h, { 'x-client-code': code, 'x-feed-token': feed, 'x-client-lib': 'JAVA' });
    expect(h.server.connections().length, 'two headers are enough by default').toBe(1);
  });

  it('refuses bad credentials with 401 and the documented x-error-message for each header', async () => {
    const h = await start({}, { isValidApiKey: (key) => key === 'key-1' });
    const good = authHeaders(h);
    const other = authHeaders(h, 'Z999');
    const cases: [string, Record<string, string>, string][] = [
      ['unknown JWT', { ...good, Authorization: 'Bearer not-a-jwt' }, HANDSHAKE_ERRORS.authToken],
      ['missing client code', { ...good, 'x-client-code': '' }, HANDSHAKE_ERRORS.clientCode],
      [
        'JWT of another client',
        { ...good, Authorization: other.Authorization ?? '' },
        HANDSHAKE_ERRORS.clientCode,
      ],
      ['unknown API key', { ...good, 'x-api-key': 'stolen' }, HANDSHAKE_ERRORS.apiKey],
      ['wrong feed token', { ...good, 'x-feed-token': 'nope' }, HANDSHAKE_ERRORS.feedToken],
      [
        'feed token of another client',
        { ...good, 'x-feed-token': other['x-feed-token'] ?? '' },
        HANDSHAKE_ERRORS.feedToken,
      ],
    ];
    for (const [why, headers, message] of cases) {
      const refused = await refusal(h.url, headers);
      expect(refused.status, `${why} → 401`).toBe(401);
      expect(refused.errorMessage, `${why} → x-error-message`).toBe(message);
    }
    expect(h.server.stats().refused401, 'every refusal counted').toBe(cases.length);
    expect(h.server.connections().length, 'no socket left open').toBe(0);
  });

  it('with requireAllHeaders, a missing Authorization or x-api-key is refused', async () => {
    const h = await start({ requireAllHeaders: true });
    const { Authorization: _auth, ...noJwt } = authHeaders(h);
    expect((await refusal(h.url, noJwt)).errorMessage, 'missing JWT').toBe(HANDSHAKE_ERRORS.authToken);
    const { 'x-api-key': _key, ...noKey } = authHeaders(h);
    expect((await refusal(h.url, noKey)).errorMessage, 'missing API key').toBe(HANDSHAKE_ERRORS.apiKey);
  });

  it('refuses an expired session', async () => {
    const h = await start();
    const headers = authHeaders(h);
    h.sessions.expireAll();
    expect((await refusal(h.url, headers)).status, 'expired JWT is a 401').toBe(401);
  });

  it('refuses the 4th concurrent socket of a client code with 429, and admits one again after a close', async () => {
    const h = await start();
    const first = await open(h);
    await open(h);
    await open(h);
    const fourth = await refusal(h.url, authHeaders(h));
    expect(fourth.status, '4th socket of A123').toBe(429);
    expect(h.server.stats().refused429, '429 counted').toBe(1);
    await open(h, authHeaders(h, 'OTHER'));
    expect(h.server.connections().length, 'another client code has its own 3').toBe(4);
    first.close();
    await first.closed();
    await expect.poll(() => h.server.connections().length, { message: 'server saw the close' }).toBe(3);
    await open(h);
    expect(h.server.connections().length, 'a freed slot is reusable').toBe(4);
  });

  it('leaves upgrades for other paths to the host', async () => {
    const h = await start();
    const refused = await refusal(h.url.replace('/smart-stream', '/other'), authHeaders(h));
    expect(refused.status, 'the host answered, not the feed').toBe(404);
  });
});

describe('smart-stream heartbeat', () => {
  it('answers text ping with text pong and protocol PING with PONG', async () => {
    const h = await start();
    const client = await open(h);
    client.ws.send('ping');
    await client.until(() => client.texts.includes('pong'));
    expect(client.texts, 'exactly one text pong').toEqual(['pong']);
    client.ws.ping('ping');
    await client.until(() => client.protocolPongs === 1);
    expect(client.protocolPongs, 'protocol PONG received').toBe(1);
  });

  it('closes a socket idle for idleTimeoutMs and keeps one that heartbeats', async () => {
    const h = await start({ idleTimeoutMs: 90_000 });
    const quiet = await open(h);
    const chatty = await open(h);
    h.clock.advanceBy(60_000);
    await chatty.barrier();
    await quiet.barrier();
    h.clock.advanceBy(60_000);
    await chatty.barrier();
    expect(quiet.closeCode, 'quiet socket still open at 60 s of silence').toBeUndefined();
    h.clock.advanceBy(31_000);
    expect(await quiet.closed(), 'idle socket closed with 1001').toBe(1001);
    await chatty.barrier();
    expect(chatty.closeCode, 'heartbeating socket stays open').toBeUndefined();
    expect(h.server.stats().idleClosed, 'idle close counted').toBe(1);
  });
});

describe('smart-stream subscriptions', () => {
  it('sends one snapshot per new (token, mode) with the size and mode of each mode', async () => {
    const h = await start();
    const client = await open(h);
    for (const mode of [1, 2, 3] as const) {
      client.send(subscribeRequest(mode, [{ exchangeType: 1, tokens: [RELIANCE] }]));
    }
    client.send(subscribeRequest(4, [{ exchangeType: 1, tokens: [RELIANCE] }]));
    await client.until(() => client.binary.length === 4);
    await client.barrier();
    expect(
      client.binary.map((frame) => [frame[0], frame.length]),
      'LTP 51, Quote 123, SnapQuote 379, Depth-20 443',
    ).toEqual([
      [1, PACKET_SIZE[1]],
      [2, PACKET_SIZE[2]],
      [3, PACKET_SIZE[3]],
      [4, PACKET_SIZE[4]],
    ]);
    const state = h.market.state(RELIANCE);
    const snap = decodePacket(client.binary[2] ?? new Uint8Array()) as SnapQuotePacket;
    expect(snap.token, 'token as subscribed').toBe(RELIANCE);
    expect(snap.lastTradedPrice, 'LTP from the model').toBe(state?.lastTradedPrice);
    expect(snap.lastTradedTimestamp, 'last-traded time in whole seconds').toBe(
      Math.floor((state?.lastTradedTimeMs ?? 0) / 1000),
    );
    expect(
      snap.bestFive.map((r) => r.buySellFlag),
      'buy×5 then sell×5',
    ).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    const bids = snap.bestFive.slice(0, 5).map((r) => r.price);
    const asks = snap.bestFive.slice(5).map((r) => r.price);
    expect(bids, 'bids descending').toEqual([...bids].sort((a, b) => b - a));
    expect(asks, 'asks ascending').toEqual([...asks].sort((a, b) => a - b));
    const depth = decodePacket(client.binary[3] ?? new Uint8Array()) as Depth20Packet;
    expect(depth.packetReceivedTime, 'depth packet-received time is the documented 0').toBe(0);
    expect(depth.buyDepth.length + depth.sellDepth.length, '20 levels a side').toBe(40);
    expect(client.errors(), 'no ack and no error for a good subscribe').toEqual([]);
    expect(h.server.subscriptions(h.server.connections()[0]?.id ?? 0).length, 'four pairs').toBe(4);
  });

  it('accepts both index token styles and sends packets under the token the client used', async () => {
    const h = await start();
    const client = await open(h);
    client.send(subscribeRequest(1, [{ exchangeType: 1, tokens: [NIFTY_INDEX_ALIAS, NIFTY_INDEX] }]));
    await client.until(() => client.binary.length === 2);
    const tokens = client.binary.map((frame) => decodePacket(frame).token);
    expect(tokens, 'one snapshot per alias, each under its own name').toEqual([
      NIFTY_INDEX_ALIAS,
      NIFTY_INDEX,
    ]);
    h.server.publish([h.market.tick(NIFTY_INDEX)]);
    await client.until(() => client.binary.length === 4);
    expect(
      client.binary.slice(2).map((frame) => decodePacket(frame).token),
      'ticks of the model token reach both aliases',
    ).toEqual([NIFTY_INDEX_ALIAS, NIFTY_INDEX]);
  });

  it('ignores unknown tokens and tokens named under the wrong exchange type, silently', async () => {
    const h = await start();
    const client = await open(h);
    client.send(
      subscribeRequest(1, [
        { exchangeType: 1, tokens: ['999999', String(FIRST_OPTION)] },
        { exchangeType: 2, tokens: [String(FIRST_OPTION)] },
      ]),
    );
    await client.until(() => client.binary.length === 1);
    await client.barrier();
    expect(client.binary.length, 'only the real NFO option answered').toBe(1);
    expect(client.errors(), 'no error for unknown tokens').toEqual([]);
    expect(h.server.connections()[0]?.subscriptionCount, 'unknown tokens are not counted').toBe(1);
  });

  it('publish sends one frame per subscribed (token, mode), identical bytes to every subscriber', async () => {
    const h = await start();
    const a = await open(h);
    const b = await open(h);
    const opt = String(FIRST_OPTION);
    a.send(subscribeRequest(1, [{ exchangeType: 2, tokens: [opt] }]));
    a.send(subscribeRequest(3, [{ exchangeType: 2, tokens: [opt] }]));
    b.send(subscribeRequest(3, [{ exchangeType: 2, tokens: [opt] }]));
    await a.until(() => a.binary.length === 2);
    await b.until(() => b.binary.length === 1);
    h.server.publish([h.market.tick(opt), h.market.tick(RELIANCE)]);
    await a.until(() => a.binary.length === 4);
    await b.until(() => b.binary.length === 2);
    await a.barrier();
    expect(
      a.binary.slice(2).map((f) => f[0]),
      'a gets LTP and SnapQuote of the tick, nothing for RELIANCE',
    ).toEqual([1, 3]);
    expect(
      Buffer.from(b.binary[1] ?? []).equals(Buffer.from(a.binary[3] ?? [])),
      'same SnapQuote bytes',
    ).toBe(true);
    expect(
      (decodePacket(b.binary[1] ?? new Uint8Array()) as SnapQuotePacket).lastTradedPrice,
      'the ticked price',
    ).toBe(h.market.state(opt)?.lastTradedPrice);
    const stats = h.server.stats();
    expect(stats.framesSent, 'frames counted per mode (snapshots + ticks)').toEqual({
      1: 2,
      2: 0,
      3: 4,
      4: 0,
    });
  });

  it('answers malformed requests with E1001 and echoes the correlationID', async () => {
    const h = await start();
    const client = await open(h);
    const opt = String(FIRST_OPTION);
    const bad: unknown[] = [
      '{not json',
      {
        correlationID: 'c1',
        action: 2,
        params: { mode: 1, tokenList: [{ exchangeType: 2, tokens: [opt] }] },
      },
      {
        correlationID: 'c2',
        action: 1,
        params: { mode: 5, tokenList: [{ exchangeType: 2, tokens: [opt] }] },
      },
      {
        correlationID: 'c3',
        action: 1,
        params: { mode: 1, tokenList: [{ exchangeType: 6, tokens: [opt] }] },
      },
      {
        correlationID: 'c4',
        action: 1,
        params: { mode: 4, tokenList: [{ exchangeType: 2, tokens: [opt] }] },
      },
      {
        correlationID: 'c5',
        action: 1,
        params: { mode: 1, tokenList: [{ exchangeType: 2, tokens: [50000] }] },
      },
      { correlationID: 'c6', action: 1 },
    ];
    for (const request of bad) client.send(request);
    client.ws.send(Buffer.from([1, 2, 3]));
    await client.until(() => client.errors().length === bad.length + 1);
    expect(
      client.errors().map((e) => e.correlationID),
      'ids echoed; none for unparseable JSON or a binary frame',
    ).toEqual(['', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', '']);
    for (const error of client.errors()) {
      expect(error, 'documented E1001 body').toMatchObject({
        errorCode: 'E1001',
        errorMessage: 'Invalid Request Payload.',
      });
    }
    expect(client.binary.length, 'nothing subscribed').toBe(0);
    expect(client.closeCode, 'socket stays open after errors').toBeUndefined();
  });

  it('refuses the 1001st pair with E1002 and leaves existing subscriptions intact', async () => {
    const h = await start();
    const client = await open(h);
    client.send(subscribeRequest(1, [{ exchangeType: 2, tokens: options(600) }]));
    client.send(
      subscribeRequest(1, [{ exchangeType: 2, tokens: options(401, FIRST_OPTION + 600) }], 1, 'over'),
    );
    await client.until(() => client.errors().length === 1);
    expect(client.errors()[0], 'documented E1002').toEqual({
      correlationID: 'over',
      errorCode: 'E1002',
      errorMessage: 'Invalid Request. Subscription Limit Exceeded.',
    });
    const id = h.server.connections()[0]?.id ?? 0;
    expect(h.server.subscriptions(id).length, 'the failing request added nothing').toBe(600);
    client.send(subscribeRequest(1, [{ exchangeType: 2, tokens: options(400, FIRST_OPTION + 600) }]));
    await client.barrier();
    expect(h.server.subscriptions(id).length, 'exactly 1000 fit').toBe(1000);
    client.send(subscribeRequest(2, [{ exchangeType: 2, tokens: [String(FIRST_OPTION)] }]));
    await client.until(() => client.errors().length === 2);
    expect(client.errors()[1]?.errorCode, 'the 1001st pair (another mode of a token) is refused').toBe(
      'E1002',
    );
    const before = client.binary.length;
    h.server.publish([h.market.tick(String(FIRST_OPTION + 5))]);
    await client.until(() => client.binary.length === before + 1);
    expect(client.binary.length, 'existing subscriptions still deliver').toBe(before + 1);
  });

  it('ignores duplicate subscriptions and does not count them', async () => {
    const h = await start();
    const client = await open(h);
    client.send(subscribeRequest(1, [{ exchangeType: 2, tokens: options(1000) }]));
    client.send(subscribeRequest(1, [{ exchangeType: 2, tokens: options(1000) }]));
    client.send(subscribeRequest(1, [{ exchangeType: 2, tokens: ['50001', '50001'] }]));
    await client.barrier();
    expect(client.errors(), 'resubscribing 1000 held pairs is not over the limit').toEqual([]);
    expect(client.binary.length, 'snapshots only for new pairs').toBe(1000);
    expect(h.server.connections()[0]?.subscriptionCount, 'still 1000').toBe(1000);
  });

  it('unsubscribe stops frames for that pair only and ignores pairs never subscribed', async () => {
    const h = await start();
    const client = await open(h);
    const [x = '', y = ''] = options(2);
    client.send(subscribeRequest(1, [{ exchangeType: 2, tokens: [x, y] }]));
    client.send(subscribeRequest(2, [{ exchangeType: 2, tokens: [x] }]));
    client.send(subscribeRequest(1, [{ exchangeType: 2, tokens: [x, '77777'] }], 0));
    client.send(subscribeRequest(3, [{ exchangeType: 2, tokens: [y] }], 0));
    await client.barrier();
    const before = client.binary.length;
    h.server.publish([h.market.tick(x), h.market.tick(y)]);
    await client.until(() => client.binary.length === before + 2);
    await client.barrier();
    const after = client.binary.slice(before).map((frame) => {
      const packet = decodePacket(frame);
      return `${packet.token}/${packet.subscriptionMode}`;
    });
    expect(after, 'x LTP gone, x Quote and y LTP remain').toEqual([`${x}/2`, `${y}/1`]);
    expect(client.errors(), 'unsubscribing unknown pairs is silent').toEqual([]);
  });

  it('allows Depth-20 only on exchange type 1 and at most maxDepthTokens tokens', async () => {
    const h = await start({ maxDepthTokens: 2 });
    const client = await open(h);
    client.send(subscribeRequest(4, [{ exchangeType: 2, tokens: [String(FIRST_OPTION)] }], 1, 'fo'));
    client.send(subscribeRequest(4, [{ exchangeType: 1, tokens: [RELIANCE, NIFTY_INDEX] }]));
    client.send(subscribeRequest(4, [{ exchangeType: 1, tokens: [NIFTY_INDEX_ALIAS] }], 1, 'third'));
    await client.until(() => client.errors().length === 2);
    expect(
      client.errors().map((e) => `${e.correlationID}:${e.errorCode}`),
      'nse_fo depth invalid; third over',
    ).toEqual(['fo:E1001', 'third:E1002']);
    expect(
      client.binary.map((f) => f.length),
      'two depth snapshots',
    ).toEqual([443, 443]);
  });

  it('drops frames for a socket whose send buffer is over the limit, and counts them', async () => {
    const h = await start({ maxBufferedBytes: 64 * 1024 });
    const client = await open(h);
    const opt = String(FIRST_OPTION);
    client.send(subscribeRequest(3, [{ exchangeType: 2, tokens: [opt] }]));
    await client.until(() => client.binary.length === 1);
    // The client shares this thread, so it cannot read while we publish: the kernel buffers fill.
    let published = 0;
    while (h.server.stats().framesDroppedBackpressure === 0 && published < 500_000) {
      h.server.publish([h.market.tick(opt)]);
      published++;
    }
    const dropped = h.server.stats().framesDroppedBackpressure;
    expect(dropped, 'backpressure reached and frames dropped').toBeGreaterThan(0);
    await client.until(() => client.binary.length === 1 + published - dropped);
    await client.barrier();
    expect(
      client.binary.length - 1 + dropped,
      'every publish was either delivered or counted as dropped',
    ).toBe(published);
    expect(h.server.connections()[0]?.framesDroppedBackpressure, 'per-connection count').toBe(dropped);
  });
});

describe('smart-stream faults', () => {
  async function subscribed(h: TestHost, mode = 1): Promise<TestClient> {
    const client = await open(h);
    client.send(subscribeRequest(mode, [{ exchangeType: 2, tokens: [String(FIRST_OPTION)] }]));
    await client.until(() => client.binary.length === 1);
    return client;
  }

  function ticks(h: TestHost, count: number): void {
    for (let i = 0; i < count; i++) h.server.publish([h.market.tick(String(FIRST_OPTION))]);
  }

  function idOf(h: TestHost, index = 0): number {
    return h.server.connections()[index]?.id ?? -1;
  }

  it('drop destroys the socket without a close frame (client sees 1006)', async () => {
    const h = await start();
    const client = await subscribed(h);
    h.server.setFaults(idOf(h), { drop: true });
    expect(await client.closed(), 'abnormal closure').toBe(1006);
    expect(h.server.stats().faultsApplied.dropped, 'drop counted').toBe(1);
  });

  it('dropAfterFrames destroys the socket after the n-th data frame', async () => {
    const h = await start();
    const client = await subscribed(h);
    h.server.setFaults(idOf(h), { dropAfterFrames: 3 });
    ticks(h, 5);
    expect(await client.closed(), 'abnormal closure').toBe(1006);
    expect(client.binary.length, 'snapshot + 3 frames, then nothing').toBe(4);
  });

  it('stallHeartbeat stops pongs and data but keeps the socket open; lifting it resumes', async () => {
    const h = await start();
    const client = await subscribed(h);
    h.server.setFaults(idOf(h), { stallHeartbeat: true });
    client.ws.send('ping');
    client.ws.ping();
    ticks(h, 3);
    // The stall is lifted after the ping: the next barrier's pong proves the stalled ping got none.
    await expect
      .poll(() => h.server.connections()[0]?.faultsApplied.stalledPings, {
        message: 'text and protocol ping swallowed',
      })
      .toBe(2);
    h.server.setFaults(idOf(h), {});
    await client.barrier();
    expect(client.texts.filter((t) => t === 'pong').length, 'only the post-stall ping was answered').toBe(1);
    expect(client.binary.length, 'no data during the stall').toBe(1);
    expect(client.closeCode, 'socket stayed open').toBeUndefined();
    const applied = h.server.connections()[0]?.faultsApplied;
    expect(applied?.stalledFrames, 'stalled frames counted').toBe(3);
    ticks(h, 1);
    await client.until(() => client.binary.length === 2);
  });

  it('stallHeartbeat leaves protocol PINGs unanswered', async () => {
    const h = await start();
    const client = await subscribed(h);
    h.server.setFaults(idOf(h), { stallHeartbeat: true });
    client.ws.ping();
    await expect
      .poll(() => h.server.connections()[0]?.faultsApplied.stalledPings, { message: 'PING swallowed' })
      .toBe(1);
    h.server.setFaults(idOf(h), {});
    client.ws.ping();
    await client.until(() => client.protocolPongs === 1);
    await client.barrier();
    expect(client.protocolPongs, 'only the PING after the stall was answered').toBe(1);
  });

  it('malformedEvery replaces every n-th frame with bytes no decoder accepts', async () => {
    const h = await start();
    const client = await subscribed(h, 3);
    h.server.setFaults(idOf(h), { malformedEvery: 3 });
    ticks(h, 30);
    await client.until(() => client.binary.length === 31);
    const bad = client.binary.slice(1).map((frame, i) => [i + 1, tryDecodePacket(frame).ok] as const);
    for (const [n, ok] of bad)
      expect(ok, `frame ${n} ${n % 3 === 0 ? 'garbage' : 'valid'}`).toBe(n % 3 !== 0);
    expect(h.server.connections()[0]?.faultsApplied.malformed, 'counted').toBe(10);
  });

  it('malformed garbage is reproducible for the same fault seed', async () => {
    const runs: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const h = await start({ faultSeed: 42 });
      const client = await subscribed(h, 2);
      h.server.setFaults(idOf(h), { malformedEvery: 1 });
      ticks(h, 10);
      await client.until(() => client.binary.length === 11);
      runs.push(client.binary.slice(1).map((frame) => Buffer.from(frame).toString('hex')));
      client.close();
      await h.close();
      host = undefined;
    }
    expect(runs[0], 'same seed, same garbage').toEqual(runs[1]);
    expect(new Set(runs[0]?.map((hex) => hex.length)).size, 'both kinds of garbage appear').toBeGreaterThan(
      1,
    );
  });

  it('truncateEvery cuts every n-th frame short', async () => {
    const h = await start();
    const client = await subscribed(h, 2);
    h.server.setFaults(idOf(h), { truncateEvery: 2 });
    ticks(h, 10);
    await client.until(() => client.binary.length === 11);
    const lengths = client.binary.slice(1).map((f) => f.length);
    lengths.forEach((length, i) => {
      if ((i + 1) % 2 === 0) expect(length, `frame ${i + 1} truncated`).toBeLessThan(123);
      else expect(length, `frame ${i + 1} whole`).toBe(123);
    });
    expect(Math.min(...lengths), 'never empty').toBeGreaterThan(0);
  });

  it('duplicateEvery sends every n-th frame twice', async () => {
    const h = await start();
    const client = await subscribed(h);
    h.server.setFaults(idOf(h), { duplicateEvery: 2 });
    ticks(h, 4);
    await client.until(() => client.binary.length === 7);
    await client.barrier();
    const seq = client.binary.slice(1).map(sequenceOf);
    const base = seq[0] ?? 0;
    expect(seq, 'frames 2 and 4 doubled').toEqual([base, base + 1, base + 1, base + 2, base + 3, base + 3]);
    expect(h.server.connections()[0]?.faultsApplied.duplicated, 'counted').toBe(2);
  });

  it('reorderEvery holds the n-th frame and sends it after the next one', async () => {
    const h = await start();
    const client = await subscribed(h);
    h.server.setFaults(idOf(h), { reorderEvery: 2 });
    ticks(h, 4);
    await client.until(() => client.binary.length === 4);
    await client.barrier();
    expect(client.binary.length, 'the 4th is still held').toBe(4);
    ticks(h, 1);
    await client.until(() => client.binary.length === 6);
    const seq = client.binary.slice(1).map(sequenceOf);
    const base = seq[0] ?? 0;
    expect(seq, '2nd after 3rd, 4th after 5th').toEqual([base, base + 2, base + 1, base + 4, base + 3]);
    expect(h.server.connections()[0]?.faultsApplied.reordered, 'two frames held').toBe(2);
  });

  it('errorJson sends an unsolicited E1001 and keeps the socket', async () => {
    const h = await start();
    const client = await subscribed(h);
    h.server.setFaults(idOf(h), { errorJson: true });
    await client.until(() => client.errors().length === 1);
    expect(client.errors()[0]?.errorCode, 'E1001 text frame').toBe('E1001');
    await client.barrier();
    expect(client.closeCode, 'still open').toBeUndefined();
  });

  it('handshake fault refuses the next n upgrades with the given status, then admits', async () => {
    const h = await start();
    h.server.setFaults('default', { handshake: { status: 429, count: 2 } });
    expect((await refusal(h.url, authHeaders(h))).status, '1st refused').toBe(429);
    expect((await refusal(h.url, authHeaders(h))).status, '2nd refused').toBe(429);
    await open(h);
    h.server.setFaults('default', { handshake: { status: 401, count: 1 } });
    const refused = await refusal(h.url, authHeaders(h));
    expect(refused, '401 with a documented message').toEqual({
      status: 401,
      errorMessage: HANDSHAKE_ERRORS.authToken,
    });
    expect(h.server.stats().faultsApplied.handshakeRefused, 'three injected refusals').toBe(3);
    expect(h.server.stats().refused401 + h.server.stats().refused429, 'not counted as real refusals').toBe(0);
  });

  it('default faults apply to new connections; "all" to every open one', async () => {
    const h = await start();
    const before = await subscribed(h);
    h.server.setFaults('default', { duplicateEvery: 1 });
    const after = await subscribed(h);
    expect(after.binary.length, 'snapshot of the new socket duplicated').toBe(2);
    h.server.setFaults('all', { drop: true });
    expect(await before.closed(), 'all: old socket dropped').toBe(1006);
    expect(await after.closed(), 'all: new socket dropped').toBe(1006);
    await expect(open(h), 'default drop: a new socket opens, then drops').resolves.toBeDefined();
    await expect.poll(() => h.server.stats().faultsApplied.dropped, { message: 'three drops' }).toBe(3);
  });

  it('rejects nonsensical fault settings and unknown connection ids', async () => {
    const h = await start();
    expect(() => h.server.setFaults('default', { malformedEvery: 0 }), 'every 0th').toThrow();
    try {
      h.server.setFaults(12345, {});
      expect.unreachable('unknown id accepted');
    } catch (error) {
      expect(isIfError(error, 'IF_ERR_NOT_FOUND'), 'coded not-found').toBe(true);
    }
  });
});

describe('smart-stream lifecycle', () => {
  it('close() ends every socket and refuses new upgrades', async () => {
    const h = await start();
    const client = await open(h);
    await h.server.close();
    expect(await client.closed(), 'terminated').toBe(1006);
    expect(h.server.connections().length, 'none left').toBe(0);
  });
});
