import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { IfError, isIfError } from '../../core/errors.js';
import type { HubPrincipal } from './channels.js';
import type { HubConnection } from './connection.js';
import { type HubOptions, MarketHub } from './hub.js';
import { negotiateResponse, negotiateVersion } from './negotiate.js';
import {
  LongPollingTransport,
  ServerSentEventsTransport,
  type TransportKind,
  WebSocketTransport,
} from './transports.js';

export const DEFAULT_HUB_PATH = '/hubs/market';

export interface HubPluginOptions extends HubOptions {
  /** where the hub is mounted; negotiate is at `<path>/negotiate` (default /hubs/market) */
  path?: string;
}

/** A Fastify plugin that also hands out the hub it serves, for the engine to publish into. */
export type HubPlugin = FastifyPluginAsync & { readonly hub: MarketHub };

const EMPTY = Buffer.alloc(0);
const NO_CACHE = {
  'Cache-Control': 'no-cache, no-store',
  Pragma: 'no-cache',
  Expires: 'Thu, 01 Jan 1970 00:00:00 GMT',
};

function queryParam(request: FastifyRequest, name: string): string | undefined {
  const query: unknown = request.query;
  if (typeof query !== 'object' || query === null) return undefined;
  const value: unknown = (query as Record<string, unknown>)[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

/** The header wins over the query, as in ASP.NET; browsers and EventSource can only use the query. */
function requestToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match?.[1] !== undefined) return match[1];
  }
  return queryParam(request, 'access_token');
}

/** The request URL with the `access_token` value replaced, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/gi, '$1[redacted]');
}

// Fastify logs every request's URL; SSE and browser WebSocket clients put the token in it.
const LOG_SERIALIZERS = {
  req: (request: FastifyRequest) => ({
    method: request.method,
    url: redactUrl(request.url),
    remoteAddress: request.ip,
  }),
};

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** The gateway's one error body, `{ error: { code, message } }` (clients of the hub read only the status). */
function sendError(reply: FastifyReply, error: IfError): FastifyReply {
  return reply.code(error.httpStatus).send({ error: { code: error.code, message: error.message } });
}

/** Plain-text answers for transport-level refusals, as ASP.NET gives them (clients show the status). */
function sendText(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type('text/plain').send(text);
}

/**
 * The SignalR-compatible market hub as an encapsulated Fastify plugin: negotiate, WebSockets,
 * Server-Sent Events and long polling on one path, JSON hub protocol, bearer authentication.
 * Registers @fastify/websocket in its own scope unless the parent already has it.
 */
export function hubPlugin(options: HubPluginOptions): HubPlugin {
  const { path: mountPath, ...hubOptions } = options;
  const hub = new MarketHub(hubOptions);
  const path = (mountPath ?? DEFAULT_HUB_PATH).replace(/\/+$/, '');
  const { settings } = hub;
  const offered = (kind: TransportKind): boolean => settings.transports.includes(kind);
  const principals = new WeakMap<FastifyRequest, HubPrincipal>();
  const claimed = new WeakMap<FastifyRequest, HubConnection>();

  async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    let principal: HubPrincipal | undefined;
    try {
      principal = await hub.authenticate(requestToken(request));
    } catch (error) {
      request.log.error({ err: error }, 'hub authenticator failed');
      await sendError(reply, new IfError('IF_ERR_INTERNAL', { detail: 'authentication is unavailable' }));
      return;
    }
    if (principal === undefined) {
      reply.header('WWW-Authenticate', 'Bearer');
      await sendError(reply, new IfError('IF_ERR_HUB_UNAUTHENTICATED'));
      return;
    }
    principals.set(request, principal);
  }

  function principalOf(request: FastifyRequest): HubPrincipal {
    const principal = principals.get(request);
    if (principal === undefined) throw new IfError('IF_ERR_HUB_UNAUTHENTICATED');
    return principal;
  }

  /** The connection named by `?id=`, or undefined after answering 400/403/404. */
  function lookup(request: FastifyRequest, reply: FastifyReply): HubConnection | undefined {
    const id = queryParam(request, 'id');
    if (id === undefined || id.length === 0) {
      sendText(reply, 400, 'Connection ID required');
      return undefined;
    }
    const connection = hub.findConnection(id);
    if (connection === undefined) {
      sendText(reply, 404, 'No Connection with that ID');
      return undefined;
    }
    // ASP.NET authenticates every request of a connection; it must stay the same user throughout.
    if (connection.principal.userId !== principalOf(request).userId) {
      sendError(reply, new IfError('IF_ERR_HUB_IDENTITY_CHANGED'));
      return undefined;
    }
    return connection;
  }

  /** Refuses a transport start on a connection that already has one: 409 for the same kind, else 400. */
  function refuseSecondTransport(reply: FastifyReply, connection: HubConnection, kind: TransportKind): void {
    if (connection.state === 'closed') sendText(reply, 404, 'No Connection with that ID');
    else if (connection.state === 'attaching' || connection.transport?.kind === kind) {
      sendText(reply, 409, 'Connection already in use');
    } else sendText(reply, 400, 'Cannot change transports mid-connection');
  }

  /** Before the upgrade, so refusals are plain HTTP answers the client can read. */
  async function claimWebSocket(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!request.ws) return;
    if (!offered('WebSockets')) {
      await sendText(reply, 400, 'WebSockets transport is not enabled');
      return;
    }
    let connection: HubConnection | undefined;
    if (queryParam(request, 'id') === undefined) {
      // skipNegotiation: the client connects straight away and the connection is created here.
      try {
        connection = hub.createConnection(principalOf(request), 1);
      } catch (error) {
        if (isIfError(error)) {
          await sendError(reply, error);
          return;
        }
        throw error;
      }
    } else {
      connection = lookup(request, reply);
      if (connection === undefined) return;
      if (connection.state !== 'negotiated') {
        refuseSecondTransport(reply, connection, 'WebSockets');
        return;
      }
    }
    connection.reserve();
    claimed.set(request, connection);
  }

  function openWebSocket(socket: WebSocket, request: FastifyRequest): void {
    const connection = claimed.get(request);
    if (connection === undefined) {
      socket.close(1011);
      return;
    }
    socket.on('message', (data) => connection.receive(toBuffer(data)));
    socket.on('close', () => connection.close('transport_closed'));
    connection.attach(new WebSocketTransport(socket));
  }

  function openEventStream(request: FastifyRequest, reply: FastifyReply, connection: HubConnection): void {
    if (!offered('ServerSentEvents')) {
      sendText(reply, 400, 'ServerSentEvents transport is not enabled');
      return;
    }
    if (connection.state !== 'negotiated') {
      refuseSecondTransport(reply, connection, 'ServerSentEvents');
      return;
    }
    reply.hijack();
    const transport = new ServerSentEventsTransport(reply.raw);
    transport.start();
    reply.raw.on('close', () => connection.close('transport_closed'));
    connection.attach(transport);
    request.log.debug({ connectionId: connection.connectionId }, 'hub event stream opened');
  }

  async function poll(reply: FastifyReply, connection: HubConnection): Promise<FastifyReply> {
    if (!offered('LongPolling')) return sendText(reply, 400, 'LongPolling transport is not enabled');
    reply.headers(NO_CACHE);
    if (connection.state === 'negotiated') {
      // The first poll returns at once: the client takes a 200 as "transport started".
      connection.attach(new LongPollingTransport(hub.clock, settings.pollTimeoutMs));
      return reply.code(200).send();
    }
    const transport = connection.transport;
    if (!(transport instanceof LongPollingTransport)) {
      refuseSecondTransport(reply, connection, 'LongPolling');
      return reply;
    }
    const { result, cancel } = transport.poll();
    // A poll the client abandoned must not swallow data: release it and keep the bytes queued.
    reply.raw.on('close', cancel);
    const outcome = await result;
    if (outcome.status === 204) return reply.code(204).send();
    return reply.code(200).type('application/octet-stream').send(outcome.body);
  }

  const plugin: FastifyPluginAsync = async (app: FastifyInstance) => {
    // Clients post JSON with 0x1E, text/plain or octet-stream; every body is taken as raw bytes.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: settings.maxRequestBytes },
      (_req, body, done) => done(null, body),
    );
    // Added before @fastify/websocket's own preClose (when registered below), so clients get a Close
    // with allowReconnect rather than a bare socket close. With a parent's @fastify/websocket, whose
    // preClose runs first, call `hub.shutdown()` before `app.close()` instead.
    app.addHook('preClose', async () => hub.shutdown());
    app.addHook('onClose', async () => hub.stop());
    if (!app.hasDecorator('websocketServer')) {
      await app.register(websocket, {
        options: { maxPayload: settings.maxRequestBytes },
        errorHandler(error, socket) {
          this.log.debug({ err: error }, 'hub websocket error');
          socket.terminate();
        },
      });
    }
    hub.start();

    app.post(
      `${path}/negotiate`,
      { preValidation: authenticate, logSerializers: LOG_SERIALIZERS },
      async (request, reply) => {
        const version = negotiateVersion(queryParam(request, 'negotiateVersion'));
        if ('error' in version) return reply.send({ error: version.error });
        try {
          const connection = hub.createConnection(principalOf(request), version.version);
          return reply
            .headers(NO_CACHE)
            .send(
              negotiateResponse(
                version.version,
                connection.connectionId,
                connection.token,
                settings.transports,
              ),
            );
        } catch (error) {
          if (isIfError(error)) return sendError(reply, error);
          throw error;
        }
      },
    );

    app.route({
      method: 'GET',
      url: path,
      preValidation: [authenticate, claimWebSocket],
      logSerializers: LOG_SERIALIZERS,
      wsHandler: openWebSocket,
      handler: async (request, reply) => {
        const connection = lookup(request, reply);
        if (connection === undefined) return reply;
        const accept = request.headers.accept ?? '';
        if (accept.includes('text/event-stream')) {
          openEventStream(request, reply, connection);
          return reply;
        }
        return poll(reply, connection);
      },
    });

    app.post(
      path,
      { preValidation: authenticate, logSerializers: LOG_SERIALIZERS },
      async (request, reply) => {
        const connection = lookup(request, reply);
        if (connection === undefined) return reply;
        if (connection.state === 'closed') return sendText(reply, 404, 'No Connection with that ID');
        if (connection.state === 'attaching' || connection.transport?.kind === 'WebSockets') {
          return sendText(reply, 405, 'POST requests are not allowed for WebSocket connections');
        }
        if (connection.transport === undefined) return sendText(reply, 400, 'Transport not started');
        connection.receive(Buffer.isBuffer(request.body) ? request.body : EMPTY);
        return sendText(reply, 200, '');
      },
    );

    app.delete(
      path,
      { preValidation: authenticate, logSerializers: LOG_SERIALIZERS },
      async (request, reply) => {
        const connection = lookup(request, reply);
        if (connection === undefined) return reply;
        if (connection.transport?.kind !== 'LongPolling') {
          return sendText(reply, 400, 'Cannot terminate this connection using the DELETE endpoint.');
        }
        connection.close('deleted');
        return sendText(reply, 202, '');
      },
    );
  };

  return Object.assign(plugin, { hub });
}
