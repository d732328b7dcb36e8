/**
 * Decoder throughput: indexflow's decodePacket against the official smartapi-javascript@1.0.27 decoder
 * (its module-private setResponse, reached without a socket; see lib/smartapiSdk.ts) on the same frames.
 * Frames are Buffer slices of one pool at non-zero offsets, as ws delivers them, 256 distinct frames per
 * mode. All four modes are pushed through our decoder before timing so every row sees the mixed-mode
 * (polymorphic) state a live feed produces. The SDK figure excludes the Buffer.from copy its onmessage
 * adds, which flatters the SDK slightly.
 */

import { decodePacket, type FeedPacket, tryDecodePacket } from '../src/brokers/angelone/index.js';
import { type BenchRow, keep, nsPerOperation, row } from './lib/harness.js';
import { MODE_NAMES, type ModeName, sampleFrames } from './lib/packets.js';
import { loadSdkDecoder, type SdkTick } from './lib/smartapiSdk.js';

const BENCH = 'decode';
const FRAMES = 256;
const OURS = 'indexflow';
const SDK = 'smartapi-js 1.0.27';

function frameAt(frames: readonly Buffer[], i: number): Buffer {
  const frame = frames[i & (FRAMES - 1)];
  if (frame === undefined) throw new Error('frame index out of range');
  return frame;
}

/** Both decoders must agree on the fields the SDK decodes correctly, or the comparison is void. */
function crossCheck(mode: ModeName, ours: FeedPacket, sdk: SdkTick): void {
  const agree =
    String(ours.exchangeTimestamp) === sdk['exchange_timestamp'] &&
    sdk['token'] === JSON.stringify(ours.token) && // SDK bug: it keeps JSON quotes around the token
    ('lastTradedPrice' in ours ? String(ours.lastTradedPrice) === sdk['last_traded_price'] : true);
  if (!agree) throw new Error(`decode bench: decoders disagree on a ${mode} frame; fix the bench first`);
}

/** Sum of the 16 int64 fields of a SnapQuote frame read via getBigInt64, the decoder guide's suggestion. */
function int64ViaBigInt(view: DataView, base: number): number {
  let sum = 0;
  for (const rel of SNAP_INT64_OFFSETS) {
    const big = view.getBigInt64(base + rel, true);
    if (big > MAX_SAFE_BIG || big < -MAX_SAFE_BIG) return Number.NaN;
    sum += Number(big);
  }
  return sum;
}

/** The same sum via two 32-bit reads per field, as decode.ts does. */
function int64ViaInt32Pair(view: DataView, base: number): number {
  let sum = 0;
  for (const rel of SNAP_INT64_OFFSETS) {
    const value = view.getInt32(base + rel + 4, true) * 4294967296 + view.getUint32(base + rel, true);
    if (value > Number.MAX_SAFE_INTEGER || value < -Number.MAX_SAFE_INTEGER) return Number.NaN;
    sum += value;
  }
  return sum;
}

const SNAP_INT64_OFFSETS = [27, 35, 43, 51, 59, 67, 91, 99, 107, 115, 123, 131, 347, 355, 363, 371];
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

export async function run(): Promise<BenchRow[]> {
  const sdkDecode = loadSdkDecoder();
  const framesByMode = new Map(MODE_NAMES.map((mode) => [mode, sampleFrames(mode, FRAMES)] as const));
  for (const [mode, frames] of framesByMode) {
    for (const frame of frames) crossCheck(mode, decodePacket(frame), sdkDecode(frame));
  }

  const rows: BenchRow[] = [];
  for (const [mode, frames] of framesByMode) {
    let i = 0;
    const ours = await nsPerOperation(() => keep(decodePacket(frameAt(frames, i++))));
    let j = 0;
    const sdk = await nsPerOperation(() => keep(sdkDecode(frameAt(frames, j++))));
    rows.push(row(BENCH, `${mode} · ${SDK}`, sdk));
    rows.push(row(BENCH, `${mode} · ${OURS}`, ours, { baseline: `${mode} · ${SDK}` }));
  }

  const snapFrames = framesByMode.get('SnapQuote') ?? [];
  let k = 0;
  rows.push(
    row(
      BENCH,
      `SnapQuote · ${OURS} tryDecodePacket`,
      await nsPerOperation(() => keep(tryDecodePacket(frameAt(snapFrames, k++)))),
      { baseline: `SnapQuote · ${SDK}` },
    ),
  );

  // Reject path: a SnapQuote whose token padding is corrupt, counted rather than thrown.
  const corrupt = Buffer.from(frameAt(snapFrames, 0));
  corrupt[20] = 0x41;
  rows.push(
    row(
      BENCH,
      `reject (bad token) · ${OURS} tryDecodePacket`,
      await nsPerOperation(() => keep(tryDecodePacket(corrupt))),
      {
        note: 'no Error allocated',
      },
    ),
  );

  const pool = snapFrames[0]?.buffer ?? new ArrayBuffer(0);
  const view = new DataView(pool);
  let m = 0;
  const bigint = await nsPerOperation(
    () => keep(int64ViaBigInt(view, frameAt(snapFrames, m++).byteOffset)),
    16,
  );
  let n = 0;
  const pair = await nsPerOperation(
    () => keep(int64ViaInt32Pair(view, frameAt(snapFrames, n++).byteOffset)),
    16,
  );
  rows.push(row(BENCH, 'int64 field · getBigInt64 + Number', bigint));
  rows.push(
    row(BENCH, 'int64 field · two 32-bit reads', pair, { baseline: 'int64 field · getBigInt64 + Number' }),
  );
  return rows;
}
