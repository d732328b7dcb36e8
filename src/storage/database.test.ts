import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../config/schema.js';
import { SimulatedClock } from '../core/clock.js';
import { type IfError, isIfError } from '../core/errors.js';
import { StorageComponent } from './component.js';
import { createDatabase, redactDatabaseUrl } from './database.js';

const CANARY = 'canary-Pa55word';

function thrown(fn: () => unknown): IfError {
  try {
    fn();
  } catch (error) {
    if (isIfError(error)) return error;
    throw error;
  }
  throw new Error('expected a throw');
}

/** Everything an error exposes to logs and API responses. */
function exposed(error: IfError): string {
  return [error.message, JSON.stringify(error), String(error.cause ?? ''), error.stack ?? ''].join('\n');
}

describe('createDatabase: choosing and checking the store', () => {
  it('picks SQLite when no URL is given and PostgreSQL for postgres:// and postgresql://', async () => {
    const lite = createDatabase({ sqliteFile: ':memory:' });
    const pg1 = createDatabase({ databaseUrl: `postgres://u:${CANARY}@127.0.0.1:5432/x` });
    const pg2 = createDatabase({ databaseUrl: 'postgresql://u@127.0.0.1/x', sqliteFile: 'ignored.sqlite' });
    try {
      expect([lite.dialect, pg1.dialect, pg2.dialect]).toEqual(['sqlite', 'postgres', 'postgres']);
      expect(pg1.target, 'the loggable target hides the password').not.toContain(CANARY);
      expect(pg1.target).toBe('postgres://u:***@127.0.0.1:5432/x');
    } finally {
      await Promise.all([lite.close(), pg1.close(), pg2.close()]);
    }
  });

  it('refuses an unsupported scheme with IF_ERR_STORAGE_URL and no password in sight', () => {
    const error = thrown(() => createDatabase({ databaseUrl: `mysql://root:${CANARY}@db:3306/indexflow` }));
    expect(error.code).toBe('IF_ERR_STORAGE_URL');
    expect(exposed(error), 'the password never appears').not.toContain(CANARY);
    expect(error.params['url'], 'the URL is shown redacted so the user can spot the mistake').toBe(
      'mysql://root:***@db:3306/indexflow',
    );
  });

  it('refuses an unparseable URL (bad port) without echoing its password, even via the cause', () => {
    const error = thrown(() =>
      createDatabase({ databaseUrl: `postgres://app:${CANARY}@db:notaport/indexflow` }),
    );
    expect(error.code).toBe('IF_ERR_STORAGE_URL');
    expect(exposed(error), 'URL TypeErrors carry the input, so none may be attached').not.toContain(CANARY);
    expect(error.params['url']).toBe('postgres://***@db:notaport/indexflow');
  });

  it('refuses a URL without a host, and text that is no URL at all (showing none of it)', () => {
    expect(thrown(() => createDatabase({ databaseUrl: 'postgres:///indexflow' })).code).toBe(
      'IF_ERR_STORAGE_URL',
    );
    // A libpq keyword string is a plausible mistake, and it holds the password in plain text.
    const error = thrown(() => createDatabase({ databaseUrl: `host=db user=app password=${CANARY}` }));
    expect(error.code).toBe('IF_ERR_STORAGE_URL');
    expect(exposed(error)).not.toContain(CANARY);
  });

  it('needs a SQLite file when no URL is set', () => {
    expect(thrown(() => createDatabase({})).code).toBe('IF_ERR_CONFIG_INVALID');
  });

  it('redacts passwords with special characters and leaves password-less URLs alone', () => {
    expect(redactDatabaseUrl('postgres://u:p%40ss%2Fw@h:5432/d?sslmode=require')).toBe(
      'postgres://u:***@h:5432/d?sslmode=require',
    );
    expect(redactDatabaseUrl('postgres://u@h/d')).toBe('postgres://u@h/d');
    expect(redactDatabaseUrl(`postgres://u@h/d?password=${CANARY}&sslmode=require`)).toBe(
      'postgres://u@h/d?password=***&sslmode=require',
    );
    expect(redactDatabaseUrl(`postgres://u:${CANARY}/x@h:5432/d`), 'a slash in an unencoded password').toBe(
      'postgres://***@h:5432/d',
    );
  });
});

describe('StorageComponent start-up failures', () => {
  it('fails with IF_ERR_STORAGE_UNAVAILABLE when the server cannot be reached, password redacted', async () => {
    const config = ConfigSchema.parse({
      // Port 1 on loopback: nothing listens there, so the connection is refused at once.
      storage: { databaseUrl: `postgres://indexflow:${CANARY}@127.0.0.1:1/indexflow` },
    });
    const component = new StorageComponent({
      storage: config.storage,
      dataDir: config.dataDir,
      clock: new SimulatedClock(0),
    });
    const error = await component.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isIfError(error, 'IF_ERR_STORAGE_UNAVAILABLE'), String(error)).toBe(true);
    if (isIfError(error)) expect(exposed(error)).not.toContain(CANARY);
    expect(component.health().state, 'health shows the failure').toBe('failed');
    await component.stop();
  });
});
