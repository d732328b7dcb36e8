#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { IfError, isIfError } from '../core/errors.js';
import type { JsonObject } from '../config/index.js';

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`"${value}" is not a whole number`);
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError(`"${value}" is not a positive number`);
  return n;
}

/** Turns common CLI flags into config overrides (highest precedence). */
function overrides(flags: {
  port?: number;
  dataDir?: string;
  logLevel?: string;
  seed?: number;
  speed?: number;
}) {
  const out: JsonObject = {};
  if (flags.port !== undefined) out['server'] = { port: flags.port };
  if (flags.dataDir !== undefined) out['dataDir'] = flags.dataDir;
  if (flags.logLevel !== undefined) out['log'] = { level: flags.logLevel };
  const sim: JsonObject = {};
  if (flags.seed !== undefined) sim['seed'] = flags.seed;
  if (flags.speed !== undefined) sim['speed'] = flags.speed;
  if (Object.keys(sim).length > 0) out['sim'] = sim;
  return out;
}

const program = new Command('indexflow')
  .description('Real-time intelligence and trading platform for Indian index derivatives (Angel One)')
  .version('0.1.0')
  .showHelpAfterError();

program
  .command('start')
  .description('run the platform (on the built-in simulator unless configured for Angel One)')
  .option('-c, --config <file>', 'JSON configuration file')
  .option('-p, --port <port>', 'HTTP port (dashboard, API, metrics)', integer)
  .option('--data-dir <dir>', 'data directory')
  .option('--log-level <level>', 'fatal|error|warn|info|debug|trace')
  .option('--seed <n>', 'simulator seed', integer)
  .option('--speed <x>', 'simulator speed (simulated seconds per second)', positive)
  .option('--feed <source>', 'simulator | angelone | replay')
  .option('--confirm-live', 'confirm real-money orders on Angel One (needs execution.live and the static IP)')
  .action(async (flags) => {
    const { runStart } = await import('./start.js');
    const extra = overrides(flags);
    if (flags.feed) extra['feed'] = { source: flags.feed };
    await runStart({ configFile: flags.config, overrides: extra, confirmLive: flags.confirmLive === true });
  });

program
  .command('sim')
  .description('run the Angel One–compatible exchange simulator on its own')
  .option('-c, --config <file>', 'JSON configuration file')
  .option('-p, --port <port>', 'simulator port (REST and WebSockets on one port)', integer)
  .option('--seed <n>', 'market seed', integer)
  .option('--speed <x>', 'simulated seconds per second', positive)
  .option('--replay <file>', 'serve a recording instead of the market model')
  .option('--data-dir <dir>', 'data directory (credentials file is written here)')
  .action(async (flags) => {
    const { runSim } = await import('./sim.js');
    const extra = overrides({ seed: flags.seed, speed: flags.speed, dataDir: flags.dataDir });
    if (flags.port !== undefined)
      extra['sim'] = { ...((extra['sim'] as JsonObject) ?? {}), port: flags.port };
    await runSim({ configFile: flags.config, overrides: extra, replayFile: flags.replay });
  });

program
  .command('record')
  .description('record raw feed frames with receive times to a file')
  .requiredOption('-o, --out <file>', 'recording file to write')
  .option('-c, --config <file>', 'JSON configuration file')
  .option('-d, --duration <seconds>', 'stop after this many seconds (default: until Ctrl-C)', positive)
  .action(async (flags) => {
    const { runRecord } = await import('./record.js');
    await runRecord({ configFile: flags.config, out: flags.out, durationS: flags.duration });
  });

program
  .command('replay')
  .description('serve a recording through the simulator and run the platform on it')
  .argument('<file>', 'a recording made by `indexflow record`')
  .option('-c, --config <file>', 'JSON configuration file')
  .option('--speed <x>', 'replay speed (1 = real time)', positive)
  .option('-p, --port <port>', 'HTTP port', integer)
  .action(async (file: string, flags) => {
    const { runStart } = await import('./start.js');
    const extra = overrides({ port: flags.port });
    extra['feed'] = {
      source: 'replay',
      replayFile: file,
      ...(flags.speed ? { replaySpeed: flags.speed } : {}),
    };
    await runStart({ configFile: flags.config, overrides: extra });
  });

const risk = program.command('risk').description('the kill switch of a running platform (through its API)');
for (const [action, description] of [
  ['kill', 'halt trading and cancel working orders (trader or admin)'],
  ['resume', 'resume trading after a halt (admin)'],
] as const) {
  risk
    .command(action)
    .description(description)
    .requiredOption('-u, --user <username>', 'a trader or admin; the password comes from INDEXFLOW_PASSWORD')
    .requiredOption('-r, --reason <text>', 'why (kept in the audit log)')
    .option('--url <url>', 'the running platform', `http://127.0.0.1:${process.env['PORT'] ?? '8080'}`)
    .action(async (flags) => {
      const password = process.env['INDEXFLOW_PASSWORD'];
      if (password === undefined) {
        throw new IfError('IF_ERR_VALIDATION', { detail: 'set INDEXFLOW_PASSWORD for the user' });
      }
      const { runRiskCommand } = await import('./risk.js');
      const result = await runRiskCommand({
        url: flags.url,
        username: flags.user,
        password,
        action,
        reason: flags.reason,
      });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });
}

const user = program.command('user').description('manage users of the API and the hub');
user
  .command('add <username>')
  .description('add a user; the password comes from INDEXFLOW_PASSWORD or a hidden prompt')
  .requiredOption('--role <role>', 'viewer | trader | admin')
  .option('-c, --config <file>', 'JSON configuration file')
  .option('--data-dir <dir>', 'data directory (the SQLite file lives here unless DATABASE_URL is set)')
  .action(async (username: string, flags) => {
    const { runUserAdd } = await import('./user.js');
    await runUserAdd({
      username,
      role: flags.role,
      configFile: flags.config,
      overrides: overrides({ dataDir: flags.dataDir, logLevel: 'warn' }),
    });
    process.stdout.write(`user ${username.trim().toLowerCase()} added\n`);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (isIfError(error)) {
    process.stderr.write(`indexflow: ${error.code}: ${error.message}\n`);
  } else {
    process.stderr.write(
      `indexflow: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exitCode = 1;
});
