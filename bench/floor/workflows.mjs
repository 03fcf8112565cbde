// The references for bench/run.ts: workflows under Temporal's own API and no lbflow code in the sandbox.
//
// Scenario 4: a workflow under lbflow's workflow type that refuses its input at once, doing nothing else. What the
// SDK and the server cost per rejected request.
//
// Scenario 3: the messages of lbflow's design with nothing else: each request hands itself to one coordinator per
// group (a local activity doing Signal-with-Start, as lbflow's `handOver`) and waits for its signal back; the
// coordinator holds the provider's own time (`holdMs`: the coalesced limit, all adds and the settle) from the first
// request it hears, then tells every request heard so far; a request heard later waits one settle more. What the
// design costs on this machine beyond the providers' time, with no validation, ledger, activity or provider call.
import { ApplicationFailure, condition, defineSignal, getExternalWorkflowHandle, proxyLocalActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';

export async function addServersToServerGroup() {
  throw ApplicationFailure.nonRetryable('refused without looking', 'ValidationError');
}

/** @type {import('@temporalio/workflow').SignalDefinition<[string]>} */
const submitted = defineSignal('floor.submit');
const told = defineSignal('floor.told');

/** @param {{ coordinatorId: string, holdMs: number, settleMs: number }} input */
export async function floorRequest(input) {
  let done = false;
  setHandler(told, () => {
    done = true;
  });
  /** @type {{ handOver(input: { coordinatorId: string, holdMs: number, settleMs: number, requester: string }): Promise<void> }} */
  const { handOver } = proxyLocalActivities({ startToCloseTimeout: '10 seconds' });
  await handOver({ ...input, requester: workflowInfo().workflowId });
  await condition(() => done);
}

/** @param {number} holdMs @param {number} settleMs */
export async function floorCoordinator(holdMs, settleMs) {
  /** @type {string[]} */
  const heard = [];
  setHandler(submitted, (/** @type {string} */ requester) => {
    heard.push(requester);
  });
  let wait = holdMs;
  for (;;) {
    if (!(await condition(() => heard.length > 0, 5_000))) return;
    await sleep(wait);
    await Promise.all(heard.splice(0).map((id) => getExternalWorkflowHandle(id).signal(told)));
    wait = settleMs;
  }
}
