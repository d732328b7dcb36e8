export { EventStreamTransport, eventStreamProtocol, STREAM_RETRY_MS } from './eventStream.js';
export { streamRoutes } from './routes.js';
