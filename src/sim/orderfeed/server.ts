import { type IncomingMessage, STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { Logger } from '../../ops/logger.js';
import type { SimSession, SimSessionStore } from '../auth/sessions.js';
import type { OrderUpdateListener } from '../orders/index.js';
import { OrderFeedFaults } from './faults.js';
import { ORDER_FEED_PATH, acknowledgement, updateMessage } from './messages.js';

/** Angel's documented cap on order-status sockets per client code (§2). */
export const MAX_ORDER_FEED_CONNECTIONS = 3;

/** Closes a socket that sent nothing (no ping, no message) for this long; SDKs ping every 10 s. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

export interface OrderFeedDeps {
  sessions: SimSessionStore;
  /** the order engine (or anything emitting its events) */
  orders: { onOrderUpdate(listener: OrderUpdateListener): () => void };
  /** timers for the idle timeout; pass a wall clock when the simulated clock runs faster than real time */
  timerClock: Clock;
  maxConnectionsPerClient?: number;
  /** 0 disables the idle timeout */
  idleTimeoutMs?: number;
  faults?: OrderFeedFaults;
  logger?: Logger;
}

/**
 * The order-status WebSocket server, without a listener of its own: hand it upgrade requests from any
 * http.Server (`handleUpgrade`) so it can share a port with the market-data socket, or use
 * `attachOrderFeed`.
 */
export interface OrderFeed {
  readonly path: typeof ORDER_FEED_PATH;
  /** whether an upgrade request is addressed to this feed (path match, query and trailing slash ignored) */
  handles(request: IncomingMessage): boolean;
  /** authenticates and upgrades, or answers 401/403/429 and destroys the socket */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** open sockets, of one client code or of all */
  connectionCount(clientCode?: string): number;
  readonly faults: OrderFeedFaults;
  /** stops listening to the engine and closes every socket */
  close(): Promise<void>;
}

interface Connection {
  ws: WebSocket;
  clientCode: string;
  idle: TimerHandle | undefined;
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const queryAt = raw.indexOf('?');
  const path = queryAt === -1 ? raw : raw.slice(0, queryAt);
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Answers a refused handshake with a bare HTTP status, as the gateway does, and drops the socket. */
function refuse(socket: Duplex, status: 401 | 403 | 429, message: string): void {
  if (socket.writable) {
    const body = `${message}\n`;
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
        'Connection: close\r\nContent-Type: text/plain\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * Creates the order-status socket server (reference §2): `Authorization: Bearer <jwt>` on the upgrade
 * (401 unknown token, 403 expired token, 429 beyond the per-client cap), the AB00 acknowledgement first,
 * then every order event of that client code, text `ping` → `pong` and protocol PING → PONG.
 */
export function createOrderFeed(deps: OrderFeedDeps): OrderFeed {
  const { sessions, timerClock } = deps;
  const maxConnections = deps.maxConnectionsPerClient ?? MAX_ORDER_FEED_CONNECTIONS;
  const idleTimeoutMs = deps.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const faults = deps.faults ?? new OrderFeedFaults();
  // autoPong off: protocol pongs are sent by hand so the silence fault can withhold them.
  const wss = new WebSocketServer({
    noServer: true,
    autoPong: false,
    perMessageDeflate: false,
    maxPayload: 64 * 1024,
  });
  /** upgraded or upgrading sockets per client code; a slot is held from acceptance until the socket closes */
  const slots = new Map<string, Set<Duplex>>();
  const connections = new Set<Connection>();
  let closed = false;

  const unsubscribe = deps.orders.onOrderUpdate((event) => {
    let text: string | undefined;
    for (const connection of connections) {
      if (connection.clientCode !== event.clientCode || connection.ws.readyState !== connection.ws.OPEN)
        continue;
      text ??= updateMessage(event);
      connection.ws.send(text);
    }
  });

  const stopDrops = faults.onDrop((clientCode) => {
    for (const connection of connections) {
      if (clientCode === undefined || connection.clientCode === clientCode) connection.ws.terminate();
    }
  });

  function holdSlot(clientCode: string, socket: Duplex): void {
    let held = slots.get(clientCode);
    if (held === undefined) {
      held = new Set();
      slots.set(clientCode, held);
    }
    held.add(socket);
    socket.once('close', () => {
      held.delete(socket);
      if (held.size === 0 && slots.get(clientCode) === held) slots.delete(clientCode);
    });
  }

  function touch(connection: Connection): void {
    if (idleTimeoutMs <= 0) return;
    if (connection.idle !== undefined) timerClock.clearTimer(connection.idle);
    connection.idle = timerClock.setTimeout(() => {
      connection.idle = undefined;
      connection.ws.close(1001, 'idle timeout');
    }, idleTimeoutMs);
  }

  function onConnection(ws: WebSocket, session: SimSession): void {
    const connection: Connection = { ws, clientCode: session.clientCode, idle: undefined };
    connections.add(connection);
    ws.on('message', (data, isBinary) => {
      touch(connection);
      if (!isBinary && data.toString() === 'ping' && faults.answersPings()) ws.send('pong');
    });
    ws.on('ping', (data) => {
      touch(connection);
      if (faults.answersPings()) ws.pong(data);
    });
    ws.on('error', (error) => deps.logger?.debug({ err: error }, 'order feed socket error'));
    ws.on('close', () => {
      if (connection.idle !== undefined) timerClock.clearTimer(connection.idle);
      connections.delete(connection);
    });
    ws.send(acknowledgement(session.clientCode));
    touch(connection);
  }

  return {
    path: ORDER_FEED_PATH,
    faults,

    handles(request) {
      return pathOf(request.url) === ORDER_FEED_PATH;
    },

    handleUpgrade(request, socket, head) {
      if (closed) {
        socket.destroy();
        return;
      }
      const raw = request.headers.authorization;
      const authorization = Array.isArray(raw) ? raw[0] : raw;
      const status = sessions.jwtStatus(authorization);
      if (status === 'unknown') return refuse(socket, 401, 'Invalid token');
      if (status === 'expired') return refuse(socket, 403, 'Token expired');
      const session = sessions.findByJwt(authorization);
      if (session === undefined) return refuse(socket, 401, 'Invalid token');
      if ((slots.get(session.clientCode)?.size ?? 0) >= maxConnections) {
        return refuse(socket, 429, 'Connection limit exceeded');
      }
      holdSlot(session.clientCode, socket);
      wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, session));
    },

    connectionCount(clientCode) {
      let count = 0;
      for (const connection of connections)
        if (clientCode === undefined || connection.clientCode === clientCode) count++;
      return count;
    },

    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      stopDrops();
      for (const connection of connections) {
        if (connection.idle !== undefined) timerClock.clearTimer(connection.idle);
        connection.ws.terminate();
      }
      connections.clear();
      await new Promise<void>((resolveClose) => wss.close(() => resolveClose()));
    },
  };
}

/**
 * Serves the order feed on an existing http.Server: upgrade requests for `/smart-order-update` go to the
 * feed; others are left to the server's other upgrade listeners (`destroyOtherUpgrades` drops them when
 * nothing else listens). `close()` also detaches the listener.
 */
export function attachOrderFeed(
  server: Server,
  deps: OrderFeedDeps,
  options: { destroyOtherUpgrades?: boolean } = {},
): OrderFeed {
  const feed = createOrderFeed(deps);
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (feed.handles(request)) feed.handleUpgrade(request, socket, head);
    else if (options.destroyOtherUpgrades) socket.destroy();
  };
  server.on('upgrade', onUpgrade);
  return {
    ...feed,
    async close() {
      server.off('upgrade', onUpgrade);
      await feed.close();
    },
  };
}
