// Drill 6: a worker with a wrong secret must end a run as AuthenticationFailed after exactly one provider call (a
// retry would hammer the key: Huawei locks an AK after 5 bad signatures); then every workflow history on the
// server, exported by the Temporal CLI as JSON, must hold no access key secret or token.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_WORLD } from '../src/simulator/index.js';
import { inPool, resetSimulator, simulators, startWorker, withTimeout, workerOutputs, type DrillContext, type DrillReport } from './support.js';
import { alibabaServers, drillWorld, huaweiServers, request, type ProviderName } from './world.js';

const run = promisify(execFile);

export interface CredentialsOptions {
  trials: number;
  /** The Temporal CLI, for `temporal workflow show --output json`. */
  cli: string;
}

export const WRONG_ALIBABA_SECRET = 'drill-wrong-alibaba-secret-7f3a9c';
export const WRONG_HUAWEI_SECRET = 'drill-wrong-huawei-sk-51be02';

/** Every secret and token the drills could leak: the world's (the workers use its demo keys) and the wrong ones. */
export function secretsToFind(): string[] {
  const world = DEFAULT_WORLD as unknown as {
    alibaba: { credentials: { accessKeySecret: string; securityToken?: string }[] };
    huawei: { credentials: { secretKey: string; securityToken?: string }[]; tokens: { token: string }[] };
  };
  return [
    ...world.alibaba.credentials.flatMap((c) => [c.accessKeySecret, c.securityToken]),
    ...world.huawei.credentials.flatMap((c) => [c.secretKey, c.securityToken]),
    ...world.huawei.tokens.map((t) => t.token),
    WRONG_ALIBABA_SECRET,
    WRONG_HUAWEI_SECRET,
  ].filter((s): s is string => typeof s === 'string' && s.length > 0);
}

export interface ScanResult {
  histories: number;
  bytes: number;
  hits: string[];
}

/** Lists every workflow on the server and greps each history as `temporal workflow show --output json` prints it. */
export async function scanHistories(ctx: DrillContext, cli: string, secrets = secretsToFind()): Promise<ScanResult> {
  const executions: { workflowId: string; runId: string }[] = [];
  for await (const w of ctx.client.workflow.list()) executions.push({ workflowId: w.workflowId, runId: w.runId });
  let bytes = 0;
  const hits: string[] = [];
  await inPool(executions, 4, async ({ workflowId, runId }) => {
    const { stdout } = await run(cli, ['workflow', 'show', '--address', ctx.temporal.address, '--namespace', ctx.temporal.namespace, '--workflow-id', workflowId, '--run-id', runId, '--output', 'json'], {
      maxBuffer: 512 * 1024 * 1024,
    });
    bytes += stdout.length;
    // Payloads are base64 in the CLI's JSON: decode every base64 run long enough to hide a secret, and search both.
    const decoded = [...stdout.matchAll(/"([A-Za-z0-9+/]{16,}={0,2})"/g)].map((m) => Buffer.from(m[1]!, 'base64').toString('utf8')).join('\n');
    for (const secret of secrets) if (stdout.includes(secret) || decoded.includes(secret)) hits.push(`${workflowId}: ${secret.slice(0, 6)}…`);
  });
  return { histories: executions.length, bytes, hits };
}

export async function credentials(ctx: DrillContext, o: CredentialsOptions): Promise<DrillReport> {
  const sims = await simulators(drillWorld());
  const taskQueue = `drill-auth-${crypto.randomUUID()}`;
  const goodQueue = `drill-auth-good-${crypto.randomUUID()}`;
  const wrong = await startWorker({ temporal: ctx.temporal, taskQueue, bundlePath: ctx.bundlePath, sims, alibabaSecret: WRONG_ALIBABA_SECRET, huaweiSecret: WRONG_HUAWEI_SECRET });
  const good = await startWorker({ temporal: ctx.temporal, taskQueue: goodQueue, bundlePath: ctx.bundlePath, sims });
  const failures: string[] = [];
  let passed = 0;
  const callsPerRun: number[] = [];
  const codes = new Set<string>();
  try {
    for (let trial = 0; trial < o.trials; trial++) {
      const problems: string[] = [];
      await Promise.all([resetSimulator(sims.alibaba.url), resetSimulator(sims.huawei.url)]);
      for (const provider of ['alibaba-gwlb', 'huawei-elb'] as ProviderName[]) {
        const before = (provider === 'alibaba-gwlb' ? sims.alibaba : sims.huawei).simulator.calls.counts().total;
        const servers = provider === 'alibaba-gwlb' ? alibabaServers(5, 7000) : huaweiServers(5, 1500);
        const handle = (await ctx.client.workflow.start('addServersToServerGroup', {
          taskQueue,
          workflowId: `drill-auth/${trial}/${provider}/${crypto.randomUUID()}`,
          args: [request(provider, servers)],
        })) as WorkflowHandle;
        try {
          await withTimeout(handle.result(), 60_000, 'the wrong-secret run');
          problems.push(`${provider}: completed with a wrong secret`);
        } catch (error) {
          const cause = error instanceof WorkflowFailedError ? error.cause : undefined;
          if (!(cause instanceof ApplicationFailure) || cause.type !== 'AuthenticationFailed') problems.push(`${provider}: ended with ${String(cause ?? error).slice(0, 200)}`);
          const code = ((cause as ApplicationFailure | undefined)?.details?.[0] as { code?: string } | undefined)?.code;
          if (code) codes.add(code);
        }
        const calls = (provider === 'alibaba-gwlb' ? sims.alibaba : sims.huawei).simulator.calls.counts().total - before;
        callsPerRun.push(calls);
        if (calls !== 1) problems.push(`${provider}: ${calls} provider calls with the wrong secret, expected 1`);
      }
      // The right key still works: one bad signature per run is far from Huawei's lock after 5.
      const ok = (await withTimeout(
        (await ctx.client.workflow.start('addServersToServerGroup', {
          taskQueue: goodQueue,
          workflowId: `drill-auth/${trial}/good/${crypto.randomUUID()}`,
          args: [request('huawei-elb', huaweiServers(5, 1600))],
        })).result(),
        60_000,
        'the right-secret run',
      )) as { added: string[] };
      if (ok.added.length !== 5) problems.push('the right Huawei key no longer works after the wrong-secret run');
      if (problems.length === 0) passed++;
      else failures.push(`trial ${trial}: ${problems.join('; ')}`);
      ctx.log(`  credentials, trial ${trial + 1}/${o.trials}: ${problems.length ? `FAILED: ${problems.join('; ')}` : 'ok'}`);
    }
  } finally {
    await wrong.stop('SIGTERM');
    await good.stop('SIGTERM');
    await sims.close();
  }
  const scan = await scanHistories(ctx, o.cli);
  const secrets = secretsToFind();
  const logHits = secrets.filter((s) => workerOutputs.some((out) => out.includes(s)));
  if (scan.hits.length) failures.push(`secrets in histories: ${scan.hits.slice(0, 5).join(', ')}`);
  if (logHits.length) failures.push(`secrets in worker logs: ${logHits.map((s) => `${s.slice(0, 6)}…`).join(', ')}`);
  const clean = scan.hits.length === 0 && logHits.length === 0;
  return {
    drill: '6. credentials: wrong secret, and secrets in histories',
    trials: o.trials,
    passed: clean ? passed : 0,
    duplicates: 0,
    lost: 0,
    figures:
      `wrong secret → AuthenticationFailed (${[...codes].join(', ')}) after ${[...new Set(callsPerRun)].join(' or ')} provider call per run (${callsPerRun.length} runs), the right Huawei AK still accepted after; ` +
      `${scan.histories} workflow histories exported by \`temporal workflow show --output json\` (${(scan.bytes / 1e6).toFixed(1)} MB, base64 payloads decoded) and ${workerOutputs.length} worker logs searched for ${secrets.length} secrets and tokens: ${scan.hits.length + logHits.length} found`,
    failures,
  };
}
