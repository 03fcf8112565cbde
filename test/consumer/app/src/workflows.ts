// A team's own workflow that registers servers through lbflow as a child, from the installed package.
import { workflowInfo } from '@temporalio/workflow';
import { addServersAsChild, lbflowFailure, type AddServersRequestInput } from 'lbflow/workflows/child';

export interface DeployOutcome {
  readonly added: number;
  readonly failure?: { readonly type: string; readonly added: number };
}

export async function deploy(request: AddServersRequestInput): Promise<DeployOutcome> {
  try {
    const result = await addServersAsChild(request, { requestKey: `${workflowInfo().workflowId}-register` });
    return { added: result.added.length };
  } catch (error) {
    const failure = lbflowFailure(error);
    if (failure === undefined) throw error;
    return { added: 0, failure: { type: failure.type, added: failure.details?.added.length ?? 0 } };
  }
}
