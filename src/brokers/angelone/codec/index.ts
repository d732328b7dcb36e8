export { type DecodeResult, decodePacket, tryDecodePacket } from './decode.js';
export { encodedSize, encodePacket, encodePacketInto } from './encode.js';
export { bestAsks, bestBids } from './helpers.js';
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
} from './types.js';
