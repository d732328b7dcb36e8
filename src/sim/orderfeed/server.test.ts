import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { DAY_MS } from '../../core/time.js';
import type { OrderUpdateEvent, OrderUpdateListener } from '../orders/index.js';
import { type Harness, SECURE, authHeaders, harness, login } from '../rest/harness.test-support.js';
import { OTHER_ACCOUNT } from '../rest/testkit.js';
import { OrderFeedFaults } from './faults.js';
import { EMPTY_ORDER_DATA } from './messages.js';
import { type OrderFeed, attachOrderFeed, createOrderFeed } from './server.js';

/** A socket client that queues what it receives, so tests read messages in order. */
class Client {
  readonly messages: string[] = [];
  pongs = 0;
  closeCode: number | undefined;
  private waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(data.toString());
      this.wake();
    });
    ws.on('pong', () => {
      this.pongs += 1;
      this.wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
  }

  /** Waits for the `n`th message (1-based) and returns it. */
  async message(n: number): Promise<string> {
    await this.until(() => this.messages.length >= n, `message ${n}`);
    return this.messages[n - 1] ?? '';
  }

  async until(condition: () => boolean, what: string): Promise<void> {
    while (!condition()) {
      if (this.closeCode !== undefined && !condition())
        throw new Error(`socket closed (${this.closeCode}) before ${what}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const resolve of waiting) resolve();
  }
}

/** A clock wrapper that counts armed timers: each one means the server has handled a frame. */
class CountingClock implements Clock {
  armed = 0;
  constructor(private readonly inner: Clock) {}
  now(): number {
    return this.inner.now();
  }
  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    this.armed += 1;
    return this.inner.setTimeout(callback, delayMs);
  }
  setInterval(callback: () => void, periodMs: number): TimerHandle {
    return this.inner.setInterval(callback, periodMs);
  }
  clearTimer(handle: TimerHandle): void {
    this.inner.clearTimer(handle);
  }
}

async function poll(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1_000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  if (!condition()) throw new Error(`never happened: ${what}`);
}

let h: Harness;
let feed: OrderFeed;
let url: string;
let timerClock: CountingClock;
const sockets: WebSocket[] = [];
const extraServers: Server[] = [];

/** REST and the order feed on one port, as the simulator will run them. */
async function start(options: { idleTimeoutMs?: number; faults?: OrderFeedFaults } = {}): Promise<void> {
  h = harness();
  timerClock = new CountingClock(h.clock);
  feed = attachOrderFeed(h.app.server, {
    sessions: h.sessions,
    orders: h.orders,
    timerClock,
    ...options,
  });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = h.app.server.address() as AddressInfo;
  url = `ws://127.0.0.1:${port}/smart-order-update`;
}

async function connect(authorization: string, extraHeaders: Record<string, string> = {}): Promise<Client> {
  const ws = new WebSocket(url, { headers: { Authorization: authorization, ...extraHeaders } });
  sockets.push(ws);
  const client = new Client(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return client;
}

/** The HTTP status of a refused handshake. */
function refusal(headers: Record<string, string>): Promise<number> {
  const ws = new WebSocket(url, { headers });
  sockets.push(ws);
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.once('open', () => reject(new Error('handshake unexpectedly accepted')));
    ws.once('error', reject);
  });
}

function placeOrder(jwt: string, price: string) {
  return h.app.inject({
    method: 'POST',
    url: `${SECURE}/order/v1/placeOrder`,
    headers: authHeaders(jwt),
    payload: {
      variety: 'NORMAL',
      tradingsymbol: 'NIFTY01DEC2626000CE',
      symboltoken: '52101',
      transactiontype: 'BUY',
      exchange: 'NFO',
      ordertype: 'LIMIT',
      producttype: 'CARRYFORWARD',
      duration: 'DAY',
      price,
      quantity: '65',
    },
  });
}

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await feed.close();
  await h.app.close();
  for (const server of extraServers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

const ACK = (clientCode: string) =>
  `{"user-id":"${clientCode}","status-code":"200","order-status":"AB00","error-message":"","orderData":` +
  '{"variety":"","ordertype":"","ordertag":"","producttype":"","price":0,"triggerprice":0,"quantity":"0",' +
  '"disclosedquantity":"0","duration":"","squareoff":0,"stoploss":0,"trailingstoploss":0,"tradingsymbol":"",' +
  '"transactiontype":"","exchange":"","symboltoken":"","instrumenttype":"","strikeprice":0,"optiontype":"",' +
  '"expirydate":"","lotsize":"0","cancelsize":"0","averageprice":0,"filledshares":"0","unfilledshares":"0",' +
  '"orderid":"","text":"","status":"","orderstatus":"","updatetime":"","exchtime":"","exchorderupdatetime":"",' +
  '"fillid":"","filltime":"","parentorderid":""}}';

describe('order-status socket', () => {
  it('sends the AB00 acknowledgement with all-empty orderData first', async () => {
    await start();
    const { jwtToken } = await login(h);
    const client = await connect(`Bearer ${jwtToken}`);
    expect(await client.message(1), 'byte-exact acknowledgement').toBe(ACK('S1234567'));
  });

  it('pushes AB09 then AB01 for a resting order and AB09 then AB05 for a filled one placed over REST', async () => {
    await start();
    const { jwtToken } = await login(h);
    const client = await connect(`Bearer ${jwtToken}`);
    await client.message(1);

    const resting = (await placeOrder(jwtToken, '140')).json().data.orderid as string;
    const pending = JSON.parse(await client.message(2));
    const open = JSON.parse(await client.message(3));
    expect(pending['order-status'], 'open pending first').toBe('AB09');
    expect(open['order-status'], 'then open').toBe('AB01');
    expect(open['user-id']).toBe('S1234567');
    expect(open['status-code']).toBe('200');
    expect(open.orderData.orderid).toBe(resting);
    expect(open.orderData.status).toBe('open');
    expect(Object.keys(open.orderData), 'documented field order').toEqual(Object.keys(EMPTY_ORDER_DATA));
    expect(typeof open.orderData.price, 'price is a number').toBe('number');
    expect(typeof open.orderData.quantity, 'quantity is a string').toBe('string');

    h.clock.advanceBy(1_000);
    const filled = (await placeOrder(jwtToken, '146')).json().data.orderid as string;
    expect(JSON.parse(await client.message(4))['order-status']).toBe('AB09');
    const complete = JSON.parse(await client.message(5));
    expect(complete['order-status'], 'a marketable order completes').toBe('AB05');
    expect(complete.orderData.orderid).toBe(filled);
    expect(complete.orderData.filledshares).toBe('65');

    const book = await h.app.inject({
      method: 'GET',
      url: `${SECURE}/order/v1/getOrderBook`,
      headers: authHeaders(jwtToken),
    });
    expect(
      book.json().data.map((row: { orderid: string; status: string }) => [row.orderid, row.status]),
      'the order book agrees with the pushes',
    ).toEqual([
      [resting, 'open'],
      [filled, 'complete'],
    ]);
  });

  it("sends a client only its own orders' updates", async () => {
    await start();
    const mine = await login(h);
    const theirs = await login(h, OTHER_ACCOUNT);
    const myClient = await connect(`Bearer ${mine.jwtToken}`);
    const theirClient = await connect(`Bearer ${theirs.jwtToken}`);
    expect(await theirClient.message(1), 'their own ack').toBe(ACK(OTHER_ACCOUNT.clientCode));
    await placeOrder(mine.jwtToken, '140');
    await myClient.message(3);
    // A marker update for the other client proves nothing of mine reached them in between.
    h.clock.advanceBy(1_000);
    await h.app.inject({
      method: 'POST',
      url: `${SECURE}/order/v1/placeOrder`,
      headers: authHeaders(theirs.jwtToken, OTHER_ACCOUNT.apiKey),
      payload: {
        variety: 'NORMAL',
        tradingsymbol: 'SBIN-EQ',
        symboltoken: '3045',
        transactiontype: 'BUY',
        exchange: 'NSE',
        ordertype: 'LIMIT',
        producttype: 'INTRADAY',
        duration: 'DAY',
        price: '800',
        quantity: '1',
      },
    });
    const next = JSON.parse(await theirClient.message(2));
    expect(next.orderData.tradingsymbol, "the other client's next message is their own order").toBe(
      'SBIN-EQ',
    );
    expect(next['user-id']).toBe(OTHER_ACCOUNT.clientCode);
  });

  it('refuses a missing or unknown token with 401 and an expired one with 403', async () => {
    await start();
    const { jwtToken } = await login(h);
    expect(await refusal({}), 'no Authorization header').toBe(401);
    expect(await refusal({ Authorization: 'Bearer not.a.token' }), 'unknown token').toBe(401);
    h.clock.advanceBy(DAY_MS);
    expect(await refusal({ Authorization: `Bearer ${jwtToken}` }), 'token past IST midnight').toBe(403);
  });

  it('accepts three sockets per client code, refuses the fourth with 429, and frees the slot on close', async () => {
    await start();
    const { jwtToken } = await login(h);
    const clients = [];
    for (let i = 0; i < 3; i++) clients.push(await connect(`Bearer ${jwtToken}`));
    expect(await refusal({ Authorization: `Bearer ${jwtToken}` }), 'the fourth').toBe(429);
    const other = await login(h, OTHER_ACCOUNT);
    const otherClient = await connect(`Bearer ${other.jwtToken}`);
    expect(await otherClient.message(1), 'the cap is per client code').toBe(ACK(OTHER_ACCOUNT.clientCode));
    clients[0]?.ws.close();
    await poll(() => feed.connectionCount('S1234567') === 2, 'the server sees the close');
    const again = await connect(`Bearer ${jwtToken}`);
    expect(await again.message(1), 'a freed slot can be reused').toBe(ACK('S1234567'));
  });

  it('answers text ping with text pong and protocol PING with PONG, also with the JS SDK headers', async () => {
    await start();
    const { jwtToken, feedToken } = await login(h);
    const client = await connect(`Bearer ${jwtToken}`, {
      'x-api-key': 'simKey01',
      'x-client-code': 'S1234567',
      'x-feed-token': feedToken,
    });
    await client.message(1);
    client.ws.send('ping');
    expect(await client.message(2), 'text heartbeat').toBe('pong');
    client.ws.ping();
    await client.until(() => client.pongs === 1, 'protocol pong');
    expect(client.pongs, 'one PONG per PING').toBe(1);
  });

  it('closes a socket that stays silent past the idle timeout, and pings keep it open', async () => {
    await start({ idleTimeoutMs: 30_000 });
    const { jwtToken } = await login(h);
    const client = await connect(`Bearer ${jwtToken}`);
    await client.message(1);
    const armed = timerClock.armed;
    h.clock.advanceBy(20_000);
    client.ws.send('ping');
    await client.message(2);
    await poll(() => timerClock.armed > armed, 'the ping re-armed the idle timer');
    h.clock.advanceBy(20_000);
    expect(client.closeCode, 'still open 40 s after connect because of the ping').toBeUndefined();
    h.clock.advanceBy(10_000);
    await client.until(() => client.closeCode !== undefined, 'idle close');
    expect(client.closeCode, 'closed as going away').toBe(1001);
  });

  it('drops connections without a close frame on the drop fault', async () => {
    const faults = new OrderFeedFaults();
    await start({ faults });
    const { jwtToken } = await login(h);
    const client = await connect(`Bearer ${jwtToken}`);
    await client.message(1);
    faults.dropConnections('S1234567');
    await client.until(() => client.closeCode !== undefined, 'the drop');
    expect(client.closeCode, '1006: closed abnormally, no close frame').toBe(1006);
  });

  it('stops answering both ping styles while pings are silenced', async () => {
    const faults = new OrderFeedFaults();
    await start({ faults });
    const { jwtToken } = await login(h);
    const client = await connect(`Bearer ${jwtToken}`);
    await client.message(1);
    faults.silencePings();
    const armed = timerClock.armed;
    client.ws.send('ping');
    client.ws.ping();
    await poll(() => timerClock.armed >= armed + 2, 'the server handled both pings');
    // Anything the server sent for the pings would arrive before this later push.
    await placeOrder(jwtToken, '140');
    expect(JSON.parse(await client.message(2))['order-status'], 'no text pong came first').toBe('AB09');
    expect(client.pongs, 'no protocol pong').toBe(0);
    faults.silencePings(false);
    client.ws.send('ping');
    await client.until(() => client.messages.includes('pong'), 'pong after un-silencing');
  });

  it('shares an http.Server with another WebSocket endpoint through handleUpgrade', async () => {
    h = harness();
    timerClock = new CountingClock(h.clock);
    const events: OrderUpdateListener[] = [];
    const emitter = {
      onOrderUpdate(listener: OrderUpdateListener) {
        events.push(listener);
        return () => undefined;
      },
    };
    feed = createOrderFeed({ sessions: h.sessions, orders: emitter, timerClock });
    const market = new WebSocketServer({ noServer: true });
    market.on('connection', (ws) => ws.send('market hello'));
    const server = createServer();
    extraServers.push(server);
    server.on('upgrade', (req, socket, head) => {
      if (feed.handles(req)) feed.handleUpgrade(req, socket, head);
      else if (req.url === '/smart-stream')
        market.handleUpgrade(req, socket, head, (ws) => market.emit('connection', ws));
      else socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    url = `ws://127.0.0.1:${port}/smart-order-update/`;
    const { jwtToken } = await login(h);
    const orderClient = await connect(`Bearer ${jwtToken}`);
    expect(await orderClient.message(1), 'the order feed on its path (trailing slash ignored)').toBe(
      ACK('S1234567'),
    );
    const marketWs = new WebSocket(`ws://127.0.0.1:${port}/smart-stream`);
    sockets.push(marketWs);
    const marketClient = new Client(marketWs);
    expect(await marketClient.message(1), 'the other endpoint on the same port').toBe('market hello');
    const event: OrderUpdateEvent = {
      clientCode: 'S1234567',
      orderStatusCode: 'AB02',
      orderData: {
        ...EMPTY_ORDER_DATA,
        orderid: '261124000000001',
        status: 'cancelled',
        orderstatus: 'cancelled',
        strikeprice: -1,
      },
    };
    for (const listener of events) listener(event);
    const pushed = JSON.parse(await orderClient.message(2));
    expect(pushed['order-status'], 'events from any emitter are pushed').toBe('AB02');
    await feed.close();
    await orderClient.until(() => orderClient.closeCode !== undefined, 'close() ends the sockets');
    market.close();
  });
});
