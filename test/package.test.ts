// The package other teams install (issue 15, first step): `npm pack` builds dist/ (prepare) and ships the
// compiled code, its types, the prebuilt workflow bundle and the command, and none of the repository's tests,
// benchmarks, drills or TypeScript sources. `lbflow worker` runs the production worker.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('the npm package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbflow-pack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('packs a fresh build with its types, bundle and command, and nothing of test/, bench/, drills/ or src/', () => {
    execFileSync('npm', ['pack', '--pack-destination', dir], { cwd: ROOT, stdio: 'pipe', timeout: 300_000 });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const path = join(dir, tarball!);
    const files = execFileSync('tar', ['-tzf', path], { encoding: 'utf8' }).trim().split('\n');
    process.stdout.write(`${tarball}: ${(statSync(path).size / 1024).toFixed(0)} KiB, ${files.length} files\n`);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      exports: Record<string, string | { types: string; import: string }>;
      bin: Record<string, string>;
    };
    const wanted = [
      ...Object.values(manifest.exports).flatMap((e) => (typeof e === 'string' ? [e] : [e.types, e.import])),
      ...Object.values(manifest.bin),
      './dist/workflow-bundle.js',
      './dist/worker/main.js',
      './dist/cli/main.js',
      './schemas/add-servers-request.schema.json',
      './schemas/add-servers-result.schema.json',
      './schemas/failure-details.schema.json',
      './schemas/progress.schema.json',
    ].map((f) => `package/${f.replace(/^\.\//, '')}`);
    for (const file of wanted) expect(files, file).toContain(file);
    expect(files.filter((f) => /^package\/(test|bench|drills|src|scripts|docs)\//.test(f))).toEqual([]);
    expect(files.filter((f) => /\.test\.|fixtures\//.test(f))).toEqual([]);
  }, 300_000);

  it('builds on prepare only where the sources are: the Dockerfile installs from package.json alone before it copies src/', () => {
    const bare = join(dir, 'bare');
    mkdirSync(bare);
    copyFileSync(join(ROOT, 'package.json'), join(bare, 'package.json'));
    const run = spawnSync('npm', ['run', '--silent', 'prepare'], { cwd: bare, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(bare)).toEqual(['package.json']);
  });

  it('runs the worker as `lbflow worker`: with an unusable environment it exits 78 naming what to fix', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'lbflow.mjs'), 'worker'], {
      env: { PATH: process.env.PATH, TEMPORAL_CONFIG_FILE: '/nonexistent.toml', TEMPORAL_ADDRESS: 'no-port' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(78);
    const line = JSON.parse(run.stderr.trim().split('\n').at(-1) ?? '{}') as {
      event?: string;
      issues?: { variable: string }[];
    };
    expect(line.event).toBe('worker.config-invalid');
    expect(line.issues?.map((i) => i.variable)).toContain('TEMPORAL_ADDRESS');
  });
});
