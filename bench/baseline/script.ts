// The script a user would write instead of lbflow: no Temporal, no state on disk. Chunks of 200 in order; before
// each add, sleep-and-poll until the group accepts a change; after the last, sleep-and-poll until every server is
// ready. It talks to the providers with lbflow's own clients, so signing and HTTP cost the same on both sides and
// the difference is orchestration. A crash loses everything; a retry of a lost answer is up to the user.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  chunk,
  memberReady,
  MAX_SERVERS_PER_CALL,
  type GroupRef,
  type Provider,
  type Server,
  type WaitFor,
} from '../../src/domain/index.js';
import { identityKey } from '../../src/registry/index.js';
import type { LoadBalancerProvider } from '../../src/providers/index.js';
import { definitionOf } from '../../src/registry/index.js';

export interface ScriptOptions {
  readonly pollMs: number;
  readonly waitFor: WaitFor;
  /** Distinguishes the script's ClientTokens from other runs (Alibaba). */
  readonly runId: string;
}

export interface ScriptResult {
  readonly addCalls: number;
  readonly pollCalls: number;
}

export async function addServersScript(
  client: LoadBalancerProvider<Provider>,
  group: GroupRef,
  servers: readonly Server[],
  o: ScriptOptions,
): Promise<ScriptResult> {
  let addCalls = 0;
  let pollCalls = 0;
  const chunks = chunk(servers, MAX_SERVERS_PER_CALL);
  for (const [i, part] of chunks.entries()) {
    for (;;) {
      pollCalls++;
      if ((await client.groupReadiness(group as never)).ready) break;
      await sleep(o.pollMs);
    }
    addCalls++;
    await client.addServers(group as never, part as never, { idempotencyKey: `script-${o.runId}-${i}`, dryRun: false });
  }
  const keys = servers.map((s) => identityKey(group.provider, s as never));
  for (;;) {
    pollCalls++;
    const listed = await client.listServers(group as never, { servers: servers as never });
    const status = new Map(listed.members.map((m) => [m.key, m.status]));
    if (keys.every((k) => memberReady(definitionOf(group.provider).readiness, status.get(k) ?? 'absent', o.waitFor)))
      break;
    await sleep(o.pollMs);
  }
  return { addCalls, pollCalls };
}
