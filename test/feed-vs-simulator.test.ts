import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FeedPacket, SubscriptionMode } from '../src/brokers/angelone/codec/index.js';
import { InstrumentMasterLoader } from '../src/brokers/angelone/instruments/index.js';
import { IfError } from '../src/core/errors.js';
import {
  Cleanup,
  loggedInRest,
  pairKeys,
  pairsOf,
  recordingFeed,
  startSimulatedSim,
  waitFor,
  watchProcessErrors,
} from './support/simHarness.js';

/**
 * The real Angel One clients (REST login, instrument master, WebSocket 2.0 feed) against the real
 * exchange simulator on loopback: the happy path and Angel's subscription limits.
 */

let cleanup = new Cleanup();
let processErrors: unknown[] = [];

afterEach(async () => {
  const errors = processErrors;
  await cleanup.run();
  cleanup = new Cleanup();
  expect(errors, 'no unhandled rejection or uncaught exception escaped the clients').toEqual([]);
});

function begin(): void {
  processErrors = watchProcessErrors(cleanup);
}

/** The fields every packet mode carries, compared with the model's state of the same instant. */
function expectMatchesModel(packet: FeedPacket, sim: Awaited<ReturnType<typeof startSimulatedSim>>['sim']) {
  const state = sim.market.state(packet.token);
  expect(state, `model knows token ${packet.token}`).toBeDefined();
  if (state === undefined || packet.subscriptionMode !== SubscriptionMode.SNAP_QUOTE) {
    throw new Error(`expected a SnapQuote packet for a known token, got mode ${packet.subscriptionMode}`);
  }
  const why = (field: string) => `${field} of ${packet.token} decodes to the model's value`;
  expect(packet.lastTradedPrice, why('LTP (paise)')).toBe(state.lastTradedPrice);
  expect(packet.exchangeTimeMs, why('exchange time')).toBe(state.exchangeTimeMs);
  expect(packet.sequenceNumber, why('sequence number')).toBe(state.sequenceNumber);
  expect(packet.openPriceOfTheDay, why('open')).toBe(state.open);
  expect(packet.highPriceOfTheDay, why('high')).toBe(state.high);
  expect(packet.lowPriceOfTheDay, why('low')).toBe(state.low);
  expect(packet.closePrice, why('previous close')).toBe(state.close);
  expect(packet.volumeTradedForTheDay, why('volume')).toBe(state.volume);
  expect(packet.openInterest, why('open interest')).toBe(state.openInterest);
  expect(packet.upperCircuitLimit, why('upper circuit')).toBe(state.upperCircuit);
  expect(packet.lowerCircuitLimit, why('lower circuit')).toBe(state.lowerCircuit);
  const bestBid = packet.bestFive.find((record) => record.buySellFlag === 1);
  expect(bestBid?.price ?? 0, why('best bid')).toBe(state.bids[0]?.price ?? 0);
}

describe('feed client against the simulator: happy path', () => {
  it('logs in with TOTP, loads the master over HTTP, subscribes NIFTY + near options in SnapQuote and decodes the model exactly', async () => {
    begin();
    const { sim, clock } = await startSimulatedSim(cleanup);
    const rest = await loggedInRest(sim, clock);
    expect(rest.session()?.feedToken, 'the TOTP login yields a feed token').toBeTruthy();

    const cacheDir = await mkdtemp(join(tmpdir(), 'indexflow-e2e-master-'));
    cleanup.add(() => rm(cacheDir, { recursive: true, force: true }));
    const loader = new InstrumentMasterLoader({ cacheDir, clock, url: sim.instrumentMasterUrl });
    const { store, master } = await loader.loadStore();
    expect(master.source, 'the master was downloaded from the simulator, not read from a cache').toBe(
      'download',
    );
    expect(master.rejected, 'every row the simulator serves parses').toBe(0);
    expect(master.instruments.length, 'the whole model is in the master').toBe(sim.market.instruments.length);

    const nifty = store.indexInstrument('NIFTY');
    if (nifty === undefined) throw new Error('NIFTY index missing from the master');
    const expiry = store.expiries('NIFTY')[0];
    if (expiry === undefined) throw new Error('NIFTY has no option expiry');
    expect(expiry, "the master's nearest expiry is the model's").toBe(sim.market.optionExpiries('NIFTY')[0]);
    const chain = store.optionChain('NIFTY', expiry);
    if (chain === undefined) throw new Error('no NIFTY chain');
    const middle = Math.floor(chain.strikes.length / 2);
    const options = chain.strikes
      .slice(middle - 3, middle + 3)
      .flatMap((strike) => [strike.call, strike.put])
      .filter((option) => option !== undefined);
    expect(options.length, 'six strikes, a call and a put each').toBe(12);

    const feed = recordingFeed(cleanup, sim, rest);
    const wanted = pairsOf([nifty, ...options], SubscriptionMode.SNAP_QUOTE);
    feed.client.subscribe(wanted);
    const wantedTokens = new Set(wanted.map((pair) => pair.token));

    // Snapshots: one SnapQuote per subscribed token, at once, before the market moves.
    await waitFor(() => feed.packets.length >= wanted.length, 'one snapshot per subscribed token');
    const snapshotTokens = feed.packets.map((p) => p.packet.token).sort();
    expect(snapshotTokens, 'exactly one snapshot per subscribed token').toEqual([...wantedTokens].sort());
    for (const { packet } of feed.packets) expectMatchesModel(packet, sim);
    const niftySnapshot = feed.packets.find((p) => p.packet.token === nifty.token)?.packet;
    expect(niftySnapshot?.exchangeType, 'the index arrives on nse_cm').toBe(1);

    // Ticks: move the market one simulated second and publish.
    const before = feed.packets.length;
    const snapshotTime = new Map(feed.packets.map((p) => [p.packet.token, p.packet.exchangeTimeMs]));
    clock.advanceBy(1000);
    const ticked = sim.step();
    expect(ticked, 'the model ticked').toBeGreaterThan(0);
    // A token moved iff its model state is newer than its snapshot; each moved token is published once.
    const moved = [...wantedTokens].filter(
      (token) => sim.market.state(token)?.exchangeTimeMs !== snapshotTime.get(token),
    );
    expect(moved.length, 'some subscribed tokens moved in that second').toBeGreaterThan(0);
    await waitFor(
      () => feed.packets.length >= before + moved.length,
      'a tick for every subscribed token that moved',
    );
    const ticks = feed.packets.slice(before);
    expect(
      ticks.map((p) => p.packet.token).sort(),
      'exactly one tick per subscribed token that moved, and nothing else',
    ).toEqual(moved.sort());
    // No step() since the publish, so the model still holds exactly what was sent.
    for (const { packet } of ticks) expectMatchesModel(packet, sim);
    expect(feed.client.stats().rejectedFrames, 'nothing the simulator sent was rejected').toEqual({});
    expect(feed.client.currentHealth, 'one open connection carrying everything: healthy').toBe('healthy');
  });
});

describe('feed client against the simulator: subscription limits', () => {
  it('shards 1200 (token, mode) pairs over two sockets of at most 1000 and the server accepts every one', async () => {
    begin();
    const { sim, clock } = await startSimulatedSim(cleanup);
    const rest = await loggedInRest(sim, clock);
    const options = sim.market.instruments.filter((i) => i.kind === 'option' && i.exchange === 'NFO');
    expect(options.length, 'the default model lists at least 400 NFO options').toBeGreaterThanOrEqual(400);
    const tokens = options.slice(0, 400);
    const pairs = [
      ...pairsOf(tokens, SubscriptionMode.LTP),
      ...pairsOf(tokens, SubscriptionMode.QUOTE),
      ...pairsOf(tokens, SubscriptionMode.SNAP_QUOTE),
    ];
    const feed = recordingFeed(cleanup, sim, rest);
    const change = feed.client.subscribe(pairs);
    expect(change.total, 'all 1200 pairs are held by the client').toBe(1200);

    await waitFor(() => feed.packets.length >= 1200, 'a snapshot for each of the 1200 pairs', 10_000);
    const connections = sim.feed.connections();
    expect(connections.length, 'two sockets at the server').toBe(2);
    expect(
      connections.map((c) => c.subscriptionCount).sort((a, b) => a - b),
      'the first socket is filled to Angel quota of 1000, the rest goes to the second',
    ).toEqual([200, 1000]);
    expect(
      pairKeys(connections.flatMap((c) => sim.feed.subscriptions(c.id))),
      'the server holds exactly the requested set, each pair once',
    ).toEqual(pairKeys(pairs));
    expect(sim.feed.stats().errorsSent, 'no request was refused (no E1001, no E1002)').toEqual({
      E1001: 0,
      E1002: 0,
    });
    expect(feed.client.failedSubscriptions(), 'the client saw no refused pair').toEqual([]);
    const byMode = feed.client.stats().packetsTotal;
    expect(byMode, 'one snapshot per pair, in each mode').toEqual({
      ltp: 400,
      quote: 400,
      snap_quote: 400,
      depth_20: 0,
    });
    expect(new Set(feed.packets.map((p) => p.connection)), 'data arrives on both client connections').toEqual(
      new Set([0, 1]),
    );

    // Dropping the overflow empties the second socket, which the client then closes.
    feed.client.unsubscribe(pairsOf(tokens.slice(200), SubscriptionMode.SNAP_QUOTE));
    await waitFor(() => sim.feed.connections().length === 1, 'the emptied second socket to close');
    expect(sim.feed.connections()[0]?.subscriptionCount, 'the remaining socket keeps its 1000 pairs').toBe(
      1000,
    );
    expect(feed.client.stats().subscriptions, 'the client holds the same 1000').toBe(1000);
  });

  it('refuses 3001 pairs whole (3 sockets × 1000) with IF_ERR_FEED_CAPACITY, opening nothing', async () => {
    begin();
    const { sim, clock } = await startSimulatedSim(cleanup);
    const rest = await loggedInRest(sim, clock);
    const feed = recordingFeed(cleanup, sim, rest);
    const all = sim.market.instruments.filter((i) => i.exchange === 'NFO' || i.exchange === 'BFO');
    const pairs = [
      ...pairsOf(all, SubscriptionMode.LTP),
      ...pairsOf(all, SubscriptionMode.QUOTE),
      ...pairsOf(all, SubscriptionMode.SNAP_QUOTE),
    ].slice(0, 3001);
    expect(pairs.length, 'the model has enough derivatives for 3001 pairs').toBe(3001);
    let error: unknown;
    try {
      feed.client.subscribe(pairs);
    } catch (caught) {
      error = caught;
    }
    expect(error instanceof IfError && error.code, 'over capacity is refused with a typed error').toBe(
      'IF_ERR_FEED_CAPACITY',
    );
    expect(feed.client.subscriptions(), 'nothing was subscribed').toEqual([]);
    expect(
      feed.client.connections().map((connection) => connection.state),
      'no socket was started for the refused request',
    ).toEqual(['closed', 'closed', 'closed']);
    // The exact fit is accepted and needs all three sockets, which the server allows.
    feed.client.subscribe(pairs.slice(0, 3000));
    await waitFor(() => feed.packets.length >= 3000, 'a snapshot for each of the 3000 pairs', 10_000);
    expect(
      sim.feed.connections().map((c) => c.subscriptionCount),
      'three full sockets, the most Angel allows',
    ).toEqual([1000, 1000, 1000]);
    expect(sim.feed.stats().refused429, 'the third socket is within the per-client limit').toBe(0);
  });
});
