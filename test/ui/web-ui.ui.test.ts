// What an operator reads in the Temporal Web UI after real runs (issue 14): Debian's Chromium driven by
// playwright-core against `lbflow dev` (dev server, Web UI, simulators, worker). A completed run, a failed run
// (quota) and a running one whose servers never become ready. Screenshots go to artifacts/ui/.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAddServers, type AddServersHandle } from '../../src/client/index.js';
import { coordinatorWorkflowId } from '../../src/registry/index.js';
import { PROJECT_ROOT } from '../../src/cli/stack.js';
import { startDevStack, type DevStack } from '../cli/support.js';

const SCREENSHOTS = join(PROJECT_ROOT, 'artifacts', 'ui');

/** Debian's Chromium (installed by .ci/run), or LBFLOW_CHROMIUM. Missing is a failure, never a skip. */
function chromiumPath(): string {
  const candidates = [process.env.LBFLOW_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
    (p): p is string => Boolean(p),
  );
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new Error(
      `no Chromium at ${candidates.join(', ')}: install Debian's (apt-get install chromium, as .ci/run does) or set LBFLOW_CHROMIUM`,
    );
  return found;
}

const ecsIp = (n: number) => `192.168.${Math.floor(n / 250)}.${(n % 250) + 1}`;
const ecs = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    serverId: `i-bp67acfmxazb4p${String(from + i).padStart(4, '0')}`,
    serverType: 'Ecs',
    serverIp: ecsIp(from + i),
  }));
const STUCK_GROUP = 'sgp-atstuj3rtoptyui0001';

describe('the Temporal Web UI after real lbflow runs', () => {
  let stack: DevStack;
  let client: Client;
  let browser: Browser;
  let page: Page;
  let completed: AddServersHandle;
  let quota: AddServersHandle;
  let stuck: AddServersHandle;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const executablePath = chromiumPath();
    stack = await startDevStack();
    client = new Client({ connection: await Connection.connect({ address: stack.address }) });
    completed = await startAddServers(client, {
      provider: 'alibaba-gwlb',
      region: 'cn-hangzhou',
      serverGroupId: 'sgp-atstuj3rtoptyui0000',
      servers: ecs(0, 5),
      options: { maxChunkSize: 2, pollIntervalSeconds: 1 },
    } as never);
    await completed.result();
    // The demo world's quota group holds 300 of its 300 servers.
    quota = await startAddServers(client, {
      provider: 'alibaba-gwlb',
      region: 'cn-hangzhou',
      serverGroupId: 'sgp-atstuj3rtoptyui0003',
      servers: [{ serverId: '10.3.9.1', serverType: 'Ip', serverIp: '10.3.9.1' }],
    } as never);
    await expect(quota.result()).rejects.toThrow(/QuotaExceeded/);
    // Servers that never become Available: the run keeps polling, a poll per second.
    await fetch(`${stack.alibaba}/_sim/faults`, {
      method: 'PUT',
      body: JSON.stringify({ rules: [{ action: 'AddServersToServerGroup', effect: 'neverAvailable', sequence: 'x' }] }),
    });
    stuck = await startAddServers(client, {
      provider: 'alibaba-gwlb',
      region: 'cn-hangzhou',
      serverGroupId: STUCK_GROUP,
      servers: ecs(500, 3),
      options: { pollIntervalSeconds: 1 },
    } as never);
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
  });

  afterAll(async () => {
    await browser?.close();
    await stuck?.workflow.terminate('web ui test done').catch(() => {});
    await stack?.stop();
  });

  /** Everything the page shows, the Markdown frames (summaries, details) included. */
  const shown = async (): Promise<string> => {
    const frames = await Promise.all(page.frames().map((f) => f.innerText('body').catch(() => '')));
    return frames.join('\n');
  };
  /** Opens a run's tab and waits until its text matches every pattern (the UI loads in the background). */
  const open = async (
    workflowId: string,
    runId: string,
    tab: string,
    patterns: RegExp[],
    screenshot: string,
  ): Promise<string> => {
    await page.goto(`${stack.webUi}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/${tab}`);
    let text = '';
    for (let i = 0; i < 80; i++) {
      text = await shown();
      if (patterns.every((p) => p.test(text))) break;
      await page.waitForTimeout(250);
    }
    await page.screenshot({ path: join(SCREENSHOTS, `${screenshot}.png`), fullPage: true });
    for (const p of patterns) expect(text, `${screenshot}: ${p}`).toMatch(p);
    return text;
  };

  it("shows a completed run's summary and live details (user metadata)", async () => {
    const text = await open(
      completed.workflowId,
      completed.runId,
      'user-metadata',
      [
        /add 5 servers to alibaba-gwlb cn-hangzhou sgp-atstuj3rtoptyui0000/,
        /phase\s+completed/,
        /chunks\s+3 of 3/,
        /by state\s+ready 5/,
        /provider says\s+Available 5/,
      ],
      'completed-user-metadata',
    );
    expect(text).toMatch(/servers\s+5 requested, 5 added, 0 already present/);
  });

  it("shows a failed run's failure type and the quota figures, without a stack trace", async () => {
    const text = await open(
      quota.workflowId,
      quota.runId,
      'history',
      [
        /FAILED/,
        /"type": "QuotaExceeded"/,
        /The group holds 300 of its quota of 300; this request asked for 1 server, none fits/,
      ],
      'quota-failed-history',
    );
    expect(text).not.toMatch(/at Function\.create|failure\.ts:\d+/);
    await open(
      quota.workflowId,
      quota.runId,
      'user-metadata',
      [
        /add 1 server to alibaba-gwlb cn-hangzhou sgp-atstuj3rtoptyui0003/,
        /phase\s+failed/,
        /failed\s+QuotaExceeded \(QuotaExceeded\.ServerGroupServersNum\)/,
        /quota\s+the group holds 300 of 300; 0 more fit/,
      ],
      'quota-failed-user-metadata',
    );
  });

  it("shows a running run's coordinator naming its chunk and its wait, with a clean last failure on the poll", async () => {
    const coordinator = client.workflow.getHandle(
      coordinatorWorkflowId({ provider: 'alibaba-gwlb', region: 'cn-hangzhou', serverGroupId: STUCK_GROUP }),
    );
    const { runId } = await coordinator.describe();
    const request = stuck.workflowId.split('/').at(-1);
    // The timeline lists each activity with its summary, the pending one with its attempt.
    await open(
      coordinator.workflowId,
      runId,
      'timeline',
      [
        new RegExp(`addChunk\\W+chunk 1/1 of ${request} · 3 servers · alibaba-gwlb cn-hangzhou ${STUCK_GROUP}`),
        /Attempt \d+/,
        /waitServersReady\W+wait for 3 servers to be available/,
      ],
      'running-coordinator-timeline',
    );
    const pending = await open(
      coordinator.workflowId,
      runId,
      'pending-activities',
      [
        /waitServersReady/,
        /"type": "ServersNotReady"/,
        /"message": "3 of 3 servers are not available yet"/,
        /"notReady": 3/,
      ],
      'running-coordinator-pending-activities',
    );
    expect(pending).not.toMatch(/Failure exceeds size limit/);
    expect(pending).not.toMatch(/"stackTrace": "[^"]/);
    await open(
      coordinator.workflowId,
      runId,
      'user-metadata',
      [new RegExp(`coordinator of alibaba-gwlb cn-hangzhou ${STUCK_GROUP}`), /live requests\s+1/],
      'running-coordinator-user-metadata',
    );
    await open(
      stuck.workflowId,
      stuck.runId,
      'user-metadata',
      [/add 3 servers to alibaba-gwlb/, /phase\s+waiting/, /by state\s+added 3/],
      'running-request-user-metadata',
    );
  });
});
