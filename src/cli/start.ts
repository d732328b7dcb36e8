import type { JsonObject } from '../config/index.js';
import { startPlatform } from '../engine/platform.js';
import { prepare, untilSignal } from './shared.js';

export async function runStart(options: {
  configFile?: string;
  overrides?: JsonObject;
  confirmLive?: boolean;
}): Promise<void> {
  const { config, logger } = prepare(options.configFile, options.overrides);
  logger.info(
    { feed: config.feed.source, dataDir: config.dataDir, route: config.execution.route },
    'indexflow starting',
  );
  const platform = await startPlatform(config, logger, { confirmLive: options.confirmLive === true });
  const reason = await untilSignal();
  logger.info({ reason }, 'shutting down');
  await platform.close();
  logger.flush?.();
}
