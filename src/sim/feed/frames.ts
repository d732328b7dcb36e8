/** The routing part of a WS 2.0 binary frame: enough to find its subscribers without decoding it. */
export interface FrameHeader {
  /** byte 0 */
  mode: number;
  /** byte 1 */
  exchangeType: number;
  /** bytes 2–26, ASCII up to the first NUL */
  token: string;
}

const TOKEN_START = 2;
const TOKEN_END = 27;

/** Reads mode, exchange type and token; undefined if the frame is too short to hold them. */
export function readFrameHeader(frame: Uint8Array): FrameHeader | undefined {
  if (frame.length < TOKEN_END) return undefined;
  let token = '';
  for (let i = TOKEN_START; i < TOKEN_END; i++) {
    const c = frame[i] ?? 0;
    if (c === 0) break;
    token += String.fromCharCode(c);
  }
  return { mode: frame[0] ?? 0, exchangeType: frame[1] ?? 0, token };
}

/**
 * A copy of `frame` carrying `token` instead: a subscriber who asked for an index by its other alias
 * (26000 vs 99926000) must receive packets under the name it subscribed with.
 */
export function withToken(frame: Uint8Array, token: string): Uint8Array {
  const copy = new Uint8Array(frame);
  const length = Math.min(token.length, TOKEN_END - TOKEN_START - 1);
  for (let i = 0; i < TOKEN_END - TOKEN_START; i++) {
    copy[TOKEN_START + i] = i < length ? token.charCodeAt(i) & 0xff : 0;
  }
  return copy;
}
