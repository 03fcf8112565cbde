// The worker's version: a build id from the workflow code itself, so that the same code gets the same id wherever it
// was built (the inline source map names the folder) and any change to the code a new one; and when a worker makes
// its version the current one, against the dev server's Worker Deployments.
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../setup/servers.js'; // the quiet Temporal runtime, as in every Temporal test file
import { buildIdOf, promote, routingOf, versionName, versionOf } from '../../src/worker/deployment.js';
import { startDevServer } from '../integration/support.js';

const CODE = 'var __TEMPORAL__ = 1; function addServersToServerGroup() {}\n';
const map = (folder: string) =>
  `//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify({ sources: [`${folder}/src/workflows/index.ts`] })).toString('base64')}`;

describe('the worker version', () => {
  it('gives the same code the same build id whatever folder it was bundled in, and changed code another', () => {
    const here = buildIdOf(`${CODE}${map('/work/main')}`);
    expect(here).toMatch(/^wf-[0-9a-f]{16}$/);
    expect(buildIdOf(`${CODE}${map('/app')}`)).toBe(here);
    expect(buildIdOf(CODE)).toBe(here);
    expect(buildIdOf(`${CODE.replace('= 1', '= 2')}${map('/work/main')}`)).not.toBe(here);
  });

  it('takes a build id set by the operator over the derived one, and names a version as the CLI does', () => {
    const settings = { deploymentName: 'lbflow', buildId: undefined, promote: 'if-none' as const };
    expect(versionOf(settings, CODE)).toEqual({ deploymentName: 'lbflow', buildId: buildIdOf(CODE) });
    expect(versionOf({ ...settings, buildId: '0.2.0' }, CODE)).toEqual({ deploymentName: 'lbflow', buildId: '0.2.0' });
    expect(versionName({ deploymentName: 'lbflow', buildId: '0.2.0' })).toBe('lbflow:0.2.0');
  });
});

describe('when a worker makes its version current (LBFLOW_PROMOTE), on the dev server', () => {
  let env: TestWorkflowEnvironment;
  const running: { worker: Worker; done: Promise<void> }[] = [];
  const deployment = `promote-${crypto.randomUUID().slice(0, 8)}`;
  const version = (buildId: string) => ({ deploymentName: deployment, buildId });

  beforeAll(async () => {
    env = await startDevServer();
  }, 60_000);
  afterAll(async () => {
    for (const r of running) r.worker.shutdown();
    await Promise.all(running.map((r) => r.done));
    await env?.teardown();
  });

  /** A versioned worker of `buildId` polling the deployment's queue, so the server knows the version. */
  const poll = async (buildId: string) => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: deployment,
      workflowsPath: fileURLToPath(new URL('../fixtures/workflows.ts', import.meta.url)),
      workerDeploymentOptions: {
        useWorkerVersioning: true,
        version: version(buildId),
        defaultVersioningBehavior: 'PINNED',
      },
    });
    running.push({ worker, done: worker.run() });
  };
  const service = () => env.client.workflowService;

  it('promotes the first version of a fresh deployment, and leaves a version chosen since, unversioned workers included', async () => {
    await poll('b1');
    expect(await promote(service(), 'default', version('b1'), 'if-none')).toEqual({
      promoted: true,
      previous: undefined,
    });
    expect(await routingOf(service(), 'default', deployment)).toEqual({ current: version('b1'), chosen: true });

    await poll('b2');
    expect(await promote(service(), 'default', version('b2'), 'if-none')).toMatchObject({
      promoted: false,
      current: version('b1'),
    });
    expect(await promote(service(), 'default', version('b2'), 'never')).toMatchObject({
      promoted: false,
      why: 'LBFLOW_PROMOTE=never',
    });
    expect(await promote(service(), 'default', version('b2'), 'always')).toEqual({
      promoted: true,
      previous: version('b1'),
    });
    expect(await promote(service(), 'default', version('b2'), 'always')).toMatchObject({ why: 'already current' });

    // A rollback to unversioned workers (0.1.0): a restarting worker of b2 must not undo it.
    await service().setWorkerDeploymentCurrentVersion({
      namespace: 'default',
      deploymentName: deployment,
      buildId: '',
    });
    expect(await routingOf(service(), 'default', deployment)).toEqual({ current: undefined, chosen: true });
    const kept = await promote(service(), 'default', version('b2'), 'if-none');
    expect(kept).toMatchObject({ promoted: false, current: undefined });
    expect(kept.promoted ? '' : kept.why).toContain('unversioned workers are current by choice');
  }, 60_000);
});
