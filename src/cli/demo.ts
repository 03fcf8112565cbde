// The demo's job on the simulators' default world: two real additions, one invalid request and one that hits
// the group quota, all at once, followed live, then one summary row per run with its Web UI link.
import type { Client } from '@temporalio/client';
import { AddServersError, startAddServers, type AddServersRequestInput } from '../client/index.js';
import type { Provider } from '../domain/index.js';
import { errorJson, table } from './output.js';
import { createBoard, follow, type Outcome } from './progress.js';
import { runLink } from './temporal.js';

const ALIBABA_GROUP = 'sgp-atstuj3rtoptyui0000';
const ALIBABA_QUOTA_HIT_GROUP = 'sgp-atstuj3rtoptyui0003';
const HUAWEI_PROJECT = '04dd36f964000fe22f9ac00bc85b1a1d';
const HUAWEI_POOL = '04a9bc65-b75b-478d-b4d6-e693bb61dd35';
const HUAWEI_SUBNET = '61da8098-954b-4809-bc5a-b99ccef8a398';

/** The default world's ECS n: i-bp67acfmxazb4pNNNN at 192.168.⌊n/250⌋.(n%250+1). */
const ecsIp = (n: number) => `192.168.${Math.floor(n / 250)}.${(n % 250) + 1}`;

export interface DemoRun {
  readonly name: string;
  readonly provider: Provider;
  readonly group: string;
  readonly expect: string;
  readonly request: AddServersRequestInput;
  /** The invalid request goes to the workflow unchecked, so its ValidationError shows in the Web UI too. */
  readonly validateLocally: boolean;
}

export function demoRuns(): DemoRun[] {
  const poll = { pollIntervalSeconds: 1 };
  const alibaba = Array.from({ length: 1000 }, (_, n) => ({
    serverId: `i-bp67acfmxazb4p${String(n).padStart(4, '0')}`,
    serverType: 'Ecs' as const,
    serverIp: ecsIp(n),
  }));
  // Every 50th ECS of the Huawei world is down (its member would stay OFFLINE): the demo adds 300 healthy ones.
  const huawei: { address: string; protocolPort: number; subnetCidrId: string }[] = [];
  for (let n = 0; huawei.length < 300; n++)
    if (n % 50 !== 49) huawei.push({ address: ecsIp(n), protocolPort: 8080, subnetCidrId: HUAWEI_SUBNET });
  return [
    {
      name: 'alibaba 1000',
      provider: 'alibaba-gwlb',
      group: ALIBABA_GROUP,
      expect: 'completed',
      validateLocally: true,
      request: {
        provider: 'alibaba-gwlb',
        region: 'cn-hangzhou',
        serverGroupId: ALIBABA_GROUP,
        servers: alibaba,
        options: poll,
      },
    },
    {
      name: 'huawei 300',
      provider: 'huawei-elb',
      group: HUAWEI_POOL,
      expect: 'completed',
      validateLocally: true,
      request: {
        provider: 'huawei-elb',
        region: 'cn-north-4',
        projectId: HUAWEI_PROJECT,
        poolId: HUAWEI_POOL,
        servers: huawei,
        options: poll,
      },
    },
    {
      name: 'invalid',
      provider: 'alibaba-gwlb',
      group: ALIBABA_GROUP,
      expect: 'ValidationError',
      validateLocally: false,
      request: {
        provider: 'alibaba-gwlb',
        region: 'cn-hangzhou',
        serverGroupId: ALIBABA_GROUP,
        servers: [
          { serverId: 'i-bp67acfmxazb4p0001', serverType: 'ecs', serverIp: '192.168.0.2' },
          { serverId: 'i-bp67acfmxazb4p0002', serverType: 'Ecs', serverIp: '192.168.0.3', port: 80 },
        ],
      } as unknown as AddServersRequestInput,
    },
    {
      name: 'quota hit',
      provider: 'alibaba-gwlb',
      group: ALIBABA_QUOTA_HIT_GROUP,
      expect: 'QuotaExceeded',
      validateLocally: true,
      request: {
        provider: 'alibaba-gwlb',
        region: 'cn-hangzhou',
        serverGroupId: ALIBABA_QUOTA_HIT_GROUP,
        servers: Array.from({ length: 10 }, (_, n) => ({ serverId: `10.3.9.${n + 1}`, serverType: 'Ip' as const })),
        options: poll,
      },
    },
  ];
}

export interface DemoRow {
  readonly name: string;
  readonly workflowId: string;
  readonly outcome: string;
  readonly expected: boolean;
  readonly added: number;
  readonly alreadyPresent: number;
  readonly seconds: number;
  readonly link: string | undefined;
  readonly failure?: Record<string, unknown>;
}

function outcomeName(outcome: Outcome): string {
  if (outcome.ok) return 'completed';
  return outcome.error instanceof AddServersError ? outcome.error.type : 'error';
}

/** Starts every run at once and follows them on one board; returns one row per run. */
export async function runDemo(
  client: Client,
  namespace: string,
  webUi: string,
  stream: NodeJS.WriteStream,
  quiet: boolean,
): Promise<DemoRow[]> {
  const board = createBoard(stream, quiet);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  try {
    return await Promise.all(
      demoRuns().map(async (run, i) => {
        const started = performance.now();
        const handle = await startAddServers(client, run.request, {
          requestKey: `demo-${stamp}-${i}`,
          validate: run.validateLocally,
        });
        const view = board.add(run.name.padEnd(12));
        const outcome = await follow(handle, view);
        const name = outcomeName(outcome);
        view.done(name);
        const details = outcome.ok
          ? undefined
          : outcome.error instanceof AddServersError
            ? outcome.error.details
            : undefined;
        return {
          name: run.name,
          workflowId: handle.workflowId,
          outcome: name,
          expected: name === run.expect,
          added: outcome.ok ? outcome.result.added.length : (details?.added.length ?? 0),
          alreadyPresent: outcome.ok ? outcome.result.alreadyPresent.length : (details?.alreadyPresent.length ?? 0),
          seconds: (performance.now() - started) / 1000,
          link: runLink(webUi, namespace, handle.workflowId, handle.runId),
          ...(outcome.ok ? {} : { failure: errorJson(outcome.error) }),
        };
      }),
    );
  } finally {
    board.stop();
  }
}

export function demoTable(rows: readonly DemoRow[]): string {
  return table(
    ['run', 'outcome', 'as expected', 'added', 'already', 'seconds', 'web ui'],
    rows.map((r) => [
      r.name,
      r.outcome,
      r.expected ? 'yes' : 'NO',
      String(r.added),
      String(r.alreadyPresent),
      r.seconds.toFixed(1),
      r.link ?? '',
    ]),
  );
}
