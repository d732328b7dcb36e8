import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { IfError } from '../core/errors.js';
import { createLogger } from './logger.js';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('logger redaction', () => {
  const canary = 'CANARY-SECRET-7f3a9';

  it('never writes secret fields, at the top level or nested in objects and headers', () => {
    const out = capture();
    const log = createLogger({ level: 'info' }, out.stream);
    log.info({ password: canary, pin: canary, totpSecret: canary, apiKey: canary }, 'top level');
    log.info({ credentials: { jwtToken: canary, feedToken: canary, refreshToken: canary } }, 'nested');
    log.info({ req: { headers: { authorization: `Bearer ${canary}`, 'x-privatekey': canary } } }, 'headers');
    log.info({ request: { headers: { 'x-feed-token': canary, 'x-api-key': canary } } }, 'ws headers');
    log.info({ session: { auth: { accessToken: canary } } }, 'deep');
    const text = out.text();
    expect(text, 'log lines were written').toContain('top level');
    expect(text.includes(canary), `a secret leaked into the log: ${text}`).toBe(false);
    expect(text).toContain('[redacted]');
  });

  it('logs coded errors with their code and safe params only', () => {
    const out = capture();
    const log = createLogger({ level: 'info' }, out.stream);
    log.error(
      { err: new IfError('IF_ERR_BROKER_AUTH', { brokerCode: 'AB1050', detail: 'Invalid totp' }) },
      'login',
    );
    expect(out.text()).toContain('IF_ERR_BROKER_AUTH');
  });
});
