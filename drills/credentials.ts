// Drill 6: a worker with a wrong secret must end a run as AuthenticationFailed after exactly one provider call (a
// retry would hammer the key: Huawei locks an AK after 5 bad signatures). Workers on temporary keys from the
// simulators' stand-ins must finish their runs whether the keys rotate every second or two mid-run or expire
// while a call is on its way (then the call is signed once more with new keys). Then every workflow history on
// the server, exported by the Temporal CLI as JSON, and every worker log must hold no secret or security token,
// the temporary ones included.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_WORLD } from '../src/simulator/index.js';
import type { RunningSimulators, WorldInput } from '../src/simulator/index.js';
import {
  alibabaGroups,
  callLog,
  huaweiPools,
  inPool,
  resetSimulator,
  seconds,
  simulators,
  sleep,
  retireCoordinators,
  startWorker,
  withTimeout,
  workerOutputs,
  type DrillContext,
  type DrillReport,
} from './support.js';
import {
  ALIBABA_GROUP,
  alibabaServers,
  drillWorld,
  HUAWEI_MONITORED_POOL,
  huaweiServers,
  keyOf,
  request,
  type ProviderName,
} from './world.js';

const run = promisify(execFile);

export interface CredentialsOptions {
  trials: number;
  /** Servers per run on temporary keys, per provider. */
  size: number;
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

/** Lists every workflow on the server, in every namespace, and greps each history as `temporal workflow show --output json` prints it. */
export async function scanHistories(ctx: DrillContext, cli: string, secrets = secretsToFind()): Promise<ScanResult> {
  const executions: { namespace: string; workflowId: string; runId: string }[] = [];
  const { namespaces } = await ctx.client.workflowService.listNamespaces({ pageSize: 1000 });
  for (const namespace of namespaces.map((n) => n.namespaceInfo?.name ?? '').filter((n) => n !== 'temporal-system')) {
    const client = new Client({ connection: ctx.client.connection, namespace });
    for await (const w of client.workflow.list())
      executions.push({ namespace, workflowId: w.workflowId, runId: w.runId });
  }
  let bytes = 0;
  const hits: string[] = [];
  await inPool(executions, 4, async ({ namespace, workflowId, runId }) => {
    const { stdout } = await run(
      cli,
      [
        'workflow',
        'show',
        '--address',
        ctx.temporal.address,
        '--namespace',
        namespace,
        '--workflow-id',
        workflowId,
        '--run-id',
        runId,
        '--output',
        'json',
      ],
      {
        maxBuffer: 512 * 1024 * 1024,
      },
    );
    bytes += stdout.length;
    // Payloads are base64 in the CLI's JSON: decode every base64 run long enough to hide a secret, and search both.
    const decoded = [...stdout.matchAll(/"([A-Za-z0-9+/]{16,}={0,2})"/g)]
      .map((m) => Buffer.from(m[1]!, 'base64').toString('utf8'))
      .join('\n');
    for (const secret of secrets)
      if (stdout.includes(secret) || decoded.includes(secret)) hits.push(`${workflowId}: ${secret.slice(0, 6)}…`);
  });
  return { histories: executions.length, bytes, hits };
}

/** A world whose stand-ins issue keys that live `alibabaMs` / `huaweiMs`, with members slow enough to outlive several. */
function temporaryKeyWorld(alibabaMs: number, huaweiMs: number): WorldInput {
  const world = drillWorld() as unknown as {
    alibaba: { identity: object; timings: object };
    huawei: { metadata: object; timings: { initialMs?: number } };
  };
  const defaults = DEFAULT_WORLD as unknown as { alibaba: { identity: object }; huawei: { metadata: object } };
  world.alibaba.identity = { ...defaults.alibaba.identity, keyLifetimeMs: alibabaMs };
  world.huawei.metadata = { ...defaults.huawei.metadata, keyLifetimeMs: huaweiMs };
  world.huawei.timings = { ...world.huawei.timings, initialMs: 1000 };
  return world as unknown as WorldInput;
}

interface TemporaryKeyResult {
  problems: string[];
  failedRuns: number;
  lost: number;
  duplicates: number;
  /** Distinct temporary key ids that signed an accepted call, per provider. */
  keys: Record<ProviderName, number>;
  /** Calls the provider refused as expired and the client signed again, per provider. */
  resigned: Record<ProviderName, number>;
  secrets: string[];
}

const EXPIRED = /^(InvalidSecurityToken\.(Expired|Malformed)|APIGW\.0307)$/;

/**
 * One run per provider of `size` servers on a worker with temporary keys. `expire`: once the first servers are in,
 * every issued key expires at once (a key that runs out while calls are on their way).
 */
async function temporaryKeyRuns(
  ctx: DrillContext,
  label: string,
  sims: RunningSimulators,
  keysFrom: 'metadata' | 'assume-role',
  size: number,
  expire: boolean,
): Promise<TemporaryKeyResult> {
  const taskQueue = `drill-keys-${crypto.randomUUID()}`;
  const worker = await startWorker({ temporal: ctx.temporal, taskQueue, bundlePath: ctx.bundlePath, sims, keysFrom });
  const problems: string[] = [];
  let failedRuns = 0;
  let lost = 0;
  let duplicates = 0;
  try {
    const wanted: Record<ProviderName, ReturnType<typeof alibabaServers> | ReturnType<typeof huaweiServers>> = {
      'alibaba-gwlb': alibabaServers(size, 3000),
      'huawei-elb': huaweiServers(size, 0),
    };
    const targets: Record<ProviderName, string> = {
      'alibaba-gwlb': ALIBABA_GROUP,
      'huawei-elb': HUAWEI_MONITORED_POOL,
    };
    const handles = await Promise.all(
      (['alibaba-gwlb', 'huawei-elb'] as ProviderName[]).map(async (provider) => ({
        provider,
        handle: (await ctx.client.workflow.start('addServersToServerGroup', {
          taskQueue,
          workflowId: `drill-keys/${label}/${provider}/${crypto.randomUUID()}`,
          args: [request(provider, wanted[provider], {}, targets[provider])],
        })) as WorkflowHandle,
      })),
    );
    if (expire) {
      // Once some of each run's servers are in, every key the stand-ins gave expires: the calls after it are refused.
      const member = (m: { key: string }) => m.key;
      for (let i = 0; i < 600; i++) {
        const ali = (await alibabaGroups(sims.alibaba.url)).get(ALIBABA_GROUP)?.map(member) ?? [];
        const hw = (await huaweiPools(sims.huawei.url)).get(HUAWEI_MONITORED_POOL)?.map(member) ?? [];
        const has = (keys: string[], provider: ProviderName) =>
          wanted[provider].some((s) => keys.includes(keyOf(provider, s)));
        if (has(ali, 'alibaba-gwlb') && has(hw, 'huawei-elb')) break;
        await sleep(50);
      }
      sims.alibaba.simulator.expireTemporaryKeys();
      sims.huawei.simulator.expireTemporaryKeys();
    }
    for (const { provider, handle } of handles) {
      try {
        const result = (await withTimeout(handle.result(), 180_000, `the ${provider} run on temporary keys`)) as {
          added: string[];
          alreadyPresent: string[];
        };
        const added = new Set(result.added);
        if (added.size !== result.added.length) duplicates += result.added.length - added.size;
        const missing = wanted[provider].filter((s) => !added.has(keyOf(provider, s)));
        lost += missing.length;
        if (missing.length) problems.push(`${label} ${provider}: ${missing.length} servers missing from the result`);
      } catch (error) {
        const cause = error instanceof WorkflowFailedError ? error.cause : error;
        problems.push(`${label} ${provider}: failed: ${String(cause).slice(0, 200)}`);
        failedRuns++;
        lost += wanted[provider].length;
      }
    }
    // What the groups hold: every requested server once.
    const groups = {
      'alibaba-gwlb': (await alibabaGroups(sims.alibaba.url)).get(ALIBABA_GROUP) ?? [],
      'huawei-elb': (await huaweiPools(sims.huawei.url)).get(HUAWEI_MONITORED_POOL) ?? [],
    };
    for (const provider of ['alibaba-gwlb', 'huawei-elb'] as ProviderName[]) {
      const keys = groups[provider].map((m) => m.key);
      if (new Set(keys).size !== keys.length) duplicates += keys.length - new Set(keys).size;
    }
  } finally {
    await retireCoordinators(ctx.client, taskQueue);
    await worker.stop('SIGTERM');
  }
  const keys = {} as Record<ProviderName, number>;
  const resigned = {} as Record<ProviderName, number>;
  for (const [provider, base] of [
    ['alibaba-gwlb', sims.alibaba.url],
    ['huawei-elb', sims.huawei.url],
  ] as const) {
    const entries = (await callLog(base)).entries as Array<{
      status: number;
      code?: string;
      accessKeyId?: string;
      action: string;
    }>;
    const signed = entries.filter(
      (e) =>
        e.status > 0 &&
        e.status < 300 &&
        e.accessKeyId !== undefined &&
        !['AssumeRole', 'EcsMetadata', 'EcsSecurityKey'].includes(e.action),
    );
    keys[provider] = new Set(signed.map((e) => e.accessKeyId)).size;
    resigned[provider] = entries.filter((e) => e.code !== undefined && EXPIRED.test(e.code)).length;
  }
  return {
    problems,
    failedRuns,
    lost,
    duplicates,
    keys,
    resigned,
    secrets: [...sims.alibaba.simulator.temporarySecrets(), ...sims.huawei.simulator.temporarySecrets()],
  };
}

export async function credentials(ctx: DrillContext, o: CredentialsOptions): Promise<DrillReport> {
  const sims = await simulators(drillWorld());
  const taskQueue = `drill-auth-${crypto.randomUUID()}`;
  const goodQueue = `drill-auth-good-${crypto.randomUUID()}`;
  const wrong = await startWorker({
    temporal: ctx.temporal,
    taskQueue,
    bundlePath: ctx.bundlePath,
    sims,
    alibabaSecret: WRONG_ALIBABA_SECRET,
    huaweiSecret: WRONG_HUAWEI_SECRET,
  });
  const good = await startWorker({ temporal: ctx.temporal, taskQueue: goodQueue, bundlePath: ctx.bundlePath, sims });
  const failures: string[] = [];
  const trialOk: boolean[] = [];
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
          if (!(cause instanceof ApplicationFailure) || cause.type !== 'AuthenticationFailed')
            problems.push(`${provider}: ended with ${String(cause ?? error).slice(0, 200)}`);
          const code = ((cause as ApplicationFailure | undefined)?.details?.[0] as { code?: string } | undefined)?.code;
          if (code) codes.add(code);
        }
        const calls =
          (provider === 'alibaba-gwlb' ? sims.alibaba : sims.huawei).simulator.calls.counts().total - before;
        callsPerRun.push(calls);
        if (calls !== 1) problems.push(`${provider}: ${calls} provider calls with the wrong secret, expected 1`);
      }
      // The right key still works: one bad signature per run is far from Huawei's lock after 5. The wrong worker's
      // coordinator exits after its failure; until it has, the group's one coordinator is that one.
      await retireCoordinators(ctx.client, taskQueue);
      const ok = (await withTimeout(
        (
          await ctx.client.workflow.start('addServersToServerGroup', {
            taskQueue: goodQueue,
            workflowId: `drill-auth/${trial}/good/${crypto.randomUUID()}`,
            args: [request('huawei-elb', huaweiServers(5, 1600))],
          })
        ).result(),
        60_000,
        'the right-secret run',
      )) as { added: string[] };
      if (ok.added.length !== 5) problems.push('the right Huawei key no longer works after the wrong-secret run');
      trialOk[trial] = problems.length === 0;
      if (problems.length > 0) failures.push(`trial ${trial}: ${problems.join('; ')}`);
      ctx.log(
        `  credentials, trial ${trial + 1}/${o.trials}: ${problems.length ? `FAILED: ${problems.join('; ')}` : 'ok'}`,
      );
    }
  } finally {
    await retireCoordinators(ctx.client, taskQueue);
    await retireCoordinators(ctx.client, goodQueue);
    await wrong.stop('SIGTERM');
    await good.stop('SIGTERM');
    await sims.close();
  }

  // Temporary keys: rotated mid-run (keys of 2 s and 1.5 s from the metadata stand-ins), and expired mid-call
  // (hour-long keys from STS AssumeRole and the securitykey, all ended at once while the runs are going).
  const temporarySecrets: string[] = [];
  let lost = 0;
  let duplicates = 0;
  let failedRuns = 0;
  const rotated = { keys: { 'alibaba-gwlb': 0, 'huawei-elb': 0 }, resigned: { 'alibaba-gwlb': 0, 'huawei-elb': 0 } };
  const expired = { keys: { 'alibaba-gwlb': 0, 'huawei-elb': 0 }, resigned: { 'alibaba-gwlb': 0, 'huawei-elb': 0 } };
  const started = Date.now();
  for (let trial = 0; trial < o.trials; trial++) {
    const problems: string[] = [];
    for (const [label, world, keysFrom, expire, tally] of [
      ['keys rotated mid-run', temporaryKeyWorld(2000, 1500), 'metadata', false, rotated],
      ['token expired mid-call', temporaryKeyWorld(3600_000, 3600_000), 'assume-role', true, expired],
    ] as const) {
      const keySims = await simulators(world);
      try {
        const r = await temporaryKeyRuns(ctx, `${trial}/${label}`, keySims, keysFrom, o.size, expire);
        problems.push(...r.problems);
        lost += r.lost;
        failedRuns += r.failedRuns;
        duplicates += r.duplicates;
        temporarySecrets.push(...r.secrets);
        for (const p of ['alibaba-gwlb', 'huawei-elb'] as ProviderName[]) {
          tally.keys[p] += r.keys[p];
          tally.resigned[p] += r.resigned[p];
          if (!expire && r.keys[p] < 2)
            problems.push(`${label} ${p}: the keys did not rotate (${r.keys[p]} key signed every call)`);
          if (expire && r.resigned[p] < 1)
            problems.push(`${label} ${p}: no call met an expired key (the drill did not test what it says)`);
        }
      } finally {
        await keySims.close();
      }
    }
    if (problems.length > 0) {
      failures.push(`temporary keys, trial ${trial}: ${problems.join('; ')}`);
      trialOk[trial] = false;
    }
    ctx.log(
      `  credentials, temporary keys, trial ${trial + 1}/${o.trials}: ${problems.length ? `FAILED: ${problems.join('; ')}` : 'ok'}`,
    );
  }
  const keysElapsed = Date.now() - started;
  const passed = trialOk.filter(Boolean).length;

  const secrets = [...secretsToFind(), ...temporarySecrets];
  const scan = await scanHistories(ctx, o.cli, secrets);
  const logHits = secrets.filter((s) => workerOutputs.some((out) => out.includes(s)));
  if (scan.hits.length) failures.push(`secrets in histories: ${scan.hits.slice(0, 5).join(', ')}`);
  if (logHits.length) failures.push(`secrets in worker logs: ${logHits.map((s) => `${s.slice(0, 6)}…`).join(', ')}`);
  const clean = scan.hits.length === 0 && logHits.length === 0;
  return {
    drill: '6. credentials: wrong secret, temporary keys rotated and expired, secrets in histories',
    trials: o.trials,
    passed: clean ? passed : 0,
    duplicates,
    lost,
    figures:
      `wrong secret → AuthenticationFailed (${[...codes].join(', ')}) after ${[...new Set(callsPerRun)].join(' or ')} provider call per run (${callsPerRun.length} runs), the right Huawei AK still accepted after; ` +
      `temporary keys (${o.trials} × 2 runs of ${o.size} per provider, ${seconds(keysElapsed)}): rotated mid-run — signed with ${rotated.keys['alibaba-gwlb']} Alibaba / ${rotated.keys['huawei-elb']} Huawei distinct keys, ` +
      `expired mid-call — ${expired.resigned['alibaba-gwlb']} Alibaba / ${expired.resigned['huawei-elb']} Huawei calls refused as expired and signed again; ${failedRuns} of ${o.trials * 4} runs failed; ` +
      `${scan.histories} workflow histories exported by \`temporal workflow show --output json\` (${(scan.bytes / 1e6).toFixed(1)} MB, base64 payloads decoded) and ${workerOutputs.length} worker logs searched for ${secrets.length} secrets and tokens: ${scan.hits.length + logHits.length} found`,
    failures,
  };
}
