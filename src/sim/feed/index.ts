export {
  addFaultCounters,
  emptyFaultCounters,
  type FaultCounters,
  type FeedFaults,
  validateFaults,
} from './faults.js';
export { type FrameHeader, readFrameHeader, withToken } from './frames.js';
export { buildPacket } from './packets.js';
export { errorFrame, FEED_ERRORS, type FeedRequest, parseFeedRequest, type TokenGroup } from './requests.js';
export {
  type ConnectionInfo,
  createSmartStreamServer,
  type FeedSubscription,
  HANDSHAKE_ERRORS,
  type ModeCounts,
  SMART_STREAM_PATH,
  type SmartStreamServer,
  type SmartStreamServerDeps,
  type SmartStreamServerOptions,
  type SmartStreamStats,
  type SnapshotProvider,
} from './server.js';
