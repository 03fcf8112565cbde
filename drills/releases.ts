// lbflow's releases as code that can run again: each release's workflow bundle, built from its commit (listed in
// test/fixtures/histories/releases.json) in this clone's history. Drill 9 runs the oldest one as the version an
// operator upgrades from; test/replay.test.ts replays each release's histories on its own build.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PROJECT_ROOT } from './support.js';

export interface Release {
  readonly release: string;
  readonly commit: string;
  /** Its workers ran with Worker Versioning (0.2.0 on); 0.1.0's ran unversioned. */
  readonly versioned: boolean;
}

/** Every kept release, oldest first. */
export function releases(): Release[] {
  const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'test/fixtures/histories/releases.json'), 'utf8')) as {
    releases: Record<string, { commit: string; workers: string }>;
  };
  return Object.entries(manifest.releases)
    .map(([release, { commit, workers }]) => ({ release, commit, versioned: !workers.startsWith('unversioned') }))
    .sort((a, b) => a.release.localeCompare(b.release, 'en', { numeric: true }));
}

export const oldestRelease = (): Release => releases()[0]!;

/** The release before the tree's own version (package.json's): what an operator upgrades from to this tree. */
export function previousRelease(): Release {
  const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
  return releases()
    .filter((r) => r.release !== version)
    .at(-1)!;
}

const silentLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Bundles the workflow source under `src` (outside the project: its imports resolve in the project's node_modules). */
export async function bundleCopy(src: string, out: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(src, 'workflows', 'index.ts'),
    preloadModules: [join(src, 'workflows', 'preload.ts')],
    logger: silentLogger,
    webpackConfigHook: (config) => ({
      ...config,
      resolve: { ...config.resolve, modules: ['node_modules', join(PROJECT_ROOT, 'node_modules')] },
    }),
  });
  writeFileSync(out, code);
  return out;
}

/** A release's workflow bundle, built in `dir` from its commit's `src/`. */
export async function releaseBundle(dir: string, r: Release): Promise<{ release: string; bundlePath: string }> {
  const out = join(dir, `release-${r.release}`);
  mkdirSync(out, { recursive: true });
  try {
    execFileSync('sh', ['-c', `git archive ${r.commit} src | tar -x -C '${out}'`], {
      cwd: PROJECT_ROOT,
      stdio: 'pipe',
    });
  } catch (error) {
    throw new Error(
      `release ${r.release}'s commit ${r.commit} is not in this clone's history (a shallow clone? \`git fetch --unshallow\`): ${String((error as { stderr?: Buffer }).stderr ?? error)}`,
      { cause: error },
    );
  }
  return {
    release: r.release,
    bundlePath: await bundleCopy(join(out, 'src'), join(dir, `release-${r.release}-bundle.js`)),
  };
}
