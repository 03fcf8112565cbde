// Structured logs: one JSON object per line, with credentials masked wherever they would appear.
import { describe, expect, it } from 'vitest';
import { JsonLogger } from '../../src/worker/logging.js';

function capture(level: 'INFO' | 'DEBUG', secrets: string[] = []) {
  const lines: string[] = [];
  const logger = new JsonLogger(level, secrets, (line) => lines.push(line));
  return { logger, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('worker JSON logs', () => {
  it('writes one JSON object per line with time, level, message and metadata', () => {
    const { logger, entries } = capture('INFO');
    logger.info('worker ready', { event: 'worker.ready', pid: 42, big: 10n });
    logger.debug('not shown at INFO');
    const [entry] = entries();
    expect(entries()).toHaveLength(1);
    expect(entry).toMatchObject({ level: 'info', msg: 'worker ready', event: 'worker.ready', pid: 42, big: '10' });
    expect(Date.parse(String(entry?.time))).not.toBeNaN();
  });

  it('masks configured secret values in messages, nested metadata and error messages', () => {
    const secret = 'alibaba-test-secret-value-1';
    const { logger, entries } = capture('INFO', [secret, 'short']);
    const cause = new Error(`signature over ${secret} failed`);
    logger.warn(`activity failed: ${secret}`, {
      activity: { input: { note: `x${secret}y` } },
      error: new Error('outer', { cause }),
    });
    const text = JSON.stringify(entries());
    expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
    // Values shorter than 8 characters are not masked: they would mangle ordinary words.
    logger.info('a short word');
    expect(entries().at(-1)?.msg).toBe('a short word');
  });

  it('drops fields named like credentials whatever they hold', () => {
    const { logger, entries } = capture('INFO');
    logger.info('call', {
      accessKeySecret: 'abc',
      headers: { Authorization: 'SDK-HMAC-SHA256 …', 'x-acs-security-token': 'tok' },
      apiKey: 'k',
    });
    const [entry] = entries();
    expect(entry).toMatchObject({
      accessKeySecret: '[redacted]',
      apiKey: '[redacted]',
      headers: { Authorization: '[redacted]', 'x-acs-security-token': '[redacted]' },
    });
  });

  it('survives cycles and deep objects', () => {
    const { logger, entries } = capture('INFO');
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    logger.info('cyclic', { a });
    expect(entries()[0]).toMatchObject({ a: { name: 'a', self: '[cycle]' } });
  });
});
