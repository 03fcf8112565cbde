// The references for bench/run.ts: workflows under Temporal's own API and no lbflow code in the sandbox.
//
// Scenario 4: a workflow under lbflow's workflow type that refuses its input at once, doing nothing else. What the
// SDK and the server cost per rejected request.
//
// Scenarios 1–3: the messages of lbflow's design with their data and nothing else. Each request starts with the row's
// own request as its input, hands its servers to one coordinator per group (a local activity doing Signal-with-Start,
// as lbflow's `handOver`) and waits for its signal back; the coordinator holds the provider's own time (`holdMs`: the
// coalesced limit, all adds and the settle) from the first request it hears, then tells every request heard so far of
// its servers (as lbflow's outcome does); a request heard later waits one settle more. The request returns its
// servers, as lbflow's result lists them. What the design costs on this machine beyond the providers' time, with no
// validation, ledger, activity or provider call.
import {
  ApplicationFailure,
  condition,
  defineSignal,
  getExternalWorkflowHandle,
  proxyLocalActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';

export async function addServersToServerGroup() {
  throw ApplicationFailure.nonRetryable('refused without looking', 'ValidationError');
}

/** @type {import('@temporalio/workflow').SignalDefinition<[string, unknown[]]>} */
const submitted = defineSignal('floor.submit');
/** @type {import('@temporalio/workflow').SignalDefinition<[unknown[]]>} */
const told = defineSignal('floor.told');

/** @param {{ coordinatorId: string, holdMs: number, settleMs: number, request: { servers: unknown[] } }} input */
export async function floorRequest(input) {
  /** @type {unknown[] | undefined} */
  let report;
  setHandler(told, (/** @type {unknown[]} */ servers) => {
    report = servers;
  });
  /** @type {{ handOver(input: { coordinatorId: string, holdMs: number, settleMs: number, requester: string, servers: unknown[] }): Promise<void> }} */
  const { handOver } = proxyLocalActivities({ startToCloseTimeout: '10 seconds' });
  const { coordinatorId, holdMs, settleMs, request } = input;
  await handOver({ coordinatorId, holdMs, settleMs, requester: workflowInfo().workflowId, servers: request.servers });
  await condition(() => report !== undefined);
  return { added: report };
}

/** @param {number} holdMs @param {number} settleMs */
export async function floorCoordinator(holdMs, settleMs) {
  /** @type {{ requester: string, servers: unknown[] }[]} */
  const heard = [];
  setHandler(submitted, (/** @type {string} */ requester, /** @type {unknown[]} */ servers) => {
    heard.push({ requester, servers });
  });
  let wait = holdMs;
  for (;;) {
    if (!(await condition(() => heard.length > 0, 5_000))) return;
    await sleep(wait);
    await Promise.all(heard.splice(0).map((h) => getExternalWorkflowHandle(h.requester).signal(told, h.servers)));
    wait = settleMs;
  }
}
