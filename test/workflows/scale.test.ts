// 10,000 servers in one request (a simulated world with the group quota raised, as Alibaba allows at most
// 1,000 even after an increase): a scale test of lbflow itself; and no credential in any history.
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_ALIBABA_CREDENTIAL,
  DEFAULT_HUAWEI_CREDENTIAL,
  DEFAULT_WORLD,
  type WorldInput,
} from '../../src/simulator/index.js';
import { SERVER_PAGE_BYTES } from '../../src/domain/index.js';
import { coordinatorWorkflowId } from '../../src/registry/index.js';
import type { addServersToServerGroup } from '../../src/workflows/index.js';
import { registerSearchAttributes, testServerExecutable } from '../setup/servers.js';
import {
  bundleLbflowWorkflows,
  HUAWEI_NO_MONITOR_POOL,
  HUAWEI_PROJECT,
  huaweiServers,
  startHarness,
  type Harness,
} from './harness.js';

const SCALE_GROUP = 'sgp-lbflowscale10000';

function scaleWorld(): WorldInput {
  const world = structuredClone(DEFAULT_WORLD) as {
    alibaba: { regions: { serverGroups: unknown[]; vpcs: { id: string }[] }[] };
  };
  const region = world.alibaba.regions[0]!;
  region.serverGroups.push({
    id: SCALE_GROUP,
    name: 'scale',
    type: 'Ip',
    vpcId: region.vpcs[0]!.id,
    quotas: { serversPerGroup: 10_000, serversPerGroupPerZone: 10_000 },
  });
  return world as WorldInput;
}

/** The history export with every payload (base64 JSON) decoded alongside, so a scan sees what was recorded. */
function decodedHistory(json: string): string {
  const payloads = [...json.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)].map((m) =>
    Buffer.from(m[1]!, 'base64').toString('utf8'),
  );
  return [json, ...payloads].join('\n');
}

const ipServer = (i: number) => {
  const ip = `10.20.${Math.floor(i / 250)}.${(i % 250) + 1}`;
  return { serverId: ip, serverType: 'Ip', serverIp: ip };
};

describe('addServersToServerGroup at scale (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let h: Harness;

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: testServerExecutable() } });
    await registerSearchAttributes(env);
    h = await startHarness(env, await bundleLbflowWorkflows(), { followTemporalTime: true, world: scaleWorld() });
  });
  afterAll(async () => {
    await h?.close();
    await env?.teardown();
  });

  it('adds 10,000 servers in 50 calls with history far below Temporal limits, and no credential in it', async () => {
    const servers = Array.from({ length: 10_000 }, (_, i) => ipServer(i));
    const started = performance.now();
    const { result, history, coordinatorHistory } = await h.withWorker(async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof addServersToServerGroup>('addServersToServerGroup', {
        taskQueue,
        workflowId: `lbflow-scale-${crypto.randomUUID()}`,
        args: [
          {
            provider: 'alibaba-gwlb',
            region: 'cn-hangzhou',
            serverGroupId: SCALE_GROUP,
            servers,
            options: { pollIntervalSeconds: 1 },
          },
        ],
      });
      const result = await handle.result();
      const coordinator = env.client.workflow.getHandle(
        coordinatorWorkflowId({ provider: 'alibaba-gwlb', region: 'cn-hangzhou', serverGroupId: SCALE_GROUP }),
      );
      return {
        result,
        history: historyToJSON(await handle.fetchHistory()),
        coordinatorHistory: historyToJSON(await coordinator.fetchHistory()),
      };
    });
    const count = (json: string) => (json.match(/"eventId":/g) ?? []).length;
    const events = count(history);
    const coordinatorEvents = count(coordinatorHistory);
    const recorded = decodedHistory(history) + decodedHistory(coordinatorHistory);
    console.log(
      `10,000 servers: the request ${events} history events, the coordinator ${coordinatorEvents}, ${((coordinatorEvents - 30) / 50).toFixed(1)} per chunk ` +
        `(aim: 8 per chunk + 30 for each workflow, and 6 for each page the coordinator fetches) (${(history.length / 1024).toFixed(0)} + ${(coordinatorHistory.length / 1024).toFixed(0)} KiB; limits 51,200 events / 50 MB, ` +
        `continue-as-new suggested at 4,096 / 4 MB) in ${Math.round(performance.now() - started)} ms of wall time`,
    );
    expect(result.added).toHaveLength(10_000);
    expect(recorded).toContain('10.20.39.250');
    expect(h.sims.alibaba.simulator.calls.counts().byAction.AddServersToServerGroup?.calls).toBe(50);
    // One activity per chunk (its add waits for the group and the earlier chunk first) and its workflow task: issue 7's aim.
    expect(events).toBeLessThanOrEqual(8 * 50 + 30);
    // Since 0.4 the coordinator fetches the servers from the request in pages: an activity and a workflow task each.
    const pages = Math.ceil(JSON.stringify(servers).length / SERVER_PAGE_BYTES);
    expect(coordinatorEvents).toBeLessThanOrEqual(8 * 50 + 30 + 6 * pages);
    for (const secret of [DEFAULT_ALIBABA_CREDENTIAL.accessKeySecret, DEFAULT_ALIBABA_CREDENTIAL.accessKeyId]) {
      expect(recorded).not.toContain(secret);
    }
  });

  it('keeps the Huawei credentials out of the history of a run', async () => {
    const history = await h.withWorker(async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof addServersToServerGroup>('addServersToServerGroup', {
        taskQueue,
        workflowId: `lbflow-secrets-${crypto.randomUUID()}`,
        args: [
          {
            provider: 'huawei-elb',
            region: 'cn-north-4',
            projectId: HUAWEI_PROJECT,
            poolId: HUAWEI_NO_MONITOR_POOL,
            servers: huaweiServers(3),
            options: { pollIntervalSeconds: 1 },
          },
        ],
      });
      await handle.result();
      return decodedHistory(historyToJSON(await handle.fetchHistory()));
    });
    expect(history).toContain('192.168.0.1');
    for (const secret of [DEFAULT_HUAWEI_CREDENTIAL.secretKey, DEFAULT_HUAWEI_CREDENTIAL.accessKey]) {
      expect(history).not.toContain(secret);
    }
  });
});
