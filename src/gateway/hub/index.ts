export {
  type Authenticate,
  type ChannelAuthoriser,
  type ChannelKind,
  chainChannel,
  DEFAULT_CHANNEL_ROLES,
  defaultAuthorise,
  type HubChannel,
  type HubPrincipal,
  type HubRole,
  parseChannel,
  ticksChannel,
} from './channels.js';
export { type HubOptions, type HubStats, MarketHub, type SnapshotSource } from './hub.js';
export { jsonProtocol } from './jsonProtocol.js';
export { messagePackProtocol } from './messagePackProtocol.js';
export { DEFAULT_HUB_PATH, type HubPlugin, type HubPluginOptions, hubPlugin, redactUrl } from './plugin.js';
export {
  type HubMessage,
  type HubProtocol,
  MessageType,
  type ParseResult,
  type TransferFormat,
} from './protocol.js';
export { CLOSE_REASONS, type CloseReason, DEFAULT_SETTINGS, type HubSettings } from './settings.js';
export { type HubTransport, SSE_HEADERS, type TransportKind } from './transports.js';
