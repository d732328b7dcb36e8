import { afterEach, describe, expect, it } from 'vitest';
import {
  AngelOrderUpdatesClient,
  type OrderUpdate,
  type OrderUpdatesEvent,
} from '../src/brokers/angelone/orderupdates/index.js';
import type { AngelRestClient } from '../src/brokers/angelone/rest/index.js';
import { LiveClock } from '../src/engine/clocks.js';
import type { RunningSimulator } from '../src/sim/simulator.js';
import {
  Cleanup,
  FAST_FEED,
  loggedInRest,
  restingBuy,
  startPump,
  startWallSim,
  waitFor,
  watchProcessErrors,
} from './support/simHarness.js';

/**
 * The real AngelOrderUpdatesClient on the simulator's order-status socket: orders placed through the
 * real REST client come back as typed updates, and the client survives a dropped and a silent socket.
 */

let cleanup = new Cleanup();
let processErrors: unknown[] = [];

afterEach(async () => {
  const errors = processErrors;
  await cleanup.run();
  cleanup = new Cleanup();
  expect(errors, 'no unhandled rejection or uncaught exception escaped the clients').toEqual([]);
});

interface Harness {
  sim: RunningSimulator;
  rest: AngelRestClient;
  client: AngelOrderUpdatesClient;
  updates: OrderUpdate[];
  events: OrderUpdatesEvent[];
}

async function connected(): Promise<Harness> {
  processErrors = watchProcessErrors(cleanup);
  const { sim, clock } = await startWallSim(cleanup);
  startPump(cleanup, sim, clock);
  const rest = await loggedInRest(sim, clock);
  const client = new AngelOrderUpdatesClient({
    url: sim.orderFeedUrl,
    credentials: () => {
      const session = rest.session();
      if (session === undefined) throw new Error('not logged in');
      return { jwtToken: session.jwtToken, apiKey: session.apiKey, clientCode: session.clientCode };
    },
    clock: new LiveClock(),
    pingIntervalMs: FAST_FEED.pingIntervalMs,
    staleAfterMs: FAST_FEED.staleAfterMs,
    backoff: FAST_FEED.backoff,
    authRetryMs: FAST_FEED.authRetryMs,
  });
  cleanup.add(() => client.close());
  const updates: OrderUpdate[] = [];
  const events: OrderUpdatesEvent[] = [];
  client.onUpdate((update) => updates.push(update));
  client.onAny((event) => events.push(event));
  client.start();
  await waitFor(() => updates.some((u) => u.statusCode === 'AB00'), 'the AB00 acknowledgement');
  return { sim, rest, client, updates, events };
}

function statusesOf(updates: readonly OrderUpdate[], orderId: string): string[] {
  return updates.filter((u) => u.order.orderId === orderId).map((u) => u.statusCode);
}

describe('order-status socket against the simulator', () => {
  it('an order placed and cancelled through REST arrives as AB00 first, then open and cancelled updates with its fields', async () => {
    const { sim, rest, updates } = await connected();
    expect(updates[0]?.statusCode, 'AB00 is the first message of a connection').toBe('AB00');
    expect(updates[0]?.userId, 'the acknowledgement names our client code').toBe(sim.account.clientCode);

    const request = restingBuy(sim, 'e2e-ou-1');
    const ack = await rest.placeOrder(request);
    await waitFor(() => statusesOf(updates, ack.orderId).includes('AB01'), 'the order to be reported open');
    await rest.cancelOrder({ variety: 'NORMAL', orderId: ack.orderId });
    await waitFor(
      () => statusesOf(updates, ack.orderId).includes('AB02'),
      'the order to be reported cancelled',
    );

    const statuses = statusesOf(updates, ack.orderId);
    expect(statuses.indexOf('AB01'), 'open is reported before cancelled').toBeLessThan(
      statuses.indexOf('AB02'),
    );
    expect(statuses.at(-1), 'cancelled is the last word').toBe('AB02');
    const open = updates.find((u) => u.order.orderId === ack.orderId && u.statusCode === 'AB01');
    expect(open?.order.orderTag, 'our tag comes back, to match updates to intents').toBe('e2e-ou-1');
    expect(open?.order.symbolToken, 'the instrument').toBe(request.symbolToken);
    expect(open?.order.pricePaise, 'the limit price, in paise').toBe(request.price);
    expect(open?.order.quantity, 'the quantity, in units').toBe(request.quantity);
    expect(open?.order.transactionType, 'the side').toBe('BUY');
    // orderData carries orderid but (as documented, §2) no uniqueorderid: match updates by orderid or tag.
  });

  it('dropConnections: the client reconnects on its own, gets a new AB00 and then the next order updates', async () => {
    const { sim, rest, client, updates, events } = await connected();
    sim.orderFeed.faults.dropConnections();
    await waitFor(
      () => updates.filter((u) => u.statusCode === 'AB00').length === 2,
      'a second AB00 after the reconnect',
    );
    const scheduled = events.filter((event) => event.type === 'reconnect-scheduled');
    expect(
      scheduled[0]?.type === 'reconnect-scheduled' && scheduled[0].reason,
      'the drop caused the reconnect',
    ).toBe('closed');
    expect(client.stats().opens, 'two handshakes in total').toBe(2);
    expect(sim.orderFeed.connectionCount(), 'one order-status socket at the server').toBe(1);

    const ack = await rest.placeOrder(restingBuy(sim, 'e2e-ou-2'));
    await waitFor(() => statusesOf(updates, ack.orderId).includes('AB01'), 'the new order on the new socket');
    expect(client.state, 'still open').toBe('open');
  });

  it('silencePings: the silent socket is declared stale and replaced, and a fresh AB00 arrives', async () => {
    const { sim, client, updates, events } = await connected();
    // The gateway recovers the moment the client gives up on the silent socket, so the replacement is
    // answered and exactly one stale event is expected.
    client.on('stale', () => sim.orderFeed.faults.silencePings(false));
    sim.orderFeed.faults.silencePings(true);
    await waitFor(() => events.some((event) => event.type === 'stale'), 'the watchdog to notice the silence');
    await waitFor(
      () => updates.filter((u) => u.statusCode === 'AB00').length === 2,
      'a second AB00 on the replacement socket',
    );
    await waitFor(() => sim.orderFeed.connectionCount() === 1, 'the silent socket to be gone at the server');
    expect(client.stats().staleEvents, 'one stale event').toBe(1);
    expect(client.state, 'open again').toBe('open');
  });
});
