import { isUserRole, StorageComponent } from '../storage/index.js';
import { AuthService } from '../gateway/auth/index.js';
import { IfError } from '../core/errors.js';
import { LiveClock } from '../engine/clocks.js';
import type { JsonObject } from '../config/index.js';
import { prepare } from './shared.js';

/** Reads a line from the terminal without echoing it. */
async function promptHidden(question: string): Promise<string> {
  const { stdin, stderr } = process;
  if (!stdin.isTTY)
    throw new IfError('IF_ERR_VALIDATION', { detail: 'set INDEXFLOW_PASSWORD (no terminal to prompt on)' });
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          done();
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          done();
          reject(new IfError('IF_ERR_VALIDATION', { detail: 'cancelled' }));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
    };
    stdin.on('data', onData);
  });
}

/** `indexflow user add <username> --role …`: writes through the platform's storage configuration. */
export async function runUserAdd(options: {
  username: string;
  role: string;
  configFile?: string | undefined;
  overrides?: JsonObject;
}): Promise<void> {
  const { config, logger } = prepare(options.configFile, options.overrides);
  if (!isUserRole(options.role)) {
    throw new IfError('IF_ERR_VALIDATION', {
      detail: `role "${options.role}" is not viewer, trader or admin`,
    });
  }
  const fromEnv = process.env['INDEXFLOW_PASSWORD'];
  const password = fromEnv !== undefined ? fromEnv : await promptHidden(`password for ${options.username}: `);
  const clock = new LiveClock();
  const storage = new StorageComponent({ storage: config.storage, dataDir: config.dataDir, clock, logger });
  await storage.start();
  try {
    const users = storage.repositories()?.users;
    if (!users) throw new IfError('IF_ERR_STORAGE_UNAVAILABLE', { target: 'storage', detail: 'not open' });
    // No tokens are issued here, so no JWT key (and no logger for the warning about its absence).
    const auth = new AuthService({ users, clock });
    const user = await auth.createUser(options.username, password, options.role);
    logger.info({ username: user.username, role: user.role }, 'user created');
  } finally {
    await storage.stop();
    clock.clearAll();
  }
}
