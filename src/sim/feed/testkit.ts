/**
 * Test support for the smart-stream server and its users (recording/replay tests, later the feed
 * client's tests): a small deterministic market, a loopback host, and a ws client that collects frames.
 * Not used by production code.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { SimulatedClock } from '../../core/clock.js';
import type { Instrument } from '../../core/instrument.js';
import { SimSessionStore } from '../auth/sessions.js';
import type { BookLevel, InstrumentMarketState, MarketModel } from '../market/types.js';
import {
  createSmartStreamServer,
  type SmartStreamServer,
  type SmartStreamServerDeps,
  type SmartStreamServerOptions,
} from './server.js';

/** 2026-11-25 10:00 IST: inside a session, far from the midnight session expiry. */
export const TEST_START_MS = Date.UTC(2026, 10, 25, 4, 30);

export const NIFTY_INDEX = '99926000';
export const NIFTY_INDEX_ALIAS = '26000';
export const RELIANCE = '2885';
/** first of `optionCount` NFO option tokens, consecutive */
export const FIRST_OPTION = 50000;

function levels(mid: number, side: 1 | -1, count: number): BookLevel[] {
  return Array.from({ length: count }, (_, i) => ({
    price: mid + side * 5 * (i + 1),
    quantity: 75 * (i + 1),
    orders: i + 1,
  }));
}

/**
 * A deterministic MarketModel: the NIFTY index (token 99926000, alias 26000, nse_cm), RELIANCE (2885,
 * nse_cm) and `optionCount` NFO options (tokens 50000…). `tick(token)` moves one instrument.
 */
export class FakeMarket implements Pick<MarketModel, 'resolveToken' | 'state' | 'instrument'> {
  private readonly states = new Map<string, InstrumentMarketState>();
  private readonly byToken = new Map<string, Instrument>();

  constructor(
    private nowMs = TEST_START_MS,
    optionCount = 1100,
  ) {
    this.add(
      {
        token: NIFTY_INDEX,
        symbol: 'Nifty 50',
        name: 'NIFTY',
        exchange: 'NSE',
        exchangeType: 1,
        kind: 'index',
      },
      2_450_000,
    );
    this.add(
      {
        token: RELIANCE,
        symbol: 'RELIANCE-EQ',
        name: 'RELIANCE',
        exchange: 'NSE',
        exchangeType: 1,
        kind: 'equity',
      },
      141_840,
    );
    for (let i = 0; i < optionCount; i++) {
      this.add(
        {
          token: String(FIRST_OPTION + i),
          symbol: `NIFTY25NOV26${24000 + i * 50}CE`,
          name: 'NIFTY',
          exchange: 'NFO',
          exchangeType: 2,
          kind: 'option',
        },
        10_000 + i * 5,
      );
    }
  }

  instrument(token: string): Instrument | undefined {
    return this.byToken.get(token);
  }

  resolveToken(token: string): string | undefined {
    if (this.byToken.has(token)) return token;
    if (token === NIFTY_INDEX_ALIAS) return NIFTY_INDEX;
    return undefined;
  }

  state(token: string): InstrumentMarketState | undefined {
    return this.states.get(token);
  }

  /** Moves `token` one tick (price +5 paise, sequence +1, time +1 s) and returns it, like advanceTo. */
  tick(token: string): string {
    const state = this.states.get(token);
    if (state === undefined) throw new Error(`FakeMarket has no ${token}`);
    this.nowMs += 1000;
    state.sequenceNumber++;
    state.lastTradedPrice += 5;
    state.exchangeTimeMs = this.nowMs;
    state.lastTradedTimeMs = this.nowMs;
    state.volume += 75;
    return token;
  }

  private add(
    base: Pick<Instrument, 'token' | 'symbol' | 'name' | 'exchange' | 'exchangeType' | 'kind'>,
    price: number,
  ): void {
    const index = base.kind === 'index';
    this.byToken.set(base.token, {
      ...base,
      instrumentType: index ? 'AMXIDX' : base.kind === 'option' ? 'OPTIDX' : '',
      lotSize: index ? 1 : 75,
      tickSizePaise: 5,
    });
    this.states.set(base.token, {
      token: base.token,
      exchangeType: base.exchangeType,
      sequenceNumber: index ? 0 : 1,
      exchangeTimeMs: this.nowMs,
      lastTradedPrice: price,
      lastTradedQuantity: index ? 0 : 75,
      lastTradedTimeMs: this.nowMs + 250,
      averageTradedPrice: price - 10,
      volume: index ? 0 : 7500,
      totalBuyQuantity: index ? 0 : 15000,
      totalSellQuantity: index ? 0 : 12000,
      open: price - 100,
      high: price + 200,
      low: price - 300,
      close: price - 50,
      openInterest: index ? 0 : 300_000,
      openInterestChangePercent: 1.25,
      bids: index ? [] : levels(price, -1, 5),
      asks: index ? [] : levels(price, 1, 5),
      bids20: index ? [] : levels(price, -1, 20),
      asks20: index ? [] : levels(price, 1, 20),
      upperCircuit: price * 2,
      lowerCircuit: 5,
      fiftyTwoWeekHigh: price * 2,
      fiftyTwoWeekLow: 0,
    });
  }
}

export type MarketLike = Pick<MarketModel, 'resolveToken' | 'state' | 'instrument'>;

export interface TestHost<M extends MarketLike = FakeMarket> {
  server: SmartStreamServer;
  market: M;
  clock: SimulatedClock;
  sessions: SimSessionStore;
  http: Server;
  /** `ws://127.0.0.1:<port>/smart-stream` */
  url: string;
  close(): Promise<void>;
}

type HostExtras = Partial<Pick<SmartStreamServerDeps, 'isValidApiKey'>>;

/** A host over the FakeMarket (or the one given). */
export function startTestHost(
  options: SmartStreamServerOptions = {},
  extra: HostExtras & { market?: FakeMarket } = {},
): Promise<TestHost> {
  return startHostWith(extra.market ?? new FakeMarket(), options, extra);
}

/**
 * A smart-stream server on 127.0.0.1 port 0, behind a plain http.Server the way the simulator hosts it:
 * upgrades it does not claim are answered 404.
 */
export async function startHostWith<M extends MarketLike>(
  market: M,
  options: SmartStreamServerOptions = {},
  extra: HostExtras = {},
): Promise<TestHost<M>> {
  const clock = new SimulatedClock(TEST_START_MS);
  const sessions = new SimSessionStore(clock);
  const server = createSmartStreamServer({
    clock,
    sessions,
    market,
    options,
    ...(extra.isValidApiKey ? { isValidApiKey: extra.isValidApiKey } : {}),
  });
  const http = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  http.on('upgrade', (req, socket, head) => {
    if (!server.handleUpgrade(req, socket, head)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    server,
    market,
    clock,
    sessions,
    http,
    url: `ws://127.0.0.1:${port}/smart-stream`,
    async close() {
      await server.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** The four documented WS headers for a fresh session of `clientCode`. */
export function authHeaders(
  host: Pick<TestHost<MarketLike>, 'sessions'>,
  clientCode = 'A123',
): Record<string, string> {
  const session = host.sessions.create(clientCode);
  return {
    Authorization: `Bearer ${session.jwtToken}`,
    'x-api-key': 'key-1',
    'x-client-code': clientCode,
    'x-feed-token': session.feedToken,
  };
}

export interface HandshakeRefusal {
  status: number;
  errorMessage: string | undefined;
}

/** A ws client that keeps every frame it receives, with event-driven waits. */
export class TestClient {
  readonly binary: Uint8Array[] = [];
  readonly texts: string[] = [];
  closeCode: number | undefined;
  /** RFC 6455 PONG control frames received */
  protocolPongs = 0;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const buffer = Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.isBuffer(data)
            ? data
            : Buffer.from(data);
        this.binary.push(new Uint8Array(buffer));
      } else this.texts.push(String(data));
      this.notify();
    });
    ws.on('pong', () => {
      this.protocolPongs++;
      this.notify();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.notify();
    });
  }

  /** Opens a socket; rejects with a HandshakeRefusal if the server refuses the upgrade. */
  static connect(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.on('error', () => {
        // surfaced through unexpected-response / close
      });
      ws.once('unexpected-response', (_req, res) => {
        const refusal: HandshakeRefusal = {
          status: res.statusCode ?? 0,
          errorMessage: headerValue(res.headers, 'x-error-message'),
        };
        res.resume();
        ws.terminate();
        reject(refusal);
      });
      ws.once('open', () => resolve(new TestClient(ws)));
    });
  }

  /** Resolves once `predicate` holds, re-checking on every frame, pong and close. */
  until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (predicate()) resolve();
        else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  /**
   * A round trip through the server: text ping, wait for its pong. The server answers in order, so
   * every frame it sent before handling the ping has arrived when this resolves.
   */
  async barrier(): Promise<void> {
    const pongs = this.texts.filter((text) => text === 'pong').length;
    this.ws.send('ping');
    await this.until(() => this.texts.filter((text) => text === 'pong').length > pongs);
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  errors(): { correlationID: string; errorCode: string; errorMessage: string }[] {
    return this.texts.filter((text) => text.startsWith('{')).map((text) => JSON.parse(text));
  }

  closed(): Promise<number> {
    return this.until(() => this.closeCode !== undefined).then(() => this.closeCode ?? 0);
  }

  close(): void {
    this.ws.terminate();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function subscribeRequest(
  mode: number,
  tokenList: { exchangeType: number; tokens: string[] }[],
  action = 1,
  correlationID = 'abcde12345',
): unknown {
  return { correlationID, action, params: { mode, tokenList } };
}
