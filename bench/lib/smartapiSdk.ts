/**
 * The official smartapi-javascript@1.0.27 binary decoder, extracted without opening a socket.
 *
 * Its `setResponse(buf, raw)` is module-private and only reachable from `ws.onmessage` after
 * `connect()` dials Angel One. So we compile lib/websocket2.0.js ourselves as a CommonJS function,
 * with the SDK's own `require` (so binary-parser and ws resolve from its folder), and append one line
 * that hands `setResponse` out. Nothing else in the module runs: its top level only requires modules
 * and defines functions.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { compileFunction } from 'node:vm';

/** The SDK's parse result: every numeric field as a string; non-binary input returned unchanged. */
export type SdkTick = Record<string, unknown>;
export type SdkDecode = (frame: Buffer) => SdkTick;

let cached: SdkDecode | undefined;

/** Loads the official SDK's binary decoder (once). It parses one frame the way `ws.onmessage` does. */
export function loadSdkDecoder(): SdkDecode {
  if (cached !== undefined) return cached;
  const localRequire = createRequire(import.meta.url);
  const file = localRequire.resolve('smartapi-javascript/lib/websocket2.0.js');
  const source = `${readFileSync(file, 'utf8')}\nmodule.exports.__setResponse = setResponse;\n`;
  const sdkRequire = createRequire(file);
  const wrapper = compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], {
    filename: file,
  });
  const mod: { exports: Record<string, unknown> } = { exports: {} };
  wrapper(mod.exports, sdkRequire, mod, file, dirname(file));
  const setResponse = (mod.exports as { __setResponse?: unknown }).__setResponse;
  if (typeof setResponse !== 'function') throw new Error('smartapi-javascript: setResponse not found');
  const parse = setResponse as (buf: Buffer, raw: Buffer) => SdkTick;
  cached = (frame: Buffer): SdkTick => parse(frame, frame);
  return cached;
}
