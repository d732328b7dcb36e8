import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../config/index.js';
import { startSimulator } from '../sim/simulator.js';
import { prepare, untilSignal } from './shared.js';

export async function runSim(options: {
  configFile?: string;
  overrides?: JsonObject;
  replayFile?: string;
}): Promise<void> {
  const { config, logger } = prepare(options.configFile, options.overrides);
  const sim = await startSimulator({
    host: config.sim.host,
    port: config.sim.port,
    seed: config.sim.seed,
    speed: config.sim.speed,
    activity: config.sim.activity,
    marketStepMs: config.sim.marketStepMs,
    stepIntervalMs: config.sim.stepIntervalMs,
    day: config.sim.day,
    startTime: config.sim.startTime,
    logger,
    ...(options.replayFile ? { replayFile: options.replayFile } : {}),
  });
  // The demo account is generated per run; hand it over in a private file, never in the log.
  const credentialsPath = join(config.dataDir, 'sim-credentials.json');
  writeFileSync(credentialsPath, `${JSON.stringify(sim.account, null, 2)}\n`, { mode: 0o600 });
  chmodSync(credentialsPath, 0o600);
  logger.info(
    {
      rest: sim.restUrl,
      feed: sim.feedUrl,
      orderFeed: sim.orderFeedUrl,
      instrumentMaster: sim.instrumentMasterUrl,
      credentialsFile: credentialsPath,
    },
    'simulator listening',
  );
  const reason = await untilSignal();
  logger.info({ reason }, 'simulator stopping');
  await sim.close();
}
