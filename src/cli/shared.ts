import { mkdirSync } from 'node:fs';
import { type Config, type JsonObject, loadConfig } from '../config/index.js';
import { createLogger, type Logger } from '../ops/logger.js';

export interface CommandContext {
  config: Config;
  logger: Logger;
}

export function prepare(configFile: string | undefined, overrides: JsonObject = {}): CommandContext {
  const config = loadConfig({ ...(configFile ? { file: configFile } : {}), overrides });
  mkdirSync(config.dataDir, { recursive: true });
  const logger = createLogger({ level: config.log.level, pretty: config.log.pretty });
  return { config, logger };
}

/** Resolves on SIGINT/SIGTERM (or after `timeoutMs`), so commands can shut down cleanly. */
export function untilSignal(timeoutMs?: number): Promise<string> {
  return new Promise((resolve) => {
    const done = (reason: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (timer) clearTimeout(timer);
      resolve(reason);
    };
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const timer = timeoutMs !== undefined ? setTimeout(() => done('duration'), timeoutMs) : undefined;
  });
}
