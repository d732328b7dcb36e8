/**
 * Encoder throughput (the simulator emits every frame through it): encodePacket, which allocates a
 * fresh frame, against encodePacketInto writing into one reused buffer.
 */

import { encodePacket, encodePacketInto, type FeedPacket } from '../src/brokers/angelone/index.js';
import { type BenchRow, keep, nsPerOperation, row } from './lib/harness.js';
import { MODE_NAMES, samplePackets } from './lib/packets.js';

const BENCH = 'encode';
const PACKETS = 256;

function packetAt(packets: readonly FeedPacket[], i: number): FeedPacket {
  const packet = packets[i & (PACKETS - 1)];
  if (packet === undefined) throw new Error('packet index out of range');
  return packet;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const target = new Uint8Array(4096);
  for (const mode of MODE_NAMES) {
    const packets = samplePackets(mode, PACKETS);
    let i = 0;
    const fresh = await nsPerOperation(() => keep(encodePacket(packetAt(packets, i++))));
    let j = 0;
    const into = await nsPerOperation(() => keep(encodePacketInto(packetAt(packets, j++), target, 7)));
    rows.push(row(BENCH, `${mode} · encodePacket`, fresh));
    rows.push(row(BENCH, `${mode} · encodePacketInto`, into, { baseline: `${mode} · encodePacket` }));
  }
  return rows;
}
