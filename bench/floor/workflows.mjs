// The reference for scenario 4: a workflow under lbflow's workflow type that refuses its input at once, doing
// nothing else. What the SDK and the server cost per rejected request, with no lbflow code in the sandbox.
import { ApplicationFailure } from '@temporalio/workflow';

export async function addServersToServerGroup() {
  throw ApplicationFailure.nonRetryable('refused without looking', 'ValidationError');
}
