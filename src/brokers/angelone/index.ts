export { type DecodeResult, decodePacket, tryDecodePacket } from './codec/index.js';
export { encodedSize, encodePacket, encodePacketInto } from './codec/index.js';
export { bestAsks, bestBids } from './codec/index.js';
export {
  type BestFiveRecord,
  type Depth20Packet,
  type DepthRecord,
  ExchangeType,
  type FeedPacket,
  type LtpPacket,
  PACKET_SIZE,
  priceDivisor,
  type QuotePacket,
  type QuotePacketFields,
  type SnapQuotePacket,
  SubscriptionMode,
} from './codec/index.js';
