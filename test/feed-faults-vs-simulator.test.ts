import { afterEach, describe, expect, it } from 'vitest';
import { SubscriptionMode } from '../src/brokers/angelone/codec/index.js';
import type { SmartStreamClientOptions } from '../src/brokers/angelone/feed/index.js';
import type { AngelRestClient } from '../src/brokers/angelone/rest/index.js';
import type { SimulatedClock } from '../src/core/clock.js';
import type { RunningSimulator } from '../src/sim/simulator.js';
import {
  Cleanup,
  FAST_FEED,
  loggedInRest,
  nearOptions,
  pairKeys,
  pairsOf,
  type RecordingFeed,
  recordingFeed,
  startPump,
  startSimulatedSim,
  waitFor,
  watchProcessErrors,
} from './support/simHarness.js';

/**
 * Every fault the simulated WebSocket 2.0 server can inject (src/sim/feed/faults.ts), each against the
 * real SmartStreamClient, checked against reliability-and-security.md §5.1 (F1, F2, F4, F5, F6): the
 * client recovers on its own, resubscribes exactly its current set, keeps within Angel's three sockets,
 * and never lets an error escape to the process.
 */

let cleanup = new Cleanup();
let processErrors: unknown[] = [];

afterEach(async () => {
  const errors = processErrors;
  await cleanup.run();
  cleanup = new Cleanup();
  expect(errors, 'no unhandled rejection or uncaught exception escaped the clients').toEqual([]);
});

interface Running {
  sim: RunningSimulator;
  clock: SimulatedClock;
  rest: AngelRestClient;
  feed: RecordingFeed;
  /** the server's id of the client's (single) socket */
  connectionId: number;
  stopPump: () => void;
}

/**
 * Simulator + logged-in REST + a feed client subscribed to `tokens` near-the-money NIFTY options in
 * SnapQuote (options only: their sequence numbers are unique per update, unlike the index's zero),
 * with the market pumped from the test.
 */
async function running(
  options: { tokens?: number; feed?: Partial<SmartStreamClientOptions> } = {},
): Promise<Running> {
  processErrors = watchProcessErrors(cleanup);
  const { sim, clock } = await startSimulatedSim(cleanup);
  const rest = await loggedInRest(sim, clock);
  const feed = recordingFeed(cleanup, sim, rest, options.feed);
  const pairs = pairsOf(nearOptions(sim, 'NIFTY', options.tokens ?? 20), SubscriptionMode.SNAP_QUOTE);
  feed.client.subscribe(pairs);
  await waitFor(() => feed.packets.length >= pairs.length, 'the snapshots of the first connection');
  const first = sim.feed.connections()[0];
  if (first === undefined) throw new Error('no server connection after the snapshots arrived');
  const stopPump = startPump(cleanup, sim, clock);
  return { sim, clock, rest, feed, connectionId: first.id, stopPump };
}

/** Waits for packets stamped after `afterSimMs` (fresh ticks, not snapshots of the old state). */
async function waitForFreshTicks(feed: RecordingFeed, afterSimMs: number, count: number, what: string) {
  await waitFor(
    () => feed.packets.filter((p) => p.packet.exchangeTimeMs > afterSimMs).length >= count,
    `${count} fresh ticks ${what}`,
  );
}

/** Good packets decoded + frames rejected = frames the server wrote, once nothing is in flight. */
async function waitForAccounting(sim: RunningSimulator, feed: RecordingFeed): Promise<void> {
  const serverFrames = () => {
    const sent = sim.feed.stats().framesSent;
    return sent[1] + sent[2] + sent[3] + sent[4];
  };
  const clientFrames = () => {
    const stats = feed.client.stats();
    const rejected = Object.values(stats.rejectedFrames).reduce((sum, n) => sum + n, 0);
    return feed.packets.length + rejected;
  };
  await waitFor(() => clientFrames() === serverFrames(), 'every frame the server wrote to be accounted for');
}

function sum(record: Record<string, number>): number {
  return Object.values(record).reduce((total, n) => total + n, 0);
}

describe('feed faults: connection loss (F1)', () => {
  it('drop: reconnects after the first backoff step, resubscribes exactly the current set, and ticks flow again', async () => {
    const { sim, clock, feed, connectionId } = await running({ tokens: 10 });
    const options = nearOptions(sim, 'NIFTY', 10);
    // Change the set after the first open: +10 LTP pairs, then −5 of them. The reconnect must send the
    // current 15, not a replay of the requests made so far.
    feed.client.subscribe(pairsOf(options, SubscriptionMode.LTP));
    feed.client.unsubscribe(pairsOf(options.slice(5), SubscriptionMode.LTP));
    await waitFor(
      () => sim.feed.connections()[0]?.subscriptionCount === 15,
      'the server to hold the 15 current pairs',
    );

    sim.feed.setFaults(connectionId, { drop: true });
    await waitFor(
      () => sim.feed.connections().some((c) => c.id !== connectionId && c.subscriptionCount === 15),
      'a new server connection carrying the 15 pairs',
    );
    const reopenedAt = clock.now();

    const fresh = sim.feed.connections();
    expect(fresh.length, 'one socket at the server after the reconnect').toBe(1);
    const newId = fresh[0]?.id ?? -1;
    expect(
      pairKeys(sim.feed.subscriptions(newId)),
      'the new socket carries exactly what the client holds now',
    ).toEqual(pairKeys(feed.client.subscriptions()));
    expect(feed.client.subscriptions().length, 'the client still holds 15 pairs').toBe(15);

    const closes = feed.eventsOf('close');
    expect(closes[0]?.code, 'the client saw an abnormal closure (no close frame)').toBe(1006);
    const scheduled = feed.eventsOf('reconnect-scheduled');
    expect(scheduled[0]?.reason, 'the reconnect was caused by the close').toBe('closed');
    expect(scheduled[0]?.delayMs, 'the first retry waits the first backoff step (F1: well under 1.5 s)').toBe(
      FAST_FEED.backoff.initialMs,
    );
    const stats = feed.client.stats();
    expect(stats.reconnects, 'the reconnect counter went up').toBeGreaterThanOrEqual(1);
    expect(stats.connections[0]?.opens, 'the first socket opened twice').toBe(2);
    expect(feed.eventsOf('alert'), 'one drop is no reason to alert').toEqual([]);

    await waitForFreshTicks(feed, reopenedAt, 5, 'after the reconnect');
    const healths = feed.eventsOf('health').map((event) => event.health);
    expect(healths, 'health went down with the socket and came back').toEqual(
      expect.arrayContaining(['down', 'healthy']),
    );
    expect(healths.at(-1), 'healthy again').toBe('healthy');
    expect(sim.feed.stats().refused429, 'never over the per-client socket limit').toBe(0);
  });
});

describe('feed faults: repeated drops (F1)', () => {
  it('dropAfterFrames on every connection: backoff follows the policy, alerts after 5 failures, recovers once the drops stop', async () => {
    const { sim, clock, feed } = await running({
      tokens: 10,
      // a connection counts as recovered after 300 ms up (production: 10 s)
      feed: { backoff: { ...FAST_FEED.backoff, resetAfterMs: 300 } },
    });
    // Every new socket dies after its 10 snapshots and two ticks, as if the link reset every few seconds.
    sim.feed.setFaults('all', { dropAfterFrames: 12 });
    await waitFor(() => feed.eventsOf('reconnect-scheduled').length >= 5, 'five drops in a row', 10_000);
    sim.feed.setFaults('all', {});
    await waitFor(
      () => feed.eventsOf('recovered').length === 1,
      'the recovered event once a socket stays up',
    );
    const recoveredAt = clock.now();

    const delays = feed
      .eventsOf('reconnect-scheduled')
      .slice(0, 5)
      .map((event) => event.delayMs);
    expect(delays, 'exponential from initialMs, capped at maxMs (jitter 0)').toEqual([
      50, 100, 200, 400, 400,
    ]);
    expect(
      feed.eventsOf('reconnect-scheduled').every((event) => event.reason === 'closed'),
      'every retry followed a drop',
    ).toBe(true);
    expect(feed.eventsOf('alert')[0]?.consecutiveFailures, 'an alert after 5 consecutive failures').toBe(5);
    expect(feed.eventsOf('alert').length, 'one alert per outage, not one per failure').toBe(1);
    expect(sim.feed.stats().refused429, 'never over the per-client socket limit').toBe(0);
    expect(sim.feed.connections().length, 'one socket once recovered').toBe(1);
    await waitForFreshTicks(feed, recoveredAt, 5, 'after the recovery');
  });
});

describe('feed faults: silent server (F2)', () => {
  it('stallHeartbeat: declares the socket stale, recycles it, and leaves exactly one socket at the server', async () => {
    const { sim, clock, feed, connectionId } = await running({ tokens: 10 });

    sim.feed.setFaults(connectionId, { stallHeartbeat: true });
    await waitFor(() => feed.eventsOf('stale').length >= 1, 'the stale watchdog to fire');
    await waitFor(
      () => sim.feed.connections().some((c) => c.id !== connectionId && c.subscriptionCount === 10),
      'a fresh socket with the 10 pairs',
    );
    const reopenedAt = clock.now();
    await waitFor(
      () => !sim.feed.connections().some((c) => c.id === connectionId),
      'the stalled socket to be gone at the server',
    );

    const stale = feed.eventsOf('stale')[0];
    expect(stale?.silentForMs, 'stale only after a full staleAfterMs of silence').toBeGreaterThanOrEqual(
      FAST_FEED.staleAfterMs,
    );
    expect(
      feed.eventsOf('reconnect-scheduled').map((event) => event.reason),
      'the stale socket was recycled',
    ).toContain('stale');
    expect(
      sim.feed.stats().faultsApplied.stalledPings,
      'the client kept pinging into the stall',
    ).toBeGreaterThan(0);
    expect(sim.feed.connections().length, 'exactly one socket per client at the server').toBe(1);
    expect(feed.client.stats().staleEvents, 'one stale event counted').toBe(1);

    await waitForFreshTicks(feed, reopenedAt, 5, 'after recycling the stale socket');
    expect(sim.feed.connections().length, 'still exactly one socket once data flows').toBe(1);
  });
});

describe('feed faults: bad frames (F4)', () => {
  const tolerant = { badFrameLimit: { count: 100_000, windowMs: 60_000 } };

  it('malformedEvery: counts the garbage per reason and delivers every good frame', async () => {
    const { sim, feed, connectionId, stopPump } = await running({ feed: tolerant });
    sim.feed.setFaults(connectionId, { malformedEvery: 3 });
    await waitFor(() => sim.feed.stats().faultsApplied.malformed >= 30, '30 malformed frames', 10_000);
    stopPump();
    await waitForAccounting(sim, feed);

    const rejected = feed.client.stats().rejectedFrames;
    expect(sum(rejected), 'every malformed frame was rejected, nothing else').toBe(
      sim.feed.stats().faultsApplied.malformed,
    );
    expect(
      Object.keys(rejected).every((code) => code === 'IF_ERR_PACKET_MODE' || code === 'IF_ERR_PACKET_SIZE'),
      `garbage is rejected for its mode byte or its length (${JSON.stringify(rejected)})`,
    ).toBe(true);
    expect(
      rejected.IF_ERR_PACKET_MODE ?? 0,
      'unknown mode bytes are counted under their own reason',
    ).toBeGreaterThan(0);
    expect(feed.eventsOf('rejected-frame').length, 'one rejected-frame event per bad frame').toBe(
      sum(rejected),
    );
    expect(
      feed.client.stats().connections[0]?.opens,
      'bad frames below the limit do not cost the socket',
    ).toBe(1);
    expect(
      feed.packets.every((p) => p.packet.subscriptionMode === SubscriptionMode.SNAP_QUOTE),
      'only well-formed SnapQuote packets reached the handler',
    ).toBe(true);
  });

  it('truncateEvery: counts cut frames as IF_ERR_PACKET_SIZE and delivers every whole frame', async () => {
    const { sim, feed, connectionId, stopPump } = await running({ feed: tolerant });
    sim.feed.setFaults(connectionId, { truncateEvery: 3 });
    await waitFor(() => sim.feed.stats().faultsApplied.truncated >= 30, '30 truncated frames', 10_000);
    stopPump();
    await waitForAccounting(sim, feed);

    expect(
      feed.client.stats().rejectedFrames,
      'every truncated frame, and only those, rejected by size',
    ).toEqual({
      IF_ERR_PACKET_SIZE: sim.feed.stats().faultsApplied.truncated,
    });
    expect(feed.client.stats().connections[0]?.opens, 'the socket survives the bad frames').toBe(1);
  });

  it('a flood of bad frames beyond badFrameLimit recycles the socket, and the fresh one delivers ticks', async () => {
    const { sim, clock, feed, connectionId } = await running({
      feed: { badFrameLimit: { count: 20, windowMs: 60_000 } },
    });
    sim.feed.setFaults(connectionId, { malformedEvery: 1 });
    await waitFor(
      () => feed.eventsOf('reconnect-scheduled').some((event) => event.reason === 'bad-frames'),
      'the socket to be recycled for bad frames',
    );
    await waitFor(
      () => sim.feed.connections().some((c) => c.id !== connectionId),
      'a new socket (its faults are the defaults: none)',
    );
    const reopenedAt = clock.now();
    expect(
      sum(feed.client.stats().rejectedFrames),
      'more than the limit were rejected first',
    ).toBeGreaterThan(20);
    await waitForFreshTicks(feed, reopenedAt, 5, 'on the fresh socket');
    expect(sim.feed.connections().length, 'one socket after the recycle').toBe(1);
  });
});

describe('feed faults: duplicates and reordering (F5)', () => {
  it('duplicateEvery + reorderEvery: every frame is delivered as sent; de-duplication is left to the pipeline', async () => {
    const { sim, feed, connectionId, stopPump } = await running();
    // The client is a faithful transport: it decodes and hands on every frame in wire order. Dropping
    // repeats by (token, sequence number) and refusing older exchange timestamps is the pipeline's job
    // (F5), where the per-token state lives; these assertions pin that division of labour.
    const before = feed.packets.length;
    sim.feed.setFaults(connectionId, { duplicateEvery: 3, reorderEvery: 5 });
    await waitFor(
      () => {
        const applied = sim.feed.stats().faultsApplied;
        return applied.duplicated >= 10 && applied.reordered >= 10;
      },
      '10 duplicated and 10 reordered frames',
      10_000,
    );
    stopPump();
    await waitForAccounting(sim, feed);

    const applied = sim.feed.stats().faultsApplied;
    const seen = new Map<string, number>();
    for (const { packet } of feed.packets.slice(before)) {
      if (packet.subscriptionMode === SubscriptionMode.DEPTH_20) throw new Error('no depth was subscribed');
      const key = `${packet.token}|${packet.sequenceNumber}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const extraCopies = [...seen.values()].reduce((total, n) => total + (n - 1), 0);
    expect(extraCopies, 'each duplicated frame reached the handler twice').toBe(applied.duplicated);
    expect(feed.client.stats().rejectedFrames, 'duplicates and reordering are not errors').toEqual({});
    expect(feed.client.stats().connections[0]?.opens, 'the socket stayed up').toBe(1);
  });
});

describe('feed faults: server error JSON', () => {
  it('errorJson: raises a typed IF_ERR_FEED_INVALID_REQUEST event and keeps the socket and the data', async () => {
    const { sim, clock, feed, connectionId } = await running({ tokens: 10 });
    sim.feed.setFaults(connectionId, { errorJson: true });
    await waitFor(() => feed.eventsOf('error').length >= 1, 'the error event');
    const marker = clock.now();

    const error = feed.eventsOf('error')[0]?.error;
    expect(error?.code, 'the E1001 is typed').toBe('IF_ERR_FEED_INVALID_REQUEST');
    expect(error?.params.brokerCode, "Angel's code is kept for diagnosis").toBe('E1001');
    await waitForFreshTicks(feed, marker, 5, 'after the error');
    expect(
      sim.feed.connections().map((c) => c.id),
      'the same server socket is still up',
    ).toEqual([connectionId]);
    expect(feed.client.stats().connections[0]?.opens, 'no reconnect').toBe(1);
    expect(feed.client.failedSubscriptions(), 'an unsolicited error marks no subscription as failed').toEqual(
      [],
    );
    expect(feed.client.currentHealth, 'still healthy').toBe('healthy');
  });
});

describe('feed faults: refused handshakes (F6)', () => {
  it('handshake 401: calls onAuthFailure, the REST session is refreshed and the reconnect uses the new tokens', async () => {
    let refreshes = 0;
    let restRef: AngelRestClient | undefined;
    const { sim, clock, rest, feed, connectionId } = await running({
      tokens: 10,
      feed: {
        onAuthFailure: async () => {
          refreshes++;
          if (restRef === undefined) throw new Error('REST client not ready');
          await restRef.refreshSession();
        },
      },
    });
    restRef = rest;
    const oldFeedToken = rest.session()?.feedToken;

    sim.feed.setFaults('default', { handshake: { status: 401, count: 1 } });
    sim.feed.setFaults(connectionId, { drop: true });
    await waitFor(
      () => sim.feed.connections().some((c) => c.id !== connectionId && c.subscriptionCount === 10),
      'the reconnect after the refresh',
    );
    const reopenedAt = clock.now();

    expect(refreshes, 'one session refresh for one refusal').toBe(1);
    const authErrors = feed.eventsOf('error').filter((event) => event.error.code === 'IF_ERR_FEED_AUTH');
    expect(authErrors.length, 'the refusal surfaced as IF_ERR_FEED_AUTH').toBe(1);
    const authRetry = feed.eventsOf('reconnect-scheduled').find((event) => event.reason === 'auth');
    expect(
      authRetry?.delayMs,
      'no hot loop after an auth failure: it waits authRetryMs',
    ).toBeGreaterThanOrEqual(FAST_FEED.authRetryMs);
    const newFeedToken = rest.session()?.feedToken;
    expect(newFeedToken, 'the REST refresh issued a new feed token').not.toBe(oldFeedToken);
    expect(
      oldFeedToken === undefined
        ? undefined
        : sim.sessions.findByFeedToken(sim.account.clientCode, oldFeedToken),
      'the old feed token is dead, so the successful handshake must have used the new one',
    ).toBeUndefined();
    expect(sim.feed.stats().refused401, 'no handshake was refused for real (stale credentials)').toBe(0);
    await waitForFreshTicks(feed, reopenedAt, 5, 'after the re-authenticated reconnect');
  });

  it('handshake 429: backs off at the cap on every refusal, never holds more than 3 sockets, and recovers both shards', async () => {
    processErrors = watchProcessErrors(cleanup);
    const { sim, clock } = await startSimulatedSim(cleanup);
    const rest = await loggedInRest(sim, clock);
    const feed = recordingFeed(cleanup, sim, rest);
    const tokens = sim.market.instruments
      .filter((i) => i.kind === 'option' && i.exchange === 'NFO')
      .slice(0, 400);
    const pairs = [
      ...pairsOf(tokens, SubscriptionMode.LTP),
      ...pairsOf(tokens, SubscriptionMode.QUOTE),
      ...pairsOf(tokens, SubscriptionMode.SNAP_QUOTE),
    ];
    feed.client.subscribe(pairs);
    await waitFor(() => feed.packets.length >= 1200, 'the snapshots of both shards');
    const firstIds = sim.feed.connections().map((c) => c.id);
    expect(firstIds.length, 'two shards open').toBe(2);

    let maxSockets = 0;
    const sampler = setInterval(() => {
      maxSockets = Math.max(maxSockets, sim.feed.connections().length);
    }, 2);
    cleanup.add(() => clearInterval(sampler));

    const before = feed.packets.length;
    sim.feed.setFaults('default', { handshake: { status: 429, count: 4 } });
    for (const id of firstIds) sim.feed.setFaults(id, { drop: true });
    await waitFor(
      () => {
        const open = sim.feed.connections();
        return open.length === 2 && open.every((c) => !firstIds.includes(c.id));
      },
      'both shards to be back after four 429s',
      10_000,
    );
    await waitFor(() => feed.packets.length >= before + 1200, 'a fresh snapshot of every pair');
    clearInterval(sampler);

    const rateLimited = feed
      .eventsOf('error')
      .filter((event) => event.error.code === 'IF_ERR_FEED_RATE_LIMITED');
    expect(rateLimited.length, 'each injected 429 surfaced once, typed').toBe(4);
    expect(sim.feed.stats().faultsApplied.handshakeRefused, 'all four refusals were served').toBe(4);
    const waits = feed
      .eventsOf('reconnect-scheduled')
      .filter((event) => event.reason === 'rate-limited')
      .map((event) => event.delayMs);
    expect(waits.length, 'one paced retry per 429').toBe(4);
    expect(
      waits.every((ms) => ms >= FAST_FEED.backoff.maxMs),
      `after a 429 the client waits the full backoff cap (${waits.join(', ')} ms)`,
    ).toBe(true);
    expect(maxSockets, 'never more than 3 sockets at the server').toBeLessThanOrEqual(3);
    expect(sim.feed.stats().refused429, 'the real per-client limit was never hit').toBe(0);
    expect(
      sim.feed
        .connections()
        .map((c) => c.subscriptionCount)
        .sort((a, b) => a - b),
      'both shards resubscribed their own pairs',
    ).toEqual([200, 1000]);
    expect(feed.client.currentHealth, 'healthy after recovery').toBe('healthy');
  });
});
