import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { startPlatform } from '../engine/platform.js';
import { LiveClock } from '../engine/clocks.js';
import { RecordingWriter, RecordKind } from '../sim/recording/index.js';
import { prepare, untilSignal } from './shared.js';

export async function runRecord(options: {
  configFile?: string;
  out: string;
  durationS?: number;
}): Promise<void> {
  // The recorder needs no HTTP server of its own: any free port.
  const { config, logger } = prepare(options.configFile, { server: { port: 0 } });
  mkdirSync(dirname(options.out), { recursive: true });
  const writer = await RecordingWriter.create(options.out, {
    clock: new LiveClock(),
    metadata: { source: config.feed.source, underlyings: config.subscriptions.underlyings },
  });
  const platform = await startPlatform(config, logger, {
    onRawFrame: (kind, payload, receivedAtMs) =>
      writer.append(kind === 'binary' ? RecordKind.BINARY : RecordKind.TEXT, payload, receivedAtMs),
  });
  logger.info({ out: options.out, durationS: options.durationS }, 'recording');
  const reason = await untilSignal(options.durationS !== undefined ? options.durationS * 1000 : undefined);
  await platform.close();
  await writer.close();
  logger.info({ reason, stats: writer.stats() }, 'recording closed');
}
