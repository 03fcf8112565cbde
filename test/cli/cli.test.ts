// The `lbflow` command end to end, as a user runs it: `lbflow dev` (dev server, Web UI, simulators, the worker
// process) in one child, then `lbflow add|status|watch|cancel` as separate processes against it. What the
// simulators hold and the calls they logged are the evidence; the JSON output and exit statuses are the contract.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alibabaGroupState, callLog, huaweiPoolState } from '../integration/support.js';
import { HUAWEI_DEMO_POOL, HUAWEI_NO_MONITOR_POOL, HUAWEI_PROJECT } from '../workflows/harness.js';
import { lbflow, startDevStack, type DevStack } from './support.js';

const GROUP = 'sgp-atstuj3rtoptyui0001';
const QUOTA_HIT_GROUP = 'sgp-atstuj3rtoptyui0003';
const PROJECT = HUAWEI_PROJECT;
const MONITORED_POOL = HUAWEI_DEMO_POOL;
const NO_MONITOR_POOL = HUAWEI_NO_MONITOR_POOL;
const SUBNET = '61da8098-954b-4809-bc5a-b99ccef8a398';
const ecsIp = (n: number) => `192.168.${Math.floor(n / 250)}.${(n % 250) + 1}`;
const ecsId = (n: number) => `i-bp67acfmxazb4p${String(n).padStart(4, '0')}`;

describe('lbflow CLI against `lbflow dev`', () => {
  let stack: DevStack;
  let dir: string;
  let env: Record<string, string>;
  const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

  beforeAll(async () => {
    stack = await startDevStack();
    dir = mkdtempSync(join(tmpdir(), 'lbflow-cli-'));
    env = { TEMPORAL_ADDRESS: stack.address, LBFLOW_WEB_UI: stack.webUi };
  }, 120_000);

  afterAll(async () => {
    const code = await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
    // Ctrl-C stops the whole stack cleanly.
    expect(code).toBe(0);
  }, 60_000);

  it('adds servers from a CSV file and prints the typed result as JSON (exit 0)', async () => {
    const csv = join(dir, 'servers.csv');
    writeFileSync(
      csv,
      [
        'serverId,serverType,serverIp',
        ...[1100, 1101, 1102, 1103, 1104].map((n) => `${ecsId(n)},Ecs,${ecsIp(n)}`),
      ].join('\n'),
    );
    const run = await lbflow(
      [
        '--json',
        'add',
        csv,
        '--provider',
        'alibaba-gwlb',
        '--region',
        'cn-hangzhou',
        '--group',
        GROUP,
        '--poll-interval',
        '0.5',
        '--chunks-ahead',
        '1',
      ],
      env,
    );
    expect(run.status, run.stderr).toBe(0);
    const out = json(run.stdout);
    expect(out.status).toBe('completed');
    expect(out.result.added).toHaveLength(5);
    expect(out.link).toContain(`${stack.webUi}/namespaces/default/workflows/${encodeURIComponent(out.workflowId)}`);
    const group = await alibabaGroupState(stack.alibaba, GROUP);
    expect(group.members.filter((m) => m.key.startsWith('Ecs:i-bp67acfmxazb4p110')).map((m) => m.status)).toEqual(
      Array(5).fill('Available'),
    );

    // The same file again: the servers are already there, so nothing is sent (exit 0, zero adds).
    const addsBefore = (await callLog(stack.alibaba)).counts.byAction.AddServersToServerGroup?.calls ?? 0;
    const again = await lbflow(
      [
        '--json',
        'add',
        csv,
        '--provider',
        'alibaba-gwlb',
        '--region',
        'cn-hangzhou',
        '--group',
        GROUP,
        '--poll-interval',
        '1',
      ],
      env,
    );
    expect(again.status, again.stderr).toBe(0);
    expect(json(again.stdout).result.alreadyPresent).toHaveLength(5);
    expect((await callLog(stack.alibaba)).counts.byAction.AddServersToServerGroup?.calls ?? 0).toBe(addsBefore);
  });

  it('adds Huawei members from a YAML request file, with a human summary (exit 0)', async () => {
    const file = join(dir, 'request.yaml');
    writeFileSync(
      file,
      [
        'provider: huawei-elb',
        'region: cn-north-4',
        `projectId: "${PROJECT}"`,
        `poolId: ${NO_MONITOR_POOL}`,
        'servers:',
        ...[600, 601, 602].flatMap((n) => [
          `  - address: ${ecsIp(n)}`,
          '    protocolPort: 80',
          `    subnetCidrId: ${SUBNET}`,
        ]),
        'options:',
        '  pollIntervalSeconds: 1',
      ].join('\n'),
    );
    const run = await lbflow(['add', file], env);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/completed: 3 added, 0 already present, 3 requested/);
    expect(run.stdout).toContain('status: NO_MONITOR 3');
    const pool = await huaweiPoolState(stack.huawei, NO_MONITOR_POOL);
    expect(pool.members.map((m) => m.key)).toEqual(
      expect.arrayContaining([600, 601, 602].map((n) => `${ecsIp(n)}:80`)),
    );
  });

  it('refuses an invalid request before starting anything: exit 3, every issue by path, no provider call', async () => {
    const before = (await callLog(stack.alibaba)).counts.total;
    const run = await lbflow(
      [
        '--json',
        'add',
        '--provider',
        'alibaba-gwlb',
        '--region',
        'cn-hangzhou',
        '--group',
        GROUP,
        '--server',
        'serverId=i-bp67acfmxazb4p1105,serverType=ecs',
        '--server',
        'serverId=i-bp67acfmxazb4p1106,serverType=Ecs,port=80',
      ],
      env,
    );
    expect(run.status).toBe(3);
    const out = json(run.stdout);
    expect(out.failure.type).toBe('ValidationError');
    expect(out.failure.details.issues.map((i: { path: string }) => i.path)).toEqual([
      'servers[0].serverType',
      'servers[1].port',
    ]);
    expect((await callLog(stack.alibaba)).counts.total).toBe(before);
  });

  it('reports a provider refusal as exit 4 with the catalogue type and the provider code', async () => {
    const run = await lbflow(
      [
        '--json',
        'add',
        '--provider',
        'alibaba-gwlb',
        '--region',
        'cn-hangzhou',
        '--group',
        QUOTA_HIT_GROUP,
        '--server',
        'serverId=10.3.9.1,serverType=Ip',
      ],
      env,
    );
    expect(run.status).toBe(4);
    const failure = json(run.stdout).failure;
    expect(failure.type).toBe('QuotaExceeded');
    expect(failure.details.code).toMatch(/^QuotaExceeded/);
    expect(failure.details.added).toEqual([]);
  });

  it('ends as exit 5 naming the server that never became ready (AvailabilityTimeout)', async () => {
    // ECS 49 of the Huawei world is down: its member stays OFFLINE.
    const run = await lbflow(
      [
        '--json',
        'add',
        '--provider',
        'huawei-elb',
        '--region',
        'cn-north-4',
        '--project',
        PROJECT,
        '--group',
        MONITORED_POOL,
        '--server',
        `address=${ecsIp(49)},protocolPort=8080,subnetCidrId=${SUBNET}`,
        '--timeout',
        '3',
        '--poll-interval',
        '1',
      ],
      env,
    );
    expect(run.status).toBe(5);
    const failure = json(run.stdout).failure;
    expect(failure.type).toBe('AvailabilityTimeout');
    expect(failure.details.stragglers).toEqual([{ key: `${ecsIp(49)}:8080`, status: 'OFFLINE' }]);
  });

  it('detaches, then status and watch follow the run by its workflow id', async () => {
    const started = await lbflow(
      [
        '--json',
        'add',
        '--detach',
        '--provider',
        'alibaba-gwlb',
        '--region',
        'cn-hangzhou',
        '--group',
        GROUP,
        '--request-key',
        'cli-watch',
        '--poll-interval',
        '1',
        ...[1110, 1111, 1112].flatMap((n) => ['--server', `serverId=${ecsId(n)},serverType=Ecs,serverIp=${ecsIp(n)}`]),
      ],
      env,
    );
    expect(started.status, started.stderr).toBe(0);
    const { workflowId, status } = json(started.stdout);
    expect(status).toBe('started');
    expect(workflowId).toBe(`lbflow/alibaba-gwlb/cn-hangzhou/${GROUP}/cli-watch`);

    const state = await lbflow(['--json', 'status', workflowId], env);
    expect(state.status, state.stderr).toBe(0);
    const described = json(state.stdout);
    expect(['RUNNING', 'COMPLETED']).toContain(described.status);
    expect(described.progress.requested).toBe(3);

    const watched = await lbflow(['--json', 'watch', workflowId], env);
    expect(watched.status, watched.stderr).toBe(0);
    expect(json(watched.stdout).result.added).toHaveLength(3);

    const human = await lbflow(['status', workflowId], env);
    expect(human.stdout).toContain(`workflow ${workflowId}`);
    expect(human.stdout).toMatch(/COMPLETED/);
    expect(human.stdout).toMatch(/phase completed, chunk 1\/1, 3 added/);
  });

  it('cancels a run that waits on a stuck server: exit 6, and --rollback removes what it added', async () => {
    const member = `${ecsIp(99)}:8080`; // ECS 99 is down
    const started = await lbflow(
      [
        '--json',
        'add',
        '--detach',
        '--rollback',
        '--provider',
        'huawei-elb',
        '--region',
        'cn-north-4',
        '--project',
        PROJECT,
        '--group',
        MONITORED_POOL,
        '--server',
        `address=${ecsIp(99)},protocolPort=8080,subnetCidrId=${SUBNET}`,
        '--timeout',
        '300',
        '--poll-interval',
        '1',
      ],
      env,
    );
    expect(started.status, started.stderr).toBe(0);
    const { workflowId } = json(started.stdout);
    // Cancel once the member is in the pool, so there is something to roll back.
    for (
      let i = 0;
      i < 100 && !(await huaweiPoolState(stack.huawei, MONITORED_POOL)).members.some((m) => m.key === member);
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
    expect((await huaweiPoolState(stack.huawei, MONITORED_POOL)).members.map((m) => m.key)).toContain(member);

    const cancelled = await lbflow(['--json', 'cancel', '--wait', workflowId], env);
    expect(cancelled.status).toBe(6);
    expect(json(cancelled.stdout).failure.type).toBe('Cancelled');
    expect((await huaweiPoolState(stack.huawei, MONITORED_POOL)).members.map((m) => m.key)).not.toContain(member);
  });

  it("lists the worker deployment's versions: lbflow dev's worker made its version current, and runs it holds open", async () => {
    const listed = await lbflow(['--json', 'versions'], env);
    expect(listed.status, listed.stderr).toBe(0);
    const view = json(listed.stdout);
    expect(view.deploymentName).toBe('lbflow');
    expect(view.current).toMatch(/^wf-[0-9a-f]{16}$/);
    const current = (view.versions as { buildId: string; status: string; open: object }[]).find(
      (v) => v.buildId === view.current,
    );
    expect(current).toMatchObject({ status: 'current', open: { requests: 0 } });
    const human = await lbflow(['versions'], env);
    expect(human.stdout).toContain(`deployment lbflow: new runs go to ${view.current}`);
    expect(human.stdout).toMatch(new RegExp(`${view.current}\\s+current\\s+0\\s+\\d+`));
    const none = await lbflow(['--json', 'versions', '--task-queue', 'nobody-polls-this'], env);
    expect(json(none.stdout)).toEqual({ deploymentName: 'nobody-polls-this', versions: [] });
  });

  it('exits 2 on usage errors and 7 when Temporal cannot be reached, saying what to do', async () => {
    const unknownFlag = await lbflow(['add', '--bogus'], env);
    expect(unknownFlag.status).toBe(2);
    expect(unknownFlag.stderr).toContain("unknown option '--bogus'");

    const missing = await lbflow(['add', join(dir, 'nope.csv'), '--provider', 'alibaba-gwlb'], env);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot read');

    const noProvider = await lbflow(['add', '--server', 'serverId=i-x'], env);
    expect(noProvider.status).toBe(2);
    expect(noProvider.stderr).toContain('--provider');

    const unreachable = await lbflow(['--address', '127.0.0.1:1', 'status', 'lbflow/x'], {});
    expect(unreachable.status).toBe(7);
    expect(unreachable.stderr).toContain('cannot reach Temporal at 127.0.0.1:1');

    const unknownRun = await lbflow(['status', 'lbflow/alibaba-gwlb/cn-hangzhou/sgp-nothere/none'], env);
    expect(unknownRun.status).toBe(7);
  });
});
